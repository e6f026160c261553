/*
 * test_derive.c - the derivation engine (loading, running, errors) and the
 * shipped derivations of indicators/derive/ on a small hand-made store
 * whose results were counted by hand in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "storetest.h"

#include "derive.h"
#include "helpers.h"
#include "store.h"

typedef struct fx {
    char dir[64], db[128];
    cm_store *s;
} fx;

/* 2019 calendar rows around 中秋 and 国庆 (国办发明电〔2018〕15号): 09-13 off;
 * 10-01..10-04 and 10-07 off; 09-29 (Sun) and 10-12 (Sat) worked. */
static const char base_sql[] =
    "INSERT INTO regions VALUES ('510000','四川省','province',NULL),"
    " ('511800','雅安市','city','510000'),"
    " ('511802','雨城区','county','511800'),"
    " ('511803','名山区','county','511800');"
    "INSERT INTO calendar_years VALUES (2019,'国办发明电〔2018〕15号');"
    "INSERT INTO calendar VALUES ('2019-09-13','holiday','x'),"
    " ('2019-09-29','workday','x'),('2019-10-01','holiday','x'),"
    " ('2019-10-02','holiday','x'),('2019-10-03','holiday','x'),"
    " ('2019-10-04','holiday','x'),('2019-10-07','holiday','x'),"
    " ('2019-10-12','workday','x');"
    /* register: 雨城区 4 entities, 名山区 2. 91350100M000100Y43 and
     * 91110000600037341L are valid (DESIGN.md); 91110000600037341X fails
     * its check digit; 91350200776049653A is held by two entities. One
     * registered in October, one 注销. */
    "INSERT INTO entities VALUES"
    " ('91350100M000100Y43','甲公司','511802','2010-01-01','存续'),"
    " ('91110000600037341L','乙公司','511802','2019-09-10','存续'),"
    " ('91110000600037341X','丙公司','511802','2015-05-05','注销'),"
    " ('91350200776049653A','丁公司','511802','2019-10-08','存续'),"
    " ('91350200776049653A','戊公司','511803','2012-02-02','在业'),"
    " ('91512081MA62K0260E','己公司','511803','2011-03-03','吊销');"
    /* 双公示 decided in September 2019, all 雨城区 but P5:
     *   P1 09-11 -> 09-20: 09-12,16,17,18,19,20 = 6 (09-13 off): on time
     *   P2 09-11 -> 09-24: 12,16,17,18,19,20,23,24 = 8: late
     *   P3 09-27 -> 10-12: 09-29,30,10-08,09,10,11,12 = 7: on time
     *      (a Monday-to-Friday count says 10)
     *   P4 09-20 -> (none): late
     *   P5 09-26 -> 09-25: published before its decision: data error
     *      (名山区)
     *   P6 10-08 -> 10-09: October */
    "INSERT INTO publicity VALUES"
    " ('P1','许可','市税务局','511802','a','','2019-09-11','2019-09-20'),"
    " ('P2','许可','市税务局','511802','a','','2019-09-11','2019-09-24'),"
    " ('P3','处罚','市法院','511802','a','','2019-09-27','2019-10-12'),"
    " ('P4','许可','市法院','511802','a','','2019-09-20',NULL),"
    " ('P5','许可','市税务局','511803','a','','2019-09-26','2019-09-25'),"
    " ('P6','许可','市税务局','511802','a','','2019-10-08','2019-10-09');"
    /* blacklist, 雨城区:
     *   B1 enterprise listed 2019-01, on the list, trained, committed
     *   B2 enterprise listed 2019-02, removed 09-15 by 信用修复, trained
     *   B3 enterprise listed 2019-03, removed 09-20 (期满), not trained
     *   B4 person (citizen ID) listed 2019-04, on the list
     *   B5 enterprise listed 2019-10-02 (after September)
     * end of September: on the list B1, B4 -> blacklist (enterprises) 1,
     *   subjects 2, trained 1, committed 1; exits 2, by repair 1,
     *   trained 1 */
    "INSERT INTO blacklist VALUES"
    " ('91350100M000100Y43','甲公司','511802','失信被执行人','市法院','2019-01-05',NULL,'',1,1),"
    " ('91110000600037341L','乙公司','511802','失信被执行人','市法院','2019-02-05','2019-09-15','信用修复',1,0),"
    " ('91512081MA62K0260E','己公司','511802','失信被执行人','市法院','2019-03-05','2019-09-20','期满移出',0,0),"
    " ('11010519491231002X','张某','511802','失信被执行人','市法院','2019-04-05',NULL,'',0,0),"
    " ('91350200776049653A','丁公司','511802','失信被执行人','市法院','2019-10-02',NULL,'',0,0);"
    /* commitments: 甲 审批替代型 (2019-03) and 主动型 (2019-09); the code
     * of 丁 and 戊 信用修复型 2019-09-03, counted in 名山区 (戊, its
     * earliest register entry); 乙 审批替代型 2019-08-20, before its
     * registration on 09-10, so counted from September, and 行业自律型
     * 2019-10. End of September, 雨城区: subjects 2 (甲, 乙), 审批替代型 2,
     * 信用修复型 0, 行业自律型 0, 主动型 1; 名山区: subjects 1, 信用修复型
     * 1. October, 雨城区: subjects 2, 行业自律型 1. */
    "INSERT INTO commitments VALUES"
    " ('91110000600037341L','审批替代型','2019-08-20',1),"
    " ('91350100M000100Y43','审批替代型','2019-03-01',1),"
    " ('91350100M000100Y43','主动型','2019-09-02',1),"
    " ('91350200776049653A','信用修复型','2019-09-03',1),"
    " ('91110000600037341L','行业自律型','2019-10-04',1);";

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || th_store_open("derive", f->dir, f->db, &f->s) != 0)
        return -1;
    th_exec(f->s, base_sql);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    if (!f)
        return 0;
    int rc = th_store_close(f->s, f->dir);
    free(f);
    return rc;
}

