/*
 * test_domain.c - GB 32100 unified social credit codes, GB 11714
 * organisation codes, GB 11643 citizen IDs, masking, and the SQL functions
 * of cm_domain_register through an in-memory SQLite database.
 *
 * The expected check characters are computed here step by step, apart from
 * engine/domain.c, so that a wrong table there cannot confirm itself.
 * Run from the repository root (or set CREDMON_ROOT).
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

#include "calendar.h"
#include "domain.h"

static const char ALPHA[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";   /* GB 32100 */

static const char *const VALID_USCC[] = {
    "91350100M000100Y43", "91110000600037341L",
    "91350200776049653A", "91512081MA62K0260E",
};

static int uscc_ok(const char *s)
{
    return cm_domain_uscc_valid(s, strlen(s));
}

/* GB 32100 check character of code[0..17): weight of position i is
 * 3^(i-1) mod 31, computed here by repeated multiplication. */
static char test_uscc_check(const char *code)
{
    int sum = 0, w = 1;
    for (int i = 0; i < 17; i++) {
        const char *p = strchr(ALPHA, code[i]);
        assert_non_null(p);
        sum += (int)(p - ALPHA) * w;
        w = w * 3 % 31;
    }
    return ALPHA[(31 - sum % 31) % 31];
}

/* GB 11714 check character of org[0..8). Worked example, the standard's
 * D2143569-X: values D=13 2 1 4 3 5 6 9, weights 3 7 9 10 5 8 4 2:
 * 39 + 14 + 9 + 40 + 15 + 40 + 24 + 18 = 199; 199 mod 11 = 1; 11 - 1 = 10
 * -> 'X'. */
static char test_org_check(const char *org)
{
    static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        int v = org[i] <= '9' ? org[i] - '0' : org[i] - 'A' + 10;
        sum += v * w[i];
    }
    int c = 11 - sum % 11;
    return c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
}

/* GB 11643 check character of id[0..17). Worked example, the classic
 * 11010519491231002X: digits 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 times
 * weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 give 7 9 0 5 0 20 2 9 24 27 7
 * 18 30 5 0 0 4, sum 167; 167 mod 11 = 2; "10X98765432"[2] = 'X'. The
 * weights are 2^(17-i) mod 11, computed here from 2^17 downwards. */
static char test_cid_check(const char *id)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int w = 1;
        for (int k = 0; k < 17 - i; k++)
            w = w * 2 % 11;
        sum += (id[i] - '0') * w;
    }
    return "10X98765432"[sum % 11];
}

/* ---- GB 32100 --------------------------------------------------------- */

static void uscc_examples(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        assert_true(uscc_ok(VALID_USCC[i]));
        assert_int_equal(test_uscc_check(VALID_USCC[i]), VALID_USCC[i][17]);
        assert_int_equal(test_org_check(VALID_USCC[i] + 8), VALID_USCC[i][16]);
    }
}

/* Every position replaced by every other character of the alphabet: the
 * weights are non-zero mod 31 and 31 is prime, so each single substitution
 * changes Σ mod 31 and must be caught. */
static void uscc_every_single_corruption(void **state)
{
    (void)state;
    long tried = 0;
    for (size_t i = 0; i < 4; i++)
        for (int pos = 0; pos < 18; pos++)
            for (const char *c = ALPHA; *c; c++) {
                if (*c == VALID_USCC[i][pos])
                    continue;
                char s[19];
                memcpy(s, VALID_USCC[i], 19);
                s[pos] = *c;
                if (uscc_ok(s))
                    fail_msg("%s accepted (position %d)", s, pos + 1);
                tried++;
            }
    assert_int_equal(tried, 4 * 18 * 30);
}

