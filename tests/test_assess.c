/*
 * test_assess.c - statuses, finding texts and rectification rows, on a small
 * store built here; every expected text is written out by hand.
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

#include "assess.h"
#include "defs.h"
#include "store.h"

/* Four problems: p_ok passes, p_two has two failing indicators, p_target a
 * fixed standard, p_missing a count not reported. */
static const char defs_text[] =
    "[benchmark avg]\n"
    "name = 地级市平均水平\n"
    "[element a]\n"
    "name = A\n"
    "[element b]\n"
    "name = B\n"
    "[element c]\n"
    "name = C\n"
    "rollup = none\n"
    "[problem p_ok]\n"
    "name = 达标的问题\n"
    "[problem p_two]\n"
    "name = 两项未达标\n"
    "[problem p_target]\n"
    "name = 标准未达到\n"
    "[problem p_missing]\n"
    "name = 未报送的问题\n"
    "[indicator ok]\n"
    "name = 达标指标\n"
    "formula = a / b * 100\n"
    "unit = %\n"
    "better = lower\n"
    "compare = avg\n"
    "problem = p_ok\n"
    "describe = 不应出现\n"
    "[indicator two_a]\n"
    "name = 第一项\n"
    "formula = a\n"
    "unit = 家\n"
    "decimals = 0\n"
    "better = higher\n"
    "compare = avg\n"
    "problem = p_two\n"
    "describe = 第一项为{value}{unit},低于{benchmark_label}({benchmark}{unit})\n"
    "[indicator two_b]\n"
    "name = 第二项\n"
    "formula = b\n"
    "unit = 家\n"
    "decimals = 0\n"
    "better = higher\n"
    "compare = avg\n"
    "problem = p_two\n"
    "describe = 第二项为{value}{unit},差{gap}{unit}\n"
    "[indicator std]\n"
    "name = 标准项\n"
    "formula = a - 10\n"
    "decimals = 0\n"
    "target = = 0\n"
    "problem = p_target\n"
    "describe = 有{value}条记录\n"
    "[indicator gone]\n"
    "name = 产品数\n"
    "formula = c\n"
    "unit = 个\n"
    "decimals = 0\n"
    "better = higher\n"
    "compare = avg\n"
    "problem = p_missing\n"
    "describe = 产品{value}{unit}\n"
    "missing = 未报送产品情况({benchmark_label}为{benchmark}{unit})\n";

typedef struct fx {
    char dir[64], db[128];
    cm_store *s;
    cm_defs *defs;
} fx;

/* City 511800 with counties 511802 (a=11, b=1000) and 511803 (a=0, b=0:
 * every ratio not computable). City: a = 11, b = 1000;
 * ok = 11/1000*100 = 1.1% <= avg 1.31 -> pass;
 * two_a = 11 < 20 -> fail; two_b = 1000 < 1200 -> fail, gap 200;
 * std = 11 - 10 = 1, not = 0 -> fail; gone: c not reported -> missing. */
static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || th_store_open("assess", f->dir, f->db, &f->s) != 0)
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
         "('511803','名山区','county','511800');"
         "INSERT INTO periods VALUES ('2018-12','month');"
         "INSERT INTO element_values(region, period, element, value) VALUES "
         "('511802','2018-12','a',11),('511802','2018-12','b',1000),"
         "('511803','2018-12','a',0),('511803','2018-12','b',0),"
         "('511800','2018-12','c',NULL);"
         "INSERT INTO benchmarks VALUES "
         "('2018-12','ok','avg',1.31,'1.31'),('2018-12','two_a','avg',20,'20'),"
         "('2018-12','two_b','avg',1200,'1200'),('2018-12','gone','avg',1,'1');"
         "INSERT INTO units VALUES ('市发展改革委',''),('市法院','');"
         "INSERT INTO assignments VALUES "
         "('','p_two','市发展改革委','市法院','2019年9月前',''),"
         "('511800','p_two','市法院','市发展改革委','长期坚持','本市的行'),"
         "('','p_target','市发展改革委','市法院','2019年12月','已整改一条');");
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

static void rows_from_failures(void **state)
{
    fx *f = *state;
    cm_report *r = NULL;
    cm_warnings w = {0};
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_assess_city(f->s, f->defs, "511800", "2018-12", &r, &w, &d),
                     CM_OK);
    assert_int_equal(r->n_rows, 3);
    /* numbered 1..3 in definition order; p_ok is not a row */
    assert_int_equal(r->rows[0].number, 1);
    assert_string_equal(r->rows[0].problem, "两项未达标");
    assert_string_equal(r->rows[0].description,
                        "第一项为11家,低于地级市平均水平(20家);第二项为1000家,差200家");
    /* the city's own assignment wins over the default row */
    assert_string_equal(r->rows[0].lead, "市法院");
    assert_string_equal(r->rows[0].deadline, "长期坚持");
    assert_string_equal(r->rows[0].note, "本市的行");
    assert_int_equal(r->rows[1].number, 2);
    assert_string_equal(r->rows[1].description, "有1条记录");
    assert_string_equal(r->rows[1].lead, "市发展改革委");
    assert_string_equal(r->rows[1].note, "已整改一条");
    assert_int_equal(r->rows[2].number, 3);
    assert_string_equal(r->rows[2].description, "未报送产品情况(地级市平均水平为1个)");
    /* no assignment: 待定 and a warning */
    assert_string_equal(r->rows[2].lead, "待定");
    int warned_assignment = 0, warned_na = 0;
    for (size_t i = 0; i < w.n; i++) {
        warned_assignment |= strstr(w.items[i], "p_missing") != NULL;
        warned_na |= strstr(w.items[i], "511803") && strstr(w.items[i], "not computable");
    }
    assert_true(warned_assignment);
    /* a county's zero denominator is shown in the workbook, not warned */
    assert_false(warned_na);
    cm_warnings_free(&w);
    cm_report_free(r);
}

