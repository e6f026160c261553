/*
 * derive.c - runs the derivations of indicators/derive/ over the store's
 * microdata; see derive.h.
 */
#include "derive.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include "domain.h"
#include "ini.h"
#include "sha256.h"

#define ID_MAX 64

void cm_derive_free(cm_derive_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        free(set->items[i].id);
        free(set->items[i].name);
        free(set->items[i].sql);
        free(set->items[i].tables);
        free(set->items[i].file);
    }
    free(set->items);
    cm_list_free(set->files, set->n_files);
    free(set);
}

typedef struct loader {
    cm_derive_set *set;
    const char *file;
    cm_derivation *cur;   /* the section being read */
    int has_by;
} loader;

static int valid_id(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return 0;
    size_t n = 0;
    for (; *s; s++, n++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return n <= ID_MAX;
}

/* One statement, a query: starts with SELECT or WITH, no ';' but a final
 * one. A derivation must not write: it runs inside the store's
 * transaction with the user's data. */
static const char *sql_problem(const char *sql)
{
    while (isspace((unsigned char)*sql))
        sql++;
    if (strncasecmp(sql, "select", 6) != 0 && strncasecmp(sql, "with", 4) != 0)
        return "must be a SELECT or WITH query";
    const char *semi = strchr(sql, ';');
    if (semi) {
        for (const char *p = semi + 1; *p; p++)
            if (!isspace((unsigned char)*p))
                return "must be a single statement (text after ';')";
    }
    return NULL;
}

static cm_error finish_section(loader *L, cm_diag *d)
{
    cm_derivation *x = L->cur;
    if (!x)
        return CM_OK;
    L->cur = NULL;
    if (!x->name)
        return cm_diag_set(d, CM_ERR_DEFINITION, x->file, x->line, "name",
                           "[derive %s] has no name", x->id);
    if (!x->sql)
        return cm_diag_set(d, CM_ERR_DEFINITION, x->file, x->line, "sql",
                           "[derive %s] has no sql", x->id);
    if (x->tables && x->by_unit && !x->unit_or_region)
        return cm_diag_set(d, CM_ERR_DEFINITION, x->file, x->line, "tables",
                           "[derive %s]: 'tables' (incremental runs) needs "
                           "the regions' own rows: by = region, or "
                           "by = region, unit", x->id);
    return CM_OK;
}

/* tables = a, b: microdata tables (micro.h kinds with a change log),
 * kept as "a,b". */
static cm_error set_tables(cm_derivation *x, const char *file, long line,
                           const char *value, cm_diag *d)
{
    static const char *const known[] = {"entities", "publicity", "blacklist",
                                        "commitments"};
    if (x->tables)
        return cm_diag_set(d, CM_ERR_DUPLICATE, file, line, "tables",
                           "'tables' given twice");
    size_t cap = strlen(value) + 1, n = 0;
    char *out = malloc(cap);
    if (!out)
        return cm_diag_set(d, CM_ERR_NOMEM, file, line, "tables",
                           "out of memory");
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t k = strcspn(p, " ,");
        if (!k)
            break;
        int ok = 0;
        for (size_t i = 0; i < sizeof known / sizeof *known; i++)
            ok |= strlen(known[i]) == k && strncmp(known[i], p, k) == 0;
        if (!ok) {
            free(out);
            return cm_diag_set(d, CM_ERR_NAME, file, line, "tables",
                               "'%.*s' is not a microdata table (entities, "
                               "publicity, blacklist, commitments)",
                               (int)k, p);
        }
        if (n)
            out[n++] = ',';
        memcpy(out + n, p, k);
        n += k;
        p += k;
    }
    out[n] = '\0';
    if (!n) {
        free(out);
        return cm_diag_set(d, CM_ERR_DEFINITION, file, line, "tables",
                           "no table listed");
    }
    x->tables = out;
    return CM_OK;
}

