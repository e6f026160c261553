/*
 * test_store.c - the store: migration to version 1, reopening, refusing a
 * newer schema, connection settings and the typed queries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "storetest.h"

typedef struct fixture {
    char dir[64];
    char path[96];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/cm_store_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/credmon.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < 4; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_new_and_reopen(void **state)
{
    fixture *f = *state;
    cm_store *s = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(f->path, &s, &d), CM_OK);
    assert_non_null(s);
    assert_int_equal(cm_store_version(s), CM_STORE_VERSION);
    assert_string_equal(cm_store_path(s), f->path);
    assert_int_equal(th_int(s, "PRAGMA foreign_keys"), 1);
    char buf[32];
    assert_string_equal(th_text(s, "PRAGMA journal_mode", buf, sizeof buf),
                        "truncate");
    assert_int_equal(th_int(s, "PRAGMA page_size"), 16384); /* a new store */
    /* every table of the schema is there */
    assert_int_equal(th_int(s, "SELECT count(*) FROM sqlite_master WHERE"
                               " type = 'table' AND name IN ('regions',"
                               "'units','periods','element_values',"
                               "'benchmarks','assignments','imports',"
                               "'runs','run_files','findings')"),
                     10);
    assert_int_equal(cm_store_exec(s, "INSERT INTO units VALUES ('a','b')",
                                   &d), CM_OK);
    cm_store_free(s);

    s = NULL;
    assert_int_equal(cm_store_new(f->path, &s, &d), CM_OK);
    assert_int_equal(cm_store_version(s), CM_STORE_VERSION);
    assert_int_equal(cm_store_has_unit(s, "a"), 1); /* data survived */
    cm_store_free(s);
    cm_store_free(NULL);
}

/* A version 1 store (as the first credmon wrote it) is migrated to the
 * current version with its data kept and the microdata tables added. */
static void test_migrates_v1(void **state)
{
    fixture *f = *state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
        "PRAGMA page_size = 4096;"
        "CREATE TABLE regions(code TEXT PRIMARY KEY, name TEXT NOT NULL,"
        " level TEXT NOT NULL, parent TEXT REFERENCES regions(code));"
        "CREATE TABLE periods(period TEXT PRIMARY KEY, kind TEXT NOT NULL);"
        "CREATE TABLE element_values(region TEXT NOT NULL, period TEXT NOT NULL,"
        " element TEXT NOT NULL, value REAL, PRIMARY KEY (region, period, element));"
        "INSERT INTO regions VALUES ('510000','四川省','province',NULL);"
        "INSERT INTO periods VALUES ('2018-12','month');"
        "INSERT INTO element_values(region, period, element, value) VALUES ('510000','2018-12','x',1.5);"
        "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    cm_store *s = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(f->path, &s, &d), CM_OK);
    assert_int_equal(cm_store_version(s), CM_STORE_VERSION);
    char buf[32];
    assert_string_equal(th_text(s, "SELECT source FROM element_values",
                                buf, sizeof buf), "import");
    assert_int_equal(th_int(s, "SELECT count(*) FROM sqlite_master WHERE"
                               " type = 'table' AND name IN ('calendar',"
                               "'entities','publicity','blacklist',"
                               "'commitments','unit_values')"), 6);
    /* version 5 keeps one date index of version 4's three */
    assert_int_equal(th_int(s, "SELECT count(*) FROM sqlite_master WHERE"
                               " type = 'index' AND name ="
                               " 'entities_registered'"), 1);
    assert_int_equal(th_int(s, "SELECT count(*) FROM sqlite_master WHERE"
                               " type = 'index' AND name IN"
                               " ('publicity_decided', 'commitments_date')"),
                     0);
    /* an existing store keeps its page size */
    assert_int_equal(th_int(s, "PRAGMA page_size"), 4096);
    cm_store_free(s);
}

static void test_refuses_newer(void **state)
{
    fixture *f = *state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL,
                                  NULL), SQLITE_OK);
    sqlite3_close(db);
    cm_store *s = (cm_store *)&s; /* must be reset to NULL */
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(f->path, &s, &d), CM_ERR_STORE);
    assert_null(s);
    assert_int_equal(d.code, CM_ERR_STORE);
    assert_string_equal(d.file, f->path);
    assert_non_null(strstr(d.msg, "schema version 99 is newer"));
}

/* Another program's SQLite database (version 0 with tables) is not
 * migrated into a store: refused, left as it was. */
