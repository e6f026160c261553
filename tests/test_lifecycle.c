/*
 * test_lifecycle.c - problems followed across months in a temporary store:
 * new, persisting with months open and its note, resolved with its name,
 * overdue by deadline, a gap month that ends a chain; and deadlines read
 * as written in seed 000's table (2019年9月前, 长期坚持, ...).
 *
 * Runs and findings are inserted directly, as manifest.c records them: one
 * run per (region, period), findings of the city and of its counties.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "storetest.h"

#include "calendar.h"
#include "lifecycle.h"

#define CITY "511800"
#define COUNTY "511802"

typedef struct fixture {
    char dir[64];
    char path[96];
    cm_store *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/cm_lifecycle_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/credmon.db", f->dir);
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_store_new(f->path, &f->s, &d) != CM_OK) {
        rmdir(f->dir);
        free(f);
        return -1;
    }
    /* seed 000's assignments (Ya'an), one overridden for the city */
    th_exec(f->s,
             "INSERT INTO assignments(region, problem, lead, partners,"
             " deadline, note) VALUES"
             " ('', 'blacklist', '市市场监管局', '各县(区)', '2019年9月前', ''),"
             " ('', 'special_governance', '市发展改革委', '市法院',"
             "  '长期坚持', '已退出失信被执行人'),"
             " ('', 'uscc', '市市场监督管理局', '市民政局', '2019年9月前', ''),"
             " ('" CITY "', 'uscc', '市市场监督管理局', '市民政局、市委编办',"
             "  '2019年9月前', '雅安市自定'),"
             " ('', 'joint_cases', '市发展改革委', '市法院', '2019年12月', '')");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cm_store_free(f->s);
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

/* Records a run of region for period with a finding of each problem
 * (NULL-terminated list) for the city, and of county_problem (may be
 * NULL) for a county. A second run of the same period replaces the first,
 * as manifest.c does. */
static sqlite3_int64 record(cm_store *s, const char *region,
                            const char *period, const char *const *problems,
                            const char *county_problem)
{
    sqlite3 *db = cm_store_db(s);
    char sql[512];
    snprintf(sql, sizeof sql,
             "DELETE FROM runs WHERE region = '%s' AND period = '%s'", region,
             period);
    th_exec(s, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO runs(region, period, started, status) VALUES"
             " ('%s', '%s', '2019-10-01T00:00:00', 'ok')",
             region, period);
    th_exec(s, sql);
    sqlite3_int64 id = sqlite3_last_insert_rowid(db);
    for (size_t i = 0; problems[i]; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO findings(run_id, region, period, indicator,"
                 " problem, status, description) VALUES (%lld, '%s', '%s',"
                 " '%s_share', '%s', 'fail', '高于地级市平均水平')",
                 (long long)id, region, period, problems[i], problems[i]);
        th_exec(s, sql);
    }
    /* an indicator of no problem: never a row, never resolved */
    snprintf(sql, sizeof sql,
             "INSERT INTO findings(run_id, region, period, indicator,"
             " problem, status, description) VALUES (%lld, '%s', '%s',"
             " 'info', NULL, 'missing', '未报送')",
             (long long)id, region, period);
    th_exec(s, sql);
    if (county_problem) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO findings(run_id, region, period, indicator,"
                 " problem, status, description) VALUES (%lld, '" COUNTY
                 "', '%s', '%s_share', '%s', 'fail', '县')",
                 (long long)id, period, county_problem, county_problem);
        th_exec(s, sql);
    }
    return id;
}

/* This month's table: one row per problem, with the assignment as assess
 * copies it into the row. */
typedef struct row_spec {
    const char *id, *name, *lead, *deadline, *note;
} row_spec;

static cm_report *report(const char *period, const row_spec *rows, size_t n)
{
    cm_report *r = cm_report_new(CITY, "雅安市", period, "");
    assert_non_null(r);
    for (size_t i = 0; i < n; i++) {
        cm_rect_row row = {
            .number = (int)i + 1,
            .problem_id = (char *)rows[i].id,
            .problem = (char *)rows[i].name,
            .description = (char *)"高于地级市平均水平",
            .lead = (char *)rows[i].lead,
            .partners = (char *)"各县(区)",
            .deadline = (char *)rows[i].deadline,
            .note = (char *)rows[i].note,
        };
        assert_int_equal(cm_report_add_row(r, &row), CM_OK);
    }
    return r;
}

