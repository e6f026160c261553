/*
 * plan_out.c - the tables of plans and evaluations (issue 5): the plan,
 * task-decomposition and work-plan tables as their documents lay them out
 * (seeds 001, 004, 000), the same items by member unit in one workbook,
 * and one PDF circular per unit.
 *
 * The Excel conventions are xlsx_out.c's (xlsx_util.h): named 仿宋/宋体
 * fonts, column widths and row heights from the East-Asian width of the
 * text, A4 landscape fitted to one page wide with the header row
 * repeated, and a fixed creation time so a repeated run writes the same
 * bytes. The documents' merged cells (a 类别 or 考评任务 over its rows, a
 * 考评指标 over its standards) are merged here too: the text is written
 * once, in the merge, and the rows it spans write nothing in that column.
 */
#include "plan_out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "calendar.h"
#include "report.h"
#include "xlsx_util.h"

/* The caption row, as xlsx_out.c's title: 宋体 16 pt, 22 pt a line (the
 * body's sizes and fonts are xlsx_util.h's). */
#define TITLE_PT 16.0
#define TITLE_LINE_PT 22.0

/* Excel's own "Bad" (light red) and "Neutral" (amber) cell styles: a
 * missed binding target is a problem, a missed guiding one a warning. */
#define BAD_FILL 0xFFC7CE
#define BAD_FONT 0x9C0006
#define WARN_FILL 0xFFEB9C
#define WARN_FONT 0x9C5700

#define SUMMARY_SHEET "汇总"
/* Excel limits a sheet name to 31 characters (UTF-16 units). */
#define SHEET_MAX 31
#define PATH_BYTES 4096

/* What a column shows of a row. */
typedef enum cell_kind {
    K_GROUP,      /* 类别 / 考评任务 / 部分 */
    K_NUMBER,     /* 序号 */
    K_ITEM,       /* 指标 / 考评指标 / 任务 */
    K_STD,        /* 考评标准 / 内容; for a plan its milestone targets */
    K_TASK,       /* work plan: 任务, then its 内容 on the next line */
    K_LEAD,
    K_PARTNERS,
    K_MILESTONE,  /* plan: the target of one year, as written */
    K_ATTR,       /* 指标属性 */
    K_VALUE,      /* 当前值 */
    K_STATUS,     /* 达标情况 */
    K_GAP,        /* 差距 */
    K_DEADLINE,
    K_ROLE        /* units workbook: 牵头 / 参与 */
} cell_kind;

/* Which rows a column's cell spans: its own, its group's (from a
 * group_first row to the row before the next), or its item's. */
enum { MG_NONE, MG_GROUP, MG_ITEM };

typedef struct col_spec {
    const char *head;
    cell_kind kind;
    double min, max;  /* width bounds in '0' units */
    int center;       /* 1: centred (short columns), 0: left */
    int merge;        /* MG_* */
} col_spec;

/* A column of a sheet being written; year for K_MILESTONE. */
typedef struct column {
    col_spec s;
    int year;
    char head[24];
} column;

/* Seed 001's 规划指标表; the year columns go between head and tail. */
static const col_spec plan_head_cols[] = {
    {"类别", K_GROUP, 10, 18, 1, MG_GROUP},
    {"序号", K_NUMBER, 6, 6, 1, MG_NONE},
    {"指标", K_ITEM, 20, 44, 0, MG_NONE},
};
static const col_spec plan_year_col = {NULL, K_MILESTONE, 9, 12, 1, MG_NONE};
static const col_spec plan_tail_cols[] = {
    {"指标属性", K_ATTR, 10, 10, 1, MG_NONE},
    {"当前值", K_VALUE, 9, 14, 1, MG_NONE},
    {"达标情况", K_STATUS, 10, 16, 1, MG_NONE},
};

/* Seed 004's 任务分解表 and the engine's three columns. The maxima keep
 * the sheet near one A4-landscape page wide (~175 units). */
static const col_spec task_cols[] = {
    {"考评任务", K_GROUP, 12, 20, 0, MG_GROUP},
    {"考评指标", K_ITEM, 12, 20, 0, MG_ITEM},
    {"考评标准", K_STD, 24, 46, 0, MG_NONE},
    {"牵头单位", K_LEAD, 12, 18, 1, MG_NONE},
    {"责任单位", K_PARTNERS, 16, 34, 0, MG_NONE},
    {"当前值", K_VALUE, 9, 12, 1, MG_NONE},
    {"达标情况", K_STATUS, 10, 16, 1, MG_NONE},
    {"差距", K_GAP, 8, 10, 1, MG_NONE},
};

/* Seed 000 附件1: its 部分 are headings across the table, not a column. */
static const col_spec work_cols[] = {
    {"序号", K_NUMBER, 6, 6, 1, MG_NONE},
    {"任务", K_TASK, 30, 70, 0, MG_NONE},
    {"牵头单位", K_LEAD, 12, 20, 1, MG_NONE},
    {"责任单位", K_PARTNERS, 16, 36, 0, MG_NONE},
    {"当前值", K_VALUE, 9, 12, 1, MG_NONE},
    {"达标情况", K_STATUS, 10, 16, 1, MG_NONE},
};

/* The units workbook: its summary, then each unit's items. The group,
 * item and standard headers are the plan kind's (unit_heads). */
static const col_spec summary_cols[] = {
    {"成员单位", K_LEAD, 16, 40, 0, MG_NONE},
    {"牵头事项", K_NUMBER, 10, 10, 1, MG_NONE},
    {"参与事项", K_NUMBER, 10, 10, 1, MG_NONE},
    {"未达标", K_NUMBER, 8, 8, 1, MG_NONE},
};
#define SUMMARY_NCOLS (sizeof summary_cols / sizeof *summary_cols)

