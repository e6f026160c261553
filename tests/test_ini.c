/*
 * test_ini.c - the INI reader: sections, keys, comments, continuations,
 * BOM and CRLF, and every syntax error located at its line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ini.h"

/* Each callback appends "[section]@line" or "key=value@line|" to a trace. */
typedef struct trace {
    char buf[2048];
    int stop_at_key;    /* line at which the callback fails, 0 = never */
} trace;

static cm_error record(void *ctx, const char *section, const char *key,
                       const char *value, long line, cm_diag *d)
{
    trace *t = ctx;
    size_t used = strlen(t->buf);
    if (!key)
        snprintf(t->buf + used, sizeof t->buf - used, "[%s]@%ld|", section,
                 line);
    else
        snprintf(t->buf + used, sizeof t->buf - used, "%s=%s@%ld|", key,
                 value, line);
    if (t->stop_at_key && key && line == t->stop_at_key)
        return cm_diag_set(d, CM_ERR_NAME, "cb", line, key, "refused");
    return CM_OK;
}

static const struct {
    const char *text;
    const char *trace;
} good_cases[] = {
    {"[indicator a]\nname = 黑名单\n", "[indicator a]@1|name=黑名单@2|"},
    {"; comment\n# another\n\n[x]\nk=v\n", "[x]@4|k=v@5|"},
    {"\xEF\xBB\xBF[x]\r\nk = v \r\n", "[x]@1|k=v@2|"},
    {"[ x  y ]\n  k  =  a = b  \n", "[x  y]@1|k=a = b@2|"},
    {"[x]\nk = one\n  two\n\tthree\nj = 1", "[x]@1|k=one\ntwo\nthree@2|j=1@5|"},
    {"[x]\nk = a\n  ; not a comment\n", "[x]@1|k=a\n; not a comment@2|"},
    {"[x]\nk = a\n\n  indented.key = b\n", "[x]@1|k=a@2|indented.key=b@4|"},
    {"[x]\nk =\n[y]\n", "[x]@1|k=@2|[y]@3|"},
    {"", ""},
};

static void test_good(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good_cases / sizeof *good_cases; i++) {
        trace t = {{0}, 0};
        cm_diag d;
        cm_diag_clear(&d);
        cm_error e = cm_ini_parse_mem("t.ini", good_cases[i].text, record, &t,
                                      &d);
        if (e != CM_OK || strcmp(t.buf, good_cases[i].trace) != 0)
            fail_msg("case %zu: rc %d (%s), trace '%s'", i, (int)e, d.msg,
                     t.buf);
    }
}

static const struct {
    const char *text;
    cm_error code;
    long line;
    const char *msg_part;
} bad_cases[] = {
    {"k = v\n", CM_ERR_SYNTAX, 1, "before any"},
    {"[x]\njust words\n", CM_ERR_SYNTAX, 2, "expected 'key = value'"},
    {"[x]\n\n[unclosed\n", CM_ERR_SYNTAX, 3, "unclosed '['"},
    {"[x]\nName = v\n", CM_ERR_SYNTAX, 2, "bad key 'Name'"},
    {"[x]\n= v\n", CM_ERR_SYNTAX, 2, "bad key ''"},
    {"[x]\n1k = v\n", CM_ERR_SYNTAX, 2, "bad key '1k'"},
    {"[]\n", CM_ERR_SYNTAX, 1, "empty section"},
    {"[a]b]\n", CM_ERR_SYNTAX, 1, "stray bracket"},
    {"[x]\nk = v\nj = \xC3\x28\n", CM_ERR_ENCODING, 3, "UTF-8"},
    {"[x]\nk = \xED\xA0\x80\n", CM_ERR_ENCODING, 2, "UTF-8"},
};

static void test_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        trace t = {{0}, 0};
        cm_diag d;
        cm_diag_clear(&d);
        cm_error e = cm_ini_parse_mem("t.ini", bad_cases[i].text, record, &t,
                                      &d);
        if (e != bad_cases[i].code || d.code != bad_cases[i].code ||
            d.line != bad_cases[i].line || strcmp(d.file, "t.ini") != 0 ||
            !strstr(d.msg, bad_cases[i].msg_part))
            fail_msg("case %zu: rc %d line %ld file '%s' msg '%s'", i, (int)e,
                     d.line, d.file, d.msg);
    }
}

static void test_callback_error_stops(void **state)
{
    (void)state;
    trace t = {{0}, 3};
    cm_diag d;
    cm_diag_clear(&d);
    cm_error e = cm_ini_parse_mem("t.ini", "[x]\na = 1\nb = 2\nc = 3\n",
                                  record, &t, &d);
    assert_int_equal(e, CM_ERR_NAME);
    assert_int_equal(d.line, 3);
    assert_string_equal(d.field, "b");
    assert_string_equal(t.buf, "[x]@1|a=1@2|b=2@3|");
}

/* A continuation is held until the next line; the callback sees the key
 * line, not the line of the last continuation. */
static void test_continuation_line(void **state)
{
    (void)state;
    trace t = {{0}, 2};
    cm_diag d;
    cm_diag_clear(&d);
    cm_error e = cm_ini_parse_mem("t.ini", "[x]\nd = a\n  b\n  c\n", record,
                                  &t, &d);
    assert_int_equal(e, CM_ERR_NAME);
    assert_int_equal(d.line, 2);
    assert_string_equal(t.buf, "[x]@1|d=a\nb\nc@2|");
}

static void test_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm_ini_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/a.ini", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("\xEF\xBB\xBF# x\n[element e]\nname = 工商企业数量\n", f);
    fclose(f);
    trace t = {{0}, 0};
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_ini_parse_file(path, record, &t, &d), CM_OK);
    assert_string_equal(t.buf, "[element e]@2|name=工商企业数量@3|");

    /* A NUL byte cannot come through parse_mem; from a file it is refused. */
    f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("[x]\nk = a\0b\n", 1, 12, f);
    fclose(f);
    cm_diag_clear(&d);
    assert_int_equal(cm_ini_parse_file(path, record, &t, &d),
                     CM_ERR_ENCODING);
    assert_int_equal(d.line, 2);
    unlink(path);

    cm_diag_clear(&d);
    assert_int_equal(cm_ini_parse_file(path, record, &t, &d), CM_ERR_IO);
    assert_string_equal(d.file, path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_callback_error_stops),
        cmocka_unit_test(test_continuation_line),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
