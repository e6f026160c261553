/*
 * manifest.c - the run record: JSON beside the outputs, rows in the store.
 */
#include "manifest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sha256.h"

/* Definitions are kept verbatim in the store; a cap keeps a stray huge file
 * from bloating every run record. */
#define MAX_KEPT_BYTES (1024 * 1024)

typedef struct mf_file {
    char *role, *name, *sha256, *content;
    long long size;
} mf_file;

typedef struct mf_num {
    char *name;
    double value;
} mf_num;

struct cm_manifest {
    char region[16], period[16];
    char started[32], finished[32];
    struct timespec t0;
    double elapsed_ms;
    mf_file *files;  size_t n_files, cap_files;
    mf_num *counts;  size_t n_counts, cap_counts;
    mf_num *timings; size_t n_timings, cap_timings;
    char **warnings; size_t n_warnings, cap_warnings;
};

static void utc_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
           (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

cm_manifest *cm_manifest_new(const char *region, const char *period)
{
    cm_manifest *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    snprintf(m->region, sizeof m->region, "%s", region);
    snprintf(m->period, sizeof m->period, "%s", period);
    utc_now(m->started);
    clock_gettime(CLOCK_MONOTONIC, &m->t0);
    return m;
}

void cm_manifest_free(cm_manifest *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_files; i++) {
        free(m->files[i].role);
        free(m->files[i].name);
        free(m->files[i].sha256);
        free(m->files[i].content);
    }
    for (size_t i = 0; i < m->n_counts; i++)
        free(m->counts[i].name);
    for (size_t i = 0; i < m->n_timings; i++)
        free(m->timings[i].name);
    for (size_t i = 0; i < m->n_warnings; i++)
        free(m->warnings[i]);
    free(m->files);
    free(m->counts);
    free(m->timings);
    free(m->warnings);
    free(m);
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 1;
    size_t nc = *cap ? *cap * 2 : 8;
    void *p = realloc(*arr, nc * elem);
    if (!p)
        return 0;
    *arr = p;
    *cap = nc;
    return 1;
}