static double value(fx *f, const char *region, const char *period,
                    const char *element)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(cm_store_db(f->s),
                                        "SELECT value FROM element_values WHERE "
                                        "region = ?1 AND period = ?2 AND element = ?3",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, element, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("no %s for %s %s", element, region, period);
    double v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Runs the shipped derivations; returns how many continued from the
 * month before. */
static int run_shipped(fx *f, const char *from, const char *to)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/indicators/derive", th_root());
    cm_derive_set *set = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_derive_load(dir, &set, &d), CM_OK);
    cm_derive_stats st;
    if (cm_derive_run(f->s, set, from, to, &st, NULL, &d) != CM_OK)
        fail_msg("%s:%ld: %s: %s", d.file, d.line, d.field, d.msg);
    assert_true(st.rows > 0);
    cm_derive_free(set);
    return st.incremental;
}

static void register_elements(void **state)
{
    fx *f = *state;
    run_shipped(f, "2019-09", "2019-10");
    /* 雨城区 September: registered by 09-30: 甲 乙 丙 -> codes 3; in
     * operation 甲 乙 (丙 注销) = 2; bad: 丙 (check digit) = 1 (丁's shared
     * code is registered only in October) */
    assert_float_equal(value(f, "511802", "2019-09", "uscc_codes"), 3, 0);
    assert_float_equal(value(f, "511802", "2019-09", "enterprises"), 2, 0);
    assert_float_equal(value(f, "511802", "2019-09", "uscc_codes_bad"), 1, 0);
    /* October adds 丁: codes 4, in operation 3, bad 2 (丙, and 丁 sharing
     * with 戊) */
    assert_float_equal(value(f, "511802", "2019-10", "uscc_codes"), 4, 0);
    assert_float_equal(value(f, "511802", "2019-10", "enterprises"), 3, 0);
    assert_float_equal(value(f, "511802", "2019-10", "uscc_codes_bad"), 2, 0);
    /* 名山区: 戊 (在业) and 己 (吊销). 戊's code is shared only from
     * 10-08, when 丁 registers under it: bad 0 in September, 1 in
     * October */
    assert_float_equal(value(f, "511803", "2019-09", "uscc_codes"), 2, 0);
    assert_float_equal(value(f, "511803", "2019-09", "enterprises"), 1, 0);
    assert_float_equal(value(f, "511803", "2019-09", "uscc_codes_bad"), 0, 0);
    assert_float_equal(value(f, "511803", "2019-10", "uscc_codes_bad"), 1, 0);
}

