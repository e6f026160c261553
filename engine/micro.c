/*
 * micro.c - bulk import of microdata (issue 3): market entities, double
 * publicity records, blacklist entries, credit commitments and the working
 * day calendar, streamed from CSV into the store, one transaction per file
 * or folder.
 *
 * Lists (fixed; a value outside them refuses the file):
 *   entities.status      存续 在业 开业 迁入 迁出 停业 注销 吊销 撤销
 *                        (the 登记状态 of the national enterprise credit
 *                        information system). In operation: 存续 在业 开业
 *                        迁入 (迁入 is a live entity that moved in; 迁出 has
 *                        left the region; 停业 has stopped trading; the other
 *                        three have ceased to exist).
 *   publicity.kind       许可 处罚
 *   commitments.kind     审批替代型 信用修复型 行业自律型 主动型 (seed 002)
 *   calendar.kind        holiday (a weekday off) | workday (a weekend day
 *                        worked instead, 调休)
 *   yes/no               是 否 1 0 Y N (y n too); blacklist.repair_training
 *                        and repair_commitment may be empty (= 否: an entry
 *                        still listed has not repaired); commitments.published
 *                        may not.
 *
 * Dates: the period in a file's name says which records it carries: their
 * own date (registered, decided, listed, committed) may not lie after its
 * end. What happened to them since (published, removed) may, up to today:
 * a June file exported in July carries June's decisions with their July
 * publication dates; a June file exported on 06-30 carries them empty and
 * the July file completes them (upsert). No date may lie after today, but
 * for calendars: the State Council publishes a year's holidays in advance.
 * A publication dated before its decision is kept: it is a data error that
 * the derivations count apart (DESIGN.md, issue 3), not a malformed row.
 *
 * Calendar files replace, for every year they contain, all the calendar
 * rows of that year (an amended notice is imported as a whole new year
 * file), and record the notices a year follows in calendar_years.
 *
 * Speed (DESIGN.md, SQLite notes; measurements at session and stager):
 * one prepared upsert per file (and one for groups of rows), bound to the
 * batch arena (SQLITE_STATIC is safe: a batch is not refilled before its
 * statements are done; calendars bind the CSV reader's buffers and step
 * inside the row callback); region codes checked against a bitmap of the
 * store's codes loaded once per import (which stands in for the
 * foreign-key probe, switched off meanwhile); first loads staged on the
 * second core (stager).
 *
 * Folders: files are imported in name order, calendars first, in one
 * transaction; a failing file refuses the folder.
 */
#include "micro.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "csv.h"
#include "sha256.h"

/* ORDER CM_MICRO_KIND */
static const char *const kind_names[CM_MI__COUNT] = {
    "entities", "publicity", "blacklist", "commitments", "calendar",
};

#define MAX_COLS 10
/* micro.h: "Text columns are capped at 512 bytes." */
#define MAX_TEXT 512
/* The founding of the PRC: no register this engine reads goes further back,
 * so an earlier date is a typing or Excel conversion error. */
#define FIRST_YEAR 1949
#define N_YEARS (2199 - FIRST_YEAR + 1) /* cm_date_parse stops at 2199 */

/* Columns of each kind, in the order the row functions index them. Every
 * column is required in the header (values may be empty where said).
 * ORDER CM_MICRO_KIND */
static const char *const kind_cols[CM_MI__COUNT][MAX_COLS + 1] = {
    {"code", "name", "region", "registered", "status", NULL},
    {"id", "kind", "source_unit", "region", "subject_name", "subject_code",
     "decided", "published", NULL},
    {"subject", "name", "region", "list", "listing_unit", "listed",
     "removed", "removal_reason", "repair_training", "repair_commitment",
     NULL},
    {"subject", "kind", "date", "published", NULL},
    {"date", "kind", "notice", NULL},
};

/* Upserts on each table's natural key (store.c, schema version 2): an
 * upsert, not INSERT OR REPLACE, so a row keeps its place in the B-tree.
 * ORDER CM_MICRO_KIND */
static const char *const upsert_sql[CM_MI__COUNT] = {
    "INSERT INTO entities(code, name, region, registered, status)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(code, name) DO UPDATE SET"
    " region = excluded.region, registered = excluded.registered,"
    " status = excluded.status",
    "INSERT INTO publicity(id, kind, source_unit, region, subject_name,"
    " subject_code, decided, published)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO UPDATE SET"
    " kind = excluded.kind, source_unit = excluded.source_unit,"
    " region = excluded.region, subject_name = excluded.subject_name,"
    " subject_code = excluded.subject_code, decided = excluded.decided,"
    " published = excluded.published",
    "INSERT INTO blacklist(subject, name, region, list, listing_unit, listed,"
    " removed, removal_reason, repair_training, repair_commitment)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    " ON CONFLICT(subject, list, listed) DO UPDATE SET"
    " name = excluded.name, region = excluded.region,"
    " listing_unit = excluded.listing_unit, removed = excluded.removed,"
    " removal_reason = excluded.removal_reason,"
    " repair_training = excluded.repair_training,"
    " repair_commitment = excluded.repair_commitment",
    "INSERT INTO commitments(subject, kind, date, published)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(subject, kind, date) DO UPDATE SET"
    " published = excluded.published",
    "INSERT INTO calendar(day, kind, notice) VALUES (?1, ?2, ?3)"
    " ON CONFLICT(day) DO UPDATE SET kind = excluded.kind,"
    " notice = excluded.notice",
};

/* The sort key of a first load, a file of a kind that comes in no key
 * order (the register, the blacklist, the commitments: by date or no
 * order) going into an empty table: it is staged and sorted beside the
 * import (see stager). */
static const char *const bulk_key[CM_MI__COUNT] = {
    "code, name", NULL, "subject, list, listed", "subject, kind, date", NULL,
};

/* ---- the reading thread's batches ---- */

/* A file is read, checked and packed into batches by a second thread while
 * this one upserts the previous batch: parsing, validation and hashing
 * (a third of a publicity import's profile) leave SQLite's path. Rows go in
 * groups of GROUP_ROWS per multi-row upsert, which halves the statement
 * overhead of one upsert per row.
 * Measured on publicity-2019-01.csv (389 k rows), bare SQLite loop:
 * 1 row per statement 458 k rows/s, 16 rows 636 k, 64 rows 843 k. */
#define GROUP_ROWS 32
#define BATCH_ROWS 2048
#define N_BATCHES 3
/* A row's values never exceed MAX_COLS * MAX_TEXT bytes. */
#define ARENA_BYTES (1024 * 1024)

/* One bound value: text at arena offset off, or NULL (len = -1), or the
 * integer iv (len = -2). */
typedef struct mparam {
    long long iv;
    size_t off;
    int len;
} mparam;

typedef struct batch {
    mparam par[BATCH_ROWS * MAX_COLS];
    long line[BATCH_ROWS];
    char *arena;
    size_t used;
    int nrows;
} batch;

static const char *const entity_status[] = {
    "存续", "在业", "开业", "迁入", "迁出", "停业", "注销", "吊销", "撤销", NULL,
};
static const char *const publicity_kinds[] = {"许可", "处罚", NULL};
static const char *const commitment_kinds[] = {
    "审批替代型", "信用修复型", "行业自律型", "主动型", NULL,
};
static const char *const calendar_kinds[] = {"holiday", "workday", NULL};

/* The notices a calendar year follows, in order of first use. */
typedef struct cal_year {
    char *notices; /* joined by 、 */
    size_t len;
} cal_year;

typedef struct micro {
    sqlite3 *db;              /* the store's connection, or a scratch one */
    cm_micro_kind kind;
    const char *path;
    const char *const *spec;
    int ncol;                 /* columns of the kind */
    int col[MAX_COLS];        /* CSV index of each spec column */
    size_t nfields;           /* fields in the header row */
    int have_header;
    long rows;
    const char *v[MAX_COLS];  /* trimmed values, borrowed from the row */
    size_t n[MAX_COLS];       /* their lengths (not NUL-terminated) */
    const unsigned char *regions; /* the store's codes (load_regions) */
    char period[8];           /* period in the file name, or "" */
    long period_end;          /* its last day, or LONG_MAX */
    long today;
    long max_day;             /* latest date accepted */
    int bulk;                 /* rows go to a staging table (bulk_key) */
    char *stage_sql;          /* "INSERT INTO cm_stage_<kind> VALUES (...)" */
    sqlite3_stmt *ins;
    sqlite3_stmt *ins_group;  /* GROUP_ROWS rows at once */
    int nparam;               /* values bound per row */
    sqlite3_stmt *cal_has, *cal_del, *cal_year;
    cal_year *years;          /* calendar only: N_YEARS slots */
    /* Pipelined kinds: the reader fills bt (one of b) and hands it over.
     * Calendars have no bt: their rows are bound and stepped at once. */
    batch *bt;
    batch *b[N_BATCHES];
    /* bit per month since 1949-01 holding a row's own date (store.c,
     * micro_changes), set by the reader */
    unsigned char months[N_YEARS * 12 / 8 + 1];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    long produced, consumed;  /* batches handed over / done with */
    int reader_done;          /* the reader has finished (well or not) */
    int writer_failed;        /* the writer has stopped: reader must too */
    atomic_int *cancel;       /* set elsewhere: stop (staged first loads) */
} micro;