/* Adds this month's result of one of problem_id's indicators for the
 * city, with status st. */
static void result(cm_report *r, const char *problem_id, cm_status st)
{
    cm_result res = {
        .region_code = (char *)CITY,
        .region_name = (char *)"雅安市",
        .indicator_id = (char *)problem_id,
        .indicator_name = (char *)problem_id,
        .status = st,
        .problem_id = (char *)problem_id,
    };
    assert_int_equal(cm_report_add_result(r, &res), CM_OK);
}

static cm_lifecycle *build(cm_store *s, const cm_report *r)
{
    cm_lifecycle *lc = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    cm_error e = cm_lifecycle_build(s, r, &lc, &d);
    if (e != CM_OK)
        fail_msg("lifecycle %s: %s", r->period, d.msg);
    assert_non_null(lc);
    assert_string_equal(lc->region, CITY);
    assert_string_equal(lc->period, r->period);
    return lc;
}

static void expect(const cm_lc_item *it, const char *id, const char *name,
                   cm_lc_state st, int months, const char *first, int overdue)
{
    assert_string_equal(it->problem_id, id);
    assert_string_equal(it->problem, name);
    if (it->state != st || it->months_open != months ||
        strcmp(it->first_period, first) != 0 || it->overdue != overdue)
        fail_msg("%s: %s, %d months from %s, overdue %d; want %s, %d months"
                 " from %s, overdue %d",
                 id, cm_lc_state_text(it->state), it->months_open,
                 it->first_period, it->overdue, cm_lc_state_text(st), months,
                 first, overdue);
}

static const row_spec BLACKLIST = {"blacklist", "失信黑名单", "市市场监管局",
                                   "2019年9月前", ""};
static const row_spec SPECIAL = {"special_governance", "失信专项治理",
                                 "市发展改革委", "长期坚持",
                                 "已退出失信被执行人"};
static const row_spec USCC = {"uscc", "统一社会信用代码重错码",
                              "市市场监督管理局", "2019年9月前", "雅安市自定"};
static const row_spec JOINT = {"joint_cases", "联合奖惩案例",
                               "市发展改革委", "2019年12月", ""};
static const row_spec PUBLICITY = {"double_publicity", "双公示",
                                   "市发展改革委", "2019年12月", ""};

/* Three months of Ya'an, 2019-07 to 2019-09, each lifecycle built before
 * its run is recorded, as run.c does. */
