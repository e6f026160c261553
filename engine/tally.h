/*
 * tally.h - an SQL aggregate that counts rows by key in a hash table.
 *
 *   SELECT g.value ->> 0 AS region, g.value ->> 1 AS unit,
 *          g.value ->> 2 AS n
 *   FROM (SELECT tally(region, source_unit) AS t FROM publicity)
 *   CROSS JOIN json_each(t) g
 *
 * tally(k1, ..., kn) returns a JSON array with one element per distinct key
 * [k1, ..., kn, count], in key order (NULL before numbers before texts,
 * numbers by value, texts by bytes), '[]' over no rows. Keys are integers,
 * texts or NULL; a real or a blob key is an error.
 *
 * Why: SQLite's GROUP BY sorts its input. Over the 10 M double-publicity
 * records of make bench that sort was most of the derivation's time,
 * while the groups (region x month x class x unit) are a few hundred
 * thousand. A hash table holds one entry per group, so memory follows the
 * number of groups, not of rows.
 */
#ifndef CM_TALLY_H
#define CM_TALLY_H

#include <sqlite3.h>

#include "cm.h"

/* Registers tally() on db (any number of arguments, at least one). */
cm_error cm_tally_register(sqlite3 *db, cm_diag *d);

#endif
