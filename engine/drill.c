/*
 * drill.c - drill-down workbooks (issue 3): for a city and a month, the
 * records behind the 双公示, 重错码 and 信用修复 findings, one workbook per
 * member unit, so that each unit receives the list of what it must fix.
 *
 * Everything for the month is collected first and only then written: a
 * refused unit name or a record the calendar cannot date stops the call
 * before any file is touched. Each file is written under a hidden
 * temporary name in the same folder and renamed, so a reader never sees
 * half a workbook and a previous month's file is replaced atomically.
 *
 * Working days are counted in C with the calendar loaded from the store
 * (cm_derive_calendar), not with the workdays() SQL function: that function
 * borrows its calendar, and registering it on the store's connection here
 * would leave the connection pointing at a calendar freed on return.
 */
#include "drill.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "calendar.h"
#include "derive.h"
#include "domain.h"
#include "wrap.h"
#include "xlsx_util.h"

/* DESIGN.md, 双公示: online within 7 working days of the decision. */
#define LATE_AFTER 7

#define DRILL_PATH 4096

/* The title row: 宋体 14 pt, 20 pt a line (the body's sizes and fonts
 * are xlsx_util.h's). */
#define TITLE_PT 14.0
#define TITLE_LINE_PT 20.0

/* A column: header, width bounds in '0' units, alignment, and what its
 * cells hold. */
typedef struct col_spec {
    const char *head;
    double min, max;
    int center;     /* 1: centred (short values) */
    int number;     /* 1: written as a number when not empty */
    int mask;       /* 1: may hold a natural person's ID: cm_domain_mask */
} col_spec;

/* ORDER LATE_COLS: keep in step with collect_late(). The subject name is
 * masked too: a person's ID typed into the name field must not leak. */
static const col_spec late_cols[] = {
    {"记录编号", 10, 24, 0, 0, 0},
    {"类别", 6, 6, 1, 0, 0},
    {"地区", 8, 14, 1, 0, 0},
    {"行政相对人", 14, 40, 0, 0, 1},
    {"统一社会信用代码/身份证号", 21, 21, 1, 0, 1},
    {"决定日期", 12, 12, 1, 0, 0},
    {"公示日期", 12, 12, 1, 0, 0},
    {"超期工作日", 8, 8, 1, 1, 0},  /* beyond the 7 allowed */
    {"情形", 8, 28, 0, 0, 0},
};

/* ORDER CODE_COLS: keep in step with collect_codes(). An individual
 * business registered under an ID number is a natural person: mask. */
static const col_spec code_cols[] = {
    {"统一社会信用代码", 21, 21, 1, 0, 1},
    {"主体名称", 14, 40, 0, 0, 1},
    {"地区", 8, 14, 1, 0, 0},
    {"原因", 12, 30, 0, 0, 0},
};

/* ORDER TRAIN_COLS: keep in step with collect_training(). */
static const col_spec train_cols[] = {
    {"主体", 21, 21, 1, 0, 1},
    {"名称", 12, 40, 0, 0, 1},
    {"地区", 8, 14, 1, 0, 0},
    {"名单", 10, 30, 0, 0, 0},
    {"列入日期", 12, 12, 1, 0, 0},
    {"移出日期", 12, 12, 1, 0, 0},
    {"信用修复承诺", 8, 10, 1, 0, 0},
};

#define NCOLS(a) (sizeof a / sizeof *a)

typedef struct sheet_spec {
    const char *name;       /* sheet tab */
    const char *title;      /* title row after "<unit> <year>年<month>月 " */
    const col_spec *cols;
    size_t ncols;
} sheet_spec;

/* ORDER SHEETS: the order of the tabs in a workbook. */
enum { SH_LATE, SH_CODES, SH_TRAINING, SH__COUNT };
static const sheet_spec sheets[SH__COUNT] = {
    {"逾期双公示", "双公示逾期记录明细", late_cols, NCOLS(late_cols)},
    {"重错码", "统一社会信用代码重错码明细", code_cols, NCOLS(code_cols)},
    {"未修复培训", "失信主体未参加信用修复培训明细", train_cols,
     NCOLS(train_cols)},
};

