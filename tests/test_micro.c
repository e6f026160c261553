/*
 * test_micro.c - microdata import: hand-made files of each kind import with
 * the right rows and values; re-imports and overlapping monthly files upsert
 * instead of doubling; an amended calendar replaces its year; a table of bad
 * files each fail with the expected code, line and column and leave every
 * microdata table exactly as it was (compared through a dump).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "storetest.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "micro.h"

typedef struct fixture {
    char dir[64];
    cm_store *s;
} fixture;

/* ---- good files ---- */

static const char entities_csv[] =
    "code,name,region,registered,status\n"
    "91512081MA62K0260E,雅安市雨城区某某商贸有限公司,511802,2018-03-05,存续\n"
    "91350100M000100Y43,名山区茶叶合作社,511803,2017-11-20,吊销\n"
    /* the same code under a second name: a duplicate code, kept (重错码率) */
    "91350100M000100Y43,名山区茶叶专业合作社,511803,2017-11-20,在业\n"
    "91110000600037341L, 雅安市某某建设有限公司 ,511800,1999-12-31,迁出\n";

/* columns in another order, CRLF, an empty published date (not yet online),
 * an empty subject code (a natural person), a quoted field with a comma */
static const char publicity_06_csv[] =
    "published,decided,subject_code,subject_name,region,source_unit,kind,id\r\n"
    "2019-06-05,2019-06-03,91512081MA62K0260E,雅安市雨城区某某商贸有限公司,"
    "511802,雅安市市场监督管理局,许可,XK-2019-0001\r\n"
    "2019-06-20,2019-06-10,,张某某,511803,雅安市生态环境局,处罚,"
    "CF-2019-0001\r\n"
    ",2019-06-28,91350100M000100Y43,\"名山区茶叶合作社,二分社\",511803,"
    "雅安市市场监督管理局,许可,XK-2019-0002\r\n";

/* overlaps the June file: XK-2019-0001 again unchanged, XK-2019-0002 now
 * published, one new record */
static const char publicity_07_csv[] =
    "id,kind,source_unit,region,subject_name,subject_code,decided,published\n"
    "XK-2019-0001,许可,雅安市市场监督管理局,511802,雅安市雨城区某某商贸有限公司,"
    "91512081MA62K0260E,2019-06-03,2019-06-05\n"
    "XK-2019-0002,许可,雅安市市场监督管理局,511803,\"名山区茶叶合作社,二分社\","
    "91350100M000100Y43,2019-06-28,2019-07-03\n"
    "XK-2019-0003,许可,雅安市交通运输局,511800,雅安市某某建设有限公司,"
    "91110000600037341L,2019-07-10,2019-07-12\n";

/* a masked citizen ID, a removed entry with repair, empty yes/no (= 否) */
static const char blacklist_csv[] =
    "subject,name,region,list,listing_unit,listed,removed,removal_reason,"
    "repair_training,repair_commitment\n"
    "511802198001010021,王某某,511802,失信被执行人,雅安市中级人民法院,"
    "2018-05-10,,,,\n"
    "511803********0012,李某,511803,失信被执行人,名山区人民法院,2017-01-03,"
    "2018-01-03,履行完毕,是,Y\n"
    "91350100M000100Y43,名山区茶叶合作社,511803,重大税收违法失信主体,"
    "国家税务总局雅安市税务局,2018-07-01,2018-07-01,信用修复,1,否\n";

static const char commitments_csv[] =
    "subject,kind,date,published\n"
    "91512081MA62K0260E,审批替代型,2019-03-01,是\n"
    "91512081MA62K0260E,信用修复型,2019-03-01,0\n"
    "91350100M000100Y43,行业自律型,2019-04-02,N\n"
    "91110000600037341L,主动型,2019-05-06,y\n";

/* 2019 per 国办发明电〔2018〕15号, with the 劳动节 change of
 * 国办发明电〔2019〕3号 (05-02, 05-03 off; 04-28, 05-05 worked) */
static const char calendar_2019_csv[] =
    "date,kind,notice\n"
    "2019-01-01,holiday,国办发明电〔2018〕15号\n"
    "2019-02-02,workday,国办发明电〔2018〕15号\n"
    "2019-02-03,workday,国办发明电〔2018〕15号\n"
    "2019-02-04,holiday,国办发明电〔2018〕15号\n"
    "2019-02-05,holiday,国办发明电〔2018〕15号\n"
    "2019-02-06,holiday,国办发明电〔2018〕15号\n"
    "2019-02-07,holiday,国办发明电〔2018〕15号\n"
    "2019-02-08,holiday,国办发明电〔2018〕15号\n"
    "2019-04-05,holiday,国办发明电〔2018〕15号\n"
    "2019-04-28,workday,国办发明电〔2019〕3号\n"
    "2019-05-01,holiday,国办发明电〔2018〕15号\n"
    "2019-05-02,holiday,国办发明电〔2019〕3号\n"
    "2019-05-03,holiday,国办发明电〔2019〕3号\n"
    "2019-05-05,workday,国办发明电〔2019〕3号\n"
    "2019-06-07,holiday,国办发明电〔2018〕15号\n"
    "2019-09-13,holiday,国办发明电〔2018〕15号\n"
    "2019-09-29,workday,国办发明电〔2018〕15号\n"
    "2019-10-01,holiday,国办发明电〔2018〕15号\n"
    "2019-10-02,holiday,国办发明电〔2018〕15号\n"
    "2019-10-03,holiday,国办发明电〔2018〕15号\n"
    "2019-10-04,holiday,国办发明电〔2018〕15号\n"
    "2019-10-07,holiday,国办发明电〔2018〕15号\n"
    "2019-10-12,workday,国办发明电〔2018〕15号\n";

/* 2020 Spring Festival as first announced (国办发明电〔2019〕16号) ... */
static const char calendar_2020_csv[] =
    "date,kind,notice\n"
    "2020-01-19,workday,国办发明电〔2019〕16号\n"
    "2020-01-24,holiday,国办发明电〔2019〕16号\n"
    "2020-01-27,holiday,国办发明电〔2019〕16号\n"
    "2020-01-28,holiday,国办发明电〔2019〕16号\n"
    "2020-01-29,holiday,国办发明电〔2019〕16号\n"
    "2020-01-30,holiday,国办发明电〔2019〕16号\n"
    "2020-02-01,workday,国办发明电〔2019〕16号\n";

/* ... and as extended to 02-02 (国办发明电〔2020〕1号): 01-31 off, 02-01 no
 * longer worked */
static const char calendar_2020_amended_csv[] =
    "date,kind,notice\n"
    "2020-01-19,workday,国办发明电〔2019〕16号\n"
    "2020-01-24,holiday,国办发明电〔2019〕16号\n"
    "2020-01-27,holiday,国办发明电〔2019〕16号\n"
    "2020-01-28,holiday,国办发明电〔2019〕16号\n"
    "2020-01-29,holiday,国办发明电〔2019〕16号\n"
    "2020-01-30,holiday,国办发明电〔2019〕16号\n"
    "2020-01-31,holiday,国办发明电〔2020〕1号\n";