const char *cm_micro_kind_name(cm_micro_kind k)
{
    if ((int)k < 0 || k >= CM_MI__COUNT)
        return "";
    return kind_names[k];
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static int ends_csv(const char *base)
{
    size_t n = strlen(base);
    if (n < 4)
        return 0;
    static const char ext[] = ".csv";
    for (size_t i = 0; i < 4; i++) {
        char c = base[n - 4 + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != ext[i])
            return 0;
    }
    return 1;
}

int cm_micro_kind_from_path(const char *path)
{
    const char *base = base_name(path);
    if (!ends_csv(base))
        return -1;
    size_t stem = strcspn(base, "-.");
    for (int k = 0; k < CM_MI__COUNT; k++)
        if (strlen(kind_names[k]) == stem &&
            memcmp(kind_names[k], base, stem) == 0)
            return k;
    return -1;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* The period in a file name after the kind: "publicity-2019-06.csv" ->
 * 2019-06, "-2019-Q2" a quarter, "-2019" a year. Returns 1 and fills
 * period and *end (its last day), 0 when the name has no period
 * ("publicity.csv", "publicity-beijing.csv"), -1 when it starts like one
 * but is not ("publicity-2019-13.csv"). */
static int name_period(const char *path, char period[8], long *end)
{
    const char *base = base_name(path);
    const char *p = base + strcspn(base, "-.");
    period[0] = '\0';
    if ((*p != '-' && *p != '.') || !digits(p + 1, 4) ||
        (p[5] >= '0' && p[5] <= '9'))
        return 0;
    p++;
    int y = num2(p) * 100 + num2(p + 2);
    if (y < FIRST_YEAR || y > 2199)
        return -1;
    if (p[4] == '-' && p[5] == 'Q') {
        if (p[6] < '1' || p[6] > '4' || (p[7] >= '0' && p[7] <= '9'))
            return -1;
        int q = p[6] - '0';
        memcpy(period, p, 7);
        period[7] = '\0';
        *end = q == 4 ? cm_date_days(y + 1, 1, 1) - 1
                      : cm_date_days(y, 3 * q + 1, 1) - 1;
        return 1;
    }
    if (p[4] == '-' && p[5] >= '0' && p[5] <= '9') {
        if (!digits(p + 5, 2) || (p[7] >= '0' && p[7] <= '9'))
            return -1;
        int m = num2(p + 5);
        if (m < 1 || m > 12)
            return -1;
        memcpy(period, p, 7);
        period[7] = '\0';
        *end = m == 12 ? cm_date_days(y + 1, 1, 1) - 1
                       : cm_date_days(y, m + 1, 1) - 1;
        return 1;
    }
    memcpy(period, p, 4);
    period[4] = '\0';
    *end = cm_date_days(y + 1, 1, 1) - 1;
    return 1;
}

/* ---- messages ---- */

/* s[0..n) for a message: cut at 80 bytes on a character boundary. */
static const char *shown(const char *s, size_t n, char buf[96])
{
    if (n > 80) {
        n = 80;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        memcpy(buf, s, n);
        memcpy(buf + n, "...", 4);
        return buf;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

static cm_error fail(micro *m, cm_diag *d, cm_error e, long line,
                     const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

static cm_error fail(micro *m, cm_diag *d, cm_error e, long line,
                     const char *field, const char *fmt, ...)
{
    char msg[sizeof d->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cm_diag_set(d, e, m->path, line, field, "%s", msg);
}

static cm_error db_fail(micro *m, cm_diag *d, long line)
{
    return cm_diag_set(d, CM_ERR_STORE, m->path, line, NULL, "store: %s",
                       sqlite3_errmsg(m->db));
}

/* ---- fields ---- */


static int eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Index of s in a NULL-terminated list, or -1. */
static int in_list(const char *s, size_t n, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (eq(s, n, list[i]))
            return i;
    return -1;
}

static void join_list(const char *const *list, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; list[i]; i++) {
        int k = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "",
                         list[i]);
        if (k < 0 || (size_t)k >= cap - used)
            break;
        used += (size_t)k;
    }
}

static cm_error check_list(micro *m, const cm_csv_row *row, int j,
                           const char *const *list, int *index, cm_diag *d)
{
    int i = in_list(m->v[j], m->n[j], list);
    if (i >= 0) {
        if (index)
            *index = i;
        return CM_OK;
    }
    char b[96], all[256];
    join_list(list, all, sizeof all);
    if (!m->n[j])
        return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j],
                    "empty: give one of %s", all);
    return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j],
                "'%s' is not one of %s", shown(m->v[j], m->n[j], b), all);
}

static cm_error need_text(micro *m, const cm_csv_row *row, int j,
                          cm_diag *d)
{
    if (m->n[j])
        return CM_OK;
    return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j], "empty");
}

static int code_char(char c, int masked)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
           (masked && c == '*');
}

/* A unified social credit code (GB 32100) or, masked set, a citizen ID
 * (GB 11643) possibly masked with '*' (110105********0021). Only the form
 * is checked: failing check digits are what 重错码率 counts. */
static cm_error check_code(micro *m, const cm_csv_row *row, int j,
                           int masked, cm_diag *d)
{
    const char *s = m->v[j];
    size_t n = m->n[j];
    int ok = n == 18;
    for (size_t i = 0; ok && i < n; i++)
        ok = code_char(s[i], masked);
    if (ok)
        return CM_OK;
    char b[96];
    const char *what =
        masked ? "18 characters of 0-9 and A-Z (a unified social credit "
                 "code or a citizen ID, upper-case X), or a masked ID like "
                 "110105********0021"
               : "a unified social credit code is 18 characters of 0-9 and "
                 "A-Z (upper case)";
    if (!n)
        return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j], "empty: %s",
                    what);
    return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j],
                "'%s' (%zu bytes): %s", shown(s, n, b), n, what);
}

static cm_error check_region(micro *m, const cm_csv_row *row, int j,
                             cm_diag *d)
{
    const char *s = m->v[j];
    size_t n = m->n[j];
    char b[96];
    if (n != 6 || !digits(s, 6))
        return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j],
                    "'%s': a region code is 6 digits (GB/T 2260), e.g. "
                    "511800", shown(s, n, b));
    long c = 0;
    for (int i = 0; i < 6; i++)
        c = c * 10 + (s[i] - '0');
    if (!(m->regions[c >> 3] & (1u << (c & 7))))
        return fail(m, d, CM_ERR_REFERENCE, row->line, m->spec[j],
                    "unknown region '%s': import it with regions.csv first",
                    shown(s, n, b));
    return CM_OK;
}

/* A date column: YYYY-MM-DD, real, 1949-10-01 to the file's bound. Empty
 * is allowed when optional (*day = CM_DAY_INVALID); optional dates are the
 * later events of a record (published, removed), bounded by today only. */
static cm_error check_date(micro *m, const cm_csv_row *row, int j,
                           int optional, long *day, cm_diag *d)
{
    long max_day = optional && m->kind != CM_MI_CALENDAR ? m->today : m->max_day;
    const char *s = m->v[j];
    size_t n = m->n[j];
    char b[96], f[11];
    *day = CM_DAY_INVALID;
    if (!n) {
        if (optional)
            return CM_OK;
        return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j],
                    "empty: give a date as YYYY-MM-DD");
    }
    long v = cm_date_parse(s, n);
    if (v == CM_DAY_INVALID)
        return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j],
                    "'%s' is not a date: write a real date as YYYY-MM-DD, "
                    "e.g. 2019-06-03", shown(s, n, b));
    if (v < cm_date_days(FIRST_YEAR, 10, 1))
        return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j],
                    "'%s' is before 1949-10-01", shown(s, n, b));
    if (v > max_day) {
        if (v > m->period_end && !optional) {
            cm_date_format(m->period_end, f);
            return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j],
                        "'%s' is after the end of the file's period %s "
                        "(%s)", shown(s, n, b), m->period, f);
        }
        cm_date_format(m->today, f);
        return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j],
                    "'%s' is in the future (today is %s)", shown(s, n, b), f);
    }
    *day = v;
    return CM_OK;
}

/* 是/否, 1/0, Y/N: 1 or 0; -1 otherwise. */
static int yes_no(const char *s, size_t n)
{
    if (eq(s, n, "是") || eq(s, n, "1") || eq(s, n, "Y") || eq(s, n, "y"))
        return 1;
    if (eq(s, n, "否") || eq(s, n, "0") || eq(s, n, "N") || eq(s, n, "n"))
        return 0;
    return -1;
}

static cm_error check_yes_no(micro *m, const cm_csv_row *row, int j,
                             int empty_is_no, int *out, cm_diag *d)
{
    if (!m->n[j] && empty_is_no) {
        *out = 0;
        return CM_OK;
    }
    *out = yes_no(m->v[j], m->n[j]);
    if (*out >= 0)
        return CM_OK;
    char b[96];
    return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j],
                "'%s': write 是 or 否 (or 1/0, Y/N)",
                shown(m->v[j], m->n[j], b));
}

/* ---- binding ---- */

/* The row's value i (1-based, as the upsert's ?i) is column j. With a
 * batch, the text is copied into its arena (the CSV buffers are reused);
 * without, it is bound in place (the step happens inside the callback). */
