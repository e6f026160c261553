/*
 * test_compute.c - roll-up, formulas over the store, benchmarks and period
 * arithmetic, on a small store built here with hand-computed results.
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
#include "compute.h"
#include "defs.h"
#include "store.h"

static const char defs_text[] =
    "[benchmark prefecture_avg]\n"
    "name = 地级市平均水平\n"
    "[benchmark peers]\n"
    "name = 同级城市平均水平\n"
    "source = computed\n"
    "level = city\n"
    "[element num]\n"
    "name = 分子\n"
    "[element den]\n"
    "name = 分母\n"
    "[element score]\n"
    "name = 得分\n"
    "rollup = none\n"
    "[indicator share]\n"
    "name = 比重\n"
    "formula = num / den * 100\n"
    "unit = %\n"
    "better = lower\n"
    "compare = prefecture_avg\n"
    "[indicator peer_share]\n"
    "name = 比重(同级)\n"
    "formula = num / den * 100\n"
    "better = lower\n"
    "compare = peers\n"
    "[indicator score_ind]\n"
    "name = 得分\n"
    "formula = score\n"
    "decimals = 2\n"
    "trim = no\n"
    "target = >= 85\n"
    "[indicator growth]\n"
    "name = 增量\n"
    "formula = num - prev(num)\n"
    "decimals = 0\n"
    "target = >= 0\n"
    "[indicator change]\n"
    "name = 变化\n"
    "formula = num - prev(num)\n";

typedef struct fx {
    char dir[64], db[128];
    cm_store *s;
    cm_defs *defs;
} fx;

/* Province 510000; cities 511800 (counties A=511802, B=511803), 511900 and
 * 512000 (no counties). A: num 1 / den 4 = 25%; B: num 1 / den 1 = 100%.
 * City 511800 = (1+1)/(4+1) = 40%, not the mean of ratios (62.5%). */
static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || th_store_open("compute", f->dir, f->db, &f->s) != 0)
        return -1;
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_defs_load_mem("t.ini", defs_text, &f->defs, &d) != CM_OK) {
        char buf[512];
        cm_diag_format(&d, buf, sizeof buf);
        fprintf(stderr, "setup: %s\n", buf);
        return -1;
    }
    th_exec(f->s,
         "INSERT INTO regions VALUES ('510000','四川省','province',NULL),"
         "('511800','雅安市','city','510000'),"
         "('511802','雨城区','county','511800'),"
         "('511803','名山区','county','511800'),"
         "('511900','巴中市','city','510000'),"
         "('512000','资阳市','city','510000');"
         "INSERT INTO periods VALUES ('2018-11','month'),('2018-12','month');"
         "INSERT INTO element_values(region, period, element, value) VALUES "
         "('511802','2018-12','num',1),('511802','2018-12','den',4),"
         "('511803','2018-12','num',1),('511803','2018-12','den',1),"
         "('511802','2018-11','num',0),('511803','2018-11','num',1),"
         "('511800','2018-12','score',84.996),"
         "('511900','2018-12','num',3),('511900','2018-12','den',100),"
         "('512000','2018-12','num',5),('512000','2018-12','den',100),"
         "('512000','2018-12','score',NULL);"
         "INSERT INTO benchmarks VALUES "
         "('2018-12','share','prefecture_avg',1.3,'1.30');");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    if (!f)
        return 0;
    cm_defs_free(f->defs);
    int rc = th_store_close(f->s, f->dir);
    free(f);
    return rc;
}

static cm_value indicator(fx *f, const char *period, const char *ind,
                          const char *region)
{
    cm_compute *c = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_compute_new(f->s, f->defs, period, &c, &d), CM_OK);
    cm_value v;
    assert_int_equal(
        cm_compute_indicator(c, cm_defs_indicator(f->defs, ind), region, &v, &d),
        CM_OK);
    cm_compute_free(c);
    return v;
}

static void ratio_of_sums(void **state)
{
    fx *f = *state;
    cm_value v = indicator(f, "2018-12", "share", "511800");
    assert_int_equal(v.kind, CM_V_NUM);
    assert_float_equal(v.num, 40.0, 1e-12);
    v = indicator(f, "2018-12", "share", "511802");
    assert_float_equal(v.num, 25.0, 1e-12);
}

static void own_value_wins_over_rollup(void **state)
{
    fx *f = *state;
    th_exec(f->s, "INSERT INTO element_values(region, period, element, value) VALUES ('511800','2018-12','den',10)");
    cm_value v = indicator(f, "2018-12", "share", "511800");
    assert_float_equal(v.num, 20.0, 1e-12);   /* (1+1)/10 */
    th_exec(f->s, "DELETE FROM element_values WHERE region='511800' AND element='den'");
}