static void test_refuses_foreign(void **state)
{
    fixture *f = *state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t"
                                      " VALUES (1)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    cm_store *s = (cm_store *)&s;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(f->path, &s, &d), CM_ERR_STORE);
    assert_null(s);
    assert_string_equal(d.file, f->path);
    assert_non_null(strstr(d.msg, "not a credmon store"));
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(name) FROM"
                                            " sqlite_schema", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "t");
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void test_refuses_non_sqlite(void **state)
{
    fixture *f = *state;
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++)
        fputs("code,name,level,parent\n", fp);
    fclose(fp);
    cm_store *s = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(f->path, &s, &d), CM_ERR_STORE);
    assert_null(s);
    assert_non_null(strstr(d.msg, "store: "));
}

static void test_foreign_keys_enforced(void **state)
{
    fixture *f = *state;
    cm_store *s = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(f->path, &s, &d), CM_OK);
    assert_int_equal(cm_store_exec(s, "INSERT INTO periods VALUES"
                                      " ('2018-12','month')", &d), CM_OK);
    assert_int_equal(cm_store_exec(s, "INSERT INTO element_values(region, period, element, value) VALUES"
                                      " ('511800','2018-12','x',1)", &d),
                     CM_ERR_STORE);
    assert_int_equal(d.code, CM_ERR_STORE);
    assert_string_equal(d.file, f->path);
    assert_non_null(strstr(d.msg, "FOREIGN KEY"));
    cm_store_free(s);
}

static void test_transactions(void **state)
{
    fixture *f = *state;
    cm_store *s = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(f->path, &s, &d), CM_OK);
    assert_int_equal(cm_store_begin(s, &d), CM_OK);
    assert_int_equal(cm_store_exec(s, "INSERT INTO units VALUES ('x','')", &d),
                     CM_OK);
    cm_store_rollback(s);
    assert_int_equal(cm_store_has_unit(s, "x"), 0);
    assert_int_equal(cm_store_begin(s, &d), CM_OK);
    assert_int_equal(cm_store_exec(s, "INSERT INTO units VALUES ('x','')", &d),
                     CM_OK);
    assert_int_equal(cm_store_commit(s, &d), CM_OK);
    assert_int_equal(cm_store_has_unit(s, "x"), 1);
    cm_store_rollback(s); /* no transaction: harmless */

    /* a second connection cannot begin while the first writes */
    cm_store *t = NULL;
    assert_int_equal(cm_store_new(f->path, &t, &d), CM_OK);
    assert_int_equal(cm_store_begin(s, &d), CM_OK);
    sqlite3_busy_timeout(cm_store_db(t), 10);
    assert_int_equal(cm_store_begin(t, &d), CM_ERR_STORE);
    assert_non_null(strstr(d.msg, "locked"));
    cm_store_rollback(s);
    cm_store_free(t);
    cm_store_free(s);
}

static const char seed_sql[] =
    "INSERT INTO regions VALUES ('510000','四川省','province',NULL);"
    "INSERT INTO regions VALUES ('511800','雅安市','city','510000');"
    "INSERT INTO regions VALUES ('511803','名山区','county','511800');"
    "INSERT INTO regions VALUES ('511802','雨城区','county','511800');"
    "INSERT INTO regions VALUES ('511500','宜宾市','city','510000');"
    "INSERT INTO units VALUES ('雅安市市场监督管理局','市市场监管局');"
    "INSERT INTO units VALUES ('市法院','');"
    "INSERT INTO periods VALUES ('2018-12','month');"
    "INSERT INTO element_values(region, period, element, value) VALUES ('511800','2018-12','blacklist',273);"
    "INSERT INTO element_values(region, period, element, value) VALUES ('511800','2018-12','credit_svc',NULL);"
    "INSERT INTO benchmarks VALUES ('2018-12','blacklist_share',"
    " 'prefecture_avg',2.3,'2.30');"
    "INSERT INTO assignments VALUES ('','p1','市发展改革委','市法院',"
    " '2019年9月前','');"
    "INSERT INTO assignments VALUES ('511800','p1','市市场监管局','市法院',"
    " '长期坚持','own row');"
    "INSERT INTO assignments VALUES ('','p2','市发展改革委','',"
    " '2019年12月','');";