/* entities in GBK, CRLF (as Chinese Excel saves "CSV (逗号分隔)"):
 * 91512081MA62K0260E,雅安市雨城区某某商贸有限公司,511802,2018-03-05,存续
 * 91350100M000100Y43,名山区茶叶合作社,511803,2017-11-20,吊销 */
static const char entities_gbk_csv[] =
    "code,name,region,registered,status\015\012"
    "91512081MA62K0260E,\321\305\260\262\312\320\323\352\263\307\307\370\304"
    "\263\304\263\311\314\303\263\323\320\317\336\271\253\313\276,511802,"
    "2018-03-05,\264\346\320\370\015\012"
    "91350100M000100Y43,\303\373\311\275\307\370\262\350\322\266\272\317\327"
    "\367\311\347,511803,2017-11-20,\265\365\317\372\015\012";

/* ---- fixture ---- */

static void write_file(const char *dir, const char *name, const char *data,
                       char *path, size_t n)
{
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t len = strlen(data);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void remove_tree(const char *dir)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(dh);
    rmdir(dir);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/cm_micro_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    char db[128];
    snprintf(db, sizeof db, "%s/store.db", f->dir);
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_store_new(db, &f->s, &d) != CM_OK ||
        sqlite3_exec(cm_store_db(f->s),
                     "INSERT INTO regions VALUES"
                     " ('510000', '四川省', 'province', NULL),"
                     " ('511800', '雅安市', 'city', '510000'),"
                     " ('511802', '雨城区', 'county', '511800'),"
                     " ('511803', '名山区', 'county', '511800')",
                     NULL, NULL, NULL) != SQLITE_OK) {
        cm_store_free(f->s);
        remove_tree(f->dir);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cm_store_free(f->s);
    remove_tree(f->dir);
    free(f);
    return 0;
}

/* Every row of every microdata table (and imports), in key order, as text;
 * caller frees. */
static char *dump(cm_store *s)
{
    static const char *const queries[] = {
        "SELECT * FROM entities ORDER BY code, name",
        "SELECT * FROM publicity ORDER BY id",
        "SELECT * FROM blacklist ORDER BY subject, list, listed",
        "SELECT * FROM commitments ORDER BY subject, kind, date",
        "SELECT * FROM calendar ORDER BY day",
        "SELECT * FROM calendar_years ORDER BY year",
        "SELECT * FROM imports ORDER BY sha256, kind",
    };
    return th_dump(cm_store_db(s), queries, sizeof queries / sizeof *queries);
}

/* Writes name into the fixture folder and imports it as its kind; returns
 * the code, rows in *rows (may be NULL), diagnostic in *d. */
static cm_error import_text(fixture *f, const char *name, const char *data,
                            long *rows, cm_diag *d)
{
    char p[256];
    write_file(f->dir, name, data, p, sizeof p);
    int k = cm_micro_kind_from_path(p);
    assert_true(k >= 0);
    cm_diag_clear(d);
    return cm_micro_import_file(f->s, (cm_micro_kind)k, p, rows, d);
}

static void import_ok(fixture *f, const char *name, const char *data,
                      long want_rows)
{
    cm_diag d;
    long rows = -1;
    cm_error e = import_text(f, name, data, &rows, &d);
    if (e) {
        char msg[1024];
        cm_diag_format(&d, msg, sizeof msg);
        print_error("%s\n", msg);
    }
    assert_int_equal(e, CM_OK);
    assert_int_equal(rows, want_rows);
}

static void import_all(fixture *f)
{
    import_ok(f, "calendar-2019.csv", calendar_2019_csv, 23);
    import_ok(f, "entities.csv", entities_csv, 4);
    import_ok(f, "publicity-2019-06.csv", publicity_06_csv, 3);
    import_ok(f, "blacklist.csv", blacklist_csv, 3);
    import_ok(f, "commitments-2019.csv", commitments_csv, 4);
}

/* ---- tests ---- */

static void test_kind_from_path(void **state)
{
    (void)state;
    assert_int_equal(cm_micro_kind_from_path("entities.csv"), CM_MI_ENTITIES);
    assert_int_equal(cm_micro_kind_from_path("/x/y/publicity-2019-06.csv"),
                     CM_MI_PUBLICITY);
    assert_int_equal(cm_micro_kind_from_path("blacklist.2019.CSV"),
                     CM_MI_BLACKLIST);
    assert_int_equal(cm_micro_kind_from_path("commitments-Q2.csv"),
                     CM_MI_COMMITMENTS);
    assert_int_equal(cm_micro_kind_from_path("calendar-2020.csv"),
                     CM_MI_CALENDAR);
    assert_int_equal(cm_micro_kind_from_path("publicity2019.csv"), -1);
    assert_int_equal(cm_micro_kind_from_path("publicity-2019.txt"), -1);
    assert_int_equal(cm_micro_kind_from_path("regions.csv"), -1);
    assert_int_equal(cm_micro_kind_from_path(".~lock.entities.csv#"), -1);
    assert_int_equal(cm_micro_kind_from_path("entities"), -1);
    assert_string_equal(cm_micro_kind_name(CM_MI_COMMITMENTS), "commitments");
    assert_string_equal(cm_micro_kind_name(CM_MI__COUNT), "");
}