static void child_not_reported_makes_sum_missing(void **state)
{
    fx *f = *state;
    th_exec(f->s, "UPDATE element_values SET value=NULL WHERE region='511803' "
               "AND period='2018-12' AND element='den'");
    assert_int_equal(indicator(f, "2018-12", "share", "511800").kind, CM_V_MISSING);
    th_exec(f->s, "DELETE FROM element_values WHERE region='511803' "
               "AND period='2018-12' AND element='den'");
    /* one county has data, the other none: the sum is not reported */
    assert_int_equal(indicator(f, "2018-12", "share", "511800").kind, CM_V_MISSING);
    /* the county itself has no den row at all: not collected, 无数据 */
    assert_int_equal(indicator(f, "2018-12", "share", "511803").kind, CM_V_NODATA);
    th_exec(f->s, "INSERT INTO element_values(region, period, element, value) VALUES ('511803','2018-12','den',1)");
}

static void zero_denominator_is_na(void **state)
{
    fx *f = *state;
    th_exec(f->s, "UPDATE element_values SET value=0 WHERE element='den'");
    assert_int_equal(indicator(f, "2018-12", "share", "511802").kind, CM_V_NA);
    assert_int_equal(indicator(f, "2018-12", "share", "511800").kind, CM_V_NA);
    th_exec(f->s, "UPDATE element_values SET value=4 WHERE region='511802' AND element='den';"
               "UPDATE element_values SET value=1 WHERE region='511803' AND element='den';"
               "UPDATE element_values SET value=100 WHERE region IN ('511900','512000') "
               "AND element='den'");
}

static void rollup_none_is_not_summed(void **state)
{
    fx *f = *state;
    th_exec(f->s, "INSERT INTO element_values(region, period, element, value) VALUES ('511802','2018-12','score',50)");
    /* the city has its own score; a county's score never adds to it */
    cm_value v = indicator(f, "2018-12", "score_ind", "511800");
    assert_float_equal(v.num, 84.996, 1e-12);
    th_exec(f->s, "DELETE FROM element_values WHERE region='511800' AND element='score'");
    /* no row for the city and no roll-up: nothing is known (无数据) */
    assert_int_equal(indicator(f, "2018-12", "score_ind", "511800").kind, CM_V_NODATA);
    /* an explicit empty value is "not reported" (未报送) */
    th_exec(f->s, "INSERT INTO element_values(region, period, element, value) VALUES ('511800','2018-12','score',NULL)");
    assert_int_equal(indicator(f, "2018-12", "score_ind", "511800").kind, CM_V_MISSING);
    th_exec(f->s, "DELETE FROM element_values WHERE region='511800' AND element='score'");
    th_exec(f->s, "DELETE FROM element_values WHERE region='511802' AND element='score';"
               "INSERT INTO element_values(region, period, element, value) VALUES ('511800','2018-12','score',84.996)");
}

static void prev_reaches_previous_month(void **state)
{
    fx *f = *state;
    /* city num 2018-12 = 2, 2018-11 = 0 + 1 = 1 */
    cm_value v = indicator(f, "2018-12", "growth", "511800");
    assert_int_equal(v.kind, CM_V_NUM);
    assert_float_equal(v.num, 1.0, 1e-12);
}

static void prev_outside_store_is_located_error(void **state)
{
    fx *f = *state;
    cm_compute *c = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    /* 2018-11 is in the store, 2018-10 (what growth's prev reaches) is not */
    assert_int_equal(cm_compute_new(f->s, f->defs, "2018-11", &c, &d), CM_ERR_DATA);
    assert_null(c);
    assert_string_equal(d.file, "t.ini");
    assert_string_equal(d.field, "formula");
    assert_int_equal(d.line, 33);   /* growth's formula */
    assert_non_null(strstr(d.msg, "2018-10"));
    cm_diag_clear(&d);
    assert_int_equal(cm_compute_new(f->s, f->defs, "2019-06", &c, &d), CM_ERR_DATA);
    /* an informational indicator (no target, no benchmark, no problem)
     * reaching outside the store is only not reported */
    cm_indicator *growth = (cm_indicator *)cm_defs_indicator(f->defs, "growth");
    growth->has_target = 0;
    cm_diag_clear(&d);
    assert_int_equal(cm_compute_new(f->s, f->defs, "2018-11", &c, &d), CM_OK);
    cm_value v;
    assert_int_equal(cm_compute_indicator(c, cm_defs_indicator(f->defs, "change"),
                                          "511800", &v, &d), CM_OK);
    assert_int_equal(v.kind, CM_V_NODATA);   /* nothing stored for 2018-10 */
    cm_compute_free(c);
    growth->has_target = 1;
    cm_diag_clear(&d);
    assert_int_equal(cm_compute_new(f->s, f->defs, "2019-13", &c, &d), CM_ERR_USAGE);
}

