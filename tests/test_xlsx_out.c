/*
 * test_xlsx_out.c - the Excel writers, checked by reading the files back:
 * the XML parts are unzipped with `unzip -p` and searched for the cells and
 * print settings the seed 000 annex 2 table needs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle.h"
#include "rank.h"
#include "report.h"
#include "xlsx_out.h"

#include "seed000.h"

#define annex2 seed000_annex2
static const char *const rect_heads[] = {
    "序号", "主要问题", "问题描述", "整改牵头单位", "整改责任单位",
    "整改时限", "备注",
};

#define TITLE "雅安市2018年信用建设主要问题整改责任分工表"

typedef struct fixture {
    char dir[64];
    cm_report *r;
} fixture;

static void add_result(cm_report *r, const char *region, const char *code,
                       const char *id, const char *name, cm_value v,
                       const char *vtext, int hb, double b,
                       const char *label, const char *btext, int computed,
                       int hg, double g, const char *gtext, cm_status st,
                       const char *descr)
{
    cm_result x;
    memset(&x, 0, sizeof x);
    x.region_name = (char *)region;
    x.region_code = (char *)code;
    x.indicator_id = (char *)id;
    x.indicator_name = (char *)name;
    x.category = (char *)"信用监管";
    x.unit = (char *)"%";
    x.value = v;
    x.value_text = (char *)vtext;
    x.has_benchmark = hb;
    x.benchmark = b;
    x.benchmark_label = (char *)label;
    x.benchmark_text = (char *)btext;
    x.benchmark_computed = computed;
    x.has_gap = hg;
    x.gap = g;
    x.gap_text = (char *)gtext;
    x.status = st;
    x.problem_id = (char *)"";
    x.description = (char *)descr;
    assert_int_equal(cm_report_add_result(r, &x), CM_OK);
}

static cm_report *seed_report(const char *period)
{
    cm_report *r = cm_report_new("511800", "雅安市", period, TITLE);
    assert_non_null(r);
    for (int i = 0; i < 12; i++) {
        cm_rect_row row;
        memset(&row, 0, sizeof row);
        row.number = i + 1;
        row.problem_id = (char *)"p";
        row.problem = (char *)annex2[i][0];
        row.description = (char *)annex2[i][1];
        row.lead = (char *)annex2[i][2];
        row.partners = (char *)annex2[i][3];
        row.deadline = (char *)annex2[i][4];
        row.note = (char *)annex2[i][5];
        assert_int_equal(cm_report_add_row(r, &row), CM_OK);
    }
    cm_value num = {CM_V_NUM, 1.8}, miss = {CM_V_MISSING, 0},
             na = {CM_V_NA, 0}, ok = {CM_V_NUM, 0.05};
    add_result(r, "雅安市", "511800", "blacklist_share",
               "黑名单数量占工商企业数量比重", num, "1.8", 1, 1.31,
               "地级市平均水平", "1.31", 0, 1, 0.49, "+0.49", CM_ST_FAIL,
               annex2[0][1]);
    add_result(r, "雨城区", "511802", "code_error_rate",
               "统一社会信用代码重错码率", ok, "0.05", 1, 0.12,
               "地级市平均水平", "0.12", 1, 1, -0.07, "-0.07", CM_ST_PASS,
               "");
    add_result(r, "名山区", "511803", "commitment_share",
               "市场主体信用承诺数量占工商企业总数比重", miss, "", 1, 2.29,
               "地级市平均水平", "2.29", 0, 0, 0, "", CM_ST_MISSING,
               "未报送市场主体信用承诺数量");
    add_result(r, "荥经县", "511822", "double_publicity_ratio",
               "双公示数量与工商企业总数的比值", na, "", 0, 0, "", "", 0, 0,
               0, "", CM_ST_NA, "");
    return r;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/cm_xlsx_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static void remove_file(const fixture *f, const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", f->dir, name);
    unlink(p);
}

static int teardown(void **state)
{
    fixture *f = *state;
    static const char *const names[] = {"a.xlsx", "b.xlsx", "i.xlsx",
                                        "j.xlsx", "x.xlsx", "r.xlsx",
                                        "s.xlsx"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        remove_file(f, names[i]);
    cm_report_free(f->r);
    int rc = rmdir(f->dir);
    free(f);
    return rc;
}

static void path_of(const fixture *f, const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", f->dir, name);
}

/* One member of the zip as a NUL-terminated string; caller frees. */
static char *unzip_part(const char *xlsx, const char *member)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s'", xlsx, member);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t got;
    while ((got = fread(s + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *t = realloc(s, cap * 2);
            assert_non_null(t);
            s = t;
            cap *= 2;
        }
    }
    s[n] = '\0';
    assert_int_equal(pclose(p), 0);
    assert_true(n > 0);
    return s;
}

