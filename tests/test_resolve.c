/*
 * test_resolve.c - binding names, hints for near misses, prev() arity and
 * depth, and division by a constant zero found before any data is read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"

static const char *const names[] = {"enterprises", "blacklist", "a", "b"};
#define N_NAMES (sizeof names / sizeof *names)

static void test_distance(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        size_t dist;
    } cases[] = {
        {"kitten", "sitting", 3}, {"", "abc", 3},   {"abc", "", 3},
        {"", "", 0},              {"same", "same", 0},
        {"blacklist", "blacklistt", 1},
        {"blacklist", "balcklist", 2},   /* a transposition is two edits */
        {"flaw", "lawn", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(cm_resolve_distance(cases[i].a, cases[i].b),
                         cases[i].dist);
        assert_int_equal(cm_resolve_distance(cases[i].b, cases[i].a),
                         cases[i].dist);
    }
}

static void test_binds(void **state)
{
    (void)state;
    cm_expr *e = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_parse_expr("blacklist / enterprises * 100", &e, &d),
                     CM_OK);
    int lag = -1;
    assert_int_equal(cm_resolve_expr(e, names, N_NAMES, &lag, &d), CM_OK);
    assert_int_equal(lag, 0);
    assert_int_equal(e->kind, CM_EX_MUL);
    assert_int_equal(e->a->a->element, 1);
    assert_int_equal(e->a->b->element, 0);
    cm_expr_free(e);

    assert_int_equal(cm_parse_expr("prev(prev(a)) - prev(b) + a", &e, &d),
                     CM_OK);
    assert_int_equal(cm_resolve_expr(e, names, N_NAMES, &lag, &d), CM_OK);
    assert_int_equal(lag, 2);
    const cm_expr *outer = e->a->a;
    assert_int_equal(outer->kind, CM_EX_CALL);
    assert_int_equal(outer->func, CM_FN_PREV);
    assert_int_equal(outer->args[0]->func, CM_FN_PREV);
    assert_int_equal(outer->args[0]->args[0]->element, 2);
    cm_expr_free(e);

    /* Not errors: a variable denominator, a non-zero constant one, a wholly
     * constant formula, prev() of an expression of elements. */
    static const char *const fine[] = {
        "a / (b - b)", "a / 0.5", "a / (2 - 1)", "100", "prev(a / b) * 2",
        "a / (0 * b)", "(1 - 1) / a",
    };
    for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
        assert_int_equal(cm_parse_expr(fine[i], &e, &d), CM_OK);
        if (cm_resolve_expr(e, names, N_NAMES, NULL, &d) != CM_OK)
            fail_msg("'%s': %s", fine[i], d.msg);
        cm_expr_free(e);
    }
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        cm_error code;
        long column;
        const char *msg;
    } cases[] = {
        {"blacklistt", CM_ERR_NAME, 1,
         "unknown element 'blacklistt' (did you mean 'blacklist'?)"},
        {"a + black", CM_ERR_NAME, 5,
         "unknown element 'black' (did you mean 'blacklist'?)"},
        {"enterprize * 2", CM_ERR_NAME, 1,
         "unknown element 'enterprize' (did you mean 'enterprises'?)"},
        {"zzzzzz", CM_ERR_NAME, 1, "unknown element 'zzzzzz'"},
        {"prev(a, b)", CM_ERR_NAME, 1, "prev() takes 1 argument, got 2"},
        {"a - prev()", CM_ERR_NAME, 5, "prev() takes 1 argument, got 0"},
        {"sum(a)", CM_ERR_NAME, 1, "unknown function 'sum'"},
        {"pre(a)", CM_ERR_NAME, 1,
         "unknown function 'pre' (did you mean 'prev'?)"},
        {"a / 0", CM_ERR_DEFINITION, 3, "division by zero"},
        {"a / (2 - 2)", CM_ERR_DEFINITION, 3, "division by zero"},
        {"b + a / -0.0", CM_ERR_DEFINITION, 7, "division by zero"},
        {"a / (3 * (1 - 1))", CM_ERR_DEFINITION, 3, "division by zero"},
        {"prev(3)", CM_ERR_DEFINITION, 1,
         "prev() of a constant: its argument names no element"},
        /* The leftmost error is the one reported. */
        {"nope / 0", CM_ERR_NAME, 1, "unknown element 'nope'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cm_expr *e = NULL;
        cm_diag d;
        cm_diag_clear(&d);
        assert_int_equal(cm_parse_expr(cases[i].src, &e, &d), CM_OK);
        cm_error rc = cm_resolve_expr(e, names, N_NAMES, NULL, &d);
        if (rc != cases[i].code || d.code != cases[i].code ||
            d.column != cases[i].column || strcmp(d.msg, cases[i].msg) != 0)
            fail_msg("case %zu '%s': rc %d col %ld msg '%s'", i, cases[i].src,
                     (int)rc, d.column, d.msg);
        cm_expr_free(e);
    }
}

static void test_lag_limit(void **state)
{
    (void)state;
    /* prev() nested 24 deep is the limit; 25 is refused at the 25th. */
    char src[256];
    for (int depth = 24; depth <= 25; depth++) {
        size_t p = 0;
        for (int i = 0; i < depth; i++)
            p += (size_t)snprintf(src + p, sizeof src - p, "prev(");
        p += (size_t)snprintf(src + p, sizeof src - p, "a");
        for (int i = 0; i < depth; i++)
            src[p++] = ')';
        src[p] = '\0';
        cm_expr *e = NULL;
        cm_diag d;
        cm_diag_clear(&d);
        assert_int_equal(cm_parse_expr(src, &e, &d), CM_OK);
        int lag = 0;
        cm_error rc = cm_resolve_expr(e, names, N_NAMES, &lag, &d);
        if (depth == 24) {
            assert_int_equal(rc, CM_OK);
            assert_int_equal(lag, 24);
        } else {
            assert_int_equal(rc, CM_ERR_DEFINITION);
            assert_string_equal(d.msg, "prev() nested deeper than 24");
            assert_int_equal(d.column, 1 + 24 * 5);
        }
        cm_expr_free(e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_binds),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_lag_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