static void test_three_months(void **state)
{
    fixture *f = *state;
    cm_store *s = f->s;
    /* history: joint_cases open in May, no run in June (a gap), open
     * again from July; another city's runs are not ours */
    record(s, CITY, "2019-05", (const char *const[]){"joint_cases", NULL},
           NULL);
    record(s, "510100", "2019-06",
           (const char *const[]){"blacklist", "uscc", NULL}, NULL);
    record(s, "510100", "2019-08", (const char *const[]){"red_black", NULL},
           NULL);

    /* month 1: everything new (joint_cases too: June is a gap) */
    row_spec m1[] = {BLACKLIST, SPECIAL, USCC, JOINT};
    cm_report *r = report("2019-07", m1, 4);
    cm_lifecycle *lc = build(s, r);
    assert_int_equal(lc->n, 4);
    expect(&lc->items[0], "blacklist", "失信黑名单", CM_LC_NEW, 1, "2019-07", 0);
    expect(&lc->items[1], "special_governance", "失信专项治理", CM_LC_NEW, 1,
           "2019-07", 0);
    expect(&lc->items[2], "uscc", "统一社会信用代码重错码", CM_LC_NEW, 1,
           "2019-07", 0);
    expect(&lc->items[3], "joint_cases", "联合奖惩案例", CM_LC_NEW, 1,
           "2019-07", 0);
    assert_string_equal(lc->items[1].note, "已退出失信被执行人");
    assert_string_equal(lc->items[0].lead, "市市场监管局");
    assert_string_equal(lc->items[0].deadline, "2019年9月前");
    cm_lifecycle_free(lc);
    cm_report_free(r);
    record(s, CITY, "2019-07",
           (const char *const[]){"blacklist", "special_governance", "uscc",
                                 "joint_cases", NULL},
           NULL);

    /* month 2: all persist; due 2019-08-31 is not past on 2019-08-31;
     * a county's double_publicity finding makes no city problem */
    row_spec m2[] = {BLACKLIST, SPECIAL, USCC, JOINT};
    r = report("2019-08", m2, 4);
    lc = build(s, r);
    assert_int_equal(lc->n, 4);
    expect(&lc->items[0], "blacklist", "失信黑名单", CM_LC_PERSISTING, 2,
           "2019-07", 0);
    expect(&lc->items[1], "special_governance", "失信专项治理",
           CM_LC_PERSISTING, 2, "2019-07", 0);
    expect(&lc->items[2], "uscc", "统一社会信用代码重错码", CM_LC_PERSISTING,
           2, "2019-07", 0);
    expect(&lc->items[3], "joint_cases", "联合奖惩案例", CM_LC_PERSISTING, 2,
           "2019-07", 0);
    assert_string_equal(lc->items[1].note, "已退出失信被执行人");
    cm_lifecycle_free(lc);
    cm_report_free(r);
    sqlite3_int64 aug = record(
        s, CITY, "2019-08",
        (const char *const[]){"blacklist", "special_governance", "uscc",
                              "joint_cases", NULL},
        "double_publicity");
    /* the August run kept its definitions: a resolved problem's name */
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO run_files(run_id, role, path, size, sha256, content)"
             " VALUES (%lld, 'definition', 'indicators/20-monitoring.ini', 0,"
             " '', '; monitoring\n[problem blacklist]\nname = 失信黑名单\n\n"
             "[problem  uscc]\nname = 统一社会信用代码重错码(8月)\n\n"
             "[indicator uscc_share]\nname = uscc\n'),"
             " (%lld, 'definition', 'indicators/10-elements.ini', 0, '',"
             " '[element uscc]\nname = 代码\n'),"
             " (%lld, 'definition', 'indicators/99-broken.ini', 0, '',"
             " 'not ini at all')",
             (long long)aug, (long long)aug, (long long)aug);
    th_exec(s, sql);

    /* month 3: blacklist overdue (2019年9月前 = by 2019-08-31), 长期坚持
     * never; uscc resolved; double_publicity new (the county's finding in
     * August does not count) */
    row_spec m3[] = {BLACKLIST, SPECIAL, JOINT, PUBLICITY};
    r = report("2019-09", m3, 4);
    result(r, "uscc", CM_ST_PASS);
    lc = build(s, r);
    assert_int_equal(lc->n, 5);
    expect(&lc->items[0], "blacklist", "失信黑名单", CM_LC_PERSISTING, 3,
           "2019-07", 1);
    expect(&lc->items[1], "special_governance", "失信专项治理",
           CM_LC_PERSISTING, 3, "2019-07", 0);
    expect(&lc->items[2], "joint_cases", "联合奖惩案例", CM_LC_PERSISTING, 3,
           "2019-07", 0);
    expect(&lc->items[3], "double_publicity", "双公示", CM_LC_NEW, 1,
           "2019-09", 0);
    /* resolved: named as in August's definitions (not an element or
     * indicator of the same ID), assignment from the city's own row */
    expect(&lc->items[4], "uscc", "统一社会信用代码重错码(8月)", CM_LC_RESOLVED, 0, "2019-07", 0);
    assert_string_equal(lc->items[4].lead, "市市场监督管理局");
    assert_string_equal(lc->items[4].deadline, "2019年9月前");
    assert_string_equal(lc->items[4].note, "雅安市自定");
    assert_string_equal(lc->items[1].note, "已退出失信被执行人");
    assert_string_equal(cm_lc_state_text(lc->items[0].state), "持续");
    assert_string_equal(cm_lc_state_text(lc->items[3].state), "新增");
    assert_string_equal(cm_lc_state_text(lc->items[4].state), "已整改");
    cm_lifecycle_free(lc);

    /* the same month built again after its run is recorded: the same */
    record(s, CITY, "2019-09",
           (const char *const[]){"blacklist", "special_governance",
                                 "joint_cases", "double_publicity", NULL},
           NULL);
    lc = build(s, r);
    assert_int_equal(lc->n, 5);
    expect(&lc->items[0], "blacklist", "失信黑名单", CM_LC_PERSISTING, 3,
           "2019-07", 1);
    expect(&lc->items[4], "uscc", "统一社会信用代码重错码(8月)", CM_LC_RESOLVED,
           0, "2019-07", 0);
    cm_lifecycle_free(lc);
    cm_report_free(r);

    /* month 4 with nothing open: all four resolved; no definitions kept
     * with September's run, so the ID stands for the name */
    r = report("2019-10", NULL, 0);
    result(r, "blacklist", CM_ST_PASS);
    result(r, "special_governance", CM_ST_PASS);
    result(r, "joint_cases", CM_ST_PASS);
    result(r, "double_publicity", CM_ST_PASS);
    lc = build(s, r);
    assert_int_equal(lc->n, 4);
    expect(&lc->items[0], "blacklist", "blacklist", CM_LC_RESOLVED, 0,
           "2019-07", 0);
    expect(&lc->items[3], "double_publicity", "double_publicity",
           CM_LC_RESOLVED, 0, "2019-09", 0);
    /* no assignment at all: empty, not 待定 */
    assert_string_equal(lc->items[3].lead, "");
    assert_string_equal(lc->items[3].note, "");
    cm_lifecycle_free(lc);
    cm_report_free(r);
}

