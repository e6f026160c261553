/*
 * xlsx_out.c - the Excel outputs: the rectification table (整改责任分工表)
 * as a print-ready sheet, and the indicator analysis workbook.
 *
 * libxlsxwriter has no autofit, and the one other libraries offer assumes
 * Calibri: column widths and row heights are computed from the East-Asian
 * width of the text (xlsx_util.h), so that printed cells hide nothing.
 */
#include "xlsx_out.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "lifecycle.h"
#include "rank.h"
#include "text.h"
#include "xlsx_util.h"

/* The title row: 宋体 16 pt, 22 pt a line (the body's sizes and fonts are
 * xlsx_util.h's). */
#define TITLE_PT 16.0
#define TITLE_LINE_PT 22.0
#define RECT_SHEET "整改责任分工表"

/* A column: its header, width bounds in '0' units, and alignment. */
typedef struct col_spec {
    const char *head;
    double min, max;
    int center;       /* 1: centred text (short columns), 0: left */
} col_spec;

/* The seed 000 annex 2 columns. The maxima keep the sheet close to one
 * A4-landscape page wide (~160 units) so fit-to-width barely shrinks it. */
static const col_spec rect_cols[] = {
    {"序号", 6, 6, 1},
    {"主要问题", 14, 26, 0},
    {"问题描述", 24, 46, 0},
    {"整改牵头单位", 14, 18, 1},
    {"整改责任单位", 24, 46, 0},
    {"整改时限", 11, 13, 1},
    {"备注", 10, 16, 1},
};
#define RECT_NCOLS (sizeof rect_cols / sizeof *rect_cols)

/* ORDER IND_COLS: keep in step with ind_cell(). */
static const col_spec ind_cols[] = {
    {"地区", 8, 20, 0},
    {"代码", 8, 10, 1},
    {"指标", 12, 36, 0},
    {"类别", 8, 20, 0},
    {"单位", 6, 10, 1},
    {"数值", 8, 14, 0},
    {"标杆", 10, 24, 0},
    {"标杆值", 8, 14, 0},
    {"差距", 8, 14, 0},
    {"状态", 8, 10, 1},
    {"问题", 16, 48, 0},
};
#define IND_NCOLS (sizeof ind_cols / sizeof *ind_cols)

/* ORDER STATUS: meanings of the cm_status values, for the 说明 sheet. */
static const char *const status_meaning[] = {
    "指标值达到标杆（平均水平、标准或目标值）",
    "指标值未达到标杆，列为问题",
    "计算所需的数据未报送",
    "分母为零，或标杆无法计算",
    "参考性指标，或本期没有标杆",
};
#define N_STATUS (sizeof status_meaning / sizeof *status_meaning)

/* Opens a workbook for path with fixed properties: the report's title and
 * its period's last day (xlsx_util.h). */
static cm_error open_book(const cm_report *r, const char *path,
                          lxw_workbook **wb, cm_diag *d)
{
    time_t created;
    *wb = NULL;
    if (!r || !path || !*path)
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, NULL,
                           "no report or no output path");
    if (!cm_xbook_period_end(r->period, strlen(r->period), &created))
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, "period",
                           "report period '%s' is not YYYY, YYYY-MM or "
                           "YYYY-Qn", r->period);
    if (!cm_utf8_valid(r->title, strlen(r->title), NULL))
        return cm_diag_set(d, CM_ERR_ENCODING, path, 0, "title",
                           "report title is not valid UTF-8");
    cm_error ce = cm_xbook_check_dir(path, 1, d);
    if (ce != CM_OK)
        return ce;
    return cm_xbook_open(path, r->title, created, wb, d);
}

/* Text of column c of a rectification row; buf holds the 序号. */
static const char *rect_cell(const cm_rect_row *row, size_t c, char *buf,
                             size_t n)
{
    switch (c) {
    case 0:
        snprintf(buf, n, "%d", row->number);
        return buf;
    case 1: return row->problem;
    case 2: return row->description;
    case 3: return row->lead;
    case 4: return row->partners;
    case 5: return row->deadline;
    default: return row->note;
    }
}

/* Sizes columns from the widest line of their text, within the spec's
 * bounds. */
static void size_columns(const col_spec *cols, size_t ncols, double *w)
{
    for (size_t c = 0; c < ncols; c++)
        w[c] = cm_xbook_fit_width(cols[c].head, cols[c].min, cols[c].max);
}

static void widen(double *w, const col_spec *col, const char *text)
{
    double want = cm_xbook_fit_width(text, col->min, col->max);
    if (want > *w)
        *w = want;
}