static cm_error on_ini(void *ctx, const char *section, const char *key,
                       const char *value, long line, cm_diag *d)
{
    loader *L = ctx;
    cm_derive_set *set = L->set;
    if (!key) {
        cm_error rc = finish_section(L, d);
        if (rc != CM_OK)
            return rc;
        if (strncmp(section, "derive ", 7) != 0)
            return cm_diag_set(d, CM_ERR_NAME, L->file, line, NULL,
                               "unknown section '[%s]' (expected [derive ID])",
                               section);
        const char *id = section + 7;
        while (*id == ' ')
            id++;
        if (!valid_id(id))
            return cm_diag_set(d, CM_ERR_SYNTAX, L->file, line, NULL,
                               "'%s' is not an id ([a-z][a-z0-9_]*)", id);
        for (size_t i = 0; i < set->n; i++)
            if (strcmp(set->items[i].id, id) == 0)
                return cm_diag_set(d, CM_ERR_DUPLICATE, L->file, line, NULL,
                                   "duplicate derivation '%s' (first at %s:%ld)",
                                   id, set->items[i].file, set->items[i].line);
        cm_derivation *p = realloc(set->items, (set->n + 1) * sizeof *p);
        if (!p)
            return cm_diag_set(d, CM_ERR_NOMEM, L->file, line, NULL, "out of memory");
        set->items = p;
        cm_derivation *x = &set->items[set->n];
        memset(x, 0, sizeof *x);
        x->id = cm_strdup(id);
        x->file = cm_strdup(L->file);
        x->line = line;
        set->n++;
        if (!x->id || !x->file)
            return cm_diag_set(d, CM_ERR_NOMEM, L->file, line, NULL, "out of memory");
        L->cur = x;
        L->has_by = 0;
        return CM_OK;
    }
    cm_derivation *x = L->cur;
    char **slot = NULL;
    if (strcmp(key, "name") == 0) {
        slot = &x->name;
    } else if (strcmp(key, "sql") == 0) {
        const char *why = sql_problem(value);
        if (why)
            return cm_diag_set(d, CM_ERR_DEFINITION, L->file, line, key, "%s", why);
        slot = &x->sql;
        x->sql_line = line;
    } else if (strcmp(key, "by") == 0) {
        if (L->has_by)
            return cm_diag_set(d, CM_ERR_DUPLICATE, L->file, line, key,
                               "'by' given twice");
        L->has_by = 1;
        if (strcmp(value, "region") == 0) {
            x->by_unit = 0;
        } else if (strcmp(value, "unit") == 0) {
            x->by_unit = 1;
        } else if (strcmp(value, "region, unit") == 0 ||
                   strcmp(value, "unit, region") == 0) {
            x->by_unit = 1;
            x->unit_or_region = 1;
        } else {
            return cm_diag_set(d, CM_ERR_DEFINITION, L->file, line, key,
                               "'%s' is not 'region', 'unit' or 'region, "
                               "unit'", value);
        }
        return CM_OK;
    } else if (strcmp(key, "tables") == 0) {
        return set_tables(x, L->file, line, value, d);
    } else {
        return cm_diag_set(d, CM_ERR_NAME, L->file, line, key,
                           "unknown key '%s' in [derive %s] (name, by, "
                           "tables, sql)", key, x->id);
    }
    if (*slot)
        return cm_diag_set(d, CM_ERR_DUPLICATE, L->file, line, key,
                           "'%s' given twice", key);
    if (!(*slot = cm_strdup(value)))
        return cm_diag_set(d, CM_ERR_NOMEM, L->file, line, key, "out of memory");
    return CM_OK;
}

static int is_ini(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".ini") == 0;
}

cm_error cm_derive_load(const char *dir, cm_derive_set **out, cm_diag *d)
{
    *out = NULL;
    cm_derive_set *set = calloc(1, sizeof *set);
    if (!set)
        return cm_diag_set(d, CM_ERR_NOMEM, dir, 0, NULL, "out of memory");
    cm_error rc = cm_list_dir(dir, is_ini, &set->files, &set->n_files, d);
    for (size_t i = 0; rc == CM_OK && i < set->n_files; i++) {
        loader L = {set, set->files[i], NULL, 0};
        rc = cm_ini_parse_file(set->files[i], on_ini, &L, d);
        if (rc == CM_OK)
            rc = finish_section(&L, d);
    }
    if (rc != CM_OK) {
        cm_derive_free(set);
        return rc;
    }
    *out = set;
    return CM_OK;
}

