/*
 * import.c - loads regions, units, values, benchmarks and assignments from
 * CSV into the store, validating every field and refusing the whole file on
 * the first bad row ("file:line: column: what is wrong").
 *
 * Rows are keyed and written with upserts, so importing a file again leaves
 * the same store. Duplicate keys inside one file are found through a TEMP
 * table rather than an in-memory set, so a 10 M-row values file imports in
 * flat memory (DESIGN.md, "Pipeline").
 */
#include "import.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calendar.h"
#include "csv.h"
#include "lifecycle.h"
#include "sha256.h"

/* ORDER CM_INPUT_KIND */
static const char *const kind_names[CM_IN__COUNT] = {
    "regions", "units", "values", "benchmarks", "assignments",
};

#define MAX_COLS 6

typedef struct col_spec {
    const char *name;
    int required;
} col_spec;

/* The columns of each input, in the order the code below indexes them.
 * ORDER CM_INPUT_KIND */
static const col_spec kind_cols[CM_IN__COUNT][MAX_COLS + 1] = {
    {{"code", 1}, {"name", 1}, {"level", 1}, {"parent", 1}, {NULL, 0}},
    {{"name", 1}, {"short_name", 0}, {NULL, 0}},
    {{"region", 1}, {"period", 1}, {"element", 1}, {"value", 1}, {NULL, 0}},
    {{"period", 1}, {"indicator", 1}, {"benchmark", 1}, {"value", 1},
     {NULL, 0}},
    {{"region", 0}, {"problem", 1}, {"lead", 1}, {"partners", 1},
     {"deadline", 1}, {"note", 0}, {NULL, 0}},
};

/* Deadlines as the seeds write them (seed 000 annex 2: 2019年9月前,
 * 2019年12月, 长期坚持; the header adds 2019年6月底, 2020年3月31日前).
 * [0-9], not \d: under UCP \d also matches full-width digits. */
static const char deadline_pattern[] =
    "^(?:[0-9]{4}年(?:底前|底|内)?"
    "|[0-9]{4}年(?:1[0-2]|0?[1-9])月(?:底前|底|前|末)?"
    "|[0-9]{4}年(?:1[0-2]|0?[1-9])月(?:3[01]|[12][0-9]|0?[1-9])日前?"
    "|长期坚持|长期|立即)$";

typedef struct importer {
    cm_store *s;
    sqlite3 *db;
    cm_input_kind kind;
    const char *path;
    const col_spec *spec;
    int col[MAX_COLS];      /* CSV index of each spec column, -1 if absent */
    size_t ncols;           /* fields in the header row */
    int have_header;
    long rows;
    char *scratch;          /* trimmed copies of the current row's fields */
    size_t scap;
    const char *v[MAX_COLS];
    char *key;              /* duplicate-check key of the current row */
    size_t kcap;
    sqlite3_stmt *ins, *ins_period, *seen_get, *seen_put, *region_get;
    /* the last region and period seen: values files repeat them row after
     * row, and a lookup costs more than the insert */
    char last_region[8], last_level[16], last_period[8];
    pcre2_code *deadline_re;
    pcre2_match_data *md;
} importer;

const char *cm_import_kind_name(cm_input_kind k)
{
    if ((int)k < 0 || k >= CM_IN__COUNT)
        return "";
    return kind_names[k];
}

int cm_import_kind_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || strlen(dot) != 4)
        return -1;
    static const char ext[] = ".csv";
    for (int i = 0; i < 4; i++) {
        char c = dot[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != ext[i])
            return -1;
    }
    size_t stem = (size_t)(dot - base);
    for (int k = 0; k < CM_IN__COUNT; k++)
        if (strlen(kind_names[k]) == stem &&
            memcmp(kind_names[k], base, stem) == 0)
            return k;
    return -1;
}

/* ---- validators ---- */

static int say(char *why, size_t n, const char *msg)
{
    if (why && n)
        snprintf(why, n, "%s", msg);
    return 0;
}