/* A gap month ends a chain; 立即 is overdue once a month has passed;
 * quarters and years chain like months. */
static void test_gaps_and_kinds(void **state)
{
    fixture *f = *state;
    cm_store *s = f->s;
    record(s, CITY, "2019-01", (const char *const[]){"a", NULL}, NULL);
    record(s, CITY, "2019-02", (const char *const[]){"a", NULL}, NULL);
    /* 2019-03: no run */
    record(s, CITY, "2019-04", (const char *const[]){"a", "b", NULL}, NULL);
    row_spec now[] = {{"a", "甲", "", "立即", ""}, {"b", "乙", "", "立即", ""},
                      {"c", "丙", "", "立即", ""}};
    cm_report *r = report("2019-05", now, 3);
    cm_lifecycle *lc = build(s, r);
    assert_int_equal(lc->n, 3);
    expect(&lc->items[0], "a", "甲", CM_LC_PERSISTING, 2, "2019-04", 1);
    expect(&lc->items[1], "b", "乙", CM_LC_PERSISTING, 2, "2019-04", 1);
    expect(&lc->items[2], "c", "丙", CM_LC_NEW, 1, "2019-05", 0);
    cm_lifecycle_free(lc);
    cm_report_free(r);

    /* January after December: the year turns */
    record(s, CITY, "2018-11", (const char *const[]){"a", NULL}, NULL);
    record(s, CITY, "2018-12", (const char *const[]){"a", NULL}, NULL);
    r = report("2019-01", now, 1);
    lc = build(s, r);
    assert_int_equal(lc->n, 1);
    expect(&lc->items[0], "a", "甲", CM_LC_PERSISTING, 3, "2018-11", 1);
    cm_lifecycle_free(lc);
    cm_report_free(r);

    /* quarters: Q1 follows last year's Q4; deadline 2019年3月底 is past
     * at the end of Q2 */
    record(s, CITY, "2018-Q4", (const char *const[]){"q", NULL}, NULL);
    record(s, CITY, "2019-Q1", (const char *const[]){"q", "gone", NULL},
           NULL);
    row_spec qrow[] = {{"q", "季", "", "2019年3月底", ""}};
    r = report("2019-Q2", qrow, 1);
    lc = build(s, r);
    /* no value for gone's indicators this quarter: neither open nor
     * resolved (not 已整改 for want of data) */
    assert_int_equal(lc->n, 1);
    cm_lifecycle_free(lc);
    cm_report_free(r);
    r = report("2019-Q2", qrow, 1);
    result(r, "gone", CM_ST_NODATA);
    result(r, "other", CM_ST_PASS);
    lc = build(s, r);
    assert_int_equal(lc->n, 1);
    cm_lifecycle_free(lc);
    cm_report_free(r);
    r = report("2019-Q2", qrow, 1);
    result(r, "gone", CM_ST_NODATA);
    result(r, "gone", CM_ST_PASS);
    lc = build(s, r);
    assert_int_equal(lc->n, 2);
    assert_string_equal(lc->period, "2019-Q2");
    expect(&lc->items[0], "q", "季", CM_LC_PERSISTING, 3, "2018-Q4", 1);
    expect(&lc->items[1], "gone", "gone", CM_LC_RESOLVED, 0, "2019-Q1", 0);
    cm_lifecycle_free(lc);
    cm_report_free(r);
    /* due at the quarter's last day: not yet overdue */
    row_spec qdue[] = {{"q", "季", "", "2019年6月", ""}};
    r = report("2019-Q2", qdue, 1);
    lc = build(s, r);
    assert_int_equal(lc->items[0].overdue, 0);
    cm_lifecycle_free(lc);
    cm_report_free(r);

    /* years */
    record(s, CITY, "2018", (const char *const[]){"y", NULL}, NULL);
    row_spec yrow[] = {{"y", "年", "", "2019年底", ""}};
    r = report("2019", yrow, 1);
    lc = build(s, r);
    expect(&lc->items[0], "y", "年", CM_LC_PERSISTING, 2, "2018", 0);
    cm_lifecycle_free(lc);
    cm_report_free(r);
}

