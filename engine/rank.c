/*
 * rank.c - import of the published national monitoring rank lists and the
 * monthly analysis of one city's line (issue 4; DESIGN.md, "Domain rules":
 * ranks are imported as published, never computed here).
 *
 * Import: one streaming pass over the CSV inside one transaction. The first
 * row of a (period, group) list deletes that list from the store, so a file
 * replaces exactly the lists it holds; its rows are then inserted as they
 * come. What can only be judged once the whole file is read (ranks 1..n
 * without gaps) is checked at the end, before the commit. Duplicates are
 * caught in memory (a hash of list x region, a rank -> line table per list)
 * so that the message names both lines instead of SQLite's bare
 * "UNIQUE constraint failed".
 *
 * Analysis: five bound-parameter queries per call, none inside a loop over
 * months or cities: the city's own 24 months, the list sizes, the province's
 * ranks (all months at once, ORDER BY period, rank, so the medians and the
 * place fall out of one ordered pass) and the first-level scores of this and
 * last month. The city line and the province ranks go through the index
 * ranks_region(region, grp, period) of store.c.
 */
#include "rank.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "sha256.h"

/* ORDER GROUP: the order cm_rank_group_of tries the lists in. */
static const char *const group_names[] = {"capital", "prefecture", "county"};
#define N_GROUPS (sizeof group_names / sizeof group_names[0])

/* The five required columns. ORDER COL */
enum { COL_PERIOD, COL_GROUP, COL_REGION, COL_RANK, COL_SCORE, N_REQ };
static const char *const req_cols[N_REQ] = {"period", "group", "region",
                                            "rank", "score"};

/* GB/T 2260 codes are 6 digits: a bitmap of 10^6 bits holds every code. */
#define N_CODES 1000000L

/* One (period, group) list seen in the file. */
typedef struct rank_list {
    char period[8];
    int grp;                 /* index into group_names */
    long *rank_line;         /* rank_line[r] = line of rank r, 0 = unseen */
    int cap;                 /* entries in rank_line (index 0 unused) */
    int n_rows;
    int max_rank;
} rank_list;

/* Open-addressing set of (list, region) keys with the line they came on. */
typedef struct seen_slot {
    uint64_t key;            /* (list + 1) << 20 | code; 0 = empty */
    long line;
} seen_slot;

typedef struct importer {
    sqlite3 *db;
    const char *path;
    unsigned char *codes;    /* bitmap of the store's region codes */
    long n_regions;          /* a list of distinct regions holds no more */
    int have_header;
    int col[N_REQ];          /* column index of each required column */
    size_t ncols;
    int l1_col[CM_CSV_MAX_FIELDS];    /* first-level columns */
    char *l1_name[CM_CSV_MAX_FIELDS]; /* their names (malloc'd) */
    size_t n_l1;
    rank_list *lists;
    size_t n_lists, cap_lists, last;
    seen_slot *seen;
    size_t seen_cap, seen_n;
    long rows;
    sqlite3_stmt *del_scores, *del_ranks, *ins_rank, *ins_score, *ins_period;
} importer;