cm_error cm_xlsx_write_rectification(const cm_report *r, const char *path,
                                     cm_diag *d)
{
    lxw_workbook *wb;
    cm_error e = open_book(r, path, &wb, d);
    if (e != CM_OK)
        return e;
    lxw_error le = LXW_NO_ERROR;
    char num[32];
    double w[RECT_NCOLS];

    /* Refuse bad text before it reaches the XML, naming the cell. */
    for (size_t i = 0; i < r->n_rows; i++)
        for (size_t c = 1; c < RECT_NCOLS; c++) {
            const char *t = rect_cell(&r->rows[i], c, num, sizeof num);
            if (!cm_utf8_valid(t, strlen(t), NULL)) {
                lxw_workbook_free(wb);
                return cm_diag_set(d, CM_ERR_ENCODING, path,
                                   (long)i + 3, rect_cols[c].head,
                                   "row %d: text is not valid UTF-8",
                                   r->rows[i].number);
            }
        }

    lxw_worksheet *ws = workbook_add_worksheet(wb, RECT_SHEET);
    lxw_format *title = cm_xbook_title_format(wb, TITLE_PT);
    lxw_format *head = cm_xbook_body_format(wb, 1, 1);
    lxw_format *left = cm_xbook_body_format(wb, 0, 0);
    lxw_format *center = cm_xbook_body_format(wb, 1, 0);
    if (!ws || !title || !head || !left || !center)
        return cm_xbook_abandon(wb, path, le, CM_ERR_NOMEM, d);

    size_columns(rect_cols, RECT_NCOLS, w);
    for (size_t i = 0; i < r->n_rows; i++)
        for (size_t c = 0; c < RECT_NCOLS; c++)
            widen(&w[c], &rect_cols[c],
                  rect_cell(&r->rows[i], c, num, sizeof num));
    double total = 0;
    for (size_t c = 0; c < RECT_NCOLS; c++) {
        cm_xbook_keep(&le, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
                                                w[c], NULL));
        total += w[c];
    }

    size_t lines;
    e = cm_xbook_count_lines(r->title, total, TITLE_PT, &lines);
    if (e != CM_OK)
        return cm_xbook_abandon(wb, path, le, e, d);
    cm_xbook_keep(&le, worksheet_set_row(
                           ws, 0, (double)lines * TITLE_LINE_PT + 12.0, NULL));
    cm_xbook_keep(&le, worksheet_merge_range(ws, 0, 0, 0, RECT_NCOLS - 1,
                                             r->title, title));

    size_t hl = 1;
    for (size_t c = 0; c < RECT_NCOLS; c++) {
        size_t l;
        if ((e = cm_xbook_count_lines(rect_cols[c].head, w[c],
                                      CM_XBOOK_BODY_PT, &l)) != CM_OK)
            return cm_xbook_abandon(wb, path, le, e, d);
        if (l > hl)
            hl = l;
        cm_xbook_keep(&le, worksheet_write_string(ws, 1, (lxw_col_t)c,
                                                  rect_cols[c].head, head));
    }
    cm_xbook_keep(&le,
                  worksheet_set_row(ws, 1, cm_xbook_row_height(hl), NULL));

    for (size_t i = 0; i < r->n_rows; i++) {
        const cm_rect_row *row = &r->rows[i];
        lxw_row_t rr = (lxw_row_t)(i + 2);
        size_t rl = 1;
        for (size_t c = 0; c < RECT_NCOLS; c++) {
            const char *t = rect_cell(row, c, num, sizeof num);
            size_t l;
            if ((e = cm_xbook_count_lines(t, w[c], CM_XBOOK_BODY_PT, &l)) !=
                CM_OK)
                return cm_xbook_abandon(wb, path, le, e, d);
            if (l > rl)
                rl = l;
            lxw_format *f = rect_cols[c].center ? center : left;
            if (c == 0)
                cm_xbook_keep(
                    &le, worksheet_write_number(ws, rr, 0, row->number, f));
            else
                cm_xbook_keep(
                    &le, worksheet_write_string(ws, rr, (lxw_col_t)c, t, f));
        }
        cm_xbook_keep(
            &le, worksheet_set_row(ws, rr, cm_xbook_row_height(rl), NULL));
    }

    cm_xbook_print_setup(ws, &le);
    if (le != LXW_NO_ERROR)
        return cm_xbook_abandon(wb, path, le, CM_OK, d);
    return cm_xbook_close(wb, path, d);
}

/* Decimals shown in a formatted number ("1.80" -> 2), capped at 10. */
static int decimals_of(const char *s)
{
    const char *dot = strchr(s, '.');
    int n = 0;
    if (!dot)
        return 0;
    while (n < 10 && dot[1 + n] >= '0' && dot[1 + n] <= '9')
        n++;
    return n;
}

enum { HL_NONE, HL_FAIL, HL_MISSING, HL__COUNT };
enum { NF_PLAIN, NF_SIGNED, NF__COUNT };
#define MAX_DEC 10

/* Formats of the indicator sheet, made on first use and owned by the
 * workbook. */
typedef struct ind_formats {
    lxw_workbook *wb;
    lxw_format *text[HL__COUNT][2];
    lxw_format *num[HL__COUNT][NF__COUNT][MAX_DEC + 1];
} ind_formats;

static void highlight(lxw_format *f, int hl)
{
    /* Excel's own "light red fill with dark red text" and its yellow. */
    if (hl == HL_FAIL) {
        format_set_bg_color(f, 0xFFC7CE);
        format_set_font_color(f, 0x9C0006);
    } else if (hl == HL_MISSING) {
        format_set_bg_color(f, 0xFFEB9C);
        format_set_font_color(f, 0x9C5700);
    }
}

static lxw_format *text_format(ind_formats *fm, int hl, int center)
{
    lxw_format **slot = &fm->text[hl][center];
    if (!*slot && (*slot = cm_xbook_body_format(fm->wb, center, 0)))
        highlight(*slot, hl);
    return *slot;
}

static lxw_format *num_format(ind_formats *fm, int hl, int kind, int dec)
{
    lxw_format **slot = &fm->num[hl][kind][dec];
    if (*slot)
        return *slot;
    if (!(*slot = cm_xbook_body_format(fm->wb, 0, 0)))
        return NULL;
    format_set_align(*slot, LXW_ALIGN_RIGHT);
    highlight(*slot, hl);
    char pat[16] = "0";
    if (dec > 0) {
        pat[1] = '.';
        memset(pat + 2, '0', (size_t)dec);
        pat[2 + dec] = '\0';
    }
    if (kind == NF_SIGNED) {
        char sig[64];
        snprintf(sig, sizeof sig, "+%s;-%s;%s", pat, pat, pat);
        format_set_num_format(*slot, sig);
    } else {
        format_set_num_format(*slot, pat);
    }
    return *slot;
}

static int result_highlight(const cm_result *x)
{
    if (x->status == CM_ST_FAIL)
        return HL_FAIL;
    if (x->status == CM_ST_MISSING)
        return HL_MISSING;
    return HL_NONE;
}

/* Text of column c of a result row, or NULL for a number cell (then *num
 * and *dec are set; *has is 0 for an empty cell). buf holds composed text.
 * ORDER IND_COLS. */
static const char *ind_cell(const cm_result *x, size_t c, char *buf,
                            size_t n, double *num, int *dec, int *has)
{
    *has = 0;
    switch (c) {
    case 0: return x->region_name;
    case 1: return x->region_code;
    case 2: return x->indicator_name;
    case 3: return x->category;
    case 4: return x->unit;
    case 5:
        if (x->value.kind == CM_V_MISSING)
            return cm_status_text(CM_ST_MISSING);
        if (x->value.kind == CM_V_NODATA)
            return cm_status_text(CM_ST_NODATA);
        if (x->value.kind != CM_V_NUM)
            return cm_status_text(CM_ST_NA);
        *has = 1;
        *num = x->value.num;
        *dec = decimals_of(x->value_text);
        return NULL;
    case 6:
        snprintf(buf, n, "%s%s", x->benchmark_label,
                 x->benchmark_computed ? "(计算)" : "");
        return buf;
    case 7:
        *has = x->has_benchmark;
        *num = x->benchmark;
        *dec = decimals_of(x->benchmark_text);
        return NULL;
    case 8:
        *has = x->has_gap;
        *num = x->gap;
        *dec = decimals_of(x->gap_text);
        return NULL;
    case 9: return cm_status_text(x->status);
    default: return x->description;
    }
}

/* A number as its cell shows it, for sizing the column; always signed,
 * as the 差距 column is, so one cell of slack for the others. */