static const col_spec unit_cols[] = {
    {"分工", K_ROLE, 6, 6, 1, MG_NONE},
    {NULL, K_GROUP, 12, 24, 0, MG_NONE},
    {NULL, K_ITEM, 14, 30, 0, MG_NONE},
    {NULL, K_STD, 24, 50, 0, MG_NONE},
    {"当前值", K_VALUE, 9, 12, 1, MG_NONE},
    {"达标情况", K_STATUS, 10, 16, 1, MG_NONE},
    {"时限", K_DEADLINE, 10, 14, 1, MG_NONE},
};
#define UNIT_NCOLS (sizeof unit_cols / sizeof *unit_cols)

/* ORDER cm_plan_kind: group, item and standard headers per kind. */
static const char *const unit_heads[][3] = {
    {"类别", "指标", "目标"},
    {"考评任务", "考评指标", "考评标准"},
    {"部分", "任务", "内容"},
};

/* ORDER cm_plan_kind: the table's sheet. */
static const char *const table_sheet[] = {"规划指标表", "任务分解表",
                                          "工作要点"};

/* ---- text ----------------------------------------------------------- */

/* A growing string for the cells that join several fields. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static int sb_add(sbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = realloc(b->s, cap);
        if (!q)
            return 0;
        b->s = q;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
    return 1;
}

static void sb_reset(sbuf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* The status a row shows, if any: evaluated rows their own, rows without
 * a formula 未量化 (evaluated or not: nothing can be measured), rows with a
 * formula not yet evaluated none. */
static int row_status(const cm_plan_row *row, cm_plan_status *st)
{
    if (row->evaluated) {
        *st = row->status;
        return 1;
    }
    if (!row->formula_text) {
        *st = CM_PS_UNMEASURED;
        return 1;
    }
    return 0;
}

/* 未达标 in any degree (binding, guiding or expected): what the units
 * summary counts. */
static int row_missed(const cm_plan_row *row)
{
    cm_plan_status st;
    return row_status(row, &st) &&
           (st == CM_PS_MISSED || st == CM_PS_WARNING || st == CM_PS_NOTED);
}

static const cm_plan_milestone *milestone_of(const cm_plan_row *row,
                                             int year)
{
    for (size_t k = 0; k < row->n_milestones; k++)
        if (row->milestones[k].year == year)
            return &row->milestones[k];
    return NULL;
}

/* A plan row's targets for the units sheet and the circular: the one it
 * was held against ("2020年：100%"), else all of them joined by "；". */
static int plan_targets(const cm_plan_row *row, sbuf *b)
{
    char y[32];
    const cm_plan_milestone *m =
        row->milestone_year ? milestone_of(row, row->milestone_year) : NULL;
    if (m) {
        snprintf(y, sizeof y, "%d年：", m->year);
        return sb_add(b, y) && sb_add(b, nz(m->text));
    }
    for (size_t k = 0; k < row->n_milestones; k++) {
        snprintf(y, sizeof y, "%s%d年：", k ? "；" : "",
                 row->milestones[k].year);
        if (!sb_add(b, y) || !sb_add(b, nz(row->milestones[k].text)))
            return 0;
    }
    return 1;
}

/* Text of a column for a row (role for K_ROLE), or NULL when out of
 * memory. The result may live in b, valid until its next use. */
static const char *cell_text(const cm_plan *p, const cm_plan_row *row,
                             const column *c, int role, sbuf *b)
{
    cm_plan_status st;
    sb_reset(b);
    switch (c->s.kind) {
    case K_GROUP: return nz(row->group);
    case K_NUMBER: return nz(row->number);
    case K_ITEM: return nz(row->item);
    case K_STD:
        if (p->kind != CM_PLAN_PLAN)
            return nz(row->standard);
        return plan_targets(row, b) ? nz(b->s) : NULL;
    case K_TASK:
        if (!*nz(row->standard))
            return nz(row->item);
        if (!*nz(row->item))
            return row->standard;
        return sb_add(b, row->item) && sb_add(b, "\n") &&
                       sb_add(b, row->standard)
                   ? b->s
                   : NULL;
    case K_LEAD: return nz(row->lead);
    case K_PARTNERS: return nz(row->partners);
    case K_MILESTONE: {
        const cm_plan_milestone *m = milestone_of(row, c->year);
        return m ? nz(m->text) : "";
    }
    case K_ATTR: return nz(row->attribute_text);
    case K_VALUE: return row->evaluated ? nz(row->value_text) : "";
    case K_STATUS:
        return row_status(row, &st) ? cm_plan_status_text(st) : "";
    case K_GAP: return row->evaluated ? nz(row->gap_text) : "";
    case K_DEADLINE: return nz(row->deadline);
    case K_ROLE: return role == 1 ? "牵头" : role == 2 ? "参与" : "";
    }
    return "";
}

/* ORDER cm_plan_kind: the CSV columns (plan.h) of group, item and
 * standard, for locating errors. */
static const char *const csv_heads[][3] = {
    {"类别", "指标", "standard"},
    {"考评任务", "考评指标", "考评标准"},
    {"部分", "任务", "内容"},
};

/* Checks that every text a row shows is UTF-8 before any of it reaches
 * the XML, naming the plan file, the row's line and the CSV column. */