static char *slurp(const char *path, long long size)
{
    if (size < 0 || size > MAX_KEPT_BYTES)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc((size_t)size + 1);
    size_t n = buf ? fread(buf, 1, (size_t)size, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

cm_error cm_manifest_add_file(cm_manifest *m, const char *role,
                              const char *name, const char *path, int keep,
                              cm_diag *d)
{
    char hex[65];
    long long size = 0;
    cm_error rc = cm_sha256_file(path, hex, &size, d);
    if (rc != CM_OK)
        return rc;
    if (!grow((void **)&m->files, &m->cap_files, m->n_files, sizeof *m->files))
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    mf_file f = {cm_strdup(role), cm_strdup(name), cm_strdup(hex),
                 keep ? slurp(path, size) : NULL, size};
    if (!f.role || !f.name || !f.sha256) {
        free(f.role), free(f.name), free(f.sha256), free(f.content);
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    m->files[m->n_files++] = f;
    return CM_OK;
}

cm_error cm_manifest_add_imports(cm_manifest *m, cm_store *s, cm_diag *d)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(cm_store_db(s),
                           /* a file imported again after a correction
                            * is listed once, as its latest content: the
                            * superseded version fed nothing of this run */
                           "SELECT kind, file, sha256, size FROM imports "
                           "WHERE rowid IN (SELECT max(rowid) FROM imports "
                           "GROUP BY kind, file) ORDER BY kind, file",
                           -1, &st, NULL) != SQLITE_OK)
        return cm_store_fail(s, d, "reading imports");
    cm_error rc = CM_OK;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!grow((void **)&m->files, &m->cap_files, m->n_files,
                  sizeof *m->files)) {
            rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        char name[1024];
        snprintf(name, sizeof name, "%s (%s)",
                 (const char *)sqlite3_column_text(st, 1),
                 (const char *)sqlite3_column_text(st, 0));
        mf_file f = {cm_strdup("input"), cm_strdup(name),
                     cm_strdup((const char *)sqlite3_column_text(st, 2)), NULL,
                     sqlite3_column_int64(st, 3)};
        if (!f.role || !f.name || !f.sha256) {
            free(f.role), free(f.name), free(f.sha256);
            rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        m->files[m->n_files++] = f;
    }
    if (rc == CM_OK && step != SQLITE_DONE)
        rc = cm_store_fail(s, d, "reading imports");
    sqlite3_finalize(st);
    return rc;
}

static cm_error add_num(mf_num **arr, size_t *n, size_t *cap,
                        const char *name, double v)
{
    if (!grow((void **)arr, cap, *n, sizeof **arr))
        return CM_ERR_NOMEM;
    char *nm = cm_strdup(name);
    if (!nm)
        return CM_ERR_NOMEM;
    (*arr)[(*n)++] = (mf_num){nm, v};
    return CM_OK;
}

cm_error cm_manifest_count(cm_manifest *m, const char *name, long value)
{
    return add_num(&m->counts, &m->n_counts, &m->cap_counts, name,
                   (double)value);
}

cm_error cm_manifest_timing(cm_manifest *m, const char *stage, double ms)
{
    return add_num(&m->timings, &m->n_timings, &m->cap_timings, stage, ms);
}

cm_error cm_manifest_warning(cm_manifest *m, const char *text)
{
    if (!grow((void **)&m->warnings, &m->cap_warnings, m->n_warnings,
              sizeof *m->warnings))
        return CM_ERR_NOMEM;
    if (!(m->warnings[m->n_warnings] = cm_strdup(text)))
        return CM_ERR_NOMEM;
    m->n_warnings++;
    return CM_OK;
}

void cm_manifest_finish(cm_manifest *m)
{
    utc_now(m->finished);
    m->elapsed_ms = ms_since(&m->t0);
}

/* A growing string for the JSON text. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 1024;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *q = realloc(b->p, nc);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_printf(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k > 0)
        sb_add(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

/* JSON string: UTF-8 passes through; quotes, backslashes and controls are
 * escaped (RFC 8259 section 7). */
static void sb_json_str(sbuf *b, const char *s)
{
    sb_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            sb_add(b, e, 2);
        } else if (*p < 0x20) {
            sb_printf(b, "\\u%04x", *p);
        } else {
            sb_add(b, (const char *)p, 1);
        }
    }
    sb_add(b, "\"", 1);
}

