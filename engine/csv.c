/*
 * csv.c - streaming RFC 4180 reader for CSV saved by Chinese Excel.
 *
 * Two passes over the input, each in 64 KiB chunks so that memory stays flat:
 * the first decides the encoding (BOM, else valid UTF-8, else GB18030) and
 * validates it, so that an encoding error is reported before any row reaches
 * the callback; the second hashes the raw bytes (when asked), converts to
 * UTF-8, checks it again (the file may have changed in between, and every
 * row handed out must be valid UTF-8; at 2 GB/s the check is cheap) and
 * parses. GB18030 never uses the bytes '\n',
 * '\r', '"' or ',' inside a multi-byte character (trail bytes are 0x30-0x39,
 * 0x40-0x7E, 0x80-0xFE), so the parser can count lines on converted text.
 *
 * Speed: the former reader validated with a call to cm_utf8_decode per
 * character and stored fields a byte at a time through put() (about 25% of
 * a publicity import's profile), and the importers hashed the file in a
 * third read (13%). Here ASCII is checked 8 bytes to a word and CJK three
 * bytes at a time, fields are copied as spans found a word at a time, and
 * the hash is taken in the parse pass. On 68 MB of generated publicity and
 * entity files in memory (gcc 12 -O2): validation 705 -> 2100 MB/s, parse
 * 288 -> 800 MB/s, whole cm_csv_read_mem 143 -> 460 MB/s.
 */
#include "csv.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

#define CSV_CHUNK (64 * 1024)

/* Where bytes come from: a file or a memory buffer. */
typedef struct csv_src {
    FILE *f;
    const char *mem;
    size_t len, pos;
    const char *name;
    cm_sha256 *sha;     /* when set, every byte read is hashed */
    long long total;    /* bytes read since the last rewind */
} csv_src;

static int src_read(csv_src *s, char *buf, size_t cap, size_t *got)
{
    if (s->f) {
        *got = fread(buf, 1, cap, s->f);
        if (ferror(s->f))
            return -1;
    } else {
        size_t k = s->len - s->pos < cap ? s->len - s->pos : cap;
        if (k)
            memcpy(buf, s->mem + s->pos, k);
        s->pos += k;
        *got = k;
    }
    if (s->sha)
        cm_sha256_update(s->sha, buf, *got);
    s->total += (long long)*got;
    return 0;
}

static int src_rewind(csv_src *s)
{
    s->total = 0;
    if (s->f)
        return fseek(s->f, 0L, SEEK_SET);
    s->pos = 0;
    return 0;
}

/* Receives converted, valid UTF-8 text. */
typedef cm_error (*csv_emit)(void *ctx, const char *p, size_t n);

/* An encoding failure found by a pass: where it is. */
typedef struct csv_bad {
    int found;
    long long off;      /* offset of the bad byte in the raw input */
    unsigned byte;
} csv_bad;

static cm_error io_fail(csv_src *s, cm_diag *d)
{
    return cm_diag_set(d, CM_ERR_IO, s->name, 0, NULL, "read error: %s",
                       strerror(errno));
}

/* The 1-based line holding raw byte off, found by reading again from the
 * start: passes keep only byte offsets, as counting lines in every chunk
 * cost more than this second read does on the rare bad file. 0 when the
 * input cannot be read again. */
