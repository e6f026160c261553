/*
 * ini.c - the INI reader behind the .ini files in indicators/ and templates/.
 *
 * The whole file is read and checked as UTF-8 first, so that a callback never
 * sees a half-valid string and an encoding error names its line. A key's
 * value is held back until the next line is seen, because that line may be a
 * continuation of it.
 */
#include "ini.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Definitions are a few hundred lines; 16 MiB means a wrong file was named,
 * and refusing it early keeps a mistaken path from eating memory. */
#define INI_MAX_FILE (16L * 1024 * 1024)

typedef struct ini_state {
    const char *name;
    cm_ini_cb cb;
    void *ctx;
    cm_diag *d;
    char *section;      /* current section text (owned), NULL before any */
    char *key;          /* pending key (owned), NULL when none */
    char *value;        /* pending value (owned) */
    size_t value_len;
    long key_line;
} ini_state;

static int is_ws(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims ASCII blanks from both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
    while (*n && is_ws(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_ws((*s)[*n - 1]))
        (*n)--;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static int key_valid(const char *s, size_t n)
{
    if (n == 0 || !(s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.'))
            return 0;
    }
    return 1;
}

/* Hands the pending key to the callback, if there is one. */
static cm_error flush(ini_state *st)
{
    if (!st->key)
        return CM_OK;
    cm_error e = st->cb(st->ctx, st->section, st->key, st->value, st->key_line,
                        st->d);
    free(st->key);
    free(st->value);
    st->key = NULL;
    st->value = NULL;
    st->value_len = 0;
    return e;
}

static cm_error nomem(ini_state *st, long line)
{
    return cm_diag_set(st->d, CM_ERR_NOMEM, st->name, line, NULL,
                       "out of memory");
}

static cm_error append_continuation(ini_state *st, const char *s, size_t n,
                                    long line)
{
    char *p = realloc(st->value, st->value_len + 1 + n + 1);
    if (!p)
        return nomem(st, line);
    st->value = p;
    p[st->value_len] = '\n';
    memcpy(p + st->value_len + 1, s, n);
    st->value_len += 1 + n;
    p[st->value_len] = '\0';
    return CM_OK;
}

static cm_error do_line(ini_state *st, const char *raw, size_t raw_n,
                        long line)
{
    const char *s = raw;
    size_t n = raw_n;
    trim(&s, &n);
    int indented = raw_n > 0 && is_ws(raw[0]);

    if (n == 0)
        return flush(st);
    /* An indented line after a key belongs to its value, even if it starts
     * with ';' or '#': a wrapped template may well contain either. */
    if (indented && st->key)
        return append_continuation(st, s, n, line);
    if (s[0] == ';' || s[0] == '#')
        return CM_OK;

    cm_error e = flush(st);
    if (e != CM_OK)
        return e;

    if (s[0] == '[') {
        if (s[n - 1] != ']')
            return cm_diag_set(st->d, CM_ERR_SYNTAX, st->name, line, NULL,
                               "unclosed '[' in section header");
        const char *in = s + 1;
        size_t in_n = n - 2;
        trim(&in, &in_n);
        if (in_n == 0)
            return cm_diag_set(st->d, CM_ERR_SYNTAX, st->name, line, NULL,
                               "empty section header '[]'");
        if (memchr(in, '[', in_n) || memchr(in, ']', in_n))
            return cm_diag_set(st->d, CM_ERR_SYNTAX, st->name, line, NULL,
                               "stray bracket in section header");
        char *sec = dup_n(in, in_n);
        if (!sec)
            return nomem(st, line);
        free(st->section);
        st->section = sec;
        return st->cb(st->ctx, st->section, NULL, NULL, line, st->d);
    }

    const char *eq = memchr(s, '=', n);
    if (!eq)
        return cm_diag_set(st->d, CM_ERR_SYNTAX, st->name, line, NULL,
                           "expected 'key = value' or '[section]'");
    const char *k = s;
    size_t k_n = (size_t)(eq - s);
    trim(&k, &k_n);
    const char *v = eq + 1;
    size_t v_n = (size_t)(s + n - v);
    trim(&v, &v_n);
    if (!key_valid(k, k_n)) {
        char shown[64];
        size_t m = k_n < sizeof shown - 1 ? k_n : sizeof shown - 1;
        while (m && m < k_n && ((unsigned char)k[m] & 0xC0) == 0x80)
            m--;
        memcpy(shown, k, m);
        shown[m] = '\0';
        return cm_diag_set(st->d, CM_ERR_SYNTAX, st->name, line, NULL,
                           "bad key '%s': keys are [a-z][a-z0-9_.]*", shown);
    }
    st->key = dup_n(k, k_n);
    st->value = dup_n(v, v_n);
    if (!st->key || !st->value)
        return nomem(st, line);
    if (!st->section)
        return cm_diag_set(st->d, CM_ERR_SYNTAX, st->name, line, st->key,
                           "key before any [section]");
    st->value_len = v_n;
    st->key_line = line;
    return CM_OK;
}

/* Line of byte offset `at` in text, 1-based. */
static long line_of(const char *text, size_t at)
{
    long line = 1;
    for (size_t i = 0; i < at; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

static cm_error parse_buf(const char *name, const char *text, size_t len,
                          cm_ini_cb cb, void *ctx, cm_diag *d)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    size_t bad;
    if (!cm_utf8_valid(text, len, &bad)) {
        cm_error e = cm_diag_set(d, CM_ERR_ENCODING, name, line_of(text, bad),
                                 NULL, "not valid UTF-8 (byte 0x%02X)",
                                 (unsigned char)text[bad]);
        return e;
    }
    const char *nul = memchr(text, '\0', len);
    if (nul)
        return cm_diag_set(d, CM_ERR_ENCODING, name,
                           line_of(text, (size_t)(nul - text)), NULL,
                           "NUL byte in text");

    ini_state st = {name, cb, ctx, d, NULL, NULL, NULL, 0, 0};
    cm_error e = CM_OK;
    long line = 0;
    size_t pos = 0;
    while (e == CM_OK && pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - pos;
        if (n && text[pos + n - 1] == '\r')
            n--;
        line++;
        e = do_line(&st, text + pos, n, line);
        pos = end + 1;
    }
    if (e == CM_OK)
        e = flush(&st);
    free(st.section);
    free(st.key);
    free(st.value);
    return e;
}

cm_error cm_ini_parse_mem(const char *name, const char *text, cm_ini_cb cb,
                          void *ctx, cm_diag *d)
{
    if (!text || !cb)
        return cm_diag_set(d, CM_ERR_USAGE, name, 0, NULL,
                           "no text or no callback");
    return parse_buf(name, text, strlen(text), cb, ctx, d);
}

cm_error cm_ini_parse_file(const char *path, cm_ini_cb cb, void *ctx,
                           cm_diag *d)
{
    if (!path || !cb)
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, NULL,
                           "no path or no callback");
    FILE *f = fopen(path, "rb");
    if (!f)
        return cm_diag_set(d, CM_ERR_IO, path, 0, NULL, "cannot open: %s",
                           strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    cm_error e = CM_OK;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            if (cap >= (size_t)INI_MAX_FILE) {
                e = cm_diag_set(d, CM_ERR_IO, path, 0, NULL,
                                "file larger than %ld bytes", INI_MAX_FILE);
                break;
            }
            size_t ncap = cap ? cap * 2 : 8192;
            char *p = realloc(buf, ncap);
            if (!p) {
                e = cm_diag_set(d, CM_ERR_NOMEM, path, 0, NULL,
                                "out of memory");
                break;
            }
            buf = p;
            cap = ncap;
        }
        size_t k = fread(buf + len, 1, cap - len - 1, f);
        len += k;
        if (k == 0) {
            if (ferror(f))
                e = cm_diag_set(d, CM_ERR_IO, path, 0, NULL,
                                "read error: %s", strerror(errno));
            break;
        }
    }
    fclose(f);
    if (e == CM_OK) {
        if (!buf) {
            buf = malloc(1);
            if (!buf)
                return cm_diag_set(d, CM_ERR_NOMEM, path, 0, NULL,
                                   "out of memory");
        }
        buf[len] = '\0';
        e = parse_buf(path, buf, len, cb, ctx, d);
    }
    free(buf);
    return e;
}