static void publicity_elements(void **state)
{
    fx *f = *state;
    run_shipped(f, "2019-09", "2019-10");
    assert_float_equal(value(f, "511802", "2019-09", "publicity_total"), 4, 0);
    assert_float_equal(value(f, "511802", "2019-09", "publicity_on_time"), 2, 0);
    assert_float_equal(value(f, "511802", "2019-09", "publicity_late"), 2, 0);
    assert_float_equal(value(f, "511802", "2019-09", "publicity_errors"), 0, 0);
    assert_float_equal(value(f, "511803", "2019-09", "publicity_total"), 1, 0);
    assert_float_equal(value(f, "511803", "2019-09", "publicity_errors"), 1, 0);
    assert_float_equal(value(f, "511803", "2019-09", "publicity_on_time"), 0, 0);
    assert_float_equal(value(f, "511802", "2019-10", "publicity_on_time"), 1, 0);
    /* 双公示数据量, records decided by the month's end: 雨城区 P1-P4 in
     * September, P6 too in October; 名山区 P5 */
    assert_float_equal(value(f, "511802", "2019-09", "double_publicity"), 4, 0);
    assert_float_equal(value(f, "511802", "2019-10", "double_publicity"), 5, 0);
    assert_float_equal(value(f, "511803", "2019-10", "double_publicity"), 1, 0);
    /* per source unit, per city: 市税务局 September: P1 on time, P2 late,
     * P5 data error (no 数据量: the region's alone) */
    char buf[256];
    assert_string_equal(th_text(f->s,
                                "SELECT group_concat(element || '=' || value, ' ') FROM "
                                "(SELECT * FROM unit_values WHERE unit = '市税务局' AND "
                                "region = '511800' AND period = '2019-09' ORDER BY element)",
                                buf, sizeof buf),
                        "publicity_errors=1.0 publicity_late=1.0 "
                        "publicity_on_time=1.0 publicity_total=3.0");
    /* a unit whose only record of the month is unpublished: 0 of 1 on
     * time, 1 late, no data error (not 不可计算: none of its counts is
     * unknown) */
    th_exec(f->s, "INSERT INTO publicity VALUES ('P7','处罚','市公安局',"
                  "'511802','a','','2019-09-05',NULL)");
    run_shipped(f, "2019-09", "2019-09");
    assert_string_equal(th_text(f->s,
                                "SELECT group_concat(element || '=' || "
                                "coalesce(value, 'NULL'), ' ') FROM "
                                "(SELECT * FROM unit_values WHERE unit = '市公安局' AND "
                                "region = '511800' AND period = '2019-09' ORDER BY element)",
                                buf, sizeof buf),
                        "publicity_errors=0.0 publicity_late=1.0 "
                        "publicity_on_time=0.0 publicity_total=1.0");
    assert_float_equal(value(f, "511802", "2019-09", "publicity_late"), 3, 0);

    /* November and December, with no record of their own: continued from
     * October (:incremental), 雨城区 has P1-P4, P6 and P7; then a record
     * decided in December adds one there */
    run_shipped(f, "2019-10", "2019-10");
    run_shipped(f, "2019-11", "2019-11");
    assert_float_equal(value(f, "511802", "2019-11", "double_publicity"), 6, 0);
    assert_float_equal(value(f, "511802", "2019-11", "publicity_total"), 0, 0);
    assert_float_equal(value(f, "511803", "2019-11", "double_publicity"), 1, 0);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM derive_state WHERE"
                                  " derivation = 'publicity' AND period ="
                                  " '2019-11'"), 1);
    /* the kept November total is what December continues from: made 100
     * here, December reads 101, which a recount could not give */
    th_exec(f->s, "INSERT INTO publicity VALUES ('P8','许可','市法院',"
                  "'511802','a','','2019-12-02','2019-12-03');"
                  "UPDATE derived SET value = 100 WHERE derivation = 'publicity'"
                  " AND period = '2019-11' AND region = '511802'"
                  " AND element = 'double_publicity'");
    run_shipped(f, "2019-12", "2019-12");
    assert_float_equal(value(f, "511802", "2019-12", "double_publicity"), 101, 0);
    /* the same from scratch: the records before December counted in
     * the scan */
    th_exec(f->s, "DELETE FROM derive_state; DELETE FROM derived");
    run_shipped(f, "2019-12", "2019-12");
    assert_float_equal(value(f, "511802", "2019-12", "double_publicity"), 7, 0);
    assert_float_equal(value(f, "511802", "2019-12", "publicity_on_time"), 1, 0);
    assert_float_equal(value(f, "511803", "2019-12", "double_publicity"), 1, 0);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM unit_values WHERE"
                                  " element = 'double_publicity'"), 0);
}

static void blacklist_elements(void **state)
{
    fx *f = *state;
    run_shipped(f, "2019-09", "2019-10");
    assert_float_equal(value(f, "511802", "2019-09", "blacklist"), 1, 0);
    assert_float_equal(value(f, "511802", "2019-09", "blacklist_subjects"), 2, 0);
    assert_float_equal(value(f, "511802", "2019-09", "blacklist_trained"), 1, 0);
    assert_float_equal(value(f, "511802", "2019-09", "blacklist_committed"), 1, 0);
    assert_float_equal(value(f, "511802", "2019-09", "blacklist_exits"), 2, 0);
    assert_float_equal(value(f, "511802", "2019-09", "blacklist_exits_repaired"), 1, 0);
    assert_float_equal(value(f, "511802", "2019-09", "blacklist_exits_trained"), 1, 0);
    /* October: 丁 listed -> 2 enterprises on the list; no exits */
    assert_float_equal(value(f, "511802", "2019-10", "blacklist"), 2, 0);
    assert_float_equal(value(f, "511802", "2019-10", "blacklist_exits"), 0, 0);
    /* 名山区 has no entries but is in a covered city: zeros, so the
     * city's sum is complete */
    assert_float_equal(value(f, "511803", "2019-09", "blacklist"), 0, 0);
}