cm_error cm_derive_calendar(cm_store *s, cm_calendar **out, cm_diag *d)
{
    *out = NULL;
    cm_calendar *cal = cm_calendar_new();
    if (!cal)
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    sqlite3 *db = cm_store_db(s);
    sqlite3_stmt *st = NULL;
    cm_error rc = CM_OK;
    if (sqlite3_prepare_v2(db, "SELECT year FROM calendar_years", -1, &st,
                           NULL) != SQLITE_OK) {
        rc = cm_store_fail(s, d, "reading the calendar");
        goto done;
    }
    while (rc == CM_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = cm_calendar_cover(cal, sqlite3_column_int(st, 0));
    sqlite3_finalize(st);
    st = NULL;
    if (rc != CM_OK)
        goto done;
    if (sqlite3_prepare_v2(db, "SELECT day, kind FROM calendar", -1, &st,
                           NULL) != SQLITE_OK) {
        rc = cm_store_fail(s, d, "reading the calendar");
        goto done;
    }
    while (rc == CM_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *day = (const char *)sqlite3_column_text(st, 0);
        const char *kind = (const char *)sqlite3_column_text(st, 1);
        long n = day ? cm_date_parse(day, strlen(day)) : CM_DAY_INVALID;
        if (n == CM_DAY_INVALID) {
            rc = cm_diag_set(d, CM_ERR_STORE, cm_store_path(s), 0, "calendar",
                             "bad day '%s' in the calendar table",
                             day ? day : "");
            break;
        }
        rc = cm_calendar_set(cal, n, kind && strcmp(kind, "workday") == 0);
        if (rc != CM_OK)
            cm_diag_set(d, rc, cm_store_path(s), 0, "calendar",
                        "calendar day %s lies in a year not covered", day);
    }
done:
    sqlite3_finalize(st);
    if (rc != CM_OK) {
        cm_calendar_free(cal);
        return rc;
    }
    *out = cal;
    return CM_OK;
}

/* 'YYYY-MM' -> year, month; 0 if malformed. */
static int month_parts(const char *s, int *y, int *m)
{
    if (strlen(s) != 7 || s[4] != '-')
        return 0;
    for (int i = 0; i < 7; i++)
        if (i != 4 && !isdigit((unsigned char)s[i]))
            return 0;
    *y = atoi(s);
    *m = atoi(s + 5);
    return *m >= 1 && *m <= 12 && *y >= 1949 && *y <= 2100;
}

/* The months asked for, as the statements see them. */
typedef struct run_params {
    char from[8], to[8], start[11], end[11], prev[16];
    int months;         /* months from..to */
    const char *run_from, *run_to; /* the run's, when from..to is a window */
} run_params;

/* What one derivation's statement returned, held until every statement
 * has run: the statements read the store on several connections at once
 * (see cm_derive_run), and only then does one connection write. */
typedef struct result {
    int first, ncol;    /* element columns are first..ncol-1 */
    char **cols;        /* their names */
    int incremental;    /* ran with :incremental = 1 */
    char sql_hex[65];   /* SHA-256 of the SQL, when tables are listed */
    char *text;         /* per row: [unit NUL] region NUL period NUL */
    size_t text_n, text_cap;    /* bytes used, allocated */
    size_t *row_at;     /* offset of each row's text */
    unsigned char *own; /* by = region, unit: 1 for a region's own value */
    double *val;        /* ncol - first per row */
    unsigned char *null;        /* per value: 1 if SQL NULL (val unused) */
    size_t n, cap;      /* rows held, rows allocated */
    double ms;          /* wall time of the statement */
} result;

static void result_clear(result *r)
{
    for (int i = 0; r->cols && i < r->ncol - r->first; i++)
        free(r->cols[i]);
    free(r->cols);
    free(r->text);
    free(r->row_at);
    free(r->own);
    free(r->val);
    free(r->null);
    memset(r, 0, sizeof *r);
}

/* Makes room for need items of size bytes at *p (*cap items allocated),
 * doubling; 0 when out of memory or the size would not fit a size_t. */
static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 1;
    size_t c = *cap ? *cap : 64;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return 0;
        c *= 2;
    }
    if (size && c > SIZE_MAX / size)
        return 0;
    void *q = realloc(*p, c * size);
    if (!q)
        return 0;
    *p = q;
    *cap = c;
    return 1;
}

/* Appends s and its NUL to r's text; 0 when out of memory. */
static int put_text(result *r, const char *s)
{
    size_t n = strlen(s) + 1;
    if (!grow((void **)&r->text, &r->text_cap, r->text_n + n, 1))
        return 0;
    memcpy(r->text + r->text_n, s, n);
    r->text_n += n;
    return 1;
}

/* Adds q's current row; 0 when out of memory. A by-unit row whose unit
 * is NULL (by = region, unit) is kept with an empty unit and own = 1. */
static int add_row(result *r, sqlite3_stmt *q, int by_unit)
{
    size_t ne = (size_t)(r->ncol - r->first), cap = r->cap;
    if (r->n == r->cap) {
        size_t c1 = cap, c2 = cap, c3 = cap, c4 = cap;
        if (!grow((void **)&r->row_at, &c1, r->n + 1, sizeof *r->row_at) ||
            !grow((void **)&r->val, &c2, (r->n + 1), ne * sizeof *r->val) ||
            !grow((void **)&r->null, &c3, (r->n + 1), ne) ||
            !grow((void **)&r->own, &c4, (r->n + 1), 1))
            return 0;
        r->cap = c1;
    }
    r->row_at[r->n] = r->text_n;
    r->own[r->n] = by_unit && sqlite3_column_type(q, 0) == SQLITE_NULL;
    for (int i = by_unit ? 0 : 1; i < 3; i++) {
        const char *t = (const char *)sqlite3_column_text(q, i - (by_unit ? 0 : 1));
        if (!put_text(r, t ? t : ""))
            return 0;
    }
    for (size_t j = 0; j < ne; j++) {
        int col = r->first + (int)j;
        r->null[r->n * ne + j] = sqlite3_column_type(q, col) == SQLITE_NULL;
        r->val[r->n * ne + j] = sqlite3_column_double(q, col);
    }
    r->n++;
    return 1;
}

