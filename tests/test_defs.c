/*
 * test_defs.c - the definitions loader: the example set the lead ships,
 * a folder read in file-name order with references across files, a table
 * of bad definitions each located at its line and key, and fixed standards
 * (targets) with their comparisons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "defs.h"

static const char example[] =
    "[benchmark prefecture_avg]\n"
    "name = 地级市平均水平\n"
    "source = published\n"
    "\n"
    "[element enterprises]\n"
    "name = 工商企业数量\n"
    "unit = 家\n"
    "\n"
    "[element blacklist]\n"
    "name = 黑名单数量\n"
    "unit = 家\n"
    "\n"
    "[element credit_awareness_business]\n"
    "name = 商业机构用信意识评价得分\n"
    "unit = 分\n"
    "rollup = none\n"
    "\n"
    "[problem blacklist]\n"
    "name = 黑名单数量占工商企业数量比重高于平均水平\n"
    "\n"
    "[indicator blacklist_share]\n"
    "name = 黑名单数量占工商企业数量比重\n"
    "category = 信用监管\n"
    "formula = blacklist / enterprises * 100\n"
    "unit = %\n"
    "decimals = 2\n"
    "better = lower\n"
    "compare = prefecture_avg\n"
    "problem = blacklist\n"
    "describe = 黑名单数量占工商企业数量比重为{value}{unit},"
    "高于{benchmark_label}({benchmark}{unit})\n"
    "\n"
    "[indicator blacklist_growth]\n"
    "name = 黑名单月度新增\n"
    "formula = blacklist - prev(blacklist)\n"
    "unit = 家\n"
    "decimals = 0\n";

static void test_example(void **state)
{
    (void)state;
    cm_defs *defs = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    cm_error rc = cm_defs_load_mem("ex.ini", example, &defs, &d);
    if (rc != CM_OK)
        fail_msg("%s:%ld: %s: %s", d.file, d.line, d.field, d.msg);
    assert_int_equal(defs->n_elements, 3);
    assert_int_equal(defs->n_benchmarks, 1);
    assert_int_equal(defs->n_problems, 1);
    assert_int_equal(defs->n_indicators, 2);
    assert_int_equal(defs->n_files, 1);
    assert_string_equal(defs->files[0], "ex.ini");

    const cm_element *el = cm_defs_element(defs, "credit_awareness_business");
    assert_non_null(el);
    assert_ptr_equal(el, &defs->elements[2]);
    assert_string_equal(el->name, "商业机构用信意识评价得分");
    assert_string_equal(el->unit, "分");
    assert_int_equal(el->rollup_sum, 0);
    assert_int_equal(el->line, 13);
    assert_string_equal(el->file, "ex.ini");
    assert_int_equal(cm_defs_element(defs, "blacklist")->rollup_sum, 1);
    assert_null(cm_defs_element(defs, "nope"));

    const cm_benchmark *bm = &defs->benchmarks[0];
    assert_string_equal(bm->id, "prefecture_avg");
    assert_string_equal(bm->name, "地级市平均水平");
    assert_int_equal(bm->source, CM_BENCH_PUBLISHED);
    assert_null(bm->level);

    const cm_indicator *in = cm_defs_indicator(defs, "blacklist_share");
    assert_non_null(in);
    assert_string_equal(in->name, "黑名单数量占工商企业数量比重");
    assert_string_equal(in->category, "信用监管");
    assert_string_equal(in->unit, "%");
    assert_string_equal(in->formula_text, "blacklist / enterprises * 100");
    assert_non_null(in->formula);
    assert_int_equal(in->formula->kind, CM_EX_MUL);
    assert_int_equal(in->formula->a->a->element, 1);
    assert_int_equal(in->formula->a->b->element, 0);
    assert_int_equal(in->max_lag, 0);
    assert_int_equal(in->decimals, 2);
    assert_int_equal(in->trim, 1);
    assert_int_equal(in->better, CM_BETTER_LOWER);
    assert_ptr_equal(in->compare, bm);
    assert_int_equal(in->has_target, 0);
    assert_null(in->target_text);
    assert_null(in->missing);
    assert_string_equal(in->describe,
                        "黑名单数量占工商企业数量比重为{value}{unit},"
                        "高于{benchmark_label}({benchmark}{unit})");
    assert_int_equal(in->line, 21);

    const cm_problem *pr = cm_defs_problem(defs, "blacklist");
    assert_non_null(pr);
    assert_ptr_equal(in->problem, pr);
    assert_int_equal(pr->number, 1);
    assert_int_equal(pr->n_indicators, 1);
    assert_ptr_equal(pr->indicators[0], in);
    assert_string_equal(pr->name, "黑名单数量占工商企业数量比重高于平均水平");

    in = cm_defs_indicator(defs, "blacklist_growth");
    assert_non_null(in);
    assert_int_equal(in->max_lag, 1);
    assert_int_equal(in->decimals, 0);
    assert_string_equal(in->category, "");
    assert_null(in->compare);
    assert_null(in->problem);
    assert_int_equal(in->better, CM_BETTER_UNSET);
    assert_null(cm_defs_indicator(defs, "blacklist"));
    cm_defs_free(defs);
    cm_defs_free(NULL);
}

/* Problems numbered by appearance, indicators kept in definition order,
 * a target parsed, and ids shared across kinds allowed. */
