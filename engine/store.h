/*
 * store.h - the SQLite store: the single source of truth for a credit office.
 *
 * Every input is imported into one SQLite file; every run reads from it and
 * records what it read and wrote. The schema is versioned with
 * PRAGMA user_version and brought up to date by cm_store_new(); foreign keys
 * are on for every connection.
 *
 * Schema (authoritative copy: the migrations in store.c). Version 1 is
 * below; version 2 adds the microdata of issue 3 (calendar, calendar_years,
 * entities, publicity, blacklist, commitments, unit_values) and
 * element_values.source ('import' or 'derive'); version 3 the published
 * monitoring ranks (ranks, rank_scores: issue 4). Version 1:
 *
 *   regions(code TEXT PRIMARY KEY,          -- GB/T 2260, 6 digits
 *           name TEXT NOT NULL,
 *           level TEXT NOT NULL CHECK (level IN ('province','city','county')),
 *           parent TEXT REFERENCES regions(code))
 *   units(name TEXT PRIMARY KEY,            -- 成员单位, as written in documents
 *         short_name TEXT NOT NULL DEFAULT '')
 *   periods(period TEXT PRIMARY KEY,        -- '2018-12', '2019-Q2', '2019'
 *           kind TEXT NOT NULL CHECK (kind IN ('month','quarter','year')))
 *   element_values(region TEXT NOT NULL REFERENCES regions(code),
 *           period TEXT NOT NULL REFERENCES periods(period),
 *           element TEXT NOT NULL,
 *           value REAL,                     -- NULL = not reported (未报送)
 *           PRIMARY KEY (region, period, element))
 *   benchmarks(period TEXT NOT NULL REFERENCES periods(period),
 *           indicator TEXT NOT NULL,
 *           benchmark TEXT NOT NULL,        -- e.g. 'prefecture_avg'
 *           value REAL NOT NULL,
 *           value_text TEXT NOT NULL,       -- as published ("2.30"): held as given
 *           PRIMARY KEY (period, indicator, benchmark))
 *   assignments(region TEXT NOT NULL DEFAULT '',  -- '' = every city
 *           problem TEXT NOT NULL,
 *           lead TEXT NOT NULL,             -- 牵头单位, 、-separated if several
 *           partners TEXT NOT NULL,         -- 责任单位, as written
 *           deadline TEXT NOT NULL,         -- 整改时限, as written
 *           note TEXT NOT NULL DEFAULT '',  -- 备注
 *           PRIMARY KEY (region, problem))
 *   imports(sha256 TEXT NOT NULL, kind TEXT NOT NULL, file TEXT NOT NULL,
 *           size INTEGER NOT NULL, rows INTEGER NOT NULL,
 *           PRIMARY KEY (sha256, kind))  -- one line per distinct content;
 *                                        -- a re-import makes it the latest
 *                                        -- (rowid), which the manifest lists
 *   runs(id INTEGER PRIMARY KEY, region TEXT NOT NULL, period TEXT NOT NULL,
 *        started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL,
 *        elapsed_ms INTEGER, n_indicators INTEGER, n_findings INTEGER,
 *        n_problems INTEGER, manifest TEXT)    -- manifest: JSON text
 *   run_files(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
 *        role TEXT NOT NULL CHECK (role IN ('input','definition','template','output')),
 *        path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
 *        content TEXT,                       -- definitions are kept verbatim
 *        PRIMARY KEY (run_id, role, path))
 *   findings(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
 *        region TEXT NOT NULL, period TEXT NOT NULL, indicator TEXT NOT NULL,
 *        problem TEXT, status TEXT NOT NULL,  -- 'fail','missing'
 *        value REAL, benchmark REAL, description TEXT NOT NULL,
 *        PRIMARY KEY (run_id, region, indicator))
 *
 * Ownership: cm_store_new returns a store the caller frees with
 * cm_store_free. Strings returned through out-parameters are malloc'd and
 * owned by the caller unless the comment says "borrowed".
 */
#ifndef CM_STORE_H
#define CM_STORE_H

#include <sqlite3.h>

#include "cm.h"

#define CM_STORE_VERSION 5

typedef struct cm_store cm_store;

