/*
 * test_target.c - targets as the seeds write them: every target cell of
 * seed 001's indicator table, seed 004's numeric standards and the words of
 * seeds 000 and 003, read into kind, comparator, value and unit; texts that
 * must be refused; comparisons at their boundaries; the qualitative targets
 * over yearly series; and the 指标属性 column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "target.h"

#define COUNT(a) (sizeof(a) / sizeof *(a))

static const struct good {
    const char *text;
    cm_target_kind kind;
    cm_cmp cmp;
    double value;
    const char *unit;
} good[] = {
    /* seed 001, "十三五"时期乌海市社会信用体系建设指标: every target cell */
    {">80%", CM_TG_COMPARE, CM_CMP_GT, 80, "%"},
    {"100%", CM_TG_COMPARE, CM_CMP_GE, 100, "%"},
    {">50%", CM_TG_COMPARE, CM_CMP_GT, 50, "%"},
    {">90%", CM_TG_COMPARE, CM_CMP_GT, 90, "%"},
    {">2家", CM_TG_COMPARE, CM_CMP_GT, 2, "家"},
    /* 市级公共信用信息平台: "1" in both years, one platform: reach it */
    {"1", CM_TG_COMPARE, CM_CMP_GE, 1, ""},
    {">5家", CM_TG_COMPARE, CM_CMP_GT, 5, "家"},
    {">95%", CM_TG_COMPARE, CM_CMP_GT, 95, "%"},
    {"大幅增长", CM_TG_GROWTH, CM_CMP_GE, 0, ""},
    {"逐年提升", CM_TG_RISING, CM_CMP_GT, 0, ""},
    /* seed 004, 考评标准 numbers as written (spaces included) */
    {"≥ 80%", CM_TG_COMPARE, CM_CMP_GE, 80, "%"},
    {"≥70%", CM_TG_COMPARE, CM_CMP_GE, 70, "%"},
    {"<   0%", CM_TG_COMPARE, CM_CMP_LT, 0, "%"},
    {"<   2%", CM_TG_COMPARE, CM_CMP_LT, 2, "%"},
    {"30%以上", CM_TG_COMPARE, CM_CMP_GE, 30, "%"},
    {"50%以上", CM_TG_COMPARE, CM_CMP_GE, 50, "%"},
    {"低于万分之一", CM_TG_COMPARE, CM_CMP_LT, 0.01, "%"},
    {"至少低于万分之一", CM_TG_COMPARE, CM_CMP_LT, 0.01, "%"},
    {"达到100%", CM_TG_COMPARE, CM_CMP_GE, 100, "%"},
    {"90%以上", CM_TG_COMPARE, CM_CMP_GE, 90, "%"},
    {"  90%以上", CM_TG_COMPARE, CM_CMP_GE, 90, "%"},
    {"超过50%", CM_TG_COMPARE, CM_CMP_GT, 50, "%"},
    {"为0", CM_TG_COMPARE, CM_CMP_EQ, 0, ""},
    {"力争为0", CM_TG_COMPARE, CM_CMP_EQ, 0, ""},
    {"清零", CM_TG_COMPARE, CM_CMP_EQ, 0, ""},
    {"100%覆盖", CM_TG_COMPARE, CM_CMP_GE, 100, "%"},
    {"10 个以上", CM_TG_COMPARE, CM_CMP_GE, 10, "个"},
    {"80%以上", CM_TG_COMPARE, CM_CMP_GE, 80, "%"},
    /* seed 000 */
    {"不低于30%", CM_TG_COMPARE, CM_CMP_GE, 30, "%"},
    {"较上年提升30位", CM_TG_RANK_UP, CM_CMP_GE, 30, "位"},
    {"力争较上年提升30位", CM_TG_RANK_UP, CM_CMP_GE, 30, "位"},
    {"保持全省中上水平", CM_TG_RANK_UPPER, CM_CMP_GE, 0, ""},
    /* seed 003 */
    {"不超过0.005%", CM_TG_COMPARE, CM_CMP_LE, 0.005, "%"},
    /* target.h's list and the definitions' own "> 0", "= 0" */
    {">=90%", CM_TG_COMPARE, CM_CMP_GE, 90, "%"},
    {"≥30%", CM_TG_COMPARE, CM_CMP_GE, 30, "%"},
    {"<2%", CM_TG_COMPARE, CM_CMP_LT, 2, "%"},
    {"<0%", CM_TG_COMPARE, CM_CMP_LT, 0, "%"},
    {"<0", CM_TG_COMPARE, CM_CMP_LT, 0, ""},
    {"=0", CM_TG_COMPARE, CM_CMP_EQ, 0, ""},
    {"= 0", CM_TG_COMPARE, CM_CMP_EQ, 0, ""},
    {"> 0", CM_TG_COMPARE, CM_CMP_GT, 0, ""},
    {"< 0.1", CM_TG_COMPARE, CM_CMP_LT, 0.1, ""},
    {"<= 5", CM_TG_COMPARE, CM_CMP_LE, 5, ""},
    {"＞80%", CM_TG_COMPARE, CM_CMP_GT, 80, "%"},
    {"＜2%", CM_TG_COMPARE, CM_CMP_LT, 2, "%"},
    {"＝0", CM_TG_COMPARE, CM_CMP_EQ, 0, ""},
    {"＞＝85%", CM_TG_COMPARE, CM_CMP_GE, 85, "%"},
    {"≤ 1.5%", CM_TG_COMPARE, CM_CMP_LE, 1.5, "%"},
    {"80％", CM_TG_COMPARE, CM_CMP_GE, 80, "%"},
    {"低于2%", CM_TG_COMPARE, CM_CMP_LT, 2, "%"},
    {"高于60分", CM_TG_COMPARE, CM_CMP_GT, 60, "分"},
    {"不高于3条", CM_TG_COMPARE, CM_CMP_LE, 3, "条"},
    {"不少于5项", CM_TG_COMPARE, CM_CMP_GE, 5, "项"},
    {"达到90%以上", CM_TG_COMPARE, CM_CMP_GE, 90, "%"},
    {"3家", CM_TG_COMPARE, CM_CMP_GE, 3, "家"},
    {"100人", CM_TG_COMPARE, CM_CMP_GE, 100, "人"},
    /* fractions: 万分之N = N/100 %, 千分之N = N‰ = N/10 % */
    {"千分之五", CM_TG_COMPARE, CM_CMP_GE, 0.5, "%"},
    {"低于千分之三", CM_TG_COMPARE, CM_CMP_LT, 0.3, "%"},
    {"<5‰", CM_TG_COMPARE, CM_CMP_LT, 0.5, "%"},
    {"万分之十五", CM_TG_COMPARE, CM_CMP_GE, 0.15, "%"},
    {"<万分之二十", CM_TG_COMPARE, CM_CMP_LT, 0.2, "%"},
    {"低于万分之1.5", CM_TG_COMPARE, CM_CMP_LT, 0.015, "%"},
    {"> -5%", CM_TG_COMPARE, CM_CMP_GT, -5, "%"},
    /* yes/no standards */
    {"建成", CM_TG_COMPARE, CM_CMP_EQ, 1, ""},
    {"是", CM_TG_COMPARE, CM_CMP_EQ, 1, ""},
    {"实现", CM_TG_COMPARE, CM_CMP_EQ, 1, ""},
    {"全覆盖", CM_TG_COMPARE, CM_CMP_GE, 100, "%"},
};

