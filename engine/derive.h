/*
 * derive.h - derived data elements: declarations in indicators/derive/ (its
 * .ini files) that the engine runs as SQL over the store's microdata.
 *
 *   [derive publicity]
 *   name = 双公示及时性
 *   by = region                    ; or unit, or region, unit
 *   sql = SELECT region, substr(decided, 1, 7) AS period,
 *                count(*) AS publicity_total,
 *                sum(workdays(decided, published) <= 7) AS publicity_on_time
 *         FROM publicity WHERE decided BETWEEN :start AND :end
 *         GROUP BY 1, 2
 *
 * The statement returns one row per region and period: columns region,
 * period, then one column per element it derives, named by the element.
 * by = unit (per source or listing unit): columns unit, region, period,
 * elements. by = region, unit (or unit, region): the same columns, and a
 * row whose unit is NULL is the region's own value, so that one scan of
 * the records gives both; there an element that a unit row gives as NULL
 * is not stored for the unit (an element of the region's alone, such as
 * a running total the units do not need). One scan of a 10-million-row
 * table can give several elements. It may use the bound parameters :start and :end
 * (first and last day of the months being derived, 'YYYY-MM-DD'), :from
 * and :to ('YYYY-MM'), and the domain functions of domain.h; those months
 * are the run's, or one window of them (CM_DERIVE_WINDOW). Results
 * replace the elements' derived values for those months in one
 * transaction (element_values with source 'derive', unit_values for by =
 * unit, both for by = region, unit); imported values of the same element
 * are never overwritten. A row whose period lies outside the months asked for
 * is an error (the statement forgot to filter). Only one SELECT or WITH
 * statement is accepted; SQL errors are located at the sql key's line.
 *
 * Incremental runs. A by = region (or by = region, unit) derivation may
 * list the microdata tables its values depend on:
 *
 *   tables = entities, commitments
 *
 * Its regions' results are then also kept per month (store table
 * derived; a unit's are not, so only a region's values continue), with
 * the import sequence they reflect. When it next runs for from..to and
 * the month before from was derived with the same SQL, and no record of
 * those tables dated in or before that month has been imported since
 * (store table micro_changes), the statement gets :incremental = 1 and
 * may read its own previous values, WHERE derivation = :id AND period =
 * :prev, instead of recounting the whole history: a running total then
 * only adds the months asked for. Otherwise :incremental = 0 and it must
 * compute everything. The declaration is responsible for the promise
 * that a record only changes values from the month of its own date on
 * (registered, decided, listed, date): that is what the change log
 * records. Every statement gets :incremental (0 when it lists no
 * tables), :prev and :id, and :months (the number of months derived:
 * a statement may read a few months through a date index and many by a
 * scan).
 */
#ifndef CM_DERIVE_H
#define CM_DERIVE_H

#include <stddef.h>

#include "calendar.h"
#include "cm.h"
#include "store.h"

typedef struct cm_derivation {
    char *id, *name, *sql;
    int by_unit;        /* 1: rows carry a unit column */
    int unit_or_region; /* by = region, unit: a NULL unit is the region's
                           own value */
    char *tables;       /* "entities,commitments" (tables key), or NULL */
    char *file;
    long line, sql_line;
} cm_derivation;

typedef struct cm_derive_set {
    cm_derivation *items;
    size_t n;
    char **files;
    size_t n_files;
} cm_derive_set;

/* Loads every *.ini of dir (none is fine: an empty set). */
cm_error cm_derive_load(const char *dir, cm_derive_set **out, cm_diag *d);
void cm_derive_free(cm_derive_set *set);

/* One derivation's share of a run. */
typedef struct cm_derive_item_stats {
    long rows;          /* values written */
    int incremental;    /* 1: started from the month before's values */
    double ms;          /* wall time of its statement and writes */
} cm_derive_item_stats;

typedef struct cm_derive_stats {
    long rows;          /* values written (and committed) */
    int incremental;    /* derivations that started from stored values */
    double ms;          /* wall time */
    char done[8];       /* the last month derived and committed, or "":
                           on failure, the windows before the failing one */
} cm_derive_stats;

/* Months derived in one transaction at most. A statement holds counts per
 * group of the months it covers, so its memory grows with them: make
 * bench's province takes 125 MB of peak memory for 24 months. A longer
 * range is derived CM_DERIVE_WINDOW months at a time, oldest first, each
 * window in its own transaction; a window continues from the one before
 * like any run (see Incremental runs). main.c's usage text says 24. */
#define CM_DERIVE_WINDOW 24

/* Runs every derivation for the months from..to ('YYYY-MM', inclusive),
 * in one transaction per window of CM_DERIVE_WINDOW months (a failure
 * keeps the windows before it: stats->done). The store's calendar must
 * cover the range (else CM_ERR_DATA naming the year). Registers the
 * domain functions on the store's connection with a calendar loaded from
 * the store. Periods written are added to the periods table.
 *
 * The statements run side by side: for a store in a plain file and a
 * thread-safe SQLite, up to one per core (at most 4) on read-only
 * connections this function opens to the same file, with the domain
 * functions; so a statement must not rely on anything that lives only on
 * the store's own connection (TEMP tables, attached databases). What they
 * return (values, not records: a few MB for a province) is held until all
 * are done, then written in set order; the first failure in set order is
 * the one reported, and nothing of its window is written.
 *
 * stats (may be NULL) receives the totals; each (may be NULL) is the
 * caller's array of set->n, filled in set order. Each derivation's ms is
 * its statement's wall time plus the writing of its values: statements
 * overlap, so they can add up to more than stats->ms. "Continued" (stats
 * and each) is of the first window, the one that starts at from. On
 * failure stats holds ms, done and the values of the windows before the
 * failing one (rows), and each may be partly filled. */
cm_error cm_derive_run(cm_store *s, const cm_derive_set *set, const char *from,
                       const char *to, cm_derive_stats *stats,
                       cm_derive_item_stats *each, cm_diag *d);

/* Loads the store's calendar table into a new calendar (caller frees). */
cm_error cm_derive_calendar(cm_store *s, cm_calendar **out, cm_diag *d);

#endif
