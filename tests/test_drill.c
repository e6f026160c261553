/*
 * test_drill.c - drill-down workbooks, from a hand-made month in a real
 * store: the workbooks are read back with `unzip -p` (shared strings and
 * sheet XML) and their rows compared with rows typed here, the working-day
 * delays worked out by hand below from the 2019 notices.
 *
 * Month 2019-09, city 雅安市 (511800) with counties 雨城区 (511802) and
 * 名山区 (511803); 成都市 (510100) / 锦江区 (510104) is another city whose
 * records must stay out. Calendar 2019 (国办发〔2018〕122号, amended by
 * 国办发明电〔2019〕3号): 中秋 09-13 (Fri) off; 国庆 10-01..10-07 off
 * (weekdays 10-01..04 and 10-07), 09-29 (Sun) and 10-12 (Sat) worked.
 * Working days d with decided < d <= published; late when > 7, and the
 * 超期工作日 shown are those beyond 7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "storetest.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drill.h"
#include "helpers.h"
#include "store.h"

#define TAX "市税务局"
#define ECO "市生态环境局"
#define SAMR "市市场监督管理局"
#define COURT "市法院"

/* Citizen IDs with valid GB 11643 check characters; none may appear
 * unmasked in any output. */
#define ID_ZHANG "511802198001010010"
#define ID_LI "51180319751230002X"
#define ID_WANG "510104199002020032"

typedef struct fixture {
    char dir[256];
    char out[300];
    char db[300];
    cm_store *s;
} fixture;

static const char regions_sql[] =
    "INSERT INTO regions(code, name, level, parent) VALUES"
    " ('510000', '四川省', 'province', NULL),"
    " ('511800', '雅安市', 'city', '510000'),"
    " ('511802', '雨城区', 'county', '511800'),"
    " ('511803', '名山区', 'county', '511800'),"
    " ('510100', '成都市', 'city', '510000'),"
    " ('510104', '锦江区', 'county', '510100');";

/* 2019 only: the weekday holidays and the worked weekend days. */
static const char calendar_sql[] =
    "INSERT INTO calendar_years(year, notice) VALUES"
    " (2019, '国办发〔2018〕122号；国办发明电〔2019〕3号');"
    "INSERT INTO calendar(day, kind, notice) VALUES"
    " ('2019-01-01', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-02-02', 'workday', '国办发〔2018〕122号'),"
    " ('2019-02-03', 'workday', '国办发〔2018〕122号'),"
    " ('2019-02-04', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-02-05', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-02-06', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-02-07', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-02-08', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-04-05', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-04-28', 'workday', '国办发明电〔2019〕3号'),"
    " ('2019-05-01', 'holiday', '国办发明电〔2019〕3号'),"
    " ('2019-05-02', 'holiday', '国办发明电〔2019〕3号'),"
    " ('2019-05-03', 'holiday', '国办发明电〔2019〕3号'),"
    " ('2019-05-05', 'workday', '国办发明电〔2019〕3号'),"
    " ('2019-06-07', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-09-13', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-09-29', 'workday', '国办发〔2018〕122号'),"
    " ('2019-10-01', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-10-02', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-10-03', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-10-04', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-10-07', 'holiday', '国办发〔2018〕122号'),"
    " ('2019-10-12', 'workday', '国办发〔2018〕122号');";

/*
 * 市税务局, decided in 2019-09:
 *   SW-001 09-02 -> 09-02: 0                                   on time
 *   SW-002 09-11 -> 09-24: 12, (13 off), 16, 17, 18, 19, 20, 23, 24
 *          = 8                                         LATE by 1
 *   SW-003 09-11 -> 09-23: as above without 24 = 7 (a Mon-Fri count
 *          ignoring 中秋 would say 8)                          on time
 *   SW-004 09-16, not published                                未公示
 *   SW-005 09-18, published 09-17                              数据错误
 *   SW-006 09-20 -> 10-12: 23, 24, 25, 26, 27, 29 (Sun worked), 30,
 *          (10-01..07 off), 08, 09, 10, 11, 12 (Sat worked) = 12, LATE by 5
 *   SW-007 09-26 -> 10-09: 27, 29, 30, 10-08, 10-09 = 5 (Mon-Fri
 *          ignoring 国庆 would say 9)                          on time
 *   SW-008 decided 08-30: another month.  SW-009: 锦江区, another city.
 * 市生态环境局: HB-001 09-03 -> 09-04 = 1; HB-002 09-27 -> 10-08: 29, 30,
 *   10-08 = 3: all on time, so no workbook.
 */
