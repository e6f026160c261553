/*
 * test_xlsx_util.c - the helpers the Excel writers share: the created time
 * of a period, column widths and line counts from East-Asian widths, row
 * heights, the directory check and a workbook's open, close and abandon.
 * Expected times are typed from the calendar (days since 1970-01-01 times
 * 86400), widths from the measurements xlsx_util.h states.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xlsx_util.h"

#define DAY 86400

/* cmocka 1.1 compares floats only; widths are doubles. */
#define assert_near(got, want, eps)                                           \
    do {                                                                      \
        double got_ = (got), want_ = (want);                                  \
        if (fabs(got_ - want_) > (eps))                                       \
            fail_msg("%s = %.15g, want %.15g", #got, got_, want_);            \
    } while (0)

static void test_period_end(void **state)
{
    (void)state;
    static const struct {
        const char *period;
        long days; /* 1970-01-01 = 0 */
    } cases[] = {
        {"2018-12", 17896}, /* 2018-12-31 */
        {"2019-Q2", 18077}, /* 2019-06-30 */
        {"2020", 18627}, /* 2020-12-31 */
        {"2020-02", 18321}, /* 2020-02-29, a leap year */
        {"2019-02", 17955}, /* 2019-02-28 */
        {"2000-02", 11016}, /* 2000-02-29: divisible by 400 */
        {"2100-02", 47540}, /* 2100-02-28: by 100, not by 400 */
        {"2018-Q4", 17896}, /* as 2018-12 */
        {"1970-01", 30}, /* 1970-01-31, the first month */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        time_t t = 0;
        const char *p = cases[i].period;
        if (!cm_xbook_period_end(p, strlen(p), &t))
            fail_msg("%s refused", p);
        if (t != (time_t)cases[i].days * DAY)
            fail_msg("%s: %lld, want %lld", p, (long long)t,
                     (long long)cases[i].days * DAY);
    }
}

static void test_period_end_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",        "201",     "20x8",    "2018-",   "2018-1",  "2018-13",
        "2018-00", "2018-Q0", "2018-Q5", "2018-q4", "2018/12", "2018-12-31",
        "1969-12", "1900",    " 2018",   "2018-1a",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        time_t t = 12345;
        if (cm_xbook_period_end(bad[i], strlen(bad[i]), &t))
            fail_msg("'%s' accepted", bad[i]);
        assert_int_equal((long long)t, 12345); /* left alone */
    }
}

/* Only n bytes are read: a period in a longer buffer, none terminated. */
static void test_period_end_length(void **state)
{
    (void)state;
    char buf[8];
    memcpy(buf, "2019-06X", 8);
    time_t t = 0;
    assert_true(cm_xbook_period_end(buf, 7, &t));
    assert_int_equal((long long)t, 18077LL * DAY);
    assert_true(cm_xbook_period_end(buf, 4, &t));
    assert_int_equal((long long)t, 18261LL * DAY); /* 2019-12-31 */
    assert_false(cm_xbook_period_end(buf, 8, &t));
}

static void test_widest_line(void **state)
{
    (void)state;
    assert_int_equal(cm_xbook_widest_line(""), 0);
    assert_int_equal(cm_xbook_widest_line("abc"), 3);
    assert_int_equal(cm_xbook_widest_line("雅安市"), 6);
    assert_int_equal(cm_xbook_widest_line("1.8%，达标"), 10);
    assert_int_equal(cm_xbook_widest_line("ab\n雅安市人民政府\nc"), 14);
    assert_int_equal(cm_xbook_widest_line("序号\n"), 4);
    assert_int_equal(cm_xbook_widest_line("\n\n"), 0);
}

/* (cells x 7.4 px + 8 px) / 7 px per '0'. */
static void test_widths(void **state)
{
    (void)state;
    assert_near(cm_xbook_col_width(0), 8.0 / 7.0, 1e-12);
    assert_near(cm_xbook_col_width(10), 82.0 / 7.0, 1e-12);
    /* ASCII: one cell a character; CJK: two. */
    assert_near(cm_xbook_fit_width("abc", 1, 100), 30.2 / 7.0, 1e-12);
    assert_near(cm_xbook_fit_width("雅安市", 1, 100), 52.4 / 7.0, 1e-12);
    assert_near(cm_xbook_fit_width("abc\n雅安市", 1, 100), 52.4 / 7.0, 1e-12);
    /* the bounds */
    assert_near(cm_xbook_fit_width("序号", 6, 6), 6.0, 0);
    assert_near(cm_xbook_fit_width("", 8, 20), 8.0, 0);
    assert_near(
        cm_xbook_fit_width("统一社会信用代码统一社会信用代码统一社会信用代码",
                           10, 30),
        30.0, 0);
}