static void benchmarks(void **state)
{
    fx *f = *state;
    cm_compute *c = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_compute_new(f->s, f->defs, "2018-12", &c, &d), CM_OK);
    cm_bench_value b;
    /* published: held as given, "1.30" not "1.3" */
    assert_int_equal(cm_compute_benchmark(c, cm_defs_indicator(f->defs, "share"),
                                          "511800", &b, &d), CM_OK);
    assert_true(b.has);
    assert_false(b.computed);
    assert_string_equal(b.text, "1.30");
    assert_string_equal(b.label, "地级市平均水平");
    assert_float_equal(b.value, 1.3, 1e-12);
    cm_bench_value_clear(&b);
    /* computed: mean over the other cities: (3% + 5%) / 2 = 4% */
    assert_int_equal(cm_compute_benchmark(c, cm_defs_indicator(f->defs, "peer_share"),
                                          "511800", &b, &d), CM_OK);
    assert_true(b.has);
    assert_true(b.computed);
    assert_float_equal(b.value, 4.0, 1e-12);
    assert_string_equal(b.text, "4");
    cm_bench_value_clear(&b);
    /* for 511900 the peers are 511800 (40%) and 512000 (5%): 22.5% */
    assert_int_equal(cm_compute_benchmark(c, cm_defs_indicator(f->defs, "peer_share"),
                                          "511900", &b, &d), CM_OK);
    assert_float_equal(b.value, 22.5, 1e-12);
    cm_bench_value_clear(&b);
    /* fixed standard */
    assert_int_equal(cm_compute_benchmark(c, cm_defs_indicator(f->defs, "score_ind"),
                                          "511800", &b, &d), CM_OK);
    assert_true(b.is_target);
    assert_string_equal(b.text, "≥85");
    cm_bench_value_clear(&b);
    /* no benchmark at all */
    assert_int_equal(cm_compute_benchmark(c, cm_defs_indicator(f->defs, "change"),
                                          "511800", &b, &d), CM_OK);
    assert_false(b.has);
    cm_bench_value_clear(&b);
    /* published but absent for the period */
    th_exec(f->s, "DELETE FROM benchmarks");
    assert_int_equal(cm_compute_benchmark(c, cm_defs_indicator(f->defs, "share"),
                                          "511800", &b, &d), CM_OK);
    assert_false(b.has);
    th_exec(f->s, "INSERT INTO benchmarks VALUES ('2018-12','share','prefecture_avg',1.3,'1.30')");
    cm_compute_free(c);
}

static void period_shift(void **state)
{
    (void)state;
    static const struct {
        const char *p;
        int back;
        const char *want;
    } cases[] = {
        {"2019-01", 1, "2018-12"}, {"2018-12", 0, "2018-12"},
        {"2018-12", 12, "2017-12"}, {"2019-03", 14, "2018-01"},
        {"2019-Q1", 1, "2018-Q4"}, {"2019-Q3", 2, "2019-Q1"},
        {"2019", 1, "2018"}, {"2019-01", -1, "2019-02"},
    };
    char out[16];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_true(cm_period_shift(cases[i].p, cases[i].back, out));
        assert_string_equal(out, cases[i].want);
    }
    const char *bad[] = {"2019-13", "2019-00", "2019-Q5", "201", "2019/01", "2019-1", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(cm_period_shift(bad[i], 1, out));
        assert_true(cm_period_last_day(bad[i]) == CM_DAY_INVALID);
    }
    /* last days: a leap February, a quarter, a year */
    assert_true(cm_period_last_day("2020-02") == cm_date_days(2020, 2, 29));
    assert_true(cm_period_last_day("2019-02") == cm_date_days(2019, 2, 28));
    assert_true(cm_period_last_day("2019-Q3") == cm_date_days(2019, 9, 30));
    assert_true(cm_period_last_day("2019") == cm_date_days(2019, 12, 31));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ratio_of_sums),
        cmocka_unit_test(own_value_wins_over_rollup),
        cmocka_unit_test(child_not_reported_makes_sum_missing),
        cmocka_unit_test(zero_denominator_is_na),
        cmocka_unit_test(rollup_none_is_not_summed),
        cmocka_unit_test(prev_reaches_previous_month),
        cmocka_unit_test(prev_outside_store_is_located_error),
        cmocka_unit_test(benchmarks),
        cmocka_unit_test(period_shift),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
