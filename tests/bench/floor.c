/* floor.c - what SQLite alone takes for the benchmark's rows: the bound
 * under credmon's import and a month's scan (issue 3, make bench).
 *
 *   floor STORE DATA_DIR
 *
 * STORE is a store credmon has just made (`credmon import --db STORE
 * DATA_DIR/regions.csv`): its schema, its regions, empty microdata
 * tables. DATA_DIR is gen.c's output. floor upserts, with nothing of
 * credmon's in the way, every row of the register, the 23 双公示 months,
 * the blacklist and the commitments into their tables, in one
 * transaction; then the append month in a second one; then it scans 双公示
 * for one month's decision dates, which a month's derive cannot avoid
 * without a date index.
 *
 * The rows are given every advantage: each file is read and split into
 * fields before its clock starts (no checks, no conversions but 是/否 to
 * 1/0 and an empty date to NULL); rows go 32 to a prepared multi-row
 * upsert, bound without copies; the page cache and journal are set as
 * credmon's import sets them. SQLite lets one connection write a
 * database, so the 双公示 upserts, the append and the scan are floors for
 * credmon's writer and its month's statement. The register, blacklist and
 * commitments are sorted in memory and indexed after their rows: their
 * figures are what they cost on one core, not a floor, since credmon
 * stages them on the other core and its writer only copies them in.
 *
 * Output, one line per stage: "floor STAGE ROWS SECONDS", then "split
 * ROWS SECONDS" (reading and splitting the files, on one core: a floor
 * under credmon's parsing, which also checks every field). Exit 1 with a
 * message on any failure. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <sqlite3.h>

#define GROUP 32
#define MAX_MONTHS 64
#define MAX_INDEXES 8

/* ORDER TABLES: keep in step with tables[]. */
enum { ENTITIES, PUBLICITY, BLACKLIST, COMMITMENTS, N_TABLES };

typedef struct table {
    const char *name;   /* table, and the start of its files' names */
    int ncols;
    const char *cols;   /* column list */
    const char *update; /* the upsert's conflict clause */
    int key[4];         /* key columns (1-based, 0 ends), for the sort */
    int bool_cols[2];   /* 是/否 columns (0: none) */
    int null_cols[2];   /* empty means NULL (0: none); 1-based */
} table;

/* Column order is that of gen.c's files, which is that of the tables. */
static const table tables[N_TABLES] = {
    {"entities", 5, "code, name, region, registered, status",
     "ON CONFLICT(code, name) DO UPDATE SET region = excluded.region,"
     " registered = excluded.registered, status = excluded.status",
     {1, 2, 0}, {0, 0}, {0, 0}},
    {"publicity", 8,
     "id, kind, source_unit, region, subject_name, subject_code, decided,"
     " published",
     "ON CONFLICT(id) DO UPDATE SET kind = excluded.kind,"
     " source_unit = excluded.source_unit, region = excluded.region,"
     " subject_name = excluded.subject_name,"
     " subject_code = excluded.subject_code, decided = excluded.decided,"
     " published = excluded.published",
     {0}, {0, 0}, {8, 0}},
    {"blacklist", 10,
     "subject, name, region, list, listing_unit, listed, removed,"
     " removal_reason, repair_training, repair_commitment",
     "ON CONFLICT(subject, list, listed) DO UPDATE SET name = excluded.name,"
     " region = excluded.region, listing_unit = excluded.listing_unit,"
     " removed = excluded.removed, removal_reason = excluded.removal_reason,"
     " repair_training = excluded.repair_training,"
     " repair_commitment = excluded.repair_commitment",
     {1, 4, 6, 0}, {9, 10}, {7, 0}},
    {"commitments", 4, "subject, kind, date, published",
     "ON CONFLICT(subject, kind, date) DO UPDATE SET"
     " published = excluded.published",
     {1, 2, 3, 0}, {4, 0}, {0, 0}},
};

/* One file, read whole and split in place. The buffers are kept from
 * file to file: fresh memory for each costs page faults that would be
 * counted as splitting. */
