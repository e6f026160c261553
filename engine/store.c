/*
 * store.c - the SQLite store: schema migration, connection settings,
 * transactions and the typed queries other modules read through.
 *
 * Hot lookups (values, benchmarks, units, periods) keep their prepared
 * statements for the life of the connection: compute asks for thousands of
 * values per run, and preparing costs more than the lookup itself.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Version 1 of the schema. The comment in store.h mirrors this text. */
static const char schema_v1[] =
    "CREATE TABLE regions("
    " code TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " level TEXT NOT NULL CHECK (level IN ('province','city','county')),"
    " parent TEXT REFERENCES regions(code));"
    "CREATE INDEX regions_parent ON regions(parent);"
    "CREATE TABLE units("
    " name TEXT PRIMARY KEY,"
    " short_name TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE periods("
    " period TEXT PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind IN ('month','quarter','year')));"
    "CREATE TABLE element_values("
    " region TEXT NOT NULL REFERENCES regions(code),"
    " period TEXT NOT NULL REFERENCES periods(period),"
    " element TEXT NOT NULL,"
    " value REAL,"
    " PRIMARY KEY (region, period, element));"
    "CREATE TABLE benchmarks("
    " period TEXT NOT NULL REFERENCES periods(period),"
    " indicator TEXT NOT NULL,"
    " benchmark TEXT NOT NULL,"
    " value REAL NOT NULL,"
    " value_text TEXT NOT NULL,"
    " PRIMARY KEY (period, indicator, benchmark));"
    "CREATE TABLE assignments("
    " region TEXT NOT NULL DEFAULT '',"
    " problem TEXT NOT NULL,"
    " lead TEXT NOT NULL,"
    " partners TEXT NOT NULL,"
    " deadline TEXT NOT NULL,"
    " note TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (region, problem));"
    "CREATE TABLE imports("
    " sha256 TEXT NOT NULL, kind TEXT NOT NULL, file TEXT NOT NULL,"
    " size INTEGER NOT NULL, rows INTEGER NOT NULL,"
    " PRIMARY KEY (sha256, kind));"
    "CREATE TABLE runs("
    " id INTEGER PRIMARY KEY, region TEXT NOT NULL, period TEXT NOT NULL,"
    " started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL,"
    " elapsed_ms INTEGER, n_indicators INTEGER, n_findings INTEGER,"
    " n_problems INTEGER, manifest TEXT);"
    "CREATE TABLE run_files("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " role TEXT NOT NULL"
    "  CHECK (role IN ('input','definition','template','output')),"
    " path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
    " content TEXT,"
    " PRIMARY KEY (run_id, role, path));"
    "CREATE TABLE findings("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " region TEXT NOT NULL, period TEXT NOT NULL, indicator TEXT NOT NULL,"
    " problem TEXT, status TEXT NOT NULL,"
    " value REAL, benchmark REAL, description TEXT NOT NULL,"
    " PRIMARY KEY (run_id, region, indicator));"
    "PRAGMA user_version = 1;";

/* Version 2: microdata (issue 3). Tables keyed by natural keys so that
 * re-imported or overlapping monthly files upsert instead of doubling;
 * WITHOUT ROWID because the key is the only access path (one B-tree, not
 * a table plus an index). Derived element values are marked by source.
 * CHECKs are written as OR chains, not IN lists: with a statement reset
 * for every row SQLite rebuilds an IN list's table each time (1M
 * commitments: 2.7 s with IN, 1.1 s without, measured). */