/* s as XML character data: what libxlsxwriter writes for & < >. */
static char *xml_escape(const char *s)
{
    char *out = malloc(strlen(s) * 5 + 1), *o = out;
    assert_non_null(out);
    for (; *s; s++) {
        const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;"
                        : *s == '>' ? "&gt;" : NULL;
        if (rep) {
            strcpy(o, rep);
            o += strlen(rep);
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("missing: %s", needle);
}

static void assert_has_text(const char *xml, const char *text)
{
    char *want = malloc(strlen(text) * 5 + 16);
    assert_non_null(want);
    char *esc = xml_escape(text);
    sprintf(want, ">%s</t>", esc);
    assert_contains(xml, want);
    free(esc);
    free(want);
}

/* ht="..." of <row r="n"> in a sheet, or -1. */
static double row_ht(const char *sheet, int n)
{
    char key[32];
    snprintf(key, sizeof key, "<row r=\"%d\"", n);
    const char *p = strstr(sheet, key), *end;
    if (!p || !(end = strchr(p, '>')))
        return -1;
    const char *h = strstr(p, " ht=\"");
    if (!h || h > end)
        return -1;
    return strtod(h + 5, NULL);
}

/* Cell ref of a sheet holds the number v (no t="s" or t="str"). */
static void assert_number_cell(const char *sheet, const char *ref,
                               const char *v)
{
    char key[32], want[64];
    snprintf(key, sizeof key, "<c r=\"%s\"", ref);
    const char *c = strstr(sheet, key), *end;
    if (!c || !(end = strchr(c, '>')))
        fail_msg("no cell %s", ref);
    for (const char *p = c; p < end; p++)
        if (strncmp(p, " t=\"", 4) == 0)
            fail_msg("cell %s is not a number", ref);
    snprintf(want, sizeof want, "><v>%s</v>", v);
    assert_int_equal(strncmp(end, want, strlen(want)), 0);
}

static void write_rect(fixture *f, const char *name, char *path, size_t n)
{
    cm_diag d;
    cm_diag_clear(&d);
    path_of(f, name, path, n);
    cm_error e = cm_xlsx_write_rectification(f->r, path, &d);
    if (e != CM_OK)
        fail_msg("%s: %s", cm_strerror(e), d.msg);
}

static void test_rect_cells(void **state)
{
    fixture *f = *state;
    char path[256];
    f->r = seed_report("2018-12");
    write_rect(f, "a.xlsx", path, sizeof path);

    char *ss = unzip_part(path, "xl/sharedStrings.xml");
    assert_has_text(ss, TITLE);
    for (int i = 0; i < 12; i++)
        for (int c = 0; c < 6; c++)
            if (*annex2[i][c])
                assert_has_text(ss, annex2[i][c]);
    /* The header row in the seed's order, straight after the title. */
    const char *at = strstr(ss, TITLE);
    for (size_t c = 0; c < 7; c++) {
        char want[64];
        snprintf(want, sizeof want, "<t>%s</t>", rect_heads[c]);
        const char *p = strstr(ss, want);
        assert_non_null(p);
        assert_true(p > at);
        at = p;
    }
    free(ss);

    char *sh = unzip_part(path, "xl/worksheets/sheet1.xml");
    /* 序号 are numbers, not shared strings: A3 is 1, A14 is 12. */
    assert_number_cell(sh, "A3", "1");
    assert_number_cell(sh, "A14", "12");
    assert_null(strstr(sh, "<c r=\"A15\""));
    assert_contains(sh, "<mergeCell ref=\"A1:G1\"/>");
    free(sh);
}

static void test_rect_print_setup(void **state)
{
    fixture *f = *state;
    char path[256];
    f->r = seed_report("2018-12");
    write_rect(f, "a.xlsx", path, sizeof path);

    char *sh = unzip_part(path, "xl/worksheets/sheet1.xml");
    assert_contains(sh, "<pageSetUpPr fitToPage=\"1\"/>");
    assert_contains(sh, "paperSize=\"9\"");
    assert_contains(sh, "orientation=\"landscape\"");
    assert_contains(sh, "fitToHeight=\"0\"");
    /* fitToWidth="1" is Excel's default and libxlsxwriter omits it; the
     * absence of any other fitToWidth is what says one page wide. */
    const char *fw = strstr(sh, "fitToWidth=\"");
    assert_true(!fw || strncmp(fw, "fitToWidth=\"1\"", 14) == 0);
    assert_contains(sh, "horizontalCentered=\"1\"");
    assert_contains(sh, "&amp;C第 &amp;P 页，共 &amp;N 页");
    /* Rows are tall enough for their wrapped text: row 1 of the table has
     * ~110 characters of partners in a ~46-unit column (5+ lines at 22
     * characters a line); row 3 fits one line except its note. */
    double h3 = row_ht(sh, 3), h5 = row_ht(sh, 5);
    assert_true(h3 >= 5 * 14.0);
    assert_true(h5 > 0 && h5 < h3);
    assert_true(row_ht(sh, 2) >= 15.0);
    free(sh);

    char *wb = unzip_part(path, "xl/workbook.xml");
    assert_contains(wb, "<sheet name=\"整改责任分工表\"");
    assert_contains(wb, "_xlnm.Print_Titles");
    assert_contains(wb, "'整改责任分工表'!$2:$2");
    free(wb);

    char *st = unzip_part(path, "xl/styles.xml");
    assert_contains(st, "<name val=\"仿宋\"/>");
    assert_contains(st, "<name val=\"宋体\"/>");
    assert_contains(st, "wrapText=\"1\"");
    free(st);
}

/* Reads a whole file; caller frees. */
static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long len = ftell(fp);
    assert_true(len > 0);
    rewind(fp);
    char *s = malloc((size_t)len);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    *n = (size_t)len;
    return s;
}

static void assert_same_bytes(const char *p1, const char *p2)
{
    size_t n1, n2;
    char *a = slurp(p1, &n1), *b = slurp(p2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
}

static void test_deterministic(void **state)
{
    fixture *f = *state;
    char p1[256], p2[256];
    cm_diag d;
    cm_diag_clear(&d);
    f->r = seed_report("2018-12");
    write_rect(f, "a.xlsx", p1, sizeof p1);
    /* A second later would change an unfixed creation time. */
    sleep(1);
    write_rect(f, "b.xlsx", p2, sizeof p2);
    assert_same_bytes(p1, p2);

    char *core = unzip_part(p1, "docProps/core.xml");
    assert_contains(core, "2018-12-31T00:00:00Z");
    assert_contains(core, TITLE);
    free(core);

    path_of(f, "i.xlsx", p1, sizeof p1);
    path_of(f, "j.xlsx", p2, sizeof p2);
    assert_int_equal(cm_xlsx_write_indicators(f->r, p1, &d), CM_OK);
    assert_int_equal(cm_xlsx_write_indicators(f->r, p2, &d), CM_OK);
    assert_same_bytes(p1, p2);
}

/* The fixed creation time is the period's last day, for each period form. */
static void test_period_end(void **state)
{
    fixture *f = *state;
    static const char *const cases[][2] = {
        {"2018-12", "2018-12-31T00:00:00Z"},
        {"2020-02", "2020-02-29T00:00:00Z"},
        {"2019-02", "2019-02-28T00:00:00Z"},
        {"2019-Q2", "2019-06-30T00:00:00Z"},
        {"2019-Q4", "2019-12-31T00:00:00Z"},
        {"2021", "2021-12-31T00:00:00Z"},
        {"2000-01", "2000-01-31T00:00:00Z"},
    };
    char path[256];
    path_of(f, "x.xlsx", path, sizeof path);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cm_report *r = cm_report_new("511800", "雅安市", cases[i][0], TITLE);
        cm_diag d;
        cm_diag_clear(&d);
        assert_non_null(r);
        assert_int_equal(cm_xlsx_write_rectification(r, path, &d), CM_OK);
        char *core = unzip_part(path, "docProps/core.xml");
        assert_contains(core, cases[i][1]);
        free(core);
        cm_report_free(r);
    }
}

static void test_bad_period(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {"2018-13", "2018-00", "2018-Q5",
                                      "18-12", "2018-1", "", "2018/12",
                                      "1969-12"};
    char path[256];
    path_of(f, "x.xlsx", path, sizeof path);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cm_report *r = cm_report_new("511800", "雅安市", bad[i], TITLE);
        cm_diag d;
        cm_diag_clear(&d);
        assert_non_null(r);
        assert_int_equal(cm_xlsx_write_rectification(r, path, &d),
                         CM_ERR_USAGE);
        assert_string_equal(d.field, "period");
        assert_non_null(strstr(d.msg, "period"));
        cm_diag_clear(&d);
        assert_int_equal(cm_xlsx_write_indicators(r, path, &d),
                         CM_ERR_USAGE);
        assert_int_not_equal(access(path, F_OK), 0);
        cm_report_free(r);
    }
}