static void results_for_city_and_counties(void **state)
{
    fx *f = *state;
    cm_report *r = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_assess_city(f->s, f->defs, "511800", "2018-12", &r, NULL, &d),
                     CM_OK);
    /* 5 indicators x (city + 2 counties), city first */
    assert_int_equal(r->n_results, 15);
    assert_string_equal(r->results[0].region_code, "511800");
    assert_string_equal(r->results[0].indicator_id, "ok");
    assert_int_equal(r->results[0].status, CM_ST_PASS);
    assert_string_equal(r->results[0].value_text, "1.1");
    assert_string_equal(r->results[0].gap_text, "-0.21");
    assert_int_equal(r->results[4].status, CM_ST_MISSING);
    /* 名山区: 0/0 is not computable, and not a finding */
    const cm_result *x = &r->results[10];
    assert_string_equal(x->region_code, "511803");
    assert_string_equal(x->indicator_id, "ok");
    assert_int_equal(x->status, CM_ST_NA);
    assert_string_equal(x->value_text, "");
    assert_string_equal(x->description, "");
    cm_report_free(r);
}

static void not_a_city(void **state)
{
    fx *f = *state;
    cm_report *r = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_assess_city(f->s, f->defs, "511802", "2018-12", &r, NULL, &d),
                     CM_ERR_USAGE);
    assert_null(r);
    cm_diag_clear(&d);
    assert_int_equal(cm_assess_city(f->s, f->defs, "999999", "2018-12", &r, NULL, &d),
                     CM_ERR_DATA);
}

/* Compared as printed: 1.3104 prints as 1.31 and is not "higher than 1.31". */
static void status_as_printed(void **state)
{
    fx *f = *state;
    cm_indicator ind = *cm_defs_indicator(f->defs, "ok");  /* lower, 2 decimals */
    cm_bench_value b = {.has = 1, .value = 1.31};
    static const struct {
        double v;
        cm_better better;
        cm_status want;
    } cases[] = {
        {1.3104, CM_BETTER_LOWER, CM_ST_PASS},
        {1.315, CM_BETTER_LOWER, CM_ST_FAIL},   /* prints 1.32 */
        {1.31, CM_BETTER_LOWER, CM_ST_PASS},    /* equal passes */
        {1.8, CM_BETTER_LOWER, CM_ST_FAIL},
        {1.30, CM_BETTER_HIGHER, CM_ST_FAIL},
        {1.31, CM_BETTER_HIGHER, CM_ST_PASS},
        {1.309, CM_BETTER_HIGHER, CM_ST_PASS},  /* prints 1.31 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ind.better = cases[i].better;
        cm_value v = {CM_V_NUM, cases[i].v};
        if (cm_assess_status(&ind, v, &b) != cases[i].want)
            fail_msg("case %zu: %g", i, cases[i].v);
    }
    assert_int_equal(cm_assess_status(&ind, (cm_value){CM_V_MISSING, 0}, &b),
                     CM_ST_MISSING);
    assert_int_equal(cm_assess_status(&ind, (cm_value){CM_V_NA, 0}, &b), CM_ST_NA);
    cm_bench_value none = {0};
    assert_int_equal(cm_assess_status(&ind, (cm_value){CM_V_NUM, 1}, &none),
                     CM_ST_NOBENCH);
    /* a fixed standard */
    cm_indicator std = *cm_defs_indicator(f->defs, "std");
    cm_bench_value t = {.has = 1, .value = 0, .is_target = 1};
    assert_int_equal(cm_assess_status(&std, (cm_value){CM_V_NUM, 0}, &t), CM_ST_PASS);
    assert_int_equal(cm_assess_status(&std, (cm_value){CM_V_NUM, 1}, &t), CM_ST_FAIL);
    assert_int_equal(cm_assess_status(&std, (cm_value){CM_V_NUM, 0.4}, &t),
                     CM_ST_PASS);   /* 0 decimals: prints 0 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_from_failures),
        cmocka_unit_test(results_for_city_and_counties),
        cmocka_unit_test(not_a_city),
        cmocka_unit_test(status_as_printed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
