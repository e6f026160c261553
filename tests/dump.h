/*
 * dump.h - the rows of a store as text, for tests that check a failed or
 * repeated import left the store exactly as it was. Include after cmocka.h.
 */
#ifndef CM_TEST_DUMP_H
#define CM_TEST_DUMP_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