static const char *num_text(char *buf, size_t n, double v, int dec)
{
    snprintf(buf, n, "%+.*f", dec, v);
    return buf;
}

static cm_error write_notes(lxw_workbook *wb, const cm_report *r,
                            lxw_format *head, lxw_format *body,
                            lxw_error *le)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "说明");
    if (!ws)
        return CM_ERR_NOMEM;
    char region[512];
    snprintf(region, sizeof region, "%s(%s)", r->region_name,
             r->region_code);
    const char *rows[][2] = {
        {"地区", region},
        {"期间", r->period},
        {"标题", r->title},
        {"状态", "含义"},
    };
    size_t n = sizeof rows / sizeof *rows, row = 0;
    cm_xbook_keep(le, worksheet_set_column(ws, 0, 0, 12, NULL));
    cm_xbook_keep(le, worksheet_set_column(ws, 1, 1, 56, NULL));
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    for (size_t i = 0; i < n; i++, row++) {
        lxw_format *f = i == n - 1 ? head : body;
        cm_xbook_keep(le, worksheet_write_string(ws, (lxw_row_t)row, 0,
                                                 rows[i][0], head));
        cm_xbook_keep(
            le, worksheet_write_string(ws, (lxw_row_t)row, 1, rows[i][1], f));
    }
    for (size_t s = 0; s < N_STATUS; s++, row++) {
        cm_xbook_keep(le, worksheet_write_string(ws, (lxw_row_t)row, 0,
                                                 cm_status_text((cm_status)s),
                                                 body));
        cm_xbook_keep(le, worksheet_write_string(ws, (lxw_row_t)row, 1,
                                                 status_meaning[s], body));
    }
    cm_xbook_keep(
        le, worksheet_write_string(ws, (lxw_row_t)row, 0, "(计算)", body));
    cm_xbook_keep(
        le, worksheet_write_string(ws, (lxw_row_t)row++, 1,
                                   "标杆值由 credmon 按同级地区数据计算，"
                                   "不是公开发布的平均水平",
                                   body));
    cm_xbook_keep(le,
                  worksheet_write_string(ws, (lxw_row_t)row, 0, "差距", body));
    cm_xbook_keep(le,
                  worksheet_write_string(ws, (lxw_row_t)row, 1,
                                         "数值减标杆值，单位同指标", body));
    return CM_OK;
}

/* ---- The rank sheet (排名) and the problem-tracking sheet (问题跟踪),
 * issue 4. ---- */

#define RANK_SHEET "排名"
#define LC_SHEET "问题跟踪"

/* Excel's own "Good" (green) and "Bad" (red) cell styles, for the
 * conditional formats on changes of place and of score. */
#define GOOD_FILL 0xC6EFCE
#define GOOD_FONT 0x006100
#define BAD_FILL 0xFFC7CE
#define BAD_FONT 0x9C0006

/* Where the charts sit: from column G, beside the trend table (A:E) with
 * one column clear; each 1.3 times libxlsxwriter's 480 x 288 px (the 24
 * month labels stand at 45 degrees and take a third of the height), the
 * second 20 default rows (20 px) below the first. */
#define CHART_COL 6
#define CHART_SCALE 1.3
#define CHART_ROWS 20

/* ORDER RANK_COLS: keep in step with write_rank_sheet(). Column A also
 * holds the labels of the facts and the first-level indicator names. */
static const col_spec rank_cols[] = {
    {"月份", 10, 30, 1},
    {"全国排名", 10, 12, 1},
    {"综合得分", 10, 12, 1},
    {"全省中位排名", 13, 14, 1},
    {"较上月(位)", 12, 14, 1},
};
#define RANK_NCOLS (sizeof rank_cols / sizeof *rank_cols)

/* ORDER LC_COLS: keep in step with lc_cell(). */
static const col_spec lc_cols[] = {
    {"序号", 6, 6, 1},
    {"主要问题", 14, 30, 0},
    {"状态", 10, 14, 1},
    {"首次出现", 10, 10, 1},
    {"整改牵头单位", 14, 20, 1},
    {"整改时限", 11, 14, 1},
    {"逾期", 6, 6, 1},
    {"备注", 10, 26, 0},
};
#define LC_NCOLS (sizeof lc_cols / sizeof *lc_cols)

/* The published list a rank.h group names. */
static const char *group_noun(const char *group)
{
    if (strcmp(group, "prefecture") == 0)
        return "地级市";
    if (strcmp(group, "capital") == 0)
        return "省会及副省级城市";
    if (strcmp(group, "county") == 0)
        return "县级市";
    return "城市";
}

/* "上升5位", "下降3位", "持平", or `none` without a comparison. */
static const char *change_text(char *buf, size_t n, int has, int d,
                               const char *none)
{
    if (!has)
        return none;
    if (d > 0)
        snprintf(buf, n, "上升%d位", d);
    else if (d < 0)
        snprintf(buf, n, "下降%d位", -d);
    else
        snprintf(buf, n, "持平");
    return buf;
}

/* Rounds [lo, hi] out to a step of 1, 2 or 5 times a power of ten (at
 * least `least`) giving at most 8 intervals. LibreOffice starts a line
 * chart's value axis at 0, which would flatten scores between 70 and 80
 * into a line along the top; fixed bounds show the same in every reader. */
static void nice_axis(double lo, double hi, double least, double *min,
                      double *max, double *unit)
{
    static const double steps[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100,
                                   200, 500, 1000, 2000, 5000};
    double u = steps[sizeof steps / sizeof *steps - 1];
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (steps[i] >= least && (hi - lo) / steps[i] <= 8) {
            u = steps[i];
            break;
        }
    *unit = u;
    *min = floor(lo / u) * u;
    *max = ceil(hi / u) * u;
    if (*max <= *min)
        *max = *min + u;
}

/* A format for conditional formats (a dxf): font colour and fill only. */
static lxw_format *cf_format(lxw_workbook *wb, lxw_color_t font,
                             lxw_color_t fill)
{
    lxw_format *f = workbook_add_format(wb);
    if (f) {
        format_set_font_color(f, font);
        format_set_bg_color(f, fill);
    }
    return f;
}