static void uscc_refusals(void **state)
{
    (void)state;
    /* lower case */
    assert_false(uscc_ok("91350100m000100y43"));
    assert_false(uscc_ok("91512081ma62k0260e"));
    assert_false(uscc_ok("91110000600037341l"));
    /* length */
    assert_false(uscc_ok("91350100M000100Y4"));
    assert_false(uscc_ok("91350100M000100Y433"));
    assert_false(uscc_ok(""));
    assert_false(cm_domain_uscc_valid(NULL, 18));
    assert_false(cm_domain_uscc_valid("91350100M000100Y43", 17));
    /* n bounds the text */
    assert_true(cm_domain_uscc_valid("91350100M000100Y43 trailing", 18));
    /* I, O, S, V, Z are not in the alphabet, in any position, even with a
     * check character recomputed to fit */
    const char *excluded = "IOSVZ";
    for (size_t i = 0; i < 4; i++)
        for (int pos = 0; pos < 17; pos++)
            for (const char *c = excluded; *c; c++) {
                char s[19];
                memcpy(s, VALID_USCC[i], 19);
                s[pos] = *c;
                assert_false(uscc_ok(s));
            }
    for (const char *c = excluded; *c; c++) {
        char s[19];
        memcpy(s, VALID_USCC[0], 19);
        s[17] = *c;
        assert_false(uscc_ok(s));
    }
    /* blanks, punctuation, full-width or other bytes */
    assert_false(uscc_ok(" 1350100M000100Y43"));
    assert_false(uscc_ok("91350100-000100Y43"));
    char hi[19];
    memcpy(hi, VALID_USCC[0], 19);
    hi[5] = (char)0xC0;
    assert_false(uscc_ok(hi));
}

/* The two checks are independent: a code whose character 18 is right for
 * the other 17 but whose organisation code (chars 9-17) fails GB 11714 is
 * refused; and position 1 (registering authority) takes any character of
 * the alphabet, not only 1/5/9/Y. */
static void uscc_both_checks(void **state)
{
    (void)state;
    char s[19];
    memcpy(s, "91350100M000100Y43", 19);
    s[16] = '5';                              /* org check was '4' */
    s[17] = test_uscc_check(s);
    assert_int_not_equal(test_org_check(s + 8), '5');
    assert_false(uscc_ok(s));
    /* the same change of a body character with both checks recomputed */
    memcpy(s, "91350100M000100Y43", 19);
    s[12] = '7';
    s[16] = test_org_check(s + 8);
    s[17] = test_uscc_check(s);
    assert_true(uscc_ok(s));
    for (const char *c = ALPHA; *c; c++) {
        memcpy(s, "91350100M000100Y43", 19);
        s[0] = *c;
        s[17] = test_uscc_check(s);
        assert_true(uscc_ok(s));
    }
    /* an org code check 'X' inside a USCC (X is in the GB 32100 alphabet) */
    memcpy(s, "91110000D2143569X", 17);
    s[17] = test_uscc_check(s);
    s[18] = '\0';
    assert_true(uscc_ok(s));
}

/* ---- GB 11714 --------------------------------------------------------- */

static int org_ok(const char *s)
{
    return cm_domain_orgcode_valid(s, strlen(s));
}

static void orgcode(void **state)
{
    (void)state;
    /* the standard's example (worked out at test_org_check) and the
     * organisation codes inside the valid USCC examples */
    assert_true(org_ok("D2143569X"));
    assert_true(org_ok("M000100Y4"));
    assert_true(org_ok("600037341"));
    assert_true(org_ok("776049653"));
    /* MA62K026: M=22 A=10 6 2 K=20 0 2 6 -> 66+70+54+20+100+0+8+12 = 330,
     * 330 mod 11 = 0, 11 - 0 = 11 -> '0' */
    assert_true(org_ok("MA62K0260"));
    /* a check of 11 written '0' and of 10 written 'X', never "10" or 'x' */
    assert_false(org_ok("D2143569x"));
    assert_false(org_ok("D21435690"));
    /* the body uses the 36 characters: I, O, S, V, Z are allowed there */
    char s[10] = "IOSVZ000";
    s[8] = test_org_check(s);
    s[9] = '\0';
    assert_true(org_ok(s));
    /* every single change of the check character is caught */
    for (const char *c = "0123456789X"; *c; c++) {
        char t[10];
        memcpy(t, "776049653", 10);
        if (*c == '3')
            continue;
        t[8] = *c;
        assert_false(org_ok(t));
    }
    /* shape */
    assert_false(org_ok("D2143569-X"));     /* printed form: 10 characters */
    assert_false(org_ok("d2143569X"));
    assert_false(org_ok("D2143569"));
    assert_false(org_ok("D2143569X0"));
    assert_false(org_ok("D214-569X"));
    assert_false(cm_domain_orgcode_valid(NULL, 9));
}

/* ---- GB 11643 --------------------------------------------------------- */

static int cid_ok(const char *s)
{
    return cm_domain_citizen_id_valid(s, strlen(s));
}

