/*
 * test_run.c - a run end to end through the library: outputs land whole in
 * <out>/<region>/<period>/, a failing run leaves the previous reports as
 * they were and no temporary folder behind, and a repeated run replaces the
 * store's record instead of adding to it.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "import.h"
#include "run.h"
#include "store.h"

typedef struct fx {
    char dir[64], db[128], out[128], path[256];
    char defs[512], templates[512];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/cm-run-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/s.db", f->dir);
    snprintf(f->out, sizeof f->out, "%s/reports", f->dir);
    snprintf(f->path, sizeof f->path, "%s/511800/2018-12", f->out);
    snprintf(f->defs, sizeof f->defs, "%s/indicators", th_root());
    snprintf(f->templates, sizeof f->templates, "%s/templates", th_root());
    char fixtures[512];
    snprintf(fixtures, sizeof fixtures, "%s/fixtures/yaan", th_root());
    cm_store *s = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_store_new(f->db, &s, &d) != CM_OK ||
        cm_import_dir(s, fixtures, NULL, NULL, &d) != CM_OK) {
        cm_store_free(s);
        return -1;
    }
    cm_store_free(s);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    th_run(cmd, NULL);
    free(f);
    return 0;
}

static cm_run_options options(const fx *f)
{
    cm_run_options o = {
        .db = f->db, .defs_dir = f->defs, .templates_dir = f->templates,
        .out_dir = f->out, .region = "511800", .period = "2018-12",
    };
    return o;
}

static long count(const fx *f, const char *sql)
{
    cm_store *s = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(f->db, &s, &d), CM_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(cm_store_db(s), sql, -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    cm_store_free(s);
    return n;
}

/* Entries of the region folder other than . and .. */
static int region_entries(const fx *f)
{
    char p[256];
    snprintf(p, sizeof p, "%s/511800", f->out);
    DIR *dir = opendir(p);
    int n = 0;
    struct dirent *e;
    while (dir && (e = readdir(dir)) != NULL)
        n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
    if (dir)
        closedir(dir);
    return n;
}

static void run_writes_and_records(void **state)
{
    fx *f = *state;
    cm_run_options o = options(f);
    cm_run_summary sum;
    cm_warnings w = {0};
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_run(&o, &sum, &w, &d), CM_OK);
    assert_int_equal(sum.stage, CM_STAGE_DONE);
    assert_int_equal(sum.n_rows, 12);
    assert_string_equal(sum.out_dir, f->path);
    /* 芦山县 has no exits (its training coverage is 0/0): shown as
     * 不可计算 in the workbook, no warning; the store holds nothing
     * undeclared */
    assert_int_equal(w.n, 0);
    cm_warnings_free(&w);
    assert_int_equal(region_entries(f), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM runs"), 1);
    assert_int_equal(count(f, "SELECT n_problems FROM runs"), 12);
    /* 5 definition files and 1 template kept verbatim; 4 outputs hashed
     * (rectification, indicators, circular, counties) */
    assert_int_equal(count(f, "SELECT count(*) FROM run_files WHERE role='definition' "
                              "AND content IS NOT NULL"), 5);
    assert_int_equal(count(f, "SELECT count(*) FROM run_files WHERE role='output' "
                              "AND length(sha256)=64"), 4);
    assert_int_equal(count(f, "SELECT count(*) FROM run_files WHERE role='input'"), 5);

    /* again: the record is replaced, not doubled */
    assert_int_equal(cm_run(&o, &sum, NULL, &d), CM_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM runs"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM findings WHERE region='511800'"), 14);
    assert_int_equal(region_entries(f), 1);
}