static const char *const bad[] = {
    "",
    "   ",
    "≈80%",
    ">",
    ">abc",
    "８０%",       /* full-width digits */
    ">８０%",
    "高于",
    "=> 3",
    "==3",
    "大约80%",
    "80%%",
    ">80% 左右",
    "1e3%",
    "inf%",
    ">.5%",
    ">5.%",
    "8 0%",
    "低于5%以上",   /* comparator and suffix disagree */
    "万分之",
    "万分之零十",
    "较上年提升位",
    "较上年提升0位",
    "提升3.5位",
    "大幅增长了",
    "不少于国家层面实施联合奖惩领域数量",  /* seed 004: not a fixed number */
    ">1234567890123456%",
    "≥ 80%。金融案件执结率",
};

static void test_good(void **state)
{
    (void)state;
    assert_true(COUNT(good) >= 40);
    for (size_t i = 0; i < COUNT(good); i++) {
        cm_target t;
        cm_diag d;
        cm_diag_clear(&d);
        cm_error e = cm_target_parse(good[i].text, &t, &d);
        if (e != CM_OK)
            print_error("'%s': %s\n", good[i].text, d.msg);
        assert_int_equal(e, CM_OK);
        assert_int_equal(d.code, CM_OK);
        if (t.kind != good[i].kind || t.cmp != good[i].cmp ||
            fabs(t.value - good[i].value) > 1e-12 ||
            strcmp(t.unit, good[i].unit) != 0)
            print_error("'%s': kind %d cmp %d value %g unit '%s'\n",
                        good[i].text, (int)t.kind, (int)t.cmp, t.value,
                        t.unit);
        assert_int_equal(t.kind, good[i].kind);
        assert_int_equal(t.cmp, good[i].cmp);
        assert_true(fabs(t.value - good[i].value) <= 1e-12);
        assert_string_equal(t.unit, good[i].unit);
    }
}