static cm_error check_rows(const cm_plan *p, cm_diag *d)
{
    const char *const *h = csv_heads[p->kind];
    for (size_t i = 0; i < p->n_rows; i++) {
        const cm_plan_row *r = &p->rows[i];
        const struct { const char *s, *name; } f[] = {
            {r->group, h[0]}, {r->number, "序号"}, {r->item, h[1]},
            {r->standard, h[2]}, {r->lead, "牵头单位"},
            {r->partners, "责任单位"}, {r->deadline, "deadline"},
            {r->attribute_text, "指标属性"}, {r->value_text, "当前值"},
            {r->gap_text, "差距"},
        };
        for (size_t k = 0; k < sizeof f / sizeof *f; k++)
            if (f[k].s && !cm_utf8_valid(f[k].s, strlen(f[k].s), NULL))
                return cm_diag_set(d, CM_ERR_ENCODING, p->path, r->line,
                                   f[k].name, "text is not valid UTF-8");
        for (size_t k = 0; k < r->n_milestones; k++) {
            const char *t = nz(r->milestones[k].text);
            char year[24];
            snprintf(year, sizeof year, "%d年", r->milestones[k].year);
            if (!cm_utf8_valid(t, strlen(t), NULL))
                return cm_diag_set(d, CM_ERR_ENCODING, p->path, r->line,
                                   year, "text is not valid UTF-8");
        }
    }
    return CM_OK;
}

/* ---- sizes ------------------------------------------------------------ */

static void widen(double *w, const col_spec *col, const char *text)
{
    double want = cm_xbook_fit_width(text, col->min, col->max);
    if (want > *w)
        *w = want;
}

/* ---- workbooks -------------------------------------------------------- */

/* The document's fixed creation time: the last day of the evaluated
 * period ("2019", "2019-Q4", "2019-12") at 00:00 UTC. A plan written
 * before evaluation has no period; 2000-01-01 then, so that repeated runs
 * still write the same bytes (libxlsxwriter takes 0 to mean "now"). */
static time_t created_time(const cm_plan *p)
{
    time_t t;
    if (!cm_xbook_period_end(p->period, strnlen(p->period, sizeof p->period),
                             &t))
        t = (time_t)cm_date_days(2000, 1, 1) * 86400;
    return t;
}

static cm_error open_book(const cm_plan *p, const char *title,
                          const char *path, lxw_workbook **wb, cm_diag *d)
{
    *wb = NULL;
    if (!cm_utf8_valid(title, strlen(title), NULL))
        return cm_diag_set(d, CM_ERR_ENCODING, path, 0, "title",
                           "the title is not valid UTF-8");
    cm_error e = cm_xbook_check_dir(path, 1, d);
    if (e != CM_OK)
        return e;
    return cm_xbook_open(path, title, created_time(p), wb, d);
}

/* The formats every sheet uses, owned by the workbook. */
typedef struct formats {
    lxw_format *title, *head, *left, *center, *section;
    lxw_format *bad, *warn;  /* 达标情况 of a missed / warned row */
} formats;

static int make_formats(lxw_workbook *wb, formats *fm)
{
    fm->title = cm_xbook_title_format(wb, TITLE_PT);
    fm->head = cm_xbook_body_format(wb, 1, 1);
    fm->left = cm_xbook_body_format(wb, 0, 0);
    fm->center = cm_xbook_body_format(wb, 1, 0);
    fm->section = cm_xbook_body_format(wb, 0, 1);
    fm->bad = cm_xbook_body_format(wb, 1, 0);
    fm->warn = cm_xbook_body_format(wb, 1, 0);
    if (!fm->title || !fm->head || !fm->left || !fm->center ||
        !fm->section || !fm->bad || !fm->warn)
        return 0;
    format_set_bg_color(fm->bad, BAD_FILL);
    format_set_font_color(fm->bad, BAD_FONT);
    format_set_bg_color(fm->warn, WARN_FILL);
    format_set_font_color(fm->warn, WARN_FONT);
    return 1;
}

static lxw_format *cell_format(const formats *fm, const column *c,
                               const cm_plan_row *row)
{
    cm_plan_status st;
    if (c->s.kind == K_STATUS && row && row_status(row, &st)) {
        if (st == CM_PS_MISSED)
            return fm->bad;
        if (st == CM_PS_WARNING)
            return fm->warn;
    }
    return c->s.center ? fm->center : fm->left;
}

/* Column widths from the headers, widened by every cell of the rows
 * (only those naming unit, when unit is given); *total their sum. */
static cm_error size_columns(const cm_plan *p, const column *cols, size_t nc,
                             const char *unit, double *w, double *total)
{
    sbuf b = {0};
    *total = 0;
    for (size_t c = 0; c < nc; c++)
        w[c] =
            cm_xbook_fit_width(cols[c].s.head, cols[c].s.min, cols[c].s.max);
    for (size_t i = 0; i < p->n_rows; i++) {
        int role = unit ? cm_plan_row_role(&p->rows[i], unit) : 0;
        if (unit && !role)
            continue;
        for (size_t c = 0; c < nc; c++) {
            const char *t = cell_text(p, &p->rows[i], &cols[c], role, &b);
            if (!t) {
                free(b.s);
                return CM_ERR_NOMEM;
            }
            widen(&w[c], &cols[c].s, t);
        }
    }
    free(b.s);
    for (size_t c = 0; c < nc; c++)
        *total += w[c];
    return CM_OK;
}

