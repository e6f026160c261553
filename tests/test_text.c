/*
 * test_text.c - templates (seed 000 annex 2 wording), numbers written as a
 * person rounds them, and period parts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void test_render_seed_000(void **state)
{
    (void)state;
    /* seed 000, annex 2, row 1, 问题描述 */
    const cm_text_var vars[] = {
        {"value", "1.8"},
        {"unit", "%"},
        {"benchmark_label", "地级市平均水平"},
        {"benchmark", "1.31"},
    };
    char *out = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(
        cm_text_render("黑名单数量占工商企业数量比重为{value}{unit},高于"
                       "{benchmark_label}({benchmark}{unit})",
                       vars, 4, &out, &d),
        CM_OK);
    assert_string_equal(out, "黑名单数量占工商企业数量比重为1.8%,高于"
                             "地级市平均水平(1.31%)");
    assert_int_equal(d.code, CM_OK);
    free(out);
}

static void test_render_cases(void **state)
{
    (void)state;
    const cm_text_var vars[] = {
        {"city", "雅安市"}, {"year", "2018"}, {"empty", NULL}, {"x_1", "v"},
    };
    static const struct {
        const char *tmpl, *want;
    } cases[] = {
        {"", ""},
        {"no placeholders", "no placeholders"},
        {"{city}{year}年", "雅安市2018年"},
        {"{{city}}", "{city}"},
        {"{{{city}}}", "{雅安市}"},
        {"a}}b{{c", "a}b{c"},
        {"[{empty}]", "[]"},
        {"{x_1}{x_1}", "vv"},
        {"{year}", "2018"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL;
        cm_diag d;
        cm_diag_clear(&d);
        assert_int_equal(cm_text_render(cases[i].tmpl, vars, 4, &out, &d),
                         CM_OK);
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("render \"%s\" = \"%s\", want \"%s\"", cases[i].tmpl,
                     out, cases[i].want);
        free(out);
    }
}

static void test_errors(void **state)
{
    (void)state;
    const char *const allowed[] = {"value", "unit"};
    const cm_text_var vars[] = {{"value", "1"}, {"unit", "%"}};
    static const struct {
        const char *tmpl;
        cm_error code;
        long column;
        const char *msg;
    } cases[] = {
        {"比重为{valu}{unit}", CM_ERR_NAME, 10, "unknown placeholder {valu}"},
        {"{value", CM_ERR_SYNTAX, 1, "lone '{' (write {{ for a literal brace)"},
        {"ab}", CM_ERR_SYNTAX, 3, "lone '}' (write }} for a literal brace)"},
        {"{Value}", CM_ERR_SYNTAX, 1, "lone '{' (write {{ for a literal brace)"},
        {"{}", CM_ERR_SYNTAX, 1, "lone '{' (write {{ for a literal brace)"},
        {"{value}}", CM_ERR_SYNTAX, 8, "lone '}' (write }} for a literal brace)"},
        {"{value}{unit}{v2}", CM_ERR_NAME, 14, "unknown placeholder {v2}"},
        {"ok\xff{value}", CM_ERR_ENCODING, 3, "invalid UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cm_diag d;
        cm_diag_clear(&d);
        assert_int_equal(cm_text_check(cases[i].tmpl, allowed, 2, &d),
                         cases[i].code);
        assert_int_equal(d.code, cases[i].code);
        if (d.column != cases[i].column)
            fail_msg("check \"%s\": column %ld, want %ld", cases[i].tmpl,
                     d.column, cases[i].column);
        assert_string_equal(d.msg, cases[i].msg);

        char *out = (char *)1;
        cm_diag_clear(&d);
        assert_int_equal(cm_text_render(cases[i].tmpl, vars, 2, &out, &d),
                         cases[i].code);
        assert_null(out);
        assert_int_equal(d.column, cases[i].column);
    }
    /* a valid template passes the check */
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_text_check("{value}{unit} {{x}}", allowed, 2, &d),
                     CM_OK);
    /* with nothing allowed, any placeholder is unknown */
    assert_int_equal(cm_text_check("{value}", NULL, 0, &d), CM_ERR_NAME);
    /* a NULL diagnostic is allowed */
    assert_int_equal(cm_text_check("{nope}", allowed, 2, NULL), CM_ERR_NAME);
}

static void test_first_error_kept(void **state)
{
    (void)state;
    cm_diag d;
    cm_diag_clear(&d);
    cm_diag_set(&d, CM_ERR_FIELD, "f.csv", 3, "x", "earlier");
    d.column = 7;
    assert_int_equal(cm_text_check("}", NULL, 0, &d), CM_ERR_SYNTAX);
    assert_int_equal(d.code, CM_ERR_FIELD);
    assert_int_equal(d.column, 7);
    assert_string_equal(d.msg, "earlier");
}

static void test_number(void **state)
{
    (void)state;
    static const struct {
        double v;
        int decimals, trim;
        const char *want;
    } cases[] = {
        {1.005, 2, 1, "1.01"},     {2.675, 2, 1, "2.68"},
        {0.125, 2, 1, "0.13"},     {1.80, 2, 1, "1.8"},
        {1.80, 2, 0, "1.80"},      {2.00, 2, 1, "2"},
        {2.00, 2, 0, "2.00"},      {0.53, 2, 1, "0.53"},
        {1571, 0, 1, "1571"},      {1571, 2, 1, "1571"},
        {-0.004, 2, 1, "0"},       {-0.004, 2, 0, "0.00"},
        {-0.005, 2, 1, "-0.01"},   {-2.675, 2, 1, "-2.68"},
        {-0.0, 1, 1, "0"},         {0, 0, 1, "0"},
        {9.995, 2, 1, "10"},       {9.995, 2, 0, "10.00"},
        {99.5, 0, 1, "100"},       {0.5, 0, 1, "1"},
        {-0.5, 0, 1, "-1"},        {0.49999, 0, 1, "0"},
        {2.13, 2, 1, "2.13"},      {1.31, 2, 1, "1.31"},
        {0.001, 3, 1, "0.001"},    {0.0005, 3, 1, "0.001"},
        {0.00005, 4, 0, "0.0001"}, {1e-300, 2, 1, "0"},
        {123456789.125, 2, 1, "123456789.13"},
        {1e21, 0, 1, "1000000000000000000000"},
        {0.1 + 0.2, 2, 1, "0.3"},  {85, 1, 0, "85.0"},
        {1.234, -3, 1, "1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        int n = cm_text_number(cases[i].v, cases[i].decimals, cases[i].trim,
                               buf, sizeof buf);
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("number %.17g/%d/%d = \"%s\", want \"%s\"", cases[i].v,
                     cases[i].decimals, cases[i].trim, buf, cases[i].want);
        assert_int_equal(n, (int)strlen(cases[i].want));
    }
    /* like snprintf: truncates, returns the full length */
    char small[4];
    assert_int_equal(cm_text_number(123456.0, 0, 1, small, sizeof small), 6);
    assert_string_equal(small, "123");
    assert_int_equal(cm_text_number(1.5, 1, 1, NULL, 0), 3);
}

static void test_period_parts(void **state)
{
    (void)state;
    static const struct {
        const char *p;
        int ok, year, month;
    } cases[] = {
        {"2018-12", 1, 2018, 12}, {"2019-06", 1, 2019, 6},
        {"2019-01", 1, 2019, 1},  {"2019-Q2", 1, 2019, 0},
        {"2019-Q4", 1, 2019, 0},  {"2019", 1, 2019, 0},
        {"2019-13", 0, 0, 0},     {"2019-00", 0, 0, 0},
        {"2019-Q5", 0, 0, 0},     {"2019-6", 0, 0, 0},
        {"19-06", 0, 0, 0},       {"", 0, 0, 0},
        {"2019-06-01", 0, 0, 0},  {"２０１９", 0, 0, 0},
        {"2019/06", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int y = -1, m = -1;
        int ok = cm_text_period_parts(cases[i].p, &y, &m);
        if (ok != cases[i].ok)
            fail_msg("period \"%s\": ok %d, want %d", cases[i].p, ok,
                     cases[i].ok);
        if (ok) {
            assert_int_equal(y, cases[i].year);
            assert_int_equal(m, cases[i].month);
        }
    }
    assert_int_equal(cm_text_period_parts(NULL, NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_seed_000),
        cmocka_unit_test(test_render_cases),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_first_error_kept),
        cmocka_unit_test(test_number),
        cmocka_unit_test(test_period_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