static void test_text_trimmed(void **state)
{
    (void)state;
    cm_target t;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_target_parse("  <   2%\t", &t, &d), CM_OK);
    assert_string_equal(t.text, "<   2%");
    /* U+3000 around a pasted cell */
    assert_int_equal(cm_target_parse("\xE3\x80\x80>80%\xE3\x80\x80", &t, &d),
                     CM_OK);
    assert_string_equal(t.text, ">80%");
    assert_int_equal(cm_target_parse("低于万分之一", &t, &d), CM_OK);
    assert_string_equal(t.text, "低于万分之一");
}

static void test_bad(void **state)
{
    (void)state;
    assert_true(COUNT(bad) >= 12);
    for (size_t i = 0; i < COUNT(bad); i++) {
        cm_target t;
        cm_diag d;
        cm_diag_clear(&d);
        cm_error e = cm_target_parse(bad[i], &t, &d);
        if (e != CM_ERR_DEFINITION)
            print_error("'%s' was read: kind %d cmp %d value %g unit '%s'\n",
                        bad[i], (int)t.kind, (int)t.cmp, t.value, t.unit);
        assert_int_equal(e, CM_ERR_DEFINITION);
        assert_int_equal(d.code, CM_ERR_DEFINITION);
        assert_non_null(strstr(d.msg, "(expected e.g. >80%"));
        /* the caller locates it */
        assert_string_equal(d.file, "");
        assert_int_equal(d.line, 0);
    }
    cm_diag d;
    cm_target t;
    cm_diag_clear(&d);
    cm_target_parse("≈80%", &t, &d);
    assert_string_equal(d.msg,
                        "cannot read the target '≈80%' (expected e.g. >80%, "
                        "≥30%, 低于万分之一, 大幅增长, 逐年提升)");
    /* NULL text and a NULL diagnostic */
    assert_int_equal(cm_target_parse(NULL, &t, NULL), CM_ERR_DEFINITION);
    assert_int_equal(cm_target_parse("大约80%", &t, NULL), CM_ERR_DEFINITION);
}

static void test_long_text(void **state)
{
    (void)state;
    char buf[600];
    size_t n = 0;
    buf[n++] = '>';
    while (n + 3 < sizeof buf) {
        memcpy(buf + n, "约", 3); /* 3 bytes */
        n += 3;
    }
    buf[n] = '\0';
    cm_target t;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_target_parse(buf, &t, &d), CM_ERR_DEFINITION);
    /* text capped on a character boundary: '>' and whole 约 */
    size_t len = strlen(t.text);
    assert_true(len < sizeof t.text);
    assert_int_equal((len - 1) % 3, 0);
}

static double value_of(const char *text, cm_target *t)
{
    assert_int_equal(cm_target_parse(text, t, NULL), CM_OK);
    return t->value;
}

static void test_met(void **state)
{
    (void)state;
    cm_target t;
    value_of(">80%", &t);
    assert_int_equal(cm_target_met(&t, 80), 0);
    assert_int_equal(cm_target_met(&t, 80.01), 1);
    value_of(">=80%", &t);
    assert_int_equal(cm_target_met(&t, 80), 1);
    assert_int_equal(cm_target_met(&t, 79.99), 0);
    value_of("≥ 80%", &t);
    assert_int_equal(cm_target_met(&t, 80), 1);
    value_of("<   0%", &t);
    assert_int_equal(cm_target_met(&t, 0), 0);
    assert_int_equal(cm_target_met(&t, -3.2), 1);
    value_of("= 0", &t);
    assert_int_equal(cm_target_met(&t, 0), 1);
    assert_int_equal(cm_target_met(&t, 1), 0);
    value_of("100%", &t);
    assert_int_equal(cm_target_met(&t, 100), 1);
    assert_int_equal(cm_target_met(&t, 99.9), 0);
    value_of("低于万分之一", &t);
    assert_int_equal(cm_target_met(&t, 0.01), 0);
    assert_int_equal(cm_target_met(&t, 0.009), 1);
    value_of("90%以上", &t);
    assert_int_equal(cm_target_met(&t, 90), 1);
    value_of(">2家", &t);
    assert_int_equal(cm_target_met(&t, 2), 0);
    assert_int_equal(cm_target_met(&t, 3), 1);
    value_of("建成", &t);
    assert_int_equal(cm_target_met(&t, 1), 1);
    assert_int_equal(cm_target_met(&t, 0), 0);
    /* computed 0.1 + 0.2 meets = 0.3 (cm_defs_cmp_holds' tolerance) */
    value_of("= 0.3", &t);
    assert_int_equal(cm_target_met(&t, 0.1 + 0.2), 1);
    value_of("较上年提升30位", &t);
    assert_int_equal(cm_target_met(&t, 30), 1);
    assert_int_equal(cm_target_met(&t, 29), 0);
    value_of("大幅增长", &t);
    assert_int_equal(cm_target_met(&t, 1000), 0); /* a series target */
    assert_int_equal(cm_target_met(NULL, 1), 0);
    value_of(">80%", &t);
    assert_int_equal(cm_target_met(&t, NAN), 0);
}

