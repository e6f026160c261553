/*
 * xlsx_out.c - the Excel outputs: the rectification table (整改责任分工表)
 * as a print-ready sheet, and the indicator analysis workbook.
 *
 * libxlsxwriter has no autofit, and the one other libraries offer assumes
 * Calibri: column widths and row heights are computed here from the
 * East-Asian width of the text (wrap.h), so that printed cells hide nothing.
 */
#include "xlsx_out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "wrap.h"

/* Column widths count the default font's '0': Calibri 11 is 7 px at 96 dpi.
 * A CJK glyph of 仿宋 11 pt is 14.7 px, 7.33 px per half-width cell; 7.4
 * errs towards one line too many rather than a clipped character. PAD_PX
 * is the cell's inner margin on both sides plus the border. */
#define PX_PER_UNIT 7.0
#define PX_PER_CELL 7.4
#define PAD_PX 8.0

/* Row heights in points: one line of 11 pt CJK text (Excel gives 仿宋 11 pt
 * 14.25 pt; LibreOffice's substitutes run a little taller), plus padding. */
#define BODY_PT 11.0
#define LINE_PT 15.0
#define ROW_PAD_PT 6.0
#define TITLE_PT 16.0
#define TITLE_LINE_PT 22.0
/* Excel refuses rows taller than 409 pt. */
#define MAX_ROW_PT 409.0

#define BODY_FONT "仿宋"
#define TITLE_FONT "宋体"
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

/* Keeps the first libxlsxwriter error of a sequence of calls. */
static void keep(lxw_error *acc, lxw_error e)
{
    if (*acc == LXW_NO_ERROR)
        *acc = e;
}

static double width_for_cells(double cells)
{
    return (cells * PX_PER_CELL + PAD_PX) / PX_PER_UNIT;
}

static double cells_for_width(double w)
{
    double c = (w * PX_PER_UNIT - PAD_PX) / PX_PER_CELL;
    return c < 2.0 ? 2.0 : c;
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Widest line of s in half-width cells ("\n" separates lines). */
static size_t widest_line(const char *s)
{
    size_t best = 0;
    for (;;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        size_t w = cm_wrap_text_width(s, n);
        if (w > best)
            best = w;
        if (!nl)
            return best;
        s = nl + 1;
    }
}

/* Lines s takes in a column of width w ('0' units), scaled for a font of
 * pt points; *lines >= 1. */
static cm_error count_lines(const char *s, double w, double pt, size_t *lines)
{
    cm_wrap_line *v = NULL;
    size_t n = 0;
    cm_error e = cm_wrap_lines(s, cells_for_width(w) * BODY_PT / pt,
                               cm_wrap_measure_cells, NULL, &v, &n);
    free(v);
    if (e != CM_OK)
        return e;
    *lines = n ? n : 1;
    return CM_OK;
}

static double row_height(size_t lines)
{
    double h = (double)lines * LINE_PT + ROW_PAD_PT;
    return h > MAX_ROW_PT ? MAX_ROW_PT : h;
}

static int is_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian); timegm is not
 * POSIX, and mktime would bring in the local time zone. */
static long days_from_civil(long y, int m, int d)
{
    static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243,
                                 273, 304, 334};
    long days = 0;
    for (long k = 1970; k < y; k++)
        days += is_leap(k) ? 366 : 365;
    days += before[m - 1] + (m > 2 && is_leap(y)) + d - 1;
    return days;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* The last day of a period "2018", "2018-12" or "2018-Q4" at 00:00 UTC:
 * the fixed creation time that makes a repeated run write the same bytes.
 * Returns 0 if the period is malformed. */