static cm_error fail(importer *im, cm_diag *d, cm_error e, long line,
                     const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

static cm_error fail(importer *im, cm_diag *d, cm_error e, long line,
                     const char *field, const char *fmt, ...)
{
    char msg[sizeof d->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cm_diag_set(d, e, im->path, line, field, "%s", msg);
}

static cm_error db_fail(importer *im, cm_diag *d, long line)
{
    return cm_diag_set(d, CM_ERR_STORE, im->path, line, NULL, "store: %s",
                       sqlite3_errmsg(im->db));
}

static cm_error nomem(importer *im, cm_diag *d, long line)
{
    return cm_diag_set(d, CM_ERR_NOMEM, im->path, line, NULL,
                       "out of memory");
}

/* ---- fields ---- */


/* Copies field i, trimmed, into buf; 0 if it does not fit. */
static int field(const cm_csv_row *row, size_t i, char *buf, size_t cap)
{
    const char *p = row->fields[i];
    size_t n = row->lens[i];
    cm_csv_trim(&p, &n);
    if (n >= cap)
        return 0;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 1;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* YYYY-MM, MM 01-12, year 1949-2100 (the range import.c accepts). Returns
 * the month index y * 12 + m - 1, or -1. */
static long month_index(const char *s)
{
    if (strlen(s) != 7 || s[4] != '-' || !all_digits(s, 4) ||
        !all_digits(s + 5, 2))
        return -1;
    long y = atol(s);
    long m = (s[5] - '0') * 10 + (s[6] - '0');
    if (y < 1949 || y > 2100 || m < 1 || m > 12)
        return -1;
    return y * 12 + m - 1;
}

static void month_text(long idx, char out[8])
{
    long y = idx / 12 % 10000, m = idx % 12 + 1;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '\0';
}

/* A plain decimal: optional sign, digits, optional fraction; no exponents,
 * separators, %, nan or inf (strtod would take them). */
static int plain_number(const char *s, double *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, digits++;
    }
    if (*p || !digits)
        return 0;
    *out = strtod(s, NULL);
    return 1;
}

static int group_index(const char *s)
{
    for (size_t i = 0; i < N_GROUPS; i++)
        if (strcmp(s, group_names[i]) == 0)
            return (int)i;
    return -1;
}

/* ---- import state ---- */

static cm_error load_codes(importer *im, cm_diag *d)
{
    im->codes = calloc(N_CODES / 8 + 1, 1);
    if (!im->codes)
        return nomem(im, d, 0);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(im->db, "SELECT code FROM regions", -1, &q,
                           NULL) != SQLITE_OK)
        return db_fail(im, d, 0);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(q, 0);
        if (c && strlen(c) == 6 && all_digits(c, 6)) {
            long v = atol(c);
            im->codes[v >> 3] |= (unsigned char)(1u << (v & 7));
            im->n_regions++;
        }
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? CM_OK : db_fail(im, d, 0);
}

static int has_code(const importer *im, long v)
{
    return (im->codes[v >> 3] >> (v & 7)) & 1;
}

static uint64_t mix(uint64_t k)
{
    /* splitmix64's finaliser: list and code sit in few bits, spread them */
    k ^= k >> 30;
    k *= 0xbf58476d1ce4e5b9ULL;
    k ^= k >> 27;
    k *= 0x94d049bb133111ebULL;
    return k ^ (k >> 31);
}

/* Adds key to the set; returns 0 and the earlier line in *prev if present. */
static int seen_add(importer *im, uint64_t key, long line, long *prev,
                    int *oom)
{
    if (2 * (im->seen_n + 1) > im->seen_cap) {
        size_t cap = im->seen_cap ? im->seen_cap * 2 : 1024;
        seen_slot *t = calloc(cap, sizeof *t);
        if (!t) {
            *oom = 1;
            return 0;
        }
        for (size_t i = 0; i < im->seen_cap; i++) {
            if (!im->seen[i].key)
                continue;
            size_t j = mix(im->seen[i].key) & (cap - 1);
            while (t[j].key)
                j = (j + 1) & (cap - 1);
            t[j] = im->seen[i];
        }
        free(im->seen);
        im->seen = t;
        im->seen_cap = cap;
    }
    size_t j = mix(key) & (im->seen_cap - 1);
    while (im->seen[j].key) {
        if (im->seen[j].key == key) {
            *prev = im->seen[j].line;
            return 0;
        }
        j = (j + 1) & (im->seen_cap - 1);
    }
    im->seen[j].key = key;
    im->seen[j].line = line;
    im->seen_n++;
    return 1;
}

static cm_error step(importer *im, sqlite3_stmt *q, long line, cm_diag *d)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? CM_OK : db_fail(im, d, line);
}

/* The list a row belongs to; the first row of a list takes the list out of
 * the store (the file replaces it) and adds its period. */
