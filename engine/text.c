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

/* The syntax, one alternative per construct; the capture groups are
 * numbered in the G_ enum below (ORDER TEXT_GROUPS). Alternation order
 * matters, since the first alternative that matches at a brace wins:
 *  - the escapes come first ("{{x}}" is the literal "{x}");
 *  - a well-formed {if COND} / {elif COND}, then {else} and {end};
 *  - {abs:name};
 *  - then any other brace group starting with a keyword ("{if}", "{end x}",
 *    "{if a >}", "{abs:}") is a malformed block or modifier: caught here so
 *    that "{if}" says "malformed" rather than "unknown placeholder {if}";
 *    the word boundary keeps "{ending}" and "{if_x}" plain placeholders;
 *  - "{name}", and any other brace is a lone one.
 * The template is ASCII here except inside literal text, so the pattern is
 * compiled without PCRE2_UTF; UTF-8 validity is checked before matching. */
static const char cm_text_pattern[] =
    "\\{\\{|\\}\\}"
    "|\\{(if|elif)[ \\t]+([a-z_][a-z0-9_]*)[ \\t]*"
    "(?:(>=|<=|==|!=|>|<)[ \\t]*([-+]?[0-9]+(?:\\.[0-9]+)?)[ \\t]*)?\\}"
    "|\\{(else|end)\\}"
    "|\\{abs:([a-z_][a-z0-9_]*)\\}"
    "|\\{((?:if|elif|else|end)\\b|abs:)[^{}]*\\}"
    "|\\{([a-z_][a-z0-9_]*)\\}"
    "|[{}]";

/* ORDER TEXT_GROUPS: capture groups of cm_text_pattern. */
enum {
    G_COND_KW = 1,  /* "if" or "elif" */
    G_COND_NAME,
    G_COND_OP,      /* unset for a bare name */
    G_COND_NUM,
    G_KW,           /* "else" or "end" */
    G_ABS_NAME,
    G_BAD_KW,       /* a malformed keyword group */
    G_NAME,
    G__COUNT
};

/* Blocks nest at most this deep: a template is a paragraph, and a limit
 * keeps the frame stack fixed-size. */
#define CM_TEXT_MAX_DEPTH 8

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

/* What a walk checks names against (allowed) or takes values from (vars). */
typedef struct names {
    const char *const *allowed;
    size_t n_allowed;
    const cm_text_var *vars;
    size_t n_vars;
} names;

/* Looks name[0..n) up. Returns 1 if known; *value is its value ("" for a
 * NULL value, NULL in check mode where there are no values). */
static int lookup(const names *nm, const char *name, size_t n,
                  const char **value)
{
    *value = NULL;
    for (size_t i = 0; nm->allowed && i < nm->n_allowed; i++)
        if (strlen(nm->allowed[i]) == n
            && memcmp(nm->allowed[i], name, n) == 0)
            return 1;
    for (size_t i = 0; nm->vars && i < nm->n_vars; i++)
        if (strlen(nm->vars[i].name) == n
            && memcmp(nm->vars[i].name, name, n) == 0) {
            *value = nm->vars[i].value ? nm->vars[i].value : "";
            return 1;
        }
    return 0;
}

/* Parses all of s as a finite number (surrounding blanks allowed). */
static int as_number(const char *s, double *v)
{
    char *end = NULL;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return 0;
    *v = strtod(s, &end);
    while (end && (*end == ' ' || *end == '\t'))
        end++;
    return end && *end == '\0' && isfinite(*v);
}

/* Truth of a condition whose variable has value (NULL in check mode:
 * false, which is harmless since nothing is written then). A comparison
 * with a missing, empty or non-numeric value is false, "!=" included: a
 * change that is not known is neither up nor down nor "not zero". */
static int cond_true(const char *value, const char *op, size_t op_len,
                     const char *num)
{
    if (!value)
        return 0;
    if (!op)
        return value[0] != '\0' && strcmp(value, "0") != 0;
    double a, b = strtod(num, NULL);
    if (!as_number(value, &a))
        return 0;
    if (op_len == 2) {
        switch (op[0]) {
        case '>': return a >= b;
        case '<': return a <= b;
        case '=': return a == b;
        default:  return a != b;    /* "!=" */
        }
    }
    return op[0] == '>' ? a > b : a < b;
}

/* One open {if}: where it started (for "{if} without {end}"), whether the
 * text around it is written (outer), whether a branch has been taken,
 * whether the current branch is written, and whether {else} was seen. */
typedef struct frame {
    size_t at;
    int outer, taken, on, seen_else;
} frame;

static cm_error unknown_name(cm_diag *d, size_t at, const char *name,
                             size_t n, int in_cond)
{
    char msg[200];
    snprintf(msg, sizeof msg,
             in_cond ? "unknown name '%.*s' in condition"
                     : "unknown placeholder {%.*s}",
             n > 100 ? 100 : (int)n, name);
    return located(d, CM_ERR_NAME, at, msg);
}

/* Walks tmpl once. With nm->allowed, checks names against it; with
 * nm->vars, looks names up there and appends the rendering to o. Names
 * are checked in every branch, taken or not, so that check and render
 * accept the same templates. */
