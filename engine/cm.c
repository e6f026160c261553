/*
 * cm.c - error sentences, located diagnostics and UTF-8 helpers shared by
 * every module.
 */
#include "cm.h"

#include <dirent.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ORDER CM_ERROR */
static const char *const cm_error_text[CM_ERR__COUNT] = {
    "no error",
    "out of memory",
    "input/output error",
    "bad text encoding",
    "malformed CSV",
    "invalid field value",
    "duplicate key",
    "unknown reference",
    "syntax error",
    "unknown name",
    "inconsistent definitions",
    "store error",
    "output error",
    "usage error",
    "missing data",
};

const char *cm_strerror(cm_error e)
{
    if ((int)e < 0 || e >= CM_ERR__COUNT)
        return "unknown error";
    return cm_error_text[e];
}

void cm_diag_clear(cm_diag *d)
{
    if (d)
        memset(d, 0, sizeof *d);
}

static void copy_str(char *dst, size_t n, const char *src)
{
    if (!src) {
        dst[0] = '\0';
        return;
    }
    /* snprintf truncates safely; a cut inside a UTF-8 character is stepped
     * back to the character boundary so the message stays valid text. */
    size_t len = strlen(src);
    if (len >= n) {
        len = n - 1;
        while (len && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

cm_error cm_diag_set(cm_diag *d, cm_error e, const char *file, long line,
                     const char *field, const char *fmt, ...)
{
    if (!d || d->code != CM_OK)
        return e;
    d->code = e;
    copy_str(d->file, sizeof d->file, file);
    d->line = line;
    d->column = 0;
    copy_str(d->field, sizeof d->field, field);
    char tmp[sizeof d->msg + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    copy_str(d->msg, sizeof d->msg, tmp);
    return e;
}

/* Appends to buf[0..n) at *used; vsnprintf keeps the result terminated
 * and a message that does not fit is cut, never overrun. */
static void append_fmt(char *buf, size_t n, size_t *used, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void append_fmt(char *buf, size_t n, size_t *used, const char *fmt, ...)
{
    if (*used + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *used, n - *used, fmt, ap);
    va_end(ap);
    if (k > 0)
        *used += (size_t)k < n - *used ? (size_t)k : n - *used - 1;
}

void cm_diag_format(const cm_diag *d, char *buf, size_t n)
{
    if (!n)
        return;
    buf[0] = '\0';
    size_t used = 0;
    if (d->file[0]) {
        append_fmt(buf, n, &used, "%s:", d->file);
        if (d->line > 0)
            append_fmt(buf, n, &used, "%ld:", d->line);
        append_fmt(buf, n, &used, "%s", " ");
    }
    if (d->field[0])
        append_fmt(buf, n, &used, "%s: ", d->field);
    append_fmt(buf, n, &used, "%s", d->msg[0] ? d->msg : cm_strerror(d->code));
    if (d->column > 0)
        append_fmt(buf, n, &used, " (column %ld)", d->column);
}

char *cm_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

int cm_utf8_decode(const char *s, size_t n, unsigned *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return 0;
    unsigned c = u[0];
    int len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, c &= 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, c &= 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < (size_t)len)
        return 0;
    for (int i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (u[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

int cm_utf8_valid(const char *s, size_t n, size_t *bad_at)
{
    size_t i = 0;
    while (i < n) {
        unsigned cp;
        int k = cm_utf8_decode(s + i, n - i, &cp);
        if (k == 0) {
            if (bad_at)
                *bad_at = i;
            return 0;
        }
        i += (size_t)k;
    }
    return 1;
}

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void cm_list_free(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

cm_error cm_list_dir(const char *dir, int (*keep)(const char *name),
                     char ***paths, size_t *n, cm_diag *d)
{
    *paths = NULL;
    *n = 0;
    DIR *dh = opendir(dir);
    if (!dh)
        return cm_diag_set(d, CM_ERR_IO, dir, 0, NULL, "cannot open the folder");
    char **v = NULL;
    size_t k = 0;
    size_t dlen = strlen(dir);
    int slash = dlen > 0 && dir[dlen - 1] == '/';
    struct dirent *e;
    cm_error rc = CM_OK;
    while ((e = readdir(dh)) != NULL) {
        if (e->d_name[0] == '.' || (keep && !keep(e->d_name)))
            continue;
        char **p = realloc(v, (k + 1) * sizeof *p);
        size_t len = dlen + 1 + strlen(e->d_name) + 1;
        char *path = p ? malloc(len) : NULL;
        if (!p || !path) {
            if (p)
                v = p;
            free(path);
            rc = cm_diag_set(d, CM_ERR_NOMEM, dir, 0, NULL, "out of memory");
            break;
        }
        v = p;
        snprintf(path, len, "%s%s%s", dir, slash ? "" : "/", e->d_name);
        v[k++] = path;
    }
    closedir(dh);
    if (rc != CM_OK) {
        cm_list_free(v, k);
        return rc;
    }
    if (k)
        qsort(v, k, sizeof *v, cmp_paths);
    *paths = v;
    *n = k;
    return CM_OK;
}

/* 200 bytes (66 Chinese characters, far above any department's name)
 * leaves room under NAME_MAX (255) for a temporary name's ".", extension
 * and ".tmp.<pid>". */
const char *cm_file_name_problem(const char *s, size_t n)
{
    if (n == 0)
        return "is empty";
    if (n > 200)
        return "is too long to be a file name";
    if (s[0] == '.' || s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == '.')
        return "starts or ends with '.' or a space";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            return "contains a control character";
        if (strchr("/\\:*?\"<>|", ch))
            return "contains a character that file names cannot hold "
                   "(/ \\ : * ? \" < > |)";
    }
    return NULL;
}