/* Green above 0, red below, on the cells first..last of column col. */
static void rise_and_drop(lxw_worksheet *ws, lxw_row_t first, lxw_row_t last,
                          lxw_col_t col, lxw_format *good, lxw_format *bad,
                          lxw_error *le)
{
    lxw_conditional_format cf;
    memset(&cf, 0, sizeof cf);
    cf.type = LXW_CONDITIONAL_TYPE_CELL;
    cf.criteria = LXW_CONDITIONAL_CRITERIA_GREATER_THAN;
    cf.value = 0;
    cf.format = good;
    cm_xbook_keep(le, worksheet_conditional_format_range(ws, first, col, last,
                                                         col, &cf));
    cf.criteria = LXW_CONDITIONAL_CRITERIA_LESS_THAN;
    cf.format = bad;
    cm_xbook_keep(le, worksheet_conditional_format_range(ws, first, col, last,
                                                         col, &cf));
}

/* Thin borders on the blank cells of B..D of rows first..last, whose
 * cells are left unwritten (see write_rank_sheet). One rule per column:
 * over several columns libxlsxwriter 1.1.4 writes the rule's formula
 * LEN(TRIM(..)) against the last column instead of the first. */
static void frame_blanks(lxw_worksheet *ws, lxw_row_t first, lxw_row_t last,
                         lxw_format *frame, lxw_error *le)
{
    lxw_conditional_format cf;
    memset(&cf, 0, sizeof cf);
    cf.type = LXW_CONDITIONAL_TYPE_BLANKS;
    cf.format = frame;
    for (lxw_col_t c = 1; c <= 3; c++)
        cm_xbook_keep(le, worksheet_conditional_format_range(ws, first, c,
                                                             last, c, &cf));
}

/* The chart fonts: named like the cells' (the reader maps 宋体 to what it
 * has), sizes in points. libxlsxwriter copies the name. */
static void chart_fonts(lxw_chart *ch, int legend)
{
    char song[] = CM_XBOOK_TITLE_FONT;
    lxw_chart_font title = {.name = song, .size = 12, .bold = 1};
    lxw_chart_font axis = {.name = song, .size = 10};
    lxw_chart_font nums = {.name = song, .size = 9};
    chart_title_set_name_font(ch, &title);
    chart_axis_set_name_font(ch->x_axis, &axis);
    chart_axis_set_name_font(ch->y_axis, &axis);
    chart_axis_set_num_font(ch->x_axis, &nums);
    chart_axis_set_num_font(ch->y_axis, &nums);
    if (legend) {
        chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
        chart_legend_set_font(ch, &axis);
    } else {
        chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    }
    /* A month not in the list is a gap in the line, not a drop to 0. */
    chart_show_blanks_as(ch, LXW_CHART_BLANKS_AS_GAP);
}

/* One line: values from column col of rows first..last, months from
 * column A; a solid line with small round markers, or dashed. */
static cm_error add_line(lxw_chart *ch, const char *name, lxw_row_t first,
                         lxw_row_t last, lxw_col_t col, lxw_color_t color,
                         int dashed)
{
    lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
    if (!s)
        return CM_ERR_NOMEM;
    chart_series_set_categories(s, RANK_SHEET, first, 0, last, 0);
    chart_series_set_values(s, RANK_SHEET, first, col, last, col);
    chart_series_set_name(s, name);
    lxw_chart_line line = {.color = color, .width = 2.0,
                           .dash_type = dashed ? LXW_CHART_LINE_DASH_DASH
                                               : LXW_CHART_LINE_DASH_SOLID};
    chart_series_set_line(s, &line);
    if (dashed) {
        chart_series_set_marker_type(s, LXW_CHART_MARKER_NONE);
    } else {
        lxw_chart_fill fill = {.color = color};
        lxw_chart_line edge = {.color = color};
        chart_series_set_marker_type(s, LXW_CHART_MARKER_CIRCLE);
        chart_series_set_marker_size(s, 4);
        chart_series_set_marker_fill(s, &fill);
        chart_series_set_marker_line(s, &edge);
    }
    return CM_OK;
}

/* The two trend charts over rows first..last of the table: rank (city
 * against the province median, axis reversed so that up is better) and
 * composite score. */
static cm_error rank_charts(lxw_workbook *wb, lxw_worksheet *ws,
                            const cm_report *r, lxw_row_t first,
                            lxw_row_t last, lxw_error *le)
{
    const cm_rank_analysis *a = r->rank;
    double rlo = 0, rhi = 0, slo = 0, shi = 0;
    int any_rank = 0, any_score = 0;
    for (size_t i = 0; i < a->n_trend && i < CM_RANK_TREND; i++) {
        const cm_rank_point *p = &a->trend[i];
        double v[2] = {p->rank, p->province_median};
        for (int k = 0; k < 2; k++)
            if (v[k] > 0) {
                if (!any_rank || v[k] < rlo)
                    rlo = v[k];
                if (!any_rank || v[k] > rhi)
                    rhi = v[k];
                any_rank = 1;
            }
        if (p->rank > 0) {
            if (!any_score || p->score < slo)
                slo = p->score;
            if (!any_score || p->score > shi)
                shi = p->score;
            any_score = 1;
        }
    }

    char name[512], title[512];
    double min, max, unit;
    lxw_chart_options opt = {.x_scale = CHART_SCALE, .y_scale = CHART_SCALE};
    lxw_chart *ch = workbook_add_chart(wb, LXW_CHART_LINE);
    if (!ch)
        return CM_ERR_NOMEM;
    snprintf(title, sizeof title, "%s全国排名走势(%s)", r->region_name,
             group_noun(a->group));
    chart_title_set_name(ch, title);
    snprintf(name, sizeof name, "%s全国排名", r->region_name);
    cm_error e = add_line(ch, name, first, last, 1, 0x2F5597, 0);
    if (e == CM_OK)
        e = add_line(ch, "全省中位排名", first, last, 3, 0xA5A5A5, 1);
    if (e != CM_OK)
        return e;
    chart_axis_set_name(ch->x_axis, "月份");
    chart_axis_set_name(ch->y_axis, "排名(位)");
    /* Rank 1 is best: reverse the value axis so that up is better, and
     * have the month axis cross it at its maximum, now the bottom. */
    chart_axis_set_reverse(ch->y_axis);
    chart_axis_set_crossing_max(ch->y_axis);
    if (any_rank) {
        nice_axis(rlo, rhi, 1, &min, &max, &unit);
        chart_axis_set_min(ch->y_axis, min);
        chart_axis_set_max(ch->y_axis, max);
        chart_axis_set_major_unit(ch->y_axis, unit);
    }
    chart_fonts(ch, 1);
    cm_xbook_keep(
        le, worksheet_insert_chart_opt(ws, first - 1, CHART_COL, ch, &opt));

    if (!(ch = workbook_add_chart(wb, LXW_CHART_LINE)))
        return CM_ERR_NOMEM;
    snprintf(title, sizeof title, "%s综合得分走势", r->region_name);
    chart_title_set_name(ch, title);
    if ((e = add_line(ch, "综合得分", first, last, 2, 0xC55A11, 0)) != CM_OK)
        return e;
    chart_axis_set_name(ch->x_axis, "月份");
    chart_axis_set_name(ch->y_axis, "得分");
    if (any_score) {
        nice_axis(slo, shi, 0.1, &min, &max, &unit);
        chart_axis_set_min(ch->y_axis, min);
        chart_axis_set_max(ch->y_axis, max);
        chart_axis_set_major_unit(ch->y_axis, unit);
    }
    chart_fonts(ch, 0);
    cm_xbook_keep(le, worksheet_insert_chart_opt(ws, first - 1 + CHART_ROWS,
                                                 CHART_COL, ch, &opt));
    return CM_OK;
}