static const char publicity_sql[] =
    "INSERT INTO publicity(id, kind, source_unit, region, subject_name,"
    " subject_code, decided, published) VALUES"
    " ('SW-001', '许可', '" TAX "', '511802', '雅安甲公司',"
    "  '91512081MA62K0260E', '2019-09-02', '2019-09-02'),"
    " ('SW-002', '处罚', '" TAX "', '511803', '李四', '" ID_LI "',"
    "  '2019-09-11', '2019-09-24'),"
    " ('SW-003', '许可', '" TAX "', '511802', '雅安乙公司',"
    "  '91110000600037341L', '2019-09-11', '2019-09-23'),"
    " ('SW-004', '处罚', '" TAX "', '511800', '雅安丙公司',"
    "  '91110000600037341L', '2019-09-16', NULL),"
    " ('SW-005', '许可', '" TAX "', '511802', '雅安丁公司',"
    "  '91512081MA62K0260F', '2019-09-18', '2019-09-17'),"
    " ('SW-006', '处罚', '" TAX "', '511802', '张三', '" ID_ZHANG "',"
    "  '2019-09-20', '2019-10-12'),"
    " ('SW-007', '许可', '" TAX "', '511802', '雅安甲公司',"
    "  '91512081MA62K0260E', '2019-09-26', '2019-10-09'),"
    " ('SW-008', '处罚', '" TAX "', '511802', '雅安甲公司',"
    "  '91512081MA62K0260E', '2019-08-30', '2019-09-30'),"
    " ('SW-009', '处罚', '" TAX "', '510104', '成都戊公司',"
    "  '91350200776049653A', '2019-09-05', NULL),"
    " ('HB-001', '许可', '" ECO "', '511802', '雅安甲公司',"
    "  '91512081MA62K0260E', '2019-09-03', '2019-09-04'),"
    " ('HB-002', '处罚', '" ECO "', '511803', '雅安乙公司',"
    "  '91110000600037341L', '2019-09-27', '2019-10-08');";

/* 91512081MA62K0260F: the valid ...0260E with its check character
 * changed. 91110000600037341L: two entities in two counties.
 * 91350200776049653A: two entities, but one in 成都 (outside the city).
 * ID_WANG: a 个体工商户 registered under an ID number (fails GB 32100 and
 * must be masked). */
static const char entities_sql[] =
    "INSERT INTO entities(code, name, region, registered, status) VALUES"
    " ('91512081MA62K0260E', '雅安甲公司', '511802', '2015-03-01', '存续'),"
    " ('91512081MA62K0260F', '雅安丁公司', '511802', '2016-05-01', '存续'),"
    " ('91110000600037341L', '雅安乙公司', '511802', '2014-01-01', '存续'),"
    " ('91110000600037341L', '雅安丙公司', '511803', '2017-01-01', '存续'),"
    " ('91350200776049653A', '成都戊公司', '510104', '2012-01-01', '存续'),"
    " ('91350200776049653A', '雅安己公司', '511803', '2018-01-01', '存续'),"
    " ('" ID_WANG "', '王五烟酒店', '511802', '2018-06-01', '存续');";

/* Listed by 市税务局: 张三 (no training, on the list) and 雅安乙公司 (no
 * training, removed in the month) are shown; 雅安甲公司 (trained), 李四
 * (removed in August) and 雅安丁公司 (listed in October) are not.
 * 市法院: trained, or in another city: no workbook. */