/* Rows of one sheet: nrows x ncols cells, row-major, each malloc'd text
 * ("" for an empty cell). */
typedef struct table {
    const sheet_spec *spec;
    char **cells;
    size_t nrows, cap;
} table;

/* One unit's workbook to be. */
typedef struct book {
    char *unit;
    table t[SH__COUNT];
} book;

typedef struct ctx {
    cm_store *s;
    sqlite3 *db;
    const cm_drill_options *o;
    cm_calendar *cal;
    cm_region city;
    int year, month;
    char start[11];     /* first day of the month */
    char next[11];      /* first day of the next month: ranges are [start, next) */
    time_t created;     /* fixed document time: last day of the month */
    book *books;
    size_t n_books;
} ctx;

static void table_free(table *t)
{
    if (!t->cells)
        return;
    for (size_t i = 0; i < t->nrows * t->spec->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

static cm_error nomem(cm_diag *d)
{
    return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

/* Appends a row of t->spec->ncols texts (NULL = empty), masking the
 * columns that may hold an ID. Text that is not UTF-8 would make the XML
 * unreadable: refused here, naming the sheet, column and record. */
static cm_error table_add(ctx *c, table *t, const char *const *v,
                          cm_diag *d)
{
    size_t nc = t->spec->ncols;
    for (size_t k = 0; k < nc; k++)
        if (v[k] && !cm_utf8_valid(v[k], strlen(v[k]), NULL)) {
            /* the first column may be a subject: messages mask it too */
            char first[64];
            cm_domain_mask(v[0] ? v[0] : "", first, sizeof first);
            if (!cm_utf8_valid(first, strlen(first), NULL))
                first[0] = '\0';
            return cm_diag_set(d, CM_ERR_ENCODING, cm_store_path(c->s), 0,
                               t->spec->cols[k].head,
                               "%s: record '%s': text is not valid UTF-8",
                               t->spec->name, first);
        }
    if (t->nrows == t->cap) {
        size_t ncap = t->cap ? 2 * t->cap : 16;
        char **nv = realloc(t->cells, ncap * nc * sizeof *nv);
        if (!nv)
            return nomem(d);
        t->cells = nv;
        t->cap = ncap;
    }
    char **row = t->cells + t->nrows * nc;
    for (size_t k = 0; k < nc; k++) {
        const char *s = v[k] ? v[k] : "";
        size_t n = strlen(s) + 1;
        row[k] = malloc(n);
        if (!row[k]) {
            while (k--)
                free(row[k]);
            return nomem(d);
        }
        if (t->spec->cols[k].mask)
            cm_domain_mask(s, row[k], n);
        else
            memcpy(row[k], s, n);
    }
    t->nrows++;
    return CM_OK;
}

static const char *col_text(sqlite3_stmt *q, int k)
{
    const unsigned char *t = sqlite3_column_text(q, k);
    return t ? (const char *)t : "";
}

/* Parses a stored date; a bad one is CM_ERR_DATA naming the record (the
 * importer checks dates, so this is a store written by something else). */
static cm_error stored_date(ctx *c, const char *what, const char *field,
                            const char *id, const char *text, long *day,
                            cm_diag *d)
{
    *day = cm_date_parse(text, strlen(text));
    if (*day == CM_DAY_INVALID)
        return cm_diag_set(d, CM_ERR_DATA, cm_store_path(c->s), 0, field,
                           "%s '%s': date '%s' is not YYYY-MM-DD", what, id,
                           text);
    return CM_OK;
}

/* The regions of the drill: the city and its counties. */
#define IN_CITY(col) \
    col " IN (SELECT code FROM regions WHERE code = :city OR parent = :city)"

static cm_error prepare(ctx *c, const char *sql, sqlite3_stmt **q,
                        cm_diag *d)
{
    if (sqlite3_prepare_v2(c->db, sql, -1, q, NULL) != SQLITE_OK)
        return cm_store_fail(c->s, d, "preparing a drill query");
    return CM_OK;
}

/* Binds a named parameter if the statement has it. */
static void bind(sqlite3_stmt *q, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(q, name);
    if (i > 0)
        sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
}

static void bind_month(ctx *c, sqlite3_stmt *q)
{
    bind(q, ":city", c->city.code);
    bind(q, ":start", c->start);
    bind(q, ":next", c->next);
}

/* The book of unit, made on first use. The search starts at the newest
 * book, which is the one the next row of a pass ordered by unit hits;
 * units number in the tens. Returns its index (books move when the array
 * grows), or -1 out of memory. */
static long book_for(ctx *c, const char *unit)
{
    for (size_t i = c->n_books; i-- > 0;)
        if (strcmp(c->books[i].unit, unit) == 0)
            return (long)i;
    book *nb = realloc(c->books, (c->n_books + 1) * sizeof *nb);
    if (!nb)
        return -1;
    c->books = nb;
    book *b = &c->books[c->n_books];
    memset(b, 0, sizeof *b);
    if (!(b->unit = cm_strdup(unit)))
        return -1;
    for (int k = 0; k < SH__COUNT; k++)
        b->t[k].spec = &sheets[k];
    return (long)c->n_books++;
}

/* Adds a row to sheet k of unit's book. */
static cm_error add_row(ctx *c, const char *unit, int k,
                        const char *const *v, cm_diag *d)
{
    long i = book_for(c, unit);
    if (i < 0)
        return nomem(d);
    return table_add(c, &c->books[i].t[k], v, d);
}

/* 逾期双公示: records of the city decided in the month; kept are those
 * published more than LATE_AFTER working days after the decision, those
 * not published, and those published before their decision. One pass
 * for every unit (publicity has no index on the unit: a scan per unit
 * would read the table once per unit). */
static cm_error collect_late(ctx *c, cm_diag *d)
{
    static const char sql[] =
        "SELECT p.id, p.kind, r.name, p.subject_name, p.subject_code,"
        " p.decided, p.published, p.source_unit"
        " FROM publicity p JOIN regions r ON r.code = p.region"
        " WHERE " IN_CITY("p.region")
        " AND p.decided >= :start AND p.decided < :next"
        " ORDER BY p.source_unit, p.decided, p.id";
    sqlite3_stmt *q;
    cm_error e = prepare(c, sql, &q, d);
    if (e)
        return e;
    bind_month(c, q);
    int rc = SQLITE_DONE;
    while (!e && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *id = col_text(q, 0);
        const char *decided = col_text(q, 5), *published = col_text(q, 6);
        char delay[24] = "";
        const char *why;
        long dd, pd;
        if ((e = stored_date(c, "publicity record", "decided", id, decided,
                             &dd, d)))
            break;
        if (!published[0]) {
            why = "未公示";
        } else {
            if ((e = stored_date(c, "publicity record", "published", id,
                                 published, &pd, d)))
                break;
            if (pd < dd) {
                why = "公示早于决定（数据错误）";
            } else {
                long w = cm_calendar_workdays(c->cal, dd, pd);
                if (w < 0) {
                    /* Not guessed (calendar.h): whether the record is late
                     * depends on holidays the store does not know. */
                    e = cm_diag_set(d, CM_ERR_DATA, cm_store_path(c->s), 0,
                                    "calendar",
                                    "publicity record '%s' was published on "
                                    "%s, in a year the calendar does not "
                                    "cover: import that year's calendar",
                                    id, published);
                    break;
                }
                if (w <= LATE_AFTER)
                    continue;
                /* what the unit must make up, not the whole time taken:
                 * 8 working days is 1 late */
                snprintf(delay, sizeof delay, "%ld", w - LATE_AFTER);
                why = "逾期";
            }
        }
        const char *v[NCOLS(late_cols)] = {
            id, col_text(q, 1), col_text(q, 2), col_text(q, 3),
            col_text(q, 4), decided, published, delay, why,
        };
        e = add_row(c, col_text(q, 7), SH_LATE, v, d);
    }
    if (!e && rc != SQLITE_DONE)
        e = cm_store_fail(c->s, d, "reading publicity records");
    sqlite3_finalize(q);
    return e;
}

/* 18 characters of the GB 32100 alphabet: a code of the right shape,
 * whose failure can only be a check character. */
static int uscc_shape(const char *code)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    size_t n = strlen(code);
    if (n != 18)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr(alphabet, code[i]))
            return 0;
    return 1;
}

/* 重错码, for the codes unit: register entries of the city and its
 * counties whose code fails GB 32100 or is held by more than one entity.
 * Holders are counted over the whole city, so a code shared across two
 * counties is found; entities of other cities do not count. */
static cm_error collect_codes(ctx *c, const char *unit, cm_diag *d)
{
    static const char sql[] =
        "SELECT e.code, e.name, r.name,"
        " count(*) OVER (PARTITION BY e.code)"
        " FROM entities e JOIN regions r ON r.code = e.region"
        " WHERE " IN_CITY("e.region")
        " ORDER BY e.code, e.name";
    sqlite3_stmt *q;
    cm_error e = prepare(c, sql, &q, d);
    if (e)
        return e;
    bind_month(c, q);
    int rc = SQLITE_DONE;
    while (!e && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *code = col_text(q, 0);
        long holders = (long)sqlite3_column_int64(q, 3);
        int valid = cm_domain_uscc_valid(code, strlen(code));
        if (valid && holders < 2)
            continue;
        char why[128] = "";
        if (!valid)
            snprintf(why, sizeof why, "%s",
                     uscc_shape(code) ? "校验位错误"
                                      : "格式错误（应为18位，不含I、O、S、V、Z）");
        if (holders > 1)
            snprintf(why + strlen(why), sizeof why - strlen(why),
                     "%s一码多主（%ld个主体）", valid ? "" : "；", holders);
        const char *v[NCOLS(code_cols)] = {code, col_text(q, 1),
                                           col_text(q, 2), why};
        e = add_row(c, unit, SH_CODES, v, d);
    }
    if (!e && rc != SQLITE_DONE)
        e = cm_store_fail(c->s, d, "reading the entity register");
    sqlite3_finalize(q);
    return e;
}

/* 未修复培训: blacklist entries of the city on the list at month end or
 * removed in the month, without repair training, by listing unit. */
static cm_error collect_training(ctx *c, cm_diag *d)
{
    static const char sql[] =
        "SELECT b.subject, b.name, r.name, b.list, b.listed,"
        " coalesce(b.removed, ''), b.repair_commitment, b.listing_unit"
        " FROM blacklist b JOIN regions r ON r.code = b.region"
        " WHERE b.repair_training = 0 AND " IN_CITY("b.region")
        " AND b.listed < :next"
        " AND (b.removed IS NULL OR b.removed = '' OR b.removed >= :start)"
        " ORDER BY b.listing_unit, b.listed, b.subject, b.list";
    sqlite3_stmt *q;
    cm_error e = prepare(c, sql, &q, d);
    if (e)
        return e;
    bind_month(c, q);
    int rc = SQLITE_DONE;
    while (!e && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *v[NCOLS(train_cols)] = {
            col_text(q, 0), col_text(q, 1), col_text(q, 2), col_text(q, 3),
            col_text(q, 4), col_text(q, 5),
            sqlite3_column_int(q, 6) ? "已承诺" : "未承诺",
        };
        e = add_row(c, col_text(q, 7), SH_TRAINING, v, d);
    }
    if (!e && rc != SQLITE_DONE)
        e = cm_store_fail(c->s, d, "reading blacklist entries");
    sqlite3_finalize(q);
    return e;
}

/* Files are written in unit-name order (byte order, as SQLite's BINARY),
 * so that a failure part-way leaves a predictable set behind. */
static int book_cmp(const void *a, const void *b)
{
    return strcmp(((const book *)a)->unit, ((const book *)b)->unit);
}

/* A unit name becomes "<dir>/<name>.xlsx". Refused rather than
 * sanitised: two units could sanitise to the same file, and a unit must
 * find its file under its own name. Besides '/', the characters Windows
 * forbids are refused too, because the files are sent to units whose
 * desktops run Windows. */
static cm_error check_unit_name(ctx *c, const char *u, cm_diag *d)
{
    size_t n = strlen(u);
    if (!cm_utf8_valid(u, n, NULL))
        return cm_diag_set(d, CM_ERR_ENCODING, cm_store_path(c->s), 0, "unit",
                           "a unit name is not valid UTF-8");
    const char *why = cm_file_name_problem(u, n);
    if (why)
        return cm_diag_set(d, CM_ERR_DATA, cm_store_path(c->s), 0, "unit",
                           "unit name '%s' %s: correct it in the source data "
                           "(the drill-down file is named after the unit)",
                           u, why);
    return CM_OK;
}

/* ---- writing ---------------------------------------------------------- */

/* Width of a column for s (on one line: no line is broken at "\n"),
 * within col's bounds. */
static double width_for(const char *s, const col_spec *col)
{
    double w = cm_xbook_col_width((double)cm_wrap_text_width(s, strlen(s)));
    return w < col->min ? col->min : w > col->max ? col->max : w;
}

/* The title row's height: TITLE_LINE_PT a line, padded and capped as a
 * body row. */
static double title_height(size_t lines)
{
    double h = (double)lines * TITLE_LINE_PT + CM_XBOOK_ROW_PAD_PT;
    return h > CM_XBOOK_MAX_ROW_PT ? CM_XBOOK_MAX_ROW_PT : h;
}

typedef struct formats {
    lxw_format *title, *head, *left, *center;
} formats;

/* One sheet: title row, header row (bold, frozen, filtered, repeated on
 * every printed page), then the rows; A4 landscape, fit to one page
 * wide. */
static cm_error write_sheet(lxw_workbook *wb, const formats *f,
                            const table *t, const char *title,
                            lxw_error *le)
{
    const sheet_spec *sp = t->spec;
    size_t nc = sp->ncols;
    lxw_worksheet *ws = workbook_add_worksheet(wb, sp->name);
    double w[16];
    if (!ws)
        return CM_ERR_NOMEM;
    double total = 0;
    for (size_t k = 0; k < nc; k++) {
        w[k] = width_for(sp->cols[k].head, &sp->cols[k]);
        for (size_t r = 0; r < t->nrows; r++) {
            double x = width_for(t->cells[r * nc + k], &sp->cols[k]);
            if (x > w[k])
                w[k] = x;
        }
        cm_xbook_keep(le, worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k,
                                               w[k], NULL));
        total += w[k];
    }
    cm_error e;
    size_t lines, most;
    if ((e = cm_xbook_count_lines(title, total, TITLE_PT, &lines)))
        return e;
    cm_xbook_keep(le, worksheet_set_row(ws, 0, title_height(lines), NULL));
    cm_xbook_keep(le, worksheet_merge_range(ws, 0, 0, 0, (lxw_col_t)(nc - 1),
                                            title, f->title));
    most = 1;
    for (size_t k = 0; k < nc; k++) {
        if ((e = cm_xbook_count_lines(sp->cols[k].head, w[k], CM_XBOOK_BODY_PT,
                                      &lines)))
            return e;
        most = lines > most ? lines : most;
        cm_xbook_keep(le, worksheet_write_string(ws, 1, (lxw_col_t)k,
                                                 sp->cols[k].head, f->head));
    }
    cm_xbook_keep(le,
                  worksheet_set_row(ws, 1, cm_xbook_row_height(most), NULL));
    for (size_t r = 0; r < t->nrows; r++) {
        lxw_row_t row = (lxw_row_t)(r + 2);
        most = 1;
        for (size_t k = 0; k < nc; k++) {
            const char *s = t->cells[r * nc + k];
            lxw_format *cf = sp->cols[k].center ? f->center : f->left;
            if ((e = cm_xbook_count_lines(s, w[k], CM_XBOOK_BODY_PT, &lines)))
                return e;
            most = lines > most ? lines : most;
            if (sp->cols[k].number && s[0])
                cm_xbook_keep(le, worksheet_write_number(ws, row, (lxw_col_t)k,
                                                         strtod(s, NULL), cf));
            else if (!s[0])
                cm_xbook_keep(
                    le, worksheet_write_blank(ws, row, (lxw_col_t)k, cf));
            else
                cm_xbook_keep(
                    le, worksheet_write_string(ws, row, (lxw_col_t)k, s, cf));
        }
        cm_xbook_keep(
            le, worksheet_set_row(ws, row, cm_xbook_row_height(most), NULL));
    }
    cm_xbook_keep(le, worksheet_autofilter(ws, 1, 0, (lxw_row_t)(t->nrows + 1),
                                           (lxw_col_t)(nc - 1)));
    cm_xbook_print_setup(ws, le);
    return CM_OK;
}

