/*
 * defs.h - the definitions: what is measured (elements), how it is computed
 * (indicators), what it is held against (benchmarks) and how failures are
 * grouped into the rows of the rectification table (problems).
 *
 * Read from every *.ini in a folder, in file-name order, then sections in
 * file order. Section kinds and their keys (all others are errors):
 *
 *   [element ID]      name (required), unit, rollup = sum | none (default sum)
 *   [benchmark ID]    name (required: the words used in text, 地级市平均水平),
 *                     source = published | computed (default published),
 *                     level = province | city | county (computed only: the
 *                     peers whose mean is taken)
 *   [problem ID]      name (required: the 主要问题 column)
 *   [indicator ID]    name (required), formula (required), category, unit,
 *                     decimals (0-6, default 2), trim = yes | no (default
 *                     yes: drop trailing zeros, 1.80 -> 1.8),
 *                     better = higher | lower (required with compare),
 *                     compare = a benchmark ID, target = a fixed standard
 *                     ("> 0", ">= 85", "= 0", "< 0.1"), at most one of the
 *                     two; problem = a problem ID; describe = the text of a
 *                     failing value; missing = the text when not reported;
 *                     levels = the region levels it is evaluated for, a
 *                     comma-separated subset of province, city, county
 *                     (default all: a city-only score set "levels = city"
 *                     so that counties are not listed as 未报送).
 *
 * IDs match [a-z][a-z0-9_]{0,63} and are unique per kind across the folder.
 * An indicator with a problem must have describe and a benchmark or target.
 * Templates are checked by the text module (unknown placeholders are
 * errors). Problems are numbered in the order their sections appear.
 * Every error is located: "indicators/x.ini:12: formula: unknown element
 * 'blacklistt' (did you mean 'blacklist'?)".
 */
#ifndef CM_DEFS_H
#define CM_DEFS_H

#include <stddef.h>

#include "cm.h"
#include "parse.h"

/* 数据元素: a named raw quantity per region and period. */
typedef struct cm_element {
    char *id, *name, *unit;
    int rollup_sum;         /* 1: a parent without its own value sums its children */
    char *file;
    long line;
} cm_element;

/* 标杆 kinds. */
typedef enum cm_bench_source {
    CM_BENCH_PUBLISHED = 0, /* from benchmarks.csv, held as given */
    CM_BENCH_COMPUTED       /* mean over peer regions in the store */
} cm_bench_source;

typedef struct cm_benchmark {
    char *id, *name;
    cm_bench_source source;
    char *level;            /* CM_BENCH_COMPUTED: peers' level */
    char *file;
    long line;
} cm_benchmark;

typedef enum cm_cmp {
    CM_CMP_GT = 0, CM_CMP_GE, CM_CMP_LT, CM_CMP_LE, CM_CMP_EQ
} cm_cmp;

typedef enum cm_better {
    CM_BETTER_UNSET = 0, CM_BETTER_HIGHER, CM_BETTER_LOWER
} cm_better;

struct cm_problem;

/* Region levels, as bits of cm_indicator.levels. */
#define CM_LEVEL_PROVINCE 1u
#define CM_LEVEL_CITY 2u
#define CM_LEVEL_COUNTY 4u

/* The bit of a level name ("province", "city", "county"), 0 if unknown. */
unsigned cm_defs_level_bit(const char *level);

/* 指标. */
typedef struct cm_indicator {
    char *id, *name, *category, *unit;
    char *formula_text;
    long formula_line;      /* line of the formula key, for run-time errors */
    cm_expr *formula;       /* resolved against the elements (owned) */
    int max_lag;            /* deepest prev() the formula reaches */
    int decimals, trim;
    cm_better better;
    const cm_benchmark *compare;  /* borrowed from the set, or NULL */
    int has_target;
    cm_cmp target_cmp;
    double target;
    char *target_text;      /* as written, "= 0" */
    struct cm_problem *problem;   /* borrowed, or NULL */
    char *describe, *missing;     /* templates, may be NULL */
    unsigned levels;        /* CM_LEVEL_* bits */
    char *file;
    long line;
} cm_indicator;

/* 问题: one row of the rectification table. */
typedef struct cm_problem {
    char *id, *name;
    int number;             /* 1-based order of definition */
    cm_indicator **indicators;    /* borrowed, in definition order */
    size_t n_indicators;
    char *file;
    long line;
} cm_problem;

typedef struct cm_defs {
    cm_element *elements;     size_t n_elements;
    cm_benchmark *benchmarks; size_t n_benchmarks;
    cm_indicator *indicators; size_t n_indicators;
    cm_problem *problems;     size_t n_problems;
    char **files;             size_t n_files;  /* the .ini paths read, in order */
} cm_defs;

/* Loads and validates every *.ini in dir. *out is owned by the caller (free
 * with cm_defs_free); NULL on error. A folder with no .ini is an error. */
cm_error cm_defs_load(const char *dir, cm_defs **out, cm_diag *d);

/* Same from one in-memory text (tests); name stands for the file. */
cm_error cm_defs_load_mem(const char *name, const char *text, cm_defs **out,
                          cm_diag *d);

void cm_defs_free(cm_defs *defs);

/* Lookups by id; NULL when absent. Results are borrowed from defs. */
const cm_element *cm_defs_element(const cm_defs *defs, const char *id);
const cm_indicator *cm_defs_indicator(const cm_defs *defs, const char *id);
const cm_problem *cm_defs_problem(const cm_defs *defs, const char *id);

/* Parses a fixed standard such as ">= 85", "≥85", "< 0.1", "=1"; returns 1
 * on success. Accepts ASCII and the signs ≥ ≤ ＞ ＜ ＝. */
int cm_defs_parse_target(const char *s, cm_cmp *cmp, double *value);

/* Whether value meets "cmp target" (exact for =, with a 1e-9 relative
 * tolerance so that computed 0.1+0.2 meets = 0.3). */
int cm_defs_cmp_holds(cm_cmp cmp, double value, double target);

/* "≥", ">", ... for text. */
const char *cm_defs_cmp_sign(cm_cmp cmp);

#endif