static void test_good_files(void **state)
{
    fixture *f = *state;
    cm_store *s = f->s;
    char b[256];
    import_all(f);

    assert_int_equal(th_int(s, "SELECT count(*) FROM entities"), 4);
    assert_string_equal(th_text(s, "SELECT status FROM entities WHERE"
                                   " name = '名山区茶叶专业合作社'", b, sizeof b),
                        "在业");
    /* trimmed */
    assert_string_equal(th_text(s, "SELECT name FROM entities WHERE"
                                   " code = '91110000600037341L'", b, sizeof b),
                        "雅安市某某建设有限公司");
    assert_string_equal(th_text(s, "SELECT registered || region FROM entities"
                                   " WHERE code = '91110000600037341L'", b,
                             sizeof b),
                        "1999-12-31511800");

    assert_int_equal(th_int(s, "SELECT count(*) FROM publicity"), 3);
    assert_string_equal(th_text(s, "SELECT published FROM publicity WHERE"
                                   " id = 'XK-2019-0002'", b, sizeof b), "NULL");
    assert_string_equal(th_text(s, "SELECT subject_name FROM publicity WHERE"
                                   " id = 'XK-2019-0002'", b, sizeof b),
                        "名山区茶叶合作社,二分社");
    assert_string_equal(th_text(s, "SELECT subject_code || '|' || kind || '|' ||"
                                   " source_unit || decided || published"
                                   " FROM publicity WHERE id = 'CF-2019-0001'",
                             b, sizeof b),
                        "|处罚|雅安市生态环境局2019-06-102019-06-20");

    assert_int_equal(th_int(s, "SELECT count(*) FROM blacklist"), 3);
    assert_string_equal(th_text(s, "SELECT coalesce(removed, 'NULL') ||"
                                   " removal_reason || repair_training ||"
                                   " repair_commitment FROM blacklist"
                                   " WHERE subject = '511802198001010021'", b,
                             sizeof b), "NULL00");
    assert_string_equal(th_text(s, "SELECT removed || removal_reason ||"
                                   " repair_training || repair_commitment"
                                   " FROM blacklist"
                                   " WHERE subject = '511803********0012'", b,
                             sizeof b), "2018-01-03履行完毕11");
    assert_string_equal(th_text(s, "SELECT repair_training || repair_commitment"
                                   " FROM blacklist"
                                   " WHERE subject = '91350100M000100Y43'", b,
                             sizeof b), "10");

    assert_int_equal(th_int(s, "SELECT count(*) FROM commitments"), 4);
    assert_int_equal(th_int(s, "SELECT sum(published) FROM commitments"), 2);
    assert_int_equal(th_int(s, "SELECT published FROM commitments"
                               " WHERE kind = '主动型'"), 1);

    assert_int_equal(th_int(s, "SELECT count(*) FROM calendar"), 23);
    assert_int_equal(th_int(s, "SELECT count(*) FROM calendar"
                               " WHERE kind = 'workday'"), 6);
    assert_string_equal(th_text(s, "SELECT notice FROM calendar_years"
                                   " WHERE year = 2019", b, sizeof b),
                        "国办发明电〔2018〕15号、国办发明电〔2019〕3号");

    /* the import's connection settings are restored */
    assert_int_equal(th_int(s, "PRAGMA foreign_keys"), 1);
    assert_int_equal(th_int(s, "PRAGMA cache_size"), -2000);

    assert_int_equal(th_int(s, "SELECT count(*) FROM imports"), 5);
    assert_int_equal(th_int(s, "SELECT rows FROM imports"
                               " WHERE kind = 'calendar'"), 23);
    assert_int_equal(th_int(s, "SELECT size FROM imports"
                               " WHERE kind = 'entities'"),
                     (long long)strlen(entities_csv));
    assert_int_equal(th_int(s, "SELECT count(*) FROM imports WHERE"
                               " length(sha256) = 64 AND file LIKE"
                               " '%/publicity-2019-06.csv'"), 1);
}

static void test_reimport_and_overlap(void **state)
{
    fixture *f = *state;
    cm_store *s = f->s;
    char b[256];
    import_all(f);
    char *before = dump(s);
    import_all(f);
    char *after = dump(s);
    assert_string_equal(before, after);
    free(before);
    free(after);

    /* July overlaps June: nothing doubled, XK-2019-0002 now published */
    import_ok(f, "publicity-2019-07.csv", publicity_07_csv, 3);
    assert_int_equal(th_int(s, "SELECT count(*) FROM publicity"), 4);
    assert_string_equal(th_text(s, "SELECT published FROM publicity WHERE"
                                   " id = 'XK-2019-0002'", b, sizeof b),
                        "2019-07-03");
    assert_string_equal(th_text(s, "SELECT published FROM publicity WHERE"
                                   " id = 'XK-2019-0001'", b, sizeof b),
                        "2019-06-05");

    /* an overlapping register: one status changed, one entity new */
    import_ok(f, "entities-2019-07.csv",
              "code,name,region,registered,status\n"
              "91512081MA62K0260E,雅安市雨城区某某商贸有限公司,511802,"
              "2018-03-05,注销\n"
              "91350200776049653A,雅安市新设有限公司,511800,2019-07-01,开业\n"
              "91110000600037341L,雅安市某某建设有限公司,511800,1999-12-31,"
              "迁出\n", 3);
    assert_int_equal(th_int(s, "SELECT count(*) FROM entities"), 5);
    assert_string_equal(th_text(s, "SELECT status FROM entities WHERE"
                                   " code = '91512081MA62K0260E'", b, sizeof b),
                        "注销");
    assert_int_equal(th_int(s, "SELECT count(*) FROM imports"), 7);

    /* blacklist: the entry still listed is now removed */
    import_ok(f, "blacklist-2019.csv",
              "subject,name,region,list,listing_unit,listed,removed,"
              "removal_reason,repair_training,repair_commitment\n"
              "511802198001010021,王某某,511802,失信被执行人,"
              "雅安市中级人民法院,2018-05-10,2019-02-01,履行完毕,否,否\n", 1);
    assert_int_equal(th_int(s, "SELECT count(*) FROM blacklist"), 3);
    assert_string_equal(th_text(s, "SELECT removed FROM blacklist WHERE"
                                   " subject = '511802198001010021'", b,
                             sizeof b), "2019-02-01");
}

static void test_calendar_replace(void **state)
{
    fixture *f = *state;
    cm_store *s = f->s;
    char b[256];
    import_ok(f, "calendar-2019.csv", calendar_2019_csv, 23);
    import_ok(f, "calendar-2020.csv", calendar_2020_csv, 7);
    assert_string_equal(th_text(s, "SELECT notice FROM calendar_years"
                                   " WHERE year = 2020", b, sizeof b),
                        "国办发明电〔2019〕16号");
    assert_int_equal(th_int(s, "SELECT count(*) FROM calendar"
                               " WHERE day = '2020-02-01'"), 1);

    /* the amended file replaces 2020 and leaves 2019 alone */
    import_ok(f, "calendar-2020.csv", calendar_2020_amended_csv, 7);
    assert_int_equal(th_int(s, "SELECT count(*) FROM calendar"
                               " WHERE day = '2020-02-01'"), 0);
    assert_string_equal(th_text(s, "SELECT kind || notice FROM calendar"
                                   " WHERE day = '2020-01-31'", b, sizeof b),
                        "holiday国办发明电〔2020〕1号");
    assert_int_equal(th_int(s, "SELECT count(*) FROM calendar"
                               " WHERE day LIKE '2020-%'"), 7);
    assert_int_equal(th_int(s, "SELECT count(*) FROM calendar"
                               " WHERE day LIKE '2019-%'"), 23);
    assert_string_equal(th_text(s, "SELECT notice FROM calendar_years"
                                   " WHERE year = 2020", b, sizeof b),
                        "国办发明电〔2019〕16号、国办发明电〔2020〕1号");
    assert_int_equal(th_int(s, "SELECT count(*) FROM calendar_years"), 2);

    /* a file with two years (no period in its name) */
    import_ok(f, "calendar.csv",
              "date,kind,notice\n"
              "2018-12-29,workday,国办发明电〔2017〕12号\n"
              "2018-12-31,holiday,国办发明电〔2018〕15号\n"
              "2019-01-01,holiday,国办发明电〔2018〕15号\n", 3);
    assert_int_equal(th_int(s, "SELECT count(*) FROM calendar"
                               " WHERE day LIKE '2019-%'"), 1);
    assert_string_equal(th_text(s, "SELECT notice FROM calendar_years"
                                   " WHERE year = 2018", b, sizeof b),
                        "国办发明电〔2017〕12号、国办发明电〔2018〕15号");
}