static int is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int cm_import_valid_region_code(const char *s, char *why, size_t n)
{
    if (!s || strlen(s) != 6 || !is_digits(s, 6))
        return say(why, n, "a region code is 6 digits (GB/T 2260), "
                           "e.g. 511800");
    int p = (s[0] - '0') * 10 + (s[1] - '0');
    /* GB/T 2260 province prefixes */
    int ok = (p >= 11 && p <= 15) || (p >= 21 && p <= 23) ||
             (p >= 31 && p <= 37) || (p >= 41 && p <= 46) ||
             (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 ||
             p == 81 || p == 82;
    if (!ok) {
        if (why && n)
            snprintf(why, n, "'%.2s' is not a GB/T 2260 province prefix", s);
        return 0;
    }
    return 1;
}

/* "month", "quarter" or "year" for a valid period, else NULL. */
static const char *period_kind(const char *s, char *why, size_t n)
{
    static const char form[] =
        "a period is YYYY-MM, YYYY-Qn or YYYY, e.g. 2018-12, 2019-Q2, 2019";
    size_t len = s ? strlen(s) : 0;
    if (len != 4 && len != 7) {
        say(why, n, form);
        return NULL;
    }
    if (!is_digits(s, 4)) {
        say(why, n, form);
        return NULL;
    }
    const char *kind = "year";
    if (len == 7) {
        if (s[4] != '-') {
            say(why, n, form);
            return NULL;
        }
        if (s[5] == 'Q') {
            if (s[6] < '1' || s[6] > '4') {
                say(why, n, "a quarter is Q1 to Q4");
                return NULL;
            }
            kind = "quarter";
        } else {
            if (!is_digits(s + 5, 2)) {
                say(why, n, form);
                return NULL;
            }
            int m = (s[5] - '0') * 10 + (s[6] - '0');
            if (m < 1 || m > 12) {
                say(why, n, "the month must be 01 to 12");
                return NULL;
            }
            kind = "month";
        }
    }
    int y = atoi((const char[5]){s[0], s[1], s[2], s[3], '\0'});
    if (y < 1949 || y > 2100) {
        say(why, n, "the year must be 1949 to 2100");
        return NULL;
    }
    return kind;
}

int cm_import_valid_period(const char *s, char *why, size_t n)
{
    return period_kind(s, why, n) != NULL;
}

int cm_import_parse_number(const char *s, double *out, char *why, size_t n)
{
    if (!s || !*s)
        return say(why, n, "empty: give a number");
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
        /* U+FF10..U+FF19 are EF BC 90..99 */
        if (u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99)
            return say(why, n, "full-width digits are not allowed: "
                               "use 0-9");
    }
    if (strchr(s, ',') || strstr(s, "，"))
        return say(why, n, "thousands separators are not allowed: "
                           "write 1000, not 1,000");
    if (strchr(s, '%') || strstr(s, "％"))
        return say(why, n, "'%' is not allowed: give the number alone "
                           "(12.5, not 12.5%)");
    /* [+-]? digits [. digits] | [+-]? . digits: this also refuses nan,
     * inf, hex and exponents, which strtod would accept. */
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t int_digits = 0, frac_digits = 0;
    while (*p >= '0' && *p <= '9')
        p++, int_digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, frac_digits++;
    }
    if (*p || int_digits + frac_digits == 0)
        return say(why, n, "not a plain decimal number (digits, an "
                           "optional sign and decimal point)");
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (*end || !isfinite(v))
        return say(why, n, "number out of range");
    *out = v;
    return 1;
}

/* Element, indicator and benchmark names: [a-z][a-z0-9_]{0,63}. */
static int valid_name(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return 0;
    size_t n = 1;
    for (const char *p = s + 1; *p; p++, n++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return 0;
    }
    return n <= 64;
}

/* Copies s for a message, cut at a character boundary. */
static void clip(const char *s, char *out, size_t n)
{
    size_t len = strlen(s);
    if (len >= n) {
        len = n - 4;
        while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
        memcpy(out, s, len);
        memcpy(out + len, "...", 4);
        return;
    }
    memcpy(out, s, len + 1);
}

/* ---- the importer ---- */

static cm_error fail(importer *im, cm_diag *d, cm_error e, long line,
                     const char *field, const char *fmt, const char *a,
                     const char *b)
{
    char ca[96], cb[256];
    clip(a ? a : "", ca, sizeof ca);
    clip(b ? b : "", cb, sizeof cb);
    return cm_diag_set(d, e, im->path, line, field, fmt, ca, cb);
}

static cm_error db_fail(importer *im, cm_diag *d, long line)
{
    return cm_diag_set(d, CM_ERR_STORE, im->path, line, NULL, "store: %s",
                       sqlite3_errmsg(im->db));
}

static int ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return *a == *b;
}


static const char *expected_cols(cm_input_kind k, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const col_spec *c = kind_cols[k]; c->name; c++) {
        int m = snprintf(buf + used, n - used, "%s%s%s", used ? "," : "",
                         c->name, c->required ? "" : " (optional)");
        if (m < 0 || (size_t)m >= n - used)
            break;
        used += (size_t)m;
    }
    return buf;
}

