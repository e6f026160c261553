/*
 * run.h - one run, end to end: store -> definitions -> assess -> Excel,
 * PDF and manifest in <out>/<region>/<period>/.
 *
 * Outputs are written into a temporary folder beside the final one and
 * renamed into place only when every file is complete, so a failed run
 * leaves the previous reports untouched and a repeated run replaces them
 * whole. Files written:
 *   rectification.xlsx  整改责任分工表
 *   indicators.xlsx     indicator workbook (city and counties)
 *   circular.pdf        通报 with the table attached; with a monitoring
 *                       section when the store holds ranks for the city
 *   counties.pdf        a summary page per county (when county results exist)
 *   manifest.json       inputs, definitions, outputs with SHA-256, counts
 *   drill/<unit>.xlsx   when the store holds microdata for the city and the
 *                       month: the records behind each finding, per member
 *                       unit (drill.h)
 */
#ifndef CM_RUN_H
#define CM_RUN_H

#include "assess.h"
#include "cm.h"
#include "pdf_out.h"

typedef struct cm_run_options {
    const char *db;             /* store path (must exist: import first) */
    const char *defs_dir;       /* indicators/ */
    const char *templates_dir;  /* templates/: circular-<region>.ini, else circular.ini */
    const char *template_path;  /* overrides templates_dir when not NULL */
    const char *out_dir;        /* reports/ */
    const char *region, *period;
    const char *codes_unit;     /* unit answering for 统一社会信用代码 errors in
                                   the drill-down, or NULL */
    int rank_target;            /* places up on last December the city aims
                                   for (seed 000: 30), 0 for none */
    cm_pdf_fonts fonts;
} cm_run_options;

/* Where a run stopped, so that the CLI can tell bad definitions from bad
 * data when both use the same error classes. */
typedef enum cm_run_stage {
    CM_STAGE_STORE = 0,   /* opening the store */
    CM_STAGE_DEFS,        /* loading the definitions */
    CM_STAGE_ASSESS,      /* computing and assessing */
    CM_STAGE_TEMPLATE,    /* loading the circular template */
    CM_STAGE_OUTPUT,      /* writing Excel, PDF, manifest */
    CM_STAGE_RECORD,      /* recording the run in the store */
    CM_STAGE_DONE
} cm_run_stage;

typedef struct cm_run_summary {
    cm_run_stage stage;         /* CM_STAGE_DONE on success */
    char out_dir[4096];         /* the folder written */
    size_t n_results, n_findings, n_rows;
    int n_drill;                /* drill-down workbooks written */
    double elapsed_ms;
} cm_run_summary;

/* Runs. Warnings (not errors) are appended to w (may be NULL). */
cm_error cm_run(const cm_run_options *o, cm_run_summary *sum, cm_warnings *w,
                cm_diag *d);

/* Resolves the circular template for a region: template_path if set, else
 * <templates_dir>/circular-<region>.ini if it exists, else
 * <templates_dir>/circular.ini. Writes the path into out. */
void cm_run_template_path(const cm_run_options *o, char *out, size_t n);

/* A plan or evaluation table (issue 5, plan.h) evaluated for a region and
 * period, written to <out>/<region>/<period>/<plan file's stem>/:
 *   table.xlsx        the table as the document lays it out, with the
 *                     current value, 达标情况 and 差距
 *   units.xlsx        a summary and one sheet per member unit
 *   units/<unit>.pdf  one circular per unit listing its items
 * into a temporary folder renamed into place when complete. */
typedef struct cm_plan_options {
    const char *db, *defs_dir, *templates_dir, *template_path, *out_dir;
    const char *plan_path;
    const char *region, *period;
    const char *title;          /* the table's title; NULL: from the region,
                                   period and kind */
    cm_pdf_fonts fonts;
} cm_plan_options;

typedef struct cm_plan_summary {
    char out_dir[4096];
    size_t n_rows, n_met, n_missed, n_warning, n_other;
    int n_units, n_pdfs;
    char **idle_units;          /* units in the store the plan gives no item */
    size_t n_idle;
    char **unknown_names;       /* names in the plan's unit cells that are no
                                   unit of the store (no sheet, no circular) */
    size_t n_unknown;
} cm_plan_summary;

cm_error cm_run_plan(const cm_plan_options *o, cm_plan_summary *sum,
                     cm_diag *d);
void cm_plan_summary_clear(cm_plan_summary *sum);

#endif