/* Writes b's workbook to path (a temporary name). */
static cm_error write_book(ctx *c, const book *b, const char *path,
                           cm_diag *d)
{
    char doc_title[512];
    snprintf(doc_title, sizeof doc_title, "%s %s %d年%d月 信用数据问题明细",
             c->city.name, b->unit, c->year, c->month);
    lxw_workbook *wb;
    cm_error e = cm_xbook_open(path, doc_title, c->created, &wb, d);
    if (e)
        return e;
    lxw_error le = LXW_NO_ERROR;
    formats f = {
        cm_xbook_title_format(wb, TITLE_PT), cm_xbook_body_format(wb, 1, 1),
        cm_xbook_body_format(wb, 0, 0), cm_xbook_body_format(wb, 1, 0)};
    if (!f.title || !f.head || !f.left || !f.center)
        e = CM_ERR_NOMEM;
    for (int k = 0; k < SH__COUNT && !e && le == LXW_NO_ERROR; k++) {
        if (!b->t[k].nrows)
            continue;
        char title[512];
        snprintf(title, sizeof title, "%s %d年%d月 %s", b->unit, c->year,
                 c->month, sheets[k].title);
        e = write_sheet(wb, &f, &b->t[k], title, &le);
    }
    if (e == CM_ERR_NOMEM) {  /* named by no file, as drill's others */
        lxw_workbook_free(wb);
        return nomem(d);
    }
    if (e || le != LXW_NO_ERROR)
        return cm_xbook_abandon(wb, path, le, e, d);
    return cm_xbook_close(wb, path, d);
}