static void test_order_and_targets(void **state)
{
    (void)state;
    static const char text[] =
        "[problem second]\nname = 问题二\n"
        "[indicator a]\nname = A\nformula = a\ntarget = >= 85\n"
        "problem = first\ndescribe = {name}{value}\ntrim = no\n"
        "[problem first]\nname = 问题一\n"
        "[indicator b]\nname = B\nformula = a * 2\ntarget = ≤ 0.5\n"
        "problem = second\ndescribe = x\nmissing = {region}未报送\n"
        "[indicator c]\nname = C\nformula = a\ntarget = =1\n"
        "problem = first\ndescribe = y\n"
        "[element a]\nname = 元素\nunit =\n";
    cm_defs *defs = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_defs_load_mem("o.ini", text, &defs, &d) != CM_OK)
        fail_msg("%ld: %s: %s", d.line, d.field, d.msg);
    const cm_problem *first = cm_defs_problem(defs, "first");
    const cm_problem *second = cm_defs_problem(defs, "second");
    assert_int_equal(second->number, 1);
    assert_int_equal(first->number, 2);
    assert_int_equal(first->n_indicators, 2);
    assert_string_equal(first->indicators[0]->id, "a");
    assert_string_equal(first->indicators[1]->id, "c");
    assert_int_equal(second->n_indicators, 1);
    assert_string_equal(second->indicators[0]->id, "b");

    const cm_indicator *a = cm_defs_indicator(defs, "a");
    assert_int_equal(a->has_target, 1);
    assert_int_equal(a->target_cmp, CM_CMP_GE);
    assert_true(a->target == 85.0);
    assert_string_equal(a->target_text, ">= 85");
    assert_int_equal(a->trim, 0);
    assert_int_equal(a->formula->element, 0);
    const cm_indicator *b = cm_defs_indicator(defs, "b");
    assert_int_equal(b->target_cmp, CM_CMP_LE);
    assert_true(b->target == 0.5);
    assert_string_equal(b->missing, "{region}未报送");
    assert_int_equal(cm_defs_indicator(defs, "c")->target_cmp, CM_CMP_EQ);
    assert_string_equal(cm_defs_element(defs, "a")->unit, "");
    cm_defs_free(defs);
}

/* Six lines every bad case starts from: two elements and a benchmark. */
#define BASE                                                                 \
    "[element a]\nname = A\n[element b]\nname = B\n"                         \
    "[benchmark avg]\nname = 平均水平\n"