static cm_error read_header(importer *im, const cm_csv_row *row, cm_diag *d)
{
    char exp[160];
    for (int j = 0; j < MAX_COLS; j++)
        im->col[j] = -1;
    for (size_t i = 0; i < row->n; i++) {
        const char *f = row->fields[i];
        size_t len = row->lens[i];
        cm_csv_trim(&f, &len);
        char name[64];
        if (len == 0)
            return cm_diag_set(d, CM_ERR_CSV, im->path, row->line, NULL,
                               "header: column %zu has no name (expected: "
                               "%s)", i + 1,
                               expected_cols(im->kind, exp, sizeof exp));
        int j = -1;
        if (len < sizeof name) {
            memcpy(name, f, len);
            name[len] = '\0';
            for (int k = 0; im->spec[k].name; k++)
                if (ascii_ieq(name, im->spec[k].name))
                    j = k;
        } else {
            clip(f, name, sizeof name);
        }
        if (j < 0)
            return cm_diag_set(d, CM_ERR_CSV, im->path, row->line, name,
                               "unknown column '%s' in %s.csv (expected: %s)",
                               name, kind_names[im->kind],
                               expected_cols(im->kind, exp, sizeof exp));
        if (im->col[j] >= 0)
            return cm_diag_set(d, CM_ERR_CSV, im->path, row->line,
                               im->spec[j].name,
                               "column '%s' named twice (columns %d and %zu)",
                               im->spec[j].name, im->col[j] + 1, i + 1);
        im->col[j] = (int)i;
    }
    for (int j = 0; im->spec[j].name; j++)
        if (im->spec[j].required && im->col[j] < 0)
            return cm_diag_set(d, CM_ERR_CSV, im->path, row->line,
                               im->spec[j].name,
                               "missing column '%s' in %s.csv (expected: %s)",
                               im->spec[j].name, kind_names[im->kind],
                               expected_cols(im->kind, exp, sizeof exp));
    im->ncols = row->n;
    im->have_header = 1;
    return CM_OK;
}

/* Points im->v[j] at a trimmed, NUL-terminated copy of each column ("" for
 * an absent optional column). Returns -1 on no memory, 1 when every field
 * is empty (a row Excel left blank), else 0. */
static int load_fields(importer *im, const cm_csv_row *row)
{
    size_t need = 0;
    for (size_t i = 0; i < row->n; i++)
        need += row->lens[i] + 1;
    if (need + 1 > im->scap) {
        char *ns = realloc(im->scratch, need + 1);
        if (!ns)
            return -1;
        im->scratch = ns;
        im->scap = need + 1;
    }
    int all_empty = 1;
    for (size_t i = 0; i < row->n; i++) {
        const char *f = row->fields[i];
        size_t len = row->lens[i];
        cm_csv_trim(&f, &len);
        if (len)
            all_empty = 0;
    }
    size_t used = 0;
    im->scratch[used++] = '\0'; /* the shared "" of absent columns */
    for (int j = 0; im->spec[j].name; j++) {
        int c = im->col[j];
        if (c < 0 || (size_t)c >= row->n) {
            im->v[j] = im->scratch;
            continue;
        }
        const char *f = row->fields[c];
        size_t len = row->lens[c];
        cm_csv_trim(&f, &len);
        memcpy(im->scratch + used, f, len);
        im->v[j] = im->scratch + used;
        used += len;
        im->scratch[used++] = '\0';
    }
    return all_empty;
}

/* Checks that key (the row's key columns joined) was not seen earlier in
 * this file; describe names the key columns for the message. */
static cm_error check_dup(importer *im, const cm_csv_row *row,
                          const int *cols, int ncols, const char *describe,
                          cm_diag *d)
{
    size_t need = 1;
    for (int i = 0; i < ncols; i++)
        need += strlen(im->v[cols[i]]) + 1;
    if (need > im->kcap) {
        char *nk = realloc(im->key, need);
        if (!nk)
            return cm_diag_set(d, CM_ERR_NOMEM, im->path, row->line, NULL,
                               "out of memory");
        im->key = nk;
        im->kcap = need;
    }
    size_t used = 0;
    for (int i = 0; i < ncols; i++) {
        size_t len = strlen(im->v[cols[i]]);
        memcpy(im->key + used, im->v[cols[i]], len);
        used += len;
        im->key[used++] = '\x1f'; /* unit separator: never in a field */
    }
    sqlite3_reset(im->seen_get);
    sqlite3_bind_text(im->seen_get, 1, im->key, (int)used, SQLITE_STATIC);
    int rc = sqlite3_step(im->seen_get);
    if (rc == SQLITE_ROW) {
        long first = (long)sqlite3_column_int64(im->seen_get, 0);
        sqlite3_reset(im->seen_get);
        return cm_diag_set(d, CM_ERR_DUPLICATE, im->path, row->line, NULL,
                           "duplicate row: same %s as line %ld", describe,
                           first);
    }
    sqlite3_reset(im->seen_get);
    if (rc != SQLITE_DONE)
        return db_fail(im, d, row->line);
    sqlite3_reset(im->seen_put);
    sqlite3_bind_text(im->seen_put, 1, im->key, (int)used, SQLITE_STATIC);
    sqlite3_bind_int64(im->seen_put, 2, row->line);
    rc = sqlite3_step(im->seen_put);
    sqlite3_reset(im->seen_put);
    return rc == SQLITE_DONE ? CM_OK : db_fail(im, d, row->line);
}