char *cm_manifest_json(const cm_manifest *m)
{
    sbuf b = {0};
    sb_printf(&b, "{\n  \"credmon\": \"%s\",\n  \"region\": ", CM_VERSION);
    sb_json_str(&b, m->region);
    sb_printf(&b, ",\n  \"period\": ");
    sb_json_str(&b, m->period);
    sb_printf(&b, ",\n  \"started\": \"%s\",\n  \"finished\": \"%s\",\n"
                  "  \"elapsed_ms\": %.1f,\n  \"files\": [",
              m->started, m->finished, m->elapsed_ms);
    for (size_t i = 0; i < m->n_files; i++) {
        const mf_file *f = &m->files[i];
        sb_printf(&b, "%s\n    {\"role\": ", i ? "," : "");
        sb_json_str(&b, f->role);
        sb_printf(&b, ", \"name\": ");
        sb_json_str(&b, f->name);
        sb_printf(&b, ", \"size\": %lld, \"sha256\": \"%s\"}", f->size,
                  f->sha256);
    }
    sb_printf(&b, "\n  ],\n  \"counts\": {");
    for (size_t i = 0; i < m->n_counts; i++) {
        sb_printf(&b, "%s\n    ", i ? "," : "");
        sb_json_str(&b, m->counts[i].name);
        sb_printf(&b, ": %.0f", m->counts[i].value);
    }
    sb_printf(&b, "\n  },\n  \"timings_ms\": {");
    for (size_t i = 0; i < m->n_timings; i++) {
        sb_printf(&b, "%s\n    ", i ? "," : "");
        sb_json_str(&b, m->timings[i].name);
        sb_printf(&b, ": %.2f", m->timings[i].value);
    }
    sb_printf(&b, "\n  },\n  \"warnings\": [");
    for (size_t i = 0; i < m->n_warnings; i++) {
        sb_printf(&b, "%s\n    ", i ? "," : "");
        sb_json_str(&b, m->warnings[i]);
    }
    sb_printf(&b, "\n  ]\n}\n");
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static cm_error record_findings(const cm_report *r, sqlite3 *db,
                                sqlite3_int64 run_id, int *ok)
{
    sqlite3_stmt *st = NULL;
    *ok = 0;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO findings(run_id, region, period, "
                           "indicator, problem, status, value, benchmark, "
                           "description) VALUES (?,?,?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return CM_ERR_STORE;
    for (size_t i = 0; i < r->n_results; i++) {
        const cm_result *x = &r->results[i];
        if (x->status != CM_ST_FAIL && x->status != CM_ST_MISSING)
            continue;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, run_id);
        bind_text(st, 2, x->region_code);
        bind_text(st, 3, r->period);
        bind_text(st, 4, x->indicator_id);
        if (x->problem_id[0])
            bind_text(st, 5, x->problem_id);
        else
            sqlite3_bind_null(st, 5);
        bind_text(st, 6, x->status == CM_ST_FAIL ? "fail" : "missing");
        if (x->value.kind == CM_V_NUM)
            sqlite3_bind_double(st, 7, x->value.num);
        else
            sqlite3_bind_null(st, 7);
        if (x->has_benchmark)
            sqlite3_bind_double(st, 8, x->benchmark);
        else
            sqlite3_bind_null(st, 8);
        bind_text(st, 9, x->description);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            return CM_ERR_STORE;
        }
    }
    sqlite3_finalize(st);
    *ok = 1;
    return CM_OK;
}

cm_error cm_manifest_record(const cm_manifest *m, const cm_report *r,
                            cm_store *s, cm_diag *d)
{
    sqlite3 *db = cm_store_db(s);
    char *json = cm_manifest_json(m);
    if (!json)
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    cm_error rc;
    sqlite3_stmt *st = NULL;
    long n_find = 0;
    for (size_t i = 0; i < r->n_results; i++)
        n_find += r->results[i].status == CM_ST_FAIL ||
                  r->results[i].status == CM_ST_MISSING;
    /* the previous run of this region and period goes, with its files and
     * findings (ON DELETE CASCADE) */
    if (sqlite3_prepare_v2(db, "DELETE FROM runs WHERE region = ? AND period = ?",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    bind_text(st, 1, m->region);
    bind_text(st, 2, m->period);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO runs(region, period, started, finished, "
                           "status, elapsed_ms, n_indicators, n_findings, "
                           "n_problems, manifest) VALUES (?,?,?,?,'ok',?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    bind_text(st, 1, m->region);
    bind_text(st, 2, m->period);
    bind_text(st, 3, m->started);
    bind_text(st, 4, m->finished);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)m->elapsed_ms);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)r->n_results);
    sqlite3_bind_int64(st, 7, n_find);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)r->n_rows);
    bind_text(st, 9, json);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    sqlite3_int64 run_id = sqlite3_last_insert_rowid(db);
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO run_files(run_id, role, path, "
                           "size, sha256, content) VALUES (?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < m->n_files; i++) {
        const mf_file *f = &m->files[i];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, run_id);
        bind_text(st, 2, f->role);
        bind_text(st, 3, f->name);
        sqlite3_bind_int64(st, 4, f->size);
        bind_text(st, 5, f->sha256);
        if (f->content)
            bind_text(st, 6, f->content);
        else
            sqlite3_bind_null(st, 6);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    int ok;
    if (record_findings(r, db, run_id, &ok) != CM_OK || !ok)
        goto fail;
    free(json);
    return CM_OK;
fail:
    rc = cm_store_fail(s, d, "recording the run");
    sqlite3_finalize(st);
    free(json);
    return rc;
}
