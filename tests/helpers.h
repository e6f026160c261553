/*
 * helpers.h - shared by the tests that drive the credmon binary: running a
 * command and capturing its output, temporary folders, reading back xlsx
 * cells. Header-only (static functions) so each test stays one file.
 */
#ifndef CM_TEST_HELPERS_H
#define CM_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* The repository root and the credmon binary under test. */
static inline const char *th_root(void)
{
    const char *r = getenv("CREDMON_ROOT");
    return r && *r ? r : ".";
}

static inline const char *th_bin(void)
{
    const char *b = getenv("CREDMON_BIN");
    return b && *b ? b : "./credmon";
}

/* Runs a shell command; returns its exit status and, if out is not NULL,
 * its stdout+stderr in *out (malloc'd). */
static inline int th_run(const char *cmd, char **out)
{
    char full[8192];
    snprintf(full, sizeof full, "(%s) 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p)
        return -1;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += k;
        if (cap - n < 2) {
            char *q = realloc(buf, cap * 2);
            if (!q) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = q;
            cap *= 2;
        }
    }
    if (buf)
        buf[n] = '\0';
    int st = pclose(p);
    if (out)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Reads a whole file (malloc'd, NUL-terminated); NULL if unreadable. */
static inline char *th_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf) {
        size_t got = fread(buf, 1, (size_t)n, f);
        buf[got] = '\0';
        if (len)
            *len = got;
    }
    fclose(f);
    return buf;
}

/* Removes every whitespace byte (ASCII) and the ideographic space. */
static inline void th_squeeze(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (*r == ' ' || *r == '\n' || *r == '\r' || *r == '\t' || *r == '\f') {
            r++;
        } else if ((unsigned char)r[0] == 0xE3 && (unsigned char)r[1] == 0x80 &&
                   (unsigned char)r[2] == 0x80) {
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* Removes page numbers "—N—" (after th_squeeze) so that a paragraph that
 * runs over a page break reads as one. */
static inline void th_strip_folios(char *s)
{
    static const char dash[] = "\xE2\x80\x94";
    char *w = s;
    for (char *r = s; *r;) {
        if (!strncmp(r, dash, 3)) {
            char *q = r + 3;
            while (*q >= '0' && *q <= '9')
                q++;
            if (q > r + 3 && !strncmp(q, dash, 3)) {
                r = q + 3;
                continue;
            }
        }
        *w++ = *r++;
    }
    *w = '\0';
}

/* --- a minimal xlsx reader: shared strings + one sheet's cells --------- */

typedef struct th_sheet {
    char *cells[200][16];   /* [row-1][col], text of each cell or NULL */
} th_sheet;

static inline void th_unescape(char *s)
{
    static const struct { const char *ent; char c; } ents[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'},
        {"&apos;", '\''},
    };
    char *w = s;
    for (char *r = s; *r;) {
        int done = 0;
        for (size_t i = 0; i < sizeof ents / sizeof *ents && *r == '&'; i++) {
            size_t n = strlen(ents[i].ent);
            if (strncmp(r, ents[i].ent, n) == 0) {
                *w++ = ents[i].c;
                r += n;
                done = 1;
                break;
            }
        }
        if (!done)
            *w++ = *r++;
    }
    *w = '\0';
}

/* Shared strings in order; each <si> is the concatenation of its <t>s. */
static inline char **th_shared_strings(const char *xml, size_t *n_out)
{
    size_t n = 0, cap = 64;
    char **v = malloc(cap * sizeof *v);
    const char *p = xml;
    while (v && (p = strstr(p, "<si>")) != NULL) {
        const char *end = strstr(p, "</si>");
        if (!end)
            break;
        size_t len = 0;
        char *s = calloc(1, (size_t)(end - p) + 1);
        for (const char *t = p; s && (t = strstr(t, "<t")) != NULL && t < end;) {
            const char *gt = strchr(t, '>');
            if (!gt || gt > end)
                break;
            if (gt[-1] == '/') { /* <t/> */
                t = gt + 1;
                continue;
            }
            const char *close = strstr(gt, "</t>");
            if (!close || close > end)
                break;
            memcpy(s + len, gt + 1, (size_t)(close - gt - 1));
            len += (size_t)(close - gt - 1);
            t = close + 4;
        }
        if (s)
            th_unescape(s);
        if (n == cap) {
            cap *= 2;
            char **q = realloc(v, cap * sizeof *q);
            if (!q)
                break;
            v = q;
        }
        v[n++] = s;
        p = end + 5;
    }
    *n_out = n;
    return v;
}

/* Loads sheet `sheet_no` (1-based) of an xlsx via `unzip -p`. */
static inline int th_read_sheet(const char *xlsx, int sheet_no, th_sheet *out)
{
    memset(out, 0, sizeof *out);
    char cmd[4096], *ss = NULL, *sheet = NULL;
    snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/sharedStrings.xml", xlsx);
    if (th_run(cmd, &ss) != 0) {
        free(ss);
        return 0;
    }
    snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/worksheets/sheet%d.xml", xlsx,
             sheet_no);
    if (th_run(cmd, &sheet) != 0) {
        free(ss);
        free(sheet);
        return 0;
    }
    size_t n_ss = 0;
    char **strs = th_shared_strings(ss, &n_ss);
    for (const char *p = sheet; (p = strstr(p, "<c r=\"")) != NULL;) {
        p += 6;
        int col = 0, row = 0;
        while (*p >= 'A' && *p <= 'Z')
            col = col * 26 + (*p++ - 'A' + 1);
        while (*p >= '0' && *p <= '9')
            row = row * 10 + (*p++ - '0');
        const char *tag_end = strchr(p, '>');
        if (!tag_end)
            break;
        int shared = 0;
        const char *t = strstr(p, " t=\"s\"");
        if (t && t < tag_end)
            shared = 1;
        if (tag_end[-1] == '/') { /* <c .../> empty cell */
            p = tag_end;
            continue;
        }
        const char *v = strstr(tag_end, "<v>");
        const char *close = strstr(tag_end, "</c>");
        if (!v || !close || v > close) {
            p = tag_end;
            continue;
        }
        v += 3;
        const char *ve = strstr(v, "</v>");
        char val[256];
        size_t len = (size_t)(ve - v) < sizeof val - 1 ? (size_t)(ve - v) : sizeof val - 1;
        memcpy(val, v, len);
        val[len] = '\0';
        if (row >= 1 && row <= 200 && col >= 1 && col <= 16) {
            if (shared) {
                size_t idx = (size_t)strtoul(val, NULL, 10);
                out->cells[row - 1][col - 1] =
                    idx < n_ss && strs[idx] ? strdup(strs[idx]) : NULL;
            } else {
                out->cells[row - 1][col - 1] = strdup(val);
            }
        }
        p = close;
    }
    for (size_t i = 0; i < n_ss; i++)
        free(strs[i]);
    free(strs);
    free(ss);
    free(sheet);
    return 1;
}

static inline void th_sheet_free(th_sheet *s)
{
    for (int r = 0; r < 200; r++)
        for (int c = 0; c < 16; c++)
            free(s->cells[r][c]);
}

/* Cell text by Excel reference: row 1-based, col 1-based; "" if empty. */
static inline const char *th_cell(const th_sheet *s, int row, int col)
{
    const char *v = s->cells[row - 1][col - 1];
    return v ? v : "";
}

#endif