static const char schema_v2[] =
    "ALTER TABLE element_values ADD COLUMN source TEXT NOT NULL DEFAULT 'import';"
    "CREATE TABLE calendar("
    " day TEXT PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind = 'holiday' OR kind = 'workday'),"
    " notice TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE calendar_years("
    " year INTEGER PRIMARY KEY, notice TEXT NOT NULL);"
    "CREATE TABLE entities("
    " code TEXT NOT NULL, name TEXT NOT NULL,"
    " region TEXT NOT NULL REFERENCES regions(code),"
    " registered TEXT NOT NULL, status TEXT NOT NULL,"
    " PRIMARY KEY (code, name)) WITHOUT ROWID;"
    "CREATE TABLE publicity("
    " id TEXT PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind = '许可' OR kind = '处罚'),"
    " source_unit TEXT NOT NULL,"
    " region TEXT NOT NULL REFERENCES regions(code),"
    " subject_name TEXT NOT NULL, subject_code TEXT NOT NULL,"
    " decided TEXT NOT NULL, published TEXT) WITHOUT ROWID;"
    "CREATE TABLE blacklist("
    " subject TEXT NOT NULL, name TEXT NOT NULL,"
    " region TEXT NOT NULL REFERENCES regions(code),"
    " list TEXT NOT NULL, listing_unit TEXT NOT NULL,"
    " listed TEXT NOT NULL, removed TEXT,"
    " removal_reason TEXT NOT NULL DEFAULT '',"
    " repair_training INTEGER NOT NULL DEFAULT 0,"
    " repair_commitment INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (subject, list, listed)) WITHOUT ROWID;"
    "CREATE TABLE commitments("
    " subject TEXT NOT NULL,"
    " kind TEXT NOT NULL"
    "  CHECK (kind = '审批替代型' OR kind = '信用修复型' OR kind = '行业自律型'"
    "   OR kind = '主动型'),"
    " date TEXT NOT NULL, published INTEGER NOT NULL,"
    " PRIMARY KEY (subject, kind, date)) WITHOUT ROWID;"
    "CREATE TABLE unit_values("
    " unit TEXT NOT NULL, region TEXT NOT NULL REFERENCES regions(code),"
    " period TEXT NOT NULL REFERENCES periods(period),"
    " element TEXT NOT NULL, value REAL,"
    " PRIMARY KEY (unit, region, period, element)) WITHOUT ROWID;"
    "PRAGMA user_version = 2;";

/* Version 3: the published monitoring ranks (issue 4). */
static const char schema_v3[] =
    "CREATE TABLE ranks("
    " period TEXT NOT NULL,"
    " grp TEXT NOT NULL"
    "  CHECK (grp = 'capital' OR grp = 'prefecture' OR grp = 'county'),"
    " region TEXT NOT NULL REFERENCES regions(code),"
    " rank INTEGER NOT NULL CHECK (rank >= 1),"
    " score REAL NOT NULL,"
    " PRIMARY KEY (period, grp, region)) WITHOUT ROWID;"
    "CREATE INDEX ranks_region ON ranks(region, grp, period);"
    "CREATE TABLE rank_scores("
    " period TEXT NOT NULL, grp TEXT NOT NULL, region TEXT NOT NULL,"
    " indicator TEXT NOT NULL, score REAL NOT NULL,"
    " PRIMARY KEY (period, grp, region, indicator),"
    " FOREIGN KEY (period, grp, region) REFERENCES ranks(period, grp, region)"
    "  ON DELETE CASCADE) WITHOUT ROWID;"
    "PRAGMA user_version = 3;";

/* Version 4: incremental derivation (issue 3).
 * - Date indexes, so that a month's records are found without a scan of
 *   the table (10 M publicity rows: a full scan is about 2 s).
 * - micro_changes: per microdata table, the months whose records changed
 *   (month of the record's own date: registered, decided, listed, date),
 *   with the sequence number of the import that last changed them. The
 *   importer writes the months of the rows it read; the triggers add the
 *   old month of a row whose date an upsert moved (NULL seq: stamped by the
 *   import at its end).
 * - derived / derive_state: what each derivation returned, by month, with
 *   the change sequence and SQL it was computed from. A derivation that
 *   lists its tables may then start from the previous month's values when
 *   no record of a month up to it has changed since (derive.h). */
