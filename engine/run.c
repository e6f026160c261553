/*
 * run.c - orchestrates one run; see run.h.
 */
#include "run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "circular.h"
#include "defs.h"
#include "drill.h"
#include "lifecycle.h"
#include "rank.h"
#include "manifest.h"
#include "plan.h"
#include "plan_out.h"
#include "store.h"
#include "text.h"
#include "xlsx_out.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

void cm_run_template_path(const cm_run_options *o, char *out, size_t n)
{
    if (o->template_path) {
        snprintf(out, n, "%s", o->template_path);
        return;
    }
    const char *dir = o->templates_dir ? o->templates_dir : "templates";
    snprintf(out, n, "%s/circular-%s.ini", dir, o->region);
    if (access(out, R_OK) != 0)
        snprintf(out, n, "%s/circular.ini", dir);
}

/* Paths are built here only; a path that does not fit is an error, never a
 * silently truncated name. */
#define RUN_PATH 4096

static cm_error path_fmt(cm_diag *d, char *out, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static cm_error path_fmt(cm_diag *d, char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(out, RUN_PATH, fmt, ap);
    va_end(ap);
    if (k < 0 || k >= RUN_PATH)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "out",
                           "output path too long");
    return CM_OK;
}

static cm_error make_dir(const char *path, cm_diag *d)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return CM_OK;
    return cm_diag_set(d, CM_ERR_IO, path, 0, NULL, "cannot create folder: %s",
                       strerror(errno));
}

/* Removes a folder of plain files, one level of subfolders included (our
 * own temporary or replaced output: the named files and drill/). */
static void remove_tree(const char *dir, const char *const *names, size_t n)
{
    char p[RUN_PATH];
    for (size_t i = 0; i < n; i++)
        if (path_fmt(NULL, p, "%s/%s", dir, names[i]) == CM_OK)
            unlink(p);
    char **files = NULL;
    size_t nf = 0;
    if (path_fmt(NULL, p, "%s/drill", dir) == CM_OK &&
        cm_list_dir(p, NULL, &files, &nf, NULL) == CM_OK) {
        for (size_t i = 0; i < nf; i++)
            unlink(files[i]);
        cm_list_free(files, nf);
        rmdir(p);
    }
    rmdir(dir);
}

/* Whether the store holds microdata for the city or its counties: only
 * then are drill-down workbooks written (and a calendar required). */
static int has_microdata(cm_store *s, const char *city)
{
    static const char sql[] =
        "WITH r(code) AS (SELECT code FROM regions WHERE code = ?1 OR parent = ?1)"
        " SELECT EXISTS (SELECT 1 FROM publicity WHERE region IN r)"
        "     OR EXISTS (SELECT 1 FROM blacklist WHERE region IN r)"
        "     OR EXISTS (SELECT 1 FROM entities WHERE region IN r)";
    sqlite3_stmt *st = NULL;
    int yes = 0;
    if (sqlite3_prepare_v2(cm_store_db(s), sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, city, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW)
            yes = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return yes;
}

/* ORDER: manifest.json last (it lists the others); counties.pdf is written
 * only when the report has county results. */
static const char *const output_names[] = {
    "rectification.xlsx", "indicators.xlsx", "circular.pdf", "counties.pdf",
    "manifest.json",
};
#define N_OUTPUTS (sizeof output_names / sizeof *output_names)

static cm_error write_text_file(const char *path, const char *text, cm_diag *d)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return cm_diag_set(d, CM_ERR_IO, path, 0, NULL, "cannot write: %s",
                           strerror(errno));
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, f) != n;
    bad |= fclose(f) != 0;
    if (bad)
        return cm_diag_set(d, CM_ERR_IO, path, 0, NULL, "write failed");
    return CM_OK;
}

/* Moves tmp into final's place in two steps the caller can still undo: an
 * older final is moved aside to old (*had_old says so) and removed only by
 * swap_done, once the store has recorded the run. */