/* May x start from its values of the month before from? (derive.h) */
static int can_continue(sqlite3 *db, const run_params *p,
                        const cm_derivation *x, const char *sql_hex)
{
    if (!x->tables || !p->prev[0])
        return 0;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(
            db,
            "SELECT 1 FROM derive_state s"
            " WHERE s.derivation = ?1 AND s.period = ?2"
            " AND s.sql_sha256 = ?3 AND NOT EXISTS ("
            "  SELECT 1 FROM micro_changes m"
            "  WHERE instr(',' || ?4 || ',', ',' || m.tbl || ',') > 0"
            "  AND m.month <= ?2 AND (m.seq IS NULL OR m.seq > s.seq))",
            -1, &q, NULL) != SQLITE_OK)
        return 0; /* recounting everything is always right */
    sqlite3_bind_text(q, 1, x->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, p->prev, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, sql_hex, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, x->tables, -1, SQLITE_STATIC);
    int yes = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return yes;
}

/* A failed statement is the definition's fault, located at its sql key,
 * unless the store or the machine failed under it: several large sorts
 * at once can fill the temporary disk or the memory. */
static cm_error fail_sql(sqlite3 *db, const cm_derivation *x, cm_diag *d,
                         const char *what)
{
    cm_error e = CM_ERR_DEFINITION;
    switch (sqlite3_errcode(db) & 0xff) {
    case SQLITE_NOMEM:
        e = CM_ERR_NOMEM;
        break;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CORRUPT:
    case SQLITE_CANTOPEN:
        e = CM_ERR_STORE;
        break;
    default:
        break;
    }
    return cm_diag_set(d, e, x->file, x->sql_line ? x->sql_line : x->line,
                       "sql", "%s: %s", what, sqlite3_errmsg(db));
}

static void bind_param(sqlite3_stmt *st, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i > 0)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Checks a statement's column layout, [unit,] region, period, element...,
 * and takes the element names into r. */
static cm_error take_columns(sqlite3_stmt *q, const cm_derivation *x,
                             result *r, cm_diag *d)
{
    int ncol = sqlite3_column_count(q), first = x->by_unit ? 3 : 2;
    const char *want[3] = {"unit", "region", "period"};
    for (int i = 0; i < first; i++) {
        const char *name = i < ncol ? sqlite3_column_name(q, i) : "";
        if (strcmp(name, want[i + (x->by_unit ? 0 : 1)]) != 0)
            return cm_diag_set(d, CM_ERR_DEFINITION, x->file, x->sql_line,
                               "sql", "column %d must be named '%s', not '%s'",
                               i + 1, want[i + (x->by_unit ? 0 : 1)], name);
    }
    if (ncol <= first)
        return cm_diag_set(d, CM_ERR_DEFINITION, x->file, x->sql_line, "sql",
                           "no element column after %s", want[2]);
    for (int i = first; i < ncol; i++)
        if (!valid_id(sqlite3_column_name(q, i)))
            return cm_diag_set(d, CM_ERR_DEFINITION, x->file, x->sql_line,
                               "sql", "column '%s' is not an element id",
                               sqlite3_column_name(q, i));
    if (!(r->cols = calloc((size_t)(ncol - first), sizeof *r->cols)))
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    r->first = first;
    r->ncol = ncol;
    for (int i = first; i < ncol; i++)
        if (!(r->cols[i - first] = cm_strdup(sqlite3_column_name(q, i))))
            return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    return CM_OK;
}

/* Runs x's statement on db (any connection to the store) into r. Reads
 * only: safe on several connections at once. */