typedef struct rows {
    char *buf;
    size_t cap;
    char **f; /* n * ncols field pointers */
    size_t fcap;
    size_t n;
    int ncols;
    double split_secs;    /* reading and splitting, every file so far */
    long long split_rows;
} rows;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "floor: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static char *dup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        die("out of memory");
    return d;
}

/* Reads the file at path into r, split into rows of ncols fields (the
 * header skipped); the time goes to r->split_secs. */
static void rows_read(rows *r, const char *path, int ncols)
{
    double t0 = now();
    FILE *fp = fopen(path, "rb");
    if (!fp)
        die("%s: %s", path, strerror(errno));
    if (fseek(fp, 0, SEEK_END) != 0)
        die("%s: %s", path, strerror(errno));
    long len = ftell(fp);
    if (len < 0)
        die("%s: %s", path, strerror(errno));
    rewind(fp);
    if ((size_t)len + 1 > r->cap) {
        free(r->buf);
        r->cap = (size_t)len + 1;
        if (!(r->buf = malloc(r->cap)))
            die("%s: %s", path, "out of memory");
    }
    if (fread(r->buf, 1, (size_t)len, fp) != (size_t)len)
        die("%s: %s", path, "cannot read");
    fclose(fp);
    r->buf[len] = '\0';
    if (memchr(r->buf, '"', (size_t)len))
        die("%s: %s", path, "has quoted fields: not gen.c's data");
    size_t lines = 0;
    for (char *p = r->buf; (p = strchr(p, '\n')); p++)
        lines++;
    r->ncols = ncols;
    if ((lines + 1) * (size_t)ncols > r->fcap) {
        free(r->f);
        r->fcap = (lines + 1) * (size_t)ncols;
        if (!(r->f = malloc(r->fcap * sizeof *r->f)))
            die("%s: %s", path, "out of memory");
    }
    r->n = 0;
    char *p = strchr(r->buf, '\n'); /* the header */
    if (!p)
        die("%s: no header line", path);
    for (p++; *p; ) {
        char **f = r->f + r->n * (size_t)ncols;
        int k = 0;
        f[k++] = p;
        for (; *p && *p != '\n'; p++)
            if (*p == ',') {
                *p = '\0';
                if (k == ncols)
                    die("%s: %s", path, "a row has too many fields");
                f[k++] = p + 1;
            }
        if (p > f[k - 1] && p[-1] == '\r')
            p[-1] = '\0';
        if (*p)
            *p++ = '\0';
        if (k != ncols)
            die("%s: %s", path, "a row has too few fields");
        r->n++;
    }
    r->split_secs += now() - t0;
    r->split_rows += (long long)r->n;
}

static const int *sort_key; /* qsort has no context argument */

static int cmp_key(const void *a, const void *b)
{
    char *const *x = a;
    char *const *y = b;
    for (const int *k = sort_key; *k; k++) {
        int c = strcmp(x[*k - 1], y[*k - 1]);
        if (c)
            return c;
    }
    return 0;
}

/* Sorts whole rows, moved as blocks of ncols pointers, by their key:
 * byte order, which is SQLite's BINARY collation. qsort is not stable:
 * of two rows with one key a different one may win than in credmon
 * (gen.c writes no such rows; the time is the same either way). */
static void rows_sort(rows *r, const int *key)
{
    sort_key = key;
    qsort(r->f, r->n, (size_t)r->ncols * sizeof *r->f, cmp_key);
}

/* The upsert of nrows rows into t. */
static sqlite3_stmt *prepare(sqlite3 *db, const table *t, int nrows)
{
    size_t cap = 4096 + (size_t)nrows * (size_t)t->ncols * 8;
    char *sql = malloc(cap);
    if (!sql)
        die("out of memory");
    int n = snprintf(sql, cap, "INSERT INTO %s(%s) VALUES ", t->name, t->cols);
    for (int i = 0; i < nrows; i++) {
        n += snprintf(sql + n, cap - (size_t)n, "%s(", i ? "," : "");
        for (int j = 0; j < t->ncols; j++)
            n += snprintf(sql + n, cap - (size_t)n, "%s?", j ? "," : "");
        n += snprintf(sql + n, cap - (size_t)n, ")");
    }
    snprintf(sql + n, cap - (size_t)n, " %s", t->update);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        die("prepare: %s (%s)", sqlite3_errmsg(db), t->name);
    free(sql);
    return q;
}

