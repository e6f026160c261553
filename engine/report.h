/*
 * report.h - what one run found, as plain data for the writers.
 *
 * assess fills a cm_report; xlsx_out and pdf_out only read it. Every string
 * in a report is owned by the report (copied in by the add functions), so a
 * report outlives the definitions and the store it was built from.
 */
#ifndef CM_REPORT_H
#define CM_REPORT_H

#include <stddef.h>

#include "cm.h"

/* Status of one indicator value against its benchmark.
 * ORDER STATUS: keep in step with the text table in report.c. */
typedef enum cm_status {
    CM_ST_PASS = 0,  /* 达标 */
    CM_ST_FAIL,      /* 未达标 */
    CM_ST_MISSING,   /* 未报送: an input was not reported */
    CM_ST_NA,        /* 不可计算: zero denominator, or benchmark not computable */
    CM_ST_NOBENCH,   /* 无标杆: informational indicator, or no benchmark for the period */
    CM_ST_NODATA     /* 无数据: none of its inputs has data for the region (e.g.
                        microdata indicators where no records were imported) */
} cm_status;

/* "达标", "未达标", "未报送", "不可计算", "无标杆". */
const char *cm_status_text(cm_status st);

/* One indicator for one region and period. */
typedef struct cm_result {
    char *region_code, *region_name;
    char *indicator_id, *indicator_name, *category, *unit;
    cm_value value;
    char *value_text;        /* formatted per the indicator ("1.8"), "" if none */
    int has_benchmark;
    double benchmark;
    char *benchmark_label;   /* "地级市平均水平", "标准≥85%", "" */
    char *benchmark_text;    /* as published ("2.30") or formatted, "" if none */
    int benchmark_computed;  /* 1 when a mean over peers computed by credmon */
    int has_gap;
    double gap;              /* value - benchmark, in the indicator's unit */
    char *gap_text;          /* signed, formatted like the value ("+0.49"), "" if none */
    cm_status status;
    char *problem_id;        /* "" if the indicator belongs to no problem */
    char *description;       /* text of a failing/missing value, "" otherwise */
    /* Among the peers (regions of the same level with a value in the store,
     * issue 4), for the city's own results: has_peers 0 when fewer than two
     * regions have a value. Best = in the indicator's better direction. */
    int has_peers;
    int peer_rank, peer_n;   /* place among the n regions with a value */
    double peer_mean;        /* mean over the other regions */
    double prov_best;        /* best value among the province's regions */
    double top_tenth;        /* the value the best tenth reach (90th percentile) */
} cm_result;

/* One row of the rectification table (整改责任分工表). */
typedef struct cm_rect_row {
    int number;              /* 序号, 1-based */
    char *problem_id;
    char *problem;           /* 主要问题 */
    char *description;       /* 问题描述: failing indicators' texts joined by ';' */
    char *lead;              /* 整改牵头单位 */
    char *partners;          /* 整改责任单位 */
    char *deadline;          /* 整改时限 */
    char *note;              /* 备注 */
} cm_rect_row;

struct cm_rank_analysis;   /* rank.h */
struct cm_lifecycle;       /* lifecycle.h */

typedef struct cm_report {
    char *region_code, *region_name;  /* the city the report is for */
    char *period;                     /* "2018-12" */
    char *title;                      /* "雅安市2018年信用建设主要问题整改责任分工表" */
    cm_result *results; size_t n_results;  /* city first, then its counties */
    cm_rect_row *rows;  size_t n_rows;
    struct cm_rank_analysis *rank;    /* owned; NULL when no ranks in the store */
    struct cm_lifecycle *lifecycle;   /* owned; NULL when not built */
    char *monitoring;                 /* owned; the rendered monitoring paragraph
                                         of the circular (issue 4), or NULL */
    size_t cap_results, cap_rows;     /* private */
} cm_report;

/* An empty report for region/period; NULL on out of memory. */
cm_report *cm_report_new(const char *region_code, const char *region_name,
                         const char *period, const char *title);
void cm_report_free(cm_report *r);

/* Appends a copy of *res / *row (every string duplicated; NULL strings
 * become ""). CM_ERR_NOMEM on failure. */
cm_error cm_report_add_result(cm_report *r, const cm_result *res);
cm_error cm_report_add_row(cm_report *r, const cm_rect_row *row);

#endif