static cm_error swap_in(const char *tmp, const char *final, char old[RUN_PATH],
                        int *had_old, cm_diag *d)
{
    cm_error rc = path_fmt(d, old, "%s.old.%ld", final, (long)getpid());
    if (rc != CM_OK)
        return rc;
    *had_old = rename(final, old) == 0;
    if (!*had_old && errno != ENOENT)
        return cm_diag_set(d, CM_ERR_OUTPUT, final, 0, NULL,
                           "cannot replace the previous reports: %s",
                           strerror(errno));
    if (rename(tmp, final) != 0) {
        int e = errno;
        if (*had_old)
            rename(old, final);
        return cm_diag_set(d, CM_ERR_OUTPUT, final, 0, NULL,
                           "cannot move the new reports into place: %s",
                           strerror(e));
    }
    return CM_OK;
}

static void swap_undo(const char *tmp, const char *final, const char *old,
                      int had_old)
{
    rename(final, tmp);
    if (had_old)
        rename(old, final);
}

/* Formats an int for a template variable. */
static void put_int(char *buf, size_t n, int v)
{
    snprintf(buf, n, "%d", v);
}

/* The rank analysis (when the store holds ranks for the city), the
 * lifecycle of this month's problems, and the monitoring paragraph. */
static cm_error add_monitoring(cm_store *store, const cm_run_options *o,
                               const cm_circular *circ, cm_report *rep,
                               cm_diag *d)
{
    char group[16] = "";
    cm_error rc = cm_rank_group_of(store, o->region, o->period, group, d);
    if (rc != CM_OK)
        return rc;
    if (group[0]) {
        cm_rank_analysis *ra = calloc(1, sizeof *ra);
        if (!ra)
            return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        rep->rank = ra;
        if ((rc = cm_rank_analyse(store, o->region, group, o->period,
                                  o->rank_target, ra, d)) != CM_OK)
            return rc;
    }
    if ((rc = cm_lifecycle_build(store, rep, &rep->lifecycle, d)) != CM_OK)
        return rc;
    if (!circ->monitoring || !rep->rank || !rep->rank->has)
        return CM_OK;

    const cm_rank_analysis *ra = rep->rank;
    int n_new = 0, n_persist = 0, n_resolved = 0, n_overdue = 0;
    for (size_t i = 0; rep->lifecycle && i < rep->lifecycle->n; i++) {
        const cm_lc_item *it = &rep->lifecycle->items[i];
        n_new += it->state == CM_LC_NEW;
        n_persist += it->state == CM_LC_PERSISTING;
        n_resolved += it->state == CM_LC_RESOLVED;
        n_overdue += it->overdue;
    }
    int year = 0, month = 0;
    cm_text_period_parts(o->period, &year, &month);
    cm_region prov;
    memset(&prov, 0, sizeof prov);
    cm_region city;
    memset(&city, 0, sizeof city);
    if ((rc = cm_store_region(store, o->region, &city, d)) != CM_OK)
        return rc;
    if (city.parent[0] && (rc = cm_store_region(store, city.parent, &prov, d)) != CM_OK) {
        cm_region_clear(&city);
        return rc;
    }
    static const char *const group_names[][2] = {
        {"capital", "省会及副省级城市"}, {"prefecture", "地级市"},
        {"county", "县级市"},
    };
    const char *gname = ra->group;
    for (size_t i = 0; i < sizeof group_names / sizeof *group_names; i++)
        if (!strcmp(ra->group, group_names[i][0]))
            gname = group_names[i][1];
    char b[24][64];
    put_int(b[0], 64, year);
    put_int(b[1], 64, month);
    put_int(b[2], 64, ra->n);
    put_int(b[3], 64, ra->rank);
    cm_text_number(ra->score, 2, 1, b[4], 64);
    put_int(b[5], 64, ra->d_month);
    put_int(b[6], 64, ra->d_year);
    put_int(b[7], 64, ra->d_dec);
    put_int(b[8], 64, ra->prov_place);
    put_int(b[9], 64, ra->prov_n);
    put_int(b[10], 64, ra->prov_upper);
    put_int(b[11], 64, ra->target_up);
    put_int(b[12], 64, ra->target_rank);
    put_int(b[13], 64, ra->to_gain);
    cm_text_number(ra->n_level1 ? -ra->level1[0].delta : 0, 2, 1, b[14], 64);
    put_int(b[15], 64, (int)rep->n_rows);
    put_int(b[16], 64, n_new);
    put_int(b[17], 64, n_persist);
    put_int(b[18], 64, n_resolved);
    put_int(b[19], 64, n_overdue);
    /* an unknown change is left empty: "{if d_year > 0}" is then false */
    if (!ra->has_month) b[5][0] = '\0';
    if (!ra->has_year) b[6][0] = '\0';
    if (!ra->has_dec) b[7][0] = '\0';
    if (!ra->target_rank) b[12][0] = b[13][0] = '\0';
    cm_text_var vars[] = {
        {"city", city.name}, {"year", b[0]}, {"month", b[1]},
        {"group_name", gname}, {"n", b[2]}, {"rank", b[3]}, {"score", b[4]},
        {"d_month", b[5]}, {"d_year", b[6]}, {"d_dec", b[7]},
        {"prov_name", prov.name ? prov.name : ""}, {"prov_place", b[8]},
        {"prov_n", b[9]}, {"prov_upper", b[10]}, {"target_up", b[11]},
        {"target_rank", b[12]}, {"to_gain", b[13]},
        {"level1_worst", ra->n_level1 ? ra->level1[0].name : ""},
        {"level1_worst_delta", b[14]}, {"problems", b[15]}, {"new", b[16]},
        {"persisting", b[17]}, {"resolved", b[18]}, {"overdue", b[19]},
    };
    rc = cm_text_render(circ->monitoring, vars, sizeof vars / sizeof *vars,
                        &rep->monitoring, d);
    if (rc != CM_OK && d) {
        snprintf(d->file, sizeof d->file, "%s", circ->path ? circ->path : "");
        snprintf(d->field, sizeof d->field, "monitoring");
    }
    cm_region_clear(&city);
    cm_region_clear(&prov);
    return rc;
}