/* Writes <dir>/.<unit>.xlsx.tmp.<pid>, then renames it to
 * <dir>/<unit>.xlsx; nothing is left behind on failure. */
static cm_error publish_book(ctx *c, const book *b, cm_diag *d)
{
    char tmp[DRILL_PATH], final[DRILL_PATH];
    int k1 = snprintf(final, sizeof final, "%s/%s.xlsx", c->o->dir, b->unit);
    int k2 = snprintf(tmp, sizeof tmp, "%s/.%s.xlsx.tmp.%ld", c->o->dir,
                      b->unit, (long)getpid());
    if (k1 < 0 || k2 < 0 || (size_t)k1 >= sizeof final ||
        (size_t)k2 >= sizeof tmp)
        return cm_diag_set(d, CM_ERR_USAGE, c->o->dir, 0, NULL,
                           "output path too long");
    cm_error e = write_book(c, b, tmp, d);
    if (e) {
        unlink(tmp);
        return e;
    }
    if (rename(tmp, final) != 0) {
        int err = errno;
        unlink(tmp);
        return cm_diag_set(d, CM_ERR_IO, final, 0, NULL,
                           "cannot move the workbook into place: %s",
                           strerror(err));
    }
    return CM_OK;
}

/* ---- entry ------------------------------------------------------------ */

