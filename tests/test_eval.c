/*
 * test_eval.c - arithmetic, the MISSING-over-NA rule, division by zero,
 * non-finite results, and prev() reaching one period back per level.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "eval.h"
#include "resolve.h"

/* Elements: enterprises, blacklist, a, b, missing, na, big. Values per lag
 * 0..2; the fetch log records (element, lag) pairs. */
static const char *const names[] = {"enterprises", "blacklist", "a", "b",
                                    "missing",     "na",        "big"};
#define N_NAMES (sizeof names / sizeof *names)

typedef struct source {
    int calls;
    int log[16][2];
} source;

static cm_value fetch(void *ctx, int element, int lag)
{
    source *s = ctx;
    if (s->calls < 16) {
        s->log[s->calls][0] = element;
        s->log[s->calls][1] = lag;
    }
    s->calls++;
    static const double table[][3] = {
        {50000, 48000, 46000},  /* enterprises */
        {900, 850, 700},        /* blacklist */
        {10, 7, 3},             /* a */
        {4, 2, 1},              /* b */
    };
    cm_value v = {CM_V_NUM, 0};
    if (element == 4) {
        v.kind = CM_V_MISSING;
    } else if (element == 5) {
        v.kind = CM_V_NA;
    } else if (element == 6) {
        v.num = DBL_MAX;
    } else if (lag <= 2) {
        v.num = table[element][lag];
    } else {
        v.kind = CM_V_MISSING;
    }
    return v;
}

static cm_value run(const char *src, source *s)
{
    cm_expr *e = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_parse_expr(src, &e, &d) != CM_OK ||
        cm_resolve_expr(e, names, N_NAMES, NULL, &d) != CM_OK)
        fail_msg("'%s': %s", src, d.msg);
    memset(s, 0, sizeof *s);
    cm_value v = cm_eval_expr(e, fetch, s);
    cm_expr_free(e);
    return v;
}

static void test_values(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        cm_value_kind kind;
        double num;
    } cases[] = {
        {"blacklist / enterprises * 100", CM_V_NUM, 1.8},
        {"1 + 2 * 3", CM_V_NUM, 7},
        {"-2 * -3", CM_V_NUM, 6},
        {"(1+2)*3", CM_V_NUM, 9},
        {"a - b - 1", CM_V_NUM, 5},
        {"a / b / 2", CM_V_NUM, 1.25},
        {"-a", CM_V_NUM, -10},
        {"prev(a) - a", CM_V_NUM, -3},
        {"prev(prev(a))", CM_V_NUM, 3},
        {"prev(a - b)", CM_V_NUM, 5},
        {"(blacklist - prev(blacklist)) / prev(blacklist) * 100", CM_V_NUM,
         50.0 / 850.0 * 100},
        {"a / (b - b)", CM_V_NA, 0},
        {"0 / (b - b)", CM_V_NA, 0},
        {"a + missing", CM_V_MISSING, 0},
        {"missing / (b - b)", CM_V_MISSING, 0},
        {"a / (b - b) + missing", CM_V_MISSING, 0},
        {"na + missing", CM_V_MISSING, 0},
        {"missing + na", CM_V_MISSING, 0},
        {"na * 0", CM_V_NA, 0},
        {"-missing", CM_V_MISSING, 0},
        {"big * 10", CM_V_NA, 0},
        {"big * 10 - big * 10", CM_V_NA, 0},
        {"big + big", CM_V_NA, 0},
        {"prev(prev(prev(a)))", CM_V_MISSING, 0},
        {"1e308 * 10 * 0", CM_V_NA, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        source s;
        cm_value v = run(cases[i].src, &s);
        if (v.kind != cases[i].kind ||
            (v.kind == CM_V_NUM && fabs(v.num - cases[i].num) > 1e-12))
            fail_msg("case %zu '%s': kind %d num %.17g", i, cases[i].src,
                     (int)v.kind, v.num);
        if (v.kind == CM_V_NUM)
            assert_true(isfinite(v.num));
    }
}

static void test_fetch_lags(void **state)
{
    (void)state;
    source s;
    cm_value v = run("prev(a) - a", &s);
    assert_int_equal(v.kind, CM_V_NUM);
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.log[0][0], 2);
    assert_int_equal(s.log[0][1], 1);
    assert_int_equal(s.log[1][0], 2);
    assert_int_equal(s.log[1][1], 0);

    v = run("prev(blacklist / prev(enterprises))", &s);
    assert_int_equal(v.kind, CM_V_NUM);
    assert_true(fabs(v.num - 850.0 / 46000.0) < 1e-15);
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.log[0][0], 1);
    assert_int_equal(s.log[0][1], 1);
    assert_int_equal(s.log[1][0], 0);
    assert_int_equal(s.log[1][1], 2);

    /* Both sides are read even when the left is already not computable,
     * so that a missing input on the right is still reported. */
    v = run("a / (b - b) * missing", &s);
    assert_int_equal(v.kind, CM_V_MISSING);
    assert_int_equal(s.calls, 4);
}

static void test_exact_share(void **state)
{
    (void)state;
    source s;
    cm_value v = run("blacklist / enterprises * 100", &s);
    assert_int_equal(v.kind, CM_V_NUM);
    assert_true(fabs(v.num - 1.8) < 1e-12);
    assert_int_equal(s.calls, 2);
}

static cm_value fetch_nan(void *ctx, int element, int lag)
{
    (void)ctx;
    (void)element;
    (void)lag;
    cm_value v = {CM_V_NUM, NAN};
    return v;
}

static void test_nonfinite_input(void **state)
{
    (void)state;
    cm_expr *e = NULL;
    assert_int_equal(cm_parse_expr("a", &e, NULL), CM_OK);
    assert_int_equal(cm_resolve_expr(e, names, N_NAMES, NULL, NULL), CM_OK);
    cm_value v = cm_eval_expr(e, fetch_nan, NULL);
    assert_int_equal(v.kind, CM_V_NA);
    cm_expr_free(e);

    /* An unresolved tree is not computable, never a crash. */
    assert_int_equal(cm_parse_expr("a + 1", &e, NULL), CM_OK);
    v = cm_eval_expr(e, fetch_nan, NULL);
    assert_int_equal(v.kind, CM_V_NA);
    cm_expr_free(e);
    v = cm_eval_expr(NULL, fetch_nan, NULL);
    assert_int_equal(v.kind, CM_V_NA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_fetch_lags),
        cmocka_unit_test(test_exact_share),
        cmocka_unit_test(test_nonfinite_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
