/*
 * compute.h - indicator values per region and period, rolled up the region
 * hierarchy, and the benchmark each value is held against.
 *
 * Roll-up: an element's value for a region is its own stored value when the
 * store has a row for it (a published figure wins); otherwise, for elements
 * declared rollup = sum, the sum of its children's values, recursively.
 * Ratios are then evaluated on those sums, so a city's share is
 * Σnumerator / Σdenominator of its counties, never a mean of their ratios.
 * A child not reported makes the sum not reported: a partial sum would be
 * a wrong number that looks right. An indicator one of whose inputs has no
 * stored row at all, at the region or below (not even an empty value), is
 * CM_V_NODATA: that input is not collected there (a city without
 * microdata), which is not the same as not reported (未报送).
 *
 * Benchmarks: a fixed standard (target = ">= 85"), a published average
 * (benchmarks.csv, held as given: its text is what the reports print), or a
 * mean over the peer regions in the store (marked computed).
 */
#ifndef CM_COMPUTE_H
#define CM_COMPUTE_H

#include "cm.h"
#include "defs.h"
#include "store.h"

typedef struct cm_compute cm_compute;

/* A context for one period. store and defs are borrowed and must outlive
 * it. Checks that the period is in the store (CM_ERR_DATA otherwise) and
 * that every earlier period an indicator's prev() reaches is too (a located
 * error at the indicator's formula otherwise: a formula must not pass
 * silently for want of data). */
cm_error cm_compute_new(cm_store *s, const cm_defs *defs, const char *period,
                        cm_compute **out, cm_diag *d);
void cm_compute_free(cm_compute *c);

/* Element `element` (index into defs->elements) for region, `lag` periods
 * before the context's period, rolled up as described above. */
cm_error cm_compute_element(cm_compute *c, const char *region, int element,
                            int lag, cm_value *out, cm_diag *d);

/* Indicator value for region at the context's period. */
cm_error cm_compute_indicator(cm_compute *c, const cm_indicator *ind,
                              const char *region, cm_value *out, cm_diag *d);

/* What a value is held against. Strings malloc'd; free with
 * cm_bench_value_clear. */
typedef struct cm_bench_value {
    int has;        /* 0: no benchmark (none defined, none published, no peers) */
    double value;
    char *text;     /* as published, or formatted with the indicator's decimals */
    char *label;    /* "地级市平均水平", "标准" */
    int computed;   /* mean over peers, computed here */
    int is_target;  /* a fixed standard: compare with ind->target_cmp */
} cm_bench_value;

cm_error cm_compute_benchmark(cm_compute *c, const cm_indicator *ind,
                              const char *region, cm_bench_value *out,
                              cm_diag *d);
void cm_bench_value_clear(cm_bench_value *b);


#endif