static void test_period_in_file_name(void **state)
{
    fixture *f = *state;
    cm_store *s = f->s;
    cm_diag d;
    static const char july_row[] =
        "id,kind,source_unit,region,subject_name,subject_code,decided,"
        "published\n"
        "XK-1,许可,雅安市交通运输局,511800,某公司,,2019-06-30,2019-07-01\n";
    /* a June decision published on 07-01 belongs to the June file: the
     * period bounds the record's own date, not its later publication */
    import_ok(f, "publicity-2019-06.csv", july_row, 1);
    /* but a decision of 07-01 does not */
    static const char july_decision[] =
        "id,kind,source_unit,region,subject_name,subject_code,decided,"
        "published\n"
        "XK-2,许可,雅安市交通运输局,511800,某公司,,2019-07-01,2019-07-02\n";
    assert_int_equal(import_text(f, "publicity-2019-06.csv", july_decision,
                                 NULL, &d), CM_ERR_FIELD);
    assert_int_equal(d.line, 2);
    assert_string_equal(d.field, "decided");
    assert_non_null(strstr(d.msg, "2019-06-30"));
    /* the same rows are fine in July, in Q3, in 2019, or with no period */
    import_ok(f, "publicity-2019-07.csv", july_row, 1);
    import_ok(f, "publicity-2019-Q3.csv", july_row, 1);
    import_ok(f, "publicity-2019.csv", july_row, 1);
    import_ok(f, "publicity.csv", july_row, 1);
    import_ok(f, "publicity-yucheng.csv", july_row, 1);
    import_ok(f, "publicity-2019-Q2.csv", july_row, 1);
    assert_int_equal(import_text(f, "publicity-2018.csv", july_row, NULL,
                                 &d), CM_ERR_FIELD);
    assert_string_equal(d.field, "decided");
    /* a month that does not exist */
    assert_int_equal(import_text(f, "publicity-2019-13.csv", july_row, NULL,
                                 &d), CM_ERR_USAGE);
    assert_int_equal(import_text(f, "publicity-2019-Q5.csv", july_row, NULL,
                                 &d), CM_ERR_USAGE);
    /* a calendar may reach past today (published in advance), not past its
     * year */
    import_ok(f, "calendar-2199.csv",
              "date,kind,notice\n2199-01-01,holiday,某通知\n", 1);
    assert_int_equal(import_text(f, "calendar-2019.csv",
                                 "date,kind,notice\n"
                                 "2020-01-01,holiday,某通知\n", NULL, &d),
                     CM_ERR_FIELD);
    assert_int_equal(th_int(s, "SELECT count(*) FROM publicity"), 1);
}

static void test_gbk(void **state)
{
    fixture *f = *state;
    char b[256];
    import_ok(f, "entities.csv", entities_gbk_csv, 2);
    assert_string_equal(th_text(f->s, "SELECT name || status FROM entities"
                                      " WHERE code = '91512081MA62K0260E'", b,
                             sizeof b),
                        "雅安市雨城区某某商贸有限公司存续");
    assert_string_equal(th_text(f->s, "SELECT status FROM entities"
                                      " WHERE code = '91350100M000100Y43'", b,
                             sizeof b), "吊销");
}

static void test_published_empty(void **state)
{
    fixture *f = *state;
    import_ok(f, "publicity-2019-06.csv",
              "id,kind,source_unit,region,subject_name,subject_code,decided,"
              "published\n"
              "CF-9,处罚,雅安市税务局,511802,某公司,91350200776049653A,"
              "2019-06-03,\n"
              "CF-10,处罚,雅安市税务局,511802,某公司,91350200776049653A,"
              "2019-06-03,   \n", 2);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM publicity"
                                  " WHERE published IS NULL"), 2);
}

/* Imports folder sub, which must be refused with code (d says why):
 * nothing is counted as imported. */
static void import_dir_refused(fixture *f, const char *sub, cm_error code,
                               cm_diag *d)
{
    int files = -1;
    long rows = -1;
    cm_diag_clear(d);
    assert_int_equal(cm_micro_import_dir(f->s, sub, &files, &rows, d), code);
    assert_int_equal(files, 0);
    assert_int_equal(rows, 0);
}

/* Imports the folder sub, which must go in; its files and rows counted
 * into *files and *rows, the diagnostic shown if it does not. */
static void import_dir_ok(fixture *f, const char *sub, int *files,
                          long *rows)
{
    cm_diag d;
    cm_diag_clear(&d);
    *files = -1;
    *rows = -1;
    if (cm_micro_import_dir(f->s, sub, files, rows, &d) != CM_OK)
        fail_msg("%s:%ld: %s: %s", d.file, d.line, d.field, d.msg);
}

/* Scratch databases of staged first loads left in the store's folder. */
static int scratch_files(const fixture *f)
{
    DIR *dh = opendir(f->dir);
    assert_non_null(dh);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL)
        n += strstr(de->d_name, ".stage-") != NULL;
    closedir(dh);
    return n;
}