static void test_series(void **state)
{
    (void)state;
    cm_target g, r, c;
    value_of("大幅增长", &g);
    value_of("逐年提升", &r);
    value_of(">80%", &c);

    const double met[] = {100, 160}, missed[] = {100, 140};
    const double from0[] = {0, 5}, flat0[] = {0, 0}, one[] = {100};
    const double at[] = {100, 150}, via[] = {100, 20, 151};
    assert_int_equal(cm_target_series_met(&g, met, 2, 50), 1);
    assert_int_equal(cm_target_series_met(&g, missed, 2, 50), 0);
    assert_int_equal(cm_target_series_met(&g, at, 2, 50), 1); /* >= */
    assert_int_equal(cm_target_series_met(&g, via, 3, 50), 1); /* base->last */
    assert_int_equal(cm_target_series_met(&g, from0, 2, 50), 1);
    assert_int_equal(cm_target_series_met(&g, flat0, 2, 50), 0);
    assert_int_equal(cm_target_series_met(&g, one, 1, 50), -1);
    assert_int_equal(cm_target_series_met(&g, NULL, 0, 50), -1);

    const double up[] = {1, 2, 3}, same[] = {1, 2, 2}, down[] = {3, 2};
    assert_int_equal(cm_target_series_met(&r, up, 3, 0), 1);
    assert_int_equal(cm_target_series_met(&r, same, 3, 0), 0);
    assert_int_equal(cm_target_series_met(&r, down, 2, 0), 0);
    assert_int_equal(cm_target_series_met(&r, one, 1, 0), -1);
    const double nan2[] = {1, NAN};
    assert_int_equal(cm_target_series_met(&r, nan2, 2, 0), 0);

    /* not a series target */
    assert_int_equal(cm_target_series_met(&c, up, 3, 0), -1);
}

static void test_attribute(void **state)
{
    (void)state;
    assert_int_equal(cm_target_attribute("约束性"), CM_ATTR_BINDING);
    assert_int_equal(cm_target_attribute("指导性"), CM_ATTR_GUIDING);
    assert_int_equal(cm_target_attribute("预期性"), CM_ATTR_EXPECTED);
    assert_int_equal(cm_target_attribute(" 约束性 "), CM_ATTR_BINDING);
    assert_int_equal(cm_target_attribute(""), CM_ATTR_NONE);
    assert_int_equal(cm_target_attribute("  "), CM_ATTR_NONE);
    assert_int_equal(cm_target_attribute(NULL), CM_ATTR_NONE);
    assert_int_equal(cm_target_attribute("约束"), -1);
    assert_int_equal(cm_target_attribute("约束性性"), -1);
    assert_int_equal(cm_target_attribute("binding"), -1);
    assert_string_equal(cm_target_attribute_text(CM_ATTR_NONE), "");
    assert_string_equal(cm_target_attribute_text(CM_ATTR_BINDING), "约束性");
    assert_string_equal(cm_target_attribute_text(CM_ATTR_GUIDING), "指导性");
    assert_string_equal(cm_target_attribute_text(CM_ATTR_EXPECTED), "预期性");
    assert_string_equal(cm_target_attribute_text((cm_attribute)9), "");
    /* the table and the reader agree */
    for (int a = CM_ATTR_BINDING; a <= CM_ATTR_EXPECTED; a++)
        assert_int_equal(
            cm_target_attribute(cm_target_attribute_text((cm_attribute)a)), a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_text_trimmed),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_long_text),
        cmocka_unit_test(test_met),
        cmocka_unit_test(test_series),
        cmocka_unit_test(test_attribute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
