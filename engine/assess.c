/*
 * assess.c - statuses, finding texts and rectification rows for one city.
 * The rules are in assess.h.
 */
#include "assess.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"
#include "text.h"

void cm_warnings_free(cm_warnings *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->items[i]);
    free(w->items);
    memset(w, 0, sizeof *w);
}

cm_error cm_warnings_add(cm_warnings *w, const char *fmt, ...)
{
    if (!w)
        return CM_OK;
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 8;
        char **p = realloc(w->items, nc * sizeof *p);
        if (!p)
            return CM_ERR_NOMEM;
        w->items = p;
        w->cap = nc;
    }
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (!(w->items[w->n] = cm_strdup(buf)))
        return CM_ERR_NOMEM;
    w->n++;
    return CM_OK;
}

/* Rounds as the reports print, so that status and text agree. */
static double as_printed(double v, int decimals)
{
    char buf[64];
    cm_text_number(v, decimals, 0, buf, sizeof buf);
    return strtod(buf, NULL);
}

cm_status cm_assess_status(const cm_indicator *ind, cm_value v,
                           const cm_bench_value *b)
{
    if (v.kind == CM_V_MISSING)
        return CM_ST_MISSING;
    if (v.kind == CM_V_NA)
        return CM_ST_NA;
    if (v.kind == CM_V_NODATA)
        return CM_ST_NODATA;
    if (!b || !b->has)
        return CM_ST_NOBENCH;
    double x = as_printed(v.num, ind->decimals);
    if (b->is_target)
        return cm_defs_cmp_holds(ind->target_cmp, x, ind->target) ? CM_ST_PASS
                                                                  : CM_ST_FAIL;
    /* A published average is compared as published; a computed one as it
     * is printed. */
    double ref = b->computed ? as_printed(b->value, ind->decimals) : b->value;
    if (ind->better == CM_BETTER_HIGHER)
        return x >= ref ? CM_ST_PASS : CM_ST_FAIL;
    if (ind->better == CM_BETTER_LOWER)
        return x <= ref ? CM_ST_PASS : CM_ST_FAIL;
    return CM_ST_NOBENCH;
}

/* Renders the describe/missing template of ind for a finding. */
static cm_error describe(const cm_indicator *ind, const cm_result *res,
                         const char *gap_abs, const char *period,
                         char **out, cm_diag *d)
{
    const char *tmpl = res->status == CM_ST_MISSING ? ind->missing : ind->describe;
    if (!tmpl)
        tmpl = res->status == CM_ST_MISSING ? "未报送{name}" : "{name}为{value}{unit}";
    char target[64] = "";
    if (ind->has_target)
        cm_text_number(ind->target, ind->decimals, ind->trim, target,
                       sizeof target);
    cm_text_var vars[] = {
        {"name", ind->name},
        {"value", res->value_text},
        {"unit", ind->unit ? ind->unit : ""},
        {"benchmark", res->benchmark_text},
        {"benchmark_label", res->benchmark_label},
        {"gap", gap_abs},
        {"target", target},
        {"region", res->region_name},
        {"period", period},
    };
    cm_error rc = cm_text_render(tmpl, vars, sizeof vars / sizeof *vars, out, d);
    if (rc != CM_OK) {
        d->file[0] = '\0';
        snprintf(d->file, sizeof d->file, "%s", ind->file);
        d->line = ind->line;
        snprintf(d->field, sizeof d->field, "%s",
                 res->status == CM_ST_MISSING ? "missing" : "describe");
    }
    return rc;
}

