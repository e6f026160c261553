/*
 * xlsx_out.h - Excel outputs, written with libxlsxwriter.
 *
 * Rectification table: one sheet "整改责任分工表", a merged title row (the
 * report's title), then the header row 序号 · 主要问题 · 问题描述 ·
 * 整改牵头单位 · 整改责任单位 · 整改时限 · 备注 and one row per cm_rect_row.
 * Print-ready: A4 landscape, header row repeated on every page, fit to one
 * page wide, centred horizontally, page footer "第 &P 页，共 &N 页"; body in
 * 仿宋 11 pt, title in 宋体 bold 16 pt (fonts named: this libxlsxwriter does
 * not write the charset); thin borders; wrapped text, vertically centred.
 * Column widths are sized from the East-Asian width of their text (wrap.h,
 * a CJK character ~2 units), capped per column so the page stays one wide,
 * and each row's height is set from its wrapped line count so nothing is
 * hidden on paper.
 *
 * Indicator workbook: sheet "指标" with one row per cm_result (地区 · 代码 ·
 * 指标 · 类别 · 单位 · 数值 · 标杆 · 标杆值 · 差距 · 状态 · 问题), numbers as
 * numbers (formatted with the indicator's decimals) and status text, failing
 * rows highlighted; a computed benchmark is marked "(计算)"; frozen header,
 * autofilter. Then, when the report has a rank analysis (rank.h) in which
 * the city is listed, a sheet "排名": the trend table 月份 · 全国排名 ·
 * 综合得分 · 全省中位排名 · 较上月(位) over up to 24 months, oldest first
 * (a month the city is not listed leaves rank and score unwritten, so the
 * charts show a gap, not a 0), rises green and drops red by conditional
 * formats; beside it two native line charts, rank of the city against
 * the province median on a reversed axis (up is better) and composite
 * score; below it the facts (本月排名, 较上月, 较上年同期, 较上年12月,
 * 全省排位 with 中上, the target and the places still to gain) and the
 * first-level scores 一级指标 · 本月 · 上月 · 变化 in the order given.
 * When the report has a lifecycle (lifecycle.h), a sheet "问题跟踪":
 * 序号 · 主要问题 · 状态 (新增, 持续N个月, 已整改) · 首次出现 ·
 * 整改牵头单位 · 整改时限 · 逾期 (是) · 备注, overdue rows in red, printable
 * like the rectification table. Last, a sheet "说明" saying region, period
 * and what the statuses mean.
 *
 * Sheet "同级比较" (issue 4), when peer data are in the store: per city
 * indicator, its place among the regions of its level with a value, the
 * others' mean, the province's best and the best tenth, with the gaps.
 *
 * Files are deterministic: the document's created time is fixed to the
 * report period's last day, so a repeated run writes identical bytes.
 */
#ifndef CM_XLSX_OUT_H
#define CM_XLSX_OUT_H

#include "cm.h"
#include "report.h"

/* Writes the rectification table to path (overwritten). Errors:
 * CM_ERR_OUTPUT with libxlsxwriter's message and the path. */
cm_error cm_xlsx_write_rectification(const cm_report *r, const char *path,
                                     cm_diag *d);

/* Writes the indicator workbook to path (sheets as above). Errors:
 * CM_ERR_ENCODING naming the sheet or column when text is not UTF-8
 * (nothing is written), CM_ERR_OUTPUT as for the rectification table. */
cm_error cm_xlsx_write_indicators(const cm_report *r, const char *path,
                                  cm_diag *d);

#endif