static void test_import_dir(void **state)
{
    fixture *f = *state;
    char sub[128], p[256];
    snprintf(sub, sizeof sub, "%s/micro", f->dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    write_file(sub, "publicity-2019-07.csv", publicity_07_csv, p, sizeof p);
    write_file(sub, "publicity-2019-06.csv", publicity_06_csv, p, sizeof p);
    write_file(sub, "entities.csv", entities_csv, p, sizeof p);
    write_file(sub, "calendar-2020.csv", calendar_2020_csv, p, sizeof p);
    write_file(sub, "README.txt", "not data", p, sizeof p);
    write_file(sub, "regions.csv", "code\n", p, sizeof p);
    int files;
    long rows;
    import_dir_ok(f, sub, &files, &rows);
    assert_int_equal(files, 4);
    assert_int_equal(rows, 3 + 3 + 4 + 7);
    /* June before July: July's publication date wins */
    char b[64];
    assert_string_equal(th_text(f->s, "SELECT published FROM publicity WHERE"
                                      " id = 'XK-2019-0002'", b, sizeof b),
                        "2019-07-03");

    /* a folder with none */
    char empty[128];
    snprintf(empty, sizeof empty, "%s/empty", f->dir);
    assert_int_equal(mkdir(empty, 0755), 0);
    import_dir_ok(f, empty, &files, &rows);
    assert_int_equal(files, 0);
    assert_int_equal(rows, 0);
    cm_diag d;

    /* A bad file refuses the folder: the files before it (the calendar,
     * the register again, an August file with a new record and a later
     * publication of an old one) change nothing either. */
    long long pub = th_int(f->s, "SELECT count(*) FROM publicity");
    long long imports = th_int(f->s, "SELECT count(*) FROM imports");
    long long changes = th_int(f->s, "SELECT count(*) FROM micro_changes");
    long long seqs = th_int(f->s, "SELECT total(seq) FROM micro_changes");
    const char *head = "id,kind,source_unit,region,subject_name,"
                       "subject_code,decided,published\n";
    char csv[512];
    snprintf(csv, sizeof csv,
             "%sXK-2019-0009,许可,雅安市交通运输局,511800,某公司,,"
             "2019-08-01,2019-08-02\n"
             "XK-2019-0002,许可,雅安市市场监督管理局,511803,某社,,"
             "2019-06-28,2019-08-03\n", head);
    write_file(sub, "publicity-2019-08.csv", csv, p, sizeof p);
    snprintf(csv, sizeof csv,
             "%sXK-2019-0010,许可,雅安市交通运输局,511800,某公司,BAD,"
             "2019-09-01,2019-09-02\n", head);
    write_file(sub, "publicity-2019-09.csv", csv, p, sizeof p);
    import_dir_refused(f, sub, CM_ERR_FIELD, &d);
    assert_int_equal(d.line, 2);
    assert_string_equal(d.field, "subject_code");
    assert_non_null(strstr(d.file, "publicity-2019-09.csv"));
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM publicity"), pub);
    assert_string_equal(th_text(f->s, "SELECT published FROM publicity WHERE"
                                      " id = 'XK-2019-0002'", b, sizeof b),
                        "2019-07-03");
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM imports"), imports);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM micro_changes"),
                     changes);

    /* A first load (the first commitments file, into an empty table) is
     * staged, and goes with the rest when a later file is refused: the
     * store is as it was, import log included. The second commitments
     * file is no first load: it goes in after the staged one. */
    write_file(sub, "commitments-2019-04.csv",
               "subject,kind,date,published\n"
               "91512081MA62K0260E,主动型,2019-03-01,是\n", p, sizeof p);
    write_file(sub, "commitments-2019-05.csv",
               "subject,kind,date,published\n"
               "91512081MA62K0260E,信用修复型,2019-05-01,是\n", p, sizeof p);
    import_dir_refused(f, sub, CM_ERR_FIELD, &d);
    assert_string_equal(d.field, "subject_code"); /* the refused file's */
    assert_null(strstr(d.msg, "undone"));
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM commitments"), 0);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM publicity"), pub);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM imports"), imports);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM micro_changes"),
                     changes);
    assert_int_equal(th_int(f->s, "SELECT total(seq) FROM micro_changes"),
                     seqs);

    /* in a caller's transaction a folder is one savepoint: nothing
     * stays, and the caller's own work does */
    assert_int_equal(unlink(p), 0); /* commitments-2019-05.csv */
    assert_int_equal(cm_store_begin(f->s, &d), CM_OK);
    assert_int_equal(sqlite3_exec(cm_store_db(f->s),
                                  "DELETE FROM commitments", NULL, NULL,
                                  NULL), SQLITE_OK);
    import_dir_refused(f, sub, CM_ERR_FIELD, &d);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM commitments"), 0);
    assert_int_equal(scratch_files(f), 0); /* nothing staged in a savepoint */
    assert_int_equal(cm_store_commit(f->s, &d), CM_OK);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM commitments"), 0);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM publicity"), pub);

    cm_diag_clear(&d);
    snprintf(p, sizeof p, "%s/nowhere", f->dir);
    assert_int_equal(cm_micro_import_dir(f->s, p, &files, &rows, &d),
                     CM_ERR_IO);
}

typedef struct bad_case {
    const char *name;     /* file name: gives kind and period */
    const char *data;
    cm_error code;
    long line;
    const char *field;    /* "" when the error names no column */
    const char *says;     /* a fragment of the message */
} bad_case;

#define ENT "code,name,region,registered,status\n"
#define ENT_OK "91512081MA62K0260E,某商贸有限公司,511802,2018-03-05,存续\n"
#define PUB "id,kind,source_unit,region,subject_name,subject_code,decided," \
            "published\n"
#define PUB_OK "XK-9,许可,雅安市交通运输局,511800,某公司,,2019-06-03," \
               "2019-06-04\n"
#define BL "subject,name,region,list,listing_unit,listed,removed," \
           "removal_reason,repair_training,repair_commitment\n"
#define CO "subject,kind,date,published\n"
#define CAL "date,kind,notice\n"