static void commitment_elements(void **state)
{
    fx *f = *state;
    run_shipped(f, "2019-09", "2019-10");
    assert_float_equal(value(f, "511802", "2019-09", "commitments"), 2, 0);
    assert_float_equal(value(f, "511802", "2019-09", "commitments_approval"), 2, 0);
    assert_float_equal(value(f, "511802", "2019-09", "commitments_repair"), 0, 0);
    assert_float_equal(value(f, "511802", "2019-09", "commitments_industry"), 0, 0);
    assert_float_equal(value(f, "511802", "2019-09", "commitments_voluntary"), 1, 0);
    assert_float_equal(value(f, "511803", "2019-09", "commitments"), 1, 0);
    assert_float_equal(value(f, "511803", "2019-09", "commitments_repair"), 1, 0);
    assert_float_equal(value(f, "511802", "2019-10", "commitments"), 2, 0);
    assert_float_equal(value(f, "511802", "2019-10", "commitments_industry"), 1, 0);
    /* August: 乙 has committed but is not registered yet */
    run_shipped(f, "2019-08", "2019-08");
    assert_float_equal(value(f, "511802", "2019-08", "commitments"), 1, 0);
    assert_float_equal(value(f, "511802", "2019-08", "commitments_approval"), 1, 0);
}

/* Every element value of a period, "region element=value ..." in key
 * order; caller frees. */
static char *period_values(fx *f, const char *period)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(cm_store_db(f->s),
                                        "SELECT group_concat(region || ' ' || element || '=' || value, ' ') "
                                        "FROM (SELECT * FROM element_values WHERE period = ?1 "
                                        "ORDER BY region, element)", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char *v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

/* values (period_values) without the 双公示 elements */
static char *without_publicity(const char *values)
{
    char *out = calloc(1, strlen(values) + 1);
    assert_non_null(out);
    const char *p = values;
    while (*p) {
        const char *sp = strchr(p, ' ');  /* "region element=value" */
        const char *end = sp ? strchr(sp + 1, ' ') : NULL;
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (!strstr(p, "publicity") || (size_t)(strstr(p, "publicity") - p) >= n) {
            if (*out)
                strcat(out, " ");
            strncat(out, p, n);
        }
        p += n;
        if (*p == ' ')
            p++;
    }
    return out;
}

/* A month derived on top of the month before gives what a run over the
 * whole history gives; a change logged for a month up to the one before
 * sends the next run back to the whole history, one logged later does
 * not. */
static void incremental_equals_full(void **state)
{
    fx *f = *state;
    assert_int_equal(run_shipped(f, "2019-09", "2019-10"), 0);
    char *full = period_values(f, "2019-10");
    assert_int_equal(run_shipped(f, "2019-09", "2019-09"), 0);
    /* register, 双公示 and commitments continue from September */
    assert_int_equal(run_shipped(f, "2019-10", "2019-10"), 3);
    char *inc = period_values(f, "2019-10");
    assert_string_equal(full, inc);
    free(inc);
    free(full);

    /* a new entity registered in October: logged for October, after the
     * month continued from; it counts in the October figures */
    th_exec(f->s,
            "INSERT INTO entities VALUES ('91512081MA62K0260E','庚公司',"
            "'511802','2019-10-20','存续');"
            "INSERT INTO micro_changes VALUES ('entities','2019-10',1);");
    assert_int_equal(run_shipped(f, "2019-10", "2019-10"), 3);
    /* 庚 shares 己's code (己 registered 2011): both count as bad from
     * October, 庚 in 雨城区 and 己 in 名山区 */
    assert_float_equal(value(f, "511802", "2019-10", "uscc_codes"), 5, 0);
    assert_float_equal(value(f, "511802", "2019-10", "uscc_codes_bad"), 3, 0);
    assert_float_equal(value(f, "511803", "2019-10", "uscc_codes_bad"), 2, 0);
    full = period_values(f, "2019-10");

    /* an entity registered in September, logged: October cannot continue
     * from September's totals any more */
    th_exec(f->s,
            "INSERT INTO entities VALUES ('91110000600037341L','辛公司',"
            "'511803','2019-09-25','存续');"
            "INSERT INTO micro_changes VALUES ('entities','2019-09',2);");
    /* only 双公示 reads no register */
    assert_int_equal(run_shipped(f, "2019-10", "2019-10"), 1);
    assert_float_equal(value(f, "511803", "2019-10", "uscc_codes"), 3, 0);
    /* 辛 shares 乙's code from 09-25 */
    assert_float_equal(value(f, "511803", "2019-10", "uscc_codes_bad"), 3, 0);
    inc = period_values(f, "2019-10");
    assert_string_not_equal(full, inc);
    free(inc);
    free(full);
    /* September again, then October continues from it and agrees with a
     * run over the whole history */
    assert_int_equal(run_shipped(f, "2019-09", "2019-09"), 0);
    assert_int_equal(run_shipped(f, "2019-10", "2019-10"), 3);
    inc = period_values(f, "2019-10");
    th_exec(f->s, "DELETE FROM derive_state");
    assert_int_equal(run_shipped(f, "2019-10", "2019-10"), 0);
    full = period_values(f, "2019-10");
    assert_string_equal(full, inc);
    free(inc);
    free(full);
}

/* Derived values never overwrite imported ones; a re-run replaces its own. */
static void imports_win_and_reruns_replace(void **state)
{
    fx *f = *state;
    th_exec(f->s, "INSERT INTO periods VALUES ('2019-09','month');"
               "INSERT INTO element_values(region, period, element, value) "
               "VALUES ('511802','2019-09','enterprises',50000)");
    run_shipped(f, "2019-09", "2019-09");
    run_shipped(f, "2019-09", "2019-09");
    assert_float_equal(value(f, "511802", "2019-09", "enterprises"), 50000, 0);
    assert_float_equal(value(f, "511802", "2019-09", "uscc_codes"), 3, 0);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM element_values WHERE"
                                  " element = 'uscc_codes'"),
                     2);   /* two counties, once */
}

