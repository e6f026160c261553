/*
 * domain.c - check characters of the codes credit data carries (GB
 * 32100-2015, GB 11714-1997, GB 11643-1999), masking of citizen IDs, and
 * the SQL functions the derivations call (see domain.h).
 *
 * The checks are table lookups over constant tables: the derivations run
 * them once per register or blacklist row, millions of times per run.
 */
#include "domain.h"
#include "tally.h"

#include <string.h>

/* GB 32100-2015 alphabet 0123456789ABCDEFGHJKLMNPQRTUWXY: value + 1 per
 * byte, 0 = not in the alphabet. I, O, Z, S and V are left out by the
 * standard (easily read as 1, 0, 2, 5 and U); lower case is not allowed. */
static const unsigned char uscc_val1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,
    ['5'] = 6,  ['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
    ['F'] = 16, ['G'] = 17, ['H'] = 18, ['J'] = 19, ['K'] = 20,
    ['L'] = 21, ['M'] = 22, ['N'] = 23, ['P'] = 24, ['Q'] = 25,
    ['R'] = 26, ['T'] = 27, ['U'] = 28, ['W'] = 29, ['X'] = 30,
    ['Y'] = 31,
};

static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* GB 32100-2015 weights of characters 1-17: 3^(i-1) mod 31. */
static const unsigned char uscc_w[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                         29, 25, 13, 8,  24, 10, 30, 28};

/* GB 11714-1997 weights of the organisation code's characters 1-8. */
static const unsigned char org_w[8] = {3, 7, 9, 10, 5, 8, 4, 2};

/* GB 11643-1999 weights of the citizen ID's characters 1-17 (2^(17-i) mod
 * 11) and the check character for Σ mod 11. */
static const unsigned char cid_w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6,
                                        3, 7, 9, 10, 5, 8, 4, 2};
static const char cid_check[] = "10X98765432";

/* GB 11714 value of a body character: 0-9, A=10 ... Z=35 (the full 36
 * characters, not the 31 of GB 32100), or -1. */
static int org_val(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return -1;
}

int cm_domain_orgcode_valid(const char *code, size_t n)
{
    if (!code || n != 9)
        return 0;
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        int v = org_val((unsigned char)code[i]);
        if (v < 0)
            return 0;
        sum += v * org_w[i];
    }
    /* C9 = 11 - (Σ mod 11); 10 is written X and 11 is written 0 */
    int c9 = 11 - sum % 11;
    char want = c9 == 10 ? 'X' : c9 == 11 ? '0' : (char)('0' + c9);
    return code[8] == want;
}

int cm_domain_uscc_valid(const char *code, size_t n)
{
    if (!code || n != 18)
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v1 = uscc_val1[(unsigned char)code[i]];
        if (!v1)
            return 0;
        sum += (v1 - 1) * uscc_w[i];
    }
    /* C18 = 31 - (Σ mod 31), with 31 written as 0 */
    if (code[17] != uscc_alphabet[(31 - sum % 31) % 31])
        return 0;
    /* characters 9-17 are the GB 11714 organisation code with its own
     * check: the standard requires both */
    return cm_domain_orgcode_valid(code + 8, 9);
}

/* 1 if d[0..8) is a real date YYYYMMDD, years 1900-2199 (cm_date_parse's
 * range; nobody alive was born earlier). */
static int real_yyyymmdd(const char *d)
{
    char iso[10] = {d[0], d[1], d[2], d[3], '-', d[4], d[5], '-', d[6], d[7]};
    return cm_date_parse(iso, sizeof iso) != CM_DAY_INVALID;
}

int cm_domain_citizen_id_valid(const char *id, size_t n)
{
    if (!id || n != 18)
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        unsigned v = (unsigned char)id[i] - '0';
        if (v > 9)
            return 0;
        sum += (int)v * cid_w[i];
    }
    /* GB 11643 writes the check value 10 as the Roman numeral X: upper
     * case only, as the standard prints it */
    if (id[17] != cid_check[sum % 11])
        return 0;
    return real_yyyymmdd(id + 6);
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned)(unsigned char)s[i] - '0' > 9u)
            return 0;
    return 1;
}

/* 1 if s[0..n) has the shape of a citizen ID: 18 characters (17 digits and
 * a digit or X/x) or the 15 digits of the first generation (GB 11643-1989),
 * starting with a GB/T 2260 region (first digit 1-8), an 18-character one
 * with its birth year in chars 7-10. A company's code of that shape starts
 * with 9 (registered with 市场监管) or rarely has a year there: it is public
 * and the office must see it to correct it. The shape, not the check: a
 * mistyped ID is still personal data. */