static const struct {
    const char *text;
    cm_error code;
    long line;
    const char *field;
    const char *msg_part;
    long column;        /* checked when not 0 */
} bad[] = {
    {BASE "[indicater x]\nname = X\n", CM_ERR_NAME, 7, "",
     "unknown section kind 'indicater' (did you mean 'indicator'?)", 0},
    {BASE "[widget x]\nname = X\n", CM_ERR_NAME, 7, "",
     "unknown section kind 'widget'", 0},
    {BASE "[indicator x]\nname = X\nformla = a\n", CM_ERR_NAME, 9, "formla",
     "unknown key 'formla' in [indicator x] (did you mean 'formula'?)", 0},
    {BASE "[element c]\nname = C\nsource = x\n", CM_ERR_NAME, 9, "source",
     "unknown key 'source' in [element c]", 0},
    {BASE "[element a]\nname = again\n", CM_ERR_DUPLICATE, 7, "",
     "duplicate element 'a' (first defined at defs.ini:1)", 0},
    {BASE "[indicator x]\nname = X\nname = Y\nformula = a\n",
     CM_ERR_DUPLICATE, 9, "name", "key 'name' given twice", 0},
    {BASE "[indicator x]\nname = X\n", CM_ERR_DEFINITION, 7, "formula",
     "[indicator x] has no 'formula'", 0},
    {BASE "[element c]\nunit = 家\n", CM_ERR_DEFINITION, 7, "name",
     "[element c] has no 'name'", 0},
    {BASE "[indicator x]\nname = X\nformula = a\ndecimals = 7\n",
     CM_ERR_DEFINITION, 10, "decimals", "from 0 to 6, not '7'", 0},
    {BASE "[indicator x]\nname = X\nformula = a\ndecimals = two\n",
     CM_ERR_DEFINITION, 10, "decimals", "not 'two'", 0},
    {BASE "[indicator x]\nname = X\nbetter = smaller\nformula = a\n",
     CM_ERR_DEFINITION, 9, "better", "'higher' or 'lower', not 'smaller'", 0},
    {BASE "[indicator x]\nname = X\nformula = a\ntrim = maybe\n",
     CM_ERR_DEFINITION, 10, "trim", "'yes' or 'no'", 0},
    {BASE "[indicator x]\nname = X\nformula = a\nbetter = lower\n"
          "compare = avgg\n",
     CM_ERR_REFERENCE, 11, "compare",
     "unknown benchmark 'avgg' (did you mean 'avg'?)", 0},
    {BASE "[indicator x]\nname = X\nformula = a\ntarget = > 0\n"
          "describe = d\nproblem = nowhere\n",
     CM_ERR_REFERENCE, 12, "problem", "unknown problem 'nowhere'", 0},
    {BASE "[indicator x]\nname = X\nformula = a\ntarget = => 3\n",
     CM_ERR_DEFINITION, 10, "target", "unknown comparator in target '=> 3'",
     0},
    {BASE "[indicator x]\nname = X\nformula = a\ntarget = 85\n",
     CM_ERR_DEFINITION, 10, "target", "target '85' has no comparator", 0},
    {BASE "[indicator x]\nname = X\nformula = a\ntarget = > abc\n",
     CM_ERR_DEFINITION, 10, "target", "bad number in target '> abc'", 0},
    {BASE "[indicator x]\nname = X\nformula = a\ntarget = >\n",
     CM_ERR_DEFINITION, 10, "target", "target '>' has no number", 0},
    {BASE "[indicator x]\nname = X\nformula = a\ncompare = avg\n"
          "better = higher\ntarget = >= 1\n",
     CM_ERR_DEFINITION, 12, "target",
     "give either 'compare' or 'target', not both", 0},
    {BASE "[indicator x]\nname = X\nformula = a\ncompare = avg\n",
     CM_ERR_DEFINITION, 7, "better", "has 'compare' but no 'better'", 0},
    {BASE "[indicator x]\nname = X\nformula = a\ntarget = >= 1\n"
          "problem = p\n[problem p]\nname = P\n",
     CM_ERR_DEFINITION, 7, "describe", "names a problem but has no 'describe'",
     0},
    {BASE "[indicator x]\nname = X\nformula = a\ndescribe = d\n"
          "problem = p\n[problem p]\nname = P\n",
     CM_ERR_DEFINITION, 7, "compare",
     "names a problem but has neither 'compare' nor 'target'", 0},
    {BASE "[problem p]\nname = P\n[indicator x]\nname = X\nformula = a\n",
     CM_ERR_DEFINITION, 7, "", "problem 'p' has no indicator", 0},
    {BASE "[indicator x]\nname = X\nformula = a / bb\n", CM_ERR_NAME, 9,
     "formula", "unknown element 'bb' (did you mean 'b'?)", 5},
    {BASE "[indicator x]\nname = X\nformula = a + * b\n", CM_ERR_SYNTAX, 9,
     "formula", "expected a number, name or '(' near '*'", 5},
    {BASE "[indicator x]\nname = X\nformula = a / (2 - 2)\n",
     CM_ERR_DEFINITION, 9, "formula", "division by zero", 3},
    {BASE "[indicator x]\nname = X\nformula = prev(a, b)\n", CM_ERR_NAME, 9,
     "formula", "prev() takes 1 argument, got 2", 1},
    {BASE "[indicator x]\nname = X\nformula = a\ntarget = > 1\n"
          "describe = 值为{valu}\n",
     CM_ERR_NAME, 11, "describe", "valu", 0},
    {BASE "[indicator x]\nname = X\nformula = a\nmissing = {region\n",
     CM_ERR_SYNTAX, 10, "missing", "", 0},
    {BASE "[element c]\nname = C\nrollup = avg\n", CM_ERR_DEFINITION, 9,
     "rollup", "'sum' or 'none', not 'avg'", 0},
    {BASE "[benchmark c]\nname = C\nsource = guessed\n", CM_ERR_DEFINITION,
     9, "source", "'published' or 'computed'", 0},
    {BASE "[benchmark c]\nname = C\nsource = computed\n", CM_ERR_DEFINITION,
     7, "level", "needs 'level'", 0},
    {BASE "[benchmark c]\nname = C\nlevel = city\n", CM_ERR_DEFINITION, 9,
     "level", "only to source = computed", 0},
    {BASE "[benchmark c]\nname = C\nsource = computed\nlevel = town\n",
     CM_ERR_DEFINITION, 10, "level", "'province', 'city' or 'county'", 0},
    {BASE "[indicator Bad]\nname = X\n", CM_ERR_SYNTAX, 7, "",
     "bad indicator id 'Bad'", 0},
    {BASE "[indicator]\nname = X\n", CM_ERR_SYNTAX, 7, "", "has no id", 0},
    {BASE "[indicator x]\nname = X\nformula = a\ncategory =\n",
     CM_ERR_DEFINITION, 10, "category", "empty value", 0},
    {BASE "[indicator x]\nname = X\nformula a\n", CM_ERR_SYNTAX, 9, "",
     "expected 'key = value'", 0},
    /* The first error in the file wins over a later one. */
    {BASE "[indicator x]\nname = X\nformula = zz\n[indicator y]\n"
          "name = Y\nformula = a / 0\n",
     CM_ERR_NAME, 9, "formula", "unknown element 'zz'", 1},
};