/* Evaluates every indicator for one region and appends the results. */
static cm_error assess_region(cm_compute *c, const cm_defs *defs,
                              const cm_region *reg, const char *period,
                              cm_report *rep, cm_warnings *w, cm_diag *d)
{
    unsigned level = cm_defs_level_bit(reg->level);
    for (size_t i = 0; i < defs->n_indicators; i++) {
        const cm_indicator *ind = &defs->indicators[i];
        if (!(ind->levels & level))
            continue;
        cm_value v;
        cm_bench_value b;
        cm_error rc = cm_compute_indicator(c, ind, reg->code, &v, d);
        if (rc != CM_OK)
            return rc;
        rc = cm_compute_benchmark(c, ind, reg->code, &b, d);
        if (rc != CM_OK)
            return rc;
        char value_text[64] = "", gap_text[72] = "", gap_abs[64] = "";
        cm_result res;
        memset(&res, 0, sizeof res);
        res.region_code = (char *)reg->code;
        res.region_name = reg->name;
        res.indicator_id = ind->id;
        res.indicator_name = ind->name;
        res.category = ind->category;
        res.unit = ind->unit;
        res.value = v;
        if (v.kind == CM_V_NUM)
            cm_text_number(v.num, ind->decimals, ind->trim, value_text,
                           sizeof value_text);
        res.value_text = value_text;
        res.has_benchmark = b.has;
        res.benchmark = b.value;
        res.benchmark_label = b.label;
        res.benchmark_text = b.text;
        res.benchmark_computed = b.computed;
        res.status = cm_assess_status(ind, v, &b);
        if (v.kind == CM_V_NUM && b.has) {
            double gap = as_printed(v.num, ind->decimals) -
                         (b.computed || b.is_target
                              ? as_printed(b.value, ind->decimals)
                              : b.value);
            res.has_gap = 1;
            res.gap = gap;
            char num[64];
            cm_text_number(fabs(gap), ind->decimals, ind->trim, num, sizeof num);
            snprintf(gap_abs, sizeof gap_abs, "%s", num);
            snprintf(gap_text, sizeof gap_text, "%s%s",
                     strcmp(num, "0") == 0 ? "" : gap < 0 ? "-" : "+", num);
        }
        res.gap_text = gap_text;
        res.problem_id = ind->problem ? ind->problem->id : NULL;
        char *desc = NULL;
        if (res.status == CM_ST_FAIL || res.status == CM_ST_MISSING) {
            rc = describe(ind, &res, gap_abs, period, &desc, d);
            if (rc != CM_OK) {
                cm_bench_value_clear(&b);
                return rc;
            }
        }
        res.description = desc;
        /* counties' zero denominators (a county with no exits this
         * month) are common and visible in the workbook; the city's own
         * is worth a line on the console */
        if (res.status == CM_ST_NA && strcmp(reg->level, "city") == 0)
            cm_warnings_add(w, "%s %s: %s (%s) not computable (zero "
                               "denominator)",
                            reg->code, reg->name, ind->id, ind->name);
        else if (res.status == CM_ST_NOBENCH && (ind->compare || ind->has_target) &&
                 ind->problem && strcmp(reg->level, "city") == 0)
            cm_warnings_add(w, "%s %s: %s has no %s benchmark for %s",
                            reg->code, reg->name, ind->id,
                            ind->compare ? ind->compare->id : "target", period);
        rc = cm_report_add_result(rep, &res);
        free(desc);
        cm_bench_value_clear(&b);
        if (rc != CM_OK)
            return cm_diag_set(d, rc, NULL, 0, NULL, "out of memory");
    }
    return CM_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Issue 4: where peer data are in the store, the city's place among the
 * regions of its level with a value, its gap to their mean, to its
 * province's best and to the best tenth of the group. The regions of the
 * level are evaluated once per indicator; a peer without the inputs is left
 * out, not counted as zero. */
static cm_error add_peers(cm_store *s, cm_compute *c, const cm_defs *defs,
                          const cm_region *city, cm_report *rep, size_t n_city,
                          cm_diag *d)
{
    cm_region *peers = NULL;
    size_t n = 0;
    cm_error rc = cm_store_regions_at_level(s, city->level, &peers, &n, d);
    if (rc != CM_OK)
        return rc;
    double *vals = n ? malloc(n * sizeof *vals) : NULL;
    if (n && !vals) {
        rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_city && rc == CM_OK; i++) {
        cm_result *res = &rep->results[i];
        const cm_indicator *ind = cm_defs_indicator(defs, res->indicator_id);
        if (!ind || res->value.kind != CM_V_NUM || ind->better == CM_BETTER_UNSET)
            continue;
        size_t k = 0;
        double sum = 0, prov_best = 0;
        int have_prov = 0, lower = ind->better == CM_BETTER_LOWER;
        for (size_t j = 0; j < n && rc == CM_OK; j++) {
            cm_value v;
            rc = cm_compute_indicator(c, ind, peers[j].code, &v, d);
            if (rc != CM_OK || v.kind != CM_V_NUM)
                continue;
            vals[k] = v.num;
            if (strcmp(peers[j].parent, city->parent) == 0 &&
                (!have_prov || (lower ? v.num < prov_best : v.num > prov_best))) {
                prov_best = v.num;
                have_prov = 1;
            }
            if (strcmp(peers[j].code, city->code) != 0)
                sum += v.num;
            k++;
        }
        if (rc != CM_OK || k < 2)
            continue;
        int better = 0;
        for (size_t j = 0; j < k; j++)
            better += lower ? vals[j] < res->value.num : vals[j] > res->value.num;
        qsort(vals, k, sizeof *vals, cmp_double);
        /* the best tenth: the 90th percentile in the better direction,
         * nearest rank */
        size_t t = (k + 9) / 10;
        if (t < 1)
            t = 1;
        res->has_peers = 1;
        res->peer_n = (int)k;
        res->peer_rank = better + 1;
        res->peer_mean = sum / (double)(k - 1);
        res->prov_best = have_prov ? prov_best : res->value.num;
        res->top_tenth = lower ? vals[t - 1] : vals[k - t];
    }
out:
    free(vals);
    cm_region_list_free(peers, n);
    return rc;
}

/* Appends s to a growing buffer. */
static int append(char **buf, size_t *len, const char *s)
{
    size_t n = strlen(s);
    char *p = realloc(*buf, *len + n + 1);
    if (!p)
        return 0;
    memcpy(p + *len, s, n + 1);
    *buf = p;
    *len += n;
    return 1;
}

static cm_error build_rows(cm_store *s, const cm_defs *defs,
                           const char *region, cm_report *rep, size_t n_city,
                           cm_warnings *w, cm_diag *d)
{
    int number = 0;
    for (size_t p = 0; p < defs->n_problems; p++) {
        const cm_problem *pr = &defs->problems[p];
        char *text = NULL;
        size_t len = 0;
        /* city results are the first n_city, in indicator definition order,
         * which is also the order of pr->indicators */
        for (size_t i = 0; i < n_city; i++) {
            const cm_result *res = &rep->results[i];
            if (strcmp(res->problem_id, pr->id) != 0 || !res->description[0])
                continue;
            if ((len && !append(&text, &len, ";")) ||
                !append(&text, &len, res->description)) {
                free(text);
                return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            }
        }
        if (!text)
            continue;
        cm_assignment a;
        int found = 0;
        cm_error rc = cm_store_assignment(s, region, pr->id, &a, &found, d);
        if (rc != CM_OK) {
            free(text);
            return rc;
        }
        if (!found)
            cm_warnings_add(w, "problem '%s' has no assignment for %s "
                               "(assignments.csv): lead unit left 待定",
                            pr->id, region);
        char tbd[] = "待定", none[] = "";
        cm_rect_row row = {
            .number = ++number,
            .problem_id = pr->id,
            .problem = pr->name,
            .description = text,
            .lead = found ? a.lead : tbd,
            .partners = found ? a.partners : tbd,
            .deadline = found ? a.deadline : tbd,
            .note = found ? a.note : none,
        };
        rc = cm_report_add_row(rep, &row);
        free(text);
        if (found)
            cm_assignment_clear(&a);
        if (rc != CM_OK)
            return cm_diag_set(d, rc, NULL, 0, NULL, "out of memory");
    }
    return CM_OK;
}

cm_error cm_assess_city(cm_store *s, const cm_defs *defs, const char *region,
                        const char *period, cm_report **out, cm_warnings *w,
                        cm_diag *d)
{
    *out = NULL;
    cm_region city;
    memset(&city, 0, sizeof city);
    cm_error rc = cm_store_region(s, region, &city, d);
    if (rc != CM_OK)
        return rc;
    if (strcmp(city.level, "city") != 0) {
        rc = cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "region",
                         "%s %s is a %s; reports are made for cities", region,
                         city.name, city.level);
        cm_region_clear(&city);
        return rc;
    }
    cm_compute *c = NULL;
    cm_region *kids = NULL;
    size_t n_kids = 0;
    cm_report *rep = cm_report_new(city.code, city.name, period, "");
    if (!rep) {
        rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto done;
    }
    if ((rc = cm_compute_new(s, defs, period, &c, d)) != CM_OK ||
        (rc = assess_region(c, defs, &city, period, rep, w, d)) != CM_OK)
        goto done;
    size_t n_city = rep->n_results;
    if ((rc = add_peers(s, c, defs, &city, rep, n_city, d)) != CM_OK ||
        (rc = cm_store_children(s, region, &kids, &n_kids, d)) != CM_OK)
        goto done;
    for (size_t i = 0; i < n_kids && rc == CM_OK; i++)
        rc = assess_region(c, defs, &kids[i], period, rep, w, d);
    if (rc == CM_OK)
        rc = build_rows(s, defs, region, rep, n_city, w, d);
done:
    cm_region_list_free(kids, n_kids);
    cm_compute_free(c);
    cm_region_clear(&city);
    if (rc != CM_OK) {
        cm_report_free(rep);
        return rc;
    }
    *out = rep;
    return CM_OK;
}