static const char schema_v4[] =
    "CREATE INDEX entities_registered ON entities(registered);"
    "CREATE INDEX publicity_decided ON publicity(decided);"
    "CREATE INDEX commitments_date ON commitments(date);"
    "CREATE TABLE micro_changes("
    " tbl TEXT NOT NULL, month TEXT NOT NULL, seq INTEGER,"
    " PRIMARY KEY (tbl, month)) WITHOUT ROWID;"
    "CREATE TRIGGER entities_moved AFTER UPDATE OF registered ON entities"
    " WHEN old.registered IS NOT new.registered BEGIN"
    " INSERT INTO micro_changes VALUES"
    "  ('entities', substr(old.registered, 1, 7), NULL)"
    "  ON CONFLICT DO UPDATE SET seq = NULL; END;"
    "CREATE TRIGGER publicity_moved AFTER UPDATE OF decided ON publicity"
    " WHEN old.decided IS NOT new.decided BEGIN"
    " INSERT INTO micro_changes VALUES"
    "  ('publicity', substr(old.decided, 1, 7), NULL)"
    "  ON CONFLICT DO UPDATE SET seq = NULL; END;"
    "CREATE TABLE derived("
    " derivation TEXT NOT NULL, period TEXT NOT NULL, region TEXT NOT NULL,"
    " element TEXT NOT NULL, value REAL,"
    " PRIMARY KEY (derivation, period, region, element)) WITHOUT ROWID;"
    "CREATE TABLE derive_state("
    " derivation TEXT NOT NULL, period TEXT NOT NULL,"
    " sql_sha256 TEXT NOT NULL, seq INTEGER NOT NULL,"
    " PRIMARY KEY (derivation, period)) WITHOUT ROWID;"
    "PRAGMA user_version = 4;";

/* Version 5: no date index on publicity or commitments. Each cost more
 * to keep up than it saved (make bench, 2026-11-23): publicity_decided
 * doubled a monthly import (0.5 s of 1.0 s per 430 k rows) while reading
 * one month through it beat a scan of the 10 M records by 0.4 s; the
 * commitments file comes in no date order, and commitments_date took
 * 4.9 s of its 7.8 s import, to spare a 0.2 s scan. entities_registered
 * stays: the register comes in date order and its index costs 1.2 s. */
static const char schema_v5[] =
    "DROP INDEX publicity_decided;"
    "DROP INDEX commitments_date;"
    "PRAGMA user_version = 5;";

/* Migrations in order: migrations[v] brings version v to v + 1. */
static const char *const migrations[] = {schema_v1, schema_v2, schema_v3,
                                         schema_v4, schema_v5};

/* Cached statements. ORDER STMT: keep in step with stmt_sql[]. */
enum {
    ST_VALUE,
    ST_BENCHMARK,
    ST_HAS_UNIT,
    ST_HAS_PERIOD,
    ST_REGION,
    ST_ASSIGNMENT,
    ST__COUNT
};

/* ORDER STMT */
static const char *const stmt_sql[ST__COUNT] = {
    "SELECT value FROM element_values"
    " WHERE region = ?1 AND period = ?2 AND element = ?3",
    "SELECT value, value_text FROM benchmarks"
    " WHERE period = ?1 AND indicator = ?2 AND benchmark = ?3",
    "SELECT 1 FROM units WHERE name = ?1"
    " OR (short_name = ?1 AND short_name <> '') LIMIT 1",
    "SELECT 1 FROM periods WHERE period = ?1",
    "SELECT code, name, level, coalesce(parent, '') FROM regions"
    " WHERE code = ?1",
    /* region '' sorts first: DESC puts a city's own row before the default */
    "SELECT lead, partners, deadline, note FROM assignments"
    " WHERE problem = ?2 AND region IN (?1, '')"
    " ORDER BY region DESC LIMIT 1",
};

struct cm_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *st[ST__COUNT];
};

cm_error cm_store_fail(cm_store *s, cm_diag *d, const char *what)
{
    const char *msg = s && s->db ? sqlite3_errmsg(s->db) : "no connection";
    const char *path = s ? s->path : NULL;
    if (what && what[0])
        return cm_diag_set(d, CM_ERR_STORE, path, 0, NULL, "store: %s: %s",
                           what, msg);
    return cm_diag_set(d, CM_ERR_STORE, path, 0, NULL, "store: %s", msg);
}

cm_error cm_store_exec(cm_store *s, const char *sql, cm_diag *d)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return cm_store_fail(s, d, sql);
    return CM_OK;
}