/* Writes the caption (merged over every column) and the header row. */
static cm_error write_heads(lxw_worksheet *ws, const formats *fm,
                            const column *cols, size_t nc, const double *w,
                            double total, const char *caption, lxw_error *le)
{
    size_t lines, hl = 1;
    cm_error e = cm_xbook_count_lines(caption, total, TITLE_PT, &lines);
    if (e != CM_OK)
        return e;
    cm_xbook_keep(le, worksheet_set_row(
                          ws, 0, (double)lines * TITLE_LINE_PT + 12.0, NULL));
    if (nc > 1)
        cm_xbook_keep(le,
                      worksheet_merge_range(ws, 0, 0, 0, (lxw_col_t)(nc - 1),
                                            caption, fm->title));
    else
        cm_xbook_keep(le,
                      worksheet_write_string(ws, 0, 0, caption, fm->title));
    for (size_t c = 0; c < nc; c++) {
        size_t l;
        cm_xbook_keep(le, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
                                               w[c], NULL));
        if ((e = cm_xbook_count_lines(cols[c].s.head, w[c], CM_XBOOK_BODY_PT,
                                      &l)) != CM_OK)
            return e;
        if (l > hl)
            hl = l;
        cm_xbook_keep(le, worksheet_write_string(ws, 1, (lxw_col_t)c,
                                                 cols[c].s.head, fm->head));
    }
    cm_xbook_keep(le, worksheet_set_row(ws, 1, cm_xbook_row_height(hl), NULL));
    return CM_OK;
}

/* A 序号 of digits is written as a number (Excel flags numbers stored as
 * text); anything else ("(一)", "1.1") as written. */
static void write_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
                       const column *col, const char *t, lxw_format *f,
                       lxw_error *le)
{
    size_t n = strlen(t);
    if (col->s.kind == K_NUMBER && n > 0 && n < 10 &&
        strspn(t, "0123456789") == n)
        cm_xbook_keep(le,
                      worksheet_write_number(ws, r, c, strtod(t, NULL), f));
    else
        cm_xbook_keep(le, worksheet_write_string(ws, r, c, t, f));
}

/* ---- the table -------------------------------------------------------- */

static int run_starts(const cm_plan *p, size_t i, int merge)
{
    return i == 0 || p->rows[i].group_first ||
           (merge == MG_ITEM && p->rows[i].item_first);
}

/* The last row of the run (group or item) that starts at row i. */
static size_t run_end(const cm_plan *p, size_t i, int merge)
{
    size_t j = i + 1;
    while (j < p->n_rows && !run_starts(p, j, merge))
        j++;
    return j - 1;
}

/* The columns of p's table; *cols malloc'd. */
static cm_error table_columns(const cm_plan *p, column **cols, size_t *nc)
{
    const col_spec *fixed;
    size_t n;
    if (p->kind == CM_PLAN_TASKS) {
        fixed = task_cols;
        n = sizeof task_cols / sizeof *task_cols;
    } else if (p->kind == CM_PLAN_WORKPLAN) {
        fixed = work_cols;
        n = sizeof work_cols / sizeof *work_cols;
    } else {
        fixed = NULL;
        n = sizeof plan_head_cols / sizeof *plan_head_cols + p->n_years +
            sizeof plan_tail_cols / sizeof *plan_tail_cols;
    }
    column *v = calloc(n, sizeof *v);
    if (!v)
        return CM_ERR_NOMEM;
    if (fixed) {
        for (size_t c = 0; c < n; c++)
            v[c].s = fixed[c];
    } else {
        size_t c = 0;
        for (size_t k = 0; k < sizeof plan_head_cols / sizeof *plan_head_cols;
             k++)
            v[c++].s = plan_head_cols[k];
        for (size_t k = 0; k < p->n_years; k++, c++) {
            v[c].s = plan_year_col;
            v[c].year = p->years[k];
            snprintf(v[c].head, sizeof v[c].head, "%d年", p->years[k]);
            v[c].s.head = v[c].head;
        }
        for (size_t k = 0; k < sizeof plan_tail_cols / sizeof *plan_tail_cols;
             k++)
            v[c++].s = plan_tail_cols[k];
    }
    *cols = v;
    *nc = n;
    return CM_OK;
}

static int valid_kind(const cm_plan *p)
{
    return p->kind == CM_PLAN_PLAN || p->kind == CM_PLAN_TASKS ||
           p->kind == CM_PLAN_WORKPLAN;
}

/* A row of the work plan that opens a 部分 gets its heading above it. */
static int has_section(const cm_plan *p, size_t i)
{
    return p->kind == CM_PLAN_WORKPLAN && run_starts(p, i, MG_GROUP) &&
           *nz(p->rows[i].group);
}

