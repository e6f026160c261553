/*
 * test_lex.c - tokens, their columns and numbers, lookahead, and the
 * characters a Chinese input method slips into a formula.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lex.h"

typedef struct want {
    cm_token_kind kind;
    const char *text;
    int column;
} want;

static void check_tokens(const char *src, const want *w, size_t n)
{
    cm_lexer lx;
    cm_lex_init(&lx, src);
    cm_diag d;
    cm_diag_clear(&d);
    for (size_t i = 0; i < n; i++) {
        cm_token t;
        assert_int_equal(cm_lex_next(&lx, &t, &d), CM_OK);
        if (t.kind != w[i].kind || t.column != w[i].column ||
            t.len != strlen(w[i].text) ||
            strncmp(t.start, w[i].text, t.len) != 0)
            fail_msg("'%s' token %zu: kind %d col %d '%.*s'", src, i,
                     (int)t.kind, t.column, (int)t.len, t.start);
    }
}

static void test_tokens(void **state)
{
    (void)state;
    const want w1[] = {
        {CM_TK_NAME, "blacklist", 1},   {CM_TK_SLASH, "/", 11},
        {CM_TK_NAME, "enterprises", 13}, {CM_TK_STAR, "*", 25},
        {CM_TK_NUMBER, "100", 27},       {CM_TK_EOF, "", 30},
    };
    check_tokens("blacklist / enterprises * 100", w1, 6);
    const want w2[] = {
        {CM_TK_NAME, "prev", 1},  {CM_TK_LPAREN, "(", 5},
        {CM_TK_NAME, "x_1", 6},   {CM_TK_COMMA, ",", 9},
        {CM_TK_MINUS, "-", 10},   {CM_TK_NUMBER, "2", 11},
        {CM_TK_RPAREN, ")", 12},  {CM_TK_PLUS, "+", 14},
        {CM_TK_NAME, "_y", 16},   {CM_TK_EOF, "", 18},
    };
    check_tokens("prev(x_1,-2) +\t_y", w2, 10);
    const want w3[] = {{CM_TK_EOF, "", 4}};
    check_tokens(" \t\n", w3, 1);
}

static void test_numbers(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        double value;
    } cases[] = {
        {"0", 0},           {"100", 100},     {"0.25", 0.25},
        {"1.5e3", 1500},    {"2E-2", 0.02},   {"7e+1", 70},
        {"007", 7},         {"3.14159", 3.14159},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cm_lexer lx;
        cm_lex_init(&lx, cases[i].src);
        cm_token t;
        cm_diag d;
        cm_diag_clear(&d);
        assert_int_equal(cm_lex_next(&lx, &t, &d), CM_OK);
        assert_int_equal(t.kind, CM_TK_NUMBER);
        assert_true(t.number == cases[i].value);
        assert_int_equal(t.len, strlen(cases[i].src));
    }
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        int skip;           /* good tokens before the bad one */
        long column;
        const char *msg;
    } cases[] = {
        {"a \xEF\xBC\x8B b", 1, 3, "unexpected character '\xEF\xBC\x8B'"},
        {"a % b", 1, 3, "unexpected character '%'"},
        {"\xEF\xBC\x91\xEF\xBC\x90", 0, 1, "unexpected character '\xEF\xBC\x91'"},
        {"x * 1.", 2, 5, "malformed number '1.'"},
        {"1e", 0, 1, "malformed number '1e'"},
        {"2a", 0, 1, "malformed number '2a'"},
        {"1.2.3", 0, 1, "malformed number '1.2.3'"},
        {".5", 0, 1, "unexpected character '.'"},
        {"1e999", 0, 1, "number out of range '1e999'"},
        {"a\xFF", 1, 2, "unexpected byte 0xFF (not UTF-8)"},
        {"a == b", 1, 3, "unexpected character '='"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cm_lexer lx;
        cm_lex_init(&lx, cases[i].src);
        cm_token t;
        cm_diag d;
        cm_diag_clear(&d);
        for (int k = 0; k < cases[i].skip; k++)
            assert_int_equal(cm_lex_next(&lx, &t, &d), CM_OK);
        cm_error e = cm_lex_next(&lx, &t, &d);
        if (e != CM_ERR_SYNTAX || d.column != cases[i].column ||
            strcmp(d.msg, cases[i].msg) != 0)
            fail_msg("case %zu '%s': rc %d col %ld msg '%s'", i, cases[i].src,
                     (int)e, d.column, d.msg);
    }
}

static void test_peek(void **state)
{
    (void)state;
    cm_lexer lx;
    cm_lex_init(&lx, "a+b");
    cm_token t, p;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_lex_peek(&lx, &p, &d), CM_OK);
    assert_int_equal(cm_lex_peek(&lx, &t, &d), CM_OK);
    assert_int_equal(p.kind, CM_TK_NAME);
    assert_int_equal(t.column, 1);
    assert_int_equal(cm_lex_next(&lx, &t, &d), CM_OK);
    assert_int_equal(t.kind, CM_TK_NAME);
    assert_int_equal(cm_lex_next(&lx, &t, &d), CM_OK);
    assert_int_equal(t.kind, CM_TK_PLUS);
    assert_int_equal(cm_lex_peek(&lx, &p, &d), CM_OK);
    assert_int_equal(p.kind, CM_TK_NAME);
    assert_int_equal(p.column, 3);
    assert_int_equal(cm_lex_next(&lx, &t, &d), CM_OK);
    assert_int_equal(cm_lex_next(&lx, &t, &d), CM_OK);
    assert_int_equal(t.kind, CM_TK_EOF);
    /* EOF is sticky. */
    assert_int_equal(cm_lex_next(&lx, &t, &d), CM_OK);
    assert_int_equal(t.kind, CM_TK_EOF);
}

static void test_token_names(void **state)
{
    (void)state;
    assert_string_equal(cm_lex_token_name(CM_TK_EOF), "end of formula");
    assert_string_equal(cm_lex_token_name(CM_TK_NUMBER), "number");
    assert_string_equal(cm_lex_token_name(CM_TK_NAME), "name");
    assert_string_equal(cm_lex_token_name(CM_TK_PLUS), "'+'");
    assert_string_equal(cm_lex_token_name(CM_TK_MINUS), "'-'");
    assert_string_equal(cm_lex_token_name(CM_TK_STAR), "'*'");
    assert_string_equal(cm_lex_token_name(CM_TK_SLASH), "'/'");
    assert_string_equal(cm_lex_token_name(CM_TK_LPAREN), "'('");
    assert_string_equal(cm_lex_token_name(CM_TK_RPAREN), "')'");
    assert_string_equal(cm_lex_token_name(CM_TK_COMMA), "','");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_peek),
        cmocka_unit_test(test_token_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
