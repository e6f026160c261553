/*
 * resolve.c - binds the names of a parsed formula (see resolve.h), in one
 * walk in source order so that the first error reported is the leftmost.
 *
 * Constant subexpressions are folded only to find a division by a constant
 * zero, as Lua's lcode.c refuses to fold one (validop); the tree itself is
 * left as written, so the manifest shows the formula the user wrote.
 */
#include "resolve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ORDER FUNC: names of cm_func values, with their arity. */
static const struct {
    const char *name;
    cm_func func;
    int arity;
} functions[] = {
    {"prev", CM_FN_PREV, 1},
};

/* A hint is offered within this edit distance, or for a prefix. */
#define HINT_DISTANCE 2

typedef struct resolver {
    const char *const *names;
    size_t n_names;
    int max_lag;
    cm_diag *d;
} resolver;

size_t cm_resolve_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    /* Two rows of the Levenshtein table; names are short (<= 64 bytes in
     * definitions) but a formula may name anything, so allocate. */
    size_t *prev = malloc((lb + 1) * sizeof *prev);
    size_t *cur = malloc((lb + 1) * sizeof *cur);
    if (!prev || !cur) {
        free(prev);
        free(cur);
        return la > lb ? la : lb;
    }
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1;
            size_t ins = cur[j - 1] + 1;
            size_t m = sub < del ? sub : del;
            cur[j] = m < ins ? m : ins;
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t r = prev[lb];
    free(prev);
    free(cur);
    return r;
}

/* The declared name nearest to `name`, or NULL if none is near enough. */
static const char *nearest(const char *name, const char *const *names,
                           size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++) {
        size_t dist = cm_resolve_distance(name, names[i]);
        int prefix = len > 0 && strncmp(names[i], name, len) == 0;
        if ((dist <= HINT_DISTANCE || prefix) && dist < best_d) {
            best = names[i];
            best_d = dist;
        }
    }
    return best;
}

static cm_error fail(resolver *r, cm_error code, int column, const char *fmt,
                     ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static cm_error fail(resolver *r, cm_error code, int column, const char *fmt,
                     ...)
{
    if (r->d && r->d->code == CM_OK) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        cm_diag_set(r->d, code, NULL, 0, NULL, "%s", msg);
        r->d->column = column;
    }
    return code;
}

static cm_error unknown(resolver *r, const char *what, const cm_expr *e,
                        const char *const *names, size_t n)
{
    const char *hint = nearest(e->name, names, n);
    if (hint)
        return fail(r, CM_ERR_NAME, e->column,
                    "unknown %s '%s' (did you mean '%s'?)", what, e->name,
                    hint);
    return fail(r, CM_ERR_NAME, e->column, "unknown %s '%s'", what, e->name);
}

/* Binds e, reached under `lag` prev() calls. *is_const and *val describe
 * the folded value of e; *has_element says whether e reads any element. */
static cm_error walk(resolver *r, cm_expr *e, int lag, int *is_const,
                     double *val, int *has_element)
{
    int ca = 0, cb = 0, ea = 0, eb = 0;
    double va = 0, vb = 0;
    cm_error rc;
    *is_const = 0;
    *val = 0;
    *has_element = 0;
    switch (e->kind) {
    case CM_EX_NUM:
        *is_const = 1;
        *val = e->num;
        return CM_OK;
    case CM_EX_NAME:
        for (size_t i = 0; i < r->n_names; i++) {
            if (strcmp(r->names[i], e->name) == 0) {
                e->element = (int)i;
                *has_element = 1;
                return CM_OK;
            }
        }
        return unknown(r, "element", e, r->names, r->n_names);
    case CM_EX_NEG:
        rc = walk(r, e->a, lag, &ca, &va, &ea);
        if (rc != CM_OK)
            return rc;
        *is_const = ca;
        *val = -va;
        *has_element = ea;
        return CM_OK;
    case CM_EX_ADD:
    case CM_EX_SUB:
    case CM_EX_MUL:
    case CM_EX_DIV:
        rc = walk(r, e->a, lag, &ca, &va, &ea);
        if (rc == CM_OK)
            rc = walk(r, e->b, lag, &cb, &vb, &eb);
        if (rc != CM_OK)
            return rc;
        if (e->kind == CM_EX_DIV && cb && vb == 0)
            return fail(r, CM_ERR_DEFINITION, e->column, "division by zero");
        *has_element = ea || eb;
        *is_const = ca && cb;
        if (*is_const) {
            switch (e->kind) {
            case CM_EX_ADD: *val = va + vb; break;
            case CM_EX_SUB: *val = va - vb; break;
            case CM_EX_MUL: *val = va * vb; break;
            default:        *val = va / vb; break;
            }
        }
        return CM_OK;
    case CM_EX_CALL: {
        size_t nf = sizeof functions / sizeof *functions;
        size_t f = 0;
        while (f < nf && strcmp(functions[f].name, e->name) != 0)
            f++;
        if (f == nf) {
            const char *fnames[sizeof functions / sizeof *functions];
            for (size_t i = 0; i < nf; i++)
                fnames[i] = functions[i].name;
            return unknown(r, "function", e, fnames, nf);
        }
        if (e->n_args != functions[f].arity)
            return fail(r, CM_ERR_NAME, e->column,
                        "%s() takes %d argument%s, got %d", e->name,
                        functions[f].arity, functions[f].arity == 1 ? "" : "s",
                        e->n_args);
        e->func = functions[f].func;
        /* Only prev() exists; its one argument is read a period earlier. */
        int inner = lag + 1;
        if (inner > CM_RESOLVE_MAX_LAG)
            return fail(r, CM_ERR_DEFINITION, e->column,
                        "prev() nested deeper than %d", CM_RESOLVE_MAX_LAG);
        if (inner > r->max_lag)
            r->max_lag = inner;
        rc = walk(r, e->args[0], inner, &ca, &va, &ea);
        if (rc != CM_OK)
            return rc;
        if (!ea)
            return fail(r, CM_ERR_DEFINITION, e->column,
                        "prev() of a constant: its argument names no element");
        *has_element = 1;
        return CM_OK;
    }
    }
    return fail(r, CM_ERR_DEFINITION, e->column, "unknown node");
}

cm_error cm_resolve_expr(cm_expr *e, const char *const *names, size_t n_names,
                         int *max_lag, cm_diag *d)
{
    resolver r = {names, n_names, 0, d};
    if (max_lag)
        *max_lag = 0;
    if (!e)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, NULL, "no formula");
    int is_const, has_element;
    double val;
    cm_error rc = walk(&r, e, 0, &is_const, &val, &has_element);
    if (rc == CM_OK && max_lag)
        *max_lag = r.max_lag;
    return rc;
}
