/*
 * test_cm.c - diagnostics and UTF-8 helpers shared by every module.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cm.h"

static void first_error_wins(void **state)
{
    (void)state;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_diag_set(&d, CM_ERR_FIELD, "values.csv", 3, "period",
                                 "'%s' is not a period", "2018-13"),
                     CM_ERR_FIELD);
    assert_int_equal(cm_diag_set(&d, CM_ERR_STORE, "x.db", 0, NULL, "later"),
                     CM_ERR_STORE);
    char buf[256];
    cm_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "values.csv:3: period: '2018-13' is not a period");
    assert_int_equal(d.code, CM_ERR_FIELD);
}

static void format_parts(void **state)
{
    (void)state;
    cm_diag d;
    char buf[256];
    cm_diag_clear(&d);
    cm_diag_set(&d, CM_ERR_NAME, "a.ini", 16, "formula", "unknown element 'x'");
    d.column = 5;
    cm_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "a.ini:16: formula: unknown element 'x' (column 5)");
    cm_diag_clear(&d);
    cm_diag_set(&d, CM_ERR_USAGE, NULL, 0, NULL, "no region");
    cm_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "no region");
    /* a tiny buffer is cut, never overrun */
    char small[8];
    cm_diag_format(&d, small, sizeof small);
    assert_string_equal(small, "no regi");
    /* NULL diag only returns the code */
    assert_int_equal(cm_diag_set(NULL, CM_ERR_IO, NULL, 0, NULL, "x"), CM_ERR_IO);
}

static void long_message_cut_at_char_boundary(void **state)
{
    (void)state;
    cm_diag d;
    cm_diag_clear(&d);
    char big[2000];
    size_t n = 0;
    while (n + 3 < sizeof big - 1) {
        memcpy(big + n, "雅", 3);
        n += 3;
    }
    big[n] = '\0';
    cm_diag_set(&d, CM_ERR_FIELD, NULL, 0, NULL, "%s", big);
    assert_true(cm_utf8_valid(d.msg, strlen(d.msg), NULL));
    assert_true(strlen(d.msg) % 3 == 0);
}

static void strerror_table(void **state)
{
    (void)state;
    for (int e = 0; e < CM_ERR__COUNT; e++) {
        const char *s = cm_strerror((cm_error)e);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
    }
    assert_string_equal(cm_strerror(CM_OK), "no error");
    assert_string_equal(cm_strerror(CM_ERR_DATA), "missing data");
    assert_string_equal(cm_strerror((cm_error)999), "unknown error");
}

static void utf8(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t n;
        int ok;
        size_t bad_at;
    } cases[] = {
        {"雅安市", 9, 1, 0},
        {"abc", 3, 1, 0},
        {"a\xff", 2, 0, 1},
        {"\xc0\xaf", 2, 0, 0},          /* overlong '/' */
        {"\xed\xa0\x80", 3, 0, 0},      /* surrogate */
        {"\xe9\x9b", 2, 0, 0},          /* truncated */
        {"\xf0\x9f\x98\x80", 4, 1, 0},  /* U+1F600 is valid UTF-8 */
        {"\xf4\x90\x80\x80", 4, 0, 0},  /* above U+10FFFF */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t at = 99;
        assert_int_equal(cm_utf8_valid(cases[i].s, cases[i].n, &at), cases[i].ok);
        if (!cases[i].ok)
            assert_int_equal(at, cases[i].bad_at);
    }
    unsigned cp = 0;
    assert_int_equal(cm_utf8_decode("雅", 3, &cp), 3);
    assert_int_equal(cp, 0x96C5);
}

static void strdup_null(void **state)
{
    (void)state;
    assert_null(cm_strdup(NULL));
    char *s = cm_strdup("x");
    assert_string_equal(s, "x");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_error_wins),
        cmocka_unit_test(format_parts),
        cmocka_unit_test(long_message_cut_at_char_boundary),
        cmocka_unit_test(strerror_table),
        cmocka_unit_test(utf8),
        cmocka_unit_test(strdup_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