static void test_unwritable_path(void **state)
{
    fixture *f = *state;
    char path[256];
    cm_diag d;
    cm_diag_clear(&d);
    f->r = seed_report("2018-12");
    snprintf(path, sizeof path, "%s/no/such/dir/a.xlsx", f->dir);
    assert_int_equal(cm_xlsx_write_rectification(f->r, path, &d),
                     CM_ERR_OUTPUT);
    assert_string_equal(d.file, path);
    assert_non_null(strstr(d.msg, "no/such/dir"));
    cm_diag_clear(&d);
    assert_int_equal(cm_xlsx_write_indicators(f->r, path, &d),
                     CM_ERR_OUTPUT);
    assert_string_equal(d.file, path);
}

static void test_bad_utf8(void **state)
{
    fixture *f = *state;
    char path[256];
    cm_diag d;
    cm_diag_clear(&d);
    f->r = cm_report_new("511800", "雅安市", "2018-12", TITLE);
    assert_non_null(f->r);
    cm_rect_row row;
    memset(&row, 0, sizeof row);
    row.number = 1;
    row.problem = (char *)"问题";
    row.partners = (char *)"市法院\xff";
    assert_int_equal(cm_report_add_row(f->r, &row), CM_OK);
    path_of(f, "x.xlsx", path, sizeof path);
    assert_int_equal(cm_xlsx_write_rectification(f->r, path, &d),
                     CM_ERR_ENCODING);
    assert_string_equal(d.field, "整改责任单位");
    assert_int_not_equal(access(path, F_OK), 0);
}

/* Markup characters in the data reach the file escaped, not as markup;
 * an empty table still has its title and header. */
static void test_escaping_and_empty(void **state)
{
    fixture *f = *state;
    char path[256];
    f->r = cm_report_new("511800", "雅安市", "2018-12", "A&B<表>");
    assert_non_null(f->r);
    write_rect(f, "a.xlsx", path, sizeof path);
    char *ss = unzip_part(path, "xl/sharedStrings.xml");
    assert_contains(ss, ">A&amp;B&lt;表&gt;</t>");
    assert_contains(ss, "<t>备注</t>");
    free(ss);
    char *sh = unzip_part(path, "xl/worksheets/sheet1.xml");
    assert_null(strstr(sh, "<row r=\"3\""));
    free(sh);
}