static cm_error walk(const char *tmpl, const names *nm, out_buf *o,
                     cm_diag *d)
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

    frame stack[CM_TEXT_MAX_DEPTH];
    size_t depth = 0;
    int on = 1;                     /* text at this point is written */
    cm_error rc = CM_OK;
    size_t pos = 0;
    for (;;) {
        int m = pcre2_match(re, (PCRE2_SPTR)tmpl, len, pos, 0, md, NULL);
        size_t ms = len, me = len;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (m > 0) {
            ms = ov[0];
            me = ov[1];
        }
        if (on && !out_put(o, tmpl + pos, ms - pos)) {
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
#define SET(g) (m > (g) && ov[2 * (g)] != PCRE2_UNSET)
#define AT(g) (tmpl + ov[2 * (g)])
#define LEN(g) ((size_t)(ov[2 * (g) + 1] - ov[2 * (g)]))
        const char *lit = NULL;
        if (SET(G_NAME) || SET(G_ABS_NAME)) {
            int g = SET(G_NAME) ? G_NAME : G_ABS_NAME;
            if (!lookup(nm, AT(g), LEN(g), &lit)) {
                rc = unknown_name(d, ms, AT(g), LEN(g), 0);
                break;
            }
            if (lit && g == G_ABS_NAME && lit[0] == '-')
                lit++;
        } else if (SET(G_COND_KW)) {
            const char *value = NULL;
            if (!lookup(nm, AT(G_COND_NAME), LEN(G_COND_NAME), &value)) {
                rc = unknown_name(d, ov[2 * G_COND_NAME], AT(G_COND_NAME),
                                  LEN(G_COND_NAME), 1);
                break;
            }
            int v = SET(G_COND_OP)
                        ? cond_true(value, AT(G_COND_OP), LEN(G_COND_OP),
                                    AT(G_COND_NUM))
                        : cond_true(value, NULL, 0, NULL);
            if (LEN(G_COND_KW) == 2) {              /* if */
                if (depth == CM_TEXT_MAX_DEPTH) {
                    rc = located(d, CM_ERR_SYNTAX, ms,
                                 "{if} nested deeper than 8");
                    break;
                }
                frame *f = &stack[depth++];
                f->at = ms;
                f->outer = on;
                f->taken = v;
                f->on = on && v;
                f->seen_else = 0;
                on = f->on;
            } else {                                /* elif */
                if (!depth) {
                    rc = located(d, CM_ERR_SYNTAX, ms, "{elif} without {if}");
                    break;
                }
                frame *f = &stack[depth - 1];
                if (f->seen_else) {
                    rc = located(d, CM_ERR_SYNTAX, ms, "{elif} after {else}");
                    break;
                }
                f->on = f->outer && !f->taken && v;
                f->taken |= v;
                on = f->on;
            }
        } else if (SET(G_KW)) {
            int is_end = AT(G_KW)[1] == 'n';
            if (!depth) {
                rc = located(d, CM_ERR_SYNTAX, ms,
                             is_end ? "{end} without {if}"
                                    : "{else} without {if}");
                break;
            }
            frame *f = &stack[depth - 1];
            if (is_end) {
                on = f->outer;
                depth--;
            } else if (f->seen_else) {
                rc = located(d, CM_ERR_SYNTAX, ms, "second {else} in one {if}");
                break;
            } else {
                f->seen_else = 1;
                f->on = f->outer && !f->taken;
                f->taken = 1;
                on = f->on;
            }
        } else if (SET(G_BAD_KW)) {
            char msg[200];
            const char *kw = AT(G_BAD_KW);
            size_t kn = LEN(G_BAD_KW);
            if (kn == 4 && memcmp(kw, "abs:", 4) == 0)
                snprintf(msg, sizeof msg,
                         "malformed {abs:...}: write {abs:name}");
            else if (kn == 2 || (kn == 4 && memcmp(kw, "elif", 4) == 0))
                snprintf(msg, sizeof msg,
                         "malformed {%.*s ...}: write {%.*s name} or "
                         "{%.*s name OP number}, OP one of > >= < <= == !=",
                         (int)kn, kw, (int)kn, kw, (int)kn, kw);
            else
                snprintf(msg, sizeof msg,
                         "malformed {%.*s}: nothing may follow the word",
                         (int)kn, kw);
            rc = located(d, CM_ERR_SYNTAX, ms, msg);
            break;
        } else if (me - ms == 2) {
            lit = tmpl[ms] == '{' ? "{" : "}";
        } else {
            rc = located(d, CM_ERR_SYNTAX, ms,
                         tmpl[ms] == '{'
                             ? "lone '{' (write {{ for a literal brace)"
                             : "lone '}' (write }} for a literal brace)");
            break;
        }
#undef SET
#undef AT
#undef LEN
        if (on && lit && !out_put(o, lit, strlen(lit))) {
            rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        pos = me;
    }
    if (rc == CM_OK && depth)
        rc = located(d, CM_ERR_SYNTAX, stack[depth - 1].at,
                     "{if} without {end}");
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
    names nm = {allowed ? allowed : none, allowed ? n_allowed : 0, NULL, 0};
    return walk(tmpl, &nm, NULL, d);
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
    names nm = {NULL, 0, vars ? vars : none, vars ? n_vars : 0};
    cm_error rc = walk(tmpl, &nm, &o, d);
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
