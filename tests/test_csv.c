/*
 * test_csv.c - the CSV reader: quoting, line ends, BOM, GBK, encoding errors,
 * truncation, caps and the line numbers rows report.
 *
 * Each row read is rendered as "line:field|field|...\n" so that a case states
 * everything the callback saw in one string.
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

#include "csv.h"
#include "sha256.h"

typedef struct sink {
    char *s;
    size_t len, cap;
    int stop_at;    /* return CM_ERR_FIELD from this row number, 0 = never */
    int rows;
} sink;

static void sink_add(sink *k, const char *p, size_t n)
{
    if (k->len + n + 1 > k->cap) {
        size_t ncap = (k->len + n + 1) * 2;
        char *ns = realloc(k->s, ncap);
        assert_non_null(ns);
        k->s = ns;
        k->cap = ncap;
    }
    memcpy(k->s + k->len, p, n);
    k->len += n;
    k->s[k->len] = '\0';
}

static cm_error collect(void *ctx, const cm_csv_row *row, cm_diag *d)
{
    sink *k = ctx;
    k->rows++;
    if (k->stop_at && k->rows == k->stop_at)
        return cm_diag_set(d, CM_ERR_FIELD, "cb", row->line, "x", "stop");
    char num[32];
    int m = snprintf(num, sizeof num, "%ld:", row->line);
    sink_add(k, num, (size_t)m);
    for (size_t i = 0; i < row->n; i++) {
        if (i)
            sink_add(k, "|", 1);
        assert_int_equal(strlen(row->fields[i]), row->lens[i]);
        sink_add(k, row->fields[i], row->lens[i]);
    }
    sink_add(k, "\n", 1);
    return CM_OK;
}

/* Reads buf (len bytes) and returns what the sink saw ("" when nothing). */
static cm_error read_into(const char *buf, size_t len, sink *k,
                          cm_csv_encoding *enc, cm_diag *d)
{
    memset(k, 0, sizeof *k);
    sink_add(k, "", 0);
    cm_diag_clear(d);
    return cm_csv_read_mem("t.csv", buf, len, collect, k, enc, d);
}

static void test_good_table(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t len; /* 0 = strlen */
        const char *want;
        cm_csv_encoding enc;
    } cases[] = {
        {"a,b,c\n1,2,3\n", 0, "1:a|b|c\n2:1|2|3\n", CM_CSV_UTF8},
        {"a,b\n1,2", 0, "1:a|b\n2:1|2\n", CM_CSV_UTF8},             /* no final LF */
        {"a,b\r\n1,2\r\n", 0, "1:a|b\n2:1|2\n", CM_CSV_UTF8},      /* CRLF */
        {"\xEF\xBB\xBF" "code,name\n511800,x\n", 0,
         "1:code|name\n2:511800|x\n", CM_CSV_UTF8_BOM},
        {"\"a,b\",c\n", 0, "1:a,b|c\n", CM_CSV_UTF8},               /* comma */
        {"\"say \"\"hi\"\"\",x\n", 0, "1:say \"hi\"|x\n", CM_CSV_UTF8},
        {"\"\"\n", 0, "1:\n", CM_CSV_UTF8},                          /* quoted empty */
        {"a,,\n", 0, "1:a||\n", CM_CSV_UTF8},                        /* empty fields */
        {",\n", 0, "1:|\n", CM_CSV_UTF8},
        {"a\n\n\nb\n", 0, "1:a\n4:b\n", CM_CSV_UTF8},                /* blank lines */
        {"a\r\n\r\nb\r\n", 0, "1:a\n3:b\n", CM_CSV_UTF8},
        {"", 0, "", CM_CSV_UTF8},
        {"\n\n", 0, "", CM_CSV_UTF8},
        /* a multi-line field: the next row reports its own physical line */
        {"h\n\"one\ntwo\nthree\",x\nnext,y\n", 0,
         "1:h\n2:one\ntwo\nthree|x\n5:next|y\n", CM_CSV_UTF8},
        /* CRLF inside a quoted cell becomes one LF */
        {"\"a\r\nb\",c\r\nd,e\r\n", 0, "1:a\nb|c\n3:d|e\n", CM_CSV_UTF8},
        {"雅安市,市市场监管局\n", 0, "1:雅安市|市市场监管局\n", CM_CSV_UTF8},
        /* GBK: 雅安市 = D1C5 B0B2 CAD0, 等 = B5C8 */
        {"\xd1\xc5\xb0\xb2\xca\xd0,\xb5\xc8\r\n", 0, "1:雅安市|等\n",
         CM_CSV_GB18030},
        {"a,\"\xd1\xc5\n\xb0\xb2\"\nb\n", 0, "1:a|雅\n安\n3:b\n", CM_CSV_GB18030},
        /* a quote inside an unquoted field is kept as written */
        {"ab\"c,d\n", 0, "1:ab\"c|d\n", CM_CSV_UTF8},
        /* bare CR ends a line (old Mac Excel) */
        {"a\rb\r", 0, "1:a\n2:b\n", CM_CSV_UTF8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sink k;
        cm_diag d;
        cm_csv_encoding enc = (cm_csv_encoding)99;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
        cm_error e = read_into(cases[i].in, len, &k, &enc, &d);
        if (e != CM_OK || strcmp(k.s, cases[i].want) != 0)
            print_error("case %zu: error %d (%s), got '%s'\n", i, (int)e,
                        d.msg, k.s);
        assert_int_equal(e, CM_OK);
        assert_string_equal(k.s, cases[i].want);
        assert_int_equal(enc, cases[i].enc);
        free(k.s);
    }
}