static void test_indicators(void **state)
{
    fixture *f = *state;
    char path[256];
    cm_diag d;
    cm_diag_clear(&d);
    f->r = seed_report("2018-12");
    path_of(f, "i.xlsx", path, sizeof path);
    assert_int_equal(cm_xlsx_write_indicators(f->r, path, &d), CM_OK);

    char *wb = unzip_part(path, "xl/workbook.xml");
    const char *s1 = strstr(wb, "<sheet name=\"指标\"");
    const char *s2 = strstr(wb, "<sheet name=\"说明\"");
    assert_non_null(s1);
    assert_non_null(s2);
    assert_true(s1 < s2);
    assert_null(strstr(wb, "排名"));      /* no rank analysis */
    assert_null(strstr(wb, "问题跟踪"));  /* no lifecycle */
    free(wb);

    static const char *const heads[] = {"地区", "代码", "指标", "类别",
                                        "单位", "数值", "标杆", "标杆值",
                                        "差距", "状态", "问题"};
    char *ss = unzip_part(path, "xl/sharedStrings.xml");
    const char *at = ss;
    for (size_t c = 0; c < sizeof heads / sizeof *heads; c++) {
        char want[64];
        snprintf(want, sizeof want, "<t>%s</t>", heads[c]);
        const char *p = strstr(ss, want);
        if (!p || p < at)
            fail_msg("header %s missing or out of order", heads[c]);
        at = p;
    }
    assert_has_text(ss, "达标");
    assert_has_text(ss, "未达标");
    assert_has_text(ss, "未报送");
    assert_has_text(ss, "不可计算");
    assert_has_text(ss, "无标杆");           /* the 说明 sheet */
    assert_has_text(ss, "地级市平均水平");
    assert_has_text(ss, "地级市平均水平(计算)");
    assert_has_text(ss, "雅安市(511800)");
    assert_has_text(ss, annex2[0][1]);
    assert_has_text(ss, "511802");
    free(ss);

    char *sh = unzip_part(path, "xl/worksheets/sheet1.xml");
    assert_contains(sh, "<autoFilter ref=\"A1:K5\"/>");
    assert_contains(sh, "ySplit=\"1\"");
    assert_contains(sh, "state=\"frozen\"");
    /* Numbers are numbers: value, benchmark and gap of the first row. */
    assert_contains(sh, "<c r=\"F2\" s=\"");
    assert_contains(sh, "><v>1.8</v></c>");
    assert_contains(sh, "><v>1.31</v></c>");
    assert_contains(sh, "><v>0.49</v></c>");
    assert_contains(sh, "><v>-0.07");
    free(sh);

    char *st = unzip_part(path, "xl/styles.xml");
    assert_contains(st, "formatCode=\"0.0\"");
    assert_contains(st, "formatCode=\"0.00\"");
    assert_contains(st, "formatCode=\"+0.00;-0.00;0.00\"");
    assert_contains(st, "FFFFC7CE");  /* failing row fill */
    assert_contains(st, "FFFFEB9C");  /* missing row fill */
    free(st);
}

/* ---- The rank and problem-tracking sheets (issue 4) ---- */

/* A hand-made 24-month line for Ya'an in the prefecture list, 2017-07 to
 * 2019-06, climbing as seed 000 asks ("力争较上年提升30位"): last December
 * 134th, now 112th; not listed in 2018-03. */
static const int trend_rank[CM_RANK_TREND] = {
    168, 165, 170, 162, 158, 160, 155, 151, 0, 149, 152, 146,
    143, 145, 140, 137, 139, 134, 131, 128, 125, 118, 121, 112,
};

static cm_rank_analysis *make_rank(void)
{
    cm_rank_analysis *a = calloc(1, sizeof *a);
    assert_non_null(a);
    strcpy(a->region, "511800");
    strcpy(a->group, "prefecture");
    strcpy(a->period, "2019-06");
    a->has = 1;
    a->rank = 112;
    a->n = 261;
    a->score = 72.35;
    a->has_month = 1, a->d_month = 9;
    a->has_year = 1, a->d_year = 34;
    a->has_dec = 1, a->d_dec = 22;
    a->prov_place = 6, a->prov_n = 21, a->prov_upper = 1;
    a->target_up = 30, a->target_rank = 104, a->to_gain = 8;
    for (int i = 0; i < CM_RANK_TREND; i++) {
        cm_rank_point *p = &a->trend[i];
        int y = 2017 + (6 + i) / 12, m = (6 + i) % 12 + 1;
        snprintf(p->period, sizeof p->period, "%04u-%02u",
                 (unsigned)y % 10000u, (unsigned)m % 100u);
        p->rank = trend_rank[i];
        p->score = p->rank ? 62.0 + 0.45 * i - (i % 4 == 2 ? 1.2 : 0) : 0;
        p->n = 261;
        p->province_median = 128 - i / 2 + (i % 5 == 0 ? 0.5 : 0);
    }
    a->n_trend = CM_RANK_TREND;
    static const struct { const char *name; double score, prev; } l1[] = {
        {"信用监管", 20.10, 21.60},
        {"权益保护", 15.20, 15.70},
        {"营商环境", 18.30, 18.00},
        {"信用制度和基础建设", 22.40, 21.80},
    };
    for (size_t i = 0; i < 4; i++) {
        strcpy(a->level1[i].name, l1[i].name);
        a->level1[i].score = l1[i].score;
        a->level1[i].prev = l1[i].prev;
        a->level1[i].delta = l1[i].score - l1[i].prev;
    }
    a->n_level1 = 4;
    return a;
}

static char *xdup(const char *s)
{
    char *t = strdup(s);
    assert_non_null(t);
    return t;
}

/* Three problems of 2019-06: one persisting three months and overdue, one
 * new with seed 000's note, one resolved. */