static cm_error list_for(importer *im, const char *period, int grp, long line,
                         size_t *out, cm_diag *d)
{
    /* rows of one list usually come together: try the last one first */
    if (im->n_lists && im->lists[im->last].grp == grp &&
        strcmp(im->lists[im->last].period, period) == 0) {
        *out = im->last;
        return CM_OK;
    }
    for (size_t i = 0; i < im->n_lists; i++)
        if (im->lists[i].grp == grp &&
            strcmp(im->lists[i].period, period) == 0) {
            *out = im->last = i;
            return CM_OK;
        }
    if (im->n_lists == im->cap_lists) {
        size_t cap = im->cap_lists ? im->cap_lists * 2 : 16;
        rank_list *t = realloc(im->lists, cap * sizeof *t);
        if (!t)
            return nomem(im, d, line);
        im->lists = t;
        im->cap_lists = cap;
    }
    rank_list *l = &im->lists[im->n_lists];
    memset(l, 0, sizeof *l);
    memcpy(l->period, period, 8);
    l->grp = grp;
    *out = im->last = im->n_lists++;

    sqlite3_stmt *dels[] = {im->del_scores, im->del_ranks};
    for (size_t i = 0; i < 2; i++) {
        sqlite3_bind_text(dels[i], 1, period, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(dels[i], 2, group_names[grp], -1, SQLITE_STATIC);
        cm_error e = step(im, dels[i], line, d);
        if (e)
            return e;
    }
    sqlite3_bind_text(im->ins_period, 1, period, -1, SQLITE_TRANSIENT);
    return step(im, im->ins_period, line, d);
}

/* Records rank r of list l as given on line; a rank given before is
 * CM_ERR_DUPLICATE naming the earlier line. */
static cm_error take_rank(importer *im, rank_list *l, long r, long line,
                          cm_diag *d)
{
    if (r >= l->cap) {
        long cap = l->cap ? l->cap : 64;
        while (cap <= r)
            cap *= 2;
        long *t = realloc(l->rank_line, (size_t)cap * sizeof *t);
        if (!t)
            return nomem(im, d, line);
        memset(t + l->cap, 0, (size_t)(cap - l->cap) * sizeof *t);
        l->rank_line = t;
        l->cap = (int)cap;
    }
    if (l->rank_line[r])
        return fail(im, d, CM_ERR_DUPLICATE, line, "rank",
                    "rank %ld of the %s %s list is given twice (first on "
                    "line %ld)", r, l->period, group_names[l->grp],
                    l->rank_line[r]);
    l->rank_line[r] = line;
    if (r > l->max_rank)
        l->max_rank = (int)r;
    l->n_rows++;
    return CM_OK;
}

/* ---- rows ---- */

static cm_error on_header(importer *im, const cm_csv_row *row, cm_diag *d)
{
    for (size_t k = 0; k < N_REQ; k++)
        im->col[k] = -1;
    im->ncols = row->n;
    for (size_t i = 0; i < row->n; i++) {
        char name[128] = "";
        if (!field(row, i, name, sizeof name) || !*name)
            return fail(im, d, CM_ERR_CSV, row->line, NULL,
                        "column %zu of the header is %s", i + 1,
                        *name ? "a name of over 127 bytes" : "empty");
        int k = -1;
        for (size_t j = 0; j < N_REQ; j++)
            if (strcmp(name, req_cols[j]) == 0)
                k = (int)j;
        int dup = k >= 0 && im->col[k] >= 0;
        for (size_t j = 0; j < im->n_l1 && !dup; j++)
            dup = strcmp(name, im->l1_name[j]) == 0;
        if (dup)
            return fail(im, d, CM_ERR_DUPLICATE, row->line, name,
                        "the header names column '%s' twice", name);
        if (k >= 0) {
            im->col[k] = (int)i;
            continue;
        }
        /* a first-level name must fit cm_rank_level1.name whole: a cut
         * could fall inside a UTF-8 character */
        if (strlen(name) >= sizeof ((cm_rank_level1 *)0)->name)
            return fail(im, d, CM_ERR_CSV, row->line, name,
                        "first-level indicator name longer than %zu bytes",
                        sizeof ((cm_rank_level1 *)0)->name - 1);
        im->l1_name[im->n_l1] = cm_strdup(name);
        if (!im->l1_name[im->n_l1])
            return nomem(im, d, row->line);
        im->l1_col[im->n_l1++] = (int)i;
    }
    for (size_t k = 0; k < N_REQ; k++)
        if (im->col[k] < 0)
            return fail(im, d, CM_ERR_CSV, row->line, req_cols[k],
                        "the header lacks column '%s' (required: period,"
                        "group,region,rank,score; further columns are "
                        "first-level scores)", req_cols[k]);
    im->have_header = 1;
    return CM_OK;
}

static cm_error on_data(importer *im, const cm_csv_row *row, cm_diag *d)
{
    long line = row->line;
    if (row->n != im->ncols)
        return fail(im, d, CM_ERR_CSV, line, NULL,
                    "row has %zu fields, the header %zu", row->n, im->ncols);
    char period[64], grp[64], region[64], rank[64], score[64];
    char *const buf[N_REQ] = {period, grp, region, rank, score};
    const size_t cap[N_REQ] = {sizeof period, sizeof grp, sizeof region,
                               sizeof rank, sizeof score};
    for (size_t k = 0; k < N_REQ; k++)
        if (!field(row, (size_t)im->col[k], buf[k], cap[k]))
            return fail(im, d, CM_ERR_FIELD, line, req_cols[k],
                        "value too long (%zu bytes)",
                        row->lens[im->col[k]]);

    if (month_index(period) < 0)
        return fail(im, d, CM_ERR_FIELD, line, "period",
                    "'%s' is not a month: write YYYY-MM (e.g. 2019-06)",
                    period);
    int g = group_index(grp);
    if (g < 0)
        return fail(im, d, CM_ERR_FIELD, line, "group",
                    "'%s' is not a list: capital, prefecture or county",
                    grp);
    if (strlen(region) != 6 || !all_digits(region, 6))
        return fail(im, d, CM_ERR_FIELD, line, "region",
                    "'%s' is not a region code (6 digits)", region);
    long code = atol(region);
    if (!has_code(im, code))
        return fail(im, d, CM_ERR_REFERENCE, line, "region",
                    "region '%s' is not in the store (import regions.csv)",
                    region);
    if (!*rank || strlen(rank) > 9 || !all_digits(rank, strlen(rank)) ||
        atol(rank) < 1)
        return fail(im, d, CM_ERR_FIELD, line, "rank",
                    "'%s' is not a rank: a whole number from 1", rank);
    long r = atol(rank);
    if (r > im->n_regions)
        return fail(im, d, CM_ERR_FIELD, line, "rank",
                    "rank %ld is beyond the %ld regions in the store: a list "
                    "of distinct regions cannot reach it", r, im->n_regions);
    double sc;
    if (!plain_number(score, &sc) || sc < 0 || sc > 100)
        return fail(im, d, CM_ERR_FIELD, line, "score",
                    "'%s' is not a score: a plain decimal from 0 to 100",
                    score);

    size_t li = 0;
    cm_error e = list_for(im, period, g, line, &li, d);
    if (e)
        return e;
    rank_list *l = &im->lists[li];
    long prev = 0;
    int oom = 0;
    if (!seen_add(im, (uint64_t)(li + 1) << 20 | (uint64_t)code, line, &prev,
                  &oom))
        return oom ? nomem(im, d, line)
                   : fail(im, d, CM_ERR_DUPLICATE, line, "region",
                          "region %s is in the %s %s list twice (first on "
                          "line %ld)", region, period, grp, prev);
    if ((e = take_rank(im, l, r, line, d)))
        return e;

    sqlite3_bind_text(im->ins_rank, 1, period, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(im->ins_rank, 2, group_names[g], -1, SQLITE_STATIC);
    sqlite3_bind_text(im->ins_rank, 3, region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(im->ins_rank, 4, r);
    sqlite3_bind_double(im->ins_rank, 5, sc);
    if ((e = step(im, im->ins_rank, line, d)))
        return e;

    for (size_t j = 0; j < im->n_l1; j++) {
        char v[32];
        const char *name = im->l1_name[j];
        if (!field(row, (size_t)im->l1_col[j], v, sizeof v))
            return fail(im, d, CM_ERR_FIELD, line, name,
                        "value too long (%zu bytes)",
                        row->lens[im->l1_col[j]]);
        if (!*v)
            continue; /* not given for this city */
        double x;
        /* no first-level indicator is worth more than the 100 points of
         * the whole system (DESIGN.md: 信用监管 43 of 100) */
        if (!plain_number(v, &x) || x < 0 || x > 100)
            return fail(im, d, CM_ERR_FIELD, line, name,
                        "'%s' is not a score: a plain decimal from 0 to "
                        "100, or empty", v);
        sqlite3_bind_text(im->ins_score, 1, period, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(im->ins_score, 2, group_names[g], -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(im->ins_score, 3, region, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(im->ins_score, 4, name, -1, SQLITE_STATIC);
        sqlite3_bind_double(im->ins_score, 5, x);
        if ((e = step(im, im->ins_score, line, d)))
            return e;
    }
    im->rows++;
    return CM_OK;
}

static cm_error on_row(void *ctx, const cm_csv_row *row, cm_diag *d)
{
    importer *im = ctx;
    return im->have_header ? on_data(im, row, d) : on_header(im, row, d);
}

/* Every list must hold ranks 1..n: with ranks unique and >= 1 that is
 * max rank == number of rows. */
static cm_error check_lists(importer *im, cm_diag *d)
{
    for (size_t i = 0; i < im->n_lists; i++) {
        rank_list *l = &im->lists[i];
        if (l->max_rank == l->n_rows)
            continue;
        int miss = 1;
        while (l->rank_line[miss])
            miss++;
        int next = miss + 1;
        while (!l->rank_line[next])
            next++;
        return fail(im, d, CM_ERR_FIELD, l->rank_line[next], "rank",
                    "the %s %s list has %d rows but ranks up to %d: rank %d "
                    "is missing (ranks must run 1..n without gaps)",
                    l->period, group_names[l->grp], l->n_rows, l->max_rank,
                    miss);
    }
    return CM_OK;
}

static cm_error record_import(importer *im, cm_diag *d)
{
    char hex[65];
    long long size = 0;
    cm_error e = cm_sha256_file(im->path, hex, &size, d);
    if (e)
        return e;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(im->db,
                           "INSERT OR REPLACE INTO imports(sha256, kind, file,"
                           " size, rows) VALUES (?1, 'ranks', ?2, ?3, ?4)",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(im, d, 0);
    sqlite3_bind_text(q, 1, hex, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, im->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, size);
    sqlite3_bind_int64(q, 4, im->rows);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? CM_OK : db_fail(im, d, 0);
}

static void importer_clear(importer *im)
{
    sqlite3_finalize(im->del_scores);
    sqlite3_finalize(im->del_ranks);
    sqlite3_finalize(im->ins_rank);
    sqlite3_finalize(im->ins_score);
    sqlite3_finalize(im->ins_period);
    for (size_t i = 0; i < im->n_l1; i++)
        free(im->l1_name[i]);
    for (size_t i = 0; i < im->n_lists; i++)
        free(im->lists[i].rank_line);
    free(im->lists);
    free(im->seen);
    free(im->codes);
}

static cm_error import_in_tx(importer *im, cm_diag *d)
{
    static const char *const sql[] = {
        "DELETE FROM rank_scores WHERE period = ?1 AND grp = ?2",
        "DELETE FROM ranks WHERE period = ?1 AND grp = ?2",
        "INSERT INTO ranks(period, grp, region, rank, score)"
        " VALUES (?1, ?2, ?3, ?4, ?5)",
        "INSERT INTO rank_scores(period, grp, region, indicator, score)"
        " VALUES (?1, ?2, ?3, ?4, ?5)",
        "INSERT OR IGNORE INTO periods(period, kind) VALUES (?1, 'month')",
    };
    sqlite3_stmt **st[] = {&im->del_scores, &im->del_ranks, &im->ins_rank,
                           &im->ins_score, &im->ins_period};
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
        if (sqlite3_prepare_v2(im->db, sql[i], -1, st[i], NULL) != SQLITE_OK)
            return db_fail(im, d, 0);
    cm_error e = load_codes(im, d);
    if (!e)
        e = cm_csv_read(im->path, on_row, im, NULL, d);
    if (!e && !im->have_header)
        e = fail(im, d, CM_ERR_CSV, 0, NULL,
                 "empty file: no header row (expected: period,group,region,"
                 "rank,score[,first-level scores])");
    if (!e)
        e = check_lists(im, d);
    if (!e)
        e = record_import(im, d);
    return e;
}

int cm_rank_is_rank_file(const char *path)
{
    if (!path)
        return 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (strncmp(base, "ranks", 5) != 0 || n < 9)
        return 0;
    const char *ext = base + n - 4;
    return ext[0] == '.' && (ext[1] | 0x20) == 'c' &&
           (ext[2] | 0x20) == 's' && (ext[3] | 0x20) == 'v';
}

cm_error cm_rank_import_file(cm_store *s, const char *path, long *rows,
                             cm_diag *d)
{
    if (!s || !path)
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, NULL,
                           "no store or no file given");
    importer im;
    memset(&im, 0, sizeof im);
    im.db = cm_store_db(s);
    im.path = path;
    /* inside a caller's transaction (a folder import) a savepoint keeps
     * this file all-or-nothing without ending the caller's transaction */
    int nested = !sqlite3_get_autocommit(im.db);
    cm_error e = nested ? cm_store_exec(s, "SAVEPOINT cm_rank", d)
                        : cm_store_begin(s, d);
    if (e)
        return e;
    e = import_in_tx(&im, d);
    long n = im.rows;
    importer_clear(&im);
    if (nested) {
        if (e)
            sqlite3_exec(im.db, "ROLLBACK TO cm_rank; RELEASE cm_rank", NULL,
                         NULL, NULL);
        else
            e = cm_store_exec(s, "RELEASE cm_rank", d);
    } else if (e) {
        cm_store_rollback(s);
    } else {
        e = cm_store_commit(s, d);
    }
    if (!e && rows)
        *rows = n;
    return e;
}

/* ---- analysis ---- */

static cm_error prep(cm_store *s, const char *sql, sqlite3_stmt **q,
                     cm_diag *d)
{
    if (sqlite3_prepare_v2(cm_store_db(s), sql, -1, q, NULL) != SQLITE_OK) {
        *q = NULL;
        return cm_store_fail(s, d, "preparing a rank query");
    }
    return CM_OK;
}

static const char *col_text(sqlite3_stmt *q, int i)
{
    const char *t = (const char *)sqlite3_column_text(q, i);
    return t ? t : "";
}

cm_error cm_rank_group_of(cm_store *s, const char *region, const char *period,
                          char group[16], cm_diag *d)
{
    group[0] = '\0';
    if (!s || !region || !period)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, NULL,
                           "rank group: no store, region or period given");
    sqlite3_stmt *q;
    cm_error e = prep(s,
                      "SELECT grp FROM ranks WHERE region = ?1 AND"
                      " period = ?2 ORDER BY CASE grp WHEN 'capital' THEN 0"
                      " WHEN 'prefecture' THEN 1 ELSE 2 END LIMIT 1",
                      &q, d);
    if (e)
        return e;
    sqlite3_bind_text(q, 1, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, period, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        snprintf(group, 16, "%s", col_text(q, 0));
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cm_store_fail(s, d, "reading the rank lists");
    return CM_OK;
}

/* Position of period p in the trend window starting at month first, or -1. */
static int slot_of(const char *p, long first)
{
    long m = month_index(p);
    return m >= first && m < first + CM_RANK_TREND ? (int)(m - first) : -1;
}

/* The province of a region: itself for a province-level region (a
 * municipality in the capital list), its parent for a city, its parent's
 * parent for a county-level city. "" when the chain stops short. */
static cm_error province_of(cm_store *s, const char *region, char prov[8],
                            cm_diag *d)
{
    sqlite3_stmt *q;
    cm_error e = prep(s,
                      "SELECT r.level, coalesce(r.parent, ''),"
                      " coalesce(p.level, ''), coalesce(p.parent, '')"
                      " FROM regions r LEFT JOIN regions p"
                      " ON p.code = r.parent WHERE r.code = ?1",
                      &q, d);
    if (e)
        return e;
    sqlite3_bind_text(q, 1, region, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *pick = strcmp(col_text(q, 0), "province") == 0
                               ? region
                           : strcmp(col_text(q, 2), "province") == 0
                               ? col_text(q, 1)
                               : col_text(q, 3);
        snprintf(prov, 8, "%s", pick);
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE)
        return cm_diag_set(d, CM_ERR_DATA, NULL, 0, "region",
                           "region '%s' is not in the store (import "
                           "regions.csv)", region);
    return rc == SQLITE_ROW ? CM_OK
                            : cm_store_fail(s, d, "reading a region");
}

static void bind_window(sqlite3_stmt *q, int from, const char *first,
                        const char *last)
{
    sqlite3_bind_text(q, from, first, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, from + 1, last, -1, SQLITE_STATIC);
}

/* The city's own line: one row per month it is listed. */
static cm_error read_line(cm_store *s, cm_rank_analysis *a, long first,
                          const char *p0, cm_diag *d)
{
    sqlite3_stmt *q;
    cm_error e = prep(s,
                      "SELECT period, rank, score FROM ranks"
                      " WHERE region = ?1 AND grp = ?2"
                      " AND period BETWEEN ?3 AND ?4",
                      &q, d);
    if (e)
        return e;
    sqlite3_bind_text(q, 1, a->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, a->group, -1, SQLITE_STATIC);
    bind_window(q, 3, p0, a->period);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int k = slot_of(col_text(q, 0), first);
        if (k < 0)
            continue; /* a period not of the form YYYY-MM */
        a->trend[k].rank = sqlite3_column_int(q, 1);
        a->trend[k].score = sqlite3_column_double(q, 2);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? CM_OK
                             : cm_store_fail(s, d, "reading the city's ranks");
}

/* The size of the group's list in every month of the window. */
static cm_error read_sizes(cm_store *s, cm_rank_analysis *a, long first,
                           const char *p0, cm_diag *d)
{
    sqlite3_stmt *q;
    cm_error e = prep(s,
                      "SELECT period, count(*) FROM ranks WHERE grp = ?1"
                      " AND period BETWEEN ?2 AND ?3 GROUP BY period",
                      &q, d);
    if (e)
        return e;
    sqlite3_bind_text(q, 1, a->group, -1, SQLITE_STATIC);
    bind_window(q, 2, p0, a->period);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int k = slot_of(col_text(q, 0), first);
        if (k >= 0)
            a->trend[k].n = sqlite3_column_int(q, 1);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? CM_OK
                             : cm_store_fail(s, d, "counting the rank lists");
}

static double median_of(const int *v, size_t n)
{
    if (!n)
        return 0;
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* The province's cities in the list, every month of the window, in rank
 * order: the median per month, and this month's place and count. */
static cm_error read_province(cm_store *s, cm_rank_analysis *a, long first,
                              const char *p0, const char *prov, cm_diag *d)
{
    sqlite3_stmt *q;
    /* members: the province itself (municipalities), its cities and their
     * counties; the list's group keeps only the peers that matter */
    cm_error e = prep(s,
                      "SELECT k.period, k.rank FROM ranks k"
                      " WHERE k.grp = ?1 AND k.period BETWEEN ?2 AND ?3"
                      " AND k.region IN (SELECT ?4"
                      "  UNION ALL SELECT code FROM regions WHERE parent = ?4"
                      "  UNION ALL SELECT c.code FROM regions c"
                      "   JOIN regions p ON p.code = c.parent"
                      "   WHERE p.parent = ?4)"
                      " ORDER BY k.period, k.rank",
                      &q, d);
    if (e)
        return e;
    sqlite3_bind_text(q, 1, a->group, -1, SQLITE_STATIC);
    bind_window(q, 2, p0, a->period);
    /* no province found: the city is its own only peer */
    sqlite3_bind_text(q, 4, *prov ? prov : a->region, -1, SQLITE_STATIC);
    int *buf = NULL;
    size_t n = 0, cap = 0;
    int cur = -1, rc;
    int last = CM_RANK_TREND - 1;
    for (;;) {
        rc = sqlite3_step(q);
        int k = -2;
        if (rc == SQLITE_ROW) {
            k = slot_of(col_text(q, 0), first);
            if (k < 0)
                continue;
        }
        if (k != cur && cur >= 0) {
            /* the month cur is complete */
            a->trend[cur].province_median = median_of(buf, n);
            if (cur == last && a->has) {
                a->prov_n = (int)n;
                a->prov_place = 1;
                for (size_t i = 0; i < n; i++)
                    a->prov_place += buf[i] < a->rank;
            }
            n = 0;
        }
        if (rc != SQLITE_ROW)
            break;
        cur = k;
        if (n == cap) {
            size_t c2 = cap ? cap * 2 : 64;
            int *t = realloc(buf, c2 * sizeof *t);
            if (!t) {
                free(buf);
                sqlite3_finalize(q);
                return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL,
                                   "out of memory");
            }
            buf = t;
            cap = c2;
        }
        buf[n++] = sqlite3_column_int(q, 1);
    }
    free(buf);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return cm_store_fail(s, d, "reading the province's ranks");
    /* half of an odd count rounds up: 11 of 21 are still 中上 */
    a->prov_upper = a->prov_n && a->prov_place <= (a->prov_n + 1) / 2;
    return CM_OK;
}

static int by_delta(const void *x, const void *y)
{
    const cm_rank_level1 *a = x, *b = y;
    if (a->delta != b->delta)
        return a->delta < b->delta ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* First-level scores of this and last month; an indicator is kept only
 * when both months give it (a delta needs both). */
static cm_error read_level1(cm_store *s, cm_rank_analysis *a,
                            const char *prev, cm_diag *d)
{
    sqlite3_stmt *q;
    cm_error e = prep(s,
                      "SELECT period, indicator, score FROM rank_scores"
                      " WHERE grp = ?1 AND region = ?2"
                      " AND period IN (?3, ?4) ORDER BY indicator, period",
                      &q, d);
    if (e)
        return e;
    sqlite3_bind_text(q, 1, a->group, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, a->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, a->period, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, prev, -1, SQLITE_STATIC);
    cm_rank_level1 *all = NULL;
    size_t n = 0, cap = 0;
    /* rows come as (indicator, prev month), (indicator, this month) */
    char name[sizeof all->name] = "";
    double pv = 0;
    int have_prev = 0, rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *ind = col_text(q, 1);
        double v = sqlite3_column_double(q, 2);
        if (strcmp(ind, name) != 0) {
            snprintf(name, sizeof name, "%s", ind);
            have_prev = 0;
        }
        if (strcmp(col_text(q, 0), prev) == 0) {
            pv = v;
            have_prev = 1;
            continue;
        }
        if (!have_prev)
            continue;
        if (n == cap) {
            size_t c2 = cap ? cap * 2 : 8;
            cm_rank_level1 *t = realloc(all, c2 * sizeof *t);
            if (!t) {
                free(all);
                sqlite3_finalize(q);
                return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL,
                                   "out of memory");
            }
            all = t;
            cap = c2;
        }
        snprintf(all[n].name, sizeof all[n].name, "%s", name);
        all[n].score = v;
        all[n].prev = pv;
        all[n].delta = v - pv;
        n++;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        free(all);
        return cm_store_fail(s, d, "reading first-level scores");
    }
    if (n)
        qsort(all, n, sizeof *all, by_delta);
    a->n_level1 = n < CM_RANK_MAX_LEVEL1 ? n : CM_RANK_MAX_LEVEL1;
    if (a->n_level1)
        memcpy(a->level1, all, a->n_level1 * sizeof *all);
    free(all);
    return CM_OK;
}

cm_error cm_rank_analyse(cm_store *s, const char *region, const char *group,
                         const char *period, int target_up,
                         cm_rank_analysis *out, cm_diag *d)
{
    if (!out)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, NULL,
                           "rank analysis: nowhere to put the result");
    memset(out, 0, sizeof *out);
    if (!s || !region || !group || !period)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, NULL,
                           "rank analysis: no store, region, group or period");
    long cur = month_index(period);
    if (cur < 0)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "period",
                           "'%s' is not a month: write YYYY-MM", period);
    if (group_index(group) < 0)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "group",
                           "'%s' is not a list: capital, prefecture or "
                           "county", group);
    if (strlen(region) != 6 || !all_digits(region, 6))
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "region",
                           "'%s' is not a region code (6 digits)", region);
    if (target_up < 0)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "target",
                           "a target of %d places up: give 0 or more",
                           target_up);
    memcpy(out->region, region, 7);
    snprintf(out->group, sizeof out->group, "%s", group);
    memcpy(out->period, period, 8);

    long first = cur - (CM_RANK_TREND - 1);
    out->n_trend = CM_RANK_TREND;
    for (int k = 0; k < CM_RANK_TREND; k++)
        month_text(first + k, out->trend[k].period);
    const char *p0 = out->trend[0].period;
    int last = CM_RANK_TREND - 1;

    char prov[8] = "";
    cm_error e;
    if ((e = province_of(s, region, prov, d)) ||
        (e = read_line(s, out, first, p0, d)) ||
        (e = read_sizes(s, out, first, p0, d)))
        return e;
    const cm_rank_point *now = &out->trend[last];
    out->has = now->rank > 0;
    if (out->has) {
        out->rank = now->rank;
        out->score = now->score;
        out->n = now->n;
    }
    if ((e = read_province(s, out, first, p0, prov, d)))
        return e;
    if (!out->has)
        return CM_OK;

    /* changes: positive = moved up = the old rank number was larger */
    const cm_rank_point *m1 = &out->trend[last - 1];
    const cm_rank_point *y1 = &out->trend[last - 12];
    /* last December: 2019-06 -> 2018-12; 2019-12 -> 2018-12 too ("较上年"
     * compares with the year before, whatever month it is now) */
    long dec_k = last - (cur % 12 + 1);
    const cm_rank_point *dec = &out->trend[dec_k];
    if ((out->has_month = m1->rank > 0))
        out->d_month = m1->rank - out->rank;
    if ((out->has_year = y1->rank > 0))
        out->d_year = y1->rank - out->rank;
    if ((out->has_dec = dec->rank > 0))
        out->d_dec = dec->rank - out->rank;

    out->target_up = target_up;
    if (target_up > 0 && out->has_dec) {
        out->target_rank = dec->rank - target_up;
        /* no list has a place above 1: a target beyond it means "first" */
        if (out->target_rank < 1)
            out->target_rank = 1;
        out->to_gain = out->rank - out->target_rank;
    }
    return read_level1(s, out, m1->period, d);
}
