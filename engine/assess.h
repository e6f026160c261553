/*
 * assess.h - holds every indicator against its benchmark for a city and its
 * counties, and turns the city's failures into the rows of the
 * rectification table.
 *
 * Status: a value is compared after rounding to the indicator's decimals,
 * i.e. as printed, so that the table never says "1.31% 高于 1.31%". With a
 * published or computed average, `better` decides: higher is better passes
 * at value >= average, lower is better at value <= average. With a fixed
 * standard the comparator decides. Not reported is a finding (the seed's
 * row 11 "未报送..."); not computable (a zero denominator) is not: it is
 * shown as 不可计算 in the indicator workbook and reported as a warning. An
 * indicator none of whose inputs has any row for the region (no microdata
 * imported, say) is 无数据: shown, not a finding, since there is nothing to
 * hold against anything; an explicit empty value in values.csv is 未报送.
 *
 * Rows: problems in definition order; a problem is a row when at least one
 * of its indicators fails or is not reported for the city; its 问题描述 is
 * those indicators' texts joined by ';' in definition order. Lead, partners,
 * deadline and note come from the store's assignments (the city's own row,
 * else the default row); a problem with no assignment gets "待定" and a
 * warning.
 */
#ifndef CM_ASSESS_H
#define CM_ASSESS_H

#include "cm.h"
#include "compute.h"
#include "defs.h"
#include "report.h"
#include "store.h"

/* Warnings gathered while assessing (not errors: the run goes on). */
typedef struct cm_warnings {
    char **items;
    size_t n, cap;
} cm_warnings;

void cm_warnings_free(cm_warnings *w);   /* frees items; w itself is the caller's */
cm_error cm_warnings_add(cm_warnings *w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Builds the report for city `region` at `period`. The title is left empty
 * (the caller sets it from the circular template). *out is owned by the
 * caller. Warnings are appended to w (may be NULL). */
cm_error cm_assess_city(cm_store *s, const cm_defs *defs, const char *region,
                        const char *period, cm_report **out, cm_warnings *w,
                        cm_diag *d);

/* Warns (into w) about elements stored for period that no definition
 * declares: a misspelt element in values.csv otherwise imports fine and
 * silently turns a county's sum into "not reported". Each warning names the
 * nearest declared element. */
cm_error cm_assess_unknown_elements(cm_store *s, const cm_defs *defs,
                                    const char *period, cm_warnings *w,
                                    cm_diag *d);

/* Status of value v against b for ind (exposed for tests). */
cm_status cm_assess_status(const cm_indicator *ind, cm_value v,
                           const cm_bench_value *b);

#endif