static void test_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cm_defs *defs = (cm_defs *)1;
        cm_diag d;
        cm_diag_clear(&d);
        cm_error rc = cm_defs_load_mem("defs.ini", bad[i].text, &defs, &d);
        if (rc != bad[i].code || d.code != bad[i].code || defs != NULL ||
            d.line != bad[i].line || strcmp(d.field, bad[i].field) != 0 ||
            strcmp(d.file, "defs.ini") != 0 ||
            !strstr(d.msg, bad[i].msg_part) ||
            (bad[i].column && d.column != bad[i].column))
            fail_msg("case %zu: rc %d, %s:%ld:%ld field '%s' msg '%s'", i,
                     (int)rc, d.file, d.line, d.column, d.field, d.msg);
    }
}

static void test_formatted_message(void **state)
{
    (void)state;
    cm_defs *defs = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(
        cm_defs_load_mem("indicators/x.ini",
                         "[element blacklist]\nname = 黑名单\n"
                         "[indicator x]\nname = X\n"
                         "formula = blacklistt * 100\n",
                         &defs, &d),
        CM_ERR_NAME);
    char buf[256];
    cm_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "indicators/x.ini:5: formula: unknown element "
                             "'blacklistt' (did you mean 'blacklist'?) "
                             "(column 1)");
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