static void test_bad_table(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        cm_error code;
        long line;
        const char *msg_part;
        const char *rows_before; /* rows handed out before the error */
    } cases[] = {
        {"a,b\n\"open,x\nmore\n", CM_ERR_CSV, 2,
         "truncated file or unclosed quote (opened at line 2)", "1:a|b\n"},
        {"a\nb\n\"x\"\n\"y\ny\n", CM_ERR_CSV, 4, "opened at line 4",
         "1:a\n2:b\n3:x\n"},
        {"\"ab\"c,d\n", CM_ERR_CSV, 1, "text after a closing quote", ""},
        /* 0xFF is neither UTF-8 nor GB18030: reported on its line, before
         * any row reaches the callback */
        {"a\nb\n\xff\xfe\n", CM_ERR_ENCODING, 3, "neither UTF-8 nor GBK", ""},
        {"a\n\x80\n", CM_ERR_ENCODING, 2, "byte 0x80", ""},
        /* a GB18030 lead byte cut off by the end of the file */
        {"a\nb\xd1", CM_ERR_ENCODING, 2, "neither UTF-8", ""},
        /* BOM says UTF-8, then a GBK byte */
        {"\xEF\xBB\xBF" "a\n\xd1\xc5\n", CM_ERR_ENCODING, 2, "UTF-8 BOM", ""},
        {"a\nb\0c\n", CM_ERR_ENCODING, 2, "NUL byte", "1:a\n"},
    };
    static const size_t lens[] = {0, 0, 0, 0, 0, 0, 0, 6};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sink k;
        cm_diag d;
        size_t len = lens[i] ? lens[i] : strlen(cases[i].in);
        cm_error e = read_into(cases[i].in, len, &k, NULL, &d);
        if (e != cases[i].code || d.line != cases[i].line)
            print_error("case %zu: error %d line %ld: %s\n", i, (int)e,
                        d.line, d.msg);
        assert_int_equal(e, cases[i].code);
        assert_int_equal(d.code, cases[i].code);
        assert_int_equal(d.line, cases[i].line);
        assert_string_equal(d.file, "t.csv");
        assert_non_null(strstr(d.msg, cases[i].msg_part));
        assert_string_equal(k.s, cases[i].rows_before);
        free(k.s);
    }
}