static const bad_case bad_cases[] = {
    {"entities.csv", ENT ENT_OK
     "91350100M000100Y43,某合作社,511803,2019/06/03,存续\n",
     CM_ERR_FIELD, 3, "registered", "YYYY-MM-DD"},
    {"entities.csv", ENT ENT_OK
     "91350100M000100Y43,某合作社,511803,2019-02-29,存续\n",
     CM_ERR_FIELD, 3, "registered", "not a date"},
    {"entities.csv", ENT ENT_OK
     "91350100M000100Y43,某合作社,511803,1949-09-30,存续\n",
     CM_ERR_FIELD, 3, "registered", "before 1949-10-01"},
    {"entities.csv", ENT ENT_OK
     "91350100M000100Y43,某合作社,511803,2199-01-01,存续\n",
     CM_ERR_FIELD, 3, "registered", "future"},
    {"publicity-2019-06.csv", PUB PUB_OK
     "XK-10,许可,雅安市交通运输局,511800,某公司,,2019-07-01,\n",
     CM_ERR_FIELD, 3, "decided", "after the end of the file's period 2019-06"},
    {"entities.csv", ENT ENT_OK
     "91350100M000100Y43,某合作社,511899,2019-06-03,存续\n",
     CM_ERR_REFERENCE, 3, "region", "unknown region '511899'"},
    {"entities.csv", ENT ENT_OK
     "91350100M000100Y43,某合作社,5118,2019-06-03,存续\n",
     CM_ERR_FIELD, 3, "region", "6 digits"},
    {"entities.csv", ENT ENT_OK
     "91350100M000100Y4,某合作社,511803,2019-06-03,存续\n",
     CM_ERR_FIELD, 3, "code", "17 bytes"},
    {"entities.csv", ENT ENT_OK
     "91350100m000100y43,某合作社,511803,2019-06-03,存续\n",
     CM_ERR_FIELD, 3, "code", "upper case"},
    {"entities.csv", ENT ENT_OK
     "91350100M000100Y43,某合作社,511803,2019-06-03,正常\n",
     CM_ERR_FIELD, 3, "status", "'正常' is not one of 存续"},
    {"entities.csv", ENT ENT_OK "91350100M000100Y43,,511803,2019-06-03,存续\n",
     CM_ERR_FIELD, 3, "name", "empty"},
    {"publicity-2019-06.csv", PUB PUB_OK
     "XK-10,奖励,雅安市交通运输局,511800,某公司,,2019-06-03,\n",
     CM_ERR_FIELD, 3, "kind", "许可, 处罚"},
    {"publicity-2019-06.csv", PUB PUB_OK
     "XK-10,处罚,雅安市交通运输局,511800,某公司,123,2019-06-03,\n",
     CM_ERR_FIELD, 3, "subject_code", "18 characters"},
    {"publicity-2019-06.csv", PUB PUB_OK
     "XK-10,处罚,雅安市交通运输局,511800,某公司,,2019-06-03,2199-06-02\n",
     CM_ERR_FIELD, 3, "published", "future"},
    {"commitments.csv", CO "91512081MA62K0260E,主动型,2019-03-01,是\n"
     "91512081MA62K0260E,主动型,2019-03-02,可能\n",
     CM_ERR_FIELD, 3, "published", "是 or 否"},
    {"commitments.csv", CO "91512081MA62K0260E,主动型,2019-03-01,\n",
     CM_ERR_FIELD, 2, "published", "是 or 否"},
    {"commitments.csv", CO "91512081MA62K0260E,自愿型,2019-03-01,是\n",
     CM_ERR_FIELD, 2, "kind", "审批替代型"},
    {"calendar-2019.csv", CAL "2019-06-07,holiday,国办发明电〔2018〕15号\n"
     "2019-06-08,holiday,国办发明电〔2018〕15号\n",
     CM_ERR_FIELD, 3, "date", "Saturday"},
    {"calendar-2019.csv", CAL "2019-10-12,workday,国办发明电〔2018〕15号\n"
     "2019-10-09,workday,国办发明电〔2018〕15号\n",
     CM_ERR_FIELD, 3, "date", "Wednesday"},
    {"calendar-2019.csv", CAL "2019-10-01,holiday,国办发明电〔2018〕15号\n"
     "2019-10-01,holiday,国办发明电〔2018〕15号\n",
     CM_ERR_DUPLICATE, 3, "date", "twice"},
    {"calendar-2019.csv", CAL "2019-10-01,day off,国办发明电〔2018〕15号\n",
     CM_ERR_FIELD, 2, "kind", "holiday, workday"},
    {"calendar-2019.csv", CAL "2019-10-01,holiday,\n",
     CM_ERR_FIELD, 2, "notice", "empty"},
    {"entities.csv", "code,name,region,registered\n" ENT_OK,
     CM_ERR_CSV, 1, "status", "missing column 'status'"},
    {"entities.csv", "code,name,region,registered,status,remark\n",
     CM_ERR_CSV, 1, "remark", "unknown column 'remark'"},
    {"entities.csv", "code,name,region,code,status\n",
     CM_ERR_CSV, 1, "code", "named twice"},
    {"entities.csv", ENT ENT_OK
     "91350100M000100Y43,\"某合作社,511803,2019-06-03,存续\n" ENT_OK,
     CM_ERR_CSV, 3, "", "unclosed quote"},
    {"entities.csv", ENT ENT_OK "91350100M000100Y43,某合作社,511803\n",
     CM_ERR_CSV, 3, "", "3 fields"},
    {"entities.csv", "", CM_ERR_CSV, 0, "", "no header"},
    {"blacklist.csv", BL
     "511802198001010021,王某某,511802,失信被执行人,雅安市中级人民法院,"
     "2018-05-10,2018-05-09,履行完毕,否,否\n",
     CM_ERR_FIELD, 2, "removed", "before the listing"},
    {"blacklist.csv", BL
     "51180219800101002x,王某某,511802,失信被执行人,雅安市中级人民法院,"
     "2018-05-10,,,,\n",
     CM_ERR_FIELD, 2, "subject", "masked ID"},
    {"blacklist.csv", BL
     "511802198001010021,王某某,511802,失信被执行人,雅安市中级人民法院,"
     "2018-05-10,,,参加,\n",
     CM_ERR_FIELD, 2, "repair_training", "是 or 否"},
    {"blacklist.csv", BL
     "511802198001010021,王某某,511802,,雅安市中级人民法院,2018-05-10,,,,\n",
     CM_ERR_FIELD, 2, "list", "empty"},
    {"publicity-2019-06.csv", PUB "\"XK-"
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "\",许可,雅安市交通运输局,511800,某公司,,2019-06-03,\n",
     CM_ERR_FIELD, 2, "id", "at most 512 bytes"},
    /* a bad amendment of a year leaves the year's rows in place */
    {"calendar-2020.csv", CAL "2020-01-31,holiday,国办发明电〔2020〕1号\n"
     "2020-02-02,holiday,国办发明电〔2020〕1号\n",
     CM_ERR_FIELD, 3, "date", "Sunday"},
};

/* In a folder, the first file of a kind whose table is empty is staged
 * beside the others and copied in (micro.c, stager): the result is that of
 * importing the files one by one in order, a later file of the same kind
 * included; a bad row in a staged file, or in another file while one is
 * staged, refuses the folder and leaves neither rows nor scratch files. */