static cm_error query_one(sqlite3 *db, const run_params *p,
                          const cm_derivation *x, result *r, cm_diag *d)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, x->sql, -1, &q, NULL) != SQLITE_OK)
        return fail_sql(db, x, d, "cannot prepare");
    if (!sqlite3_stmt_readonly(q)) {
        sqlite3_finalize(q);
        return cm_diag_set(d, CM_ERR_DEFINITION, x->file, x->sql_line, "sql",
                           "a derivation must only read");
    }
    bind_param(q, ":start", p->start);
    bind_param(q, ":end", p->end);
    bind_param(q, ":from", p->from);
    bind_param(q, ":to", p->to);
    bind_param(q, ":prev", p->prev);
    bind_param(q, ":id", x->id);
    if (x->tables) {
        cm_sha256 h;
        unsigned char dig[32];
        cm_sha256_init(&h);
        cm_sha256_update(&h, x->sql, strlen(x->sql));
        cm_sha256_final(&h, dig);
        cm_sha256_hex(dig, r->sql_hex);
    }
    r->incremental = can_continue(db, p, x, r->sql_hex);
    int inc_i = sqlite3_bind_parameter_index(q, ":incremental");
    if (inc_i > 0)
        sqlite3_bind_int(q, inc_i, r->incremental);
    int months_i = sqlite3_bind_parameter_index(q, ":months");
    if (months_i > 0)
        sqlite3_bind_int(q, months_i, p->months);
    cm_error rc = take_columns(q, x, r, d);
    int step = SQLITE_DONE;
    while (rc == CM_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *unit = x->by_unit ? (const char *)sqlite3_column_text(q, 0) : NULL;
        const char *region = (const char *)sqlite3_column_text(q, r->first - 2);
        const char *period = (const char *)sqlite3_column_text(q, r->first - 1);
        if (!region || !period || (x->by_unit && !x->unit_or_region && !unit)) {
            rc = cm_diag_set(d, CM_ERR_DEFINITION, x->file, x->sql_line, "sql",
                             "a row has no %s", !region ? "region"
                                                : !period ? "period" : "unit");
            break;
        }
        if (strlen(period) != 7 || strcmp(period, p->from) < 0 ||
            strcmp(period, p->to) > 0) {
            int window = strcmp(p->from, p->run_from) != 0 ||
                         strcmp(p->to, p->run_to) != 0;
            rc = cm_diag_set(d, CM_ERR_DEFINITION, x->file, x->sql_line, "sql",
                             "returned period '%s' outside %s..%s (%s%s%s%s%s"
                             "filter on :start and :end)", period, p->from,
                             p->to, window ? "a window of the run " : "",
                             window ? p->run_from : "", window ? ".." : "",
                             window ? p->run_to : "", window ? "; " : "");
            break;
        }
        if (!add_row(r, q, x->by_unit))
            rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    if (rc == CM_OK && step != SQLITE_DONE)
        rc = fail_sql(db, x, d, "failed");
    sqlite3_finalize(q);
    return rc;
}

typedef struct run_ctx {
    cm_store *s;
    sqlite3 *db;
    const run_params *p;
    sqlite3_stmt *ins_value, *ins_unit, *ins_period, *del_value, *del_unit;
    sqlite3_stmt *ins_kept, *del_kept;
    long rows;
    int incremental;
} run_ctx;

/* Keeps what x returned for from..to (table derived) and the change
 * sequence it reflects (derive_state), for the next run to continue. */
static cm_error keep_state(run_ctx *c, const cm_derivation *x,
                           const char *sql_hex, cm_diag *d)
{
    static const char *const sql[] = {
        "DELETE FROM derive_state WHERE derivation = ?1"
        " AND period BETWEEN ?2 AND ?3",
        "INSERT INTO derive_state(derivation, period, sql_sha256, seq)"
        " SELECT ?1, period, ?4,"
        "  (SELECT coalesce(max(seq), 0) FROM micro_changes)"
        " FROM derived WHERE derivation = ?1 AND period BETWEEN ?2 AND ?3"
        " GROUP BY period",
    };
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(c->db, sql[i], -1, &q, NULL) != SQLITE_OK)
            return cm_store_fail(c->s, d, "keeping the derivation's state");
        sqlite3_bind_text(q, 1, x->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, c->p->from, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, c->p->to, -1, SQLITE_STATIC);
        if (i == 1)
            sqlite3_bind_text(q, 4, sql_hex, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE)
            return cm_store_fail(c->s, d, "keeping the derivation's state");
    }
    return CM_OK;
}

static int step_done(sqlite3_stmt *st)
{
    return sqlite3_step(st) == SQLITE_DONE;
}