/* Fills the table sheet; heights[] has a slot per sheet row. */
static cm_error fill_table(lxw_worksheet *ws, const formats *fm,
                           const cm_plan *p, const column *cols, size_t nc,
                           const double *w, double total, double *heights,
                           lxw_row_t *sheet_row, lxw_error *le)
{
    sbuf b = {0};
    cm_error e = CM_OK;
    lxw_row_t r = 2;
    for (size_t i = 0; i < p->n_rows && e == CM_OK; i++) {
        const cm_plan_row *row = &p->rows[i];
        size_t l, rl = 1;
        if (has_section(p, i)) {
            if ((e = cm_xbook_count_lines(row->group, total, CM_XBOOK_BODY_PT,
                                          &l)) != CM_OK)
                break;
            heights[r] = cm_xbook_row_height(l);
            if (nc > 1)
                cm_xbook_keep(
                    le, worksheet_merge_range(ws, r, 0, r, (lxw_col_t)(nc - 1),
                                              row->group, fm->section));
            else
                cm_xbook_keep(le, worksheet_write_string(ws, r, 0, row->group,
                                                         fm->section));
            r++;
        }
        sheet_row[i] = r;
        for (size_t c = 0; c < nc; c++) {
            const column *col = &cols[c];
            if (col->s.merge != MG_NONE && !run_starts(p, i, col->s.merge))
                continue;  /* inside a merge: written once, at its start */
            const char *t = cell_text(p, row, col, 0, &b);
            if (!t) {
                e = CM_ERR_NOMEM;
                break;
            }
            lxw_format *f = cell_format(fm, col, row);
            size_t end = col->s.merge != MG_NONE ? run_end(p, i, col->s.merge)
                                                 : i;
            if (end > i) {
                /* Merged over rows not yet written: the run's rows all
                 * follow directly (no heading inside a group). */
                cm_xbook_keep(le,
                              worksheet_merge_range(ws, r, (lxw_col_t)c,
                                                    (lxw_row_t)(r + (end - i)),
                                                    (lxw_col_t)c, t, f));
                continue;  /* its height is shared out afterwards */
            }
            write_cell(ws, r, (lxw_col_t)c, col, t, f, le);
            if ((e = cm_xbook_count_lines(t, w[c], CM_XBOOK_BODY_PT, &l)) !=
                CM_OK)
                break;
            if (l > rl)
                rl = l;
        }
        heights[r] = cm_xbook_row_height(rl);
        r++;
    }
    /* A merged cell whose text needs more than its rows give: the missing
     * height goes evenly to the rows it spans, so nothing is hidden. */
    for (size_t c = 0; c < nc && e == CM_OK; c++) {
        if (cols[c].s.merge == MG_NONE)
            continue;
        for (size_t i = 0; i < p->n_rows && e == CM_OK; i++) {
            size_t end;
            if (!run_starts(p, i, cols[c].s.merge) ||
                (end = run_end(p, i, cols[c].s.merge)) == i)
                continue;
            const char *t = cell_text(p, &p->rows[i], &cols[c], 0, &b);
            size_t l;
            if (!t) {
                e = CM_ERR_NOMEM;
                break;
            }
            if ((e = cm_xbook_count_lines(t, w[c], CM_XBOOK_BODY_PT, &l)) !=
                CM_OK)
                break;
            double have = 0, need = cm_xbook_row_height(l);
            for (size_t k = i; k <= end; k++)
                have += heights[sheet_row[k]];
            if (need > have)
                for (size_t k = i; k <= end; k++) {
                    double *h = &heights[sheet_row[k]];
                    *h += (need - have) / (double)(end - i + 1);
                    if (*h > CM_XBOOK_MAX_ROW_PT)
                        *h = CM_XBOOK_MAX_ROW_PT;
                }
        }
    }
    free(b.s);
    for (lxw_row_t k = 2; k < r && e == CM_OK; k++)
        cm_xbook_keep(le, worksheet_set_row(ws, k, heights[k], NULL));
    return e;
}

cm_error cm_plan_write_table(const cm_plan *p, const char *title,
                             const char *path, cm_diag *d)
{
    if (!p || !path || !*path)
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, NULL,
                           "no plan or no output path");
    if (!valid_kind(p))
        return cm_diag_set(d, CM_ERR_USAGE, p->path, 0, NULL,
                           "unknown plan kind %d", (int)p->kind);
    title = nz(title);
    cm_error e = check_rows(p, d);
    if (e != CM_OK)
        return e;
    column *cols = NULL;
    size_t nc = 0;
    if ((e = table_columns(p, &cols, &nc)) != CM_OK)
        return cm_diag_set(d, e, path, 0, NULL, "out of memory");
    lxw_workbook *wb;
    if ((e = open_book(p, title, path, &wb, d)) != CM_OK) {
        free(cols);
        return e;
    }
    lxw_error le = LXW_NO_ERROR;
    formats fm;
    /* Sheet rows: caption, header, the rows, and a heading per 部分. */
    size_t n_sheet = p->n_rows + 2;
    for (size_t i = 0; i < p->n_rows; i++)
        n_sheet += has_section(p, i) != 0;
    double *w = calloc(nc, sizeof *w);
    double *heights = calloc(n_sheet, sizeof *heights);
    lxw_row_t *sheet_row = calloc(p->n_rows + 1, sizeof *sheet_row);
    lxw_worksheet *ws = workbook_add_worksheet(wb, table_sheet[p->kind]);
    double total;
    if (!w || !heights || !sheet_row || !ws || !make_formats(wb, &fm))
        e = CM_ERR_NOMEM;
    if (e == CM_OK)
        e = size_columns(p, cols, nc, NULL, w, &total);
    if (e == CM_OK)
        e = write_heads(ws, &fm, cols, nc, w, total, title, &le);
    if (e == CM_OK)
        e = fill_table(ws, &fm, p, cols, nc, w, total, heights, sheet_row,
                       &le);
    free(cols);
    free(w);
    free(heights);
    free(sheet_row);
    if (e != CM_OK || le != LXW_NO_ERROR)
        return cm_xbook_abandon(wb, path, le, e, d);
    cm_xbook_print_setup(ws, &le);
    if (le != LXW_NO_ERROR)
        return cm_xbook_abandon(wb, path, le, CM_OK, d);
    return cm_xbook_close(wb, path, d);
}

/* ---- units ------------------------------------------------------------ */

/* Per unit: how many items it leads and takes part in, how many of them
 * missed their target. */
typedef struct unit_count {
    size_t lead, partner, missed;
} unit_count;

static void count_unit(const cm_plan *p, const char *unit, unit_count *uc)
{
    memset(uc, 0, sizeof *uc);
    for (size_t i = 0; i < p->n_rows; i++) {
        int role = cm_plan_row_role(&p->rows[i], unit);
        if (role == 1)
            uc->lead++;
        else if (role == 2)
            uc->partner++;
        if (role && row_missed(&p->rows[i]))
            uc->missed++;
    }
}

/* Excel compares sheet names without regard to case. */
static int same_name(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return 0;
        if (!x)
            return 1;
    }
}