cm_error cm_run(const cm_run_options *o, cm_run_summary *sum, cm_warnings *w,
                cm_diag *d)
{
    memset(sum, 0, sizeof *sum);
    sum->stage = CM_STAGE_STORE;
    cm_store *store = NULL;
    cm_defs *defs = NULL;
    cm_report *rep = NULL;
    cm_circular *circ = NULL;
    cm_manifest *man = NULL;
    char tmp_dir[RUN_PATH] = "", final_dir[RUN_PATH], path[RUN_PATH], tpl[RUN_PATH];
    cm_error rc;
    double t, t_start = now_ms();

    if (access(o->db, F_OK) != 0)
        return cm_diag_set(d, CM_ERR_USAGE, o->db, 0, NULL,
                           "no store here: run `credmon import --db %s DIR` first",
                           o->db);
    man = cm_manifest_new(o->region, o->period);
    if (!man)
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");

    t = now_ms();
    sum->stage = CM_STAGE_STORE;
    if ((rc = cm_store_new(o->db, &store, d)) != CM_OK)
        goto done;
    sum->stage = CM_STAGE_DEFS;
    if ((rc = cm_defs_load(o->defs_dir, &defs, d)) != CM_OK)
        goto done;
    cm_manifest_timing(man, "load", now_ms() - t);

    /* the template is checked before any computing, so that a broken one
     * is the only thing reported */
    sum->stage = CM_STAGE_TEMPLATE;
    cm_run_template_path(o, tpl, sizeof tpl);
    if (!o->template_path && access(tpl, R_OK) != 0) {
        const char *dir = o->templates_dir ? o->templates_dir : "templates";
        rc = cm_diag_set(d, CM_ERR_IO, dir, 0, NULL,
                         "no circular template for %s: tried "
                         "circular-%s.ini and circular.ini", o->region,
                         o->region);
        goto done;
    }
    if ((rc = cm_circular_load(tpl, NULL, &circ, d)) != CM_OK)
        goto done;
    cm_circular_free(circ);
    circ = NULL;

    t = now_ms();
    sum->stage = CM_STAGE_ASSESS;
    if ((rc = cm_assess_city(store, defs, o->region, o->period, &rep, w, d)) !=
            CM_OK ||
        (rc = cm_assess_unknown_elements(store, defs, o->period, w, d)) != CM_OK)
        goto done;
    /* A month the store knows (ranks, another city's values) but with no
     * value of this city's: a circular of 0 findings, and last month's
     * problems 已整改, would be false. */
    size_t known = 0;
    for (size_t i = 0; i < rep->n_results; i++)
        known += rep->results[i].status != CM_ST_NODATA &&
                 rep->results[i].status != CM_ST_MISSING;
    if (rep->n_results && !known) {
        rc = cm_diag_set(d, CM_ERR_DATA, cm_store_path(store), 0, "period",
                         "no value for %s (%s) or its counties in %s: every "
                         "indicator is 无数据 or 未报送 (import its values or "
                         "derive its microdata first)",
                         rep->region_name, o->region, o->period);
        goto done;
    }
    cm_manifest_timing(man, "compute_assess", now_ms() - t);

    int year = 0, month = 0;
    cm_text_period_parts(o->period, &year, &month);
    cm_circular_facts facts = {rep->region_name, rep->region_code, o->period,
                               year, month, (int)rep->n_rows};
    sum->stage = CM_STAGE_TEMPLATE;
    if ((rc = cm_circular_load(tpl, &facts, &circ, d)) != CM_OK)
        goto done;
    char *title = cm_strdup(circ->table_title);
    if (!title) {
        rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto done;
    }
    free(rep->title);
    rep->title = title;

    /* issue 4: the published ranks, the problems against last month, and
     * the monitoring paragraph rendered from the template's facts */
    t = now_ms();
    sum->stage = CM_STAGE_ASSESS;
    if ((rc = add_monitoring(store, o, circ, rep, d)) != CM_OK)
        goto done;
    cm_manifest_timing(man, "ranks_lifecycle", now_ms() - t);

    /* outputs: <out>/<region>/.<period>.tmp.<pid>/ then renamed */
    t = now_ms();
    sum->stage = CM_STAGE_OUTPUT;
    if ((rc = path_fmt(d, path, "%s/%s", o->out_dir, o->region)) != CM_OK ||
        (rc = make_dir(o->out_dir, d)) != CM_OK ||
        (rc = make_dir(path, d)) != CM_OK)
        goto done;
    if ((rc = path_fmt(d, final_dir, "%s/%s", path, o->period)) != CM_OK ||
        (rc = path_fmt(d, tmp_dir, "%s/.%s.tmp.%ld", path, o->period,
                       (long)getpid())) != CM_OK)
        goto done;
    remove_tree(tmp_dir, output_names, N_OUTPUTS);
    if ((rc = make_dir(tmp_dir, d)) != CM_OK)
        goto done;
    if ((rc = path_fmt(d, path, "%s/%s", tmp_dir, output_names[0])) != CM_OK ||
        (rc = cm_xlsx_write_rectification(rep, path, d)) != CM_OK)
        goto done;
    if ((rc = path_fmt(d, path, "%s/%s", tmp_dir, output_names[1])) != CM_OK ||
        (rc = cm_xlsx_write_indicators(rep, path, d)) != CM_OK)
        goto done;
    cm_manifest_timing(man, "excel", now_ms() - t);
    t = now_ms();
    if ((rc = path_fmt(d, path, "%s/%s", tmp_dir, output_names[2])) != CM_OK ||
        (rc = cm_pdf_write_circular(circ, rep, &o->fonts, path, d)) != CM_OK ||
        (rc = path_fmt(d, path, "%s/%s", tmp_dir, output_names[3])) != CM_OK ||
        (rc = cm_pdf_write_county_summaries(rep, &o->fonts, path, d)) != CM_OK)
        goto done;
    cm_manifest_timing(man, "pdf", now_ms() - t);

    if (has_microdata(store, o->region)) {
        t = now_ms();
        char drill_dir[RUN_PATH];
        if ((rc = path_fmt(d, drill_dir, "%s/drill", tmp_dir)) != CM_OK ||
            (rc = make_dir(drill_dir, d)) != CM_OK)
            goto done;
        cm_drill_options dopt = {o->region, o->period, o->codes_unit, drill_dir};
        if ((rc = cm_drill_write(store, &dopt, &sum->n_drill, d)) != CM_OK)
            goto done;
        char **files = NULL;
        size_t nf = 0;
        if ((rc = cm_list_dir(drill_dir, NULL, &files, &nf, d)) != CM_OK)
            goto done;
        for (size_t i = 0; i < nf && rc == CM_OK; i++) {
            char name[RUN_PATH];
            rc = path_fmt(d, name, "drill/%s", strrchr(files[i], '/') + 1);
            if (rc == CM_OK)
                rc = cm_manifest_add_file(man, "output", name, files[i], 0, d);
        }
        cm_list_free(files, nf);
        if (rc != CM_OK)
            goto done;
        cm_manifest_timing(man, "drill", now_ms() - t);
        cm_manifest_count(man, "drill_workbooks", sum->n_drill);
    }

    /* the manifest: what was read and what was written */
    if ((rc = cm_manifest_add_imports(man, store, d)) != CM_OK)
        goto done;
    for (size_t i = 0; i < defs->n_files; i++)
        if ((rc = cm_manifest_add_file(man, "definition", defs->files[i],
                                       defs->files[i], 1, d)) != CM_OK)
            goto done;
    if ((rc = cm_manifest_add_file(man, "template", tpl, tpl, 1, d)) != CM_OK)
        goto done;
    for (size_t i = 0; i + 1 < N_OUTPUTS; i++) {
        if ((rc = path_fmt(d, path, "%s/%s", tmp_dir, output_names[i])) != CM_OK)
            goto done;
        if (access(path, F_OK) != 0)
            continue;   /* an optional output not written for this report */
        if ((rc = cm_manifest_add_file(man, "output", output_names[i], path, 0,
                                       d)) != CM_OK)
            goto done;
    }
    size_t n_find = 0;
    for (size_t i = 0; i < rep->n_results; i++)
        n_find += rep->results[i].status == CM_ST_FAIL ||
                  rep->results[i].status == CM_ST_MISSING;
    cm_manifest_count(man, "indicators", (long)defs->n_indicators);
    cm_manifest_count(man, "results", (long)rep->n_results);
    cm_manifest_count(man, "findings", (long)n_find);
    cm_manifest_count(man, "problems", (long)rep->n_rows);
    for (size_t i = 0; w && i < w->n; i++)
        cm_manifest_warning(man, w->items[i]);
    cm_manifest_finish(man);
    char *json = cm_manifest_json(man);
    if (!json) {
        rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
        goto done;
    }
    if ((rc = path_fmt(d, path, "%s/%s", tmp_dir, output_names[N_OUTPUTS - 1])) == CM_OK)
        rc = write_text_file(path, json, d);
    free(json);
    if (rc != CM_OK)
        goto done;
    /* record, swap, commit: the store and the reports change together or
     * not at all */
    sum->stage = CM_STAGE_RECORD;
    if ((rc = cm_store_begin(store, d)) != CM_OK)
        goto done;
    char old_dir[RUN_PATH];
    int had_old = 0;
    if ((rc = cm_manifest_record(man, rep, store, d)) != CM_OK) {
        cm_store_rollback(store);
        goto done;
    }
    sum->stage = CM_STAGE_OUTPUT;
    if ((rc = swap_in(tmp_dir, final_dir, old_dir, &had_old, d)) != CM_OK) {
        cm_store_rollback(store);
        goto done;
    }
    sum->stage = CM_STAGE_RECORD;
    if ((rc = cm_store_commit(store, d)) != CM_OK) {
        cm_store_rollback(store);
        swap_undo(tmp_dir, final_dir, old_dir, had_old);
        goto done;
    }
    tmp_dir[0] = '\0';
    if (had_old)
        remove_tree(old_dir, output_names, N_OUTPUTS);

    memcpy(sum->out_dir, final_dir, sizeof sum->out_dir);
    sum->n_results = rep->n_results;
    sum->n_findings = n_find;
    sum->n_rows = rep->n_rows;
    sum->elapsed_ms = now_ms() - t_start;
    sum->stage = CM_STAGE_DONE;
done:
    if (tmp_dir[0])
        remove_tree(tmp_dir, output_names, N_OUTPUTS);
    cm_manifest_free(man);
    cm_circular_free(circ);
    cm_report_free(rep);
    cm_defs_free(defs);
    cm_store_free(store);
    return rc;
}