/* "YYYY-MM" with a year the calendar can hold (calendar.h: 1900-2199). */
static int parse_period(const char *p, int *y, int *m)
{
    if (!p || strlen(p) != 7 || p[4] != '-')
        return 0;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (p[i] < '0' || p[i] > '9'))
            return 0;
    *y = atoi(p);
    *m = (p[5] - '0') * 10 + (p[6] - '0');
    char first[11];
    snprintf(first, sizeof first, "%.7s-01", p);
    return cm_date_parse(first, 10) != CM_DAY_INVALID;
}

static cm_error setup(ctx *c, cm_diag *d)
{
    const cm_drill_options *o = c->o;
    if (!o->region || !o->region[0] || !o->dir || !o->dir[0])
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, NULL,
                           "drill-down needs a city and an output folder");
    if (!parse_period(o->period, &c->year, &c->month))
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "period",
                           "drill-down period '%s' is not a month YYYY-MM",
                           o->period ? o->period : "");
    if (access(o->dir, W_OK | X_OK) != 0)
        return cm_diag_set(d, CM_ERR_OUTPUT, o->dir, 0, NULL,
                           "cannot write into folder: %s", strerror(errno));
    cm_error e = cm_store_region(c->s, o->region, &c->city, d);
    if (e)
        return e;
    if (strcmp(c->city.level, "city") != 0)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "region",
                           "region %s (%s) is a %s: drill-downs are per city",
                           c->city.code, c->city.name, c->city.level);
    long first = cm_date_days(c->year, c->month, 1);
    long next = c->month == 12 ? cm_date_days(c->year + 1, 1, 1)
                               : cm_date_days(c->year, c->month + 1, 1);
    cm_date_format(first, c->start);
    cm_date_format(next, c->next);
    c->created = (time_t)(next - 1) * 86400;
    if ((e = cm_derive_calendar(c->s, &c->cal, d)))
        return e;
    if (!cm_calendar_covers(c->cal, first))
        return cm_diag_set(d, CM_ERR_DATA, cm_store_path(c->s), 0, "calendar",
                           "the working-day calendar does not cover %d: "
                           "import the %d calendar before a drill-down of %s",
                           c->year, c->year, o->period);
    return CM_OK;
}