static int is_in(const int *cols, int c)
{
    return cols[0] == c || cols[1] == c;
}

/* Binds rows first .. first + nrows - 1 of r to q and runs it. */
static void run(sqlite3 *db, sqlite3_stmt *q, const table *t, const rows *r,
                size_t first, int nrows)
{
    int p = 1;
    for (int i = 0; i < nrows; i++) {
        char **f = r->f + (first + (size_t)i) * (size_t)t->ncols;
        for (int j = 1; j <= t->ncols; j++, p++) {
            const char *v = f[j - 1];
            if (is_in(t->bool_cols, j))
                sqlite3_bind_int(q, p, strcmp(v, "是") == 0);
            else if (is_in(t->null_cols, j) && !*v)
                sqlite3_bind_null(q, p);
            else
                sqlite3_bind_text(q, p, v, -1, SQLITE_STATIC);
        }
    }
    if (sqlite3_step(q) != SQLITE_DONE)
        die("insert: %s (%s)", sqlite3_errmsg(db), t->name);
    sqlite3_reset(q);
}

/* Upserts a file's rows; returns the seconds the upserts took. */
static double upsert_file(sqlite3 *db, rows *rr, const table *t,
                          const char *path, long long *count)
{
    rows_read(rr, path, t->ncols);
    const rows r = *rr; /* shares rr's field array, which the sort permutes */
    if (t->key[0])
        rows_sort(rr, t->key);
    sqlite3_stmt *group = prepare(db, t, GROUP);
    size_t rest = r.n % GROUP;
    sqlite3_stmt *tail = rest ? prepare(db, t, (int)rest) : NULL;
    double t0 = now();
    size_t i = 0;
    for (; i + GROUP <= r.n; i += GROUP)
        run(db, group, t, &r, i, GROUP);
    if (tail)
        run(db, tail, t, &r, i, (int)rest);
    double dt = now() - t0;
    sqlite3_finalize(group);
    sqlite3_finalize(tail);
    *count += (long long)r.n;
    return dt;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        die("%s: %s", sql, msg ? msg : "error");
}

/* A first load goes into an empty table: its secondary indexes are
 * dropped first and built after the rows, as credmon's staging does (built
 * row by row, at random places, entities_registered took 18 s). Returns
 * the seconds of the build. */