static const char blacklist_sql[] =
    "INSERT INTO blacklist(subject, name, region, list, listing_unit,"
    " listed, removed, removal_reason, repair_training, repair_commitment)"
    " VALUES"
    " ('" ID_ZHANG "', '张三', '511802', '重大税收违法失信主体', '" TAX "',"
    "  '2019-03-15', NULL, '', 0, 0),"
    " ('91512081MA62K0260E', '雅安甲公司', '511802', '重大税收违法失信主体',"
    "  '" TAX "', '2019-05-10', NULL, '', 1, 1),"
    " ('91110000600037341L', '雅安乙公司', '511802', '重大税收违法失信主体',"
    "  '" TAX "', '2019-02-01', '2019-09-10', '信用修复', 0, 1),"
    " ('" ID_LI "', '李四', '511803', '重大税收违法失信主体', '" TAX "',"
    "  '2019-01-01', '2019-08-20', '期满', 0, 0),"
    " ('91512081MA62K0260F', '雅安丁公司', '511802', '重大税收违法失信主体',"
    "  '" TAX "', '2019-10-05', NULL, '', 0, 0),"
    " ('91110000600037341L', '雅安乙公司', '511802', '失信被执行人',"
    "  '" COURT "', '2019-04-01', NULL, '', 1, 0),"
    " ('91350200776049653A', '成都戊公司', '510104', '失信被执行人',"
    "  '" COURT "', '2019-04-01', NULL, '', 0, 0);";

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/cm_drill_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->out, sizeof f->out, "%s/out", f->dir);
    snprintf(f->db, sizeof f->db, "%s/store.db", f->dir);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "mkdir '%s'", f->out);
    assert_int_equal(th_run(cmd, NULL), 0);
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_new(f->db, &f->s, &d), CM_OK);
    th_exec(f->s, regions_sql);
    th_exec(f->s, calendar_sql);
    th_exec(f->s, publicity_sql);
    th_exec(f->s, entities_sql);
    th_exec(f->s, blacklist_sql);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cm_store_free(f->s);
    /* CM_TEST_KEEP=1 keeps the folder, to open the workbooks by hand */
    const char *keep = getenv("CM_TEST_KEEP");
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (keep && keep[0] == '1')
        fprintf(stderr, "kept %s\n", f->dir);
    else
        th_run(cmd, NULL);
    free(f);
    return 0;
}

static cm_drill_options month_opts(const fixture *f, const char *period)
{
    cm_drill_options o = {"511800", period, SAMR, f->out};
    return o;
}

/* Names of the files in dir, sorted, "|"-joined. */
static void dir_listing(const char *dir, char *buf, size_t n)
{
    char cmd[400];
    char *out = NULL;
    snprintf(cmd, sizeof cmd, "ls -A '%s' | LC_ALL=C sort | tr '\\n' '|'",
             dir);
    assert_int_equal(th_run(cmd, &out), 0);
    snprintf(buf, n, "%s", out ? out : "");
    free(out);
}

static void book_path(const fixture *f, const char *unit, char *buf,
                      size_t n)
{
    snprintf(buf, n, "%s/%s.xlsx", f->out, unit);
}

/* Row r of a sheet as "a|b|c" over ncols columns. */
static void row_text(const th_sheet *s, int r, int ncols, char *buf,
                     size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int c = 1; c <= ncols && used < n; c++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s",
                                 c > 1 ? "|" : "", th_cell(s, r, c));
}

static void assert_rows(const char *xlsx, int sheet_no, int ncols,
                        const char *const *want, int n_want)
{
    th_sheet *s = malloc(sizeof *s);
    assert_non_null(s);
    assert_true(th_read_sheet(xlsx, sheet_no, s));
    char got[1024];
    for (int i = 0; i < n_want; i++) {
        row_text(s, i + 1, ncols, got, sizeof got);
        if (strcmp(got, want[i]) != 0) {
            th_sheet_free(s);
            free(s);
            fail_msg("%s sheet %d row %d:\n got  %s\n want %s", xlsx,
                     sheet_no, i + 1, got, want[i]);
        }
    }
    /* nothing after the last expected row */
    row_text(s, n_want + 1, ncols, got, sizeof got);
    int empty = strspn(got, "|") == strlen(got);
    th_sheet_free(s);
    free(s);
    assert_true(empty);
}

static char *unzip_all(const char *xlsx, const char *member)
{
    char cmd[600], *out = NULL;
    snprintf(cmd, sizeof cmd, "unzip -p '%s' %s", xlsx, member);
    assert_int_equal(th_run(cmd, &out), 0);
    assert_non_null(out);
    return out;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("'%s' not found", needle);
}

static void assert_no_raw_ids(const char *xlsx)
{
    char *xml = unzip_all(xlsx, "");
    assert_null(strstr(xml, ID_ZHANG));
    assert_null(strstr(xml, ID_LI));
    assert_null(strstr(xml, ID_WANG));
    free(xml);
}