static int name_taken(char *const *names, size_t n, const char *s)
{
    /* "History" is reserved by Excel, the summary is ours. */
    if (same_name(s, "History") || same_name(s, SUMMARY_SHEET))
        return 1;
    for (size_t i = 0; i < n; i++)
        if (names[i] && same_name(names[i], s))
            return 1;
    return 0;
}

/* Copies the longest prefix of src (UTF-8) that stays within max UTF-16
 * units (Excel's count: a character beyond U+FFFF is two) into dst. */
static void copy_units(char *dst, const char *src, size_t max)
{
    size_t i = 0, used = 0, n = strlen(src);
    while (i < n) {
        unsigned cp;
        int k = cm_utf8_decode(src + i, n - i, &cp);
        size_t u = cp > 0xFFFF ? 2 : 1;
        if (k <= 0 || used + u > max)
            break;
        used += u;
        i += (size_t)k;
    }
    memcpy(dst, src, i);
    dst[i] = '\0';
}

/* A valid, unused sheet name for unit (malloc'd, NULL when out of
 * memory): Excel refuses []:*?/\ (replaced by "_"), a leading or trailing
 * apostrophe and more than 31 characters; a name already taken gets
 * "(2)", "(3)"... within the 31. */
static char *sheet_name(const char *unit, char *const *taken, size_t n_taken)
{
    size_t n = strlen(unit);
    char *clean = malloc(n + 16), *out = malloc(n + 32);
    if (!clean || !out) {
        free(clean);
        free(out);
        return NULL;
    }
    for (size_t i = 0; i <= n; i++)
        clean[i] = strchr("[]:*?/\\", unit[i]) && unit[i] ? '_' : unit[i];
    if (clean[0] == '\'')
        clean[0] = '_';
    if (n && clean[n - 1] == '\'')
        clean[n - 1] = '_';
    if (!*clean)
        strcpy(clean, "单位");
    copy_units(out, clean, SHEET_MAX);
    for (int k = 2; name_taken(taken, n_taken, out); k++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, "(%d)", k);
        copy_units(out, clean, SHEET_MAX - strlen(suffix));
        strcat(out, suffix);
    }
    free(clean);
    return out;
}

/* The summary sheet: one row per unit in the order given. */
static cm_error write_summary(lxw_workbook *wb, const formats *fm,
                              const char *title, char **units,
                              const unit_count *uc, size_t n, lxw_error *le)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, SUMMARY_SHEET);
    if (!ws)
        return CM_ERR_NOMEM;
    column cols[SUMMARY_NCOLS];
    double w[SUMMARY_NCOLS], total = 0;
    memset(cols, 0, sizeof cols);
    for (size_t c = 0; c < SUMMARY_NCOLS; c++) {
        cols[c].s = summary_cols[c];
        w[c] =
            cm_xbook_fit_width(cols[c].s.head, cols[c].s.min, cols[c].s.max);
    }
    for (size_t u = 0; u < n; u++)
        widen(&w[0], &cols[0].s, units[u]);
    for (size_t c = 0; c < SUMMARY_NCOLS; c++)
        total += w[c];
    cm_error e = write_heads(ws, fm, cols, SUMMARY_NCOLS, w, total, title,
                             le);
    for (size_t u = 0; u < n && e == CM_OK; u++) {
        lxw_row_t r = (lxw_row_t)(u + 2);
        size_t l;
        if ((e = cm_xbook_count_lines(units[u], w[0], CM_XBOOK_BODY_PT, &l)) !=
            CM_OK)
            break;
        cm_xbook_keep(le,
                      worksheet_write_string(ws, r, 0, units[u], fm->left));
        cm_xbook_keep(le, worksheet_write_number(ws, r, 1, (double)uc[u].lead,
                                                 fm->center));
        cm_xbook_keep(le, worksheet_write_number(
                              ws, r, 2, (double)uc[u].partner, fm->center));
        cm_xbook_keep(
            le, worksheet_write_number(ws, r, 3, (double)uc[u].missed,
                                       uc[u].missed ? fm->bad : fm->center));
        cm_xbook_keep(le,
                      worksheet_set_row(ws, r, cm_xbook_row_height(l), NULL));
    }
    cm_xbook_print_setup(ws, le);
    return e;
}

/* One unit's sheet: its items in the plan's order, as lead or partner. */
static cm_error write_unit_sheet(lxw_workbook *wb, const formats *fm,
                                 const cm_plan *p, const char *title,
                                 const char *unit, const char *name,
                                 lxw_error *le)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    if (!ws)
        return CM_ERR_NOMEM;
    column cols[UNIT_NCOLS];
    double w[UNIT_NCOLS], total;
    memset(cols, 0, sizeof cols);
    for (size_t c = 0; c < UNIT_NCOLS; c++) {
        cols[c].s = unit_cols[c];
        if (!cols[c].s.head)
            cols[c].s.head = unit_heads[p->kind][c - 1];
    }
    sbuf b = {0};
    char *caption = NULL;
    cm_error e = size_columns(p, cols, UNIT_NCOLS, unit, w, &total);
    if (e == CM_OK &&
        (!sb_add(&b, unit) || !sb_add(&b, "：") || !sb_add(&b, title) ||
         !(caption = cm_strdup(b.s))))
        e = CM_ERR_NOMEM;
    if (e == CM_OK)
        e = write_heads(ws, fm, cols, UNIT_NCOLS, w, total, caption, le);
    free(caption);
    lxw_row_t r = 2;
    for (size_t i = 0; i < p->n_rows && e == CM_OK; i++) {
        const cm_plan_row *row = &p->rows[i];
        int role = cm_plan_row_role(row, unit);
        size_t l, rl = 1;
        if (!role)
            continue;
        for (size_t c = 0; c < UNIT_NCOLS; c++) {
            const char *t = cell_text(p, row, &cols[c], role, &b);
            if (!t) {
                e = CM_ERR_NOMEM;
                break;
            }
            write_cell(ws, r, (lxw_col_t)c, &cols[c], t,
                       cell_format(fm, &cols[c], row), le);
            if ((e = cm_xbook_count_lines(t, w[c], CM_XBOOK_BODY_PT, &l)) !=
                CM_OK)
                break;
            if (l > rl)
                rl = l;
        }
        cm_xbook_keep(le,
                      worksheet_set_row(ws, r, cm_xbook_row_height(rl), NULL));
        r++;
    }
    free(b.s);
    cm_xbook_print_setup(ws, le);
    return e;
}