static int period_end(const char *p, time_t *out)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                31};
    size_t n = strlen(p);
    if (n < 4 || !digits(p, 4))
        return 0;
    long y = strtol(p, NULL, 10);
    int m;
    if (y < 1970 || y > 9999)
        return 0;
    if (n == 4)
        m = 12;
    else if (n == 7 && p[4] == '-' && digits(p + 5, 2))
        m = (p[5] - '0') * 10 + (p[6] - '0');
    else if (n == 7 && p[4] == '-' && p[5] == 'Q' && p[6] >= '1' &&
             p[6] <= '4')
        m = (p[6] - '0') * 3;
    else
        return 0;
    if (m < 1 || m > 12)
        return 0;
    int d = mdays[m - 1] + (m == 2 && is_leap(y));
    *out = (time_t)days_from_civil(y, m, d) * 86400;
    return 1;
}

/* Checks that path's directory can take a new file. libxlsxwriter finds
 * out only in workbook_close and then prints to stderr itself; modules
 * never print, so the common failure is caught here, quietly. */
static cm_error check_dir(const char *path, cm_diag *d)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (!slash)
        strcpy(dir, ".");
    else if (n == 0)
        strcpy(dir, "/");
    else if (n < sizeof dir) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    } else
        return cm_diag_set(d, CM_ERR_OUTPUT, path, 0, NULL,
                           "output path is too long");
    if (access(dir, W_OK | X_OK) != 0)
        return cm_diag_set(d, CM_ERR_OUTPUT, path, 0, NULL,
                           "cannot write into directory '%s': %s", dir,
                           strerror(errno));
    return CM_OK;
}

/* Opens a workbook for path with fixed properties. */
static cm_error open_book(const cm_report *r, const char *path,
                          lxw_workbook **wb, cm_diag *d)
{
    time_t created;
    *wb = NULL;
    if (!r || !path || !*path)
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, NULL,
                           "no report or no output path");
    if (!period_end(r->period, &created))
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, "period",
                           "report period '%s' is not YYYY, YYYY-MM or "
                           "YYYY-Qn", r->period);
    if (!cm_utf8_valid(r->title, strlen(r->title), NULL))
        return cm_diag_set(d, CM_ERR_ENCODING, path, 0, "title",
                           "report title is not valid UTF-8");
    cm_error ce = check_dir(path, d);
    if (ce != CM_OK)
        return ce;
    *wb = workbook_new(path);
    if (!*wb)
        return cm_diag_set(d, CM_ERR_OUTPUT, path, 0, NULL,
                           "libxlsxwriter could not start a workbook");
    /* The properties struct takes char *; arrays avoid casting away const
     * from literals. libxlsxwriter copies every field. */
    char author[] = "credmon";
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = r->title;
    props.author = author;
    props.created = created;
    lxw_error e = workbook_set_properties(*wb, &props);
    if (e != LXW_NO_ERROR) {
        lxw_workbook_free(*wb);
        *wb = NULL;
        return cm_diag_set(d, CM_ERR_OUTPUT, path, 0, NULL,
                           "cannot set document properties: %s",
                           lxw_strerror(e));
    }
    return CM_OK;
}

/* Writes the file (workbook_close frees wb in every case). */
static cm_error close_book(lxw_workbook *wb, const char *path, cm_diag *d)
{
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR)
        return cm_diag_set(d, CM_ERR_OUTPUT, path, 0, NULL,
                           "cannot write workbook: %s", lxw_strerror(e));
    return CM_OK;
}

/* Discards wb after a failure: nothing is written to path. */
static cm_error abandon(lxw_workbook *wb, const char *path, lxw_error le,
                        cm_error e, cm_diag *d)
{
    lxw_workbook_free(wb);
    if (e == CM_OK && le != LXW_NO_ERROR)
        e = CM_ERR_OUTPUT;
    if (e == CM_ERR_NOMEM)
        return cm_diag_set(d, e, path, 0, NULL, "out of memory");
    return cm_diag_set(d, e, path, 0, NULL, "cannot build workbook: %s",
                       le != LXW_NO_ERROR ? lxw_strerror(le)
                                          : cm_strerror(e));
}