/* Returns the statement for slot k, reset and unbound, or NULL with d set. */
static sqlite3_stmt *stmt(cm_store *s, int k, cm_diag *d)
{
    if (!s->st[k]) {
        if (sqlite3_prepare_v3(s->db, stmt_sql[k], -1,
                               SQLITE_PREPARE_PERSISTENT, &s->st[k],
                               NULL) != SQLITE_OK) {
            cm_store_fail(s, d, "prepare");
            return NULL;
        }
    }
    sqlite3_reset(s->st[k]);
    sqlite3_clear_bindings(s->st[k]);
    return s->st[k];
}

static int read_version(cm_store *s, int *v)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) !=
        SQLITE_OK)
        return -1;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* 1 if the database holds any table, view, index or trigger. */
static int has_tables(cm_store *s)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_schema LIMIT 1", -1,
                           &q, NULL) != SQLITE_OK)
        return 1; /* unreadable: not ours to migrate either */
    int yes = sqlite3_step(q) != SQLITE_DONE;
    sqlite3_finalize(q);
    return yes;
}

int cm_store_version(cm_store *s)
{
    int v = -1;
    read_version(s, &v);
    return v;
}

/* Brings a store at version 0 (new) to CM_STORE_VERSION, in one
 * transaction; the version is read again inside it so that two processes
 * creating the same store do not both migrate. */
static cm_error migrate(cm_store *s, cm_diag *d)
{
    cm_error e = cm_store_begin(s, d);
    if (e)
        return e;
    int v = 0;
    if (read_version(s, &v) != 0) {
        e = cm_store_fail(s, d, "reading the schema version");
        goto fail;
    }
    for (; v < CM_STORE_VERSION; v++) {
        if (sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK) {
            char what[64];
            snprintf(what, sizeof what, "migrating the schema to version %d",
                     v + 1);
            e = cm_store_fail(s, d, what);
            goto fail;
        }
    }
    return cm_store_commit(s, d);
fail:
    cm_store_rollback(s);
    return e;
}

void cm_store_process_init(void)
{
    /* SQLite's defaults take a mutex for every allocation (memory
     * statistics) and for every call on a connection (serialized mode).
     * With each connection on one thread, both are pure cost: 9 % of an
     * import's perf samples. sqlite3_config refuses (SQLITE_MISUSE) once
     * SQLite is initialised, which is the "later call changes nothing". */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}

cm_error cm_store_new(const char *path, cm_store **out, cm_diag *d)
{
    *out = NULL;
    cm_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = cm_strdup(path))) {
        free(s);
        return cm_diag_set(d, CM_ERR_NOMEM, path, 0, NULL, "out of memory");
    }
    cm_error e = CM_OK;
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        e = cm_store_fail(s, d, "cannot open");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 5000);
    if ((e = cm_store_exec(s, "PRAGMA foreign_keys = ON", d)))
        goto fail;
    int v = 0;
    if (read_version(s, &v) != 0) {
        e = cm_store_fail(s, d, "not a credmon store");
        goto fail;
    }
    if (v == 0 && has_tables(s)) {
        /* version 0 with tables: another program's database, which a
         * migration would fill with credmon's tables */
        e = cm_diag_set(d, CM_ERR_STORE, path, 0, NULL,
                        "store: not a credmon store (an SQLite database of "
                        "other tables): give a new file or a credmon store");
        goto fail;
    }
    if (v > CM_STORE_VERSION) {
        e = cm_diag_set(d, CM_ERR_STORE, path, 0, NULL,
                        "store: schema version %d is newer than this credmon "
                        "(%s) understands (version %d): use a newer credmon",
                        v, CM_VERSION, CM_STORE_VERSION);
        goto fail;
    }
    /* A rollback journal, not WAL: a bulk import mostly adds new pages,
     * which a rollback journal never copies, while WAL writes every page
     * twice (log, then checkpoint). Importing the 14.4 M-row bench set:
     * 44.6 s (12.6 s system time) in WAL, 37.6 s (6.8 s) with TRUNCATE.
     * credmon is a batch tool; readers wait for a commit, not for an import.
     * Set before the migration so the first transaction already uses it. */
    if ((e = cm_store_exec(s, "PRAGMA journal_mode = TRUNCATE", d)))
        goto fail;
    /* 16 KiB pages for a new store (an existing one keeps its own until a
     * VACUUM): a quarter of the reads and writes for a full scan or a bulk
     * load. make bench, alternate runs (2026-12-02): import 21.6-27.3 s
     * against 24.3-28.8 with 4 KiB, derive 5.9-6.6 against 7.1-7.8, one
     * month's derive 1.25-1.75 against 1.75-1.87. Not 32 KiB: a month's
     * append journals every page of the month before it completes, and
     * took 3.1 s against 1.2-1.7. */
    if (v == 0 && (e = cm_store_exec(s, "PRAGMA page_size = 16384", d)))
        goto fail;
    if (v < CM_STORE_VERSION && (e = migrate(s, d)))
        goto fail;
    *out = s;
    return CM_OK;