static int looks_like_id(const char *s, size_t n)
{
    if (n != 15 && n != 18)
        return 0;
    if (s[0] < '1' || s[0] > '8')
        return 0;
    if (n == 15)
        return all_digits(s, 15);
    return all_digits(s, 17) &&
           ((unsigned)(unsigned char)s[17] - '0' <= 9u || s[17] == 'X' ||
            s[17] == 'x') &&
           (memcmp(s + 6, "18", 2) == 0 || memcmp(s + 6, "19", 2) == 0 ||
            memcmp(s + 6, "20", 2) == 0);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void cm_domain_mask(const char *in, char *out, size_t n)
{
    if (!out || n == 0)
        return;
    if (!in) {
        out[0] = '\0';
        return;
    }
    size_t len = strlen(in);
    /* An ID with stray blanks around it (a common spreadsheet artefact)
     * is still an ID: mask its core, keep the blanks. */
    size_t lo = 0, hi = len;
    while (lo < hi && is_blank(in[lo]))
        lo++;
    while (hi > lo && is_blank(in[hi - 1]))
        hi--;
    int mask = looks_like_id(in + lo, hi - lo);
    size_t w = 0;
    for (size_t i = 0; i < len && w + 1 < n; i++, w++) {
        int hidden = mask && i >= lo + 6 && i < hi - 4;
        out[w] = hidden ? '*' : in[i];
    }
    out[w] = '\0';
}

/* ---- SQL functions ---------------------------------------------------- */

static void sql_uscc_valid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    if (!s) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    sqlite3_result_int(ctx, cm_domain_uscc_valid(s, n));
}

static void sql_citizen_id_valid(sqlite3_context *ctx, int argc,
                                 sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    if (!s) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    sqlite3_result_int(ctx, cm_domain_citizen_id_valid(s, n));
}

static void sql_mask_id(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    if (!s) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    char small[64];
    char *buf = n < sizeof small ? small : sqlite3_malloc64(n + 1);
    if (!buf) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    /* text with an embedded NUL is masked up to it, like strlen would see
     * it: what follows the NUL is dropped rather than copied unmasked */
    cm_domain_mask(s, buf, n + 1);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
    if (buf != small)
        sqlite3_free(buf);
}

/* A date argument as a day number, or CM_DAY_INVALID. Text is parsed in
 * place (no copy): workdays() runs once per double-publicity record. */
static long sql_day(sqlite3_value *v)
{
    if (sqlite3_value_type(v) != SQLITE_TEXT)
        return CM_DAY_INVALID;
    const char *s = (const char *)sqlite3_value_text(v);
    return s ? cm_date_parse(s, (size_t)sqlite3_value_bytes(v)) : CM_DAY_INVALID;
}

static void sql_workdays(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const cm_calendar *cal = sqlite3_user_data(ctx);
    long from = sql_day(argv[0]), to = sql_day(argv[1]);
    long n = from == CM_DAY_INVALID || to == CM_DAY_INVALID
                 ? -1
                 : cm_calendar_workdays(cal, from, to);
    if (n < 0)
        sqlite3_result_null(ctx);   /* NULL, bad date or year not covered */
    else
        sqlite3_result_int64(ctx, n);
}

static void sql_month_end(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    if (!s || sqlite3_value_bytes(argv[0]) != 7) {
        sqlite3_result_null(ctx);
        return;
    }
    /* the last day of the month is the day before the 1st of the next */
    char first[10] = {s[0], s[1], s[2], s[3], '-', s[5], s[6], '-', '0', '1'};
    long day = s[4] == '-' ? cm_date_parse(first, sizeof first) : CM_DAY_INVALID;
    if (day == CM_DAY_INVALID) {
        sqlite3_result_null(ctx);
        return;
    }
    long y = (s[0] - '0') * 1000L + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    long next = m == 12 ? cm_date_days((int)y + 1, 1, 1) : cm_date_days((int)y, m + 1, 1);
    char out[11];
    cm_date_format(next - 1, out);
    sqlite3_result_text(ctx, out, 10, SQLITE_TRANSIENT);
}

#ifdef SQLITE_INNOCUOUS
#define CM_SQL_FLAGS (SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS)
#else
#define CM_SQL_FLAGS (SQLITE_UTF8 | SQLITE_DETERMINISTIC)
#endif

typedef struct sql_fn {
    const char *name;
    int nargs;
    void (*fn)(sqlite3_context *, int, sqlite3_value **);
    int wants_cal;
} sql_fn;

static const sql_fn sql_fns[] = {
    {"uscc_valid", 1, sql_uscc_valid, 0},
    {"citizen_id_valid", 1, sql_citizen_id_valid, 0},
    {"mask_id", 1, sql_mask_id, 0},
    {"workdays", 2, sql_workdays, 1},
    {"month_end", 1, sql_month_end, 0},
};

cm_error cm_domain_register(sqlite3 *db, const cm_calendar *cal, cm_diag *d)
{
    if (!db)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, NULL,
                           "no database to register the domain functions on");
    for (size_t i = 0; i < sizeof sql_fns / sizeof sql_fns[0]; i++) {
        const sql_fn *f = &sql_fns[i];
        /* the calendar is only read: SQLite's user data is void *, so the
         * const is dropped here and restored in sql_workdays */
        void *user = f->wants_cal ? (void *)cal : NULL;
        int rc = sqlite3_create_function_v2(db, f->name, f->nargs, CM_SQL_FLAGS,
                                            user, f->fn, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return cm_diag_set(d, CM_ERR_STORE, NULL, 0, NULL,
                               "cannot register SQL function %s: %s", f->name,
                               sqlite3_errmsg(db));
    }
    return cm_tally_register(db, d);
}

void cm_domain_unregister(sqlite3 *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < sizeof sql_fns / sizeof sql_fns[0]; i++)
        sqlite3_create_function(db, sql_fns[i].name, sql_fns[i].nargs,
                                SQLITE_UTF8, NULL, NULL, NULL, NULL);
    sqlite3_create_function(db, "tally", -1, SQLITE_UTF8, NULL, NULL, NULL,
                            NULL);
}