cm_error cm_plan_write_units(const cm_plan *p, const char *title,
                             const char *path, int *n_units, cm_diag *d)
{
    if (n_units)
        *n_units = 0;
    if (!p || !path || !*path)
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, NULL,
                           "no plan or no output path");
    if (!valid_kind(p))
        return cm_diag_set(d, CM_ERR_USAGE, p->path, 0, NULL,
                           "unknown plan kind %d", (int)p->kind);
    title = nz(title);
    cm_error e = check_rows(p, d);
    if (e != CM_OK)
        return e;
    char **units = NULL, **names = NULL;
    size_t n = 0;
    if ((e = cm_plan_units(p, &units, &n, d)) != CM_OK)
        return e;
    unit_count *uc = calloc(n + 1, sizeof *uc);
    names = calloc(n + 1, sizeof *names);
    if (!uc || !names)
        e = CM_ERR_NOMEM;
    for (size_t u = 0; u < n && e == CM_OK; u++) {
        count_unit(p, units[u], &uc[u]);
        if (uc[u].lead + uc[u].partner == 0)
            continue;  /* no sheet for a unit without items */
        if (!(names[u] = sheet_name(units[u], names, u)))
            e = CM_ERR_NOMEM;
    }
    lxw_workbook *wb = NULL;
    if (e != CM_OK)
        cm_diag_set(d, e, path, 0, NULL, "out of memory");
    else
        e = open_book(p, title, path, &wb, d);
    if (e != CM_OK) {
        cm_list_free(units, n);
        cm_list_free(names, n);
        free(uc);
        return e;
    }
    lxw_error le = LXW_NO_ERROR;
    formats fm;
    int sheets = 0;
    if (!make_formats(wb, &fm))
        e = CM_ERR_NOMEM;
    if (e == CM_OK)
        e = write_summary(wb, &fm, title, units, uc, n, &le);
    for (size_t u = 0; u < n && e == CM_OK; u++)
        if (names[u]) {
            e = write_unit_sheet(wb, &fm, p, title, units[u], names[u], &le);
            sheets++;
        }
    cm_list_free(units, n);
    cm_list_free(names, n);
    free(uc);
    if (e != CM_OK || le != LXW_NO_ERROR)
        return cm_xbook_abandon(wb, path, le, e, d);
    if ((e = cm_xbook_close(wb, path, d)) != CM_OK)
        return e;
    if (n_units)
        *n_units = sheets;
    return CM_OK;
}

/* ---- PDF circulars per unit ------------------------------------------- */

/* A unit name becomes "<dir>/<name>.pdf": refused rather than sanitised,
 * by drill.c's rule (two units could sanitise to the same file, and a
 * unit must find its file under its own name; the characters Windows
 * forbids are refused too, for the units' desktops). The error names the
 * plan row that first names the unit. */
static cm_error check_unit_name(const cm_plan *p, const char *u, cm_diag *d)
{
    size_t n = strlen(u);
    const char *why = NULL;
    long line = 0;
    const char *field = "unit";
    for (size_t i = 0; i < p->n_rows; i++) {
        int role = cm_plan_row_role(&p->rows[i], u);
        if (role) {
            line = p->rows[i].line;
            field = role == 1 ? "牵头单位" : "责任单位";
            break;
        }
    }
    if (!cm_utf8_valid(u, n, NULL))
        return cm_diag_set(d, CM_ERR_ENCODING, p->path, line, field,
                           "a unit name is not valid UTF-8");
    why = cm_file_name_problem(u, n);
    if (!why)
        return CM_OK;
    return cm_diag_set(d, CM_ERR_DATA, p->path, line, field,
                       "unit name '%s' %s: correct it in the plan (the "
                       "unit's circular is named after it)", u, why);
}

/* The unit's items as the attachment's rows: 主要问题 the item, 问题描述
 * its standard and current value, 备注 its status and the unit's part. */
