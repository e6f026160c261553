/*
 * xlsx_util.h - what the three Excel writers (xlsx_out.c, plan_out.c,
 * drill.c) share: opening a workbook with fixed document properties and
 * closing or discarding it with a located message, the body and title
 * formats, the A4 print set-up, and column widths and row heights from the
 * East-Asian width of the text (wrap.h). Prefix cm_xbook_.
 *
 * libxlsxwriter has no autofit, and the one other libraries offer assumes
 * Calibri. Widths here are in Excel's unit, the width of '0' in the
 * default font (Calibri 11: 7 px at 96 dpi); a half-width cell of 仿宋
 * 11 pt is taken as 7.4 px (a CJK glyph is 14.7 px: 7.4 errs towards one
 * line too many rather than a clipped character), plus 8 px of cell
 * padding and border. Heights are in points: one line of 11 pt CJK text
 * 15 pt (Excel gives 仿宋 11 pt 14.25 pt; LibreOffice's substitutes run a
 * little taller), plus 6 pt of padding, at most 409 pt (Excel's limit).
 *
 * Fonts are named (this libxlsxwriter writes no charset), and a file's
 * created time is fixed by the caller (cm_xbook_period_end) so that a
 * repeated run writes identical bytes.
 *
 * Every lxw_workbook, lxw_worksheet and lxw_format here belongs to
 * libxlsxwriter's workbook: formats and sheets are freed with it.
 */
#ifndef CM_XLSX_UTIL_H
#define CM_XLSX_UTIL_H

#include <stddef.h>
#include <time.h>

#include <xlsxwriter.h>

#include "cm.h"

#define CM_XBOOK_BODY_FONT "仿宋"
#define CM_XBOOK_TITLE_FONT "宋体"
#define CM_XBOOK_BODY_PT 11.0     /* body font size */
#define CM_XBOOK_LINE_PT 15.0     /* height of one line of body text */
#define CM_XBOOK_ROW_PAD_PT 6.0   /* a row's padding */
#define CM_XBOOK_MAX_ROW_PT 409.0 /* Excel refuses taller rows */

/* ---- workbooks ---------------------------------------------------------- */

/* Stores e in *acc unless *acc already holds an error: the first
 * libxlsxwriter error of a sequence of calls is the one reported. */
void cm_xbook_keep(lxw_error *acc, lxw_error e);

/* The last day of a period "2018", "2018-12" or "2018-Q4" (year 1970 or
 * later) at 00:00 UTC, the fixed creation time of the period's files.
 * period is n bytes long (it need not be NUL-terminated). Returns 1 and
 * sets *out, or returns 0 (leaving *out alone) if the period is none of
 * those forms. Example: "2019-Q2" gives 2019-06-30 (1561852800). */
int cm_xbook_period_end(const char *period, size_t n, time_t *out);

/* Checks that a new file can be made: in path's directory when is_file
 * (".", for a path without '/'), else in the directory path itself.
 * libxlsxwriter finds out only in workbook_close and then prints to
 * stderr itself; modules never print, so the common failure is caught
 * here, quietly. Errors: CM_ERR_OUTPUT naming path (too long, or the
 * directory is not writable, with strerror). */
cm_error cm_xbook_check_dir(const char *path, int is_file, cm_diag *d);

/* Starts a workbook for path with the document properties title (UTF-8,
 * copied), author "credmon" and created (not 0: libxlsxwriter takes 0 as
 * "now"). Nothing is written before cm_xbook_close. On success *wb is the
 * workbook, which the caller ends with cm_xbook_close or cm_xbook_abandon;
 * on failure *wb is NULL. Errors: CM_ERR_OUTPUT naming path (libxlsxwriter
 * could not start the workbook or set its properties). */
cm_error cm_xbook_open(const char *path, const char *title, time_t created,
                       lxw_workbook **wb, cm_diag *d);

/* Writes wb to path and frees it, in every case. Errors: CM_ERR_OUTPUT
 * naming path, with libxlsxwriter's message. */
cm_error cm_xbook_close(lxw_workbook *wb, const char *path, cm_diag *d);

/* Frees wb after a failure without writing path, and reports it: e, or
 * CM_ERR_OUTPUT when e is CM_OK (then le says what failed); "out of
 * memory" for CM_ERR_NOMEM, else "cannot build workbook: " and le's
 * message, or e's if le is LXW_NO_ERROR. Returns that error. */
cm_error cm_xbook_abandon(lxw_workbook *wb, const char *path, lxw_error le,
                          cm_error e, cm_diag *d);

/* ---- formats and page --------------------------------------------------- */

/* A new body format of wb: 仿宋 11 pt, thin borders, wrapped, vertically
 * centred; centred or left-aligned; bold if asked. NULL out of memory. */
lxw_format *cm_xbook_body_format(lxw_workbook *wb, int center, int bold);

/* A new title format of wb: 宋体 bold, pt points, centred both ways,
 * wrapped. NULL out of memory. */
lxw_format *cm_xbook_title_format(lxw_workbook *wb, double pt);

/* The print-ready table: A4 landscape, centred horizontally, margins
 * 0.5" left and right and 0.75" top and bottom, fitted to one page wide,
 * frozen under and repeating sheet row 2 (the header row under a title
 * row), footer "第 &P 页，共 &N 页". A failure is kept in *le. */
void cm_xbook_print_setup(lxw_worksheet *ws, lxw_error *le);

/* ---- sizes -------------------------------------------------------------- */

/* Column width ('0' units) that shows cells half-width cells of body text
 * (a CJK character is two cells). */
double cm_xbook_col_width(double cells);

/* Width in half-width cells of the widest line of s ("\n" separates
 * lines); s is UTF-8 (wrap.h: bad bytes count one cell). */
size_t cm_xbook_widest_line(const char *s);

/* cm_xbook_col_width of s's widest line, within [min, max]. */
double cm_xbook_fit_width(const char *s, double min, double max);

/* Number of lines (at least 1) into *lines that s takes wrapped in a
 * column w '0' units wide, in a font of pt points (so a title's wider
 * characters give more lines); lines break by wrap.h's rules. Errors:
 * CM_ERR_ENCODING (s not UTF-8), CM_ERR_NOMEM; *lines is then unset. */
cm_error cm_xbook_count_lines(const char *s, double w, double pt,
                              size_t *lines);

/* Height in points of a row holding lines lines of body text
 * (CM_XBOOK_LINE_PT each, plus CM_XBOOK_ROW_PAD_PT), at most
 * CM_XBOOK_MAX_ROW_PT. */
double cm_xbook_row_height(size_t lines);

#endif