void cm_plan_summary_clear(cm_plan_summary *sum)
{
    if (!sum)
        return;
    cm_list_free(sum->idle_units, sum->n_idle);
    cm_list_free(sum->unknown_names, sum->n_unknown);
    sum->idle_units = sum->unknown_names = NULL;
    sum->n_idle = sum->n_unknown = 0;
}

/* The store's unit names and short names (malloc'd list). */
static cm_error known_units(cm_store *s, char ***out, size_t *n, cm_diag *d)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(cm_store_db(s),
                           "SELECT name FROM units UNION "
                           "SELECT short_name FROM units WHERE short_name <> ''",
                           -1, &st, NULL) != SQLITE_OK)
        return cm_store_fail(s, d, "listing units");
    cm_error rc = CM_OK;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char **q = realloc(*out, (*n + 1) * sizeof *q);
        if (!q || !(q[*n] = cm_strdup((const char *)sqlite3_column_text(st, 0)))) {
            if (q)
                *out = q;
            rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        *out = q;
        (*n)++;
    }
    sqlite3_finalize(st);
    return rc;
}

/* The file name's stem: "fixtures/panjin/tasks.csv" -> "tasks". */
static void stem_of(const char *path, char *out, size_t n)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t len = strcspn(b, ".");
    if (len >= n)
        len = n - 1;
    memcpy(out, b, len);
    out[len] = '\0';
}