/* Writes ini as the only file of a definitions folder and loads it. */
static cm_error load_text(fx *f, const char *ini, cm_derive_set **set,
                          cm_diag *d)
{
    char dir[128], path[200];
    snprintf(dir, sizeof dir, "%s/defs", f->dir);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/x.ini", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(ini, fp);
    fclose(fp);
    *set = NULL;
    cm_diag_clear(d);
    return cm_derive_load(dir, set, d);
}

static cm_error run_text(fx *f, const char *ini, const char *from,
                         const char *to, cm_diag *d)
{
    cm_derive_set *set = NULL;
    cm_error rc = load_text(f, ini, &set, d);
    if (rc == CM_OK)
        rc = cm_derive_run(f->s, set, from, to, NULL, NULL, d);
    cm_derive_free(set);
    return rc;
}

static void errors_are_located(void **state)
{
    fx *f = *state;
    static const struct {
        const char *ini;
        cm_error code;
        long line;
        const char *field, *msg;
    } cases[] = {
        {"[derive a]\nname = a\nsql = DELETE FROM publicity\n", CM_ERR_DEFINITION,
         3, "sql", "SELECT or WITH"},
        {"[derive a]\nname = a\nsql = SELECT 1; SELECT 2\n", CM_ERR_DEFINITION, 3,
         "sql", "single statement"},
        {"[derive a]\nname = a\nsql = SELECT region, period, value FROM nowhere\n",
         CM_ERR_DEFINITION, 3, "sql", "no such table"},
        {"[derive a]\nname = a\nsql = SELECT '511802' AS region, '2019-09' AS month, 1 AS x\n",
         CM_ERR_DEFINITION, 3, "sql", "must be named 'period'"},
        {"[derive a]\nname = a\nsql = SELECT '511802' AS region, '2018-01' AS period, 1 AS x\n",
         CM_ERR_DEFINITION, 3, "sql", "outside 2019-09..2019-09"},
        {"[derive a]\nname = a\nsql = SELECT '599999' AS region, '2019-09' AS period, 1 AS x\n",
         CM_ERR_DEFINITION, 3, "sql", "cannot store x"},
        {"[derive a]\nsql = SELECT 1\n", CM_ERR_DEFINITION, 1, "name", "no name"},
        {"[derive a]\nname = a\nsql = SELECT 1\ncolour = red\n", CM_ERR_NAME, 4,
         "colour", "unknown key"},
        {"[derive a]\nname = a\nby = county\nsql = SELECT 1\n", CM_ERR_DEFINITION, 3,
         "by", "'region', 'unit' or 'region, unit'"},
        /* a NULL unit is only a region's own value with by = region, unit */
        {"[derive a]\nname = a\nby = unit\nsql = SELECT NULL AS unit, '511802' AS region, '2019-09' AS period, 1 AS x\n",
         CM_ERR_DEFINITION, 4, "sql", "a row has no unit"},
        {"[derive a]\nname = a\nsql = SELECT 1\n[derive a]\nname = b\nsql = SELECT 2\n",
         CM_ERR_DUPLICATE, 4, "", "duplicate derivation"},
        {"[element a]\nname = a\n", CM_ERR_NAME, 1, "", "unknown section"},
        {"[derive a]\nname = a\ntables = entities, ranks\nsql = SELECT 1\n",
         CM_ERR_NAME, 3, "tables", "'ranks' is not a microdata table"},
        {"[derive a]\nname = a\nby = unit\ntables = publicity\nsql = SELECT 1\n",
         CM_ERR_DEFINITION, 1, "tables", "the regions' own rows"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cm_diag d;
        cm_error rc = run_text(f, cases[i].ini, "2019-09", "2019-09", &d);
        if (rc != cases[i].code || d.line != cases[i].line ||
            strcmp(d.field, cases[i].field) != 0 || !strstr(d.msg, cases[i].msg))
            fail_msg("case %zu: code %d line %ld field '%s' msg '%s'", i, rc,
                     d.line, d.field, d.msg);
    }
    /* a range the calendar does not cover */
    cm_diag d;
    assert_int_equal(run_text(f, "[derive a]\nname = a\nsql = SELECT "
                                 "'511802' AS region, '2020-01' AS period, 1 AS x\n",
                              "2020-01", "2020-01", &d), CM_ERR_DATA);
    assert_non_null(strstr(d.msg, "2020"));
    /* bad months */
    assert_int_equal(run_text(f, "[derive a]\nname = a\nsql = SELECT 1\n",
                              "2019-9", "2019-10", &d), CM_ERR_USAGE);
    assert_int_equal(run_text(f, "[derive a]\nname = a\nsql = SELECT 1\n",
                              "2019-10", "2019-09", &d), CM_ERR_USAGE);
}

/* The statements run on several connections at once (one per core);
 * what the run reports and writes must not depend on which finishes
 * first. */
static void statements_in_parallel(void **state)
{
    fx *f = *state;
    static const char bad[] =
        "[derive a]\nname = a\nsql = SELECT '511802' AS region, '2019-09' AS period, 1 AS x_a\n"
        "[derive b]\nname = b\nsql = SELECT region, period, value FROM nowhere\n"
        "[derive c]\nname = c\nsql = SELECT '511802' AS region, '2019-09' AS period, 1 AS x_c\n"
        "[derive d]\nname = d\nsql = SELECT '511802' AS region, '2018-01' AS period, 1 AS x_d\n";
    for (int i = 0; i < 20; i++) {
        cm_diag d;
        assert_int_equal(run_text(f, bad, "2019-09", "2019-09", &d),
                         CM_ERR_DEFINITION);
        /* b's error, the first in file order, whatever ran first */
        assert_int_equal(d.line, 6);
        assert_non_null(strstr(d.msg, "no such table"));
    }
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM element_values WHERE"
                                  " element LIKE 'x\\_%' ESCAPE '\\'"),
                     0);    /* a wrote nothing */

    /* per-derivation figures, in file order */
    static const char good[] =
        "[derive a]\nname = a\nsql = SELECT '511802' AS region, '2019-09' AS period, 1 AS x_a\n"
        "[derive b]\nname = b\nsql = SELECT '511802' AS region, '2019-09' AS period, 1 AS x_b, 2 AS x_bb\n"
        "[derive c]\nname = c\nsql = SELECT region, '2019-09' AS period, 3 AS x_c FROM (SELECT '511802' AS region UNION ALL SELECT '511803')\n";
    cm_derive_set *set = NULL;
    cm_diag d;
    assert_int_equal(load_text(f, good, &set, &d), CM_OK);
    cm_derive_stats stats;
    cm_derive_item_stats each[3];
    assert_int_equal(cm_derive_run(f->s, set, "2019-09", "2019-09", &stats,
                                   each, &d), CM_OK);
    cm_derive_free(set);
    assert_int_equal(stats.rows, 5);
    assert_int_equal(each[0].rows, 1);
    assert_int_equal(each[1].rows, 2);
    assert_int_equal(each[2].rows, 2);
    for (int i = 0; i < 3; i++) {
        assert_true(each[i].ms >= 0);
        assert_int_equal(each[i].incremental, 0);
    }
    assert_true(value(f, "511803", "2019-09", "x_c") == 3);
    assert_true(value(f, "511802", "2019-09", "x_bb") == 2);
}

