/*
 * test_manifest.c - the run record: JSON text (escaping, hashes of real
 * files) and its rows in the store (a repeated run replaces the previous).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "manifest.h"
#include "report.h"
#include "store.h"

static void json_text(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm-manifest-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/abc.txt", dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("abc", fp);
    fclose(fp);

    cm_manifest *m = cm_manifest_new("511800", "2018-12");
    assert_non_null(m);
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_manifest_add_file(m, "output", "a\"b\\c\n雅.txt", path, 0, &d),
                     CM_OK);
    assert_int_equal(cm_manifest_count(m, "problems", 12), CM_OK);
    assert_int_equal(cm_manifest_timing(m, "pdf", 1.5), CM_OK);
    assert_int_equal(cm_manifest_warning(m, "x\ty"), CM_OK);
    cm_manifest_finish(m);
    char *json = cm_manifest_json(m);
    assert_non_null(json);
    /* SHA-256("abc"), FIPS 180-2 */
    assert_non_null(strstr(json, "\"sha256\": \"ba7816bf8f01cfea414140de5dae2223"
                                 "b00361a396177a9cb410ff61f20015ad\""));
    assert_non_null(strstr(json, "\"name\": \"a\\\"b\\\\c\\u000a雅.txt\""));
    assert_non_null(strstr(json, "\"size\": 3"));
    assert_non_null(strstr(json, "\"problems\": 12"));
    assert_non_null(strstr(json, "\"pdf\": 1.50"));
    assert_non_null(strstr(json, "\"x\\u0009y\""));
    assert_non_null(strstr(json, "\"region\": \"511800\""));
    free(json);

    /* a file that is not there is an IO error naming it */
    cm_diag_clear(&d);
    snprintf(path, sizeof path, "%s/none", dir);
    assert_int_equal(cm_manifest_add_file(m, "output", "none", path, 0, &d), CM_ERR_IO);
    assert_non_null(strstr(d.file, "none"));
    cm_manifest_free(m);
    cm_manifest_free(NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    th_run(cmd, NULL);
}

static long one(cm_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(cm_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void record_replaces(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm-manifest-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[128];
    snprintf(db, sizeof db, "%s/s.db", dir);
    cm_store *s = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(db, &s, &d), CM_OK);

    cm_report *r = cm_report_new("511800", "雅安市", "2018-12", "t");
    char code[] = "511800", fail_id[] = "x", ok_id[] = "y", desc[] = "问题", none[] = "";
    cm_result res = {.region_code = code, .indicator_id = fail_id,
                     .status = CM_ST_FAIL, .value = {CM_V_NUM, 1.8},
                     .has_benchmark = 1, .benchmark = 1.31, .description = desc};
    assert_int_equal(cm_report_add_result(r, &res), CM_OK);
    res.indicator_id = ok_id;
    res.status = CM_ST_PASS;
    res.description = none;
    assert_int_equal(cm_report_add_result(r, &res), CM_OK);

    for (int i = 0; i < 2; i++) {
        cm_manifest *m = cm_manifest_new("511800", "2018-12");
        assert_int_equal(cm_manifest_add_file(m, "definition", "s.db", db, 1, &d), CM_OK);
        cm_manifest_finish(m);
        assert_int_equal(cm_store_begin(s, &d), CM_OK);
        assert_int_equal(cm_manifest_record(m, r, s, &d), CM_OK);
        assert_int_equal(cm_store_commit(s, &d), CM_OK);
        cm_manifest_free(m);
    }
    assert_int_equal(one(s, "SELECT count(*) FROM runs"), 1);
    assert_int_equal(one(s, "SELECT count(*) FROM run_files"), 1);
    /* only the failing result is a finding */
    assert_int_equal(one(s, "SELECT count(*) FROM findings"), 1);
    assert_int_equal(one(s, "SELECT n_findings FROM runs"), 1);
    cm_report_free(r);
    cm_store_free(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    th_run(cmd, NULL);
}

/* A file imported again after a correction is listed once, as its latest
 * content: the superseded version fed nothing of the run. */
static void imports_latest_content(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm-manifest-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[128];
    snprintf(db, sizeof db, "%s/s.db", dir);
    cm_store *s = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(db, &s, &d), CM_OK);
    /* imported as aaaa, corrected to bbbb, then aaaa again (a re-import
     * replaces its row, so it is the latest) */
    assert_int_equal(cm_store_exec(s,
        "INSERT OR REPLACE INTO imports VALUES ('aaaa','values','v.csv',1,1);"
        "INSERT OR REPLACE INTO imports VALUES ('bbbb','values','v.csv',2,1);"
        "INSERT OR REPLACE INTO imports VALUES ('aaaa','values','v.csv',1,1);"
        "INSERT OR REPLACE INTO imports VALUES ('cccc','regions','r.csv',3,1);",
        &d), CM_OK);
    cm_manifest *m = cm_manifest_new("511800", "2018-12");
    assert_int_equal(cm_manifest_add_imports(m, s, &d), CM_OK);
    char *json = cm_manifest_json(m);
    assert_non_null(strstr(json, "\"sha256\": \"aaaa\""));
    assert_null(strstr(json, "\"sha256\": \"bbbb\""));
    assert_non_null(strstr(json, "\"sha256\": \"cccc\""));
    free(json);
    cm_manifest_free(m);
    cm_store_free(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    th_run(cmd, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_text),
        cmocka_unit_test(record_replaces),
        cmocka_unit_test(imports_latest_content),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