/* The level of a stored region into level (16 bytes), or 0 if absent. */
static int region_level(importer *im, const char *code, char level[16])
{
    if (im->last_region[0] && strcmp(code, im->last_region) == 0) {
        memcpy(level, im->last_level, 16);
        return 1;
    }
    sqlite3_reset(im->region_get);
    sqlite3_bind_text(im->region_get, 1, code, -1, SQLITE_STATIC);
    int found = 0;
    if (sqlite3_step(im->region_get) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(im->region_get, 0);
        snprintf(level, 16, "%s", t ? (const char *)t : "");
        found = 1;
        /* regions.csv may still change a row it has read: no caching there */
        if (im->kind != CM_IN_REGIONS && strlen(code) < sizeof im->last_region) {
            strcpy(im->last_region, code);
            memcpy(im->last_level, level, 16);
        }
    }
    sqlite3_reset(im->region_get);
    return found;
}

static cm_error check_region_ref(importer *im, const cm_csv_row *row,
                                 const char *field, const char *code,
                                 char level[16], cm_diag *d)
{
    char why[200];
    if (!cm_import_valid_region_code(code, why, sizeof why))
        return fail(im, d, CM_ERR_FIELD, row->line, field, "'%s': %s", code,
                    why);
    if (!region_level(im, code, level))
        return fail(im, d, CM_ERR_REFERENCE, row->line, field,
                    "unknown region '%s'%s: import it with regions.csv first",
                    code, "");
    return CM_OK;
}

static cm_error step_insert(importer *im, sqlite3_stmt *q, long line,
                            cm_diag *d)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? CM_OK : db_fail(im, d, line);
}

static void bind_str(sqlite3_stmt *q, int i, const char *s)
{
    sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
}

static cm_error row_region(importer *im, const cm_csv_row *row, cm_diag *d)
{
    const char *code = im->v[0], *name = im->v[1], *level = im->v[2],
               *parent = im->v[3];
    char why[200];
    if (!cm_import_valid_region_code(code, why, sizeof why))
        return fail(im, d, CM_ERR_FIELD, row->line, "code", "'%s': %s", code,
                    why);
    if (!*name)
        return fail(im, d, CM_ERR_FIELD, row->line, "name",
                    "empty: region %s needs a name%s", code, "");
    static const char *const levels[] = {"province", "city", "county"};
    int lv = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(level, levels[i]) == 0)
            lv = i;
    if (lv < 0)
        return fail(im, d, CM_ERR_FIELD, row->line, "level",
                    "'%s': the level is province, city or county%s", level,
                    "");
    if (lv == 0 && *parent)
        return fail(im, d, CM_ERR_FIELD, row->line, "parent",
                    "'%s': a province has no parent%s", parent, "");
    if (lv > 0) {
        if (!*parent)
            return fail(im, d, CM_ERR_FIELD, row->line, "parent",
                        "empty: a %s needs its %s as parent", levels[lv],
                        levels[lv - 1]);
        if (strcmp(parent, code) == 0)
            return fail(im, d, CM_ERR_FIELD, row->line, "parent",
                        "'%s' is the region itself%s", parent, "");
        char plevel[16];
        cm_error e = check_region_ref(im, row, "parent", parent, plevel, d);
        if (e)
            return e;
        if (strcmp(plevel, levels[lv - 1]) != 0) {
            char msg[128];
            snprintf(msg, sizeof msg, "is a %s; a %s's parent must be a %s",
                     plevel, levels[lv], levels[lv - 1]);
            return fail(im, d, CM_ERR_REFERENCE, row->line, "parent",
                        "'%s' %s", parent, msg);
        }
    }
    static const int key[] = {0};
    cm_error e = check_dup(im, row, key, 1, "code", d);
    if (e)
        return e;
    bind_str(im->ins, 1, code);
    bind_str(im->ins, 2, name);
    bind_str(im->ins, 3, level);
    if (*parent)
        bind_str(im->ins, 4, parent);
    else
        sqlite3_bind_null(im->ins, 4);
    return step_insert(im, im->ins, row->line, d);
}

static cm_error row_unit(importer *im, const cm_csv_row *row, cm_diag *d)
{
    if (!*im->v[0])
        return fail(im, d, CM_ERR_FIELD, row->line, "name",
                    "empty: a unit needs its name%s%s", "", "");
    static const int key[] = {0};
    cm_error e = check_dup(im, row, key, 1, "name", d);
    if (e)
        return e;
    bind_str(im->ins, 1, im->v[0]);
    bind_str(im->ins, 2, im->v[1]);
    return step_insert(im, im->ins, row->line, d);
}