/* A range longer than CM_DERIVE_WINDOW months goes window by window,
 * each with its own :from, :to and :months and its own transaction, and
 * gives what a run per month gives; a failing window keeps the ones
 * before it. */
static void long_range_in_windows(void **state)
{
    fx *f = *state;
    /* 2019-01..2021-03: 27 months, a window of 24 and one of 3 */
    assert_true(27 > CM_DERIVE_WINDOW && 27 <= 2 * CM_DERIVE_WINDOW);
    th_exec(f->s, "INSERT INTO calendar_years VALUES (2020,'x'), (2021,'x'),"
                  " (2022,'x'), (2023,'x'), (2024,'x');");
    /* a window's parameters, and whether it continued (tables listed:
     * the second window continues from the first's last month) */
    static const char params[] =
        "[derive w]\nname = w\ntables = entities\nsql = SELECT '511802' AS"
        " region, :to AS period, :months AS w_months,"
        " :start = :from || '-01' AND :end = CASE :to"
        "  WHEN '2020-12' THEN '2020-12-31' WHEN '2021-03' THEN '2021-03-31'"
        "  WHEN '2024-02' THEN '2024-02-29' WHEN '2024-05' THEN '2024-05-31'"
        "  END AS w_bounds,"
        " (:to = '2020-12' AND :prev = '2018-12') OR"
        " (:to = '2021-03' AND :prev = '2020-12') OR"
        " (:to = '2024-02' AND :prev = '2022-02') OR"
        " (:to = '2024-05' AND :prev = '2024-02') AS w_prev,"
        " :incremental AS w_inc\n";
    cm_diag d;
    assert_int_equal(run_text(f, params, "2019-01", "2021-03", &d), CM_OK);
    assert_float_equal(value(f, "511802", "2020-12", "w_months"), 24, 0);
    assert_float_equal(value(f, "511802", "2021-03", "w_months"), 3, 0);
    assert_float_equal(value(f, "511802", "2020-12", "w_bounds"), 1, 0);
    assert_float_equal(value(f, "511802", "2021-03", "w_bounds"), 1, 0);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM element_values"
                                  " WHERE element = 'w_months'"), 2);
    /* :prev is the month before each window */
    assert_float_equal(value(f, "511802", "2020-12", "w_prev"), 1, 0);
    assert_float_equal(value(f, "511802", "2021-03", "w_prev"), 1, 0);
    assert_float_equal(value(f, "511802", "2020-12", "w_inc"), 0, 0);
    assert_float_equal(value(f, "511802", "2021-03", "w_inc"), 1, 0);
    /* a window that ends in a leap February: 2022-03..2024-02, 2024-03..05 */
    assert_int_equal(run_text(f, params, "2022-03", "2024-05", &d), CM_OK);
    assert_float_equal(value(f, "511802", "2024-02", "w_months"), 24, 0);
    assert_float_equal(value(f, "511802", "2024-05", "w_months"), 3, 0);
    assert_float_equal(value(f, "511802", "2024-02", "w_bounds"), 1, 0);
    assert_float_equal(value(f, "511802", "2024-05", "w_bounds"), 1, 0);
    assert_float_equal(value(f, "511802", "2024-02", "w_prev"), 1, 0);
    assert_float_equal(value(f, "511802", "2024-05", "w_prev"), 1, 0);
    th_exec(f->s, "DELETE FROM element_values WHERE element LIKE 'w\\_%'"
                  " ESCAPE '\\'");

    /* the shipped derivations over the whole range, then month by month
     * from scratch: the same values for every month. Records in the
     * second window too, so that its running totals must continue from
     * the first window's right: an entity registered in 2021-02 (雨城区,
     * sharing 甲's code) and a 行业自律型 commitment of 甲 that month. */
    th_exec(f->s,
            "INSERT INTO entities VALUES ('91350100M000100Y43','壬公司',"
            "'511802','2021-02-10','存续');"
            "INSERT INTO commitments VALUES"
            " ('91350100M000100Y43','行业自律型','2021-02-11',1);");
    char *whole[27], *month[27];
    assert_int_equal(run_shipped(f, "2019-01", "2021-03"), 0);
    for (int i = 0; i < 27; i++) {
        char m[8];
        snprintf(m, sizeof m, "%04d-%02d", 2019 + i / 12, i % 12 + 1);
        whole[i] = period_values(f, m);
    }
    assert_non_null(strstr(whole[8], "511802 publicity_late=2.0"));
    /* 2021-01 as at the end of 2019; from 2021-02 壬 adds a code, and it
     * and 甲 share theirs: two more bad; 甲's first 行业自律型 */
    assert_non_null(strstr(whole[24], "511802 uscc_codes=4.0"));
    assert_non_null(strstr(whole[24], "511802 uscc_codes_bad=2.0"));
    assert_non_null(strstr(whole[25], "511802 uscc_codes=5.0"));
    assert_non_null(strstr(whole[25], "511802 uscc_codes_bad=4.0"));
    assert_non_null(strstr(whole[25], "511802 commitments_industry=2.0"));
    th_exec(f->s, "DELETE FROM element_values WHERE source = 'derive';"
                  "DELETE FROM derived; DELETE FROM derive_state;");
    for (int i = 0; i < 27; i++) {
        char m[8];
        snprintf(m, sizeof m, "%04d-%02d", 2019 + i / 12, i % 12 + 1);
        th_exec(f->s, "DELETE FROM derive_state");
        assert_int_equal(run_shipped(f, m, m), 0);
        month[i] = period_values(f, m);
        /* a run over months some of which have commitments (from
         * 2019-03-01) or 双公示 records (from 2019-09-11) gives the others
         * 0 of them, a run of one month before the first gives none
         * (10-microdata.ini, "Regions"): from March to August, the same
         * but for 双公示 */
        if (i >= 8) {
            assert_string_equal(whole[i], month[i]);
        } else if (i >= 2) {
            char *w = without_publicity(whole[i]);
            assert_string_equal(w, month[i]);
            free(w);
        }
        free(whole[i]);
        free(month[i]);
    }

    /* a failure in the second window (3 months: malformed JSON), the
     * first stays, and says so */
    cm_derive_set *set = NULL;
    assert_int_equal(load_text(f,
                               "[derive w]\nname = w\nsql = SELECT '511802' AS"
                               " region, :to AS period, 1 AS w_x WHERE CASE"
                               " WHEN :months > 3 THEN 1 ELSE"
                               " json('not json') IS NULL END\n",
                               &set, &d), CM_OK);
    cm_derive_stats st;
    assert_int_equal(cm_derive_run(f->s, set, "2019-01", "2021-03", &st, NULL,
                                   &d), CM_ERR_DEFINITION);
    cm_derive_free(set);
    assert_string_equal(st.done, "2020-12");
    assert_float_equal(value(f, "511802", "2020-12", "w_x"), 1, 0);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM element_values"
                                  " WHERE element = 'w_x'"), 1);
    /* a period outside the window is named with the window and the run */
    assert_int_equal(run_text(f,
                              "[derive w]\nname = w\nsql = SELECT '511802' AS"
                              " region, '2019-05' AS period, 1 AS w_y\n",
                              "2019-01", "2021-03", &d), CM_ERR_DEFINITION);
    assert_non_null(strstr(d.msg, "outside 2021-01..2021-03 (a window of the"
                                  " run 2019-01..2021-03; filter on"));
}