/* id = region + yyyymmdd + seq, with its check character. */
static void make_id(char id[19], const char *region, const char *birth,
                    const char *seq)
{
    memcpy(id, region, 6);
    memcpy(id + 6, birth, 8);
    memcpy(id + 14, seq, 3);
    id[17] = test_cid_check(id);
    id[18] = '\0';
}

static void citizen_id(void **state)
{
    (void)state;
    assert_true(cid_ok("11010519491231002X"));
    assert_int_equal(test_cid_check("11010519491231002X"), 'X');
    /* the standard writes the ten as upper-case X */
    assert_false(cid_ok("11010519491231002x"));
    /* every other check character is refused */
    for (const char *c = "0123456789"; *c; c++) {
        char id[19];
        memcpy(id, "11010519491231002X", 19);
        id[17] = *c;
        assert_false(cid_ok(id));
    }
    /* valid IDs for every birth day of 1949..2024, checks computed here */
    long n = 0;
    for (long d = cm_date_days(1949, 1, 1); d <= cm_date_days(2024, 12, 31); d++) {
        char iso[11], birth[9], id[19];
        cm_date_format(d, iso);
        memcpy(birth, iso, 4);
        memcpy(birth + 4, iso + 5, 2);
        memcpy(birth + 6, iso + 8, 2);
        birth[8] = '\0';
        make_id(id, "510103", birth, n % 2 ? "137" : "004");
        if (!cid_ok(id))
            fail_msg("%s refused", id);
        /* a single digit changed in the sequence part is caught */
        id[15] = (char)('0' + (id[15] - '0' + 1) % 10);
        assert_false(cid_ok(id));
        n++;
    }
    assert_true(n > 27000);
    /* birth dates that do not exist, with correct check characters */
    static const char *bad_birth[] = {
        "19490229", "20190229", "19001331", "19491301", "19490100", "19490132",
        "19490431", "21000229", "18991231", "22000101", "00000000",
    };
    for (size_t i = 0; i < sizeof bad_birth / sizeof bad_birth[0]; i++) {
        char id[19];
        make_id(id, "110105", bad_birth[i], "002");
        if (cid_ok(id))
            fail_msg("%s accepted", id);
    }
    char id[19];
    make_id(id, "110105", "20000229", "002");    /* 2000 was a leap year */
    assert_true(cid_ok(id));
    /* shape */
    assert_false(cid_ok("11010519491231002"));
    assert_false(cid_ok("11010519491231002X0"));
    assert_false(cid_ok("110105491231002"));     /* 15 digits: no check */
    assert_false(cid_ok("1101051949123100AX"));
    assert_false(cid_ok("11010519491231002 "));
    assert_false(cm_domain_citizen_id_valid(NULL, 18));
}

/* ---- masking ---------------------------------------------------------- */

static void mask(void **state)
{
    (void)state;
    char out[64];
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"110105194912310021", "110105********0021"},
        {"11010519491231002X", "110105********002X"},
        {"11010519491231002x", "110105********002x"},
        {"110105491231002", "110105*****1002"},             /* first generation */
        {"510103200002290049", "510103********0049"},       /* check not required */
        {" 110105194912310021\t", " 110105********0021\t"}, /* stray blanks */
        {"91350100M000100Y43", "91350100M000100Y43"},       /* a company: public */
        /* companies' codes of digits only: valid, failing the check, a
         * 事业单位 (1...) with no birth year in chars 7-10 */
        {"915114026139234306", "915114026139234306"},
        {"91511421000006111X", "91511421000006111X"},
        {"125114000075432101", "125114000075432101"},
        {"910105491231002", "910105491231002"},             /* no region 9x */
        {"810000199901010012", "810000********0012"},       /* 港澳 resident */
        {"D2143569X", "D2143569X"},
        {"1101051949123100", "1101051949123100"},           /* 16 chars */
        {"1101051949123100211", "1101051949123100211"},     /* 19 chars */
        {"11010519491231002Y", "11010519491231002Y"},
        {"张三", "张三"},
        {"12345", "12345"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cm_domain_mask(cases[i].in, out, sizeof out);
        assert_string_equal(out, cases[i].out);
    }
    /* a short buffer cuts the masked text: never the unmasked one */
    char small[11];
    cm_domain_mask("110105194912310021", small, sizeof small);
    assert_string_equal(small, "110105****");
    cm_domain_mask("110105194912310021", small, 1);
    assert_string_equal(small, "");
    memcpy(small, "unchanged", 10);
    cm_domain_mask("110105194912310021", small, 0);
    assert_string_equal(small, "unchanged");
    cm_domain_mask(NULL, out, sizeof out);
    assert_string_equal(out, "");
}