static cm_lifecycle *make_lifecycle(void)
{
    static const struct {
        const char *id, *problem, *lead, *deadline, *note, *first;
        cm_lc_state st;
        int months, overdue;
    } it[] = {
        {"blacklist", "黑名单数量占工商企业数量比重高于平均水平",
         "市市场监管局", "2019年5月前", "", "2019-04", CM_LC_PERSISTING, 3,
         1},
        {"dishonest", "失信专项治理工作有待加强", "市发展改革委", "长期坚持",
         "已退出失信被执行人", "2019-06", CM_LC_NEW, 1, 0},
        {"platform", "信用信息共享平台未开通", "市发展改革委", "2020年3月前",
         "2019年启动建设", "2018-12", CM_LC_RESOLVED, 0, 0},
    };
    cm_lifecycle *lc = calloc(1, sizeof *lc);
    assert_non_null(lc);
    strcpy(lc->region, "511800");
    strcpy(lc->period, "2019-06");
    lc->items = calloc(3, sizeof *lc->items);
    assert_non_null(lc->items);
    for (size_t i = 0; i < 3; i++) {
        cm_lc_item *x = &lc->items[i];
        x->problem_id = xdup(it[i].id);
        x->problem = xdup(it[i].problem);
        x->lead = xdup(it[i].lead);
        x->deadline = xdup(it[i].deadline);
        x->note = xdup(it[i].note);
        x->state = it[i].st;
        x->months_open = it[i].months;
        strcpy(x->first_period, it[i].first);
        x->overdue = it[i].overdue;
        lc->n++;
    }
    return lc;
}

static cm_report *issue4_report(void)
{
    cm_report *r = seed_report("2019-06");
    r->rank = make_rank();
    r->lifecycle = make_lifecycle();
    return r;
}

/* Shared string number k, unescaped of nothing (the test strings hold no
 * markup); caller frees. */
static char *shared_string(const char *ss, long k)
{
    const char *p = ss;
    for (long i = 0; i <= k; i++) {
        p = strstr(p, "<si>");
        assert_non_null(p);
        p += 4;
    }
    const char *t = strstr(p, "<t"), *end;
    assert_non_null(t);
    t = strchr(t, '>') + 1;
    end = strstr(t, "</t>");
    assert_non_null(end);
    char *s = strndup(t, (size_t)(end - t));
    assert_non_null(s);
    return s;
}

/* What cell ref shows: the shared string, the number as written, or ""
 * for a blank (styled) cell; NULL when the cell is not in the sheet.
 * *style gets its s="" (-1 if none). Caller frees. */
static char *cell(const char *sheet, const char *ss, const char *ref,
                  int *style)
{
    char key[32];
    snprintf(key, sizeof key, "<c r=\"%s\"", ref);
    const char *c = strstr(sheet, key);
    if (style)
        *style = -1;
    if (!c)
        return NULL;
    const char *end = strchr(c, '>');
    assert_non_null(end);
    const char *sa = strstr(c, " s=\"");
    if (style && sa && sa < end)
        *style = atoi(sa + 4);
    int shared = 0;
    const char *ta = strstr(c, " t=\"s\"");
    if (ta && ta < end)
        shared = 1;
    if (end[-1] == '/')
        return xdup("");
    const char *v = strstr(end, "<v>"), *close = strstr(end, "</c>");
    assert_non_null(close);
    if (!v || v > close)
        return xdup("");
    v += 3;
    const char *ve = strstr(v, "</v>");
    if (shared)
        return shared_string(ss, strtol(v, NULL, 10));
    char *s = strndup(v, (size_t)(ve - v));
    assert_non_null(s);
    return s;
}

static void assert_cell(const char *sheet, const char *ss, const char *ref,
                        const char *want)
{
    char *got = cell(sheet, ss, ref, NULL);
    if (!got)
        fail_msg("no cell %s (want '%s')", ref, want);
    if (strcmp(got, want) != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "cell %s: got '%s', want '%s'", ref, got,
                 want);
        free(got);
        fail_msg("%s", msg);
    }
    free(got);
}

/* Row (1-based) of the first cell in column A showing text, or -1. */
static int row_of(const char *sheet, const char *ss, const char *text)
{
    for (int row = 1; row < 200; row++) {
        char ref[16];
        snprintf(ref, sizeof ref, "A%d", row);
        char *v = cell(sheet, ss, ref, NULL);
        int hit = v && strcmp(v, text) == 0;
        free(v);
        if (hit)
            return row;
    }
    return -1;
}

static void write_ind(fixture *f, const char *name, char *path, size_t n)
{
    cm_diag d;
    cm_diag_clear(&d);
    path_of(f, name, path, n);
    cm_error e = cm_xlsx_write_indicators(f->r, path, &d);
    if (e != CM_OK)
        fail_msg("%s: %s", cm_strerror(e), d.msg);
}