/* One line of the facts block: a label and a sentence. */
typedef struct rank_fact {
    const char *label;
    char text[256];
} rank_fact;
#define MAX_FACTS 6

static size_t rank_facts(const cm_rank_analysis *a, rank_fact *f)
{
    char b[128];
    size_t n = 0;
    f[n].label = "本月排名";
    snprintf(f[n++].text, sizeof f->text, "第%d位/共%d个%s,综合得分%.2f",
             a->rank, a->n, group_noun(a->group), a->score);
    f[n].label = "较上月";
    snprintf(f[n++].text, sizeof f->text, "%s",
             change_text(b, sizeof b, a->has_month, a->d_month,
                         "上月未列入排名"));
    f[n].label = "较上年同期";
    snprintf(f[n++].text, sizeof f->text, "%s",
             change_text(b, sizeof b, a->has_year, a->d_year,
                         "上年同期未列入排名"));
    f[n].label = "较上年12月";
    snprintf(f[n++].text, sizeof f->text, "%s",
             change_text(b, sizeof b, a->has_dec, a->d_dec,
                         "上年12月未列入排名"));
    f[n].label = "全省排位";
    if (a->prov_n > 0)
        snprintf(f[n++].text, sizeof f->text, "全省第%d位/共%d个,%s",
                 a->prov_place, a->prov_n,
                 a->prov_upper ? "处于中上水平" : "未达到中上水平");
    else
        snprintf(f[n++].text, sizeof f->text, "全省无排名数据");
    if (a->target_up > 0) {
        f[n].label = "目标";
        if (a->target_rank <= 0)
            snprintf(f[n++].text, sizeof f->text,
                     "较上年提升%d位:上年12月排名不详,无法计算目标排名",
                     a->target_up);
        else if (a->to_gain > 0)
            snprintf(f[n++].text, sizeof f->text,
                     "较上年提升%d位:目标排名第%d位,尚需提升%d位",
                     a->target_up, a->target_rank, a->to_gain);
        else
            snprintf(f[n++].text, sizeof f->text,
                     "较上年提升%d位:目标排名第%d位,已达到目标",
                     a->target_up, a->target_rank);
    }
    return n;
}

/* Formats of the rank sheet, owned by the workbook. */
typedef struct rank_formats {
    lxw_format *head, *title, *text, *left, *label, *note, *plain;
    lxw_format *rank, *score, *change, *dscore, *good, *bad, *frame;
} rank_formats;

static cm_error make_rank_formats(lxw_workbook *wb, ind_formats *fm,
                                  lxw_format *head, rank_formats *rf)
{
    rf->head = head;
    rf->text = text_format(fm, HL_NONE, 1);
    rf->left = text_format(fm, HL_NONE, 0);
    rf->label = cm_xbook_body_format(wb, 0, 1);
    rf->note = workbook_add_format(wb);
    rf->title = workbook_add_format(wb);
    rf->plain = cm_xbook_body_format(wb, 1, 0);
    rf->rank = num_format(fm, HL_NONE, NF_PLAIN, 0);
    rf->score = num_format(fm, HL_NONE, NF_PLAIN, 2);
    rf->change = num_format(fm, HL_NONE, NF_SIGNED, 0);
    rf->dscore = num_format(fm, HL_NONE, NF_SIGNED, 2);
    rf->good = cf_format(wb, GOOD_FONT, GOOD_FILL);
    rf->bad = cf_format(wb, BAD_FONT, BAD_FILL);
    rf->frame = workbook_add_format(wb);
    if (!rf->frame)
        return CM_ERR_NOMEM;
    format_set_border(rf->frame, LXW_BORDER_THIN);
    if (!rf->text || !rf->left || !rf->label || !rf->note || !rf->title || !rf->plain ||
        !rf->rank || !rf->score || !rf->change || !rf->dscore || !rf->good ||
        !rf->bad)
        return CM_ERR_NOMEM;
    format_set_font_name(rf->note, CM_XBOOK_BODY_FONT);
    format_set_font_size(rf->note, 9);
    format_set_font_name(rf->title, CM_XBOOK_TITLE_FONT);
    format_set_font_size(rf->title, 14);
    format_set_bold(rf->title);
    format_set_align(rf->title, LXW_ALIGN_CENTER);
    format_set_align(rf->title, LXW_ALIGN_VERTICAL_CENTER);
    /* The province median is a median of ranks: 12 or 12.5. */
    format_set_align(rf->plain, LXW_ALIGN_RIGHT);
    return CM_OK;
}

/* The sheet 排名: trend table with its charts beside it, then the facts
 * and the first-level scores. */
