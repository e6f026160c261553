/*
 * storetest.h - what the tests that build a store share: a temporary store,
 * SQL that must succeed, and the rows of a store as text (to check that a
 * failed or repeated import left it exactly as it was). Include after
 * cmocka.h.
 */
#ifndef CM_TEST_STORETEST_H
#define CM_TEST_STORETEST_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

/* Runs sql on the store, failing the test with SQLite's message. */
static inline void th_exec(cm_store *s, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(cm_store_db(s), sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : "?");
    sqlite3_free(err);
}

/* The integer of a one-value query on the store; fails the test if the
 * query does not give a row. */
static inline long long th_int(cm_store *s, const char *sql)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(cm_store_db(s), sql, -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    long long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* The text of a one-value query on the store, "NULL" for NULL, into buf
 * (n bytes); returns buf. */
static inline const char *th_text(cm_store *s, const char *sql, char *buf,
                                  size_t n)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(cm_store_db(s), sql, -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(q, 0);
    snprintf(buf, n, "%s", t ? (const char *)t : "NULL");
    sqlite3_finalize(q);
    return buf;
}

/* A new store in a new temporary folder /tmp/cm-<tag>-XXXXXX: fills dir
 * (64 bytes), db (128 bytes) and *s; returns 0, or -1 (with the reason on
 * stderr) when either cannot be made. */
static inline int th_store_open(const char *tag, char dir[64], char db[128],
                                cm_store **s)
{
    snprintf(dir, 64, "/tmp/cm-%s-XXXXXX", tag);
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, 128, "%s/s.db", dir);
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_store_new(db, s, &d) != CM_OK) {
        char buf[512];
        cm_diag_format(&d, buf, sizeof buf);
        fprintf(stderr, "store: %s\n", buf);
        return -1;
    }
    return 0;
}

/* Closes the store and removes its folder; 0, or -1 if rm failed. */
static inline int th_store_close(cm_store *s, const char *dir)
{
    cm_store_free(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Every row of each query (give them an ORDER BY), typed cell by cell
 * (N null, I integer, R real, T text), rows by "\n", queries by "#".
 * Caller frees. */
static inline char *th_dump(sqlite3 *db, const char *const *queries, size_t n)
{
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_prepare_v2(db, queries[i], -1, &q, NULL),
                         SQLITE_OK);
        int more = 1;
        while (more) {
            char cell[1024] = "";
            int rc = sqlite3_step(q);
            more = rc == SQLITE_ROW;
            for (int c = 0; more && c <= sqlite3_column_count(q); c++) {
                if (c == sqlite3_column_count(q))
                    snprintf(cell, sizeof cell, "\n");
                else if (sqlite3_column_type(q, c) == SQLITE_NULL)
                    snprintf(cell, sizeof cell, "N|");
                else if (sqlite3_column_type(q, c) == SQLITE_INTEGER)
                    snprintf(cell, sizeof cell, "I%lld|",
                             sqlite3_column_int64(q, c));
                else if (sqlite3_column_type(q, c) == SQLITE_FLOAT)
                    snprintf(cell, sizeof cell, "R%.17g|",
                             sqlite3_column_double(q, c));
                else
                    snprintf(cell, sizeof cell, "T%s|",
                             (const char *)sqlite3_column_text(q, c));
                size_t k = strlen(cell);
                if (len + k + 2 > cap) {
                    cap = 2 * (len + k + 2);
                    out = realloc(out, cap);
                    assert_non_null(out);
                }
                memcpy(out + len, cell, k + 1);
                len += k;
            }
        }
        sqlite3_finalize(q);
        if (len + 2 > cap) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        out[len++] = '#';
        out[len] = '\0';
    }
    return out;
}

#endif