static void test_bad_input(void **state)
{
    fixture *f = *state;
    cm_report *r = report("2019-13", NULL, 0);
    cm_lifecycle *lc = (cm_lifecycle *)1;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_lifecycle_build(f->s, r, &lc, &d), CM_ERR_FIELD);
    assert_null(lc);
    assert_string_equal(d.field, "period");
    cm_report_free(r);

    r = cm_report_new("51180012", "x", "2019-09", "");
    cm_diag_clear(&d);
    assert_int_equal(cm_lifecycle_build(f->s, r, &lc, &d), CM_ERR_FIELD);
    assert_string_equal(d.field, "region");
    cm_report_free(r);

    /* a store without the tables: a located store error, nothing leaks */
    th_exec(f->s, "DROP TABLE findings");
    r = report("2019-09", (row_spec[]){BLACKLIST}, 1);
    cm_diag_clear(&d);
    assert_int_equal(cm_lifecycle_build(f->s, r, &lc, &d), CM_ERR_STORE);
    assert_null(lc);
    assert_string_equal(d.file, f->path);
    cm_report_free(r);
    cm_lifecycle_free(NULL);
}

static void test_due(void **state)
{
    (void)state;
    static const struct {
        const char *deadline, *due;   /* NULL: never falls due */
    } cases[] = {
        /* seed 000's table */
        {"2019年9月前", "2019-08-31"},
        {"2019年6月前", "2019-05-31"},
        {"2020年3月前", "2020-02-29"},
        {"2019年12月", "2019-12-31"},
        {"2019年8月底前", "2019-08-31"},
        {"长期坚持", NULL},
        /* lifecycle.h's list */
        {"2019年9月", "2019-09-30"},
        {"2019年9月底", "2019-09-30"},
        {"2019年9月底前", "2019-09-30"},
        {"2020年3月31日前", "2020-03-30"},
        {"2020年3月31日", "2020-03-31"},
        {"2019年底", "2019-12-31"},
        {"长期", NULL},
        {"立即", NULL},
        /* month and year edges */
        {"2019年1月前", "2018-12-31"},
        {"2019年2月", "2019-02-28"},
        {"2020年2月", "2020-02-29"},
        {"2020年3月1日前", "2020-02-29"},
        {"2019年12月底前", "2019-12-31"},
        {"2019年底前", "2019-12-31"},
        {"2019年末", "2019-12-31"},
        {"2019年", "2019-12-31"},
        {"2020年前", "2019-12-31"},
        {"2019年9月末", "2019-09-30"},
        {"2019年9月之前", "2019-08-31"},
        {"2019年9月以前", "2019-08-31"},
        {"2019年6月30号", "2019-06-30"},
        {"2019年9月底前完成", "2019-09-30"},
        {"  2019年9月前\t", "2019-08-31"},
        /* not dates */
        {"", NULL},
        {"待定", NULL},
        {"2019年启动建设", NULL},
        {"2019年9月前,长期坚持", NULL},
        {"2019年13月", NULL},
        {"2019年0月", NULL},
        {"2019年2月29日", NULL},
        {"2019年4月31日前", NULL},
        {"2019年9月0日", NULL},
        {"19年9月", NULL},
        {"20190年9月", NULL},
        {"２０１９年9月", NULL},
        {"2019-09-30", NULL},
        {"2019年009月", NULL},
        {"2019年9月31", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long got = cm_lifecycle_due(cases[i].deadline);
        long want = cases[i].due
                        ? cm_date_parse(cases[i].due, strlen(cases[i].due))
                        : CM_DAY_INVALID;
        if (got != want) {
            char g[11] = "never";
            if (got != CM_DAY_INVALID)
                cm_date_format(got, g);
            fail_msg("due \"%s\" = %s, want %s", cases[i].deadline, g,
                     cases[i].due ? cases[i].due : "never");
        }
    }
    assert_true(cm_lifecycle_due(NULL) == CM_DAY_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_three_months, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gaps_and_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test(test_due),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