static cm_error check_period(importer *im, const cm_csv_row *row,
                             const char *period, cm_diag *d)
{
    char why[200];
    const char *kind = period_kind(period, why, sizeof why);
    if (!kind)
        return fail(im, d, CM_ERR_FIELD, row->line, "period", "'%s': %s",
                    period, why);
    if (strcmp(period, im->last_period) == 0)
        return CM_OK;
    strcpy(im->last_period, period); /* a valid period has <= 7 bytes */
    bind_str(im->ins_period, 1, period);
    bind_str(im->ins_period, 2, kind);
    return step_insert(im, im->ins_period, row->line, d);
}

static cm_error check_name(importer *im, const cm_csv_row *row,
                           const char *field, const char *s, cm_diag *d)
{
    if (valid_name(s))
        return CM_OK;
    return fail(im, d, CM_ERR_FIELD, row->line, field,
                "'%s': %s", s,
                *s ? "a name is a lower-case letter, then up to 63 letters, "
                     "digits or '_' (e.g. blacklist_share)"
                   : "empty");
}

static cm_error row_value(importer *im, const cm_csv_row *row, cm_diag *d)
{
    const char *region = im->v[0], *period = im->v[1], *element = im->v[2],
               *value = im->v[3];
    char level[16], why[200];
    cm_error e = check_region_ref(im, row, "region", region, level, d);
    if (!e)
        e = check_period(im, row, period, d);
    if (!e)
        e = check_name(im, row, "element", element, d);
    if (e)
        return e;
    double num = 0;
    if (*value && !cm_import_parse_number(value, &num, why, sizeof why))
        return fail(im, d, CM_ERR_FIELD, row->line, "value", "'%s': %s",
                    value, why);
    static const int key[] = {0, 1, 2};
    if ((e = check_dup(im, row, key, 3, "region, period and element", d)))
        return e;
    bind_str(im->ins, 1, region);
    bind_str(im->ins, 2, period);
    bind_str(im->ins, 3, element);
    if (*value) /* empty = not reported (未报送): stored as NULL */
        sqlite3_bind_double(im->ins, 4, num);
    else
        sqlite3_bind_null(im->ins, 4);
    return step_insert(im, im->ins, row->line, d);
}

static cm_error row_benchmark(importer *im, const cm_csv_row *row, cm_diag *d)
{
    const char *period = im->v[0], *indicator = im->v[1],
               *benchmark = im->v[2], *value = im->v[3];
    char why[200];
    cm_error e = check_period(im, row, period, d);
    if (!e)
        e = check_name(im, row, "indicator", indicator, d);
    if (!e)
        e = check_name(im, row, "benchmark", benchmark, d);
    if (e)
        return e;
    double num = 0;
    if (!cm_import_parse_number(value, &num, why, sizeof why))
        return fail(im, d, CM_ERR_FIELD, row->line, "value", "'%s': %s",
                    value, why);
    static const int key[] = {0, 1, 2};
    if ((e = check_dup(im, row, key, 3, "period, indicator and benchmark",
                       d)))
        return e;
    bind_str(im->ins, 1, period);
    bind_str(im->ins, 2, indicator);
    bind_str(im->ins, 3, benchmark);
    sqlite3_bind_double(im->ins, 4, num);
    bind_str(im->ins, 5, value); /* held as published: "2.30" stays "2.30" */
    return step_insert(im, im->ins, row->line, d);
}

/* Splits a list of unit names and checks each against the store. Separators
 * are 、 always, and ， and , when partners is set; partners may end an item
 * with 等 ("...市住房和城乡建设局等"). */
static cm_error check_units(importer *im, const cm_csv_row *row,
                            const char *field, const char *list, int partners,
                            cm_diag *d)
{
    const char *p = list;
    int count = 0;
    while (*p || count == 0) {
        const char *q = p;
        size_t sep = 0;
        while (*q) {
            if (strncmp(q, "、", 3) == 0) {
                sep = 3;
                break;
            }
            if (partners && strncmp(q, "，", 3) == 0) {
                sep = 3;
                break;
            }
            if (partners && *q == ',') {
                sep = 1;
                break;
            }
            q++;
        }
        const char *item = p;
        size_t len = (size_t)(q - p);
        cm_csv_trim(&item, &len);
        if (partners && len >= 3 && memcmp(item + len - 3, "等", 3) == 0) {
            len -= 3;
            cm_csv_trim(&item, &len);
        }
        if (len) {
            char name[512];
            if (len >= sizeof name)
                len = sizeof name - 1;
            memcpy(name, item, len);
            name[len] = '\0';
            int known = cm_store_has_unit(im->s, name);
            if (known < 0)
                return db_fail(im, d, row->line);
            if (!known)
                return fail(im, d, CM_ERR_REFERENCE, row->line, field,
                            "unknown unit '%s'%s: add it to units.csv (name "
                            "or short_name)", name, "");
        } else if (!partners) {
            return fail(im, d, CM_ERR_FIELD, row->line, field,
                        "'%s': %s", list,
                        *list ? "an empty unit name between separators"
                              : "empty: name the lead unit");
        }
        count++;
        if (!*q)
            break;
        p = q + sep;
    }
    return CM_OK;
}