fail:
    cm_store_free(s);
    return e;
}

void cm_store_free(cm_store *s)
{
    if (!s)
        return;
    for (int k = 0; k < ST__COUNT; k++)
        sqlite3_finalize(s->st[k]);
    sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
}

sqlite3 *cm_store_db(cm_store *s)
{
    return s->db;
}

const char *cm_store_path(const cm_store *s)
{
    return s->path;
}

cm_error cm_store_begin(cm_store *s, cm_diag *d)
{
    return cm_store_exec(s, "BEGIN IMMEDIATE", d);
}

cm_error cm_store_commit(cm_store *s, cm_diag *d)
{
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        cm_error e = cm_store_fail(s, d, "commit");
        cm_store_rollback(s);
        return e;
    }
    return CM_OK;
}

void cm_store_rollback(cm_store *s)
{
    if (s && s->db && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

void cm_region_clear(cm_region *r)
{
    if (!r)
        return;
    free(r->name);
    memset(r, 0, sizeof *r);
}

void cm_region_list_free(cm_region *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        cm_region_clear(&list[i]);
    free(list);
}

static void copy_col(char *dst, size_t n, sqlite3_stmt *q, int col)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    size_t len = t ? strlen((const char *)t) : 0;
    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(dst, t, len);
    dst[len] = '\0';
}

/* Fills r from a row (code, name, level, parent). */
static cm_error region_from_row(sqlite3_stmt *q, cm_region *r)
{
    memset(r, 0, sizeof *r);
    copy_col(r->code, sizeof r->code, q, 0);
    copy_col(r->level, sizeof r->level, q, 2);
    copy_col(r->parent, sizeof r->parent, q, 3);
    const unsigned char *name = sqlite3_column_text(q, 1);
    r->name = cm_strdup(name ? (const char *)name : "");
    return r->name ? CM_OK : CM_ERR_NOMEM;
}

cm_error cm_store_region(cm_store *s, const char *code, cm_region *out,
                         cm_diag *d)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = stmt(s, ST_REGION, d);
    if (!q)
        return CM_ERR_STORE;
    sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    cm_error e = CM_OK;
    if (rc == SQLITE_ROW) {
        if (region_from_row(q, out))
            e = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    } else if (rc == SQLITE_DONE) {
        e = cm_diag_set(d, CM_ERR_DATA, NULL, 0, "region",
                        "region '%s' is not in the store (import regions.csv)",
                        code);
    } else {
        e = cm_store_fail(s, d, "reading a region");
    }
    sqlite3_reset(q);
    return e;
}

/* Runs a region query with one text parameter into a malloc'd list. */
static cm_error region_list(cm_store *s, const char *sql, const char *arg,
                            cm_region **out, size_t *n, cm_diag *d)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return cm_store_fail(s, d, "listing regions");
    sqlite3_bind_text(q, 1, arg, -1, SQLITE_STATIC);
    cm_region *list = NULL;
    size_t cnt = 0, cap = 0;
    cm_error e = CM_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            cm_region *nl = realloc(list, ncap * sizeof *nl);
            if (!nl) {
                e = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL,
                                "out of memory");
                break;
            }
            list = nl;
            cap = ncap;
        }
        if (region_from_row(q, &list[cnt])) {
            e = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        cnt++;
    }
    if (!e && rc != SQLITE_DONE)
        e = cm_store_fail(s, d, "listing regions");
    sqlite3_finalize(q);
    if (e) {
        cm_region_list_free(list, cnt);
        return e;
    }
    *out = list;
    *n = cnt;
    return CM_OK;
}

