/*
 * test_parse.c - precedence and associativity (checked through the fully
 * parenthesised form), node columns, and syntax errors with their columns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "parse.h"

static void test_shapes(void **state)
{
    (void)state;
    static const struct {
        const char *src, *tree;
    } cases[] = {
        {"1 + 2 * 3", "(1 + (2 * 3))"},
        {"(1+2)*3", "((1 + 2) * 3)"},
        {"-2 * -3", "((-2) * (-3))"},
        {"a - b - c", "((a - b) - c)"},
        {"a / b / c", "((a / b) / c)"},
        {"a - b * c / d + e", "((a - ((b * c) / d)) + e)"},
        {"--a", "(-(-a))"},
        {"blacklist / enterprises * 100",
         "((blacklist / enterprises) * 100)"},
        {"prev(a) - a", "(prev(a) - a)"},
        {"f(a, b + 1)", "f(a, (b + 1))"},
        {"f()", "f()"},
        {"0.1", "0.1"},
        {"  ((x))  ", "x"},
        {"1.5e3", "1500"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cm_expr *e = NULL;
        cm_diag d;
        cm_diag_clear(&d);
        cm_error rc = cm_parse_expr(cases[i].src, &e, &d);
        if (rc != CM_OK)
            fail_msg("case %zu '%s': %s", i, cases[i].src, d.msg);
        char buf[128];
        int n = cm_expr_format(e, buf, sizeof buf);
        assert_int_equal(n, (int)strlen(cases[i].tree));
        if (strcmp(buf, cases[i].tree) != 0)
            fail_msg("case %zu '%s': got '%s'", i, cases[i].src, buf);
        cm_expr_free(e);
    }
}

static void test_format_truncates(void **state)
{
    (void)state;
    cm_expr *e = NULL;
    assert_int_equal(cm_parse_expr("abc + def", &e, NULL), CM_OK);
    char buf[6];
    assert_int_equal(cm_expr_format(e, buf, sizeof buf), 11);
    assert_string_equal(buf, "(abc ");
    assert_int_equal(cm_expr_format(e, NULL, 0), 11);
    cm_expr_free(e);
}

static void test_columns(void **state)
{
    (void)state;
    cm_expr *e = NULL;
    assert_int_equal(cm_parse_expr("ab / (c - 2)", &e, NULL), CM_OK);
    assert_int_equal(e->kind, CM_EX_DIV);
    assert_int_equal(e->column, 4);          /* the '/' */
    assert_int_equal(e->a->kind, CM_EX_NAME);
    assert_string_equal(e->a->name, "ab");
    assert_int_equal(e->a->column, 1);
    assert_int_equal(e->a->element, -1);
    assert_int_equal(e->b->kind, CM_EX_SUB);
    assert_int_equal(e->b->column, 9);       /* the '-' */
    assert_int_equal(e->b->b->kind, CM_EX_NUM);
    assert_true(e->b->b->num == 2.0);
    assert_int_equal(e->b->b->column, 11);
    cm_expr_free(e);

    assert_int_equal(cm_parse_expr(" -prev(x, 1)", &e, NULL), CM_OK);
    assert_int_equal(e->kind, CM_EX_NEG);
    assert_int_equal(e->column, 2);
    assert_int_equal(e->a->kind, CM_EX_CALL);
    assert_int_equal(e->a->column, 3);
    assert_string_equal(e->a->name, "prev");
    assert_int_equal(e->a->n_args, 2);
    assert_int_equal(e->a->args[1]->column, 11);
    cm_expr_free(e);
}

static char *nest(int depth)
{
    char *s = malloc((size_t)depth * 2 + 2);
    if (!s)
        return NULL;
    memset(s, '(', (size_t)depth);
    s[depth] = 'a';
    memset(s + depth + 1, ')', (size_t)depth);
    s[2 * depth + 1] = '\0';
    return s;
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        long column;
        const char *msg;
    } cases[] = {
        {"a + * b", 5, "expected a number, name or '(' near '*'"},
        {"a +", 4, "expected a number, name or '(' near end of formula"},
        {"", 1, "expected a number, name or '(' near end of formula"},
        {"(a + b", 7, "expected ')' near end of formula"},
        {"(a + b c", 8, "expected ')' near 'c'"},
        {"a b", 3, "expected an operator or end of formula near 'b'"},
        {"a + b)", 6, "expected an operator or end of formula near ')'"},
        {"prev(a b)", 8, "expected ',' or ')' near 'b'"},
        {"prev(a,)", 8, "expected a number, name or '(' near ')'"},
        {"prev(a", 7, "expected ',' or ')' near end of formula"},
        {"a * ()", 6, "expected a number, name or '(' near ')'"},
        {"a + \xEF\xBC\x88" "b)", 5, "unexpected character '\xEF\xBC\x88'"},
        {"2 3", 3, "expected an operator or end of formula near '3'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cm_expr *e = (cm_expr *)1;
        cm_diag d;
        cm_diag_clear(&d);
        cm_error rc = cm_parse_expr(cases[i].src, &e, &d);
        if (rc != CM_ERR_SYNTAX || e != NULL || d.code != CM_ERR_SYNTAX ||
            d.column != cases[i].column || strcmp(d.msg, cases[i].msg) != 0)
            fail_msg("case %zu '%s': rc %d col %ld msg '%s'", i, cases[i].src,
                     (int)rc, d.column, d.msg);
    }
}

static void test_limits(void **state)
{
    (void)state;
    cm_expr *e = NULL;
    cm_diag d;
    char *s = nest(64);
    assert_non_null(s);
    cm_diag_clear(&d);
    assert_int_equal(cm_parse_expr(s, &e, &d), CM_OK);
    assert_int_equal(e->kind, CM_EX_NAME);
    cm_expr_free(e);
    free(s);

    s = nest(65);
    assert_non_null(s);
    cm_diag_clear(&d);
    assert_int_equal(cm_parse_expr(s, &e, &d), CM_ERR_SYNTAX);
    assert_null(e);
    assert_string_equal(d.msg, "nesting deeper than 64");
    assert_int_equal(d.column, 65);
    free(s);

    /* Unary minus nests too: 65 of them are refused. */
    char minus[70];
    memset(minus, '-', 65);
    strcpy(minus + 65, "a");
    cm_diag_clear(&d);
    assert_int_equal(cm_parse_expr(minus, &e, &d), CM_ERR_SYNTAX);
    assert_int_equal(d.column, 65);
    strcpy(minus + 64, "a");
    cm_diag_clear(&d);
    assert_int_equal(cm_parse_expr(minus, &e, &d), CM_OK);
    cm_expr_free(e);

    /* Length: 4096 bytes pass, 4097 do not. */
    char *big = malloc(CM_PARSE_MAX_LEN + 2);
    assert_non_null(big);
    for (int i = 0; i < CM_PARSE_MAX_LEN; i++)
        big[i] = (i % 2 == 0) ? 'a' : '+';
    big[CM_PARSE_MAX_LEN - 1] = ' ';
    big[CM_PARSE_MAX_LEN] = '\0';
    cm_diag_clear(&d);
    assert_int_equal(cm_parse_expr(big, &e, &d), CM_OK);
    cm_expr_free(e);
    big[CM_PARSE_MAX_LEN] = ' ';
    big[CM_PARSE_MAX_LEN + 1] = '\0';
    cm_diag_clear(&d);
    assert_int_equal(cm_parse_expr(big, &e, &d), CM_ERR_SYNTAX);
    assert_null(e);
    assert_string_equal(d.msg, "formula longer than 4096 bytes");
    free(big);

    cm_expr_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_format_truncates),
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