/* ---- SQL -------------------------------------------------------------- */

typedef struct sqlfix {
    sqlite3 *db;
    cm_calendar *cal;
} sqlfix;

/* Loads fixtures/calendar/<year>.csv (format checked in test_calendar). */
static void load_year(cm_calendar *cal, int year)
{
    const char *root = getenv("CREDMON_ROOT");
    char path[512], line[512];
    snprintf(path, sizeof path, "%s/fixtures/calendar/calendar-%d.csv",
             root && *root ? root : ".", year);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", path);
    assert_int_equal(cm_calendar_cover(cal, year), CM_OK);
    assert_non_null(fgets(line, sizeof line, f));     /* header */
    while (fgets(line, sizeof line, f)) {
        long day = cm_date_parse(line, 10);
        assert_true(day != CM_DAY_INVALID);
        int work = strncmp(line + 11, "workday,", 8) == 0;
        assert_int_equal(cm_calendar_set(cal, day, work), CM_OK);
    }
    fclose(f);
}

static int sql_setup(void **state)
{
    sqlfix *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->cal = cm_calendar_new();
    if (!f->cal || sqlite3_open(":memory:", &f->db) != SQLITE_OK)
        return -1;
    for (int y = 2018; y <= 2021; y++)
        load_year(f->cal, y);
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_domain_register(f->db, f->cal, &d) != CM_OK)
        return -1;
    *state = f;
    return 0;
}

static int sql_teardown(void **state)
{
    sqlfix *f = *state;
    if (f) {
        sqlite3_close(f->db);
        cm_calendar_free(f->cal);
        free(f);
    }
    return 0;
}