/* by = region, unit: one statement gives a region's own values (NULL
 * unit, element_values) and its units' values (unit_values); a rerun
 * replaces both, and a by = unit derivation leaves region values alone. */
static void region_and_unit_rows(void **state)
{
    fx *f = *state;
    cm_diag d;
    static const char both[] =
        "[derive a]\nname = a\nby = region, unit\nsql =\n"
        "    SELECT NULL AS unit, '511802' AS region, '2019-09' AS period, 5 AS x_n\n"
        "    UNION ALL SELECT '市税务局', '511800', '2019-09', 3\n"
        "    UNION ALL SELECT '市法院', '511800', '2019-09', 2\n";
    assert_int_equal(run_text(f, both, "2019-09", "2019-09", &d), CM_OK);
    assert_float_equal(value(f, "511802", "2019-09", "x_n"), 5, 0);
    const char *units_sql =
        "SELECT group_concat(unit || ':' || region || '=' || value, ' ') FROM "
        "(SELECT * FROM unit_values WHERE element = 'x_n' ORDER BY unit)";
    char buf[256];
    assert_string_equal(th_text(f->s, units_sql, buf, sizeof buf),
                        "市法院:511800=2.0 市税务局:511800=3.0");
    /* a rerun without 市法院 and without the region row replaces both */
    static const char fewer[] =
        "[derive a]\nname = a\nby = unit, region\nsql =\n"
        "    SELECT '市税务局' AS unit, '511800' AS region, '2019-09' AS period, 4 AS x_n\n";
    assert_int_equal(run_text(f, fewer, "2019-09", "2019-09", &d), CM_OK);
    assert_string_equal(th_text(f->s, units_sql, buf, sizeof buf),
                        "市税务局:511800=4.0");
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM element_values"
                                  " WHERE element = 'x_n'"), 0);
    /* by = unit only: the region values of the same element stay */
    assert_int_equal(run_text(f, both, "2019-09", "2019-09", &d), CM_OK);
    assert_int_equal(run_text(f, "[derive a]\nname = a\nby = unit\nsql = SELECT"
                                 " '市法院' AS unit, '511800' AS region,"
                                 " '2019-09' AS period, 7 AS x_n\n",
                              "2019-09", "2019-09", &d), CM_OK);
    assert_float_equal(value(f, "511802", "2019-09", "x_n"), 5, 0);
}

int main(void)
{
    cm_store_process_init(); /* as credmon runs: helpers on their own threads */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(register_elements, setup, teardown),
        cmocka_unit_test_setup_teardown(publicity_elements, setup, teardown),
        cmocka_unit_test_setup_teardown(blacklist_elements, setup, teardown),
        cmocka_unit_test_setup_teardown(commitment_elements, setup, teardown),
        cmocka_unit_test_setup_teardown(incremental_equals_full, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(imports_win_and_reruns_replace, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(errors_are_located, setup, teardown),
        cmocka_unit_test_setup_teardown(statements_in_parallel, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(region_and_unit_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(long_range_in_windows, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