static cm_error write_rank_sheet(lxw_workbook *wb, const cm_report *r,
                                 ind_formats *fm, lxw_format *head,
                                 lxw_error *le)
{
    const cm_rank_analysis *a = r->rank;
    lxw_worksheet *ws = workbook_add_worksheet(wb, RANK_SHEET);
    rank_formats rf;
    if (!ws || make_rank_formats(wb, fm, head, &rf) != CM_OK)
        return CM_ERR_NOMEM;
    size_t nt = a->n_trend < CM_RANK_TREND ? a->n_trend : CM_RANK_TREND;
    rank_fact facts[MAX_FACTS];
    size_t nf = rank_facts(a, facts);
    size_t nl = a->n_level1 < CM_RANK_MAX_LEVEL1 ? a->n_level1
                                                 : CM_RANK_MAX_LEVEL1;

    double w[RANK_NCOLS];
    char buf[512];
    size_columns(rank_cols, RANK_NCOLS, w);
    for (size_t i = 0; i < nf; i++)
        widen(&w[0], &rank_cols[0], facts[i].label);
    for (size_t i = 0; i < nl; i++)
        widen(&w[0], &rank_cols[0], a->level1[i].name);
    double text_w = 0;
    for (size_t c = 0; c < RANK_NCOLS; c++) {
        cm_xbook_keep(le, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
                                               w[c], NULL));
        if (c > 0)
            text_w += w[c];
    }

    snprintf(buf, sizeof buf, "%s城市信用状况监测全国排名(%s,%s)",
             r->region_name, group_noun(a->group), a->period);
    cm_xbook_keep(le, worksheet_set_row(ws, 0, 24, NULL));
    cm_xbook_keep(
        le, worksheet_merge_range(ws, 0, 0, 0, RANK_NCOLS - 1, buf, rf.title));

    /* The trend, oldest first; a month not in the list is left blank. */
    lxw_row_t row = 1, first = 2, last = (lxw_row_t)(1 + nt);
    for (size_t c = 0; c < RANK_NCOLS; c++)
        cm_xbook_keep(le, worksheet_write_string(ws, row, (lxw_col_t)c,
                                                 rank_cols[c].head, head));
    for (size_t i = 0; i < nt; i++) {
        const cm_rank_point *p = &a->trend[i], *q = i ? p - 1 : NULL;
        row = (lxw_row_t)(first + i);
        cm_xbook_keep(le,
                      worksheet_write_string(ws, row, 0, p->period, rf.text));
        /* Charted cells of a missing month are not written at all: the
         * chart cache of libxlsxwriter 1.1.4 records a styled blank cell
         * as 0 (rank 0 would plot at the top of the reversed axis), an
         * absent one as no point. The grid is drawn over them by
         * frame_blanks(). */
        if (p->rank > 0) {
            cm_xbook_keep(
                le, worksheet_write_number(ws, row, 1, p->rank, rf.rank));
            cm_xbook_keep(
                le, worksheet_write_number(ws, row, 2, p->score, rf.score));
        }
        if (p->province_median > 0)
            cm_xbook_keep(le, worksheet_write_number(
                                  ws, row, 3, p->province_median, rf.plain));
        if (q && q->rank > 0 && p->rank > 0)
            cm_xbook_keep(le, worksheet_write_number(
                                  ws, row, 4, q->rank - p->rank, rf.change));
        else
            cm_xbook_keep(le, worksheet_write_blank(ws, row, 4, rf.change));
    }
    row = (lxw_row_t)(first + nt);
    if (nt > 0) {
        rise_and_drop(ws, first, last, 4, rf.good, rf.bad, le);
        frame_blanks(ws, first, last, rf.frame, le);
        cm_error e = rank_charts(wb, ws, r, first, last, le);
        if (e != CM_OK)
            return e;
    }
    cm_xbook_keep(
        le, worksheet_merge_range(ws, row, 0, row, RANK_NCOLS - 1,
                                  "较上月(位):正数为上升(绿),负数为下降(红);"
                                  "空白为当月未列入排名",
                                  rf.note));

    /* The facts: a label, and a sentence across B:E. */
    row += 2;
    cm_xbook_keep(le, worksheet_merge_range(ws, row, 0, row, RANK_NCOLS - 1,
                                            "排名情况", head));
    for (size_t i = 0; i < nf; i++) {
        size_t lines;
        cm_error e = cm_xbook_count_lines(facts[i].text, text_w,
                                          CM_XBOOK_BODY_PT, &lines);
        if (e != CM_OK)
            return e;
        row++;
        cm_xbook_keep(
            le, worksheet_set_row(ws, row, cm_xbook_row_height(lines), NULL));
        cm_xbook_keep(
            le, worksheet_write_string(ws, row, 0, facts[i].label, rf.label));
        cm_xbook_keep(le,
                      worksheet_merge_range(ws, row, 1, row, RANK_NCOLS - 1,
                                            facts[i].text, rf.left));
    }

    /* First-level indicator scores, as rank.c sorted them (lost most
     * first). */
    if (nl > 0) {
        static const char *const heads[] = {"一级指标", "本月", "上月",
                                            "变化"};
        row += 2;
        for (size_t c = 0; c < 4; c++)
            cm_xbook_keep(le, worksheet_write_string(ws, row, (lxw_col_t)c,
                                                     heads[c], head));
        lxw_row_t l1 = row + 1;
        for (size_t i = 0; i < nl; i++) {
            const cm_rank_level1 *x = &a->level1[i];
            row++;
            cm_xbook_keep(
                le, worksheet_write_string(ws, row, 0, x->name, rf.left));
            cm_xbook_keep(
                le, worksheet_write_number(ws, row, 1, x->score, rf.score));
            cm_xbook_keep(
                le, worksheet_write_number(ws, row, 2, x->prev, rf.score));
            cm_xbook_keep(
                le, worksheet_write_number(ws, row, 3, x->delta, rf.dscore));
        }
        rise_and_drop(ws, l1, row, 3, rf.good, rf.bad, le);
    }

    worksheet_freeze_panes(ws, 2, 0);
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    cm_xbook_keep(le, worksheet_set_footer(ws, "&C第 &P 页，共 &N 页"));
    return CM_OK;
}

/* Text of column c of a lifecycle item; buf holds composed text.
 * ORDER LC_COLS. */
static const char *lc_cell(const cm_lc_item *x, size_t i, size_t c,
                           char *buf, size_t n)
{
    switch (c) {
    case 0:
        snprintf(buf, n, "%zu", i + 1);
        return buf;
    case 1: return x->problem;
    case 2:
        if (x->state == CM_LC_PERSISTING) {
            snprintf(buf, n, "%s%d个月", cm_lc_state_text(x->state),
                     x->months_open);
            return buf;
        }
        return cm_lc_state_text(x->state);
    case 3: return x->first_period;
    case 4: return x->lead;
    case 5: return x->deadline;
    case 6: return x->overdue ? "是" : "";
    default: return x->note;
    }
}

/* The sheet 问题跟踪: this month's problems against last month's, one row
 * each, overdue rows in red. */