static void test_folder(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm_defs_XXXXXX";
    assert_non_null(mkdtemp(dir));
    cm_defs *defs = NULL;
    cm_diag d;

    cm_diag_clear(&d);
    assert_int_equal(cm_defs_load(dir, &defs, &d), CM_ERR_DEFINITION);
    assert_null(defs);
    assert_string_equal(d.file, dir);

    /* Written out of order; read as 10_, 20_, 30_. The problem the
     * indicator names is in a later file. */
    write_file(dir, "30_problems.ini", "[problem p]\nname = 问题\n");
    write_file(dir, "10_elements.ini",
               "\xEF\xBB\xBF[element e]\nname = 元素\n"
               "[benchmark avg]\nname = 平均\n");
    write_file(dir, "20_indicators.ini",
               "; comment\n[indicator i]\nname = 指标\nformula = e * 2\n"
               "better = higher\ncompare = avg\nproblem = p\n"
               "describe = {name}为{value}{unit}\n");
    write_file(dir, "notes.txt", "[garbage\n");
    write_file(dir, ".20_indicators.ini", "[garbage\n");

    cm_diag_clear(&d);
    cm_error rc = cm_defs_load(dir, &defs, &d);
    if (rc != CM_OK)
        fail_msg("%s:%ld: %s", d.file, d.line, d.msg);
    assert_int_equal(defs->n_files, 3);
    char want[512];
    snprintf(want, sizeof want, "%s/10_elements.ini", dir);
    assert_string_equal(defs->files[0], want);
    assert_string_equal(defs->elements[0].file, want);
    snprintf(want, sizeof want, "%s/20_indicators.ini", dir);
    assert_string_equal(defs->files[1], want);
    assert_string_equal(defs->indicators[0].file, want);
    assert_int_equal(defs->indicators[0].line, 2);
    snprintf(want, sizeof want, "%s/30_problems.ini", dir);
    assert_string_equal(defs->files[2], want);
    assert_ptr_equal(defs->indicators[0].problem, &defs->problems[0]);
    assert_ptr_equal(defs->problems[0].indicators[0], &defs->indicators[0]);
    cm_defs_free(defs);

    /* An unknown reference is reported in the indicator's file. */
    write_file(dir, "30_problems.ini", "[problem q]\nname = 问题\n");
    cm_diag_clear(&d);
    assert_int_equal(cm_defs_load(dir, &defs, &d), CM_ERR_REFERENCE);
    assert_null(defs);
    snprintf(want, sizeof want, "%s/20_indicators.ini", dir);
    assert_string_equal(d.file, want);
    assert_int_equal(d.line, 7);
    assert_string_equal(d.field, "problem");

    /* Ids are unique across the folder, not per file. */
    write_file(dir, "30_problems.ini",
               "[problem p]\nname = 问题\n[element e]\nname = again\n");
    cm_diag_clear(&d);
    assert_int_equal(cm_defs_load(dir, &defs, &d), CM_ERR_DUPLICATE);
    snprintf(want, sizeof want, "%s/30_problems.ini", dir);
    assert_string_equal(d.file, want);
    assert_int_equal(d.line, 3);

    remove_file(dir, "10_elements.ini");
    remove_file(dir, "20_indicators.ini");
    remove_file(dir, "30_problems.ini");
    remove_file(dir, "notes.txt");
    remove_file(dir, ".20_indicators.ini");
    assert_int_equal(rmdir(dir), 0);

    cm_diag_clear(&d);
    assert_int_equal(cm_defs_load(dir, &defs, &d), CM_ERR_IO);
}