static cm_error unit_report(const cm_plan *p, const char *unit,
                            const char *title, cm_report **out)
{
    cm_report *r = cm_report_new(p->region, p->region, p->period, title);
    sbuf desc = {0}, note = {0}, tmp = {0};
    cm_error e = r ? CM_OK : CM_ERR_NOMEM;
    int number = 0;
    column std_col;
    memset(&std_col, 0, sizeof std_col);
    std_col.s.kind = K_STD;
    for (size_t i = 0; i < p->n_rows && e == CM_OK; i++) {
        const cm_plan_row *row = &p->rows[i];
        int role = cm_plan_row_role(row, unit);
        cm_plan_status st;
        if (!role)
            continue;
        const char *std = cell_text(p, row, &std_col, role, &tmp);
        sb_reset(&desc);
        sb_reset(&note);
        int ok = std && sb_add(&desc, std);
        if (ok && row->evaluated && *nz(row->value_text))
            ok = sb_add(&desc, " 当前值:") && sb_add(&desc, row->value_text);
        if (ok && row_status(row, &st))
            ok = sb_add(&note, cm_plan_status_text(st)) &&
                 sb_add(&note, role == 1 ? "(牵头)" : "(参与)");
        else if (ok)
            ok = sb_add(&note, role == 1 ? "牵头" : "参与");
        if (!ok) {
            e = CM_ERR_NOMEM;
            break;
        }
        /* The report copies every string and takes NULL as "" (report.h). */
        cm_rect_row rr;
        memset(&rr, 0, sizeof rr);
        rr.number = ++number;
        rr.problem = row->item;
        rr.description = desc.s;
        rr.lead = row->lead;
        rr.partners = row->partners;
        rr.deadline = row->deadline;
        rr.note = note.s;
        e = cm_report_add_row(r, &rr);
    }
    free(desc.s);
    free(note.s);
    free(tmp.s);
    if (e != CM_OK) {
        cm_report_free(r);
        return e;
    }
    *out = r;
    return CM_OK;
}

/* Writes <dir>/.<unit>.pdf.tmp.<pid>, then renames it to <dir>/<unit>.pdf,
 * as drill.c: a reader never sees half a file, nothing is left behind. */
static cm_error write_unit_pdf(const cm_plan *p, const cm_circular *c,
                               const char *title, const cm_pdf_fonts *fonts,
                               const char *dir, const char *unit, cm_diag *d)
{
    char tmp[PATH_BYTES], final[PATH_BYTES];
    int k1 = snprintf(final, sizeof final, "%s/%s.pdf", dir, unit);
    int k2 = snprintf(tmp, sizeof tmp, "%s/.%s.pdf.tmp.%ld", dir, unit,
                      (long)getpid());
    if (k1 < 0 || k2 < 0 || (size_t)k1 >= sizeof final ||
        (size_t)k2 >= sizeof tmp)
        return cm_diag_set(d, CM_ERR_USAGE, dir, 0, NULL,
                           "output path too long");
    cm_report *r = NULL;
    cm_error e = unit_report(p, unit, title, &r);
    if (e != CM_OK)
        return cm_diag_set(d, e, final, 0, NULL, "out of memory");
    /* The caller's circular is borrowed: only the two fields that change
     * are replaced, in a copy of the struct. */
    cm_circular cc = *c;
    size_t un = strlen(unit);
    char *recipients = malloc(un + sizeof "：");
    char *table_title = cm_strdup(title);
    if (!recipients || !table_title) {
        free(recipients);
        free(table_title);
        cm_report_free(r);
        return cm_diag_set(d, CM_ERR_NOMEM, final, 0, NULL, "out of memory");
    }
    memcpy(recipients, unit, un);
    memcpy(recipients + un, "：", sizeof "：");
    cc.recipients = recipients;
    cc.table_title = table_title;
    e = cm_pdf_write_circular(&cc, r, fonts, tmp, d);
    free(recipients);
    free(table_title);
    cm_report_free(r);
    if (e != CM_OK) {
        unlink(tmp);
        /* The message names the file the user asked for, not ours. */
        if (d && strcmp(d->file, tmp) == 0) {
            size_t k = strlen(final);
            if (k >= sizeof d->file) {  /* cut at a character boundary */
                k = sizeof d->file - 1;
                while (k && (final[k] & 0xC0) == 0x80)
                    k--;
            }
            memcpy(d->file, final, k);
            d->file[k] = '\0';
        }
        return e;
    }
    if (rename(tmp, final) != 0) {
        int err = errno;
        unlink(tmp);
        return cm_diag_set(d, CM_ERR_IO, final, 0, NULL,
                           "cannot move the circular into place: %s",
                           strerror(err));
    }
    return CM_OK;
}

cm_error cm_plan_write_unit_pdfs(const cm_plan *p, const cm_circular *c,
                                 const char *title, const cm_pdf_fonts *fonts,
                                 const char *dir, int *n, cm_diag *d)
{
    if (n)
        *n = 0;
    if (!p || !c || !dir || !*dir)
        return cm_diag_set(d, CM_ERR_USAGE, dir, 0, NULL,
                           "no plan, circular or output folder");
    if (!valid_kind(p))
        return cm_diag_set(d, CM_ERR_USAGE, p->path, 0, NULL,
                           "unknown plan kind %d", (int)p->kind);
    if (!title)
        title = nz(c->table_title);
    char **units = NULL;
    size_t nu = 0;
    cm_error e = check_rows(p, d);
    if (e != CM_OK || (e = cm_plan_units(p, &units, &nu, d)) != CM_OK)
        return e;
    unit_count *uc = calloc(nu + 1, sizeof *uc);
    if (!uc)
        e = cm_diag_set(d, CM_ERR_NOMEM, dir, 0, NULL, "out of memory");
    /* Every name is checked before any file is written, so a refused
     * name leaves the folder as it was. */
    for (size_t u = 0; u < nu && e == CM_OK; u++) {
        count_unit(p, units[u], &uc[u]);
        if (uc[u].lead + uc[u].partner > 0)
            e = check_unit_name(p, units[u], d);
    }
    if (e == CM_OK)
        e = cm_xbook_check_dir(dir, 0, d);
    int written = 0;
    for (size_t u = 0; u < nu && e == CM_OK; u++) {
        if (uc[u].lead + uc[u].partner == 0)
            continue;  /* a unit without items gets no circular */
        if ((e = write_unit_pdf(p, c, title, fonts, dir, units[u], d)) ==
            CM_OK)
            written++;
    }
    cm_list_free(units, nu);
    free(uc);
    if (n)
        *n = written;
    return e;
}