static cm_error write_lifecycle_sheet(lxw_workbook *wb, const cm_report *r,
                                      ind_formats *fm, lxw_format *head,
                                      lxw_error *le)
{
    const cm_lifecycle *lc = r->lifecycle;
    lxw_worksheet *ws = workbook_add_worksheet(wb, LC_SHEET);
    lxw_format *title = workbook_add_format(wb);
    if (!ws || !title)
        return CM_ERR_NOMEM;
    format_set_font_name(title, CM_XBOOK_TITLE_FONT);
    format_set_font_size(title, 14);
    format_set_bold(title);
    format_set_align(title, LXW_ALIGN_CENTER);
    format_set_align(title, LXW_ALIGN_VERTICAL_CENTER);

    char buf[64];
    double w[LC_NCOLS];
    size_columns(lc_cols, LC_NCOLS, w);
    for (size_t i = 0; i < lc->n; i++)
        for (size_t c = 0; c < LC_NCOLS; c++)
            widen(&w[c], &lc_cols[c],
                  lc_cell(&lc->items[i], i, c, buf, sizeof buf));
    for (size_t c = 0; c < LC_NCOLS; c++)
        cm_xbook_keep(le, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
                                               w[c], NULL));

    char t[512];
    snprintf(t, sizeof t, "%s信用建设主要问题整改跟踪(%s)", r->region_name,
             *lc->period ? lc->period : r->period);
    cm_xbook_keep(le, worksheet_set_row(ws, 0, 24, NULL));
    cm_xbook_keep(le,
                  worksheet_merge_range(ws, 0, 0, 0, LC_NCOLS - 1, t, title));
    for (size_t c = 0; c < LC_NCOLS; c++)
        cm_xbook_keep(le, worksheet_write_string(ws, 1, (lxw_col_t)c,
                                                 lc_cols[c].head, head));

    for (size_t i = 0; i < lc->n; i++) {
        const cm_lc_item *x = &lc->items[i];
        lxw_row_t row = (lxw_row_t)(i + 2);
        int hl = x->overdue ? HL_FAIL : HL_NONE;
        size_t rl = 1;
        for (size_t c = 0; c < LC_NCOLS; c++) {
            const char *s = lc_cell(x, i, c, buf, sizeof buf);
            size_t l;
            cm_error e = cm_xbook_count_lines(s, w[c], CM_XBOOK_BODY_PT, &l);
            if (e != CM_OK)
                return e;
            if (l > rl)
                rl = l;
            lxw_format *f = text_format(fm, hl, lc_cols[c].center);
            if (!f)
                return CM_ERR_NOMEM;
            if (c == 0)  /* 序号 a number, shown as General */
                cm_xbook_keep(le, worksheet_write_number(ws, row, 0,
                                                         (double)(i + 1), f));
            else
                cm_xbook_keep(
                    le, worksheet_write_string(ws, row, (lxw_col_t)c, s, f));
        }
        cm_xbook_keep(
            le, worksheet_set_row(ws, row, cm_xbook_row_height(rl), NULL));
    }

    worksheet_freeze_panes(ws, 2, 0);
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_center_horizontally(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    cm_xbook_keep(le, worksheet_repeat_rows(ws, 1, 1));
    cm_xbook_keep(le, worksheet_set_footer(ws, "&C第 &P 页，共 &N 页"));
    return CM_OK;
}

/* Refuses text of the rank analysis and lifecycle that is not UTF-8
 * before it reaches the XML, naming the sheet and row. */
static cm_error check_issue4_text(const cm_report *r, const char *path,
                                  cm_diag *d)
{
    const cm_rank_analysis *a = r->rank;
    if (a && a->has) {
        size_t nl = a->n_level1 < CM_RANK_MAX_LEVEL1 ? a->n_level1
                                                     : CM_RANK_MAX_LEVEL1;
        for (size_t i = 0; i < nl; i++) {
            const char *s = a->level1[i].name;
            if (!cm_utf8_valid(s, strnlen(s, sizeof a->level1[i].name),
                               NULL) ||
                !memchr(s, '\0', sizeof a->level1[i].name))
                return cm_diag_set(d, CM_ERR_ENCODING, path, 0, RANK_SHEET,
                                   "first-level indicator %zu: name is not "
                                   "valid UTF-8", i + 1);
        }
    }
    const cm_lifecycle *lc = r->lifecycle;
    for (size_t i = 0; lc && i < lc->n; i++) {
        const cm_lc_item *x = &lc->items[i];
        const char *t[] = {x->problem, x->lead, x->deadline, x->note};
        for (size_t k = 0; k < sizeof t / sizeof *t; k++)
            if (!t[k] || !cm_utf8_valid(t[k], strlen(t[k]), NULL))
                return cm_diag_set(d, CM_ERR_ENCODING, path, (long)i + 3,
                                   LC_SHEET,
                                   "problem %zu: text is missing or not "
                                   "valid UTF-8", i + 1);
    }
    return CM_OK;
}

/* v rounded to dec decimals, as a person reads it */
static double rounded(double v, int dec)
{
    char buf[64];
    cm_text_number(v, dec, 0, buf, sizeof buf);
    return strtod(buf, NULL);
}

/* Issue 4: the city's place among the regions of its level with a value
 * (report.h: has_peers), one row per indicator that has peers. Gaps are
 * value - reference in the indicator's unit. */
static cm_error write_peer_sheet(lxw_workbook *wb, const cm_report *r,
                                 ind_formats *fm, lxw_format *head,
                                 lxw_error *le)
{
    static const char *const heads[] = {
        "指标", "单位", "数值", "同级排名", "同级地区数", "同级平均",
        "差距(平均)", "省内最好", "差距(省内最好)", "前10%水平", "差距(前10%)",
    };
    size_t n = sizeof heads / sizeof *heads;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "同级比较");
    if (!ws)
        return CM_ERR_NOMEM;
    for (size_t c = 0; c < n; c++) {
        cm_xbook_keep(le, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
                                               c == 0 ? 36 : 12, NULL));
        cm_xbook_keep(le, worksheet_write_string(ws, 0, (lxw_col_t)c,
                                                 heads[c], head));
    }
    lxw_row_t row = 1;
    for (size_t i = 0; i < r->n_results; i++) {
        const cm_result *x = &r->results[i];
        if (!x->has_peers || strcmp(x->region_code, r->region_code) != 0)
            continue;
        int dec = decimals_of(x->value_text);
        lxw_format *text = text_format(fm, HL_NONE, 0);
        lxw_format *plain = num_format(fm, HL_NONE, NF_PLAIN, dec);
        lxw_format *sign = num_format(fm, HL_NONE, NF_SIGNED, dec);
        lxw_format *count = num_format(fm, HL_NONE, NF_PLAIN, 0);
        if (!text || !plain || !sign || !count)
            return CM_ERR_NOMEM;
        /* written as shown: 1.8 - 1.48 is 0.32, not 0.31999999999999984 */
        double v = rounded(x->value.num, dec);
        double mean = rounded(x->peer_mean, dec + 2);
        cm_xbook_keep(le, worksheet_write_string(ws, row, 0, x->indicator_name, text));
        cm_xbook_keep(le, worksheet_write_string(ws, row, 1, x->unit, text));
        cm_xbook_keep(le, worksheet_write_number(ws, row, 2, v, plain));
        cm_xbook_keep(le, worksheet_write_number(ws, row, 3, x->peer_rank, count));
        cm_xbook_keep(le, worksheet_write_number(ws, row, 4, x->peer_n, count));
        cm_xbook_keep(le, worksheet_write_number(ws, row, 5, mean, plain));
        cm_xbook_keep(le, worksheet_write_number(ws, row, 6,
                                                 rounded(v - mean, dec + 2), sign));
        cm_xbook_keep(le, worksheet_write_number(ws, row, 7,
                                                 rounded(x->prov_best, dec + 2), plain));
        cm_xbook_keep(le, worksheet_write_number(ws, row, 8,
                                                 rounded(v - x->prov_best, dec + 2), sign));
        cm_xbook_keep(le, worksheet_write_number(ws, row, 9,
                                                 rounded(x->top_tenth, dec + 2), plain));
        cm_xbook_keep(le, worksheet_write_number(ws, row, 10,
                                                 rounded(v - x->top_tenth, dec + 2), sign));
        row++;
    }
    worksheet_freeze_panes(ws, 1, 1);
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    return CM_OK;
}