static cm_error row_assignment(importer *im, const cm_csv_row *row,
                               cm_diag *d)
{
    const char *region = im->v[0], *problem = im->v[1], *lead = im->v[2],
               *partners = im->v[3], *deadline = im->v[4], *note = im->v[5];
    cm_error e = CM_OK;
    if (*region) {
        char level[16];
        if ((e = check_region_ref(im, row, "region", region, level, d)))
            return e;
    }
    if (!*problem)
        return fail(im, d, CM_ERR_FIELD, row->line, "problem",
                    "empty: name the problem%s%s", "", "");
    if ((e = check_units(im, row, "lead", lead, 0, d)) ||
        (e = check_units(im, row, "partners", partners, 1, d)))
        return e;
    int rc = pcre2_match(im->deadline_re, (PCRE2_SPTR)deadline,
                         PCRE2_ZERO_TERMINATED, 0, 0, im->md, NULL);
    if (rc < 0)
        return fail(im, d, CM_ERR_FIELD, row->line, "deadline",
                    "'%s': %s", deadline,
                    "write a deadline like 2019年9月前, 2019年12月, "
                    "2019年6月底, 2020年3月31日前, 长期坚持 or 立即");
    /* the pattern lets 2019年2月30日 and 0000年 through: a date must be
     * one, in the years credit data has */
    if (deadline[0] >= '0' && deadline[0] <= '9') {
        int year = atoi(deadline), bad_year = year < 1949 || year > 2100;
        if (bad_year || cm_lifecycle_due(deadline) == CM_DAY_INVALID)
            return fail(im, d, CM_ERR_FIELD, row->line, "deadline",
                        "'%s': %s", deadline,
                        bad_year ? "a year from 1949 to 2100"
                                 : "no such day in that month");
    }
    static const int key[] = {0, 1};
    if ((e = check_dup(im, row, key, 2, "region and problem", d)))
        return e;
    bind_str(im->ins, 1, region);
    bind_str(im->ins, 2, problem);
    bind_str(im->ins, 3, lead);
    bind_str(im->ins, 4, partners);
    bind_str(im->ins, 5, deadline);
    bind_str(im->ins, 6, note);
    return step_insert(im, im->ins, row->line, d);
}

static cm_error on_row(void *ctx, const cm_csv_row *row, cm_diag *d)
{
    importer *im = ctx;
    if (!im->have_header)
        return read_header(im, row, d);
    int blank = load_fields(im, row);
    if (blank < 0)
        return cm_diag_set(d, CM_ERR_NOMEM, im->path, row->line, NULL,
                           "out of memory");
    if (blank)
        return CM_OK;
    if (row->n != im->ncols)
        return cm_diag_set(d, CM_ERR_CSV, im->path, row->line, NULL,
                           "row has %zu fields, the header has %zu", row->n,
                           im->ncols);
    cm_error e;
    switch (im->kind) {
    case CM_IN_REGIONS: e = row_region(im, row, d); break;
    case CM_IN_UNITS: e = row_unit(im, row, d); break;
    case CM_IN_VALUES: e = row_value(im, row, d); break;
    case CM_IN_BENCHMARKS: e = row_benchmark(im, row, d); break;
    default: e = row_assignment(im, row, d); break;
    }
    if (!e)
        im->rows++;
    return e;
}

/* A file replaces what it covers, so that a row removed from a corrected
 * file does not live on in the store (a stray city-level value would
 * otherwise keep overriding its counties' sum): values per region and
 * period, benchmarks per period, assignments per region. Keys are those
 * check_dup wrote to cm_import_seen, fields joined by char(31); a covered
 * prefix is matched as a range of that text key. Regions and units are
 * never deleted: other rows refer to them. ORDER CM_INPUT_KIND */