static void failed_run_keeps_previous_reports(void **state)
{
    fx *f = *state;
    cm_run_options o = options(f);
    cm_run_summary sum;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_run(&o, &sum, NULL, &d), CM_OK);
    char pdf[300];
    snprintf(pdf, sizeof pdf, "%s/circular.pdf", f->path);
    size_t n1 = 0, n2 = 0;
    char *before = th_slurp(pdf, &n1);
    assert_non_null(before);
    long runs = count(f, "SELECT id FROM runs");

    /* the PDF stage fails: a refused font */
    o.fonts.song = "/usr/share/fonts/truetype/droid/DroidSansFallback.ttf";
    cm_diag_clear(&d);
    assert_int_not_equal(cm_run(&o, &sum, NULL, &d), CM_OK);
    assert_int_equal(sum.stage, CM_STAGE_OUTPUT);
    char *after = th_slurp(pdf, &n2);
    assert_non_null(after);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1);
    free(before);
    free(after);
    /* no temporary folder left, and the store's record is the old one */
    assert_int_equal(region_entries(f), 1);
    assert_int_equal(count(f, "SELECT id FROM runs"), runs);
}

static void stages_of_failure(void **state)
{
    fx *f = *state;
    cm_run_options o = options(f);
    cm_run_summary sum;
    cm_diag d;

    cm_diag_clear(&d);
    o.defs_dir = "/nonexistent/indicators";
    assert_int_not_equal(cm_run(&o, &sum, NULL, &d), CM_OK);
    assert_int_equal(sum.stage, CM_STAGE_DEFS);

    o = options(f);
    o.period = "2019-06";
    cm_diag_clear(&d);
    assert_int_equal(cm_run(&o, &sum, NULL, &d), CM_ERR_DATA);
    assert_int_equal(sum.stage, CM_STAGE_ASSESS);

    /* a month the store knows (here from another city's value) with no
     * value of 雅安市's: refused, not a circular of 0 findings; nothing
     * written, no run recorded */
    long runs = count(f, "SELECT count(*) FROM runs");
    cm_store *s = NULL;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(f->db, &s, &d), CM_OK);
    assert_int_equal(cm_store_exec(s,
                                   "INSERT INTO periods VALUES ('2019-01','month');"
                                   "INSERT INTO element_values(region, period,"
                                   " element, value) VALUES"
                                   " ('510300','2019-01','enterprises',10)",
                                   &d), CM_OK);
    cm_store_free(s);
    o = options(f);
    o.period = "2019-01";
    cm_diag_clear(&d);
    assert_int_equal(cm_run(&o, &sum, NULL, &d), CM_ERR_DATA);
    assert_int_equal(sum.stage, CM_STAGE_ASSESS);
    assert_non_null(strstr(d.msg, "no value for 雅安市 (511800)"));
    assert_int_equal(count(f, "SELECT count(*) FROM runs"), runs);

    o = options(f);
    o.template_path = "/nonexistent/circular.ini";
    cm_diag_clear(&d);
    assert_int_not_equal(cm_run(&o, &sum, NULL, &d), CM_OK);
    assert_int_equal(sum.stage, CM_STAGE_TEMPLATE);

    o = options(f);
    char nodb[200];
    snprintf(nodb, sizeof nodb, "%s/none.db", f->dir);
    o.db = nodb;
    cm_diag_clear(&d);
    assert_int_equal(cm_run(&o, &sum, NULL, &d), CM_ERR_USAGE);
    assert_int_equal(access(nodb, F_OK), -1);   /* not created by a run */
}

static void template_path_fallback(void **state)
{
    fx *f = *state;
    cm_run_options o = options(f);
    char p[1024], want[1024];
    cm_run_template_path(&o, p, sizeof p);
    snprintf(want, sizeof want, "%s/circular-511800.ini", f->templates);
    assert_string_equal(p, want);
    o.region = "511900";
    cm_run_template_path(&o, p, sizeof p);
    snprintf(want, sizeof want, "%s/circular.ini", f->templates);
    assert_string_equal(p, want);
    o.template_path = "x.ini";
    cm_run_template_path(&o, p, sizeof p);
    assert_string_equal(p, "x.ini");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(run_writes_and_records, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_run_keeps_previous_reports, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stages_of_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(template_path_fallback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