static void bind(micro *m, int i, int j)
{
    batch *bt = m->bt;
    if (!bt) {
        sqlite3_bind_text(m->ins, i, m->v[j], (int)m->n[j], SQLITE_STATIC);
        return;
    }
    mparam *p = &bt->par[bt->nrows * m->nparam + i - 1];
    p->off = bt->used;
    p->len = (int)m->n[j];
    memcpy(bt->arena + bt->used, m->v[j], m->n[j]);
    bt->used += m->n[j];
}

static void bind_or_null(micro *m, int i, int j)
{
    if (m->n[j])
        bind(m, i, j);
    else if (m->bt)
        m->bt->par[m->bt->nrows * m->nparam + i - 1].len = -1;
    else
        sqlite3_bind_null(m->ins, i);
}

static void bind_int(micro *m, int i, int v)
{
    if (!m->bt) {
        sqlite3_bind_int(m->ins, i, v);
        return;
    }
    mparam *p = &m->bt->par[m->bt->nrows * m->nparam + i - 1];
    p->len = -2;
    p->iv = v;
}

static cm_error step(micro *m, sqlite3_stmt *q, long line, cm_diag *d)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? CM_OK : db_fail(m, d, line);
}

/* The row's values are all bound: upsert it now, or keep it in the batch. */
static cm_error row_done(micro *m, long line, cm_diag *d)
{
    if (!m->bt)
        return step(m, m->ins, line, d);
    m->bt->line[m->bt->nrows++] = line;
    return CM_OK;
}

/* The month of column j (a date check_date accepted: exactly YYYY-MM-DD,
 * not before FIRST_YEAR) changed in this import. */
static void note_month(micro *m, int j)
{
    const char *s = m->v[j];
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
            (s[3] - '0');
    int k = (y - FIRST_YEAR) * 12 + (s[5] - '0') * 10 + (s[6] - '0') - 1;
    if (k >= 0 && k < N_YEARS * 12)
        m->months[k >> 3] |= (unsigned char)(1u << (k & 7));
}

/* ---- rows of each kind ---- */

static cm_error row_entity(micro *m, const cm_csv_row *row, cm_diag *d)
{
    enum { CODE, NAME, REGION, REGISTERED, STATUS };
    long day;
    cm_error e;
    if ((e = check_code(m, row, CODE, 0, d)) ||
        (e = need_text(m, row, NAME, d)) ||
        (e = check_region(m, row, REGION, d)) ||
        (e = check_date(m, row, REGISTERED, 0, &day, d)) ||
        (e = check_list(m, row, STATUS, entity_status, NULL, d)))
        return e;
    note_month(m, REGISTERED);
    for (int j = 0; j < 5; j++)
        bind(m, j + 1, j);
    return row_done(m, row->line, d);
}

static cm_error row_publicity(micro *m, const cm_csv_row *row, cm_diag *d)
{
    enum { ID, KIND, SOURCE, REGION, SNAME, SCODE, DECIDED, PUBLISHED };
    long decided, published;
    cm_error e;
    if ((e = need_text(m, row, ID, d)) ||
        (e = check_list(m, row, KIND, publicity_kinds, NULL, d)) ||
        (e = need_text(m, row, SOURCE, d)) ||
        (e = check_region(m, row, REGION, d)) ||
        (e = need_text(m, row, SNAME, d)) ||
        (m->n[SCODE] && (e = check_code(m, row, SCODE, 0, d))) ||
        (e = check_date(m, row, DECIDED, 0, &decided, d)) ||
        (e = check_date(m, row, PUBLISHED, 1, &published, d)))
        return e;
    (void)decided;
    (void)published;
    note_month(m, DECIDED);
    for (int j = 0; j < 7; j++)
        bind(m, j + 1, j);
    bind_or_null(m, 8, PUBLISHED); /* empty: not yet published */
    return row_done(m, row->line, d);
}

static cm_error row_blacklist(micro *m, const cm_csv_row *row, cm_diag *d)
{
    enum { SUBJECT, NAME, REGION, LIST, UNIT, LISTED, REMOVED, REASON,
           TRAINING, COMMITMENT };
    long listed, removed;
    int training, commitment;
    cm_error e;
    if ((e = check_code(m, row, SUBJECT, 1, d)) ||
        (e = need_text(m, row, NAME, d)) ||
        (e = check_region(m, row, REGION, d)) ||
        (e = need_text(m, row, LIST, d)) ||
        (e = need_text(m, row, UNIT, d)) ||
        (e = check_date(m, row, LISTED, 0, &listed, d)) ||
        (e = check_date(m, row, REMOVED, 1, &removed, d)))
        return e;
    if (removed != CM_DAY_INVALID && removed < listed) {
        char b[96], f[11];
        cm_date_format(listed, f);
        return fail(m, d, CM_ERR_FIELD, row->line, m->spec[REMOVED],
                    "'%s' is before the listing (listed %s)",
                    shown(m->v[REMOVED], m->n[REMOVED], b), f);
    }
    if ((e = check_yes_no(m, row, TRAINING, 1, &training, d)) ||
        (e = check_yes_no(m, row, COMMITMENT, 1, &commitment, d)))
        return e;
    note_month(m, LISTED);
    for (int j = 0; j < 6; j++)
        bind(m, j + 1, j);
    bind_or_null(m, 7, REMOVED);
    bind(m, 8, REASON);
    bind_int(m, 9, training);
    bind_int(m, 10, commitment);
    return row_done(m, row->line, d);
}

static cm_error row_commitment(micro *m, const cm_csv_row *row, cm_diag *d)
{
    enum { SUBJECT, KIND, DATE, PUBLISHED };
    long day;
    int published;
    cm_error e;
    if ((e = check_code(m, row, SUBJECT, 0, d)) ||
        (e = check_list(m, row, KIND, commitment_kinds, NULL, d)) ||
        (e = check_date(m, row, DATE, 0, &day, d)) ||
        (e = check_yes_no(m, row, PUBLISHED, 0, &published, d)))
        return e;
    note_month(m, DATE);
    for (int j = 0; j < 3; j++)
        bind(m, j + 1, j);
    bind_int(m, 4, published);
    return row_done(m, row->line, d);
}

/* Adds notice to the year's list unless it is there already. */
static int add_notice(cal_year *y, const char *s, size_t n)
{
    static const char sep[] = "、";
    const size_t sl = sizeof sep - 1;
    for (const char *p = y->notices; p && *p;) {
        const char *q = strstr(p, sep);
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len == n && memcmp(p, s, n) == 0)
            return 0;
        p = q ? q + sl : p + len;
    }
    size_t need = y->len + (y->len ? sl : 0) + n + 1;
    char *nb = realloc(y->notices, need);
    if (!nb)
        return -1;
    if (y->len) {
        memcpy(nb + y->len, sep, sl);
        y->len += sl;
    }
    memcpy(nb + y->len, s, n);
    y->len += n;
    nb[y->len] = '\0';
    y->notices = nb;
    return 0;
}