static const char *const replace_sql[CM_IN__COUNT] = {
    NULL,
    NULL,
    "DELETE FROM element_values WHERE source = 'import'"
    " AND EXISTS (SELECT 1 FROM temp.cm_import_seen s"
    "  WHERE s.k >= region || char(31) || period || char(31)"
    "    AND s.k < region || char(31) || period || char(32))"
    " AND NOT EXISTS (SELECT 1 FROM temp.cm_import_seen s"
    "  WHERE s.k = region || char(31) || period || char(31) || element"
    "    || char(31))",
    "DELETE FROM benchmarks"
    " WHERE EXISTS (SELECT 1 FROM temp.cm_import_seen s"
    "  WHERE s.k >= period || char(31) AND s.k < period || char(32))"
    " AND NOT EXISTS (SELECT 1 FROM temp.cm_import_seen s"
    "  WHERE s.k = period || char(31) || indicator || char(31) || benchmark"
    "    || char(31))",
    "DELETE FROM assignments"
    " WHERE EXISTS (SELECT 1 FROM temp.cm_import_seen s"
    "  WHERE s.k >= region || char(31) AND s.k < region || char(32))"
    " AND NOT EXISTS (SELECT 1 FROM temp.cm_import_seen s"
    "  WHERE s.k = region || char(31) || problem || char(31))",
};

/* ORDER CM_INPUT_KIND */
static const char *const insert_sql[CM_IN__COUNT] = {
    /* An upsert, not INSERT OR REPLACE: REPLACE deletes the row first,
     * which the children's foreign keys would refuse. */
    "INSERT INTO regions(code, name, level, parent) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT(code) DO UPDATE SET name = excluded.name,"
    " level = excluded.level, parent = excluded.parent",
    "INSERT OR REPLACE INTO units(name, short_name) VALUES (?1, ?2)",
    "INSERT OR REPLACE INTO element_values(region, period, element, value)"
    " VALUES (?1, ?2, ?3, ?4)",
    "INSERT OR REPLACE INTO benchmarks(period, indicator, benchmark, value,"
    " value_text) VALUES (?1, ?2, ?3, ?4, ?5)",
    "INSERT OR REPLACE INTO assignments(region, problem, lead, partners,"
    " deadline, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

static void importer_clear(importer *im)
{
    sqlite3_finalize(im->ins);
    sqlite3_finalize(im->ins_period);
    sqlite3_finalize(im->seen_get);
    sqlite3_finalize(im->seen_put);
    sqlite3_finalize(im->region_get);
    pcre2_match_data_free(im->md);
    pcre2_code_free(im->deadline_re);
    free(im->scratch);
    free(im->key);
}

static cm_error prepare(importer *im, const char *sql, sqlite3_stmt **q,
                        cm_diag *d)
{
    if (sqlite3_prepare_v2(im->db, sql, -1, q, NULL) != SQLITE_OK)
        return db_fail(im, d, 0);
    return CM_OK;
}

/* Imports one file inside the caller's transaction. */
static cm_error import_one(cm_store *s, cm_input_kind kind, const char *path,
                           long *rows, cm_diag *d)
{
    /* hashed by cm_csv_read_hash while it reads the file to parse it */
    char hex[65];
    long long size = 0;
    cm_error e;
    importer im;
    memset(&im, 0, sizeof im);
    im.s = s;
    im.db = cm_store_db(s);
    im.kind = kind;
    im.path = path;
    im.spec = kind_cols[kind];
    if (sqlite3_exec(im.db,
                     "CREATE TEMP TABLE IF NOT EXISTS cm_import_seen("
                     "k TEXT PRIMARY KEY, line INTEGER NOT NULL)"
                     " WITHOUT ROWID;"
                     "DELETE FROM temp.cm_import_seen;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        e = db_fail(&im, d, 0);
        goto done;
    }
    if ((e = prepare(&im, insert_sql[kind], &im.ins, d)) ||
        (e = prepare(&im,
                     "INSERT OR IGNORE INTO periods(period, kind)"
                     " VALUES (?1, ?2)", &im.ins_period, d)) ||
        (e = prepare(&im,
                     "SELECT line FROM temp.cm_import_seen WHERE k = ?1",
                     &im.seen_get, d)) ||
        (e = prepare(&im,
                     "INSERT INTO temp.cm_import_seen(k, line)"
                     " VALUES (?1, ?2)", &im.seen_put, d)) ||
        (e = prepare(&im, "SELECT level FROM regions WHERE code = ?1",
                     &im.region_get, d)))
        goto done;
    if (kind == CM_IN_ASSIGNMENTS) {
        int code;
        PCRE2_SIZE off;
        im.deadline_re = pcre2_compile((PCRE2_SPTR)deadline_pattern,
                                       PCRE2_ZERO_TERMINATED, PCRE2_UTF,
                                       &code, &off, NULL);
        im.md = im.deadline_re
                    ? pcre2_match_data_create_from_pattern(im.deadline_re,
                                                           NULL)
                    : NULL;
        if (!im.md) {
            e = cm_diag_set(d, CM_ERR_NOMEM, path, 0, NULL,
                            "cannot compile the deadline pattern");
            goto done;
        }
    }
    e = cm_csv_read_hash(path, on_row, &im, NULL, hex, &size, d);
    if (!e && !im.have_header) {
        char exp[160];
        e = cm_diag_set(d, CM_ERR_CSV, path, 0, NULL,
                        "empty file: no header row (expected: %s)",
                        expected_cols(kind, exp, sizeof exp));
    }
    if (e)
        goto done;
    if (replace_sql[kind] &&
        sqlite3_exec(im.db, replace_sql[kind], NULL, NULL, NULL) != SQLITE_OK) {
        e = db_fail(&im, d, 0);
        goto done;
    }
    sqlite3_stmt *q = NULL;
    if ((e = prepare(&im,
                     "INSERT OR REPLACE INTO imports(sha256, kind, file, size,"
                     " rows) VALUES (?1, ?2, ?3, ?4, ?5)", &q, d)))
        goto done;
    bind_str(q, 1, hex);
    bind_str(q, 2, kind_names[kind]);
    bind_str(q, 3, path);
    sqlite3_bind_int64(q, 4, size);
    sqlite3_bind_int64(q, 5, im.rows);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        e = db_fail(&im, d, 0);
        goto done;
    }
    if (rows)
        *rows = im.rows;
done:
    importer_clear(&im);
    /* keys of a large file would otherwise sit in the temp store until the
     * next import */
    sqlite3_exec(im.db, "DELETE FROM temp.cm_import_seen", NULL, NULL, NULL);
    return e;
}

/* Transactions: BEGIN IMMEDIATE when none is open, else a savepoint, so an
 * import can also run inside a caller's transaction. */
static cm_error tx_begin(cm_store *s, int *nested, cm_diag *d)
{
    *nested = !sqlite3_get_autocommit(cm_store_db(s));
    if (*nested)
        return cm_store_exec(s, "SAVEPOINT cm_import", d);
    return cm_store_begin(s, d);
}

static cm_error tx_end(cm_store *s, int nested, cm_error e, cm_diag *d)
{
    if (nested) {
        if (e) {
            sqlite3_exec(cm_store_db(s),
                         "ROLLBACK TO cm_import; RELEASE cm_import", NULL,
                         NULL, NULL);
            return e;
        }
        return cm_store_exec(s, "RELEASE cm_import", d);
    }
    if (e) {
        cm_store_rollback(s);
        return e;
    }
    return cm_store_commit(s, d);
}

cm_error cm_import_file(cm_store *s, cm_input_kind kind, const char *path,
                        long *rows, cm_diag *d)
{
    if (rows)
        *rows = 0;
    if ((int)kind < 0 || kind >= CM_IN__COUNT)
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, NULL,
                           "unknown input kind %d", (int)kind);
    int nested;
    cm_error e = tx_begin(s, &nested, d);
    if (e)
        return e;
    long n = 0;
    e = import_one(s, kind, path, &n, d);
    e = tx_end(s, nested, e, d);
    if (!e && rows)
        *rows = n;
    return e;
}

