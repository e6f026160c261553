/*
 * drill.h - drill-down workbooks: behind each finding, the records that
 * caused it, one workbook per member unit (issue 3).
 *
 * For a city and a month, for every unit that has any: sheets
 *   逾期双公示   its double-publicity records (source_unit = unit) of the
 *               city's counties decided in the month and published later
 *               than 7 working days after the decision, or not yet, with
 *               the delay in working days; records published before their
 *               decision are listed apart (数据错误)
 *   重错码       (for the unit named as responsible for codes) register
 *               entries whose code fails GB 32100 or is shared by several
 *               entities, with the reason
 *   未修复培训   blacklist subjects it listed (listing_unit = unit), on the
 *               list at month end or removed in the month, without repair
 *               training
 * Subjects that are natural persons are masked (domain.h) in every cell.
 * Files: <dir>/<unit>.xlsx, written to a temporary name and renamed.
 */
#ifndef CM_DRILL_H
#define CM_DRILL_H

#include "cm.h"
#include "store.h"

typedef struct cm_drill_options {
    const char *region;       /* the city */
    const char *period;       /* 'YYYY-MM' */
    const char *codes_unit;   /* unit responsible for codes, e.g. 市市场监督管理局; may be NULL */
    const char *dir;          /* output folder (exists) */
} cm_drill_options;

/* Writes the workbooks; *n_files (may be NULL) receives how many. Units
 * with no record get none. The store's calendar must cover the month. */
cm_error cm_drill_write(cm_store *s, const cm_drill_options *o, int *n_files,
                        cm_diag *d);

#endif
