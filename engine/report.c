/*
 * report.c - the plain-data report that assess fills and the writers read.
 */
#include "report.h"

#include "lifecycle.h"

#include <stdlib.h>
#include <string.h>

/* ORDER STATUS */
static const char *const status_text[] = {
    "达标", "未达标", "未报送", "不可计算", "无标杆", "无数据",
};

const char *cm_status_text(cm_status st)
{
    if ((int)st < 0 || (size_t)st >= sizeof status_text / sizeof *status_text)
        return "";
    return status_text[st];
}

static char *dup0(const char *s)
{
    return cm_strdup(s ? s : "");
}

cm_report *cm_report_new(const char *region_code, const char *region_name,
                         const char *period, const char *title)
{
    cm_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->region_code = dup0(region_code);
    r->region_name = dup0(region_name);
    r->period = dup0(period);
    r->title = dup0(title);
    if (!r->region_code || !r->region_name || !r->period || !r->title) {
        cm_report_free(r);
        return NULL;
    }
    return r;
}

static void result_clear(cm_result *x)
{
    free(x->region_code);
    free(x->region_name);
    free(x->indicator_id);
    free(x->indicator_name);
    free(x->category);
    free(x->unit);
    free(x->value_text);
    free(x->benchmark_label);
    free(x->benchmark_text);
    free(x->gap_text);
    free(x->problem_id);
    free(x->description);
}

static void row_clear(cm_rect_row *x)
{
    free(x->problem_id);
    free(x->problem);
    free(x->description);
    free(x->lead);
    free(x->partners);
    free(x->deadline);
    free(x->note);
}

void cm_report_free(cm_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_results; i++)
        result_clear(&r->results[i]);
    for (size_t i = 0; i < r->n_rows; i++)
        row_clear(&r->rows[i]);
    free(r->results);
    free(r->rows);
    free(r->rank);
    cm_lifecycle_free(r->lifecycle);
    free(r->monitoring);
    free(r->region_code);
    free(r->region_name);
    free(r->period);
    free(r->title);
    free(r);
}

/* Grows *arr (of elem-sized items) so that one more fits. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 1;
    size_t nc = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, nc * elem);
    if (!p)
        return 0;
    *arr = p;
    *cap = nc;
    return 1;
}

cm_error cm_report_add_result(cm_report *r, const cm_result *res)
{
    if (!grow((void **)&r->results, &r->cap_results, r->n_results,
              sizeof *r->results))
        return CM_ERR_NOMEM;
    cm_result x = *res;
    x.region_code = dup0(res->region_code);
    x.region_name = dup0(res->region_name);
    x.indicator_id = dup0(res->indicator_id);
    x.indicator_name = dup0(res->indicator_name);
    x.category = dup0(res->category);
    x.unit = dup0(res->unit);
    x.value_text = dup0(res->value_text);
    x.benchmark_label = dup0(res->benchmark_label);
    x.benchmark_text = dup0(res->benchmark_text);
    x.gap_text = dup0(res->gap_text);
    x.problem_id = dup0(res->problem_id);
    x.description = dup0(res->description);
    if (!x.region_code || !x.region_name || !x.indicator_id ||
        !x.indicator_name || !x.category || !x.unit || !x.value_text ||
        !x.benchmark_label || !x.benchmark_text || !x.gap_text ||
        !x.problem_id || !x.description) {
        result_clear(&x);
        return CM_ERR_NOMEM;
    }
    r->results[r->n_results++] = x;
    return CM_OK;
}

cm_error cm_report_add_row(cm_report *r, const cm_rect_row *row)
{
    if (!grow((void **)&r->rows, &r->cap_rows, r->n_rows, sizeof *r->rows))
        return CM_ERR_NOMEM;
    cm_rect_row x = *row;
    x.problem_id = dup0(row->problem_id);
    x.problem = dup0(row->problem);
    x.description = dup0(row->description);
    x.lead = dup0(row->lead);
    x.partners = dup0(row->partners);
    x.deadline = dup0(row->deadline);
    x.note = dup0(row->note);
    if (!x.problem_id || !x.problem || !x.description || !x.lead ||
        !x.partners || !x.deadline || !x.note) {
        row_clear(&x);
        return CM_ERR_NOMEM;
    }
    r->rows[r->n_rows++] = x;
    return CM_OK;
}