static cm_error row_calendar(micro *m, const cm_csv_row *row, cm_diag *d)
{
    enum { DATE, KIND, NOTICE };
    long day;
    int workday = 0;
    cm_error e;
    if ((e = check_date(m, row, DATE, 0, &day, d)) ||
        (e = check_list(m, row, KIND, calendar_kinds, &workday, d)) ||
        (e = need_text(m, row, NOTICE, d)))
        return e;
    static const char *const wd[] = {"", "Monday", "Tuesday", "Wednesday",
                                     "Thursday", "Friday", "Saturday",
                                     "Sunday"};
    int w = cm_date_weekday(day);
    char b[96];
    if (!workday && w >= 6)
        return fail(m, d, CM_ERR_FIELD, row->line, m->spec[DATE],
                    "%s is a %s: a holiday must fall on a weekday (Monday "
                    "to Friday); weekends are off anyway",
                    shown(m->v[DATE], m->n[DATE], b), wd[w]);
    if (workday && w < 6)
        return fail(m, d, CM_ERR_FIELD, row->line, m->spec[DATE],
                    "%s is a %s: a workday (调休) must fall on a weekend; "
                    "weekdays are worked anyway",
                    shown(m->v[DATE], m->n[DATE], b), wd[w]);
    int y = (m->v[DATE][0] - '0') * 1000 + num2(m->v[DATE] + 1) * 10 +
            (m->v[DATE][3] - '0');
    cal_year *cy = &m->years[y - FIRST_YEAR];
    if (!cy->notices) {
        /* first row of this year in the file: the file replaces the year */
        char from[16], to[16];
        snprintf(from, sizeof from, "%04d-01-01", y);
        snprintf(to, sizeof to, "%04d-12-31", y);
        sqlite3_bind_text(m->cal_del, 1, from, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(m->cal_del, 2, to, -1, SQLITE_TRANSIENT);
        if ((e = step(m, m->cal_del, row->line, d)))
            return e;
    } else {
        /* the year's old rows are gone: a row here came from this file */
        sqlite3_bind_text(m->cal_has, 1, m->v[DATE], (int)m->n[DATE],
                          SQLITE_STATIC);
        int rc = sqlite3_step(m->cal_has);
        sqlite3_reset(m->cal_has);
        if (rc == SQLITE_ROW)
            return fail(m, d, CM_ERR_DUPLICATE, row->line, m->spec[DATE],
                        "%s is listed twice in this file",
                        shown(m->v[DATE], m->n[DATE], b));
        if (rc != SQLITE_DONE)
            return db_fail(m, d, row->line);
    }
    if (add_notice(cy, m->v[NOTICE], m->n[NOTICE]) != 0)
        return cm_diag_set(d, CM_ERR_NOMEM, m->path, row->line, NULL,
                           "out of memory");
    for (int j = 0; j < 3; j++)
        bind(m, j + 1, j);
    return step(m, m->ins, row->line, d);
}

/* ---- header and rows ---- */

static int ascii_ieq(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

static const char *expected_cols(const micro *m, char *buf, size_t cap)
{
    join_list(m->spec, buf, cap);
    return buf;
}

static cm_error read_header(micro *m, const cm_csv_row *row, cm_diag *d)
{
    char exp[256], b[96];
    for (int j = 0; j < MAX_COLS; j++)
        m->col[j] = -1;
    for (size_t i = 0; i < row->n; i++) {
        const char *f = row->fields[i];
        size_t len = row->lens[i];
        cm_csv_trim(&f, &len);
        if (!len)
            return fail(m, d, CM_ERR_CSV, row->line, NULL,
                        "header: column %zu has no name (expected: %s)",
                        i + 1, expected_cols(m, exp, sizeof exp));
        int j = -1;
        for (int k = 0; k < m->ncol; k++)
            if (ascii_ieq(f, len, m->spec[k]))
                j = k;
        if (j < 0) {
            shown(f, len, b);
            return fail(m, d, CM_ERR_CSV, row->line, b,
                        "unknown column '%s' in a %s file (expected: %s)", b,
                        kind_names[m->kind],
                        expected_cols(m, exp, sizeof exp));
        }
        if (m->col[j] >= 0)
            return fail(m, d, CM_ERR_CSV, row->line, m->spec[j],
                        "column '%s' named twice (columns %d and %zu)",
                        m->spec[j], m->col[j] + 1, i + 1);
        m->col[j] = (int)i;
    }
    for (int j = 0; j < m->ncol; j++)
        if (m->col[j] < 0)
            return fail(m, d, CM_ERR_CSV, row->line, m->spec[j],
                        "missing column '%s' in a %s file (expected: %s)",
                        m->spec[j], kind_names[m->kind],
                        expected_cols(m, exp, sizeof exp));
    m->nfields = row->n;
    m->have_header = 1;
    return CM_OK;
}

/* Reader side: makes sure the batch being filled has room for one more
 * row, handing it to the writer when full. CM_ERR_STORE when the writer
 * has stopped (its own message says why). */
static cm_error batch_room(micro *m)
{
    batch *bt = m->bt;
    if (bt->nrows < BATCH_ROWS &&
        bt->used + (size_t)MAX_COLS * MAX_TEXT <= ARENA_BYTES)
        return CM_OK;
    pthread_mutex_lock(&m->mu);
    m->produced++;
    pthread_cond_broadcast(&m->cv);
    while (m->produced - m->consumed >= N_BATCHES && !m->writer_failed)
        pthread_cond_wait(&m->cv, &m->mu);
    int stop = m->writer_failed;
    long slot = m->produced % N_BATCHES;
    pthread_mutex_unlock(&m->mu);
    if (stop)
        return CM_ERR_STORE;
    m->bt = m->b[slot];
    m->bt->nrows = 0;
    m->bt->used = 0;
    return CM_OK;
}

static cm_error on_row(void *ctx, const cm_csv_row *row, cm_diag *d)
{
    micro *m = ctx;
    if (!m->have_header)
        return read_header(m, row, d);
    int all_empty = 1;
    for (size_t i = 0; i < row->n && all_empty; i++) {
        const char *f = row->fields[i];
        size_t len = row->lens[i];
        cm_csv_trim(&f, &len);
        all_empty = len == 0;
    }
    if (all_empty) /* a row Excel left blank (",,,,") */
        return CM_OK;
    if (row->n != m->nfields)
        return fail(m, d, CM_ERR_CSV, row->line, NULL,
                    "row has %zu fields, the header has %zu", row->n,
                    m->nfields);
    for (int j = 0; j < m->ncol; j++) {
        const char *f = row->fields[m->col[j]];
        size_t len = row->lens[m->col[j]];
        cm_csv_trim(&f, &len);
        if (len > MAX_TEXT)
            return fail(m, d, CM_ERR_FIELD, row->line, m->spec[j],
                        "%zu bytes: a value is at most %d bytes", len,
                        MAX_TEXT);
        m->v[j] = f;
        m->n[j] = len;
    }
    cm_error e;
    if (m->bt && (e = batch_room(m)))
        return e;
    switch (m->kind) {
    case CM_MI_ENTITIES: e = row_entity(m, row, d); break;
    case CM_MI_PUBLICITY: e = row_publicity(m, row, d); break;
    case CM_MI_BLACKLIST: e = row_blacklist(m, row, d); break;
    case CM_MI_COMMITMENTS: e = row_commitment(m, row, d); break;
    default: e = row_calendar(m, row, d); break;
    }
    if (!e)
        m->rows++;
    return e;
}

/* ---- one file ---- */

static cm_error prepare(micro *m, const char *sql, sqlite3_stmt **q,
                        cm_diag *d)
{
    if (sqlite3_prepare_v2(m->db, sql, -1, q, NULL) != SQLITE_OK)
        return db_fail(m, d, 0);
    return CM_OK;
}

/* The store's region codes as a bitmap over 000000-999999 (125 KB): one
 * bit test per row instead of a query. Read once per import, inside its
 * transaction, so no one can delete a region meanwhile. */
static cm_error load_regions(sqlite3 *db, const char *path,
                             unsigned char **out, cm_diag *d)
{
    unsigned char *map = calloc(1000000 / 8 + 1, 1);
    if (!map)
        return cm_diag_set(d, CM_ERR_NOMEM, path, 0, NULL, "out of memory");
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT code FROM regions", -1, &q, NULL) !=
        SQLITE_OK) {
        free(map);
        return cm_diag_set(d, CM_ERR_STORE, path, 0, NULL, "store: %s",
                           sqlite3_errmsg(db));
    }
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(q, 0);
        if (c && strlen(c) == 6 && digits(c, 6)) {
            long v = atol(c);
            map[v >> 3] |= (unsigned char)(1u << (v & 7));
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        free(map);
        return cm_diag_set(d, CM_ERR_STORE, path, 0, NULL, "store: %s",
                           sqlite3_errmsg(db));
    }
    *out = map;
    return CM_OK;
}

static long today_day(void)
{
    time_t t = time(NULL);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return LONG_MAX;
    return cm_date_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Writes calendar_years for every year the file held. */
static cm_error finish_calendar(micro *m, cm_diag *d)
{
    for (int i = 0; i < N_YEARS; i++) {
        if (!m->years[i].notices)
            continue;
        sqlite3_bind_int(m->cal_year, 1, FIRST_YEAR + i);
        sqlite3_bind_text(m->cal_year, 2, m->years[i].notices,
                          (int)m->years[i].len, SQLITE_STATIC);
        cm_error e = step(m, m->cal_year, 0, d);
        if (e)
            return e;
    }
    return CM_OK;
}

static cm_error record_import(micro *m, const char *hex, long long size,
                              cm_diag *d)
{
    sqlite3_stmt *q;
    cm_error e = prepare(m,
                         "INSERT OR REPLACE INTO imports(sha256, kind, file,"
                         " size, rows) VALUES (?1, ?2, ?3, ?4, ?5)", &q, d);
    if (e)
        return e;
    sqlite3_bind_text(q, 1, hex, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, kind_names[m->kind], -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, m->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, size);
    sqlite3_bind_int64(q, 5, m->rows);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? CM_OK : db_fail(m, d, 0);
}

/* Logs the months this file changed (store.c, micro_changes) under a new
 * sequence number, which also stamps the months the triggers logged. */
static cm_error record_changes(micro *m, cm_diag *d)
{
    sqlite3_stmt *q;
    cm_error e = prepare(m, "SELECT coalesce(max(seq), 0) + 1"
                            " FROM micro_changes", &q, d);
    if (e)
        return e;
    long long seq = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0)
                                                  : 0;
    sqlite3_finalize(q);
    if (!seq)
        return db_fail(m, d, 0);
    if ((e = prepare(m, "INSERT INTO micro_changes(tbl, month, seq)"
                        " VALUES (?1, ?2, ?3)"
                        " ON CONFLICT DO UPDATE SET seq = excluded.seq",
                     &q, d)))
        return e;
    for (int k = 0; k < N_YEARS * 12 && !e; k++) {
        if (!(m->months[k >> 3] & (1u << (k & 7))))
            continue;
        char month[16];
        snprintf(month, sizeof month, "%04d-%02d", FIRST_YEAR + k / 12,
                 k % 12 + 1);
        sqlite3_bind_text(q, 1, kind_names[m->kind], -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, month, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 3, seq);
        e = step(m, q, 0, d);
    }
    sqlite3_finalize(q);
    if (e)
        return e;
    if ((e = prepare(m, "UPDATE micro_changes SET seq = ?1"
                        " WHERE seq IS NULL", &q, d)))
        return e;
    sqlite3_bind_int64(q, 1, seq);
    e = step(m, q, 0, d);
    sqlite3_finalize(q);
    return e;
}

static void micro_clear(micro *m)
{
    sqlite3_finalize(m->ins);
    sqlite3_finalize(m->ins_group);
    free(m->stage_sql);
    for (int i = 0; i < N_BATCHES; i++) {
        if (m->b[i])
            free(m->b[i]->arena);
        free(m->b[i]);
    }
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    sqlite3_finalize(m->cal_has);
    sqlite3_finalize(m->cal_del);
    sqlite3_finalize(m->cal_year);
    if (m->years)
        for (int i = 0; i < N_YEARS; i++)
            free(m->years[i].notices);
    free(m->years);
}

/* "INSERT ... VALUES (?1, ...) ON CONFLICT ..." for GROUP_ROWS rows. */
static char *group_sql(const char *one, int np)
{
    const char *v = strstr(one, " VALUES (");
    const char *close = v ? strchr(v, ')') : NULL;
    if (!close)
        return NULL;
    size_t head = (size_t)(v - one), cap = strlen(one) + 16;
    cap += (size_t)GROUP_ROWS * (size_t)np * 8 + 16;
    char *sql = malloc(cap);
    if (!sql)
        return NULL;
    memcpy(sql, one, head);
    size_t n = head + (size_t)snprintf(sql + head, cap - head, " VALUES ");
    for (int g = 0; g < GROUP_ROWS; g++)
        for (int i = 0; i < np; i++)
            n += (size_t)snprintf(sql + n, cap - n, "%s?%d%s",
                                  i ? ", " : g ? ", (" : "(",
                                  g * np + i + 1, i == np - 1 ? ")" : "");
    snprintf(sql + n, cap - n, "%s", close + 1);
    return sql;
}

static void bind_row(const micro *m, sqlite3_stmt *q, int first,
                     const batch *bt, int r)
{
    const mparam *p = &bt->par[r * m->nparam];
    for (int i = 0; i < m->nparam; i++) {
        int k = first + i + 1;
        if (p[i].len == -1)
            sqlite3_bind_null(q, k);
        else if (p[i].len == -2)
            sqlite3_bind_int64(q, k, p[i].iv);
        else
            sqlite3_bind_text(q, k, bt->arena + p[i].off, p[i].len,
                              SQLITE_STATIC);
    }
}

/* Writer side: upserts one batch, GROUP_ROWS rows per statement, the rest
 * one by one. */
static cm_error write_batch(micro *m, const batch *bt, cm_diag *d)
{
    int r = 0;
    for (; r + GROUP_ROWS <= bt->nrows; r += GROUP_ROWS) {
        for (int g = 0; g < GROUP_ROWS; g++)
            bind_row(m, m->ins_group, g * m->nparam, bt, r + g);
        int rc = sqlite3_step(m->ins_group);
        sqlite3_reset(m->ins_group);
        if (rc != SQLITE_DONE)
            return cm_diag_set(d, CM_ERR_STORE, m->path, bt->line[r], NULL,
                               "store: %s (writing the rows of lines %ld "
                               "to %ld)", sqlite3_errmsg(m->db),
                               bt->line[r], bt->line[r + GROUP_ROWS - 1]);
    }
    for (; r < bt->nrows; r++) {
        bind_row(m, m->ins, 0, bt, r);
        cm_error e = step(m, m->ins, bt->line[r], d);
        if (e)
            return e;
    }
    return CM_OK;
}

/* Writer side: upserts batches as the reader hands them over, until it
 * has finished and none is left. */
static cm_error write_batches(micro *m, cm_diag *d)
{
    for (;;) {
        pthread_mutex_lock(&m->mu);
        while (m->consumed == m->produced && !m->reader_done)
            pthread_cond_wait(&m->cv, &m->mu);
        int idle = m->consumed == m->produced;
        const batch *bt = m->b[m->consumed % N_BATCHES];
        pthread_mutex_unlock(&m->mu);
        if (idle)
            return CM_OK;
        cm_error e = m->cancel && atomic_load(m->cancel)
                         ? cm_diag_set(d, CM_ERR_STORE, m->path, 0, NULL,
                                       "stopped: another file of the import"
                                       " failed")
                         : write_batch(m, bt, d);
        pthread_mutex_lock(&m->mu);
        if (e)
            m->writer_failed = 1;
        else
            m->consumed++;
        pthread_cond_broadcast(&m->cv);
        pthread_mutex_unlock(&m->mu);
        if (e)
            return e;
    }
}

typedef struct reader_job {
    micro *m;
    cm_error e;
    cm_diag d;
    char hex[65];
    long long size;
} reader_job;

/* The reading thread: parses, checks and packs the whole file, then hands
 * over the last, partly filled batch. */
static void *reader_main(void *arg)
{
    reader_job *job = arg;
    micro *m = job->m;
    job->e = cm_csv_read_hash(m->path, on_row, m, NULL, job->hex, &job->size,
                              &job->d);
    pthread_mutex_lock(&m->mu);
    if (!job->e && m->bt->nrows)
        m->produced++;
    m->reader_done = 1;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

/* Reads path on a second thread while this one writes. */
static cm_error read_pipelined(micro *m, char hex[65], long long *size,
                               cm_diag *d)
{
    reader_job job;
    memset(&job, 0, sizeof job);
    job.m = m;
    cm_diag_clear(&job.d);
    for (int i = 0; i < N_BATCHES; i++) {
        if (!(m->b[i] = calloc(1, sizeof *m->b[i])) ||
            !(m->b[i]->arena = malloc(ARENA_BYTES)))
            return cm_diag_set(d, CM_ERR_NOMEM, m->path, 0, NULL,
                               "out of memory");
    }
    m->bt = m->b[0];
    char *gsql = group_sql(m->bulk ? m->stage_sql : upsert_sql[m->kind],
                           m->nparam);
    if (!gsql)
        return cm_diag_set(d, CM_ERR_NOMEM, m->path, 0, NULL,
                           "out of memory");
    cm_error e = prepare(m, gsql, &m->ins_group, d);
    free(gsql);
    if (e)
        return e;
    pthread_t t;
    if (pthread_create(&t, NULL, reader_main, &job) != 0)
        return cm_diag_set(d, CM_ERR_NOMEM, m->path, 0, NULL,
                           "cannot start the reading thread");
    e = write_batches(m, d);
    pthread_join(t, NULL);
    if (e) /* the reader stopped for the writer: the writer's error counts */
        return e;
    if (job.e) {
        *d = job.d;
        return job.e;
    }
    memcpy(hex, job.hex, sizeof job.hex);
    *size = job.size;
    return CM_OK;
}

/* ---- one file ---- */

/* Sets m up to read kind's file at path and write its rows with db (the
 * store's connection, or a scratch one for a staged first load). Cannot
 * fail; micro_clear undoes it. */
static void micro_init(micro *m, sqlite3 *db, cm_micro_kind kind,
                       const char *path, const unsigned char *regions,
                       int bulk)
{
    memset(m, 0, sizeof *m);
    m->db = db;
    m->kind = kind;
    m->path = path;
    m->spec = kind_cols[kind];
    while (m->spec[m->ncol])
        m->ncol++;
    m->nparam = m->ncol;
    m->regions = regions;
    m->bulk = bulk && bulk_key[kind] != NULL;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    m->today = today_day();
    m->period_end = LONG_MAX;
}

/* The kind's columns, "code, name, ...", into buf (n bytes; its columns
 * take well under 256). */
static void stage_columns(const micro *m, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < m->ncol && at < n; i++)
        at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? ", " : "",
                               m->spec[i]);
}