static void test_month(void **state)
{
    fixture *f = *state;
    cm_drill_options o = month_opts(f, "2019-09");
    cm_diag d;
    cm_diag_clear(&d);
    int n = -1;
    assert_int_equal(cm_drill_write(f->s, &o, &n, &d), CM_OK);
    assert_int_equal(n, 2);

    /* no workbook for 市生态环境局 (all on time) nor 市法院 (trained or
     * out of the city); no temporary file left */
    char ls[512];
    dir_listing(f->out, ls, sizeof ls);
    assert_string_equal(ls, SAMR ".xlsx|" TAX ".xlsx|");

    char tax[400], samr[400];
    book_path(f, TAX, tax, sizeof tax);
    book_path(f, SAMR, samr, sizeof samr);

    char *wbx = unzip_all(tax, "xl/workbook.xml");
    assert_contains(wbx, "<sheet name=\"逾期双公示\" sheetId=\"1\"");
    assert_contains(wbx, "<sheet name=\"未修复培训\" sheetId=\"2\"");
    assert_null(strstr(wbx, "重错码"));
    free(wbx);

    static const char *const late[] = {
        "市税务局 2019年9月 双公示逾期记录明细||||||||",
        "记录编号|类别|地区|行政相对人|统一社会信用代码/身份证号|决定日期|"
        "公示日期|超期工作日|情形",
        "SW-002|处罚|名山区|李四|511803********002X|2019-09-11|2019-09-24|1|"
        "逾期",
        "SW-004|处罚|雅安市|雅安丙公司|91110000600037341L|2019-09-16|||"
        "未公示",
        "SW-005|许可|雨城区|雅安丁公司|91512081MA62K0260F|2019-09-18|"
        "2019-09-17||公示早于决定（数据错误）",
        "SW-006|处罚|雨城区|张三|511802********0010|2019-09-20|2019-10-12|"
        "5|逾期",
    };
    assert_rows(tax, 1, 9, late, 6);

    static const char *const training[] = {
        "市税务局 2019年9月 失信主体未参加信用修复培训明细||||||",
        "主体|名称|地区|名单|列入日期|移出日期|信用修复承诺",
        "91110000600037341L|雅安乙公司|雨城区|重大税收违法失信主体|"
        "2019-02-01|2019-09-10|已承诺",
        "511802********0010|张三|雨城区|重大税收违法失信主体|2019-03-15||"
        "未承诺",
    };
    assert_rows(tax, 2, 7, training, 4);

    static const char *const codes[] = {
        "市市场监督管理局 2019年9月 统一社会信用代码重错码明细|||",
        "统一社会信用代码|主体名称|地区|原因",
        "510104********0032|王五烟酒店|雨城区|校验位错误",
        "91110000600037341L|雅安丙公司|名山区|一码多主（2个主体）",
        "91110000600037341L|雅安乙公司|雨城区|一码多主（2个主体）",
        "91512081MA62K0260F|雅安丁公司|雨城区|校验位错误",
    };
    assert_rows(samr, 1, 4, codes, 6);
    wbx = unzip_all(samr, "xl/workbook.xml");
    assert_contains(wbx, "<sheet name=\"重错码\" sheetId=\"1\"");
    assert_null(strstr(wbx, "sheetId=\"2\""));
    free(wbx);

    assert_no_raw_ids(tax);
    assert_no_raw_ids(samr);
}

/* Header row frozen, filtered and repeated; A4 landscape fit to width;
 * fonts named; the delay a number; the creation time fixed. */
