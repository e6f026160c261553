/*
 * rank.h - the national city credit monitoring ranks (全国城市信用状况监测)
 * and the analysis a credit office runs on them every month (issue 4).
 *
 * Ranks are imported as published, never computed: every month three lists
 * (groups) are published separately, each over a rolling 12 months:
 *   capital     36 provincial-capital and sub-provincial cities
 *   prefecture  261 prefecture-level cities (地级市)
 *   county      361 county-level cities
 *
 * ranks*.csv: period,group,region,rank,score[,<first-level score>...]
 *   period YYYY-MM; group as above; region a code in the store; rank
 *   1..n, unique within (period, group); score 0-100. Further columns are
 *   first-level indicator scores named by their header (e.g. 信用制度和基础
 *   建设, 营商环境, 信用监管, 权益保护 in the 2020 system), empty = not given.
 * Stored in ranks(period, grp, region, rank, score) and
 * rank_scores(period, grp, region, indicator, score); a file replaces the
 * (period, group) lists it holds, in one transaction.
 */
#ifndef CM_RANK_H
#define CM_RANK_H

#include <stddef.h>

#include "cm.h"
#include "store.h"

#define CM_RANK_TREND 24      /* months kept for charts */
#define CM_RANK_MAX_LEVEL1 8  /* first-level indicators analysed */

/* Kind from a path's file name: 1 for ranks*.csv, else 0. */
int cm_rank_is_rank_file(const char *path);

/* Imports one ranks file (see above) in one transaction. Errors are located
 * "file:line: column: what"; a rank given twice in a list, a list whose
 * ranks are not 1..n without gaps, an unknown region or group are errors. */
cm_error cm_rank_import_file(cm_store *s, const char *path, long *rows,
                             cm_diag *d);

/* One month of a city's line. */
typedef struct cm_rank_point {
    char period[8];
    int rank;                /* 0 when the city is not in that month's list */
    double score;
    int n;                   /* size of the list that month */
    double province_median;  /* median rank of the province's cities in the
                                list that month (0 if none) */
} cm_rank_point;

typedef struct cm_rank_level1 {
    char name[96];
    double score, prev;      /* this month, last month */
    double delta;            /* score - prev; most negative first */
} cm_rank_level1;

/* Everything the circular and the workbook say about a city's rank.
 * Changes are in places, positive = moved up (a smaller rank number). */
typedef struct cm_rank_analysis {
    char region[8], group[16], period[8];
    int has;                 /* 0: the city is not in this month's list */
    int rank, n;
    double score;
    int has_month, d_month;  /* on last month */
    int has_year, d_year;    /* on the same month last year */
    int has_dec, d_dec;      /* on last December */
    int prov_place, prov_n;  /* place among its province's cities in the list */
    int prov_upper;          /* 1: in the top half of the province (中上) */
    int target_up;           /* the target: places up on last December (e.g. 30) */
    int target_rank;         /* last December's rank - target_up (0 if unknown) */
    int to_gain;             /* rank - target_rank: places still to gain (<= 0: met) */
    cm_rank_point trend[CM_RANK_TREND];   /* oldest first, ending at period */
    size_t n_trend;
    cm_rank_level1 level1[CM_RANK_MAX_LEVEL1];  /* sorted: lost most first */
    size_t n_level1;
} cm_rank_analysis;

/* Analyses region's line in group for period. target_up 0 = no target.
 * Not being in the list is not an error (out->has = 0). Months missing
 * from the store leave gaps (rank 0) in the trend. */
cm_error cm_rank_analyse(cm_store *s, const char *region, const char *group,
                         const char *period, int target_up,
                         cm_rank_analysis *out, cm_diag *d);

/* The group a city is ranked in for period (the first list holding it:
 * capital, prefecture, county), or "" when none does. */
cm_error cm_rank_group_of(cm_store *s, const char *region, const char *period,
                          char group[16], cm_diag *d);

#endif