static void test_dir_first_loads(void **state)
{
    fixture *f = *state;
    char sub[128], p[256], b[128];
    snprintf(sub, sizeof sub, "%s/first", f->dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    write_file(sub, "entities-2019.csv", entities_csv, p, sizeof p);
    /* after entities-2019.csv in name order: its row wins */
    write_file(sub, "entities-2020.csv",
               ENT "91350100M000100Y43,名山区茶叶合作社,511803,2017-11-20,"
                   "注销\n", p, sizeof p);
    write_file(sub, "publicity-2019-06.csv", publicity_06_csv, p, sizeof p);
    write_file(sub, "commitments.csv",
               CO "91512081MA62K0260E,主动型,2019-03-01,是\n"
                  "91350100M000100Y43,主动型,2019-03-01,否\n"
                  "91512081MA62K0260E,主动型,2019-03-01,否\n", p, sizeof p);
    write_file(sub, "calendar-2020.csv", calendar_2020_csv, p, sizeof p);
    /* what a killed import left goes (empty, or an SQLite database);
     * files that only look alike stay */
    write_file(f->dir, "store.db.stage-a1B2c3", "", p, sizeof p);
    static const char sqlite_head[] = "SQLite format 3\0 and the rest";
    FILE *fh;
    snprintf(p, sizeof p, "%s/store.db.stage-Zz9900", f->dir);
    assert_non_null(fh = fopen(p, "wb"));
    assert_int_equal(fwrite(sqlite_head, 1, sizeof sqlite_head, fh),
                     sizeof sqlite_head);
    assert_int_equal(fclose(fh), 0);
    write_file(f->dir, "store.db.stage-old.db", "mine", p, sizeof p);
    write_file(f->dir, "store.db.stage-abc123", "mine", p, sizeof p);
    write_file(f->dir, "store.db.stage-a1B2c3.txt", "mine", p, sizeof p);
    int files;
    long rows;
    import_dir_ok(f, sub, &files, &rows);
    static const char *const kept[] = {"store.db.stage-old.db",
                                       "store.db.stage-abc123",
                                       "store.db.stage-a1B2c3.txt"};
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
        snprintf(p, sizeof p, "%s/%s", f->dir, kept[i]);
        assert_int_equal(access(p, F_OK), 0);
        assert_int_equal(unlink(p), 0);
    }
    assert_int_equal(files, 5);
    /* the staged files were copied in after the others (their log entries
     * come last): staging did happen */
    assert_true(th_int(f->s, "SELECT min(seq) FROM micro_changes"
                             " WHERE tbl IN ('entities', 'commitments')") >
                th_int(f->s, "SELECT max(seq) FROM micro_changes"
                             " WHERE tbl = 'publicity'"));
    assert_int_equal(rows, 4 + 1 + 3 + 3 + 7);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM entities"), 4);
    assert_string_equal(th_text(f->s, "SELECT status FROM entities WHERE"
                                      " name = '名山区茶叶合作社'", b, sizeof b),
                        "注销");
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM commitments"), 2);
    assert_int_equal(th_int(f->s, "SELECT published FROM commitments WHERE"
                                  " subject = '91512081MA62K0260E'"), 0);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM publicity"), 3);
    /* the index came with the copy, and the copy is a proper table */
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM entities"
                                  " INDEXED BY entities_registered"
                                  " WHERE registered > '2000-01-01'"), 3);
    char ok[8];
    assert_string_equal(th_text(f->s, "PRAGMA integrity_check", ok,
                                sizeof ok), "ok");
    /* every file logged, the months of the staged ones' rows included */
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM imports"), 5);
    assert_string_equal(th_text(f->s, "SELECT group_concat(month, ' ') FROM"
                                      " (SELECT month FROM micro_changes WHERE"
                                      " tbl = 'entities' ORDER BY month)",
                                b, sizeof b),
                        "1999-12 2017-11 2018-03");
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM pragma_database_list"
                                  " WHERE name NOT IN ('main', 'temp')"), 0);
    assert_int_equal(scratch_files(f), 0);

    /* a bad row in a staged file (the blacklist's table is empty) */
    cm_diag d;
    char *before = dump(f->s);
    snprintf(sub, sizeof sub, "%s/bad-staged", f->dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    write_file(sub, "publicity-2019-07.csv", publicity_07_csv, p, sizeof p);
    write_file(sub, "blacklist.csv",
               BL "511802198001010021,王某某,511802,失信被执行人,"
                  "雅安市中级人民法院,2018-05-10,,,,\n"
                  "511802198001010021,王某某,511899,失信被执行人,"
                  "雅安市中级人民法院,2018-06-10,,,,\n", p, sizeof p);
    import_dir_refused(f, sub, CM_ERR_REFERENCE, &d);
    assert_non_null(strstr(d.file, "blacklist.csv"));
    assert_int_equal(d.line, 3);
    assert_string_equal(d.field, "region");
    char *after = dump(f->s);
    assert_string_equal(before, after);
    free(after);
    assert_int_equal(scratch_files(f), 0);

    /* a bad row in another file while the blacklist is staged */
    assert_int_equal(unlink(p), 0);
    write_file(sub, "blacklist.csv", blacklist_csv, p, sizeof p);
    write_file(sub, "publicity-2019-08.csv",
               PUB "XK-2019-0009,许可,雅安市交通运输局,511800,某公司,BAD,"
                   "2019-08-01,2019-08-02\n", p, sizeof p);
    import_dir_refused(f, sub, CM_ERR_FIELD, &d);
    assert_non_null(strstr(d.file, "publicity-2019-08.csv"));
    assert_string_equal(d.field, "subject_code");
    after = dump(f->s);
    assert_string_equal(before, after);
    free(after);
    free(before);
    assert_int_equal(scratch_files(f), 0);

    /* both bad: the staged file's error, whatever the timing */
    write_file(sub, "blacklist.csv",
               BL "511802198001010021,王某某,511899,失信被执行人,"
                  "雅安市中级人民法院,2018-05-10,,,,\n", p, sizeof p);
    for (int run = 0; run < 3; run++) {
        import_dir_refused(f, sub, CM_ERR_REFERENCE, &d);
        assert_non_null(strstr(d.file, "blacklist.csv"));
        assert_int_equal(d.line, 2);
    }
    write_file(sub, "blacklist.csv", blacklist_csv, p, sizeof p);

    /* fixed, the same folder goes in whole */
    write_file(sub, "publicity-2019-08.csv", PUB PUB_OK, p, sizeof p);
    import_dir_ok(f, sub, &files, &rows);
    assert_int_equal(files, 3);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM blacklist"), 3);
    assert_int_equal(scratch_files(f), 0);
}

static void test_bad_files(void **state)
{
    fixture *f = *state;
    import_all(f);
    import_ok(f, "calendar-2020.csv", calendar_2020_csv, 7);
    char *before = dump(f->s);
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        const bad_case *c = &bad_cases[i];
        cm_diag d;
        cm_error e = import_text(f, c->name, c->data, NULL, &d);
        char msg[1024];
        cm_diag_format(&d, msg, sizeof msg);
        if (e != c->code || d.line != c->line ||
            strcmp(d.field, c->field) != 0 || !strstr(d.msg, c->says))
            print_error("case %zu (%s): got %d: %s\n", i, c->name, (int)e,
                        msg);
        assert_int_equal(e, c->code);
        assert_int_equal(d.line, c->line);
        assert_string_equal(d.field, c->field);
        assert_non_null(strstr(d.msg, c->says));
        /* located as file:line: column: */
        char want[256];
        snprintf(want, sizeof want, "%s/%s:", f->dir, c->name);
        assert_true(strncmp(msg, want, strlen(want)) == 0);
        char *after = dump(f->s);
        assert_string_equal(before, after);
        free(after);
    }
    free(before);
    assert_true(sizeof bad_cases / sizeof *bad_cases >= 15);
}

/* Files longer than the reader's batches (2048 rows, written 32 to a
 * statement): every row arrives once; a row repeated inside one statement
 * upserts; a bad row after several batches were written refuses the whole
 * file and names its own line. */
static void test_many_batches(void **state)
{
    fixture *f = *state;
    enum { N = 5003 };
    size_t cap = (size_t)N * 160 + 256, len = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
    len += (size_t)snprintf(csv + len, cap - len,
                            "id,kind,source_unit,region,subject_name,"
                            "subject_code,decided,published\n");
    for (int i = 0; i < N; i++) {
        /* row 11 repeats row 10's id, now published: the later row wins */
        int id = i == 10 ? 9 : i;
        len += (size_t)snprintf(csv + len, cap - len,
                                "XK-%05d,许可,市市场监督管理局,511802,某某公司%d,"
                                ",2019-06-%02d,%s\n", id, i, 1 + i % 28,
                                i == 9 ? "" : "2019-06-29");
    }
    import_ok(f, "publicity-2019-06.csv", csv, N);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM publicity"), N - 1);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM publicity"
                                  " WHERE published IS NULL"), 0);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM publicity"
                                  " WHERE id = 'XK-00009'"
                                  " AND subject_name = '某某公司10'"), 1);
    char *before = dump(f->s);
    /* the same file with a bad region on line 4900 (row 4899) */
    char *bad = strstr(csv, "XK-04898,");
    assert_non_null(bad);
    char *region = strstr(bad, ",511802,");
    assert_non_null(region);
    memcpy(region, ",519999,", 8);
    cm_diag d;
    assert_int_equal(import_text(f, "publicity-2019-06.csv", csv, NULL, &d),
                     CM_ERR_REFERENCE);
    assert_int_equal(d.line, 4900);
    assert_string_equal(d.field, "region");
    char *after = dump(f->s);
    assert_string_equal(before, after);
    free(after);
    free(before);
    free(csv);
}

