/*
 * text.c - placeholder templates and numbers as the seeds write them.
 *
 * The template syntax has one definition, the PCRE2 pattern below; checking
 * and rendering walk the same matches, so a template that passes
 * `credmon check` renders the same way in a run.
 */
#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include "text.h"

#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "{{" and "}}" are escapes, "{name}" a placeholder, and any other brace is
 * a lone one. Alternation order matters: the escapes win over a placeholder
 * starting at the same brace ("{{x}}" is the literal "{x}"). */
static const char cm_text_pattern[] =
    "\\{\\{|\\}\\}|\\{([a-z_][a-z0-9_]*)\\}|[{}]";

typedef struct out_buf {
    char *s;
    size_t n, cap;
} out_buf;

static int out_put(out_buf *o, const char *s, size_t n)
{
    if (!o)
        return 1;
    if (o->n + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 64;
        while (cap < o->n + n + 1)
            cap *= 2;
        char *ns = realloc(o->s, cap);
        if (!ns)
            return 0;
        o->s = ns;
        o->cap = cap;
    }
    memcpy(o->s + o->n, s, n);
    o->n += n;
    o->s[o->n] = '\0';
    return 1;
}

/* Records e with the 1-based byte column of off; the column is set only if
 * this call's error is the one d keeps (first error wins). */
static cm_error located(cm_diag *d, cm_error e, size_t off, const char *msg)
{
    int fresh = d && d->code == CM_OK;
    cm_diag_set(d, e, NULL, 0, NULL, "%s", msg);
    if (fresh)
        d->column = (long)off + 1;
    return e;
}

/* Walks tmpl once. With allowed, checks names against it; with vars,
 * looks names up there and appends the rendering to o. */