static void test_rank_sheet(void **state)
{
    fixture *f = *state;
    char path[256], ref[16];
    f->r = issue4_report();
    write_ind(f, "r.xlsx", path, sizeof path);

    char *wb = unzip_part(path, "xl/workbook.xml");
    const char *s1 = strstr(wb, "<sheet name=\"指标\"");
    const char *s2 = strstr(wb, "<sheet name=\"排名\"");
    const char *s3 = strstr(wb, "<sheet name=\"问题跟踪\"");
    const char *s4 = strstr(wb, "<sheet name=\"说明\"");
    assert_true(s1 && s2 && s3 && s4);
    assert_true(s1 < s2 && s2 < s3 && s3 < s4);
    free(wb);

    char *ss = unzip_part(path, "xl/sharedStrings.xml");
    char *sh = unzip_part(path, "xl/worksheets/sheet2.xml");
    static const char *const heads[] = {"月份", "全国排名", "综合得分",
                                        "全省中位排名", "较上月(位)"};
    for (int c = 0; c < 5; c++) {
        snprintf(ref, sizeof ref, "%c2", 'A' + c);
        assert_cell(sh, ss, ref, heads[c]);
    }
    assert_cell(sh, ss, "A1", "雅安市城市信用状况监测全国排名(地级市,2019-06)");
    /* The trend, oldest first, rows 3-26. */
    assert_cell(sh, ss, "A3", "2017-07");
    assert_cell(sh, ss, "B3", "168");
    assert_cell(sh, ss, "C3", "62");
    assert_cell(sh, ss, "D3", "128.5");
    assert_cell(sh, ss, "E3", "");        /* nothing before the first */
    assert_cell(sh, ss, "E4", "3");       /* 168 -> 165: up 3 */
    assert_cell(sh, ss, "E5", "-5");      /* 165 -> 170: down 5 */
    assert_cell(sh, ss, "A11", "2018-03");
    /* Not listed: rank and score are not written at all (a styled blank
     * would enter the chart cache as 0), the grid is drawn over them by a
     * containsBlanks rule; the change column keeps its styled blank. */
    assert_null(strstr(sh, "<c r=\"B11\""));
    assert_null(strstr(sh, "<c r=\"C11\""));
    assert_cell(sh, ss, "D11", "124");
    assert_cell(sh, ss, "E11", "");
    assert_cell(sh, ss, "E12", "");       /* no rank the month before */
    assert_cell(sh, ss, "A26", "2019-06");
    assert_cell(sh, ss, "B26", "112");
    assert_cell(sh, ss, "E25", "-3");
    assert_cell(sh, ss, "E26", "9");
    assert_cell(sh, ss, "A27",
                "较上月(位):正数为上升(绿),负数为下降(红);"
                "空白为当月未列入排名");

    /* Rises green, drops red: two cellIs rules on the change columns, of
     * the trend and of the first-level scores. */
    assert_contains(sh, "<conditionalFormatting sqref=\"E3:E26\">");
    assert_contains(sh, "operator=\"greaterThan\"><formula>0</formula>");
    assert_contains(sh, "operator=\"lessThan\"><formula>0</formula>");
    assert_contains(sh, "<conditionalFormatting sqref=\"B3:B26\"><cfRule "
                        "type=\"containsBlanks\"");
    assert_contains(sh, "<formula>LEN(TRIM(C3))=0</formula>");

    /* The facts. */
    int fr = row_of(sh, ss, "本月排名");
    assert_true(fr > 27);
    static const char *const facts[][2] = {
        {"本月排名", "第112位/共261个地级市,综合得分72.35"},
        {"较上月", "上升9位"},
        {"较上年同期", "上升34位"},
        {"较上年12月", "上升22位"},
        {"全省排位", "全省第6位/共21个,处于中上水平"},
        {"目标", "较上年提升30位:目标排名第104位,尚需提升8位"},
    };
    for (int i = 0; i < 6; i++) {
        snprintf(ref, sizeof ref, "A%d", fr + i);
        assert_cell(sh, ss, ref, facts[i][0]);
        snprintf(ref, sizeof ref, "B%d", fr + i);
        assert_cell(sh, ss, ref, facts[i][1]);
    }
    char want[64];
    snprintf(want, sizeof want, "<mergeCell ref=\"B%d:E%d\"/>", fr, fr);
    assert_contains(sh, want);

    /* First-level scores as given (lost most first), change signed. */
    int lr = row_of(sh, ss, "一级指标");
    assert_true(lr > fr + 6);
    assert_cell(sh, ss, (snprintf(ref, sizeof ref, "A%d", lr + 1), ref),
                "信用监管");
    assert_cell(sh, ss, (snprintf(ref, sizeof ref, "B%d", lr + 1), ref),
                "20.1");
    assert_cell(sh, ss, (snprintf(ref, sizeof ref, "C%d", lr + 1), ref),
                "21.6");
    assert_cell(sh, ss, (snprintf(ref, sizeof ref, "A%d", lr + 4), ref),
                "信用制度和基础建设");
    char *dl = cell(sh, ss, (snprintf(ref, sizeof ref, "D%d", lr + 1), ref),
                    NULL);
    assert_non_null(dl);
    assert_true(strtod(dl, NULL) < -1.49 && strtod(dl, NULL) > -1.51);
    free(dl);
    snprintf(want, sizeof want, "<conditionalFormatting sqref=\"D%d:D%d\">",
             lr + 1, lr + 4);
    assert_contains(sh, want);
    assert_contains(sh, "<drawing r:id=\"rId1\"/>");
    free(sh);
    free(ss);

    char *st = unzip_part(path, "xl/styles.xml");
    assert_contains(st, "<dxfs count=\"3\">");
    assert_contains(st, "FFC6EFCE");   /* green fill of a rise */
    assert_contains(st, "FF006100");
    assert_contains(st, "formatCode=\"+0;-0;0\"");
    free(st);
}