static void test_caps(void **state)
{
    (void)state;
    /* one field one byte over the cap */
    size_t n = CM_CSV_MAX_FIELD + 1;
    char *big = malloc(n + 8);
    assert_non_null(big);
    memset(big, 'x', n);
    memcpy(big + n, "\n", 2);
    sink k;
    cm_diag d;
    assert_int_equal(read_into(big, n + 1, &k, NULL, &d), CM_ERR_CSV);
    assert_non_null(strstr(d.msg, "longer than 65536"));
    free(k.s);
    /* exactly at the cap is fine */
    assert_int_equal(read_into(big + 1, n, &k, NULL, &d), CM_OK);
    assert_int_equal(k.rows, 1);
    free(k.s);
    free(big);

    /* 256 fields pass, 257 do not */
    char row[1024];
    size_t m = 0;
    for (int i = 0; i < CM_CSV_MAX_FIELDS; i++)
        row[m++] = ',';
    row[m] = '\0'; /* 256 commas = 257 fields */
    assert_int_equal(read_into(row, m, &k, NULL, &d), CM_ERR_CSV);
    assert_non_null(strstr(d.msg, "more than 256 fields"));
    free(k.s);
    assert_int_equal(read_into(row, m - 1, &k, NULL, &d), CM_OK);
    free(k.s);
}

static void test_callback_stops(void **state)
{
    (void)state;
    sink k;
    cm_diag d;
    memset(&k, 0, sizeof k);
    sink_add(&k, "", 0);
    k.stop_at = 2;
    cm_diag_clear(&d);
    const char *in = "a\nb\nc\n";
    assert_int_equal(cm_csv_read_mem("t.csv", in, strlen(in), collect, &k,
                                     NULL, &d), CM_ERR_FIELD);
    assert_int_equal(d.line, 2);
    assert_string_equal(d.field, "x");
    assert_string_equal(k.s, "1:a\n");
    assert_int_equal(k.rows, 2);
    free(k.s);
}

/* Files over several 64 KiB chunks: multi-byte characters and quoted
 * newlines cut by chunk ends still come out whole, with right lines. */
static void test_file_chunks(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm_csv_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/big.csv", dir);
    static const char *const encs[] = {"utf8", "gbk"};
    for (int which = 0; which < 2; which++) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        const int nrows = 20000;
        for (int i = 0; i < nrows; i++) {
            if (which == 0)
                fprintf(f, "%d,雅安市,\"a\nb\"\r\n", i);
            else
                fprintf(f, "%d,\xd1\xc5\xb0\xb2\xca\xd0,\"a\nb\"\r\n", i);
        }
        fclose(f);
        sink k;
        cm_diag d;
        memset(&k, 0, sizeof k);
        sink_add(&k, "", 0);
        cm_diag_clear(&d);
        cm_csv_encoding enc;
        assert_int_equal(cm_csv_read(path, collect, &k, &enc, &d), CM_OK);
        assert_int_equal(enc, which == 0 ? CM_CSV_UTF8 : CM_CSV_GB18030);
        assert_int_equal(k.rows, nrows);
        /* every row is two physical lines */
        char want[64];
        snprintf(want, sizeof want, "%d:%d|雅安市|a\nb\n", 2 * 12345 + 1,
                 12345);
        if (!strstr(k.s, want))
            print_error("%s: missing '%s'\n", encs[which], want);
        assert_non_null(strstr(k.s, want));
        snprintf(want, sizeof want, "\n%d:%d|雅安市|a\nb\n", 2 * nrows - 1,
                 nrows - 1);
        assert_non_null(strstr(k.s, want));
        free(k.s);
    }
    unlink(path);
    sink k;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_csv_read(path, collect, &k, NULL, &d), CM_ERR_IO);
    assert_string_equal(d.file, path);
    rmdir(dir);
}

/* cm_csv_read_hash gives the digest and size cm_sha256_file gives, for
 * UTF-8 (with BOM), GBK and empty files, and rows as cm_csv_read does. */