static void test_count_lines(void **state)
{
    (void)state;
    size_t n = 0;
    /* 10 units: (70 - 8) / 7.4 = 8.4 cells, four CJK characters a line */
    assert_int_equal(
        cm_xbook_count_lines("雅安市雅安市", 10, CM_XBOOK_BODY_PT, &n), CM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(
        cm_xbook_count_lines("abcdefgh", 10, CM_XBOOK_BODY_PT, &n), CM_OK);
    assert_int_equal(n, 1);
    /* 16 pt: 8.4 x 11 / 16 = 5.8 cells, two characters a line */
    assert_int_equal(cm_xbook_count_lines("雅安市雅安市", 10, 16, &n), CM_OK);
    assert_int_equal(n, 3);
    /* an empty text and "\n" */
    assert_int_equal(cm_xbook_count_lines("", 10, CM_XBOOK_BODY_PT, &n),
                     CM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cm_xbook_count_lines("a\nb\nc", 10, CM_XBOOK_BODY_PT, &n),
                     CM_OK);
    assert_int_equal(n, 3);
    /* a column too narrow still holds one CJK character a line */
    assert_int_equal(cm_xbook_count_lines("雅安市", 0.5, CM_XBOOK_BODY_PT, &n),
                     CM_OK);
    assert_int_equal(n, 3);
    /* not UTF-8: refused, *lines untouched */
    n = 77;
    assert_int_equal(cm_xbook_count_lines("a\xff", 10, CM_XBOOK_BODY_PT, &n),
                     CM_ERR_ENCODING);
    assert_int_equal(n, 77);
}

static void test_row_height(void **state)
{
    (void)state;
    assert_near(cm_xbook_row_height(1), 21.0, 0);
    assert_near(cm_xbook_row_height(3), 51.0, 0);
    assert_near(cm_xbook_row_height(26), 396.0, 0);
    assert_near(cm_xbook_row_height(27), 409.0, 0); /* not 411 */
    assert_near(cm_xbook_row_height(100000), CM_XBOOK_MAX_ROW_PT, 0);
}

static void test_keep(void **state)
{
    (void)state;
    lxw_error acc = LXW_NO_ERROR;
    cm_xbook_keep(&acc, LXW_NO_ERROR);
    assert_int_equal(acc, LXW_NO_ERROR);
    cm_xbook_keep(&acc, LXW_ERROR_SHEETNAME_ALREADY_USED);
    cm_xbook_keep(&acc, LXW_ERROR_MEMORY_MALLOC_FAILED);
    cm_xbook_keep(&acc, LXW_NO_ERROR);
    assert_int_equal(acc, LXW_ERROR_SHEETNAME_ALREADY_USED);
}

static void test_check_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm_xbook_XXXXXX", path[128];
    cm_diag d;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/a.xlsx", dir);
    cm_diag_clear(&d);
    assert_int_equal(cm_xbook_check_dir(path, 1, &d), CM_OK);
    assert_int_equal(cm_xbook_check_dir(dir, 0, &d), CM_OK);
    assert_int_equal(cm_xbook_check_dir("a.xlsx", 1, &d), CM_OK); /* "." */
    snprintf(path, sizeof path, "%s/none/a.xlsx", dir);
    assert_int_equal(cm_xbook_check_dir(path, 1, &d), CM_ERR_OUTPUT);
    assert_string_equal(d.file, path);
    assert_non_null(strstr(d.msg, "cannot write into directory"));
    assert_non_null(strstr(d.msg, "/none'"));
    assert_int_equal(rmdir(dir), 0);
}