/* Creates cm_stage_<kind> with the kind's columns (in the scratch
 * database), and the statement that fills it. */
static cm_error stage_begin(micro *m, cm_diag *d)
{
    char cols[256], vals[256] = "";
    size_t nv = 0;
    stage_columns(m, cols, sizeof cols);
    for (int i = 0; i < m->ncol; i++)
        nv += (size_t)snprintf(vals + nv, sizeof vals - nv, "%s?%d",
                               i ? ", " : "", i + 1);
    char sql[400];
    snprintf(sql, sizeof sql, "CREATE TABLE cm_stage_%s(%s)",
             kind_names[m->kind], cols);
    if (sqlite3_exec(m->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(m, d, 0);
    size_t n = strlen(vals) + 64;
    if (!(m->stage_sql = malloc(n)))
        return cm_diag_set(d, CM_ERR_NOMEM, m->path, 0, NULL, "out of memory");
    snprintf(m->stage_sql, n, "INSERT INTO cm_stage_%s VALUES (%s)",
             kind_names[m->kind], vals);
    return CM_OK;
}

/* Upserts the staged rows in key order into a copy of their table (create:
 * its CREATE TABLE as the store has it), then builds the copy's indexes
 * (indexes: their CREATE INDEX statements, or ""), each by one sort. */
static cm_error stage_finish(micro *m, const char *create, const char *indexes,
                             cm_diag *d)
{
    if (sqlite3_exec(m->db, create, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(m, d, 0);
    /* upsert_sql[kind] is "INSERT INTO t(cols) VALUES (...) ON CONFLICT
     * ...": its head and tail around a SELECT of the staged rows */
    const char *one = upsert_sql[m->kind];
    const char *v = strstr(one, " VALUES (");
    const char *tail = strstr(one, " ON CONFLICT");
    char cols[256], sql[1024];
    stage_columns(m, cols, sizeof cols);
    int n = snprintf(sql, sizeof sql,
                     "%.*s SELECT %s FROM cm_stage_%s WHERE true"
                     " ORDER BY %s, rowid%s",
                     (int)(v - one), one, cols, kind_names[m->kind],
                     bulk_key[m->kind], tail);
    if (n < 0 || (size_t)n >= sizeof sql)
        return cm_diag_set(d, CM_ERR_STORE, m->path, 0, NULL,
                           "staged upsert longer than %zu bytes", sizeof sql);
    if (sqlite3_exec(m->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(m->db, indexes, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(m, d, 0);
    return CM_OK;
}

/* Reads m's file: checks every row and writes it (or stages it, m->bulk),
 * then writes the calendar's years. hex and size: the file's SHA-256 and
 * byte count. */
static cm_error micro_load(micro *m, char hex[65], long long *size,
                           cm_diag *d)
{
    cm_micro_kind kind = m->kind;
    const char *path = m->path;
    int np = name_period(path, m->period, &m->period_end);
    if (np < 0)
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, NULL,
                           "the file name holds a period that is not one "
                           "(write %s-YYYY-MM.csv, %s-YYYY-Qn.csv or "
                           "%s-YYYY.csv)", kind_names[kind],
                           kind_names[kind], kind_names[kind]);
    /* calendars are published before the year they cover */
    m->max_day = kind == CM_MI_CALENDAR || m->today > m->period_end
                     ? m->period_end
                     : m->today;
    cm_error e;
    if ((m->bulk && (e = stage_begin(m, d))) ||
        (e = prepare(m, m->bulk ? m->stage_sql : upsert_sql[kind], &m->ins,
                     d)))
        return e;
    if (kind == CM_MI_CALENDAR) {
        m->years = calloc(N_YEARS, sizeof *m->years);
        if (!m->years)
            return cm_diag_set(d, CM_ERR_NOMEM, path, 0, NULL,
                               "out of memory");
        if ((e = prepare(m, "SELECT 1 FROM calendar WHERE day = ?1",
                         &m->cal_has, d)) ||
            (e = prepare(m,
                         "DELETE FROM calendar WHERE day BETWEEN ?1 AND ?2",
                         &m->cal_del, d)) ||
            (e = prepare(m,
                         "INSERT INTO calendar_years(year, notice)"
                         " VALUES (?1, ?2) ON CONFLICT(year) DO UPDATE"
                         " SET notice = excluded.notice",
                         &m->cal_year, d)))
            return e;
    }
    /* The audit hash is taken by cm_csv_read_hash as it reads the file to
     * parse it: a separate pass cost 0.9 s of a 2 M-row publicity import,
     * and a second thread hashing alongside gained nothing measurable
     * (SQLite's and malloc's locks turn atomic once a process has two
     * threads). */
    if (kind == CM_MI_CALENDAR) /* a few rows, stepped as they are read */
        e = cm_csv_read_hash(path, on_row, m, NULL, hex, size, d);
    else
        e = read_pipelined(m, hex, size, d);
    if (!e && !m->have_header) {
        char exp[256];
        e = cm_diag_set(d, CM_ERR_CSV, path, 0, NULL,
                        "empty file: no header row (expected: %s)",
                        expected_cols(m, exp, sizeof exp));
    }
    if (!e && kind == CM_MI_CALENDAR)
        e = finish_calendar(m, d);
    return e;
}

/* Imports one file into the store, inside the caller's transaction, and
 * logs it (micro_changes, imports). */
static cm_error import_one(sqlite3 *db, cm_micro_kind kind, const char *path,
                           const unsigned char *regions, atomic_int *cancel,
                           long *rows, cm_diag *d)
{
    micro m;
    micro_init(&m, db, kind, path, regions, 0);
    m.cancel = cancel;
    char hex[65];
    long long size = 0;
    cm_error e = micro_load(&m, hex, &size, d);
    if (!e && kind != CM_MI_CALENDAR)
        e = record_changes(&m, d);
    if (!e)
        e = record_import(&m, hex, size, d);
    if (!e && rows)
        *rows = m.rows;
    micro_clear(&m);
    return e;
}

/* ---- first loads, staged beside the import ---- */

/* Is kind's table empty and its file worth staging (bulk_key)? */
static int bulk_fits(sqlite3 *db, cm_micro_kind kind)
{
    if (!bulk_key[kind])
        return 0;
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT NOT EXISTS (SELECT 1 FROM %s)",
             kind_names[kind]);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return 0;
    int empty = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return empty;
}

/* A first load is the register, the blacklist or the commitments going
 * into an empty table (bulk_key). Those files come in no key order, so row
 * by row each upsert lands at a random place of the B-tree (register:
 * 8.4 s). Instead, a stager reads them into a scratch database beside the
 * store, with a connection of its own, on a thread of its own while this
 * one imports the folder's other files (the second core was idle: the
 * import is bound by this thread's SQLite writes). There the rows are
 * staged, then upserted in key order into a copy of their table (file
 * order among equal keys: the last one wins, as row by row), and the
 * copy's indexes are built, each by one sort. The importing thread then
 * copies the table into the store with one INSERT INTO t SELECT * FROM
 * cm_scratch.t, which SQLite runs as a transfer into an empty table (whole
 * records in key order, indexes included: 1.2 s for the 2 M-entry register
 * against 15 s as a plain INSERT ... SELECT). The copy is in the import's
 * transaction, so a refused file undoes it with the rest. The scratch
 * file (<store>.stage-XXXXXX) is deleted in the end, whatever happened.
 * Its sorts spill to SQLite's temporary files, not to memory. The whole
 * make bench import: 29.5-32.0 s with the writer sorting, 24.0-28.3 s
 * staged here (alternate runs, 2026-12-02). */
typedef struct stage_job {
    cm_micro_kind kind;
    const char *path; /* borrowed */
    long rows;
    char hex[65];
    long long size;
    unsigned char months[N_YEARS * 12 / 8 + 1]; /* as micro's */
} stage_job;

typedef struct stager {
    char *file;  /* the scratch database */
    sqlite3 *db; /* its connection: the staging thread's while it runs */
    const unsigned char *regions; /* the store's, borrowed */
    char *create[CM_MI__COUNT];   /* CREATE TABLE of a staged kind */
    char *indexes[CM_MI__COUNT];  /* its CREATE INDEX statements, or "" */
    stage_job job[CM_MI__COUNT];  /* one first load per kind at most */
    int njob;
    atomic_int cancel; /* stager_free while it runs: stop */
    atomic_int failed; /* the staging thread failed: e, d say why */
    cm_error e;
    cm_diag d;
    pthread_t thread;
    int running;  /* the thread is to be joined */
    int attached; /* as cm_scratch, to the store's connection */
} stager;

static int stager_cancelled(void *arg)
{
    stager *g = arg;
    return atomic_load(&g->cancel);
}

/* Closes the scratch database, detaches and deletes it. The importing
 * thread's transaction must be over (a database in use cannot be
 * detached). */
static void stager_free(stager *g, sqlite3 *store_db)
{
    if (!g)
        return;
    if (g->running) {
        atomic_store(&g->cancel, 1);
        pthread_join(g->thread, NULL);
    }
    if (g->attached)
        sqlite3_exec(store_db, "DETACH cm_scratch", NULL, NULL, NULL);
    sqlite3_close(g->db);
    if (g->file)
        unlink(g->file);
    free(g->file);
    for (int k = 0; k < CM_MI__COUNT; k++) {
        sqlite3_free(g->create[k]);
        sqlite3_free(g->indexes[k]);
    }
    free(g);
}

/* Is path a scratch database of ours: a regular file, empty or an SQLite
 * database (what stager_new makes and SQLite writes into)? */
static int is_scratch(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    if (st.st_size == 0)
        return 1;
    static const char magic[16] = "SQLite format 3";
    char head[16];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    return n == sizeof head && !memcmp(head, magic, sizeof head);
}

/* Deletes the scratch databases a killed import left beside the store:
 * named store_path.stage-XXXXXX (six letters or digits, as mkstemp makes
 * them) and is_scratch. Called with the store's write lock held: only its
 * holder makes one, and deletes it once it is done, so one found now is
 * no live import's (or one that has just committed and no longer reads
 * it). */
static void remove_stale_scratch(const char *store_path)
{
    const char *slash = strrchr(store_path, '/');
    const char *base = slash ? slash + 1 : store_path;
    char *dir = slash ? sqlite3_mprintf("%.*s", (int)(slash - store_path + 1),
                                        store_path)
                      : sqlite3_mprintf("./");
    DIR *dh = dir ? opendir(dir) : NULL;
    size_t blen = strlen(base);
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    struct dirent *de;
    while (dh && (de = readdir(dh)) != NULL) {
        const char *n = de->d_name;
        if (strlen(n) != blen + 13 || strncmp(n, base, blen) ||
            strncmp(n + blen, ".stage-", 7) ||
            strspn(n + blen + 7, alnum) != 6)
            continue;
        char *p = sqlite3_mprintf("%s%s", dir, n);
        if (p && is_scratch(p))
            unlink(p);
        sqlite3_free(p);
    }
    if (dh)
        closedir(dh);
    sqlite3_free(dir);
}

/* A new scratch database beside the store (or in $TMPDIR for a store
 * without a file), opened for bulk writing: no journal, no syncs (it is
 * thrown away on any failure), temporary files for the sorts. */
static cm_error stager_new(const char *store_path,
                           const unsigned char *regions, stager **out,
                           cm_diag *d)
{
    *out = NULL;
    stager *g = calloc(1, sizeof *g);
    int mem = !store_path || !*store_path ||
              !strcmp(store_path, ":memory:") ||
              !strncmp(store_path, "file:", 5);
    const char *tmp = getenv("TMPDIR");
    char *file = mem ? sqlite3_mprintf("%s/credmon.stage-XXXXXX",
                                       tmp && *tmp ? tmp : "/tmp")
                     : sqlite3_mprintf("%s.stage-XXXXXX", store_path);
    if (!g || !file || !(g->file = cm_strdup(file))) {
        sqlite3_free(file);
        free(g);
        return cm_diag_set(d, CM_ERR_NOMEM, store_path, 0, NULL,
                           "out of memory");
    }
    sqlite3_free(file);
    if (!mem)
        remove_stale_scratch(store_path);
    g->regions = regions;
    atomic_init(&g->cancel, 0);
    atomic_init(&g->failed, 0);
    int fd = mkstemp(g->file);
    if (fd < 0) {
        cm_error e = cm_diag_set(d, CM_ERR_IO, g->file, 0, NULL,
                                 "cannot create the scratch database for a"
                                 " first load: %s", strerror(errno));
        free(g->file);
        g->file = NULL;
        stager_free(g, NULL);
        return e;
    }
    close(fd);
    if (sqlite3_open_v2(g->file, &g->db, SQLITE_OPEN_READWRITE, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(g->db,
                     "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                     " PRAGMA cache_size = -16384; PRAGMA temp_store = FILE;"
                     " PRAGMA foreign_keys = OFF",
                     NULL, NULL, NULL) != SQLITE_OK) {
        cm_error e = cm_diag_set(d, CM_ERR_STORE, g->file, 0, NULL,
                                 "scratch database: %s",
                                 g->db ? sqlite3_errmsg(g->db)
                                       : "out of memory");
        stager_free(g, NULL);
        return e;
    }
    /* a cancel must also stop a sort or an index build under way
     * (sqlite3_interrupt is lost when it comes between two statements) */
    sqlite3_progress_handler(g->db, 10000, stager_cancelled, g);
    *out = g;
    return CM_OK;
}

/* Queues path, kind's first load: its table's and indexes' SQL are read
 * from the store, so the copy matches it exactly (the transfer needs
 * that, and the schema stays store.c's alone). */
static cm_error stager_add(stager *g, sqlite3 *store_db, cm_micro_kind kind,
                           const char *path, cm_diag *d)
{
    static const char *const sql[2] = {
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
        "SELECT coalesce(group_concat(sql, ';'), '') FROM sqlite_master"
        " WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL",
    };
    char **out[2] = {&g->create[kind], &g->indexes[kind]};
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(store_db, sql[i], -1, &q, NULL) != SQLITE_OK)
            return cm_diag_set(d, CM_ERR_STORE, path, 0, NULL, "store: %s",
                               sqlite3_errmsg(store_db));
        sqlite3_bind_text(q, 1, kind_names[kind], -1, SQLITE_STATIC);
        int found = sqlite3_step(q) == SQLITE_ROW &&
                    sqlite3_column_text(q, 0);
        if (found)
            *out[i] = sqlite3_mprintf("%s", sqlite3_column_text(q, 0));
        sqlite3_finalize(q);
        if (!found)
            return cm_diag_set(d, CM_ERR_STORE, path, 0, NULL,
                               "store: no table %s", kind_names[kind]);
        if (!*out[i])
            return cm_diag_set(d, CM_ERR_NOMEM, path, 0, NULL,
                               "out of memory");
    }
    stage_job *j = &g->job[g->njob++];
    j->kind = kind;
    j->path = path;
    return CM_OK;
}

/* Staging thread: reads one first load into the scratch database. */
static cm_error stage_file(stager *g, stage_job *j, cm_diag *d)
{
    micro m;
    micro_init(&m, g->db, j->kind, j->path, g->regions, 1);
    m.cancel = &g->cancel;
    cm_error e = micro_load(&m, j->hex, &j->size, d);
    if (!e && atomic_load(&g->cancel))
        e = cm_diag_set(d, CM_ERR_STORE, j->path, 0, NULL,
                        "stopped: another file of the import failed");
    if (!e)
        e = stage_finish(&m, g->create[j->kind], g->indexes[j->kind], d);
    j->rows = m.rows;
    memcpy(j->months, m.months, sizeof j->months);
    micro_clear(&m);
    return e;
}

static void *stager_main(void *arg)
{
    stager *g = arg;
    cm_diag_clear(&g->d);
    g->e = sqlite3_exec(g->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK
               ? CM_OK
               : cm_diag_set(&g->d, CM_ERR_STORE, g->file, 0, NULL,
                             "scratch database: %s", sqlite3_errmsg(g->db));
    for (int i = 0; i < g->njob && !g->e; i++)
        g->e = stage_file(g, &g->job[i], &g->d);
    if (!g->e && sqlite3_exec(g->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        g->e = cm_diag_set(&g->d, CM_ERR_STORE, g->file, 0, NULL,
                           "scratch database: %s", sqlite3_errmsg(g->db));
    if (g->e)
        atomic_store(&g->failed, 1);
    return NULL;
}

/* Stages the queued first loads: on a thread of their own when there is
 * other work meanwhile (threaded), else here. */
static cm_error stager_start(stager *g, int threaded, cm_diag *d)
{
    if (!threaded) {
        stager_main(g);
        return CM_OK;
    }
    if (pthread_create(&g->thread, NULL, stager_main, g) != 0)
        return cm_diag_set(d, CM_ERR_NOMEM, g->file, 0, NULL,
                           "cannot start the staging thread");
    g->running = 1;
    return CM_OK;
}

/* Waits for the staging to end; its error, if any. */
static cm_error stager_wait(stager *g, cm_diag *d)
{
    if (g->running) {
        pthread_join(g->thread, NULL);
        g->running = 0;
    }
    if (g->e)
        *d = g->d;
    return g->e;
}

/* Copies job i's staged table into the store (an empty table, in the
 * importing thread's transaction) and logs the file as import_one does. */
static cm_error stager_merge(stager *g, sqlite3 *db, int i, cm_diag *d)
{
    const stage_job *j = &g->job[i];
    micro m; /* for the log and its errors: nothing to clear */
    memset(&m, 0, sizeof m);
    m.db = db;
    m.kind = j->kind;
    m.path = j->path;
    m.rows = j->rows;
    memcpy(m.months, j->months, sizeof m.months);
    if (!g->attached) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(db, "ATTACH ?1 AS cm_scratch", -1, &q, NULL) !=
            SQLITE_OK)
            return db_fail(&m, d, 0);
        sqlite3_bind_text(q, 1, g->file, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE)
            return db_fail(&m, d, 0);
        g->attached = 1;
    }
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT INTO main.%s SELECT * FROM cm_scratch.%s",
             kind_names[j->kind], kind_names[j->kind]);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(&m, d, 0);
    cm_error e = record_changes(&m, d);
    return e ? e : record_import(&m, j->hex, j->size, d);
}

/* An integer PRAGMA's value (cache_size, temp_store, foreign_keys), to be
 * restored after the import. */
static int pragma_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    int v = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    return v;
}

/* Sets a PRAGMA back to the value pragma_int read; it cannot fail on one. */
static void exec_int(sqlite3 *db, const char *fmt, int v)
{
    char sql[64];
    snprintf(sql, sizeof sql, fmt, v);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* One import, of a file or a folder: one transaction (BEGIN IMMEDIATE), or
 * a savepoint inside a caller's transaction, with the connection set up
 * for bulk loading meanwhile and put back after.
 *
 * A folder is one transaction, not one per file: besides leaving the store
 * as it was when any file is bad, it writes each page once. SQLite
 * journals a page only if it was in the file when the transaction began,
 * and the 18 % of a monthly 双公示 file that complete records of the
 * month before rewrite nearly every page of that month: committed file by
 * file, each is journalled first (the append file of make bench: 20 k
 * pages, 60 k writes). The 23 双公示 months of make bench imported in
 * 30.3 s file by file, 22.7-25.3 s as one transaction (twice each).
 *
 * Outside a caller's transaction (inside one, temp_store and foreign_keys
 * cannot change, and a nested session changes none of these):
 * - 16 MiB of page cache: more bought nothing (six 双公示 months 4.4 s
 *   with 64 MiB, 4.3 s with 16; a 2 M-row register snapshot upserted over
 *   the last, 7.2 s either way, at 75 against 24 MB of memory).
 * - Statement journals in memory (temp_store = MEMORY): a multi-row
 *   upsert keeps one (the pages one statement changed, to undo it alone),
 *   and in temporary files they were 214 k pwrite() calls for one monthly
 *   file; four 双公示 months in one transaction took 4.7-6.2 s against
 *   2.6-3.1 s in memory. The sorts of a first load, which must spill to
 *   disk, run on the stager's own connection (see stager).
 * - No per-row foreign-key probe of regions: it doubles SQLite's share of
 *   the import (2 M publicity rows: 5.4 s against 2.8 s). Every region is
 *   checked against the store's regions read inside the same write
 *   transaction (no one can delete one meanwhile), so it adds nothing.
 * Inside a caller's transaction a first load is not staged: its rows go
 * straight to their table (a scratch database cannot be attached to a
 * savepoint's caller and detached after without the caller's commit). */
typedef struct session {
    sqlite3 *db;
    int nested; /* a savepoint in a caller's transaction */
    int old_cache, old_temp, old_fk;
} session;

static void session_restore(session *ss)
{
    if (ss->old_fk)
        sqlite3_exec(ss->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    exec_int(ss->db, "PRAGMA cache_size = %d", ss->old_cache);
    exec_int(ss->db, "PRAGMA temp_store = %d", ss->old_temp);
}

static cm_error session_begin(cm_store *s, session *ss, cm_diag *d)
{
    memset(ss, 0, sizeof *ss);
    ss->db = cm_store_db(s);
    ss->nested = !sqlite3_get_autocommit(ss->db);
    if (ss->nested)
        return cm_store_exec(s, "SAVEPOINT cm_micro", d);
    ss->old_cache = pragma_int(ss->db, "PRAGMA cache_size");
    ss->old_temp = pragma_int(ss->db, "PRAGMA temp_store");
    ss->old_fk = pragma_int(ss->db, "PRAGMA foreign_keys");
    sqlite3_exec(ss->db,
                 "PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;"
                 " PRAGMA foreign_keys = OFF",
                 NULL, NULL, NULL);
    cm_error e = cm_store_begin(s, d);
    if (e)
        session_restore(ss);
    return e;
}

/* Commits (e == CM_OK) or rolls back, and puts the connection back. */
static cm_error session_end(cm_store *s, session *ss, cm_error e, cm_diag *d)
{
    if (ss->nested) {
        if (e) {
            sqlite3_exec(ss->db, "ROLLBACK TO cm_micro; RELEASE cm_micro",
                         NULL, NULL, NULL);
            return e;
        }
        return cm_store_exec(s, "RELEASE cm_micro", d);
    }
    if (e)
        cm_store_rollback(s);
    else
        e = cm_store_commit(s, d);
    session_restore(ss);
    return e;
}

cm_error cm_micro_import_file(cm_store *s, cm_micro_kind kind,
                              const char *path, long *rows, cm_diag *d)
{
    if (rows)
        *rows = 0;
    if ((int)kind < 0 || kind >= CM_MI__COUNT)
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, NULL,
                           "unknown microdata kind %d", (int)kind);
    sqlite3 *db = cm_store_db(s);
    session ss;
    cm_error e = session_begin(s, &ss, d);
    if (e)
        return e;
    unsigned char *regions = NULL;
    stager *g = NULL;
    long n = 0;
    if (!(e = load_regions(db, path, &regions, d))) {
        int staged = !ss.nested && bulk_fits(db, kind);
        if (staged &&
            (e = stager_new(cm_store_path(s), regions, &g, d)) == CM_ERR_IO) {
            /* no room for a scratch file: the rows go straight in */
            cm_diag_clear(d);
            e = CM_OK;
            staged = 0;
        }
        if (!e && staged) {
            /* nothing else to do meanwhile: staged on this thread */
            if (!(e = stager_add(g, db, kind, path, d)) &&
                !(e = stager_start(g, 0, d)) && !(e = stager_wait(g, d)) &&
                !(e = stager_merge(g, db, 0, d)))
                n = g->job[0].rows;
        } else if (!e) {
            e = import_one(db, kind, path, regions, NULL, &n, d);
        }
    }
    e = session_end(s, &ss, e, d);
    stager_free(g, db);
    free(regions);
    if (!e && rows)
        *rows = n;
    return e;
}

typedef struct entry {
    char *name;
    char *path;
    int kind;
    int staged; /* a first load: g->job[staged - 1] */
} entry;

/* Calendars first (derive needs them, and they do not depend on anything),
 * then by name, so monthly files go in date order and a later snapshot
 * updates an earlier one. */
static int entry_cmp(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int cx = x->kind == CM_MI_CALENDAR, cy = y->kind == CM_MI_CALENDAR;
    if (cx != cy)
        return cy - cx;
    return strcmp(x->name, y->name);
}

static void entries_free(entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].path);
    }
    free(v);
}