static long line_at(csv_src *s, long long off)
{
    s->sha = NULL;
    if (src_rewind(s) != 0)
        return 0;
    char buf[16 * 1024];
    long line = 1;
    while (off > 0) {
        size_t got;
        if (src_read(s, buf, sizeof buf, &got) != 0)
            return 0;
        if (got == 0)
            break;
        size_t k = (long long)got < off ? got : (size_t)off;
        for (const char *q = buf, *e = buf + k;
             (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
            line++;
        off -= (long long)k;
    }
    return line;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

static uint64_t load8(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Nonzero when some byte of v is 0, with the flag bit (0x80) set in each
 * such byte: exact for the lowest one (borrows only run upward from a zero
 * byte, so a false flag only ever sits above a true one). */
static uint64_t has_zero(uint64_t v)
{
    return (v - ONES) & ~v & HIGHS;
}

/* Index of the lowest-addressed byte of a load8 word whose flag bit (0x80)
 * is set in m, m nonzero; 0 where the byte order is unknown, which is
 * merely slower (callers go on byte by byte from there). */
static size_t first_set_byte(uint64_t m)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return (size_t)__builtin_ctzll(m) >> 3;
#else
    (void)m;
    return 0;
#endif
}

/* Where UTF-8 checking of s[0..n) stopped: n when every character is
 * valid (the same rules as cm_utf8_decode: no overlong forms, surrogates or
 * code points above U+10FFFF). Below n, *cut tells a character cut short by
 * the end of s (valid so far; more bytes may complete it) from a bad byte.
 * Runs of ASCII are skipped 8 bytes at a time; a publicity file is about
 * 60% ASCII, and its Chinese text takes the switch below one character at a
 * time instead of a function call per character. */
static size_t utf8_scan(const unsigned char *s, size_t n, int *cut)
{
    size_t i = 0;
    *cut = 0;
    while (i < n) {
        if (n - i >= 8) {
            uint64_t high = load8(s + i) & HIGHS;
            if (!high) {
                i += 8;
                continue;
            }
            i += first_set_byte(high); /* to the first non-ASCII byte */
        }
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* Runs of CJK: E1..EC and EE..EF take any two trail bytes. */
        while (n - i >= 3 && c >= 0xE1 && c <= 0xEF && c != 0xED &&
               (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
            i += 3;
            if (i == n)
                return n;
            c = s[i];
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        /* Unicode 15, table 3-7: the second byte's range depends on the
         * first; later bytes are 80..BF. */
        size_t k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            k = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return i;
        }
        size_t have = n - i < k ? n - i : k;
        if (have >= 2 && (s[i + 1] < lo || s[i + 1] > hi))
            return i;
        for (size_t j = 2; j < have; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return i;
        if (have < k) {
            *cut = 1;
            return i;
        }
        i += k;
    }
    return n;
}

/* One pass over UTF-8 input (BOM skipped when bom is set): validates and,
 * if emit is not NULL, hands the text on. */
static cm_error pass_utf8(csv_src *s, int bom, csv_emit emit, void *ctx,
                          csv_bad *bad, cm_diag *d)
{
    char *chunk = malloc(CSV_CHUNK + 4);
    if (!chunk)
        return cm_diag_set(d, CM_ERR_NOMEM, s->name, 0, NULL, "out of memory");
    cm_error err = CM_OK;
    size_t carry = 0;
    long long base = 0; /* offset of chunk[0] in the input */
    int first = 1;
    for (;;) {
        size_t got;
        if (src_read(s, chunk + carry, CSV_CHUNK, &got) != 0) {
            err = io_fail(s, d);
            break;
        }
        size_t n = carry + got;
        size_t start = 0;
        if (first && bom && n >= 3)
            start = 3;
        first = 0;
        int cut;
        size_t end = start + utf8_scan((const unsigned char *)chunk + start,
                                       n - start, &cut);
        if (end < n && !(cut && got)) {
            bad->found = 1;
            bad->off = base + (long long)end;
            bad->byte = (unsigned char)chunk[end];
            err = CM_ERR_ENCODING;
            break;
        }
        if (emit && end > start &&
            (err = emit(ctx, chunk + start, end - start)))
            break;
        carry = n - end;
        memmove(chunk, chunk + end, carry);
        base += (long long)end;
        if (got == 0)
            break;
    }
    free(chunk);
    return err;
}

/* One pass over GB18030 input, converted with iconv. */
static cm_error pass_gb18030(csv_src *s, csv_emit emit, void *ctx,
                             csv_bad *bad, cm_diag *d)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return cm_diag_set(d, CM_ERR_ENCODING, s->name, 0, NULL,
                           "this system cannot convert GB18030: %s",
                           strerror(errno));
    /* A GB18030 character is at most 4 bytes and becomes at most 4 bytes of
     * UTF-8, so twice the chunk always leaves room. */
    char *in = malloc(CSV_CHUNK + 8);
    char *out = malloc(2 * CSV_CHUNK + 16);
    cm_error err = CM_OK;
    if (!in || !out) {
        err = cm_diag_set(d, CM_ERR_NOMEM, s->name, 0, NULL, "out of memory");
        goto done;
    }
    size_t carry = 0;
    long long base = 0; /* offset of in[0] in the input */
    for (;;) {
        size_t got;
        if (src_read(s, in + carry, CSV_CHUNK, &got) != 0) {
            err = io_fail(s, d);
            break;
        }
        size_t n = carry + got;
        char *ip = in;
        size_t il = n;
        while (il) {
            char *op = out;
            size_t ol = 2 * CSV_CHUNK + 16;
            size_t r = iconv(cd, &ip, &il, &op, &ol);
            int e = r == (size_t)-1 ? errno : 0;
            size_t made = (size_t)(op - out);
            if (emit && made && (err = emit(ctx, out, made)))
                break;
            if (!e || e == E2BIG)
                continue;
            if (e == EINVAL && got) /* character cut by the chunk end */
                break;
            bad->found = 1;
            bad->off = base + (ip - in);
            bad->byte = (unsigned char)*ip;
            err = CM_ERR_ENCODING;
            break;
        }
        if (err)
            break;
        base += ip - in;
        carry = il;
        memmove(in, ip, carry);
        if (got == 0)
            break;
    }
done:
    free(in);
    free(out);
    iconv_close(cd);
    return err;
}

/* ---- the parser ---- */

enum { S_START, S_PLAIN, S_QUOTED, S_QUOTE_SEEN };

typedef struct csv_parser {
    const char *name;
    cm_csv_row_cb cb;
    void *ctx;
    cm_diag *d;
    char *buf;          /* the row's fields, each NUL-terminated */
    size_t len, cap;
    size_t field_start; /* offset of the field being read */
    size_t nf;
    size_t off[CM_CSV_MAX_FIELDS];
    size_t flen[CM_CSV_MAX_FIELDS];
    const char *ptr[CM_CSV_MAX_FIELDS];
    int state;
    int in_row;         /* some byte of the current row has been read */
    int skip_lf;        /* a CR ended the line: a following LF belongs to it */
    long line;          /* physical line being read */
    long row_line;      /* line on which the current row started */
    long quote_line;    /* line on which the open quote was opened */
} csv_parser;

/* Room for k more bytes and a NUL. */
static cm_error reserve(csv_parser *p, size_t k)
{
    if (p->len + k < p->cap)
        return CM_OK;
    size_t ncap = p->cap ? p->cap : 1024;
    while (ncap <= p->len + k)
        ncap *= 2;
    char *nb = realloc(p->buf, ncap);
    if (!nb)
        return cm_diag_set(p->d, CM_ERR_NOMEM, p->name, p->row_line, NULL,
                           "out of memory");
    p->buf = nb;
    p->cap = ncap;
    return CM_OK;
}

/* Appends s[0..k) to the field being read. */
static cm_error put_span(csv_parser *p, const char *s, size_t k)
{
    if (p->len - p->field_start + k > CM_CSV_MAX_FIELD)
        return cm_diag_set(p->d, CM_ERR_CSV, p->name, p->row_line, NULL,
                           "field %zu is longer than %d bytes (a quote left "
                           "open?)", p->nf + 1, CM_CSV_MAX_FIELD);
    cm_error e = reserve(p, k);
    if (e)
        return e;
    memcpy(p->buf + p->len, s, k);
    p->len += k;
    return CM_OK;
}

static cm_error end_field(csv_parser *p)
{
    if (p->nf == CM_CSV_MAX_FIELDS)
        return cm_diag_set(p->d, CM_ERR_CSV, p->name, p->row_line, NULL,
                           "row has more than %d fields", CM_CSV_MAX_FIELDS);
    cm_error e = reserve(p, 0);
    if (e)
        return e;
    p->off[p->nf] = p->field_start;
    p->flen[p->nf] = p->len - p->field_start;
    p->buf[p->len++] = '\0';
    p->nf++;
    p->field_start = p->len;
    p->state = S_START;
    return CM_OK;
}

static cm_error end_row(csv_parser *p)
{
    cm_error e = end_field(p);
    if (e)
        return e;
    for (size_t i = 0; i < p->nf; i++)
        p->ptr[i] = p->buf + p->off[i];
    cm_csv_row row = {p->ptr, p->flen, p->nf, p->row_line};
    e = p->cb(p->ctx, &row, p->d);
    p->len = p->field_start = p->nf = 0;
    p->in_row = 0;
    p->state = S_START;
    return e;
}

/* A line ends outside quotes: a row ends, or a blank line is skipped. */
static cm_error end_line(csv_parser *p)
{
    cm_error e = CM_OK;
    if (p->in_row)
        e = end_row(p);
    p->line++;
    return e;
}

/* Index of the first byte at or after i in s[0..n) that ends a span of an
 * unquoted field (',' CR LF NUL), or n. Eight bytes to a word: fields are
 * short (publicity rows average 15 bytes a field), so a word test beats
 * both a byte loop and strcspn's per-call setup. */
static size_t scan_plain(const char *s, size_t i, size_t n)
{
    for (; n - i >= 8; i += 8) {
        uint64_t v = load8(s + i);
        uint64_t m = has_zero(v) | has_zero(v ^ (ONES * ',')) |
                     has_zero(v ^ (ONES * '\n')) | has_zero(v ^ (ONES * '\r'));
        if (m) {
            i += first_set_byte(m);
            break;
        }
    }
    for (; i < n; i++) {
        char c = s[i];
        if (c == ',' || c == '\n' || c == '\r' || c == '\0')
            break;
    }
    return i;
}

/* The same inside quotes: the span ends at '"', LF (counted as a line) or
 * NUL. */
static size_t scan_quoted(const char *s, size_t i, size_t n)
{
    for (; n - i >= 8; i += 8) {
        uint64_t v = load8(s + i);
        uint64_t m = has_zero(v) | has_zero(v ^ (ONES * '"')) |
                     has_zero(v ^ (ONES * '\n'));
        if (m) {
            i += first_set_byte(m);
            break;
        }
    }
    for (; i < n; i++) {
        char c = s[i];
        if (c == '"' || c == '\n' || c == '\0')
            break;
    }
    return i;
}

/* Each turn of the loop takes one special byte, or one span of ordinary
 * bytes copied at once (the span never starts a row or holds a byte that
 * changes state, so the per-byte bookkeeping of the former parser holds). */
static cm_error parse_bytes(void *ctx, const char *s, size_t n)
{
    csv_parser *p = ctx;
    cm_error e = CM_OK;
    size_t i = 0;
    while (i < n && !e) {
        char c = s[i];
        if (p->skip_lf) {
            p->skip_lf = 0;
            if (c == '\n') {
                i++;
                continue;
            }
        }
        if (c == '\0')
            return cm_diag_set(p->d, CM_ERR_ENCODING, p->name, p->line, NULL,
                               "NUL byte in text (not a CSV file?)");
        if (!p->in_row) {
            p->row_line = p->line;
            if (c != '\r' && c != '\n')
                p->in_row = 1;
        }
        switch (p->state) {
        case S_START:
        case S_PLAIN:
            if (c == '"' && p->state == S_START) {
                p->state = S_QUOTED;
                p->quote_line = p->line;
                i++;
            } else if (c == ',') {
                e = end_field(p);
                i++;
            } else if (c == '\r' || c == '\n') {
                p->skip_lf = c == '\r';
                e = end_line(p);
                i++;
            } else {
                /* a quote inside an unquoted field is kept as written */
                size_t j = scan_plain(s, i + 1, n);
                p->state = S_PLAIN;
                e = put_span(p, s + i, j - i);
                i = j;
            }
            break;
        case S_QUOTED:
            if (c == '"') {
                p->state = S_QUOTE_SEEN;
                i++;
            } else if (c == '\n') {
                /* A CRLF inside a cell is one line break, as in the cell. */
                if (p->len > p->field_start && p->buf[p->len - 1] == '\r')
                    p->len--;
                p->line++;
                e = put_span(p, "\n", 1);
                i++;
            } else {
                size_t j = scan_quoted(s, i + 1, n);
                e = put_span(p, s + i, j - i);
                i = j;
            }
            break;
        case S_QUOTE_SEEN:
            if (c == '"') {
                p->state = S_QUOTED;
                e = put_span(p, "\"", 1);
            } else if (c == ',') {
                e = end_field(p);
            } else if (c == '\r' || c == '\n') {
                p->skip_lf = c == '\r';
                e = end_line(p);
            } else {
                e = cm_diag_set(p->d, CM_ERR_CSV, p->name, p->row_line, NULL,
                                "text after a closing quote in field %zu "
                                "(line %ld): double a quote inside a quoted "
                                "field", p->nf + 1, p->line);
            }
            i++;
            break;
        }
    }
    return e;
}

static cm_error parse_finish(csv_parser *p)
{
    if (p->state == S_QUOTED)
        return cm_diag_set(p->d, CM_ERR_CSV, p->name, p->row_line, NULL,
                           "truncated file or unclosed quote (opened at line "
                           "%ld)", p->quote_line);
    if (p->in_row)
        return end_row(p);
    return CM_OK;
}

/* The encoding pass, then the parse pass; sha (may be NULL) receives the
 * raw bytes of the parse pass. */
static cm_error read_src(csv_src *s, cm_csv_row_cb cb, void *ctx,
                         cm_csv_encoding *enc, cm_sha256 *sha, cm_diag *d)
{
    char head[3];
    size_t got;
    if (src_read(s, head, 3, &got) != 0)
        return io_fail(s, d);
    int bom = got == 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0;
    if (src_rewind(s) != 0)
        return io_fail(s, d);

    csv_bad bad = {0, 0, 0};
    cm_csv_encoding found = bom ? CM_CSV_UTF8_BOM : CM_CSV_UTF8;
    cm_error e = pass_utf8(s, bom, NULL, NULL, &bad, d);
    if (e && !bad.found)
        return e;
    if (bad.found && bom)
        return cm_diag_set(d, CM_ERR_ENCODING, s->name, line_at(s, bad.off),
                           NULL,
                           "invalid UTF-8 (byte 0x%02X) in a file that starts "
                           "with a UTF-8 BOM", bad.byte);
    if (bad.found) {
        long long utf8_off = bad.off;
        bad.found = 0;
        if (src_rewind(s) != 0)
            return io_fail(s, d);
        e = pass_gb18030(s, NULL, NULL, &bad, d);
        if (e && !bad.found)
            return e;
        if (bad.found)
            return cm_diag_set(d, CM_ERR_ENCODING, s->name,
                               line_at(s, bad.off > utf8_off ? bad.off
                                                             : utf8_off),
                               NULL,
                               "text is neither UTF-8 nor GBK/GB18030 "
                               "(byte 0x%02X): save the file as CSV UTF-8",
                               bad.byte);
        found = CM_CSV_GB18030;
    }
    if (enc)
        *enc = found;
    if (src_rewind(s) != 0)
        return io_fail(s, d);

    csv_parser *p = calloc(1, sizeof *p);
    if (!p)
        return cm_diag_set(d, CM_ERR_NOMEM, s->name, 0, NULL, "out of memory");
    p->name = s->name;
    p->cb = cb;
    p->ctx = ctx;
    p->d = d;
    p->line = 1;
    bad.found = 0;
    s->sha = sha;
    if (found == CM_CSV_GB18030)
        e = pass_gb18030(s, parse_bytes, p, &bad, d);
    else
        e = pass_utf8(s, bom, parse_bytes, p, &bad, d);
    s->sha = NULL;
    if (bad.found) /* the file changed between the passes */
        e = cm_diag_set(d, CM_ERR_ENCODING, s->name, line_at(s, bad.off),
                        NULL,
                        "bad text encoding (byte 0x%02X); was the file "
                        "changed while being read?", bad.byte);
    if (!e)
        e = parse_finish(p);
    free(p->buf);
    free(p);
    return e;
}

cm_error cm_csv_read_hash(const char *path, cm_csv_row_cb cb, void *ctx,
                          cm_csv_encoding *enc, char hex[65],
                          long long *size, cm_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cm_diag_set(d, CM_ERR_IO, path, 0, NULL, "cannot open: %s",
                           strerror(errno));
    csv_src s = {f, NULL, 0, 0, path, NULL, 0};
    cm_sha256 sha;
    cm_sha256_init(&sha);
    cm_error e = read_src(&s, cb, ctx, enc, hex ? &sha : NULL, d);
    long long total = s.total;
    fclose(f);
    if (e)
        return e;
    if (hex) {
        unsigned char dig[32];
        cm_sha256_final(&sha, dig);
        cm_sha256_hex(dig, hex);
    }
    if (size)
        *size = total;
    return CM_OK;
}

cm_error cm_csv_read(const char *path, cm_csv_row_cb cb, void *ctx,
                     cm_csv_encoding *enc, cm_diag *d)
{
    return cm_csv_read_hash(path, cb, ctx, enc, NULL, NULL, d);
}

cm_error cm_csv_read_mem(const char *name, const char *buf, size_t len,
                         cm_csv_row_cb cb, void *ctx, cm_csv_encoding *enc,
                         cm_diag *d)
{
    csv_src s = {NULL, buf, len, 0, name, NULL, 0};
    return read_src(&s, cb, ctx, enc, NULL, d);
}

void cm_csv_trim(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n;
    for (;;) {
        if (len && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            p++, len--;
        else if (len >= 3 && memcmp(p, "\xE3\x80\x80", 3) == 0)
            p += 3, len -= 3;
        else
            break;
    }
    for (;;) {
        char c = len ? p[len - 1] : 0;
        if (len && (c == ' ' || c == '\t' || c == '\r' || c == '\n'))
            len--;
        else if (len >= 3 && memcmp(p + len - 3, "\xE3\x80\x80", 3) == 0)
            len -= 3;
        else
            break;
    }
    *s = p;
    *n = len;
}
