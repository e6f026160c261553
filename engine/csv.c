/*
 * csv.c - streaming RFC 4180 reader for CSV saved by Chinese Excel.
 *
 * Two passes over the input, each in 64 KiB chunks so that memory stays flat:
 * the first decides the encoding (BOM, else valid UTF-8, else GB18030) and
 * validates it, so that an encoding error is reported before any row reaches
 * the callback; the second converts to UTF-8 and parses. GB18030 never uses
 * the bytes '\n', '\r', '"' or ',' inside a multi-byte character (trail bytes
 * are 0x30-0x39, 0x40-0x7E, 0x80-0xFE), so lines counted on the raw bytes
 * match the lines the parser counts on the converted text.
 */
#include "csv.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_CHUNK (64 * 1024)

/* Where bytes come from: a file or a memory buffer. */
typedef struct csv_src {
    FILE *f;
    const char *mem;
    size_t len, pos;
    const char *name;
} csv_src;

static int src_read(csv_src *s, char *buf, size_t cap, size_t *got)
{
    if (s->f) {
        *got = fread(buf, 1, cap, s->f);
        return ferror(s->f) ? -1 : 0;
    }
    size_t k = s->len - s->pos < cap ? s->len - s->pos : cap;
    if (k)
        memcpy(buf, s->mem + s->pos, k);
    s->pos += k;
    *got = k;
    return 0;
}

static int src_rewind(csv_src *s)
{
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
    long line;
    unsigned byte;
} csv_bad;

static long count_lf(const char *p, size_t n, long line)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\n')
            line++;
    return line;
}

/* Length of the prefix of buf[0..n) that ends on a character boundary: a
 * UTF-8 sequence cut by the chunk end is held back for the next chunk. */
static size_t utf8_complete(const char *buf, size_t n)
{
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned char c = (unsigned char)buf[n - back];
        if ((c & 0xC0) == 0x80)
            continue;
        size_t need = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2
                    : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        return need > back ? n - back : n;
    }
    return n;
}

static cm_error io_fail(csv_src *s, cm_diag *d)
{
    return cm_diag_set(d, CM_ERR_IO, s->name, 0, NULL, "read error: %s",
                       strerror(errno));
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
    long line = 1;
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
        size_t end = got ? utf8_complete(chunk, n) : n;
        if (end < start)
            end = start;
        size_t i = start;
        while (i < end) {
            unsigned cp;
            int k = cm_utf8_decode(chunk + i, end - i, &cp);
            if (k == 0) {
                bad->found = 1;
                bad->line = count_lf(chunk + start, i - start, line);
                bad->byte = (unsigned char)chunk[i];
                err = CM_ERR_ENCODING;
                break;
            }
            i += (size_t)k;
        }
        if (err)
            break;
        line = count_lf(chunk + start, end - start, line);
        if (emit && end > start && (err = emit(ctx, chunk + start, end - start)))
            break;
        carry = n - end;
        memmove(chunk, chunk + end, carry);
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
    long line = 1;
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
            bad->line = count_lf(in, (size_t)(ip - in), line);
            bad->byte = (unsigned char)*ip;
            err = CM_ERR_ENCODING;
            break;
        }
        if (err)
            break;
        line = count_lf(in, (size_t)(ip - in), line);
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

static cm_error grow(csv_parser *p)
{
    if (p->len + 1 >= p->cap) {
        size_t ncap = p->cap ? 2 * p->cap : 1024;
        char *nb = realloc(p->buf, ncap);
        if (!nb)
            return cm_diag_set(p->d, CM_ERR_NOMEM, p->name, p->row_line, NULL,
                               "out of memory");
        p->buf = nb;
        p->cap = ncap;
    }
    return CM_OK;
}

static cm_error put(csv_parser *p, char c)
{
    if (p->len - p->field_start >= CM_CSV_MAX_FIELD)
        return cm_diag_set(p->d, CM_ERR_CSV, p->name, p->row_line, NULL,
                           "field %zu is longer than %d bytes (a quote left "
                           "open?)", p->nf + 1, CM_CSV_MAX_FIELD);
    cm_error e = grow(p);
    if (!e)
        p->buf[p->len++] = c;
    return e;
}