/* The folder's microdata files, sorted (entry_cmp), into *out. */
static cm_error list_dir(const char *dir, entry **out, size_t *count,
                         cm_diag *d)
{
    *out = NULL;
    *count = 0;
    DIR *dh = opendir(dir);
    if (!dh)
        return cm_diag_set(d, CM_ERR_IO, dir, 0, NULL,
                           "not a readable folder: %s", strerror(errno));
    size_t dlen = strlen(dir);
    const char *slash = dlen && dir[dlen - 1] == '/' ? "" : "/";
    entry *v = NULL;
    size_t n = 0, cap = 0;
    cm_error e = CM_OK;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        int k = cm_micro_kind_from_path(de->d_name);
        if (k < 0)
            continue;
        char *path = malloc(dlen + strlen(de->d_name) + 2);
        if (!path) {
            e = cm_diag_set(d, CM_ERR_NOMEM, dir, 0, NULL, "out of memory");
            break;
        }
        sprintf(path, "%s%s%s", dir, slash, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            entry *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                free(path);
                e = cm_diag_set(d, CM_ERR_NOMEM, dir, 0, NULL,
                                "out of memory");
                break;
            }
            v = nv;
            cap = ncap;
        }
        memset(&v[n], 0, sizeof v[n]);
        v[n].path = path;
        v[n].kind = k;
        if (!(v[n++].name = cm_strdup(de->d_name))) {
            e = cm_diag_set(d, CM_ERR_NOMEM, dir, 0, NULL, "out of memory");
            break;
        }
    }
    closedir(dh);
    if (e) {
        entries_free(v, n);
        return e;
    }
    if (n)
        qsort(v, n, sizeof *v, entry_cmp);
    *out = v;
    *count = n;
    return CM_OK;
}

