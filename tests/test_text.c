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

/* The monitoring paragraph of issue 4: up, down, level, and a change not
 * known (empty value: every comparison false, so {else} is written). */
static void test_monitoring_sentence(void **state)
{
    (void)state;
    static const char tmpl[] =
        "{year}年{month}月,我市在全国{n}个{group_name}中排名第{rank}位,"
        "{if d_month > 0}较上月上升{d_month}位{elif d_month < 0}较上月下降"
        "{abs:d_month}位{else}与上月持平{end}。";
    static const struct {
        const char *d_month, *want;
    } cases[] = {
        {"3", "较上月上升3位。"},
        {"-12", "较上月下降12位。"},
        {"0", "与上月持平。"},
        {"", "与上月持平。"},
        {NULL, "与上月持平。"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const cm_text_var vars[] = {
            {"year", "2019"}, {"month", "6"}, {"n", "261"},
            {"group_name", "地级市"}, {"rank", "113"},
            {"d_month", cases[i].d_month},
        };
        char *out = NULL;
        cm_diag d;
        cm_diag_clear(&d);
        assert_int_equal(cm_text_render(tmpl, vars, 6, &out, &d), CM_OK);
        char want[256];
        snprintf(want, sizeof want, "2019年6月,我市在全国261个地级市中排名"
                                    "第113位,%s", cases[i].want);
        assert_string_equal(out, want);
        free(out);
    }
    const char *const allowed[] = {"year", "month", "n", "group_name",
                                   "rank", "d_month"};
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_text_check(tmpl, allowed, 6, &d), CM_OK);
}