static void test_typed_queries(void **state)
{
    fixture *f = *state;
    cm_store *s = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(f->path, &s, &d), CM_OK);
    assert_int_equal(cm_store_exec(s, seed_sql, &d), CM_OK);

    cm_region r;
    assert_int_equal(cm_store_region(s, "511800", &r, &d), CM_OK);
    assert_string_equal(r.code, "511800");
    assert_string_equal(r.name, "雅安市");
    assert_string_equal(r.level, "city");
    assert_string_equal(r.parent, "510000");
    cm_region_clear(&r);
    assert_int_equal(cm_store_region(s, "510000", &r, &d), CM_OK);
    assert_string_equal(r.parent, "");
    cm_region_clear(&r);
    assert_int_equal(cm_store_region(s, "519999", &r, &d), CM_ERR_DATA);
    assert_non_null(strstr(d.msg, "519999"));
    assert_null(r.name);
    cm_diag_clear(&d);

    cm_region *list;
    size_t n;
    assert_int_equal(cm_store_children(s, "511800", &list, &n, &d), CM_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].code, "511802"); /* ordered by code */
    assert_string_equal(list[0].name, "雨城区");
    assert_string_equal(list[1].code, "511803");
    cm_region_list_free(list, n);
    assert_int_equal(cm_store_children(s, "511803", &list, &n, &d), CM_OK);
    assert_int_equal(n, 0);
    cm_region_list_free(list, n);
    assert_int_equal(cm_store_regions_at_level(s, "city", &list, &n, &d),
                     CM_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].code, "511500");
    assert_string_equal(list[1].code, "511800");
    cm_region_list_free(list, n);

    assert_int_equal(cm_store_has_period(s, "2018-12"), 1);
    assert_int_equal(cm_store_has_period(s, "2018-11"), 0);

    static const struct {
        const char *region, *period, *element;
        int state;
        double value;
    } vals[] = {
        {"511800", "2018-12", "blacklist", 1, 273},
        {"511800", "2018-12", "credit_svc", 2, 0},
        {"511800", "2018-12", "nothing", 0, 0},
        {"511803", "2018-12", "blacklist", 0, 0},
    };
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        double v = -1;
        int st = -1;
        assert_int_equal(cm_store_value(s, vals[i].region, vals[i].period,
                                        vals[i].element, &v, &st, &d),
                         CM_OK);
        assert_int_equal(st, vals[i].state);
        if (st == 1)
            assert_true(v == vals[i].value);
    }

    double bv = 0;
    char *text = NULL;
    int found = 0;
    assert_int_equal(cm_store_benchmark(s, "2018-12", "blacklist_share",
                                        "prefecture_avg", &bv, &text, &found,
                                        &d), CM_OK);
    assert_int_equal(found, 1);
    assert_true(bv == 2.3);
    assert_string_equal(text, "2.30");
    free(text);
    assert_int_equal(cm_store_benchmark(s, "2018-12", "blacklist_share",
                                        "national_avg", &bv, &text, &found,
                                        &d), CM_OK);
    assert_int_equal(found, 0);
    assert_null(text);

    cm_assignment a;
    /* a city's own row wins over the default */
    assert_int_equal(cm_store_assignment(s, "511800", "p1", &a, &found, &d),
                     CM_OK);
    assert_int_equal(found, 1);
    assert_string_equal(a.lead, "市市场监管局");
    assert_string_equal(a.deadline, "长期坚持");
    assert_string_equal(a.note, "own row");
    cm_assignment_clear(&a);
    /* another city gets the default */
    assert_int_equal(cm_store_assignment(s, "511500", "p1", &a, &found, &d),
                     CM_OK);
    assert_int_equal(found, 1);
    assert_string_equal(a.lead, "市发展改革委");
    assert_string_equal(a.deadline, "2019年9月前");
    cm_assignment_clear(&a);
    assert_int_equal(cm_store_assignment(s, "511800", "p2", &a, &found, &d),
                     CM_OK);
    assert_int_equal(found, 1);
    assert_string_equal(a.partners, "");
    cm_assignment_clear(&a);
    assert_int_equal(cm_store_assignment(s, "511800", "p3", &a, &found, &d),
                     CM_OK);
    assert_int_equal(found, 0);
    assert_null(a.lead);
    cm_assignment_clear(&a);
    cm_assignment_clear(NULL);

    static const struct {
        const char *name;
        int known;
    } units[] = {
        {"雅安市市场监督管理局", 1}, {"市市场监管局", 1}, {"市法院", 1},
        {"", 0}, {"市税务局", 0}, {"市市场监管", 0},
    };
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        assert_int_equal(cm_store_has_unit(s, units[i].name), units[i].known);

    cm_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrates_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_newer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_non_sqlite, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_foreign_keys_enforced, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typed_queries, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