/* Runs a one-value query; returns its text ("NULL" for NULL) in buf. */
static const char *q(void **state, const char *sql, char *buf, size_t n)
{
    sqlfix *f = *state;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(f->db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(f->db));
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("%s: %s", sql, sqlite3_errmsg(f->db));
    if (sqlite3_column_type(st, 0) == SQLITE_NULL)
        snprintf(buf, n, "NULL");
    else
        snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

#define Q(sql, want)                                                      \
    do {                                                                  \
        char b_[128];                                                     \
        assert_string_equal(q(state, sql, b_, sizeof b_), want);          \
    } while (0)

static void sql_functions(void **state)
{
    Q("SELECT uscc_valid('91350100M000100Y43')", "1");
    Q("SELECT uscc_valid('91350100M000100Y44')", "0");
    Q("SELECT uscc_valid('')", "0");
    Q("SELECT uscc_valid(NULL)", "NULL");
    Q("SELECT uscc_valid(913501001)", "0");
    Q("SELECT citizen_id_valid('11010519491231002X')", "1");
    Q("SELECT citizen_id_valid('110105194912310021')", "0");
    Q("SELECT citizen_id_valid(NULL)", "NULL");
    Q("SELECT mask_id('110105194912310021')", "110105********0021");
    Q("SELECT mask_id('91350100M000100Y43')", "91350100M000100Y43");
    Q("SELECT mask_id(110105491231002)", "110105*****1002");   /* integer */
    Q("SELECT mask_id(NULL)", "NULL");
    Q("SELECT mask_id('')", "");
    Q("SELECT mask_id(hex(zeroblob(100))) = hex(zeroblob(100))", "1");
    /* workdays: see test_calendar.c for the hand counts */
    Q("SELECT workdays('2019-09-27', '2019-10-12')", "7");
    Q("SELECT workdays('2020-01-17', '2020-02-04')", "7");
    Q("SELECT workdays('2018-12-28', '2019-01-04')", "4");
    Q("SELECT workdays('2019-10-12', '2019-09-27')", "0");
    Q("SELECT workdays('2017-12-31', '2021-12-31')", "999");
    Q("SELECT workdays(NULL, '2019-10-12')", "NULL");
    Q("SELECT workdays('2019-09-27', NULL)", "NULL");
    Q("SELECT workdays('2019-02-29', '2019-03-01')", "NULL");
    Q("SELECT workdays('2019-9-27', '2019-10-12')", "NULL");
    Q("SELECT workdays('2019-09-27 ', '2019-10-12')", "NULL");
    Q("SELECT workdays(20190927, '2019-10-12')", "NULL");
    Q("SELECT workdays('2021-12-31', '2022-01-04')", "NULL");   /* not covered */
    Q("SELECT month_end('2019-02')", "2019-02-28");
    Q("SELECT month_end('2020-02')", "2020-02-29");
    Q("SELECT month_end('2000-02')", "2000-02-29");
    Q("SELECT month_end('2100-02')", "2100-02-28");
    Q("SELECT month_end('2019-04')", "2019-04-30");
    Q("SELECT month_end('2019-12')", "2019-12-31");
    Q("SELECT month_end('2199-12')", "2199-12-31");
    Q("SELECT month_end('2019-13')", "NULL");
    Q("SELECT month_end('2019-00')", "NULL");
    Q("SELECT month_end('2019-1')", "NULL");
    Q("SELECT month_end('2019/12')", "NULL");
    Q("SELECT month_end('2019-12-01')", "NULL");
    Q("SELECT month_end(NULL)", "NULL");
}

/* Over a table, as a derivation uses them; and in an index on an
 * expression, which SQLite allows only for deterministic functions, under
 * trusted_schema = OFF, which needs SQLITE_INNOCUOUS. */
static void sql_in_queries(void **state)
{
    sqlfix *f = *state;
    const char *setup =
        "PRAGMA trusted_schema = OFF;"
        "CREATE TABLE pub(id INTEGER PRIMARY KEY, code TEXT, decided TEXT,"
        " published TEXT);"
        "CREATE INDEX pub_ok ON pub(uscc_valid(code));"
        "CREATE INDEX pub_delay ON pub(workdays(decided, published));"
        "INSERT INTO pub(code, decided, published) VALUES"
        " ('91350100M000100Y43', '2019-09-27', '2019-10-12'),"
        " ('91110000600037341L', '2019-09-27', '2019-10-14'),"
        " ('91350200776049653B', '2020-01-17', '2020-02-04'),"
        " ('91512081MA62K0260E', '2020-01-17', NULL),"
        " (NULL, '2019-02-29', '2019-03-01');";
    char *err = NULL;
    if (sqlite3_exec(f->db, setup, NULL, NULL, &err) != SQLITE_OK) {
        fail_msg("%s", err);
    }
    Q("SELECT count(*) FROM pub WHERE workdays(decided, published) <= 7", "2");
    Q("SELECT count(*) FROM pub WHERE workdays(decided, published) IS NULL", "2");
    Q("SELECT sum(uscc_valid(code)) FROM pub", "3");
    Q("SELECT count(*) FROM pub WHERE uscc_valid(code) = 0", "1");
    Q("SELECT group_concat(workdays(decided, published), ',') FROM"
      " (SELECT * FROM pub ORDER BY id)", "7,8,7");
}

static void register_errors(void **state)
{
    (void)state;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_domain_register(NULL, NULL, &d), CM_ERR_USAGE);
    assert_int_equal(d.code, CM_ERR_USAGE);
    /* no calendar: workdays is never computable, the rest works */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    cm_diag_clear(&d);
    assert_int_equal(cm_domain_register(db, NULL, &d), CM_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                         "SELECT workdays('2019-01-01', '2019-01-02'),"
                         " uscc_valid('91110000600037341L')", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL);
    assert_int_equal(sqlite3_column_int(st, 1), 1);
    sqlite3_finalize(st);
    /* unregistered: no statement can reach a calendar freed after a run */
    static const char *const gone[] = {
        "SELECT workdays('2019-01-01', '2019-01-02')", "SELECT uscc_valid('')",
        "SELECT citizen_id_valid('')", "SELECT mask_id('')",
        "SELECT month_end('2019-01')", "SELECT tally(1)"};
    cm_domain_unregister(db);
    cm_domain_unregister(NULL);
    for (size_t i = 0; i < sizeof gone / sizeof *gone; i++) {
        st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, gone[i], -1, &st, NULL),
                         SQLITE_ERROR);
        assert_non_null(strstr(sqlite3_errmsg(db), "no such function"));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uscc_examples),
        cmocka_unit_test(uscc_every_single_corruption),
        cmocka_unit_test(uscc_refusals),
        cmocka_unit_test(uscc_both_checks),
        cmocka_unit_test(orgcode),
        cmocka_unit_test(citizen_id),
        cmocka_unit_test(mask),
        cmocka_unit_test_setup_teardown(sql_functions, sql_setup, sql_teardown),
        cmocka_unit_test_setup_teardown(sql_in_queries, sql_setup, sql_teardown),
        cmocka_unit_test(register_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