cm_error cm_drill_write(cm_store *s, const cm_drill_options *o, int *n_files,
                        cm_diag *d)
{
    if (n_files)
        *n_files = 0;
    if (!s || !o)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, NULL,
                           "drill-down needs a store and options");
    ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.db = cm_store_db(s);
    c.o = o;
    cm_error e = setup(&c, d);
    int written = 0;
    if (!e)
        e = collect_late(&c, d);
    if (!e && o->codes_unit && o->codes_unit[0])
        e = collect_codes(&c, o->codes_unit, d);
    if (!e)
        e = collect_training(&c, d);
    if (!e && c.n_books > 1)
        qsort(c.books, c.n_books, sizeof *c.books, book_cmp);
    /* every name is checked before the first file is written */
    for (size_t i = 0; !e && i < c.n_books; i++)
        e = check_unit_name(&c, c.books[i].unit, d);
    for (size_t i = 0; !e && i < c.n_books; i++)
        if (!(e = publish_book(&c, &c.books[i], d)))
            written++;
    for (size_t i = 0; i < c.n_books; i++) {
        for (int k = 0; k < SH__COUNT; k++)
            table_free(&c.books[i].t[k]);
        free(c.books[i].unit);
    }
    free(c.books);
    cm_calendar_free(c.cal);
    cm_region_clear(&c.city);
    if (n_files)
        *n_files = written;
    return e;
}