static cm_error end_field(csv_parser *p)
{
    if (p->nf == CM_CSV_MAX_FIELDS)
        return cm_diag_set(p->d, CM_ERR_CSV, p->name, p->row_line, NULL,
                           "row has more than %d fields", CM_CSV_MAX_FIELDS);
    cm_error e = grow(p);
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

static cm_error parse_bytes(void *ctx, const char *s, size_t n)
{
    csv_parser *p = ctx;
    cm_error e = CM_OK;
    for (size_t i = 0; i < n && !e; i++) {
        char c = s[i];
        if (p->skip_lf) {
            p->skip_lf = 0;
            if (c == '\n')
                continue;
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
            if (c == '"') {
                p->state = S_QUOTED;
                p->quote_line = p->line;
            } else if (c == ',') {
                e = end_field(p);
            } else if (c == '\r' || c == '\n') {
                p->skip_lf = c == '\r';
                e = end_line(p);
            } else {
                p->state = S_PLAIN;
                e = put(p, c);
            }
            break;
        case S_PLAIN:
            if (c == ',') {
                e = end_field(p);
            } else if (c == '\r' || c == '\n') {
                p->skip_lf = c == '\r';
                e = end_line(p);
            } else {
                e = put(p, c);
            }
            break;
        case S_QUOTED:
            if (c == '"') {
                p->state = S_QUOTE_SEEN;
            } else if (c == '\n') {
                /* A CRLF inside a cell is one line break, as in the cell. */
                if (p->len > p->field_start && p->buf[p->len - 1] == '\r')
                    p->len--;
                p->line++;
                e = put(p, '\n');
            } else {
                e = put(p, c);
            }
            break;
        case S_QUOTE_SEEN:
            if (c == '"') {
                p->state = S_QUOTED;
                e = put(p, '"');
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

static cm_error read_src(csv_src *s, cm_csv_row_cb cb, void *ctx,
                         cm_csv_encoding *enc, cm_diag *d)
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
        return cm_diag_set(d, CM_ERR_ENCODING, s->name, bad.line, NULL,
                           "invalid UTF-8 (byte 0x%02X) in a file that starts "
                           "with a UTF-8 BOM", bad.byte);
    if (bad.found) {
        long utf8_line = bad.line;
        bad.found = 0;
        if (src_rewind(s) != 0)
            return io_fail(s, d);
        e = pass_gb18030(s, NULL, NULL, &bad, d);
        if (e && !bad.found)
            return e;
        if (bad.found)
            return cm_diag_set(d, CM_ERR_ENCODING, s->name,
                               bad.line > utf8_line ? bad.line : utf8_line,
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
    if (found == CM_CSV_GB18030)
        e = pass_gb18030(s, parse_bytes, p, &bad, d);
    else
        e = pass_utf8(s, bom, parse_bytes, p, &bad, d);
    if (bad.found) /* the file changed between the passes */
        e = cm_diag_set(d, CM_ERR_ENCODING, s->name, bad.line, NULL,
                        "bad text encoding (byte 0x%02X); was the file "
                        "changed while being read?", bad.byte);
    if (!e)
        e = parse_finish(p);
    free(p->buf);
    free(p);
    return e;
}

cm_error cm_csv_read(const char *path, cm_csv_row_cb cb, void *ctx,
                     cm_csv_encoding *enc, cm_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cm_diag_set(d, CM_ERR_IO, path, 0, NULL, "cannot open: %s",
                           strerror(errno));
    csv_src s = {f, NULL, 0, 0, path};
    cm_error e = read_src(&s, cb, ctx, enc, d);
    fclose(f);
    return e;
}

cm_error cm_csv_read_mem(const char *name, const char *buf, size_t len,
                         cm_csv_row_cb cb, void *ctx, cm_csv_encoding *enc,
                         cm_diag *d)
{
    csv_src s = {NULL, buf, len, 0, name};
    return read_src(&s, cb, ctx, enc, d);
}