static double load_indexed(sqlite3 *db, rows *r, const table *t,
                           const char *path, long long *count)
{
    char sql[256];
    char *make[MAX_INDEXES];
    int n = 0;
    sqlite3_stmt *q;
    snprintf(sql, sizeof sql,
             "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
             " AND tbl_name = '%s' AND sql IS NOT NULL",
             t->name);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        die("%s: %s", t->name, sqlite3_errmsg(db));
    char *drop[MAX_INDEXES];
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == MAX_INDEXES)
            die("%s: more than %d indexes", t->name, MAX_INDEXES);
        make[n] = dup((const char *)sqlite3_column_text(q, 1));
        drop[n++] = sqlite3_mprintf("DROP INDEX \"%w\"",
                                    (const char *)sqlite3_column_text(q, 0));
    }
    if (rc != SQLITE_DONE)
        die("%s: %s", t->name, sqlite3_errmsg(db));
    sqlite3_finalize(q);
    for (int i = 0; i < n; i++) {
        exec(db, drop[i]);
        sqlite3_free(drop[i]);
    }
    double dt = upsert_file(db, r, t, path, count);
    double t0 = now();
    for (int i = 0; i < n; i++) {
        exec(db, make[i]);
        free(make[i]);
    }
    return dt + now() - t0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: floor STORE DATA_DIR\n");
        return 2;
    }
    const char *dir = argv[2];
    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK)
        die("%s: %s", argv[1], sqlite3_errmsg(db));
    exec(db, "PRAGMA journal_mode = TRUNCATE; PRAGMA cache_size = -16384;"
             " PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF");
    for (int k = 0; k < N_TABLES; k++) {
        char sql[128];
        sqlite3_stmt *q;
        snprintf(sql, sizeof sql, "SELECT 1 FROM %s LIMIT 1", tables[k].name);
        if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
            die("%s: %s", argv[1], sqlite3_errmsg(db));
        if (sqlite3_step(q) == SQLITE_ROW)
            die("%s: table %s is not empty", argv[1], tables[k].name);
        sqlite3_finalize(q);
    }

    /* the publicity months, in name order (credmon's order too) */
    DIR *d = opendir(dir);
    if (!d)
        die("%s: %s", dir, strerror(errno));
    char *months[MAX_MONTHS];
    int nmonths = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, "publicity-", 10) == 0) {
            if (nmonths == MAX_MONTHS)
                die("%s: more than %d 双公示 files", dir, MAX_MONTHS);
            months[nmonths++] = dup(e->d_name);
        }
    closedir(d);
    qsort(months, (size_t)nmonths, sizeof *months, by_name);

    rows r = {0};
    char path[4096];
    double secs[N_TABLES] = {0};
    long long count[N_TABLES] = {0};
    exec(db, "BEGIN");
    snprintf(path, sizeof path, "%s/entities.csv", dir);
    secs[ENTITIES] =
        load_indexed(db, &r, &tables[ENTITIES], path, &count[ENTITIES]);
    for (int i = 0; i < nmonths; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, months[i]);
        secs[PUBLICITY] +=
            upsert_file(db, &r, &tables[PUBLICITY], path, &count[PUBLICITY]);
        free(months[i]);
    }
    snprintf(path, sizeof path, "%s/blacklist.csv", dir);
    secs[BLACKLIST] =
        load_indexed(db, &r, &tables[BLACKLIST], path, &count[BLACKLIST]);
    snprintf(path, sizeof path, "%s/commitments.csv", dir);
    secs[COMMITMENTS] = load_indexed(db, &r, &tables[COMMITMENTS], path,
                                     &count[COMMITMENTS]);
    double t0 = now();
    exec(db, "COMMIT");
    double commit = now() - t0;
    double total = commit;
    long long all = 0;
    for (int k = 0; k < N_TABLES; k++) {
        printf("floor %s %lld %.3f\n", tables[k].name, count[k], secs[k]);
        total += secs[k];
        all += count[k];
    }
    printf("floor commit 0 %.3f\n", commit);
    printf("floor import %lld %.3f\n", all, total);

    /* one more month, on its own */
    long long n = 0;
    snprintf(path, sizeof path, "%s/append/publicity-2020-12.csv", dir);
    exec(db, "BEGIN");
    double up = upsert_file(db, &r, &tables[PUBLICITY], path, &n);
    t0 = now();
    exec(db, "COMMIT");
    printf("floor append %lld %.3f\n", n, up + now() - t0);

    /* a month's records found by a scan, as a month's derive finds them */
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM publicity WHERE decided"
                           " BETWEEN '2020-12-01' AND '2020-12-31'",
                           -1, &q, NULL) != SQLITE_OK)
        die("scan: %s", sqlite3_errmsg(db));
    t0 = now();
    if (sqlite3_step(q) != SQLITE_ROW)
        die("scan: %s", sqlite3_errmsg(db));
    double scan = now() - t0;
    printf("floor scan %lld %.3f\n", sqlite3_column_int64(q, 0), scan);
    sqlite3_finalize(q);
    printf("split %lld %.3f\n", r.split_rows, r.split_secs);
    free(r.buf);
    free(r.f);
    if (sqlite3_close(db) != SQLITE_OK)
        die("close: %s", sqlite3_errmsg(db));
    return 0;
}