static void test_parse_target(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        cm_cmp cmp;
        double value;
    } good[] = {
        {">= 85", CM_CMP_GE, 85},    {">=85", CM_CMP_GE, 85},
        {"≥85", CM_CMP_GE, 85},      {"> 0", CM_CMP_GT, 0},
        {"= 0", CM_CMP_EQ, 0},       {"=1", CM_CMP_EQ, 1},
        {"< 0.1", CM_CMP_LT, 0.1},   {"<=2", CM_CMP_LE, 2},
        {"≤ 2", CM_CMP_LE, 2},       {"＞5", CM_CMP_GT, 5},
        {"＜ 0.005", CM_CMP_LT, 0.005}, {"＝100", CM_CMP_EQ, 100},
        {"  >=  30  ", CM_CMP_GE, 30}, {"< -2", CM_CMP_LT, -2},
        {"＞＝90", CM_CMP_GE, 90},   {"<= 1e-3", CM_CMP_LE, 0.001},
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        cm_cmp cmp = CM_CMP_EQ;
        double v = -999;
        if (!cm_defs_parse_target(good[i].s, &cmp, &v) || cmp != good[i].cmp ||
            v != good[i].value)
            fail_msg("good %zu '%s': cmp %d value %g", i, good[i].s, (int)cmp,
                     v);
    }
    static const char *const bad_targets[] = {
        "=> 3", "85", ">", "> abc", "≈ 3", "", "   ", ">= 85%", "== 1",
        ">= inf", ">= nan", ">= 0x10", ">= 1e", "< .", "<< 2", ">= 8 5",
        "! 3",
    };
    for (size_t i = 0; i < sizeof bad_targets / sizeof *bad_targets; i++) {
        cm_cmp cmp = CM_CMP_GT;
        double v = -999;
        if (cm_defs_parse_target(bad_targets[i], &cmp, &v))
            fail_msg("bad %zu '%s' accepted", i, bad_targets[i]);
        assert_int_equal(cmp, CM_CMP_GT);
        assert_true(v == -999);
    }
    assert_false(cm_defs_parse_target(NULL, NULL, NULL));
}

static void test_cmp(void **state)
{
    (void)state;
    static const struct {
        cm_cmp cmp;
        double value, target;
        int holds;
    } cases[] = {
        {CM_CMP_EQ, 0.1 + 0.2, 0.3, 1}, {CM_CMP_EQ, 0.3001, 0.3, 0},
        {CM_CMP_EQ, 0, 0, 1},           {CM_CMP_EQ, 1e-12, 0, 0},
        {CM_CMP_GE, 85, 85, 1},         {CM_CMP_GE, 84.99, 85, 0},
        {CM_CMP_GE, 0.1 + 0.2, 0.3, 1}, {CM_CMP_GT, 85, 85, 0},
        {CM_CMP_GT, 85.1, 85, 1},       {CM_CMP_GT, 0.1 + 0.2, 0.3, 0},
        {CM_CMP_LT, 0.09, 0.1, 1},      {CM_CMP_LT, 0.1, 0.1, 0},
        {CM_CMP_LE, 0.1, 0.1, 1},       {CM_CMP_LE, 2.0000000000001, 2, 1},
        {CM_CMP_LE, 2.01, 2, 0},        {CM_CMP_LT, -1, 0, 1},
        {CM_CMP_GE, NAN, 0, 0},         {CM_CMP_LE, INFINITY, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (cm_defs_cmp_holds(cases[i].cmp, cases[i].value, cases[i].target) !=
            cases[i].holds)
            fail_msg("case %zu: %.17g vs %.17g", i, cases[i].value,
                     cases[i].target);
    assert_string_equal(cm_defs_cmp_sign(CM_CMP_GT), ">");
    assert_string_equal(cm_defs_cmp_sign(CM_CMP_GE), "≥");
    assert_string_equal(cm_defs_cmp_sign(CM_CMP_LT), "<");
    assert_string_equal(cm_defs_cmp_sign(CM_CMP_LE), "≤");
    assert_string_equal(cm_defs_cmp_sign(CM_CMP_EQ), "=");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example),
        cmocka_unit_test(test_order_and_targets),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_formatted_message),
        cmocka_unit_test(test_folder),
        cmocka_unit_test(test_parse_target),
        cmocka_unit_test(test_cmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
