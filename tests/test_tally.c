/*
 * test_tally.c - tally(k1, ..., kn): counts by key, the JSON it returns,
 * key order, escaping, the key types it refuses, and agreement with a
 * GROUP BY over enough rows to make its hash table grow several times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "tally.h"

static int setup(void **state)
{
    sqlite3 *db = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
        cm_tally_register(db, &d) != CM_OK) {
        sqlite3_close(db);
        return -1;
    }
    *state = db;
    return 0;
}

static int teardown(void **state)
{
    sqlite3_close(*state);
    return 0;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : "?");
}

/* The one text value sql returns; the caller frees it. NULL and *rc set
 * when the statement fails. */
static char *one_text(sqlite3 *db, const char *sql, int *rc)
{
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    *rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (*rc == SQLITE_OK) {
        *rc = sqlite3_step(st);
        if (*rc == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            out = strdup(t ? (const char *)t : "(null)");
            *rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return out;
}

static void expect(sqlite3 *db, const char *sql, const char *want)
{
    int rc;
    char *got = one_text(db, sql, &rc);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_string_equal(got, want);
    free(got);
}

static void counts_in_key_order(void **state)
{
    sqlite3 *db = *state;
    exec(db, "CREATE TABLE r(region TEXT, unit TEXT, c INTEGER);"
             "INSERT INTO r VALUES"
             " ('510104', '市税务局', 1), ('510103', '市税务局', 0),"
             " ('510104', '市税务局', 1), ('510103', '市公安局', 0),"
             " ('510103', '市税务局', 0), ('510103', '市税务局', 10),"
             " ('510103', '市税务局', -2), (NULL, '市税务局', 0);");
    /* by region, unit and class: NULL first, texts by bytes ("市公安局"
     * E5 B8 82 E5 85 AC < "市税务局" E5 B8 82 E7 A8 8E), integers by
     * value (-2 < 0 < 10, not as texts) */
    expect(db, "SELECT tally(region, unit, c) FROM r",
           "[[null,\"市税务局\",0,1],"
           "[\"510103\",\"市公安局\",0,1],"
           "[\"510103\",\"市税务局\",-2,1],"
           "[\"510103\",\"市税务局\",0,2],"
           "[\"510103\",\"市税务局\",10,1],"
           "[\"510104\",\"市税务局\",1,2]]");
    expect(db, "SELECT tally(unit) FROM r",
           "[[\"市公安局\",1],[\"市税务局\",7]]");
    /* a shorter text sorts before its extension */
    expect(db, "SELECT tally(x) FROM (SELECT 'ab' AS x UNION ALL SELECT 'a')",
           "[[\"a\",1],[\"ab\",1]]");
    /* the same value as integer and as text are different keys */
    expect(db, "SELECT tally(x) FROM (SELECT 7 AS x UNION ALL SELECT '7')",
           "[[7,1],[\"7\",1]]");
    /* no rows: an empty array, which json_each reads as no groups */
    expect(db, "SELECT tally(region) FROM r WHERE 0", "[]");
    expect(db,
           "SELECT count(*) FROM (SELECT tally(region) AS t FROM r WHERE 0)"
           " CROSS JOIN json_each(t)",
           "0");
    /* per group of an outer GROUP BY: each group its own table */
    expect(db,
           "SELECT group_concat(t, ';') FROM (SELECT tally(c) AS t FROM r"
           " GROUP BY region ORDER BY region)",
           "[[0,1]];[[-2,1],[0,3],[10,1]];[[1,2]]");
}

static void text_is_escaped(void **state)
{
    sqlite3 *db = *state;
    /* quote, backslash, a control character: json_each must give the
     * text back byte for byte */
    exec(db, "CREATE TABLE t(x TEXT);"
             "INSERT INTO t VALUES ('a\"b\\c' || char(10) || char(1) || 'd');");
    expect(db, "SELECT tally(x) FROM t",
           "[[\"a\\\"b\\\\c\\u000a\\u0001d\",1]]");
    expect(db,
           "SELECT g.value ->> 0 = (SELECT x FROM t) FROM"
           " (SELECT tally(x) AS j FROM t) CROSS JOIN json_each(j) g",
           "1");
}

static void refused_keys(void **state)
{
    sqlite3 *db = *state;
    int rc;
    char *got = one_text(db, "SELECT tally(1.5)", &rc);
    assert_null(got);
    assert_int_equal(rc, SQLITE_ERROR);
    assert_non_null(strstr(sqlite3_errmsg(db), "tally(): a key is a real or a blob"));
    got = one_text(db, "SELECT tally(1, x'00')", &rc);
    assert_null(got);
    assert_int_equal(rc, SQLITE_ERROR);
    got = one_text(db, "SELECT tally()", &rc);
    assert_null(got);
    assert_int_equal(rc, SQLITE_ERROR);
    assert_non_null(strstr(sqlite3_errmsg(db), "no key"));
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_tally_register(NULL, &d), CM_ERR_USAGE);
}

/* 200 000 rows in 60 000 groups (a bijection of v mod 60 000, met out of
 * order): the table grows from 1 024 slots several times, and every count
 * must still match SQLite's own GROUP BY, group by group in order. */
static void agrees_with_group_by(void **state)
{
    sqlite3 *db = *state;
    exec(db, "CREATE TABLE n AS WITH RECURSIVE i(v) AS (SELECT 0 UNION ALL"
             " SELECT v + 1 FROM i WHERE v < 199999)"
             " SELECT v * 7919 % 300 AS a, 'u' || (v / 300 % 200) AS b"
             " FROM i;");
    expect(db, "SELECT count(*) FROM (SELECT DISTINCT a, b FROM n)", "60000");
    expect(db,
           "WITH t AS (SELECT g.value ->> 0 AS a, g.value ->> 1 AS b,"
           "   g.value ->> 2 AS n, g.key AS i"
           "  FROM (SELECT tally(a, b) AS j FROM n) CROSS JOIN json_each(j) g),"
           " s AS (SELECT a, b, count(*) AS n,"
           "   row_number() OVER (ORDER BY a, b) - 1 AS i FROM n GROUP BY a, b)"
           " SELECT (SELECT count(*) FROM t) || ' ' || count(*)"
           " FROM t JOIN s USING (i) WHERE t.a = s.a AND t.b = s.b AND t.n = s.n",
           "60000 60000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(counts_in_key_order, setup, teardown),
        cmocka_unit_test_setup_teardown(text_is_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(agrees_with_group_by, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