static void test_rank_charts(void **state)
{
    fixture *f = *state;
    char path[256];
    f->r = issue4_report();
    write_ind(f, "r.xlsx", path, sizeof path);

    char *c1 = unzip_part(path, "xl/charts/chart1.xml");
    assert_contains(c1, "<c:lineChart>");
    /* Rank 1 at the top: the value axis is reversed; the month axis
     * crosses at its maximum, the bottom. */
    assert_contains(c1, "<c:orientation val=\"maxMin\"/>");
    assert_contains(c1, "<c:crosses val=\"max\"/>");
    const char *s1 = strstr(c1, "<c:ser>");
    assert_non_null(s1);
    const char *s2 = strstr(s1 + 1, "<c:ser>");
    assert_non_null(s2);
    assert_null(strstr(s2 + 1, "<c:ser>"));
    /* City then province median, over the 24 months in column A. */
    const char *city = strstr(c1, "<c:f>'排名'!$B$3:$B$26</c:f>");
    const char *prov = strstr(c1, "<c:f>'排名'!$D$3:$D$26</c:f>");
    assert_true(city && prov && s1 < city && city < s2 && s2 < prov);
    assert_contains(c1, "<c:f>'排名'!$A$3:$A$26</c:f>");
    assert_contains(c1, "<c:v>雅安市全国排名</c:v>");
    assert_contains(c1, "<c:v>全省中位排名</c:v>");
    assert_contains(c1, "雅安市全国排名走势(地级市)");
    assert_contains(c1, "<a:t>月份</a:t>");
    assert_contains(c1, "<a:t>排名(位)</a:t>");
    /* Gaps: libxlsxwriter leaves out dispBlanksAs for its default, gap
     * (as LibreOffice draws it: the rank PNG has a break at 2018-03). */
    assert_null(strstr(c1, "dispBlanksAs val=\"zero\""));
    /* Cached values for readers that do not recalculate: the last month,
     * and no point at all for 2018-03 (idx 8), not a 0. */
    assert_contains(c1, "<c:pt idx=\"23\"><c:v>112</c:v>");
    assert_contains(c1, "<c:v>151</c:v></c:pt><c:pt idx=\"9\">");
    free(c1);

    char *c2 = unzip_part(path, "xl/charts/chart2.xml");
    assert_contains(c2, "<c:lineChart>");
    assert_contains(c2, "<c:f>'排名'!$C$3:$C$26</c:f>");
    assert_contains(c2, "<c:v>综合得分</c:v>");
    assert_contains(c2, "雅安市综合得分走势");
    assert_contains(c2, "<a:t>得分</a:t>");
    assert_null(strstr(c2, "maxMin"));
    /* Scores run 61.7-72.35: the axis is fitted, not started at 0. */
    assert_contains(c2, "<c:min val=\"60\"/>");
    assert_contains(c2, "<c:max val=\"74\"/>");
    free(c2);

    /* Both beside the table, from column G. */
    char *dr = unzip_part(path, "xl/drawings/drawing1.xml");
    assert_contains(dr, "<xdr:from><xdr:col>6</xdr:col>");
    assert_contains(dr, "<xdr:row>1</xdr:row>");
    assert_contains(dr, "<xdr:row>21</xdr:row>");
    free(dr);
}

static void test_lifecycle_sheet(void **state)
{
    fixture *f = *state;
    char path[256];
    f->r = issue4_report();
    write_ind(f, "r.xlsx", path, sizeof path);

    char *ss = unzip_part(path, "xl/sharedStrings.xml");
    char *sh = unzip_part(path, "xl/worksheets/sheet3.xml");
    static const char *const heads[] = {"序号", "主要问题", "状态",
                                        "首次出现", "整改牵头单位",
                                        "整改时限", "逾期", "备注"};
    char ref[16];
    for (int c = 0; c < 8; c++) {
        snprintf(ref, sizeof ref, "%c2", 'A' + c);
        assert_cell(sh, ss, ref, heads[c]);
    }
    assert_cell(sh, ss, "A1", "雅安市信用建设主要问题整改跟踪(2019-06)");
    assert_cell(sh, ss, "A3", "1");
    assert_cell(sh, ss, "B3", "黑名单数量占工商企业数量比重高于平均水平");
    assert_cell(sh, ss, "C3", "持续3个月");
    assert_cell(sh, ss, "D3", "2019-04");
    assert_cell(sh, ss, "E3", "市市场监管局");
    assert_cell(sh, ss, "F3", "2019年5月前");
    assert_cell(sh, ss, "G3", "是");
    assert_cell(sh, ss, "C4", "新增");
    assert_cell(sh, ss, "G4", "");
    assert_cell(sh, ss, "H4", "已退出失信被执行人");
    assert_cell(sh, ss, "A5", "3");
    assert_cell(sh, ss, "C5", "已整改");
    assert_cell(sh, ss, "D5", "2018-12");
    assert_cell(sh, ss, "H5", "2019年启动建设");
    assert_null(strstr(sh, "<c r=\"A6\""));
    assert_contains(sh, "<mergeCell ref=\"A1:H1\"/>");

    /* The overdue row is highlighted across, the others are not: the same
     * column has another style in row 3 than in rows 4 and 5, and row 3's
     * style is the red fill of failing indicators. */
    int s3, s4, s5;
    for (int c = 0; c < 8; c++) {
        char r3[8], r4[8], r5[8];
        snprintf(r3, sizeof r3, "%c3", 'A' + c);
        snprintf(r4, sizeof r4, "%c4", 'A' + c);
        snprintf(r5, sizeof r5, "%c5", 'A' + c);
        free(cell(sh, ss, r3, &s3));
        free(cell(sh, ss, r4, &s4));
        free(cell(sh, ss, r5, &s5));
        assert_true(s3 > 0 && s4 > 0);
        assert_int_not_equal(s3, s4);
        assert_int_equal(s4, s5);
    }
    free(cell(sh, ss, "B3", &s3));
    free(cell(sh, ss, "B4", &s4));
    free(sh);
    free(ss);

    /* cellXfs entry s3 has a fill whose colour is FFC7CE. */
    char *st = unzip_part(path, "xl/styles.xml");
    const char *fills = strstr(st, "<fills");
    const char *xfs = strstr(st, "<cellXfs");
    assert_true(fills && xfs);
    const char *x = xfs;
    for (int i = 0; i <= s3; i++) {
        x = strstr(x + 1, "<xf ");
        assert_non_null(x);
    }
    const char *fa = strstr(x, "fillId=\"");
    assert_non_null(fa);
    int fill = atoi(fa + 8);
    const char *fp = fills;
    for (int i = 0; i <= fill; i++) {
        fp = strstr(fp + 1, "<fill>");
        assert_non_null(fp);
    }
    assert_true(strncmp(strstr(fp, "rgb=\"") + 5, "FFFFC7CE", 8) == 0);
    free(st);
}