static void test_conditionals(void **state)
{
    (void)state;
    const cm_text_var vars[] = {
        {"pos", "3"},    {"neg", "-2.5"}, {"zero", "0"},  {"empty", ""},
        {"none", NULL},  {"word", "地级市"}, {"dec", "0.50"}, {"one", "1"},
        {"padded", " 7 "}, {"minus0", "-0"}, {"big", "1e3"},
    };
    static const struct {
        const char *tmpl, *want;
    } cases[] = {
        /* abs */
        {"{abs:neg}", "2.5"},
        {"{abs:pos}", "3"},
        {"[{abs:empty}][{abs:none}]", "[][]"},
        {"{abs:word}", "地级市"},
        {"{abs:minus0}", "0"},
        /* each operator, true and false */
        {"{if pos > 2}T{else}F{end}", "T"},
        {"{if pos > 3}T{else}F{end}", "F"},
        {"{if pos >= 3}T{else}F{end}", "T"},
        {"{if pos >= 3.5}T{else}F{end}", "F"},
        {"{if neg < -2}T{else}F{end}", "T"},
        {"{if neg < -2.5}T{else}F{end}", "F"},
        {"{if neg <= -2.5}T{else}F{end}", "T"},
        {"{if dec == 0.5}T{else}F{end}", "T"},
        {"{if dec == +0.5}T{else}F{end}", "T"},
        {"{if dec != 0.5}T{else}F{end}", "F"},
        {"{if zero != 1}T{else}F{end}", "T"},
        {"{if zero == 0}T{else}F{end}", "T"},
        {"{if big == 1000}T{else}F{end}", "T"},
        {"{if padded == 7}T{else}F{end}", "T"},
        {"{if  pos>2 }T{end}", "T"},
        {"{if\tpos\t>\t2}T{end}", "T"},
        /* missing, empty or non-numeric values: every comparison false */
        {"{if empty == 0}T{else}F{end}", "F"},
        {"{if empty != 0}T{else}F{end}", "F"},
        {"{if none < 1}T{else}F{end}", "F"},
        {"{if none != 1}T{else}F{end}", "F"},
        {"{if word > 0}T{elif word <= 0}U{else}F{end}", "F"},
        /* bare names */
        {"{if pos}T{else}F{end}", "T"},
        {"{if zero}T{else}F{end}", "F"},
        {"{if empty}T{else}F{end}", "F"},
        {"{if none}T{else}F{end}", "F"},
        {"{if word}T{else}F{end}", "T"},
        {"{if minus0}T{else}F{end}", "T"},   /* "0" only is false */
        /* no else: nothing; elif chains take the first true branch */
        {"a{if zero}T{end}b", "ab"},
        {"{if zero}A{elif one}B{elif pos}C{else}D{end}", "B"},
        {"{if zero}A{elif empty}B{elif pos > 5}C{end}", ""},
        {"{if zero}A{elif empty}B{else}D{end}", "D"},
        {"{if one}A{elif one}B{else}D{end}", "A"},
        /* placeholders and escapes inside branches */
        {"{if pos > 0}上升{pos}位{{!}}{end}", "上升3位{!}"},
        {"{if zero}{word}{else}{{x}}{end}", "{x}"},
        /* nesting */
        {"{if one}a{if zero}b{else}c{end}d{else}e{if one}f{end}{end}",
         "acd"},
        {"{if zero}a{if one}b{else}c{end}d{else}e{if one}f{end}{end}",
         "ef"},
        {"{if zero}{if one}x{else}y{end}{elif one}z{end}", "z"},
        {"{if one}{if one}{if one}{if one}{if one}{if one}{if one}{if one}"
         "deep{end}{end}{end}{end}{end}{end}{end}{end}",
         "deep"},
        /* near-keywords are plain placeholders; keywords only in braces */
        {"if else end {word}", "if else end 地级市"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL;
        cm_diag d;
        cm_diag_clear(&d);
        cm_error e = cm_text_render(cases[i].tmpl, vars,
                                    sizeof vars / sizeof vars[0], &out, &d);
        if (e != CM_OK)
            fail_msg("render \"%s\": %s (column %ld)", cases[i].tmpl, d.msg,
                     d.column);
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("render \"%s\" = \"%s\", want \"%s\"", cases[i].tmpl,
                     out, cases[i].want);
        free(out);
    }
    /* "{ending}" and "{if_x}" are names, not keywords */
    const cm_text_var kw[] = {{"ending", "E"}, {"if_x", "I"}, {"abs", "A"}};
    char *out = NULL;
    assert_int_equal(cm_text_render("{ending}{if_x}{abs}{abs:if_x}", kw, 3,
                                    &out, NULL),
                     CM_OK);
    assert_string_equal(out, "EIAI");
    free(out);
}

static void test_block_errors(void **state)
{
    (void)state;
    const char *const allowed[] = {"d", "x"};
    const cm_text_var vars[] = {{"d", "1"}, {"x", "x"}};
    static const char deep9[] =
        "{if d}{if d}{if d}{if d}{if d}{if d}{if d}{if d}{if d}"
        "{end}{end}{end}{end}{end}{end}{end}{end}{end}";
    static const struct {
        const char *tmpl;
        cm_error code;
        long column;
        const char *msg;
    } cases[] = {
        {"ab{end}", CM_ERR_SYNTAX, 3, "{end} without {if}"},
        {"{else}", CM_ERR_SYNTAX, 1, "{else} without {if}"},
        {"x{elif d}", CM_ERR_SYNTAX, 2, "{elif} without {if}"},
        {"{if d}a{end}{end}", CM_ERR_SYNTAX, 13, "{end} without {if}"},
        {"{if d}a", CM_ERR_SYNTAX, 1, "{if} without {end}"},
        {"{if d}{if x}a{end}", CM_ERR_SYNTAX, 1, "{if} without {end}"},
        {"{if d}{end}{if x}{if d}{end}", CM_ERR_SYNTAX, 12,
         "{if} without {end}"},
        {"{if d}a{else}b{elif x}c{end}", CM_ERR_SYNTAX, 15,
         "{elif} after {else}"},
        {"{if d}a{else}b{else}c{end}", CM_ERR_SYNTAX, 15,
         "second {else} in one {if}"},
        {deep9, CM_ERR_SYNTAX, 49, "{if} nested deeper than 8"},
        {"{if dd > 0}a{end}", CM_ERR_NAME, 5, "unknown name 'dd' in condition"},
        {"{if d}a{elif  yy}b{end}", CM_ERR_NAME, 15,
         "unknown name 'yy' in condition"},
        /* names are checked in branches that are not taken */
        {"{if d}a{else}{y}{end}", CM_ERR_NAME, 14, "unknown placeholder {y}"},
        {"{abs:dd}", CM_ERR_NAME, 1, "unknown placeholder {dd}"},
        {"{if}", CM_ERR_SYNTAX, 1,
         "malformed {if ...}: write {if name} or {if name OP number}, OP one "
         "of > >= < <= == !="},
        {"x{if d >}a{end}", CM_ERR_SYNTAX, 2,
         "malformed {if ...}: write {if name} or {if name OP number}, OP one "
         "of > >= < <= == !="},
        {"{if d => 1}a{end}", CM_ERR_SYNTAX, 1,
         "malformed {if ...}: write {if name} or {if name OP number}, OP one "
         "of > >= < <= == !="},
        {"{if d > x}a{end}", CM_ERR_SYNTAX, 1,
         "malformed {if ...}: write {if name} or {if name OP number}, OP one "
         "of > >= < <= == !="},
        {"{if d > 1.}a{end}", CM_ERR_SYNTAX, 1,
         "malformed {if ...}: write {if name} or {if name OP number}, OP one "
         "of > >= < <= == !="},
        {"{if D}a{end}", CM_ERR_SYNTAX, 1,
         "malformed {if ...}: write {if name} or {if name OP number}, OP one "
         "of > >= < <= == !="},
        {"{if d}a{elif}b{end}", CM_ERR_SYNTAX, 8,
         "malformed {elif ...}: write {elif name} or {elif name OP number}, "
         "OP one of > >= < <= == !="},
        {"{if d}a{end d}", CM_ERR_SYNTAX, 8,
         "malformed {end}: nothing may follow the word"},
        {"{if d}a{else }b{end}", CM_ERR_SYNTAX, 8,
         "malformed {else}: nothing may follow the word"},
        {"{abs:}", CM_ERR_SYNTAX, 1, "malformed {abs:...}: write {abs:name}"},
        {"{abs:D}", CM_ERR_SYNTAX, 1, "malformed {abs:...}: write {abs:name}"},
        {"{if d}{{{end}", CM_OK, 0, NULL},
        {"{if d}a}{end}", CM_ERR_SYNTAX, 8,
         "lone '}' (write }} for a literal brace)"},
        {"{if d > 0", CM_ERR_SYNTAX, 1,
         "lone '{' (write {{ for a literal brace)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cm_diag d;
        cm_diag_clear(&d);
        cm_error want = cases[i].code;
        cm_error e = cm_text_check(cases[i].tmpl, allowed, 2, &d);
        if (e != want)
            fail_msg("check \"%s\": code %d (%s), want %d", cases[i].tmpl,
                     (int)e, d.msg, (int)want);
        char *out = (char *)1;
        cm_diag rd;
        cm_diag_clear(&rd);
        assert_int_equal(cm_text_render(cases[i].tmpl, vars, 2, &out, &rd),
                         want);
        if (want == CM_OK) {
            free(out);
            continue;
        }
        assert_null(out);
        if (d.column != cases[i].column || rd.column != cases[i].column)
            fail_msg("\"%s\": column %ld/%ld, want %ld", cases[i].tmpl,
                     d.column, rd.column, cases[i].column);
        assert_string_equal(d.msg, cases[i].msg);
        assert_string_equal(rd.msg, cases[i].msg);
    }
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
        cmocka_unit_test(test_monitoring_sentence),
        cmocka_unit_test(test_conditionals),
        cmocka_unit_test(test_block_errors),
        cmocka_unit_test(test_first_error_kept),
        cmocka_unit_test(test_number),
        cmocka_unit_test(test_period_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