/* Inside the folder's transaction: the first file of a kind whose table is
 * empty is staged (stager) while this thread imports the files of the
 * other kinds; then the staged tables are copied in, and the later files
 * of their kinds follow in order. When a staged file and another are both
 * bad, the staged file's error is the one reported, whatever the timing:
 * a failure here waits for the staging to end rather than stopping it. */
static cm_error import_entries(cm_store *s, int nested, entry *v, size_t n,
                               const unsigned char *regions, stager **gp,
                               long *total, cm_diag *d)
{
    sqlite3 *db = cm_store_db(s);
    int staged_kind[CM_MI__COUNT] = {0}, seen[CM_MI__COUNT] = {0};
    cm_error e = CM_OK;
    for (size_t i = 0; i < n && !nested && !e; i++) {
        cm_micro_kind k = (cm_micro_kind)v[i].kind;
        if (seen[k]++ || !bulk_fits(db, k)) /* the kind's first file only */
            continue;
        if (!*gp && (e = stager_new(cm_store_path(s), regions, gp, d))) {
            /* no room for a scratch file: the rows go straight in */
            if (e == CM_ERR_IO) {
                cm_diag_clear(d);
                e = CM_OK;
            }
            break;
        }
        if (!(e = stager_add(*gp, db, k, v[i].path, d))) {
            staged_kind[k] = 1;
            v[i].staged = (*gp)->njob;
        }
    }
    stager *g = *gp;
    if (!e && g)
        e = stager_start(g, 1, d);
    for (size_t i = 0; i < n && !e; i++) {
        if (staged_kind[v[i].kind])
            continue;
        long r = 0;
        e = import_one(db, (cm_micro_kind)v[i].kind, v[i].path, regions,
                       g ? &g->failed : NULL, &r, d);
        *total += r;
    }
    if (g && (g->running || g->njob)) {
        cm_diag staged;
        cm_diag_clear(&staged);
        cm_error es = stager_wait(g, &staged);
        if (es) {
            *d = staged;
            e = es;
        }
    }
    for (size_t i = 0; i < n && !e; i++) {
        if (!staged_kind[v[i].kind])
            continue;
        long r = 0;
        if (v[i].staged) {
            e = stager_merge(g, db, v[i].staged - 1, d);
            r = g->job[v[i].staged - 1].rows;
        } else {
            e = import_one(db, (cm_micro_kind)v[i].kind, v[i].path, regions,
                           NULL, &r, d);
        }
        *total += r;
    }
    return e;
}

cm_error cm_micro_import_dir(cm_store *s, const char *dir, int *n_files,
                             long *rows, cm_diag *d)
{
    if (n_files)
        *n_files = 0;
    if (rows)
        *rows = 0;
    entry *v;
    size_t n;
    cm_error e = list_dir(dir, &v, &n, d);
    if (e || !n) {
        free(v);
        return e;
    }
    sqlite3 *db = cm_store_db(s);
    session ss;
    unsigned char *regions = NULL;
    stager *g = NULL;
    long total = 0;
    if (!(e = session_begin(s, &ss, d))) {
        if (!(e = load_regions(db, dir, &regions, d)))
            e = import_entries(s, ss.nested, v, n, regions, &g, &total, d);
        e = session_end(s, &ss, e, d);
    }
    stager_free(g, db);
    free(regions);
    entries_free(v, n);
    if (!e && n_files)
        *n_files = (int)n;
    if (!e && rows)
        *rows = total;
    return e;
}
