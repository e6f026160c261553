/*
 * plan_out.h - the tables of plans and evaluations (issue 5), in Excel and
 * in PDF circulars per member unit.
 *
 * Excel (libxlsxwriter, the conventions of xlsx_out.h: fonts named, widths
 * from East-Asian width, print-ready, deterministic):
 *   the table as the document lays it out, then the engine's columns
 *     plan      类别 · 序号 · 指标 · <years> · 指标属性 · 当前值 · 达标情况
 *     tasks     考评任务 · 考评指标 · 考评标准 · 牵头单位 · 责任单位 · 当前值 ·
 *               达标情况 · 差距
 *     workplan  序号 · 任务 · 牵头单位 · 责任单位 · 当前值 · 达标情况
 *   with the document's merged cells (a group, or an item, spanning rows);
 *   the units workbook: a summary sheet (unit · 牵头 items · 参与 items ·
 *   未达标) and one sheet per unit with its items as lead and as partner.
 * PDF: one circular per unit (GB/T 9704 layout of pdf_out.h) whose table
 * lists only that unit's items with status and deadline; a unit with no
 * item gets none.
 */
#ifndef CM_PLAN_OUT_H
#define CM_PLAN_OUT_H

#include "circular.h"
#include "cm.h"
#include "pdf_out.h"
#include "plan.h"

/* The plan's table; title is its caption row. */
cm_error cm_plan_write_table(const cm_plan *p, const char *title,
                             const char *path, cm_diag *d);

/* The units workbook; *n_units (may be NULL) receives the sheets written. */
cm_error cm_plan_write_units(const cm_plan *p, const char *title,
                             const char *path, int *n_units, cm_diag *d);

/* One PDF per unit into dir ("<unit>.pdf"), the cover letter from c with
 * the unit as 主送 and title as the table's title. *n (may be NULL)
 * receives the files written. */
cm_error cm_plan_write_unit_pdfs(const cm_plan *p, const cm_circular *c,
                                 const char *title, const cm_pdf_fonts *fonts,
                                 const char *dir, int *n, cm_diag *d);

#endif
