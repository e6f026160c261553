/*
 * compute.c - element roll-up, formula evaluation and benchmarks for one
 * period. See compute.h for the rules.
 */
#include "compute.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "eval.h"
#include "text.h"

/* A region's children are asked for once per element and lag; the counts
 * are small (a city has ~10 counties), so they are cached per region code
 * rather than per query. */
typedef struct child_cache {
    char code[8];
    cm_region *kids;
    size_t n;
} child_cache;

struct cm_compute {
    cm_store *store;
    const cm_defs *defs;
    char period[16];
    child_cache *cache;
    size_t n_cache, cap_cache;
};

/* Roll-up depth guard: GB/T 2260 has three levels; a cycle in bad data
 * must not recurse forever. */
#define MAX_ROLLUP_DEPTH 8

cm_error cm_compute_new(cm_store *s, const cm_defs *defs, const char *period,
                        cm_compute **out, cm_diag *d)
{
    *out = NULL;
    char tmp[16];
    if (strlen(period) >= sizeof tmp || !cm_period_shift(period, 0, tmp))
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "period",
                           "'%s' is not a period (YYYY-MM, YYYY-Qn or YYYY)",
                           period);
    int has = cm_store_has_period(s, period);
    if (has < 0)
        return cm_store_fail(s, d, "looking up the period");
    if (!has)
        return cm_diag_set(d, CM_ERR_DATA, cm_store_path(s), 0, "period",
                           "no data for period %s in the store", period);
    for (size_t i = 0; i < defs->n_indicators; i++) {
        const cm_indicator *ind = &defs->indicators[i];
        /* Only what is held against something must not pass for want of
         * data; an informational value reaching before the first month
         * in the store is simply not reported. */
        if (!ind->problem && !ind->compare && !ind->has_target)
            continue;
        for (int lag = 1; lag <= ind->max_lag; lag++) {
            if (!cm_period_shift(period, lag, tmp) ||
                cm_store_has_period(s, tmp) != 1)
                return cm_diag_set(
                    d, CM_ERR_DATA, ind->file,
                    ind->formula_line ? ind->formula_line : ind->line, "formula",
                    "%s reaches period %s, which is not in the store",
                    ind->id, tmp);
        }
    }
    cm_compute *c = calloc(1, sizeof *c);
    if (!c)
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    c->store = s;
    c->defs = defs;
    snprintf(c->period, sizeof c->period, "%s", period);
    *out = c;
    return CM_OK;
}

void cm_compute_free(cm_compute *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_cache; i++)
        cm_region_list_free(c->cache[i].kids, c->cache[i].n);
    free(c->cache);
    free(c);
}

static cm_error children(cm_compute *c, const char *code, cm_region **kids,
                         size_t *n, cm_diag *d)
{
    for (size_t i = 0; i < c->n_cache; i++)
        if (strcmp(c->cache[i].code, code) == 0) {
            *kids = c->cache[i].kids;
            *n = c->cache[i].n;
            return CM_OK;
        }
    if (c->n_cache == c->cap_cache) {
        size_t nc = c->cap_cache ? c->cap_cache * 2 : 16;
        child_cache *p = realloc(c->cache, nc * sizeof *p);
        if (!p)
            return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        c->cache = p;
        c->cap_cache = nc;
    }
    child_cache *e = &c->cache[c->n_cache];
    memset(e, 0, sizeof *e);
    snprintf(e->code, sizeof e->code, "%s", code);
    cm_error rc = cm_store_children(c->store, code, &e->kids, &e->n, d);
    if (rc != CM_OK)
        return rc;
    c->n_cache++;
    *kids = e->kids;
    *n = e->n;
    return CM_OK;
}

/* *seen (may be NULL) is set when any row for the element exists at region
 * or below: "not reported" and "no data at all" differ (compute.h). */
static cm_error element_at(cm_compute *c, const char *region, int element,
                           const char *period, int depth, cm_value *out,
                           int *seen, cm_diag *d)
{
    const cm_element *el = &c->defs->elements[element];
    double v = 0;
    int state = 0;
    cm_error rc = cm_store_value(c->store, region, period, el->id, &v, &state, d);
    if (rc != CM_OK)
        return rc;
    if (state && seen)
        *seen = 1;
    if (state == 1) {
        *out = (cm_value){CM_V_NUM, v};
        return CM_OK;
    }
    *out = (cm_value){CM_V_MISSING, 0};
    if (state == 2 || !el->rollup_sum || depth >= MAX_ROLLUP_DEPTH)
        return CM_OK;
    cm_region *kids = NULL;
    size_t n = 0;
    rc = children(c, region, &kids, &n, d);
    if (rc != CM_OK || n == 0)
        return rc;
    double sum = 0;
    int missing = 0;
    /* every child is visited, even after one is missing, so that *seen
     * tells whether any data exists below */
    for (size_t i = 0; i < n; i++) {
        cm_value kv;
        rc = element_at(c, kids[i].code, element, period, depth + 1, &kv,
                        seen, d);
        if (rc != CM_OK)
            return rc;
        if (kv.kind != CM_V_NUM)
            missing = 1;    /* one child not reported: the sum is not known */
        else
            sum += kv.num;
    }
    if (!missing)
        *out = (cm_value){CM_V_NUM, sum};
    return CM_OK;
}