cm_error cm_import_dir(cm_store *s, const char *dir, int *n_files, long *rows,
                       cm_diag *d)
{
    if (n_files)
        *n_files = 0;
    if (rows)
        *rows = 0;
    struct stat st;
    errno = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return cm_diag_set(d, CM_ERR_IO, dir, 0, NULL,
                           "not a readable folder%s%s", errno ? ": " : "",
                           errno ? strerror(errno) : "");
    size_t dlen = strlen(dir);
    const char *slash = dlen && dir[dlen - 1] == '/' ? "" : "/";
    char paths[CM_IN__COUNT][4096];
    int present[CM_IN__COUNT], count = 0;
    for (int k = 0; k < CM_IN__COUNT; k++) {
        int m = snprintf(paths[k], sizeof paths[k], "%s%s%s.csv", dir, slash,
                         kind_names[k]);
        present[k] = m > 0 && (size_t)m < sizeof paths[k] &&
                     stat(paths[k], &st) == 0 && S_ISREG(st.st_mode);
        count += present[k];
    }
    if (count == 0)
        return cm_diag_set(d, CM_ERR_USAGE, dir, 0, NULL,
                           "no input files: expected regions.csv, units.csv, "
                           "values.csv, benchmarks.csv or assignments.csv");
    int nested;
    cm_error e = tx_begin(s, &nested, d);
    if (e)
        return e;
    long total = 0;
    for (int k = 0; k < CM_IN__COUNT && !e; k++) {
        if (!present[k])
            continue;
        long n = 0;
        e = import_one(s, (cm_input_kind)k, paths[k], &n, d);
        total += n;
    }
    e = tx_end(s, nested, e, d);
    if (e)
        return e;
    if (n_files)
        *n_files = count;
    if (rows)
        *rows = total;
    return CM_OK;
}