/* Process-wide SQLite settings for a program that uses each connection
 * from one thread at a time (credmon does: see derive.c, micro.c). Call
 * before anything else touches SQLite; a later call changes nothing. */
void cm_store_process_init(void);

/* Opens (creating if needed) the store at path and migrates it to
 * CM_STORE_VERSION. Refuses a store newer than this binary (CM_ERR_STORE).
 * Sets foreign_keys=ON, busy_timeout 5 s, journal_mode=TRUNCATE (see store.c). */
cm_error cm_store_new(const char *path, cm_store **out, cm_diag *d);

/* Closes the store; NULL is a no-op. */
void cm_store_free(cm_store *s);

/* The underlying connection, borrowed: for modules that run their own
 * bound-parameter SQL (import, compute, manifest). */
sqlite3 *cm_store_db(cm_store *s);

/* The path the store was opened with (borrowed). */
const char *cm_store_path(const cm_store *s);

/* PRAGMA user_version of the open store. */
int cm_store_version(cm_store *s);

/* Transactions. begin uses BEGIN IMMEDIATE so that a writer learns of a
 * concurrent writer at once (busy timeout applies), not at COMMIT. */
cm_error cm_store_begin(cm_store *s, cm_diag *d);
cm_error cm_store_commit(cm_store *s, cm_diag *d);
void cm_store_rollback(cm_store *s);

/* Runs one SQL statement with no parameters and no result (DDL, PRAGMA). */
cm_error cm_store_exec(cm_store *s, const char *sql, cm_diag *d);

/* Records an SQLite failure in d: "store: <sqlite message>" with the store
 * path as file. Returns CM_ERR_STORE. */
cm_error cm_store_fail(cm_store *s, cm_diag *d, const char *what);

/* A region as stored. Strings owned by the struct; free with
 * cm_region_clear. */
typedef struct cm_region {
    char code[8];
    char parent[8];     /* "" at the top */
    char level[16];     /* "province", "city", "county" */
    char *name;
} cm_region;

void cm_region_clear(cm_region *r);

/* Looks a region up by code. Returns CM_ERR_DATA (with a message naming the
 * code) if it is not in the store. */
cm_error cm_store_region(cm_store *s, const char *code, cm_region *out,
                         cm_diag *d);

/* Lists the regions whose parent is code, ordered by code. *out is a
 * malloc'd array of *n regions; free with cm_region_list_free. */
cm_error cm_store_children(cm_store *s, const char *code, cm_region **out,
                           size_t *n, cm_diag *d);

/* Lists every region of a level ('city', ...), ordered by code. */
cm_error cm_store_regions_at_level(cm_store *s, const char *level,
                                   cm_region **out, size_t *n, cm_diag *d);

void cm_region_list_free(cm_region *list, size_t n);

/* Whether a period is in the store: 1 yes, 0 no, -1 the store failed
 * (locked, corrupt): callers must not read a failure as "absent". */
int cm_store_has_period(cm_store *s, const char *period);

/* One element value. *state is 0 when no row exists, 1 when a number is
 * stored (in *value), 2 when the row says "not reported" (NULL value). */
cm_error cm_store_value(cm_store *s, const char *region, const char *period,
                        const char *element, double *value, int *state,
                        cm_diag *d);

/* A published benchmark. *found is 0 when absent. value_text (may be NULL)
 * receives the text as published, malloc'd, caller frees. */
cm_error cm_store_benchmark(cm_store *s, const char *period,
                            const char *indicator, const char *benchmark,
                            double *value, char **value_text, int *found,
                            cm_diag *d);

/* The assignment of a problem for a city: the region's own row if there is
 * one, else the default row (region ''). *found is 0 when neither exists.
 * Fields are malloc'd into out; free with cm_assignment_clear. */
typedef struct cm_assignment {
    char *lead, *partners, *deadline, *note;
} cm_assignment;

cm_error cm_store_assignment(cm_store *s, const char *region,
                             const char *problem, cm_assignment *out,
                             int *found, cm_diag *d);
void cm_assignment_clear(cm_assignment *a);

/* Whether a unit name (full or short) is known: 1 yes, 0 no, -1 the store
 * failed. */
int cm_store_has_unit(cm_store *s, const char *name);

#endif