/* A body format: 仿宋 11, thin borders, wrapped, vertically centred. */
static lxw_format *body_format(lxw_workbook *wb, int center, int bold)
{
    lxw_format *f = workbook_add_format(wb);
    if (!f)
        return NULL;
    format_set_font_name(f, BODY_FONT);
    format_set_font_size(f, BODY_PT);
    format_set_border(f, LXW_BORDER_THIN);
    format_set_text_wrap(f);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    format_set_align(f, center ? LXW_ALIGN_CENTER : LXW_ALIGN_LEFT);
    if (bold)
        format_set_bold(f);
    return f;
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
        w[c] = clamp(width_for_cells((double)widest_line(cols[c].head)),
                     cols[c].min, cols[c].max);
}

static void widen(double *w, const col_spec *col, const char *text)
{
    double want = clamp(width_for_cells((double)widest_line(text)), col->min,
                        col->max);
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
    lxw_format *title = workbook_add_format(wb);
    lxw_format *head = body_format(wb, 1, 1);
    lxw_format *left = body_format(wb, 0, 0);
    lxw_format *center = body_format(wb, 1, 0);
    if (!ws || !title || !head || !left || !center)
        return abandon(wb, path, le, CM_ERR_NOMEM, d);
    format_set_font_name(title, TITLE_FONT);
    format_set_font_size(title, TITLE_PT);
    format_set_bold(title);
    format_set_align(title, LXW_ALIGN_CENTER);
    format_set_align(title, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(title);

    size_columns(rect_cols, RECT_NCOLS, w);
    for (size_t i = 0; i < r->n_rows; i++)
        for (size_t c = 0; c < RECT_NCOLS; c++)
            widen(&w[c], &rect_cols[c],
                  rect_cell(&r->rows[i], c, num, sizeof num));
    double total = 0;
    for (size_t c = 0; c < RECT_NCOLS; c++) {
        keep(&le, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w[c],
                                       NULL));
        total += w[c];
    }

    size_t lines;
    e = count_lines(r->title, total, TITLE_PT, &lines);
    if (e != CM_OK)
        return abandon(wb, path, le, e, d);
    keep(&le, worksheet_set_row(ws, 0, (double)lines * TITLE_LINE_PT + 12.0,
                                NULL));
    keep(&le, worksheet_merge_range(ws, 0, 0, 0, RECT_NCOLS - 1, r->title,
                                    title));

    size_t hl = 1;
    for (size_t c = 0; c < RECT_NCOLS; c++) {
        size_t l;
        if ((e = count_lines(rect_cols[c].head, w[c], BODY_PT, &l)) != CM_OK)
            return abandon(wb, path, le, e, d);
        if (l > hl)
            hl = l;
        keep(&le, worksheet_write_string(ws, 1, (lxw_col_t)c,
                                         rect_cols[c].head, head));
    }
    keep(&le, worksheet_set_row(ws, 1, row_height(hl), NULL));

    for (size_t i = 0; i < r->n_rows; i++) {
        const cm_rect_row *row = &r->rows[i];
        lxw_row_t rr = (lxw_row_t)(i + 2);
        size_t rl = 1;
        for (size_t c = 0; c < RECT_NCOLS; c++) {
            const char *t = rect_cell(row, c, num, sizeof num);
            size_t l;
            if ((e = count_lines(t, w[c], BODY_PT, &l)) != CM_OK)
                return abandon(wb, path, le, e, d);
            if (l > rl)
                rl = l;
            lxw_format *f = rect_cols[c].center ? center : left;
            if (c == 0)
                keep(&le, worksheet_write_number(ws, rr, 0, row->number, f));
            else
                keep(&le, worksheet_write_string(ws, rr, (lxw_col_t)c, t,
                                                 f));
        }
        keep(&le, worksheet_set_row(ws, rr, row_height(rl), NULL));
    }

    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);  /* A4 */
    worksheet_center_horizontally(ws);
    worksheet_set_margins(ws, 0.5, 0.5, 0.75, 0.75);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_freeze_panes(ws, 2, 0);
    keep(&le, worksheet_repeat_rows(ws, 1, 1));
    keep(&le, worksheet_set_footer(ws, "&C第 &P 页，共 &N 页"));
    if (le != LXW_NO_ERROR)
        return abandon(wb, path, le, CM_OK, d);
    return close_book(wb, path, d);
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
    if (!*slot && (*slot = body_format(fm->wb, center, 0)))
        highlight(*slot, hl);
    return *slot;
}