static cm_error walk(const char *tmpl, const char *const *allowed,
                     size_t n_allowed, const cm_text_var *vars,
                     size_t n_vars, out_buf *o, cm_diag *d)
{
    size_t len = strlen(tmpl), bad = 0;
    if (!cm_utf8_valid(tmpl, len, &bad))
        return located(d, CM_ERR_ENCODING, bad, "invalid UTF-8");

    int err = 0;
    PCRE2_SIZE erroff = 0;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)cm_text_pattern,
                                   PCRE2_ZERO_TERMINATED, 0, &err, &erroff,
                                   NULL);
    if (!re)
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL,
                           "cannot compile the placeholder pattern");
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md) {
        pcre2_code_free(re);
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }

    cm_error rc = CM_OK;
    size_t pos = 0;
    for (;;) {
        int m = pcre2_match(re, (PCRE2_SPTR)tmpl, len, pos, 0, md, NULL);
        size_t ms = len, me = len;
        if (m > 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            ms = ov[0];
            me = ov[1];
        }
        if (!out_put(o, tmpl + pos, ms - pos)) {
            rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        if (m < 0 && m != PCRE2_ERROR_NOMATCH) {
            rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL,
                             "placeholder match failed (PCRE2 error %d)", m);
            break;
        }
        if (m <= 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        const char *lit = NULL;
        if (m >= 2 && ov[2] != PCRE2_UNSET) {
            const char *name = tmpl + ov[2];
            size_t nlen = ov[3] - ov[2];
            int found = 0;
            for (size_t i = 0; allowed && i < n_allowed && !found; i++)
                found = strlen(allowed[i]) == nlen
                        && memcmp(allowed[i], name, nlen) == 0;
            for (size_t i = 0; vars && i < n_vars && !found; i++) {
                if (strlen(vars[i].name) == nlen
                    && memcmp(vars[i].name, name, nlen) == 0) {
                    found = 1;
                    lit = vars[i].value ? vars[i].value : "";
                }
            }
            if (!found) {
                char msg[160];
                snprintf(msg, sizeof msg, "unknown placeholder {%.*s}",
                         nlen > 100 ? 100 : (int)nlen, name);
                rc = located(d, CM_ERR_NAME, ms, msg);
                break;
            }
        } else if (me - ms == 2) {
            lit = tmpl[ms] == '{' ? "{" : "}";
        } else {
            rc = located(d, CM_ERR_SYNTAX, ms,
                         tmpl[ms] == '{'
                             ? "lone '{' (write {{ for a literal brace)"
                             : "lone '}' (write }} for a literal brace)");
            break;
        }
        if (lit && !out_put(o, lit, strlen(lit))) {
            rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        pos = me;
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc;
}

cm_error cm_text_check(const char *tmpl, const char *const *allowed,
                       size_t n_allowed, cm_diag *d)
{
    static const char *const none[1] = {""};
    if (!tmpl)
        tmpl = "";
    /* an empty allowed list still means "check names", not "skip" */
    return walk(tmpl, allowed ? allowed : none, allowed ? n_allowed : 0,
                NULL, 0, NULL, d);
}

cm_error cm_text_render(const char *tmpl, const cm_text_var *vars,
                        size_t n_vars, char **out, cm_diag *d)
{
    *out = NULL;
    out_buf o = {NULL, 0, 0};
    if (!tmpl)
        tmpl = "";
    if (!out_put(&o, "", 0))
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    static const cm_text_var none[1] = {{"", NULL}};
    cm_error rc = walk(tmpl, NULL, 0, vars ? vars : none, vars ? n_vars : 0,
                       &o, d);
    if (rc != CM_OK) {
        free(o.s);
        return rc;
    }
    *out = o.s;
    return CM_OK;
}

/* ---- numbers ----------------------------------------------------------- */

/* Longest fixed rendering: 309 integer digits of DBL_MAX, a carry, the
 * point, CM_TEXT_MAX_DEC decimals and the sign. */
#define CM_TEXT_MAX_DEC 20

int cm_text_number(double v, int decimals, int trim, char *buf, size_t n)
{
    if (!isfinite(v))
        return snprintf(buf, n, "%s", isnan(v) ? "NaN" : v < 0 ? "-inf" : "inf");
    if (decimals < 0)
        decimals = 0;
    if (decimals > CM_TEXT_MAX_DEC)
        decimals = CM_TEXT_MAX_DEC;

    /* The shortest decimal that reads back as v is the number a person
     * typed (1.005, 2.675): round that, not the binary value, which is
     * just below half for both. */
    double a = fabs(v);
    char e[48];
    for (int p = 0; p <= 17; p++) {
        snprintf(e, sizeof e, "%.*e", p, a);
        if (strtod(e, NULL) == a)
            break;
    }
    char m[24];
    size_t nd = 0;
    const char *c = e;
    for (; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9' && nd < sizeof m)
            m[nd++] = *c;
    int exp10 = *c == 'e' ? atoi(c + 1) : 0;
    int pt = exp10 + 1;             /* digits of m before the point */

    int ip = pt > 1 ? pt : 1;       /* integer digits written */
    int total = ip + decimals;
    char dig[400];
    dig[0] = '0';                   /* room for a carry out of the top */
    for (int i = 0; i < total; i++) {
        int j = i - ip + pt;
        dig[i + 1] = j >= 0 && (size_t)j < nd ? m[j] : '0';
    }
    int jr = decimals + pt;
    if (jr >= 0 && (size_t)jr < nd && m[jr] >= '5') {
        int i = total;
        while (dig[i] == '9') {
            dig[i] = '0';
            i--;
        }
        dig[i]++;
    }
    int first = dig[0] == '0' ? 1 : 0;
    int last = total;               /* index of the last digit written */
    if (trim)
        while (last > ip && dig[last] == '0')
            last--;
    int nonzero = 0;
    for (int i = first; i <= last; i++)
        nonzero |= dig[i] != '0';

    char out[440];
    size_t k = 0;
    if (v < 0 && nonzero)
        out[k++] = '-';
    for (int i = first; i <= ip; i++)
        out[k++] = dig[i];
    if (last > ip) {
        out[k++] = '.';
        for (int i = ip + 1; i <= last; i++)
            out[k++] = dig[i];
    }
    out[k] = '\0';
    return snprintf(buf, n, "%s", out);
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int cm_text_period_parts(const char *period, int *year, int *month)
{
    if (!period)
        return 0;
    size_t n = strlen(period);
    if (n < 4 || !all_digits(period, 4))
        return 0;
    int y = 0;
    for (int i = 0; i < 4; i++)
        y = y * 10 + (period[i] - '0');
    int mo = 0;
    if (n == 4) {
        mo = 0;
    } else if (n == 7 && period[4] == '-' && all_digits(period + 5, 2)) {
        mo = (period[5] - '0') * 10 + (period[6] - '0');
        if (mo < 1 || mo > 12)
            return 0;
    } else if (n == 7 && period[4] == '-' && period[5] == 'Q'
               && period[6] >= '1' && period[6] <= '4') {
        mo = 0;
    } else {
        return 0;
    }
    if (year)
        *year = y;
    if (month)
        *month = mo;
    return 1;
}