static void test_read_hash(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm_csv_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/h.csv", dir);
    static const char *const bodies[] = {
        "", "a,b\n1,2\n", "\xEF\xBB\xBF" "x,\"y\ny\"\r\n",
        "\xd1\xc5\xb0\xb2,\xb5\xc8\r\n",
    };
    for (int big = 0; big < 2; big++) {
        for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
            FILE *f = fopen(path, "wb");
            assert_non_null(f);
            /* big: over several chunks, the last one partial */
            int reps = big ? 30011 : 1;
            for (int r = 0; r < reps; r++)
                fputs(r && bodies[i][0] == '\xEF' ? bodies[i] + 3 : bodies[i],
                      f);
            fclose(f);
            char want[65], got[65] = "";
            long long wsize = -1, gsize = -1;
            cm_diag d;
            cm_diag_clear(&d);
            assert_int_equal(cm_sha256_file(path, want, &wsize, &d), CM_OK);
            sink k, k2;
            memset(&k, 0, sizeof k);
            sink_add(&k, "", 0);
            memset(&k2, 0, sizeof k2);
            sink_add(&k2, "", 0);
            assert_int_equal(cm_csv_read_hash(path, collect, &k, NULL, got,
                                              &gsize, &d), CM_OK);
            assert_string_equal(got, want);
            assert_int_equal(gsize, wsize);
            assert_int_equal(cm_csv_read(path, collect, &k2, NULL, &d), CM_OK);
            assert_string_equal(k.s, k2.s);
            free(k.s);
            free(k2.s);
        }
    }
    /* NULL hex and size; an error leaves them alone */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("a\n\"open\n", f);
    fclose(f);
    sink k;
    memset(&k, 0, sizeof k);
    sink_add(&k, "", 0);
    cm_diag d;
    cm_diag_clear(&d);
    char hex[65] = "untouched";
    long long size = -7;
    assert_int_equal(cm_csv_read_hash(path, collect, &k, NULL, hex, &size,
                                      &d), CM_ERR_CSV);
    assert_string_equal(hex, "untouched");
    assert_int_equal(size, -7);
    cm_diag_clear(&d);
    assert_int_equal(cm_csv_read_hash(path, collect, &k, NULL, NULL, NULL,
                                      &d), CM_ERR_CSV);
    free(k.s);
    unlink(path);
    cm_diag_clear(&d);
    assert_int_equal(cm_csv_read_hash(path, collect, &k, NULL, hex, &size,
                                      &d), CM_ERR_IO);
    assert_string_equal(d.file, path);
    rmdir(dir);
}

/* A byte-at-a-time parser written from RFC 4180 and the rules above (the
 * reader's former code): the reference the span-copying parser must match
 * on random input. Renders as collect does; returns 0, or -1 on an unclosed
 * quote, -2 on text after a closing quote, -3 on NUL. */
static int ref_parse(const char *s, size_t n, sink *k)
{
    char field[4096];
    size_t fl = 0;
    int state = 0, in_row = 0, skip_lf = 0; /* 0 start 1 plain 2 q 3 q" */
    long line = 1, row_line = 1;
    char num[32];
    int first = 1;
    for (size_t i = 0; i <= n; i++) {
        int eof = i == n;
        char c = eof ? '\n' : s[i];
        if (eof && (state == 2 || !in_row)) {
            if (state == 2)
                return -1;
            break;
        }
        if (skip_lf) {
            skip_lf = 0;
            if (c == '\n' && !eof)
                continue;
        }
        if (c == '\0')
            return -3;
        if (!in_row) {
            row_line = line;
            if (c != '\r' && c != '\n')
                in_row = 1;
        }
        int end_f = 0, end_l = 0;
        switch (state) {
        case 0:
        case 1:
            if (c == '"' && state == 0)
                state = 2;
            else if (c == ',')
                end_f = 1;
            else if (c == '\r' || c == '\n')
                end_l = 1, skip_lf = c == '\r';
            else
                state = 1, field[fl++] = c;
            break;
        case 2:
            if (c == '"') {
                state = 3;
            } else if (c == '\n') {
                if (fl && field[fl - 1] == '\r')
                    fl--;
                line++;
                field[fl++] = '\n';
            } else {
                field[fl++] = c;
            }
            break;
        case 3:
            if (c == '"')
                state = 2, field[fl++] = '"';
            else if (c == ',')
                end_f = 1;
            else if (c == '\r' || c == '\n')
                end_l = 1, skip_lf = c == '\r';
            else
                return -2;
            break;
        }
        if (end_f || (end_l && in_row)) {
            if (first) {
                int m = snprintf(num, sizeof num, "%ld:", row_line);
                sink_add(k, num, (size_t)m);
                first = 0;
            } else {
                sink_add(k, "|", 1);
            }
            sink_add(k, field, fl);
            fl = 0;
            state = 0;
        }
        if (end_l) {
            if (in_row)
                sink_add(k, "\n", 1);
            in_row = 0;
            first = 1;
            line++;
        }
        if (eof)
            break;
    }
    return 0;
}