/* Writes one small sheet with the shared formats and page set-up. */
static cm_error write_small(const char *path, cm_diag *d)
{
    lxw_workbook *wb;
    cm_error e = cm_xbook_open(path, "雅安市 测试", 17896L * DAY, &wb, d);
    if (e != CM_OK)
        return e;
    lxw_error le = LXW_NO_ERROR;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "表");
    lxw_format *title = cm_xbook_title_format(wb, 16);
    lxw_format *head = cm_xbook_body_format(wb, 1, 1);
    if (!ws || !title || !head)
        return cm_xbook_abandon(wb, path, le, CM_ERR_NOMEM, d);
    cm_xbook_keep(&le, worksheet_merge_range(ws, 0, 0, 0, 1, "标题", title));
    cm_xbook_keep(&le, worksheet_write_string(ws, 1, 0, "序号", head));
    cm_xbook_print_setup(ws, &le);
    if (le != LXW_NO_ERROR)
        return cm_xbook_abandon(wb, path, le, CM_OK, d);
    return cm_xbook_close(wb, path, d);
}

/* Same title and time, same bytes: the created time is what makes a
 * repeated run identical. */
static void test_open_close_deterministic(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm_xbook_XXXXXX", a[128], b[128];
    cm_diag d;
    assert_non_null(mkdtemp(dir));
    snprintf(a, sizeof a, "%s/a.xlsx", dir);
    snprintf(b, sizeof b, "%s/b.xlsx", dir);
    cm_diag_clear(&d);
    assert_int_equal(write_small(a, &d), CM_OK);
    sleep(1); /* a clock in the file would now differ */
    assert_int_equal(write_small(b, &d), CM_OK);
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    assert_non_null(fa);
    assert_non_null(fb);
    int ca, cb;
    long n = 0;
    do {
        ca = fgetc(fa);
        cb = fgetc(fb);
        n++;
        if (ca != cb)
            fail_msg("a.xlsx and b.xlsx differ at byte %ld", n);
    } while (ca != EOF);
    assert_true(n > 1000);
    fclose(fa);
    fclose(fb);
    assert_int_equal(unlink(a), 0);
    assert_int_equal(unlink(b), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* Abandoned: nothing written, the error located at the path. */
static void test_abandon(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm_xbook_XXXXXX", path[128];
    struct stat st;
    cm_diag d;
    lxw_workbook *wb;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/a.xlsx", dir);

    cm_diag_clear(&d);
    assert_int_equal(cm_xbook_open(path, "t", DAY, &wb, &d), CM_OK);
    assert_int_equal(cm_xbook_abandon(wb, path,
                                      LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED,
                                      CM_OK, &d),
                     CM_ERR_OUTPUT);
    assert_string_equal(d.file, path);
    assert_non_null(strstr(d.msg, "cannot build workbook: "));
    assert_non_null(
        strstr(d.msg, lxw_strerror(LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED)));
    assert_int_equal(stat(path, &st), -1);

    cm_diag_clear(&d);
    assert_int_equal(cm_xbook_open(path, "t", DAY, &wb, &d), CM_OK);
    assert_int_equal(
        cm_xbook_abandon(wb, path, LXW_NO_ERROR, CM_ERR_NOMEM, &d),
        CM_ERR_NOMEM);
    assert_string_equal(d.msg, "out of memory");

    cm_diag_clear(&d);
    assert_int_equal(cm_xbook_open(path, "t", DAY, &wb, &d), CM_OK);
    assert_int_equal(
        cm_xbook_abandon(wb, path, LXW_NO_ERROR, CM_ERR_ENCODING, &d),
        CM_ERR_ENCODING);
    assert_non_null(strstr(d.msg, cm_strerror(CM_ERR_ENCODING)));
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(rmdir(dir), 0);
}

/* A folder that does not exist: workbook_close fails, and says so. */
static void test_close_fails(void **state)
{
    (void)state;
    cm_diag d;
    lxw_workbook *wb;
    const char *path = "/nonexistent-cm-xbook/a.xlsx";
    cm_diag_clear(&d);
    assert_int_equal(cm_xbook_open(path, "t", DAY, &wb, &d), CM_OK);
    assert_non_null(workbook_add_worksheet(wb, NULL));
    assert_int_equal(cm_xbook_close(wb, path, &d), CM_ERR_OUTPUT);
    assert_string_equal(d.file, path);
    assert_non_null(strstr(d.msg, "cannot write workbook: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_end),
        cmocka_unit_test(test_period_end_refused),
        cmocka_unit_test(test_period_end_length),
        cmocka_unit_test(test_widest_line),
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_count_lines),
        cmocka_unit_test(test_row_height),
        cmocka_unit_test(test_keep),
        cmocka_unit_test(test_check_dir),
        cmocka_unit_test(test_open_close_deterministic),
        cmocka_unit_test(test_abandon),
        cmocka_unit_test(test_close_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