static void test_layout(void **state)
{
    fixture *f = *state;
    cm_drill_options o = month_opts(f, "2019-09");
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_drill_write(f->s, &o, NULL, &d), CM_OK);
    char tax[400];
    book_path(f, TAX, tax, sizeof tax);
    char *sheet = unzip_all(tax, "xl/worksheets/sheet1.xml");
    assert_contains(sheet, "ySplit=\"2\"");
    assert_contains(sheet, "topLeftCell=\"A3\"");
    assert_contains(sheet, "<autoFilter ref=\"A2:I6\"/>");
    assert_contains(sheet, "<mergeCell ref=\"A1:I1\"/>");
    assert_contains(sheet, "<pageSetUpPr fitToPage=\"1\"/>");
    assert_contains(sheet, "paperSize=\"9\"");
    assert_contains(sheet, "orientation=\"landscape\"");
    assert_contains(sheet, "fitToHeight=\"0\"");
    /* SW-002's delay is a number cell: no t="s", the value itself */
    const char *h3 = strstr(sheet, "<c r=\"H3\"");
    assert_non_null(h3);
    const char *gt = strchr(h3, '>');
    assert_non_null(gt);
    assert_null(memchr(h3, 't', (size_t)(gt - h3)));
    assert_memory_equal(gt, "><v>1</v></c>", 13);
    free(sheet);
    char *wb = unzip_all(tax, "xl/workbook.xml");
    assert_contains(wb, "_xlnm.Print_Titles");
    assert_contains(wb, "_xlnm._FilterDatabase");
    free(wb);
    char *styles = unzip_all(tax, "xl/styles.xml");
    assert_contains(styles, "<name val=\"仿宋\"/>");
    assert_contains(styles, "<name val=\"宋体\"/>");
    assert_contains(styles, "<b/>");
    free(styles);
    char *core = unzip_all(tax, "docProps/core.xml");
    assert_contains(core, "2019-09-30T00:00:00Z");
    assert_contains(core, "雅安市 市税务局 2019年9月");
    free(core);
}

static void assert_same_bytes(const char *p1, const char *p2)
{
    size_t n1 = 0, n2 = 0;
    char *a = th_slurp(p1, &n1), *b = th_slurp(p2, &n2);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
}

/* A repeated run writes the same bytes, over the previous files, and
 * leaves nothing else behind. */