/* Writes what x returned: its values for the months replace the old. */
static cm_error write_one(run_ctx *c, const cm_derivation *x, const result *r,
                          cm_diag *d)
{
    const run_params *p = c->p;
    cm_error rc = CM_OK;
    c->incremental += r->incremental;
    if (x->tables) {
        /* what the run returns replaces the kept values of its months */
        sqlite3_reset(c->del_kept);
        sqlite3_bind_text(c->del_kept, 1, x->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(c->del_kept, 2, p->from, -1, SQLITE_STATIC);
        sqlite3_bind_text(c->del_kept, 3, p->to, -1, SQLITE_STATIC);
        if (!step_done(c->del_kept))
            return cm_store_fail(c->s, d, "clearing kept values");
    }
    int ne = r->ncol - r->first;
    /* the elements' previous derived values for these months go first,
     * from each table the derivation writes */
    for (int i = 0; i < ne && rc == CM_OK; i++)
        for (int t = 0; t < 2 && rc == CM_OK; t++) {
            int units = t == 0;
            if (units ? !x->by_unit : x->by_unit && !x->unit_or_region)
                continue;
            sqlite3_stmt *del = units ? c->del_unit : c->del_value;
            sqlite3_reset(del);
            sqlite3_bind_text(del, 1, r->cols[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(del, 2, p->from, -1, SQLITE_STATIC);
            sqlite3_bind_text(del, 3, p->to, -1, SQLITE_STATIC);
            if (!step_done(del))
                rc = cm_store_fail(c->s, d, "clearing derived values");
        }
    const char *last_period = "";
    for (size_t row = 0; row < r->n && rc == CM_OK; row++) {
        const char *unit = r->text + r->row_at[row];
        const char *region = x->by_unit ? unit + strlen(unit) + 1 : unit;
        const char *period = region + strlen(region) + 1;
        if (strcmp(period, last_period) != 0) {
            sqlite3_reset(c->ins_period);
            sqlite3_bind_text(c->ins_period, 1, period, -1, SQLITE_STATIC);
            if (!step_done(c->ins_period))
                return cm_store_fail(c->s, d, "adding a period");
            last_period = period;
        }
        int to_units = x->by_unit && !r->own[row];
        for (int i = 0; i < ne && rc == CM_OK; i++) {
            size_t at = row * (size_t)ne + (size_t)i;
            /* by = region, unit: an element a unit row gives as NULL is
             * the region's alone (derive.h) */
            if (to_units && x->unit_or_region && r->null[at])
                continue;
            sqlite3_stmt *ins = to_units ? c->ins_unit : c->ins_value;
            int k = 1;
            sqlite3_reset(ins);
            if (to_units)
                sqlite3_bind_text(ins, k++, unit, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, k++, region, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, k++, period, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, k++, r->cols[i], -1, SQLITE_STATIC);
            if (r->null[at])
                sqlite3_bind_null(ins, k);
            else
                sqlite3_bind_double(ins, k, r->val[at]);
            if (!step_done(ins))
                rc = cm_diag_set(d, CM_ERR_DEFINITION, x->file, x->sql_line,
                                 "sql", "cannot store %s for %s %s: %s",
                                 r->cols[i], region, period,
                                 sqlite3_errmsg(c->db));
            else
                c->rows++;
            if (rc == CM_OK && x->tables && !to_units) {
                sqlite3_reset(c->ins_kept);
                sqlite3_bind_text(c->ins_kept, 1, x->id, -1, SQLITE_STATIC);
                sqlite3_bind_text(c->ins_kept, 2, period, -1, SQLITE_STATIC);
                sqlite3_bind_text(c->ins_kept, 3, region, -1, SQLITE_STATIC);
                sqlite3_bind_text(c->ins_kept, 4, r->cols[i], -1,
                                  SQLITE_STATIC);
                if (r->null[at])
                    sqlite3_bind_null(c->ins_kept, 5);
                else
                    sqlite3_bind_double(c->ins_kept, 5, r->val[at]);
                if (!step_done(c->ins_kept))
                    rc = cm_diag_set(d, CM_ERR_DEFINITION, x->file,
                                     x->sql_line, "sql",
                                     "cannot keep %s for %s %s: %s",
                                     r->cols[i], region, period,
                                     sqlite3_errmsg(c->db));
            }
        }
    }
    if (rc == CM_OK && x->tables)
        rc = keep_state(c, x, r->sql_hex, d);
    return rc;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The statements shared out among threads, one connection each. A thread
 * takes the next statement in set order, so when one fails every earlier
 * one has been taken, and reporting the first failure in set order is
 * what a run on one thread would report. */
typedef struct pool {
    pthread_mutex_t mu; /* guards next and stop */
    size_t next;        /* the next statement to take */
    int stop;           /* a statement failed: take no more */
    const cm_derive_set *set;
    const run_params *p;
    result *res;        /* per statement, written by the thread running it */
    cm_error *rc;       /* likewise */
    cm_diag *diag;      /* likewise */
} pool;

static void pool_work(pool *pl, sqlite3 *db)
{
    for (;;) {
        pthread_mutex_lock(&pl->mu);
        size_t i = pl->next;
        int go = !pl->stop && i < pl->set->n;
        if (go)
            pl->next++;
        pthread_mutex_unlock(&pl->mu);
        if (!go)
            return;
        double t = now_ms();
        pl->rc[i] = query_one(db, pl->p, &pl->set->items[i], &pl->res[i],
                              &pl->diag[i]);
        pl->res[i].ms = now_ms() - t;
        if (pl->rc[i] != CM_OK) {
            pthread_mutex_lock(&pl->mu);
            pl->stop = 1;
            pthread_mutex_unlock(&pl->mu);
        }
    }
}

typedef struct helper {
    pool *pl;
    const char *path;   /* the store's file, opened read-only */
    const cm_calendar *cal;     /* for the domain functions; read only */
} helper;

/* A helper thread reads on its own connection. If it cannot open one it
 * takes no work: the calling thread then runs every statement. */
static void *helper_main(void *arg)
{
    helper *h = arg;
    sqlite3 *db = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    if (sqlite3_open_v2(h->path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        cm_domain_register(db, h->cal, &d) == CM_OK) {
        sqlite3_busy_timeout(db, 5000);
        sqlite3_limit(db, SQLITE_LIMIT_WORKER_THREADS, 1); /* see query_all */
        pool_work(h->pl, db);
    }
    sqlite3_close(db);
    return NULL;
}

/* At most this many reading connections: each holds a GROUP BY sort of up
 * to every record (temporary files and memory); measured only on 2 cores,
 * where 2 halved the run. */
#define MAX_THREADS 4

/* Threads for the statements: one per core, at most MAX_THREADS and one
 * per statement; 1 for a store that is not a plain file, or a SQLite
 * built without thread safety. */
static int thread_count(cm_store *s, size_t n)
{
    const char *path = cm_store_path(s);
    if (!path[0] || !strcmp(path, ":memory:") || !strncmp(path, "file:", 5) ||
        !sqlite3_threadsafe())
        return 1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long k = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : cores;
    return (size_t)k > n ? (n ? (int)n : 1) : (int)k;
}

/* Runs every statement, on up to thread_count connections, into res. */
static cm_error query_all(cm_store *s, const cm_derive_set *set,
                          const run_params *p, const cm_calendar *cal,
                          result *res, cm_diag *d)
{
    size_t n = set->n;
    pool pl;
    memset(&pl, 0, sizeof pl);
    pl.set = set;
    pl.p = p;
    pl.res = res;
    pl.rc = calloc(n ? n : 1, sizeof *pl.rc);
    pl.diag = calloc(n ? n : 1, sizeof *pl.diag);
    if (!pl.rc || !pl.diag) {
        free(pl.rc);
        free(pl.diag);
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    if (pthread_mutex_init(&pl.mu, NULL) != 0) {
        free(pl.rc);
        free(pl.diag);
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL,
                           "out of resources (a mutex)");
    }
    int k = thread_count(s, n);
    pthread_t tid[MAX_THREADS - 1];
    helper h = {&pl, cm_store_path(s), cal};
    int started = 0;
    for (int i = 0; i < k - 1; i++)
        if (pthread_create(&tid[started], NULL, helper_main, &h) == 0)
            started++;
    /* One sorter thread per connection: once the short statements are
     * done, the core they ran on would idle through the long GROUP BY
     * sort of the 双公示 records (bench, 24 months: 14.5 s -> 12.9 s). */
    sqlite3 *db = cm_store_db(s);
    int old_threads = sqlite3_limit(db, SQLITE_LIMIT_WORKER_THREADS, 1);
    pool_work(&pl, db);
    sqlite3_limit(db, SQLITE_LIMIT_WORKER_THREADS, old_threads);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    pthread_mutex_destroy(&pl.mu);
    cm_error rc = CM_OK;
    for (size_t i = 0; i < n && rc == CM_OK; i++)
        if (pl.rc[i] != CM_OK) {
            rc = pl.rc[i];
            *d = pl.diag[i];
        }
    free(pl.rc);
    free(pl.diag);
    return rc;
}

cm_error cm_derive_run(cm_store *s, const cm_derive_set *set, const char *from,
                       const char *to, cm_derive_stats *stats,
                       cm_derive_item_stats *each, cm_diag *d)
{
    double t0 = now_ms();
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (each)
        memset(each, 0, set->n * sizeof *each);
    int y1, m1, y2, m2;
    if (!month_parts(from, &y1, &m1) || !month_parts(to, &y2, &m2))
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "period",
                           "'%s'..'%s': months are written YYYY-MM", from, to);
    if (strcmp(from, to) > 0)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "period",
                           "%s is after %s", from, to);
    run_params p;
    memset(&p, 0, sizeof p);
    p.run_from = from;
    p.run_to = to;
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.db = cm_store_db(s);
    c.p = &p;

    cm_calendar *cal = NULL;
    cm_error rc = cm_derive_calendar(s, &cal, d);
    if (rc != CM_OK)
        return rc;
    /* the 7-working-day rule reaches past the last month: a decision of 12-31
     * is judged in the next year's calendar too, but not covering it only
     * makes those records not computable; the months themselves must be */
    for (int y = y1; y <= y2; y++)
        if (!cm_calendar_covers(cal, cm_date_days(y, 6, 30))) {
            cm_calendar_free(cal);
            return cm_diag_set(d, CM_ERR_DATA, cm_store_path(s), 0, "calendar",
                               "the store's calendar does not cover %d: import "
                               "its working-day calendar (calendar-%d.csv)",
                               y, y);
        }
    result *res = calloc(set->n ? set->n : 1, sizeof *res);
    if (!res) {
        cm_calendar_free(cal);
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    if ((rc = cm_domain_register(c.db, cal, d)) != CM_OK) {
        cm_domain_unregister(c.db); /* those registered before the failure */
        free(res);
        cm_calendar_free(cal);
        return rc;
    }
    static const char *const sql[] = {
        "INSERT INTO element_values(region, period, element, value, source) "
        "VALUES (?1, ?2, ?3, ?4, 'derive') ON CONFLICT(region, period, element) "
        "DO UPDATE SET value = excluded.value WHERE source = 'derive'",
        "INSERT INTO unit_values(unit, region, period, element, value) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET value = excluded.value",
        "INSERT OR IGNORE INTO periods(period, kind) VALUES (?1, 'month')",
        "DELETE FROM element_values WHERE element = ?1 AND source = 'derive' "
        "AND period BETWEEN ?2 AND ?3 AND length(period) = 7 "
        "AND substr(period, 6, 1) <> 'Q'",
        "DELETE FROM unit_values WHERE element = ?1 AND period BETWEEN ?2 AND ?3",
        "INSERT INTO derived(derivation, period, region, element, value)"
        " VALUES (?1, ?2, ?3, ?4, ?5)",
        "DELETE FROM derived WHERE derivation = ?1"
        " AND period BETWEEN ?2 AND ?3",
    };
    sqlite3_stmt **st[] = {&c.ins_value, &c.ins_unit, &c.ins_period,
                           &c.del_value, &c.del_unit, &c.ins_kept,
                           &c.del_kept};
    for (size_t i = 0; i < sizeof sql / sizeof *sql && rc == CM_OK; i++)
        if (sqlite3_prepare_v2(c.db, sql[i], -1, st[i], NULL) != SQLITE_OK)
            rc = cm_store_fail(s, d, "preparing the derivation statements");
    /* Window by window (derive.h): what a statement holds grows with the
     * months it counts (tally()'s groups: 62 MB of peak memory for 6
     * months of make bench, 90 MB for 12, 125 MB for 24). */
    int total = (y2 - y1) * 12 + m2 - m1 + 1, incremental = 0;
    long kept = 0; /* values of the windows committed */
    for (int k = 0; k < total && rc == CM_OK; k += CM_DERIVE_WINDOW) {
        int a = y1 * 12 + m1 - 1 + k;
        int b = a + (total - k < CM_DERIVE_WINDOW ? total - k
                                                  : CM_DERIVE_WINDOW) - 1;
        /* from is a valid month (month_parts), so the shifts succeed */
        char w[16];
        cm_period_shift(from, -k, w);
        memcpy(p.from, w, sizeof p.from);
        cm_period_shift(from, -(k + b - a), w);
        memcpy(p.to, w, sizeof p.to);
        snprintf(p.start, sizeof p.start, "%s-01", p.from);
        snprintf(p.end, sizeof p.end, "%s-%02u", p.to,
                 (unsigned)cm_date_month_days(b / 12, b % 12 + 1) % 32u);
        p.months = b - a + 1;
        if (!cm_period_shift(p.from, 1, p.prev))
            p.prev[0] = '\0';
        for (size_t i = 0; i < set->n; i++)
            result_clear(&res[i]);
        /* BEGIN IMMEDIATE before the reads: no other writer can commit
         * while the statements read, so every value of the window reflects
         * one state of the store, the state whose change sequence
         * keep_state records (an import may commit between two windows:
         * the next one then continues only if can_continue allows).
         * Readers on other connections are still let in; this one writes
         * only once they are done, and nothing may be written before
         * query_all returns: the helpers would not see it, and a write
         * could need their locks. */
        if ((rc = cm_store_begin(s, d)) != CM_OK)
            break;
        c.incremental = 0;
        rc = query_all(s, set, &p, cal, res, d);
        for (size_t i = 0; i < set->n && rc == CM_OK; i++) {
            double t = now_ms();
            long rows = c.rows;
            rc = write_one(&c, &set->items[i], &res[i], d);
            if (each) {
                each[i].ms += res[i].ms + (now_ms() - t);
                each[i].rows += c.rows - rows;
                if (k == 0)
                    each[i].incremental = res[i].incremental;
            }
        }
        if (rc == CM_OK)
            rc = cm_store_commit(s, d);
        else
            cm_store_rollback(s);
        if (rc == CM_OK) {
            kept = c.rows;
            if (k == 0)
                incremental = c.incremental;
            if (stats)
                memcpy(stats->done, p.to, sizeof stats->done);
        }
    }
    for (size_t i = 0; i < sizeof st / sizeof *st; i++)
        sqlite3_finalize(*st[i]);
    for (size_t i = 0; i < set->n; i++)
        result_clear(&res[i]);
    free(res);
    cm_domain_unregister(c.db); /* workdays() holds cal, freed next */
    cm_calendar_free(cal);
    if (stats) {
        stats->rows = kept;
        stats->incremental = rc == CM_OK ? incremental : 0;
        stats->ms = now_ms() - t0;
    }
    return rc;
}