cm_error cm_compute_element(cm_compute *c, const char *region, int element,
                            int lag, cm_value *out, cm_diag *d)
{
    char period[16];
    if (element < 0 || (size_t)element >= c->defs->n_elements ||
        !cm_period_shift(c->period, lag, period))
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, NULL,
                           "element %d or lag %d out of range", element, lag);
    return element_at(c, region, element, period, 0, out, NULL, d);
}

/* The evaluator's fetch callback cannot return an error, so the first store
 * error is parked here and checked after evaluation. */
typedef struct fetch_ctx {
    cm_compute *c;
    const char *region;
    cm_diag *d;
    cm_error rc;
    int absent;     /* some leaf has no stored row at all, at or below */
} fetch_ctx;

static cm_value fetch(void *ctx, int element, int lag)
{
    fetch_ctx *f = ctx;
    cm_value v = {CM_V_MISSING, 0};
    char period[16];
    if (f->rc != CM_OK)
        return v;
    if (element < 0 || (size_t)element >= f->c->defs->n_elements ||
        !cm_period_shift(f->c->period, lag, period)) {
        f->rc = cm_diag_set(f->d, CM_ERR_USAGE, NULL, 0, NULL,
                            "element %d or lag %d out of range", element, lag);
        return v;
    }
    int seen = 0;
    f->rc = element_at(f->c, f->region, element, period, 0, &v, &seen, f->d);
    if (!seen)
        f->absent = 1;
    return v;
}

cm_error cm_compute_indicator(cm_compute *c, const cm_indicator *ind,
                              const char *region, cm_value *out, cm_diag *d)
{
    fetch_ctx f = {c, region, d, CM_OK, 0};
    *out = cm_eval_expr(ind->formula, fetch, &f);
    /* An input of which nothing at all is stored (not even an empty value)
     * is not collected for this region: 无数据, not 未报送. */
    if (out->kind == CM_V_MISSING && f.absent)
        out->kind = CM_V_NODATA;
    return f.rc;
}

void cm_bench_value_clear(cm_bench_value *b)
{
    if (!b)
        return;
    free(b->text);
    free(b->label);
    memset(b, 0, sizeof *b);
}

static cm_error set_bench(cm_bench_value *out, double value, const char *text,
                          const char *label, cm_diag *d)
{
    out->has = 1;
    out->value = value;
    out->text = cm_strdup(text);
    out->label = cm_strdup(label);
    if (!out->text || !out->label) {
        cm_bench_value_clear(out);
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    return CM_OK;
}

cm_error cm_compute_benchmark(cm_compute *c, const cm_indicator *ind,
                              const char *region, cm_bench_value *out,
                              cm_diag *d)
{
    memset(out, 0, sizeof *out);
    char num[64];
    if (ind->has_target) {
        cm_text_number(ind->target, ind->decimals, 1, num, sizeof num);
        char text[96], label[128];
        snprintf(text, sizeof text, "%s%s", cm_defs_cmp_sign(ind->target_cmp),
                 num);
        /* the label carries the comparator: "标准 =0" and "标准 ≥100" must
         * not read alike in the workbook */
        snprintf(label, sizeof label, "标准%s%s", text, ind->unit ? ind->unit : "");
        cm_error rc = set_bench(out, ind->target, text, label, d);
        out->is_target = 1;
        return rc;
    }
    const cm_benchmark *b = ind->compare;
    if (!b)
        return CM_OK;
    if (b->source == CM_BENCH_PUBLISHED) {
        double v = 0;
        char *text = NULL;
        int found = 0;
        cm_error rc = cm_store_benchmark(c->store, c->period, ind->id, b->id,
                                         &v, &text, &found, d);
        if (rc == CM_OK && found)
            rc = set_bench(out, v, text ? text : "", b->name, d);
        free(text);
        return rc;
    }
    /* Computed: the mean of the indicator over the peers present in the
     * store, the region itself left out (it is what is being compared). */
    cm_region *peers = NULL;
    size_t n = 0;
    cm_error rc = cm_store_regions_at_level(c->store, b->level, &peers, &n, d);
    if (rc != CM_OK)
        return rc;
    double sum = 0;
    size_t k = 0;
    for (size_t i = 0; i < n && rc == CM_OK; i++) {
        if (strcmp(peers[i].code, region) == 0)
            continue;
        cm_value v;
        rc = cm_compute_indicator(c, ind, peers[i].code, &v, d);
        if (rc == CM_OK && v.kind == CM_V_NUM) {
            sum += v.num;
            k++;
        }
    }
    cm_region_list_free(peers, n);
    if (rc != CM_OK || k == 0)
        return rc;
    double mean = sum / (double)k;
    cm_text_number(mean, ind->decimals, ind->trim, num, sizeof num);
    rc = set_bench(out, mean, num, b->name, d);
    out->computed = 1;
    return rc;
}