cm_error cm_store_children(cm_store *s, const char *code, cm_region **out,
                           size_t *n, cm_diag *d)
{
    return region_list(s,
                       "SELECT code, name, level, coalesce(parent, '')"
                       " FROM regions WHERE parent = ?1 ORDER BY code",
                       code, out, n, d);
}

cm_error cm_store_regions_at_level(cm_store *s, const char *level,
                                   cm_region **out, size_t *n, cm_diag *d)
{
    return region_list(s,
                       "SELECT code, name, level, coalesce(parent, '')"
                       " FROM regions WHERE level = ?1 ORDER BY code",
                       level, out, n, d);
}

int cm_store_has_period(cm_store *s, const char *period)
{
    sqlite3_stmt *q = stmt(s, ST_HAS_PERIOD, NULL);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, period, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    /* a locked or broken store must not read as "no such period" */
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

cm_error cm_store_value(cm_store *s, const char *region, const char *period,
                        const char *element, double *value, int *state,
                        cm_diag *d)
{
    *state = 0;
    sqlite3_stmt *q = stmt(s, ST_VALUE, d);
    if (!q)
        return CM_ERR_STORE;
    sqlite3_bind_text(q, 1, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, element, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    cm_error e = CM_OK;
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(q, 0) == SQLITE_NULL) {
            *state = 2;
        } else {
            *state = 1;
            *value = sqlite3_column_double(q, 0);
        }
    } else if (rc != SQLITE_DONE) {
        e = cm_store_fail(s, d, "reading a value");
    }
    sqlite3_reset(q);
    return e;
}

cm_error cm_store_benchmark(cm_store *s, const char *period,
                            const char *indicator, const char *benchmark,
                            double *value, char **value_text, int *found,
                            cm_diag *d)
{
    *found = 0;
    if (value_text)
        *value_text = NULL;
    sqlite3_stmt *q = stmt(s, ST_BENCHMARK, d);
    if (!q)
        return CM_ERR_STORE;
    sqlite3_bind_text(q, 1, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, indicator, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, benchmark, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    cm_error e = CM_OK;
    if (rc == SQLITE_ROW) {
        *found = 1;
        *value = sqlite3_column_double(q, 0);
        if (value_text) {
            const unsigned char *t = sqlite3_column_text(q, 1);
            *value_text = cm_strdup(t ? (const char *)t : "");
            if (!*value_text) {
                *found = 0;
                e = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL,
                                "out of memory");
            }
        }
    } else if (rc != SQLITE_DONE) {
        e = cm_store_fail(s, d, "reading a benchmark");
    }
    sqlite3_reset(q);
    return e;
}

void cm_assignment_clear(cm_assignment *a)
{
    if (!a)
        return;
    free(a->lead);
    free(a->partners);
    free(a->deadline);
    free(a->note);
    memset(a, 0, sizeof *a);
}

static char *col_dup(sqlite3_stmt *q, int col)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    return cm_strdup(t ? (const char *)t : "");
}

cm_error cm_store_assignment(cm_store *s, const char *region,
                             const char *problem, cm_assignment *out,
                             int *found, cm_diag *d)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    sqlite3_stmt *q = stmt(s, ST_ASSIGNMENT, d);
    if (!q)
        return CM_ERR_STORE;
    sqlite3_bind_text(q, 1, region ? region : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, problem, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    cm_error e = CM_OK;
    if (rc == SQLITE_ROW) {
        out->lead = col_dup(q, 0);
        out->partners = col_dup(q, 1);
        out->deadline = col_dup(q, 2);
        out->note = col_dup(q, 3);
        if (!out->lead || !out->partners || !out->deadline || !out->note) {
            cm_assignment_clear(out);
            e = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        } else {
            *found = 1;
        }
    } else if (rc != SQLITE_DONE) {
        e = cm_store_fail(s, d, "reading an assignment");
    }
    sqlite3_reset(q);
    return e;
}

int cm_store_has_unit(cm_store *s, const char *name)
{
    if (!name || !name[0])
        return 0;
    sqlite3_stmt *q = stmt(s, ST_HAS_UNIT, NULL);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}