/* Units of the store the plan names nowhere: the run says so, since such a
 * unit gets no sheet and no circular. */
static cm_error idle_units(cm_store *s, char **named, size_t n_named,
                           cm_plan_summary *sum, cm_diag *d)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(cm_store_db(s),
                           "SELECT name, short_name FROM units ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return cm_store_fail(s, d, "listing units");
    cm_error rc = CM_OK;
    while (rc == CM_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *alias = (const char *)sqlite3_column_text(st, 1);
        int used = 0;
        for (size_t i = 0; i < n_named && !used; i++)
            used = !strcmp(named[i], name) || (alias && alias[0] &&
                                               !strcmp(named[i], alias));
        if (used)
            continue;
        char **p = realloc(sum->idle_units, (sum->n_idle + 1) * sizeof *p);
        if (!p || !(p[sum->n_idle] = cm_strdup(name))) {
            if (p)
                sum->idle_units = p;
            rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        sum->idle_units = p;
        sum->n_idle++;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Removes a plan output folder (ours: temporary or replaced). */
static void remove_plan_dir(const char *dir)
{
    static const char *const names[] = {"table.xlsx", "units.xlsx"};
    char unit_dir[RUN_PATH];
    char **files = NULL;
    size_t nf = 0;
    if (path_fmt(NULL, unit_dir, "%s/units", dir) == CM_OK &&
        cm_list_dir(unit_dir, NULL, &files, &nf, NULL) == CM_OK) {
        for (size_t i = 0; i < nf; i++)
            unlink(files[i]);
        cm_list_free(files, nf);
        rmdir(unit_dir);
    }
    remove_tree(dir, names, 2);
}

cm_error cm_run_plan(const cm_plan_options *o, cm_plan_summary *sum,
                     cm_diag *d)
{
    memset(sum, 0, sizeof *sum);
    cm_store *store = NULL;
    cm_defs *defs = NULL;
    cm_plan *plan = NULL;
    cm_circular *circ = NULL;
    char **units = NULL, **known = NULL;
    size_t n_units = 0, n_known = 0;
    char tmp_dir[RUN_PATH] = "", final_dir[RUN_PATH], path[RUN_PATH];
    char tpl[RUN_PATH], stem[64], title[512];
    cm_region city;
    memset(&city, 0, sizeof city);
    cm_error rc;

    if (access(o->db, F_OK) != 0)
        return cm_diag_set(d, CM_ERR_USAGE, o->db, 0, NULL,
                           "no store here: run `credmon import --db %s DIR` "
                           "first", o->db);
    if ((rc = cm_store_new(o->db, &store, d)) != CM_OK ||
        (rc = cm_defs_load(o->defs_dir, &defs, d)) != CM_OK ||
        (rc = cm_plan_load(o->plan_path, defs, &plan, d)) != CM_OK ||
        (rc = cm_store_region(store, o->region, &city, d)) != CM_OK ||
        (rc = cm_plan_evaluate(plan, store, defs, o->region, o->period, d)) !=
            CM_OK)
        goto done;

    cm_run_options ro = {.templates_dir = o->templates_dir,
                         .template_path = o->template_path,
                         .region = o->region};
    cm_run_template_path(&ro, tpl, sizeof tpl);
    int year = 0, month = 0;
    cm_text_period_parts(o->period, &year, &month);
    cm_circular_facts facts = {city.name, city.code, o->period, year, month,
                               (int)plan->n_rows};
    if ((rc = cm_circular_load(tpl, &facts, &circ, d)) != CM_OK)
        goto done;

    static const char *const kind_names[] = {"规划指标完成情况表",
                                             "评价指标任务分解表",
                                             "工作要点任务分工表"};
    if (o->title)
        snprintf(title, sizeof title, "%s", o->title);
    else
        snprintf(title, sizeof title, "%s%d年%s", city.name, year,
                 kind_names[plan->kind]);

    for (size_t i = 0; i < plan->n_rows; i++) {
        const cm_plan_row *r = &plan->rows[i];
        sum->n_rows++;
        if (r->status == CM_PS_MET)
            sum->n_met++;
        else if (r->status == CM_PS_MISSED)
            sum->n_missed++;
        else if (r->status == CM_PS_WARNING)
            sum->n_warning++;
        else
            sum->n_other++;
    }
    /* words of the unit cells that are no member unit of the store get no
     * sheet and no circular; the run names them */
    if ((rc = known_units(store, &known, &n_known, d)) != CM_OK ||
        (rc = cm_plan_units(plan, &units, &n_units, d)) != CM_OK)
        goto done;
    for (size_t i = 0; i < n_units; i++) {
        int is_known = 0;
        for (size_t k = 0; k < n_known && !is_known; k++)
            is_known = !strcmp(units[i], known[k]);
        if (is_known)
            continue;
        char **q = realloc(sum->unknown_names, (sum->n_unknown + 1) * sizeof *q);
        if (!q || !(q[sum->n_unknown] = cm_strdup(units[i]))) {
            if (q)
                sum->unknown_names = q;
            rc = cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
            goto done;
        }
        sum->unknown_names = q;
        sum->n_unknown++;
    }
    cm_list_free(units, n_units);
    units = NULL;
    plan->known_units = known;
    plan->n_known_units = n_known;
    if ((rc = cm_plan_units(plan, &units, &n_units, d)) != CM_OK ||
        (rc = idle_units(store, units, n_units, sum, d)) != CM_OK)
        goto done;

    stem_of(o->plan_path, stem, sizeof stem);
    if ((rc = path_fmt(d, path, "%s/%s", o->out_dir, o->region)) != CM_OK ||
        (rc = make_dir(o->out_dir, d)) != CM_OK ||
        (rc = make_dir(path, d)) != CM_OK ||
        (rc = path_fmt(d, final_dir, "%s/%s", path, o->period)) != CM_OK ||
        (rc = make_dir(final_dir, d)) != CM_OK ||
        (rc = path_fmt(d, tmp_dir, "%s/.%s.tmp.%ld", final_dir, stem,
                       (long)getpid())) != CM_OK ||
        (rc = path_fmt(d, final_dir, "%s/%s/%s", path, o->period, stem)) !=
            CM_OK ||
        (rc = make_dir(tmp_dir, d)) != CM_OK ||
        (rc = path_fmt(d, path, "%s/table.xlsx", tmp_dir)) != CM_OK ||
        (rc = cm_plan_write_table(plan, title, path, d)) != CM_OK ||
        (rc = path_fmt(d, path, "%s/units.xlsx", tmp_dir)) != CM_OK ||
        (rc = cm_plan_write_units(plan, title, path, &sum->n_units, d)) !=
            CM_OK ||
        (rc = path_fmt(d, path, "%s/units", tmp_dir)) != CM_OK ||
        (rc = make_dir(path, d)) != CM_OK ||
        (rc = cm_plan_write_unit_pdfs(plan, circ, title, &o->fonts, path,
                                      &sum->n_pdfs, d)) != CM_OK)
        goto done;

    /* the new folder replaces the old one whole */
    char old[RUN_PATH];
    int had_old = 0;
    if ((rc = swap_in(tmp_dir, final_dir, old, &had_old, d)) != CM_OK)
        goto done;
    tmp_dir[0] = '\0';
    if (had_old)
        remove_plan_dir(old);
    memcpy(sum->out_dir, final_dir, sizeof sum->out_dir);
done:
    if (tmp_dir[0])
        remove_plan_dir(tmp_dir);
    cm_list_free(units, n_units);
    cm_list_free(known, n_known);
    cm_region_clear(&city);
    cm_circular_free(circ);
    cm_plan_free(plan);
    cm_defs_free(defs);
    cm_store_free(store);
    return rc;
}