/* A first load of the register or the commitments (empty table) is staged
 * and upserted in key order: the same rows as row by row, the later of
 * two equal keys winning, the indexes built again; a bad row still
 * changes nothing. */
static void test_bulk_first_load(void **state)
{
    fixture *f = *state;
    char buf[256];
    import_ok(f, "entities.csv",
              "code,name,region,registered,status\n"
              "91512081MA62K0260E,甲公司,511802,2018-03-05,存续\n"
              "91350100M000100Y43,乙合作社,511803,2017-11-20,在业\n"
              "91110000600037341L,丙公司,511800,1999-12-31,迁出\n"
              /* 甲 again, later in the file but earlier in key order than
               * nothing else: it must replace line 2 */
              "91512081MA62K0260E,甲公司,511803,2018-04-01,注销\n", 4);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM entities"), 3);
    assert_string_equal(th_text(f->s, "SELECT region || ' ' || registered || ' ' ||"
                                      " status FROM entities WHERE name = '甲公司'",
                             buf, sizeof buf),
                        "511803 2018-04-01 注销");
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM sqlite_master WHERE"
                                  " type = 'index' AND name = 'entities_registered'"),
                     1);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM sqlite_temp_master"), 0);
    /* the months of the rows' dates are logged as row by row */
    assert_string_equal(th_text(f->s, "SELECT group_concat(month, ' ') FROM"
                                      " (SELECT month FROM micro_changes WHERE"
                                      " tbl = 'entities' ORDER BY month)",
                             buf, sizeof buf),
                        "1999-12 2017-11 2018-03 2018-04");
    /* the table is no longer empty: the next file goes row by row */
    import_ok(f, "entities-2.csv",
              "code,name,region,registered,status\n"
              "91350100M000100Y43,乙合作社,511803,2017-11-20,吊销\n", 1);
    assert_string_equal(th_text(f->s, "SELECT status FROM entities"
                                      " WHERE name = '乙合作社'", buf, sizeof buf),
                        "吊销");
    /* a bad last row of a first load: located, nothing written */
    char *before = dump(f->s);
    cm_diag d;
    assert_int_equal(import_text(f, "commitments.csv",
                                 "subject,kind,date,published\n"
                                 "91512081MA62K0260E,主动型,2019-03-01,是\n"
                                 "91350100M000100Y43,主动型,2019-13-01,是\n",
                                 NULL, &d),
                     CM_ERR_FIELD);
    assert_int_equal(d.line, 3);
    char *after = dump(f->s);
    assert_string_equal(before, after);
    free(after);
    free(before);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM sqlite_temp_master"), 0);
    import_ok(f, "commitments.csv",
              "subject,kind,date,published\n"
              "91512081MA62K0260E,主动型,2019-03-01,是\n"
              "91350100M000100Y43,主动型,2019-03-01,否\n"
              "91512081MA62K0260E,主动型,2019-03-01,否\n", 3);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM commitments"), 2);
    assert_int_equal(th_int(f->s, "SELECT published FROM commitments WHERE"
                                  " subject = '91512081MA62K0260E'"), 0);
}

/* An import sets the connection up for bulk loading (no foreign-key
 * probe, temporary tables on disk, its own page cache) and puts it back
 * after, whether it succeeds or fails; a first load's staging table is
 * gone either way. */
static void test_connection_restored(void **state)
{
    fixture *f = *state;
    sqlite3_exec(cm_store_db(f->s),
                 "PRAGMA cache_size = -3000; PRAGMA temp_store = MEMORY",
                 NULL, NULL, NULL);
    import_ok(f, "entities.csv", entities_csv, 4); /* staged: empty table */
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(import_text(f, "commitments.csv",
                                 CO "91512081MA62K0260E,主动型,2019-03-01,是\n"
                                    "bad,主动型,2019-03-01,是\n",
                                 NULL, &d),
                     CM_ERR_FIELD);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM commitments"), 0);
    assert_int_equal(th_int(f->s, "PRAGMA foreign_keys"), 1);
    assert_int_equal(th_int(f->s, "PRAGMA cache_size"), -3000);
    assert_int_equal(th_int(f->s, "PRAGMA temp_store"), 2);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM temp.sqlite_master"),
                     0);

    /* a store another process is writing: refused before anything, the
     * connection as it was, no scratch file made */
    char db[128], sub[128], p[256];
    snprintf(db, sizeof db, "%s/store.db", f->dir);
    sqlite3 *other;
    assert_int_equal(sqlite3_open(db, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_busy_timeout(cm_store_db(f->s), 20);
    snprintf(sub, sizeof sub, "%s/locked", f->dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    write_file(sub, "commitments.csv", commitments_csv, p, sizeof p);
    cm_diag_clear(&d);
    import_dir_refused(f, sub, CM_ERR_STORE, &d);
    assert_non_null(strstr(d.msg, "locked"));
    assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(other);
    assert_int_equal(scratch_files(f), 0);
    assert_int_equal(th_int(f->s, "PRAGMA foreign_keys"), 1);
    assert_int_equal(th_int(f->s, "PRAGMA cache_size"), -3000);
    assert_int_equal(th_int(f->s, "PRAGMA temp_store"), 2);
    /* and once the other is done, the same folder goes in */
    int files = -1;
    assert_int_equal(cm_micro_import_dir(f->s, sub, &files, NULL, &d), CM_OK);
    assert_int_equal(files, 1);
}

/* An import inside a caller's transaction uses a savepoint: a failure
 * undoes only the file, the caller's own work stays. */
static void test_nested(void **state)
{
    fixture *f = *state;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_begin(f->s, &d), CM_OK);
    import_ok(f, "entities.csv", entities_csv, 4);
    assert_int_equal(import_text(f, "commitments.csv",
                                 CO "91512081MA62K0260E,主动型,2019-03-01,是\n"
                                 "bad,主动型,2019-03-01,是\n", NULL, &d),
                     CM_ERR_FIELD);
    assert_int_equal(cm_store_commit(f->s, &d), CM_OK);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM entities"), 4);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM commitments"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_from_path),
        cmocka_unit_test_setup_teardown(test_good_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reimport_and_overlap, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_calendar_replace, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_period_in_file_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_gbk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_published_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_first_loads, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_restored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulk_first_load, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