/* Random short inputs over the bytes that matter, read from memory and
 * from files (so spans cross chunk ends): rows, lines and errors as the
 * byte-at-a-time reference has them. */
static void test_random_vs_reference(void **state)
{
    (void)state;
    static const char alphabet[] = {'a', 'b', ',', '"', '\n', '\r', 'x',
                                    ' ', '\0'};
    unsigned long seed = 12345;
    for (int round = 0; round < 20000; round++) {
        char in[64];
        seed = seed * 6364136223846793005UL + 1442695040888963407UL;
        size_t n = (seed >> 33) % sizeof in;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005UL + 1442695040888963407UL;
            /* NUL rarely: most inputs should parse */
            size_t pick = (seed >> 33) % (sizeof alphabet * 8);
            in[i] = pick < 8 * (sizeof alphabet - 1)
                        ? alphabet[pick % (sizeof alphabet - 1)]
                        : '\0';
        }
        sink want;
        memset(&want, 0, sizeof want);
        sink_add(&want, "", 0);
        int r = ref_parse(in, n, &want);
        sink k;
        cm_diag d;
        cm_error e = read_into(in, n, &k, NULL, &d);
        cm_error we = r == 0 ? CM_OK : r == -3 ? CM_ERR_ENCODING : CM_ERR_CSV;
        if (e != we || (r == 0 && strcmp(k.s, want.s) != 0))
            print_error("round %d: error %d want %d: got '%s' want '%s'\n",
                        round, (int)e, (int)we, k.s, want.s);
        assert_int_equal(e, we);
        if (r == 0)
            assert_string_equal(k.s, want.s);
        free(k.s);
        free(want.s);
    }
}

/* Long inputs built from random rows, read from a file: every span and
 * character cut by the 64 KiB chunk ends, in UTF-8, comes out as the
 * reference parser has it. */
static void test_long_random_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm_csv_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/r.csv", dir);
    static const char *const pieces[] = {
        "a", "bcdefghijklmnop", ",", ",\"q,\"\"x\"\"\n\",", "\r\n", "\n",
        "雅安市", ",\"雅\r\n安\",", "\r", "𠀀", "é",
    };
    size_t cap = 600000, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    unsigned long seed = 99;
    while (n + 32 < cap) {
        seed = seed * 6364136223846793005UL + 1442695040888963407UL;
        size_t which = (seed >> 33) % (sizeof pieces / sizeof *pieces);
        const char *pc = pieces[which];
        size_t m = strlen(pc);
        memcpy(buf + n, pc, m);
        n += m;
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
    sink want, k;
    memset(&want, 0, sizeof want);
    sink_add(&want, "", 0);
    assert_int_equal(ref_parse(buf, n, &want), 0);
    memset(&k, 0, sizeof k);
    sink_add(&k, "", 0);
    cm_diag d;
    cm_diag_clear(&d);
    cm_csv_encoding enc;
    assert_int_equal(cm_csv_read(path, collect, &k, &enc, &d), CM_OK);
    assert_int_equal(enc, CM_CSV_UTF8);
    assert_int_equal(k.len, want.len);
    assert_memory_equal(k.s, want.s, want.len);
    free(k.s);
    free(want.s);
    /* a bad byte late in the file: reported on its line, no row handed
     * out; then a GBK pair there: the whole file is read as GB18030 */
    buf[n - 5] = '\xff';
    long line = 1;
    for (size_t i = 0; i < n - 5; i++)
        line += buf[i] == '\n';
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
    memset(&k, 0, sizeof k);
    sink_add(&k, "", 0);
    cm_diag_clear(&d);
    assert_int_equal(cm_csv_read(path, collect, &k, NULL, &d),
                     CM_ERR_ENCODING);
    assert_int_equal(k.rows, 0);
    assert_true(d.line >= line);
    free(k.s);
    unlink(path);
    rmdir(dir);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_table),
        cmocka_unit_test(test_bad_table),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_file_chunks),
        cmocka_unit_test(test_read_hash),
        cmocka_unit_test(test_random_vs_reference),
        cmocka_unit_test(test_long_random_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