static void test_deterministic(void **state)
{
    fixture *f = *state;
    cm_drill_options o = month_opts(f, "2019-09");
    cm_diag d;
    cm_diag_clear(&d);
    int n = 0;
    assert_int_equal(cm_drill_write(f->s, &o, &n, &d), CM_OK);
    char tax[400], copy[400], cmd[900];
    book_path(f, TAX, tax, sizeof tax);
    snprintf(copy, sizeof copy, "%s/first.xlsx", f->dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", tax, copy);
    assert_int_equal(th_run(cmd, NULL), 0);
    sleep(1); /* a clock-based creation time would now differ */
    assert_int_equal(cm_drill_write(f->s, &o, &n, &d), CM_OK);
    assert_int_equal(n, 2);
    assert_same_bytes(tax, copy);
    char ls[512];
    dir_listing(f->out, ls, sizeof ls);
    assert_string_equal(ls, SAMR ".xlsx|" TAX ".xlsx|");
}

/* Without a codes unit, only 市税务局 gets a workbook. */
static void test_no_codes_unit(void **state)
{
    fixture *f = *state;
    cm_drill_options o = month_opts(f, "2019-09");
    o.codes_unit = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    int n = 0;
    assert_int_equal(cm_drill_write(f->s, &o, &n, &d), CM_OK);
    assert_int_equal(n, 1);
    char ls[512];
    dir_listing(f->out, ls, sizeof ls);
    assert_string_equal(ls, TAX ".xlsx|");
}

/* A month the calendar does not cover: CM_ERR_DATA, nothing written. */
static void test_uncovered_month(void **state)
{
    fixture *f = *state;
    cm_drill_options o = month_opts(f, "2020-03");
    cm_diag d;
    cm_diag_clear(&d);
    int n = -1;
    assert_int_equal(cm_drill_write(f->s, &o, &n, &d), CM_ERR_DATA);
    assert_int_equal(n, 0);
    assert_string_equal(d.field, "calendar");
    assert_contains(d.msg, "2020");
    char ls[512];
    dir_listing(f->out, ls, sizeof ls);
    assert_string_equal(ls, "");
}

/* A December decision published in a year the calendar lacks: whether it
 * is late cannot be known, so the drill stops (CM_ERR_DATA) naming the
 * record rather than guess. */
static void test_published_in_uncovered_year(void **state)
{
    fixture *f = *state;
    th_exec(f->s, "INSERT INTO publicity(id, kind, source_unit, region,"
               " subject_name, subject_code, decided, published) VALUES"
               " ('SW-100', '许可', '" TAX "', '511802', '雅安甲公司',"
               "  '91512081MA62K0260E', '2019-12-30', '2020-01-06')");
    cm_drill_options o = month_opts(f, "2019-12");
    cm_diag d;
    cm_diag_clear(&d);
    int n = -1;
    assert_int_equal(cm_drill_write(f->s, &o, &n, &d), CM_ERR_DATA);
    assert_int_equal(n, 0);
    assert_contains(d.msg, "SW-100");
    assert_contains(d.msg, "2020-01-06");
}

/* A unit name with a path separator is refused before any file is
 * written; the same name on a unit with nothing to list is harmless. */
static void test_unit_name_refused(void **state)
{
    fixture *f = *state;
    th_exec(f->s, "INSERT INTO publicity(id, kind, source_unit, region,"
               " subject_name, subject_code, decided, published) VALUES"
               " ('X-001', '许可', '市交通/运输局', '511802', '雅安甲公司',"
               "  '91512081MA62K0260E', '2019-09-02', '2019-09-03')");
    cm_drill_options o = month_opts(f, "2019-09");
    cm_diag d;
    cm_diag_clear(&d);
    int n = 0;
    assert_int_equal(cm_drill_write(f->s, &o, &n, &d), CM_OK);
    assert_int_equal(n, 2);

    th_exec(f->s, "UPDATE publicity SET published = NULL WHERE id = 'X-001'");
    th_exec(f->s, "INSERT INTO publicity(id, kind, source_unit, region,"
               " subject_name, subject_code, decided, published) VALUES"
               " ('X-002', '许可', '../escape', '511802', '雅安甲公司',"
               "  '91512081MA62K0260E', '2019-09-02', NULL)");
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -f '%s'/*", f->out);
    assert_int_equal(th_run(cmd, NULL), 0);
    cm_diag_clear(&d);
    n = -1;
    assert_int_equal(cm_drill_write(f->s, &o, &n, &d), CM_ERR_DATA);
    assert_int_equal(n, 0);
    assert_string_equal(d.field, "unit");
    /* byte order: '.' < '市', so "../escape" is met first */
    assert_contains(d.msg, "'../escape'");
    char ls[512];
    dir_listing(f->out, ls, sizeof ls);
    assert_string_equal(ls, "");
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c escape", f->dir);
    char *out = NULL;
    th_run(cmd, &out);
    assert_string_equal(out, "0\n");
    free(out);

    th_exec(f->s, "DELETE FROM publicity WHERE id = 'X-002'");
    cm_diag_clear(&d);
    assert_int_equal(cm_drill_write(f->s, &o, &n, &d), CM_ERR_DATA);
    assert_contains(d.msg, "'市交通/运输局'");
}

static void test_bad_options(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *region, *period;
        cm_error want;
        const char *msg;
    } cases[] = {
        {"511800", "2019-9", CM_ERR_USAGE, "YYYY-MM"},
        {"511800", "2019-13", CM_ERR_USAGE, "YYYY-MM"},
        {"511800", "2019-Q3", CM_ERR_USAGE, "YYYY-MM"},
        {"511800", NULL, CM_ERR_USAGE, "YYYY-MM"},
        {"510000", "2019-09", CM_ERR_USAGE, "province"},
        {"511802", "2019-09", CM_ERR_USAGE, "county"},
        {"999999", "2019-09", CM_ERR_DATA, "999999"},
        {NULL, "2019-09", CM_ERR_USAGE, "city"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cm_drill_options o = {cases[i].region, cases[i].period, SAMR, f->out};
        cm_diag d;
        cm_diag_clear(&d);
        int n = -1;
        assert_int_equal(cm_drill_write(f->s, &o, &n, &d), cases[i].want);
        assert_int_equal(n, 0);
        assert_contains(d.msg, cases[i].msg);
    }
    char missing[400];
    snprintf(missing, sizeof missing, "%s/nonexistent", f->dir);
    cm_drill_options o = {"511800", "2019-09", SAMR, missing};
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_drill_write(f->s, &o, NULL, &d), CM_ERR_OUTPUT);
    char ls[512];
    dir_listing(f->out, ls, sizeof ls);
    assert_string_equal(ls, "");
}

/* A stored date that is not YYYY-MM-DD is named, not misread. */
static void test_bad_stored_date(void **state)
{
    fixture *f = *state;
    th_exec(f->s, "UPDATE publicity SET published = '2019/10/12'"
               " WHERE id = 'SW-006'");
    cm_drill_options o = month_opts(f, "2019-09");
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_drill_write(f->s, &o, NULL, &d), CM_ERR_DATA);
    assert_string_equal(d.field, "published");
    assert_contains(d.msg, "SW-006");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_month, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_codes_unit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uncovered_month, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_published_in_uncovered_year,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unit_name_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_stored_date, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