static lxw_format *num_format(ind_formats *fm, int hl, int kind, int dec)
{
    lxw_format **slot = &fm->num[hl][kind][dec];
    if (*slot)
        return *slot;
    if (!(*slot = body_format(fm->wb, 0, 0)))
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
    keep(le, worksheet_set_column(ws, 0, 0, 12, NULL));
    keep(le, worksheet_set_column(ws, 1, 1, 56, NULL));
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    for (size_t i = 0; i < n; i++, row++) {
        lxw_format *f = i == n - 1 ? head : body;
        keep(le, worksheet_write_string(ws, (lxw_row_t)row, 0, rows[i][0],
                                        head));
        keep(le, worksheet_write_string(ws, (lxw_row_t)row, 1, rows[i][1],
                                        f));
    }
    for (size_t s = 0; s < N_STATUS; s++, row++) {
        keep(le, worksheet_write_string(ws, (lxw_row_t)row, 0,
                                        cm_status_text((cm_status)s), body));
        keep(le, worksheet_write_string(ws, (lxw_row_t)row, 1,
                                        status_meaning[s], body));
    }
    keep(le, worksheet_write_string(ws, (lxw_row_t)row, 0, "(计算)", body));
    keep(le, worksheet_write_string(ws, (lxw_row_t)row++, 1,
                                    "标杆值由 credmon 按同级地区数据计算，"
                                    "不是公开发布的平均水平", body));
    keep(le, worksheet_write_string(ws, (lxw_row_t)row, 0, "差距", body));
    keep(le, worksheet_write_string(ws, (lxw_row_t)row, 1,
                                    "数值减标杆值，单位同指标", body));
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

    ind_formats fm;
    memset(&fm, 0, sizeof fm);
    fm.wb = wb;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "指标");
    lxw_format *head = body_format(wb, 1, 1);
    lxw_format *note = body_format(wb, 0, 0);
    if (!ws || !head || !note)
        return abandon(wb, path, le, CM_ERR_NOMEM, d);

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
        keep(&le, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w[c],
                                       NULL));
        keep(&le, worksheet_write_string(ws, 0, (lxw_col_t)c,
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
                if ((e = count_lines(t, w[c], BODY_PT, &l)) != CM_OK)
                    return abandon(wb, path, le, e, d);
                if (l > rl)
                    rl = l;
                if (!(f = text_format(&fm, hl, ind_cols[c].center)))
                    return abandon(wb, path, le, CM_ERR_NOMEM, d);
                keep(&le, worksheet_write_string(ws, rr, (lxw_col_t)c, t,
                                                 f));
            } else {
                int kind = c == 8 ? NF_SIGNED : NF_PLAIN;
                if (!(f = num_format(&fm, hl, kind, dec)))
                    return abandon(wb, path, le, CM_ERR_NOMEM, d);
                if (has)
                    keep(&le, worksheet_write_number(ws, rr, (lxw_col_t)c,
                                                     num, f));
                else
                    keep(&le, worksheet_write_blank(ws, rr, (lxw_col_t)c,
                                                    f));
            }
        }
        keep(&le, worksheet_set_row(ws, rr, row_height(rl), NULL));
    }
    worksheet_freeze_panes(ws, 1, 0);
    keep(&le, worksheet_autofilter(ws, 0, 0, (lxw_row_t)r->n_results,
                                   IND_NCOLS - 1));
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    keep(&le, worksheet_repeat_rows(ws, 0, 0));
    keep(&le, worksheet_set_footer(ws, "&C第 &P 页，共 &N 页"));

    if ((e = write_notes(wb, r, head, note, &le)) != CM_OK ||
        le != LXW_NO_ERROR)
        return abandon(wb, path, le, e, d);
    return close_book(wb, path, d);
}