/* No rank list for the city (has = 0) and no lifecycle: the workbook is
 * the plain one. An empty lifecycle still has its header. */
static void test_issue4_absent(void **state)
{
    fixture *f = *state;
    char path[256];
    f->r = seed_report("2019-06");
    f->r->rank = make_rank();
    f->r->rank->has = 0;
    write_ind(f, "r.xlsx", path, sizeof path);
    char *wb = unzip_part(path, "xl/workbook.xml");
    assert_null(strstr(wb, "排名"));
    assert_null(strstr(wb, "问题跟踪"));
    free(wb);

    f->r->lifecycle = calloc(1, sizeof *f->r->lifecycle);
    assert_non_null(f->r->lifecycle);
    write_ind(f, "s.xlsx", path, sizeof path);
    wb = unzip_part(path, "xl/workbook.xml");
    assert_null(strstr(wb, "<sheet name=\"排名\""));
    assert_contains(wb, "<sheet name=\"问题跟踪\"");
    free(wb);
    char *ss = unzip_part(path, "xl/sharedStrings.xml");
    char *sh = unzip_part(path, "xl/worksheets/sheet2.xml");
    assert_cell(sh, ss, "H2", "备注");
    assert_cell(sh, ss, "A1", "雅安市信用建设主要问题整改跟踪(2019-06)");
    assert_null(strstr(sh, "<row r=\"3\""));
    free(sh);
    free(ss);
}

/* A rank line with only some months, none of them listed but the last:
 * the charts still come, with gaps. */
static void test_rank_short_trend(void **state)
{
    fixture *f = *state;
    char path[256];
    f->r = seed_report("2019-06");
    f->r->rank = make_rank();
    f->r->rank->n_trend = 3;
    f->r->rank->trend[0].rank = 0;
    f->r->rank->trend[1].rank = 0;
    f->r->rank->target_up = 0;
    f->r->rank->has_month = 0;
    f->r->rank->prov_upper = 0;
    f->r->rank->n_level1 = 0;
    write_ind(f, "r.xlsx", path, sizeof path);
    char *ss = unzip_part(path, "xl/sharedStrings.xml");
    char *sh = unzip_part(path, "xl/worksheets/sheet2.xml");
    assert_contains(sh, "<conditionalFormatting sqref=\"E3:E5\">");
    assert_cell(sh, ss, "E5", "");
    assert_true(row_of(sh, ss, "目标") < 0);
    assert_true(row_of(sh, ss, "一级指标") < 0);
    int fr = row_of(sh, ss, "较上月");
    assert_true(fr > 0);
    char ref[16];
    snprintf(ref, sizeof ref, "B%d", fr);
    assert_cell(sh, ss, ref, "上月未列入排名");
    snprintf(ref, sizeof ref, "B%d", fr + 3);
    assert_cell(sh, ss, ref, "全省第6位/共21个,未达到中上水平");
    free(sh);
    free(ss);
    char *c1 = unzip_part(path, "xl/charts/chart1.xml");
    assert_contains(c1, "<c:f>'排名'!$B$3:$B$5</c:f>");
    free(c1);
}

static void test_issue4_bad_utf8(void **state)
{
    fixture *f = *state;
    char path[256];
    cm_diag d;
    cm_diag_clear(&d);
    f->r = issue4_report();
    free(f->r->lifecycle->items[1].note);
    f->r->lifecycle->items[1].note = xdup("已退出\xff");
    path_of(f, "x.xlsx", path, sizeof path);
    assert_int_equal(cm_xlsx_write_indicators(f->r, path, &d),
                     CM_ERR_ENCODING);
    assert_string_equal(d.field, "问题跟踪");
    assert_non_null(strstr(d.msg, "problem 2"));
    assert_int_not_equal(access(path, F_OK), 0);

    cm_diag_clear(&d);
    free(f->r->lifecycle->items[1].note);
    f->r->lifecycle->items[1].note = xdup("");
    strcpy(f->r->rank->level1[2].name, "营商\xe7");
    assert_int_equal(cm_xlsx_write_indicators(f->r, path, &d),
                     CM_ERR_ENCODING);
    assert_string_equal(d.field, "排名");
    assert_int_not_equal(access(path, F_OK), 0);
}

/* Charts, drawings and conditional formats keep the file deterministic. */
static void test_issue4_deterministic(void **state)
{
    fixture *f = *state;
    char p1[256], p2[256];
    f->r = issue4_report();
    write_ind(f, "r.xlsx", p1, sizeof p1);
    sleep(1);
    write_ind(f, "s.xlsx", p2, sizeof p2);
    assert_same_bytes(p1, p2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rect_cells, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rect_print_setup, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_period_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_period, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_path, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping_and_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_indicators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_sheet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_charts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle_sheet, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_issue4_absent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rank_short_trend, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_issue4_bad_utf8, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_issue4_deterministic, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