cm_error cm_xlsx_write_indicators(const cm_report *r, const char *path,
                                  cm_diag *d)
{
    lxw_workbook *wb;
    cm_error e = open_book(r, path, &wb, d);
    if (e != CM_OK)
        return e;
    lxw_error le = LXW_NO_ERROR;
    char buf[1024];
    double w[IND_NCOLS], num;
    int dec, has;

    for (size_t i = 0; i < r->n_results; i++)
        for (size_t c = 0; c < IND_NCOLS; c++) {
            const char *t = ind_cell(&r->results[i], c, buf, sizeof buf,
                                     &num, &dec, &has);
            if (t && !cm_utf8_valid(t, strlen(t), NULL)) {
                lxw_workbook_free(wb);
                return cm_diag_set(d, CM_ERR_ENCODING, path, (long)i + 2,
                                   ind_cols[c].head,
                                   "result %zu (%s): text is not valid "
                                   "UTF-8", i + 1,
                                   r->results[i].indicator_id);
            }
        }

    if ((e = check_issue4_text(r, path, d)) != CM_OK) {
        lxw_workbook_free(wb);
        return e;
    }

    ind_formats fm;
    memset(&fm, 0, sizeof fm);
    fm.wb = wb;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "指标");
    lxw_format *head = cm_xbook_body_format(wb, 1, 1);
    lxw_format *note = cm_xbook_body_format(wb, 0, 0);
    if (!ws || !head || !note)
        return cm_xbook_abandon(wb, path, le, CM_ERR_NOMEM, d);

    size_columns(ind_cols, IND_NCOLS, w);
    for (size_t i = 0; i < r->n_results; i++)
        for (size_t c = 0; c < IND_NCOLS; c++) {
            const char *t = ind_cell(&r->results[i], c, buf, sizeof buf,
                                     &num, &dec, &has);
            if (!t)
                t = has ? num_text(buf, sizeof buf, num, dec) : "";
            widen(&w[c], &ind_cols[c], t);
        }
    for (size_t c = 0; c < IND_NCOLS; c++) {
        cm_xbook_keep(&le, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
                                                w[c], NULL));
        cm_xbook_keep(&le, worksheet_write_string(ws, 0, (lxw_col_t)c,
                                                  ind_cols[c].head, head));
    }

    for (size_t i = 0; i < r->n_results; i++) {
        const cm_result *x = &r->results[i];
        lxw_row_t rr = (lxw_row_t)(i + 1);
        int hl = result_highlight(x);
        size_t rl = 1;
        for (size_t c = 0; c < IND_NCOLS; c++) {
            const char *t = ind_cell(x, c, buf, sizeof buf, &num, &dec, &has);
            lxw_format *f;
            if (t) {
                size_t l;
                if ((e = cm_xbook_count_lines(t, w[c], CM_XBOOK_BODY_PT,
                                              &l)) != CM_OK)
                    return cm_xbook_abandon(wb, path, le, e, d);
                if (l > rl)
                    rl = l;
                if (!(f = text_format(&fm, hl, ind_cols[c].center)))
                    return cm_xbook_abandon(wb, path, le, CM_ERR_NOMEM, d);
                cm_xbook_keep(
                    &le, worksheet_write_string(ws, rr, (lxw_col_t)c, t, f));
            } else {
                int kind = c == 8 ? NF_SIGNED : NF_PLAIN;
                if (!(f = num_format(&fm, hl, kind, dec)))
                    return cm_xbook_abandon(wb, path, le, CM_ERR_NOMEM, d);
                if (has)
                    cm_xbook_keep(&le, worksheet_write_number(
                                           ws, rr, (lxw_col_t)c, num, f));
                else
                    cm_xbook_keep(
                        &le, worksheet_write_blank(ws, rr, (lxw_col_t)c, f));
            }
        }
        cm_xbook_keep(
            &le, worksheet_set_row(ws, rr, cm_xbook_row_height(rl), NULL));
    }
    worksheet_freeze_panes(ws, 1, 0);
    cm_xbook_keep(&le, worksheet_autofilter(ws, 0, 0, (lxw_row_t)r->n_results,
                                            IND_NCOLS - 1));
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    cm_xbook_keep(&le, worksheet_repeat_rows(ws, 0, 0));
    cm_xbook_keep(&le, worksheet_set_footer(ws, "&C第 &P 页，共 &N 页"));

    int any_peers = 0;
    for (size_t i = 0; i < r->n_results && !any_peers; i++)
        any_peers = r->results[i].has_peers;
    if (any_peers && (e = write_peer_sheet(wb, r, &fm, head, &le)) != CM_OK)
        return cm_xbook_abandon(wb, path, le, e, d);
    if (r->rank && r->rank->has &&
        (e = write_rank_sheet(wb, r, &fm, head, &le)) != CM_OK)
        return cm_xbook_abandon(wb, path, le, e, d);
    if (r->lifecycle &&
        (e = write_lifecycle_sheet(wb, r, &fm, head, &le)) != CM_OK)
        return cm_xbook_abandon(wb, path, le, e, d);
    if ((e = write_notes(wb, r, head, note, &le)) != CM_OK ||
        le != LXW_NO_ERROR)
        return cm_xbook_abandon(wb, path, le, e, d);
    return cm_xbook_close(wb, path, d);
}