cm_error cm_assess_unknown_elements(cm_store *s, const cm_defs *defs,
                                    const char *period, cm_warnings *w,
                                    cm_diag *d)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(cm_store_db(s),
                           "SELECT element, count(*), min(region) FROM "
                           "element_values WHERE period = ?1 GROUP BY element "
                           "ORDER BY element",
                           -1, &st, NULL) != SQLITE_OK)
        return cm_store_fail(s, d, "listing the period's elements");
    sqlite3_bind_text(st, 1, period, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *el = (const char *)sqlite3_column_text(st, 0);
        if (!el || cm_defs_element(defs, el))
            continue;
        const char *best = NULL;
        size_t best_d = (size_t)-1;
        for (size_t i = 0; i < defs->n_elements; i++) {
            size_t dist = cm_resolve_distance(el, defs->elements[i].id);
            if (dist < best_d) {
                best_d = dist;
                best = defs->elements[i].id;
            }
        }
        char hint[128] = "";
        if (best && best_d <= 2)
            snprintf(hint, sizeof hint, " (did you mean '%s'?)", best);
        cm_warnings_add(w, "%s: element '%s' (%d rows, e.g. region %s) is in "
                           "the store but no definition declares it%s",
                        period, el, sqlite3_column_int(st, 1),
                        (const char *)sqlite3_column_text(st, 2), hint);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return cm_store_fail(s, d, "listing the period's elements");
    return CM_OK;
}
