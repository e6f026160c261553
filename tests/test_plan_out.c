/*
 * test_plan_out.c - the plan tables (issue 5) written back from hand-built
 * plans: seed 001's indicator table (a 类别 merged over three rows, the
 * milestones as written, statuses coloured), seed 004's decomposition (a
 * 考评任务 merged over three rows, a 考评指标 over two), seed 000's work
 * plan (部分 as headings); the units workbook (summary, one valid and
 * unique sheet name per unit, each unit's rows) and the per-unit PDF
 * circulars (one per unit with items, only its own items, qpdf-clean,
 * refused file names). The xlsx files are read back with `unzip -p`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "circular.h"
#include "plan.h"
#include "plan_out.h"

/* ---- building plans by hand ------------------------------------------ */

typedef struct rowspec {
    int group_first, item_first;
    const char *group, *number, *item, *standard, *lead, *partners;
    const char *deadline, *attribute;
    const char *m[2];        /* plan: milestones of the plan's years */
    int formula;             /* 1: the row has a measure */
    int evaluated;
    const char *value, *gap;
    cm_plan_status status;
} rowspec;

static char *xdup(const char *s)
{
    char *p = cm_strdup(s ? s : "");
    assert_non_null(p);
    return p;
}

static cm_plan *mk_plan(cm_plan_kind kind, const int *years, size_t ny,
                        const rowspec *rs, size_t n)
{
    cm_plan *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->kind = kind;
    p->path = xdup("plan.csv");
    if (ny) {
        p->years = calloc(ny, sizeof *p->years);
        assert_non_null(p->years);
        memcpy(p->years, years, ny * sizeof *years);
        p->n_years = ny;
    }
    p->rows = calloc(n, sizeof *p->rows);
    assert_non_null(p->rows);
    p->n_rows = n;
    strcpy(p->region, "150300");
    strcpy(p->period, "2019");
    for (size_t i = 0; i < n; i++) {
        cm_plan_row *r = &p->rows[i];
        r->line = (long)i + 2;
        r->group_first = rs[i].group_first;
        r->item_first = rs[i].item_first;
        r->group = xdup(rs[i].group);
        r->number = xdup(rs[i].number);
        r->item = xdup(rs[i].item);
        r->standard = xdup(rs[i].standard);
        r->lead = xdup(rs[i].lead);
        r->partners = xdup(rs[i].partners);
        r->deadline = xdup(rs[i].deadline);
        r->attribute_text = xdup(rs[i].attribute);
        if (ny) {
            r->milestones = calloc(ny, sizeof *r->milestones);
            assert_non_null(r->milestones);
            r->n_milestones = ny;
            for (size_t k = 0; k < ny; k++) {
                r->milestones[k].year = years[k];
                r->milestones[k].text = xdup(rs[i].m[k]);
            }
        }
        r->formula_text = rs[i].formula ? xdup("x") : NULL;
        r->evaluated = rs[i].evaluated;
        r->value_text = xdup(rs[i].value);
        r->gap_text = xdup(rs[i].gap);
        r->status = rs[i].status;
        if (kind == CM_PLAN_PLAN && rs[i].evaluated)
            r->milestone_year = years[ny - 1];
    }
    return p;
}

/* cm_plan_free lives in plan.c; these plans are the test's own. */
static void plan_free(cm_plan *p)
{
    for (size_t i = 0; i < p->n_rows; i++) {
        cm_plan_row *r = &p->rows[i];
        free(r->group);
        free(r->number);
        free(r->item);
        free(r->standard);
        free(r->lead);
        free(r->partners);
        free(r->deadline);
        free(r->attribute_text);
        for (size_t k = 0; k < r->n_milestones; k++)
            free(r->milestones[k].text);
        free(r->milestones);
        free(r->formula_text);
        free(r->value_text);
        free(r->gap_text);
    }
    free(p->rows);
    free(p->years);
    free(p->path);
    free(p);
}

/* Seed 001, "十三五"时期乌海市社会信用体系建设指标: 行政管理's first three
 * rows (one merged 类别) and 信用服务市场's first. Values invented: 45%
 * misses the guiding >50% (warning), 75% the binding >80% (problem). */
static const int seed001_years[] = {2018, 2020};
static const rowspec seed001_rows[] = {
    {1, 1, "行政管理", "1", "公务员信用培训覆盖率", "", "", "", "", "指导性",
     {">50%", ">90%"}, 1, 1, "45%", "-45%", CM_PS_WARNING},
    {0, 1, "行政管理", "2", "公务员信用档案覆盖率", "", "", "", "", "约束性",
     {">80%", "100%"}, 1, 1, "75%", "-25%", CM_PS_MISSED},
    {0, 1, "行政管理", "3", "市级部门红黑名单公布比率", "", "", "", "",
     "指导性", {">50%", ">90%"}, 1, 1, "95%", "+5%", CM_PS_MET},
    {1, 1, "信用服务 市场", "1", "新增信用服务机构 (包括分支机构)", "", "",
     "", "", "指导性", {">2家", ">5家"}, 0, 0, "", "", CM_PS_MET},
};
#define N_SEED001 (sizeof seed001_rows / sizeof *seed001_rows)

/* Seed 004, 盘锦 任务分解表: task 一 (one row), task 二 over three rows
 * with 统一社会信用代码 over two, task 三's first row. */
#define T2 "二、公共信用信息共建共享"
#define UCC "统一社会信用代码"
static const rowspec seed004_rows[] = {
    {1, 1, "一、公共信用信息平台建设", "", "一网四库,一平台",
     "建设公共信用信息平台,确保今年8月底前上线运营,同步接入国家级、省级信用"
     "平台数据交换端口,实现联合惩戒信息、失信黑名单、奖励红名单等信用信息的"
     "互通共享。",
     "市智慧城市中心", "市财政局", "2019年8月底", "", {NULL, NULL}, 0, 0, "",
     "", CM_PS_MET},
    {1, 1, T2, "", "信用信息归集和共享",
     "与国家平台联合奖惩系统对接,实现对全量红黑名单信息的实时访问,并嵌入政务"
     "服务大厅或相关业务信息系统,辖区内政务服务大厅100%接入信用信息共享平台和"
     "信用门户网站。",
     "市智慧城市中心", "市审批局、各相关部门,各县区政府", "2019年底", "",
     {NULL, NULL}, 1, 1, "85%", "-15%", CM_PS_MISSED},
    {0, 1, T2, "", UCC,
     "所有存量法人和非法人组织换发统一社会信用代码,存量代码转换率要达到100%。",
     "市市场监管局", "市民政局、市编办", "2019年底", "", {NULL, NULL}, 1, 1,
     "100%", "0%", CM_PS_MET},
    {0, 0, T2, "", UCC,
     "统一社会信用代码重错码率至少低于万分之一,力争重错码率为0。",
     "市市场监管局", "市民政局、市编办", "2019年底", "", {NULL, NULL}, 1, 1,
     "0.02%", "+0.01%", CM_PS_MISSED},
    {1, 1, "三、公共信用信息和产品应用", "",
     "开展“互联网+信用+民生”、“信易+”项目应用",
     "开展市民信用分评价且超过50%的城市户籍人口拥有个人诚信分", "市人社局",
     "市智慧城市中心、市直各相关部门", "2019年底", "", {NULL, NULL}, 1, 1,
     "45%", "-5%", CM_PS_MISSED},
};
#define N_SEED004 (sizeof seed004_rows / sizeof *seed004_rows)

/* Seed 000 附件1: two 部分, three tasks. */
static const rowspec seed000_rows[] = {
    {1, 1, "一、提升社会信用体系建设工作成效", "1",
     "提升城市信用状况监测全国排位。",
     "定期跟踪城市信用状况监测排位,坚持每月分析存在的问题,提出整改意见。",
     "市发展改革委", "人行雅安中心支行", "2019年12月", "", {NULL, NULL}, 1,
     1, "第120位", "", CM_PS_MET},
    {0, 1, "一、提升社会信用体系建设工作成效", "2",
     "提升全国文明城市创建诚信满意度。", "", "市委宣传部", "市发展改革委",
     "2019年12月", "", {NULL, NULL}, 0, 0, "", "", CM_PS_MET},
    {1, 1, "二、夯实社会信用体系建设基础", "3",
     "完善全市社会信用体系建设联席会议工作机制及办公室工作制度。", "",
     "市发展改革委", "", "", "", {NULL, NULL}, 0, 0, "", "", CM_PS_MET},
};
#define N_SEED000 (sizeof seed000_rows / sizeof *seed000_rows)

/* ---- reading files back ---------------------------------------------- */

typedef struct fixture {
    char dir[64];
    char path[160];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/cm_plan_out_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static char *unzip_part(const char *xlsx, const char *member)
{
    char cmd[512], *out = NULL;
    snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s'", xlsx, member);
    assert_int_equal(th_run(cmd, &out), 0);
    assert_non_null(out);
    return out;
}

/* The s="N" style index of cell ref in a sheet's XML, or -1. */
static int style_of(const char *sheet, const char *ref)
{
    char pat[32];
    snprintf(pat, sizeof pat, "<c r=\"%s\"", ref);
    const char *c = strstr(sheet, pat);
    if (!c)
        return -1;
    const char *end = strchr(c, '>'), *s = strstr(c, " s=\"");
    return s && s < end ? atoi(s + 4) : 0;
}

static int has_cell(const char *sheet, const char *ref)
{
    char pat[32];
    snprintf(pat, sizeof pat, "<c r=\"%s\"", ref);
    return strstr(sheet, pat) != NULL;
}

static int count_of(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

/* ---- the tables ------------------------------------------------------- */

static void test_plan_table(void **state)
{
    fixture *f = *state;
    cm_plan *p = mk_plan(CM_PLAN_PLAN, seed001_years, 2, seed001_rows,
                         N_SEED001);
    cm_diag d;
    cm_diag_clear(&d);
    snprintf(f->path, sizeof f->path, "%s/plan.xlsx", f->dir);
    assert_int_equal(cm_plan_write_table(p, "“十三五”时期乌海市社会信用体系"
                                            "建设指标", f->path, &d),
                     CM_OK);
    th_sheet s;
    assert_true(th_read_sheet(f->path, 1, &s));
    assert_string_equal(th_cell(&s, 1, 1),
                        "“十三五”时期乌海市社会信用体系建设指标");
    static const char *const head[] = {"类别", "序号", "指标", "2018年",
                                       "2020年", "指标属性", "当前值",
                                       "达标情况"};
    for (int c = 0; c < 8; c++)
        assert_string_equal(th_cell(&s, 2, c + 1), head[c]);
    /* Row 3: the group's first row, the milestones as written. */
    static const char *const r3[] = {"行政管理", "1", "公务员信用培训覆盖率",
                                     ">50%", ">90%", "指导性", "45%",
                                     "未达标(指导性)"};
    for (int c = 0; c < 8; c++)
        assert_string_equal(th_cell(&s, 3, c + 1), r3[c]);
    /* Rows 4 and 5 continue the merged 类别: nothing written there. */
    assert_string_equal(th_cell(&s, 4, 1), "");
    assert_string_equal(th_cell(&s, 5, 1), "");
    assert_string_equal(th_cell(&s, 4, 3), "公务员信用档案覆盖率");
    assert_string_equal(th_cell(&s, 4, 5), "100%");
    assert_string_equal(th_cell(&s, 4, 8), "未达标");
    assert_string_equal(th_cell(&s, 5, 8), "达标");
    static const char *const r6[] = {"信用服务 市场", "1",
                                     "新增信用服务机构 (包括分支机构)",
                                     ">2家", ">5家", "指导性", "", "未量化"};
    for (int c = 0; c < 8; c++)
        assert_string_equal(th_cell(&s, 6, c + 1), r6[c]);
    assert_string_equal(th_cell(&s, 7, 1), "");
    th_sheet_free(&s);

    char *sh = unzip_part(f->path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sh, "<mergeCell ref=\"A1:H1\"/>"));
    assert_non_null(strstr(sh, "<mergeCell ref=\"A3:A5\"/>"));
    assert_int_equal(count_of(sh, "<mergeCell "), 2);
    /* Status colours: the warning, the problem and the met row differ;
     * the met one is formatted as any centred cell. */
    int warn = style_of(sh, "H3"), bad = style_of(sh, "H4"),
        ok = style_of(sh, "H5");
    assert_true(warn > 0 && bad > 0 && ok > 0);
    assert_int_not_equal(warn, bad);
    assert_int_not_equal(warn, ok);
    assert_int_not_equal(bad, ok);
    assert_int_equal(ok, style_of(sh, "G5"));
    /* Print setup: landscape A4 fitted to one page wide. */
    assert_non_null(strstr(sh, "orientation=\"landscape\""));
    assert_non_null(strstr(sh, "paperSize=\"9\""));
    assert_non_null(strstr(sh, "fitToHeight=\"0\""));
    free(sh);
    char *st = unzip_part(f->path, "xl/styles.xml");
    assert_non_null(strstr(st, "FFFFC7CE"));
    assert_non_null(strstr(st, "FFFFEB9C"));
    assert_non_null(strstr(st, "仿宋"));
    assert_non_null(strstr(st, "宋体"));
    free(st);
    char *wb = unzip_part(f->path, "xl/workbook.xml");
    assert_non_null(strstr(wb, "name=\"规划指标表\""));
    assert_non_null(strstr(wb, "_xlnm.Print_Titles"));
    free(wb);
    /* Created at the period's last day: repeated runs are identical. */
    char *core = unzip_part(f->path, "docProps/core.xml");
    assert_non_null(strstr(core, "2019-12-31T00:00:00Z"));
    free(core);
    char again[200], cmd[512];
    snprintf(again, sizeof again, "%s/plan2.xlsx", f->dir);
    assert_int_equal(cm_plan_write_table(p, "“十三五”时期乌海市社会信用体系"
                                            "建设指标", again, &d),
                     CM_OK);
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", f->path, again);
    assert_int_equal(system(cmd), 0);
    plan_free(p);
}

static void test_tasks_table(void **state)
{
    fixture *f = *state;
    cm_plan *p = mk_plan(CM_PLAN_TASKS, NULL, 0, seed004_rows, N_SEED004);
    cm_diag d;
    cm_diag_clear(&d);
    snprintf(f->path, sizeof f->path, "%s/tasks.xlsx", f->dir);
    assert_int_equal(cm_plan_write_table(p, "盘锦市创建社会信用体系建设示范城市"
                                            "考评任务分解表", f->path, &d),
                     CM_OK);
    th_sheet s;
    assert_true(th_read_sheet(f->path, 1, &s));
    static const char *const head[] = {"考评任务", "考评指标", "考评标准",
                                       "牵头单位", "责任单位", "当前值",
                                       "达标情况", "差距"};
    for (int c = 0; c < 8; c++)
        assert_string_equal(th_cell(&s, 2, c + 1), head[c]);
    /* Each row: the seed's five columns, then the engine's three. */
    for (size_t i = 0; i < N_SEED004; i++) {
        const rowspec *r = &seed004_rows[i];
        int row = (int)i + 3;
        int group_cont = !r->group_first, item_cont = !r->item_first;
        assert_string_equal(th_cell(&s, row, 1), group_cont ? "" : r->group);
        assert_string_equal(th_cell(&s, row, 2), item_cont ? "" : r->item);
        assert_string_equal(th_cell(&s, row, 3), r->standard);
        assert_string_equal(th_cell(&s, row, 4), r->lead);
        assert_string_equal(th_cell(&s, row, 5), r->partners);
        assert_string_equal(th_cell(&s, row, 6), r->value);
        assert_string_equal(th_cell(&s, row, 7),
                            r->formula ? cm_plan_status_text(r->status)
                                       : "未量化");
        assert_string_equal(th_cell(&s, row, 8), r->gap);
    }
    th_sheet_free(&s);
    char *sh = unzip_part(f->path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sh, "<mergeCell ref=\"A4:A6\"/>"));
    assert_non_null(strstr(sh, "<mergeCell ref=\"B5:B6\"/>"));
    assert_int_equal(count_of(sh, "<mergeCell "), 3);  /* and the caption */
    /* The merge writes blank bordered cells, never text, below its top. */
    assert_true(has_cell(sh, "A5") && has_cell(sh, "B6"));
    assert_null(strstr(sh, "<c r=\"A5\" t=\"s\""));
    assert_null(strstr(sh, "<c r=\"B6\" t=\"s\""));
    free(sh);
    plan_free(p);
}

static void test_workplan_table(void **state)
{
    fixture *f = *state;
    cm_plan *p = mk_plan(CM_PLAN_WORKPLAN, NULL, 0, seed000_rows, N_SEED000);
    cm_diag d;
    cm_diag_clear(&d);
    snprintf(f->path, sizeof f->path, "%s/work.xlsx", f->dir);
    assert_int_equal(cm_plan_write_table(p, "雅安市2019年社会信用体系建设工作"
                                            "要点", f->path, &d),
                     CM_OK);
    th_sheet s;
    assert_true(th_read_sheet(f->path, 1, &s));
    static const char *const head[] = {"序号", "任务", "牵头单位", "责任单位",
                                       "当前值", "达标情况"};
    for (int c = 0; c < 6; c++)
        assert_string_equal(th_cell(&s, 2, c + 1), head[c]);
    /* 部分 headings across the table, the tasks under them. */
    assert_string_equal(th_cell(&s, 3, 1), "一、提升社会信用体系建设工作成效");
    assert_string_equal(th_cell(&s, 4, 1), "1");
    assert_string_equal(th_cell(&s, 4, 2),
                        "提升城市信用状况监测全国排位。\n定期跟踪城市信用状况"
                        "监测排位,坚持每月分析存在的问题,提出整改意见。");
    assert_string_equal(th_cell(&s, 4, 3), "市发展改革委");
    assert_string_equal(th_cell(&s, 4, 5), "第120位");
    assert_string_equal(th_cell(&s, 4, 6), "达标");
    assert_string_equal(th_cell(&s, 5, 2), "提升全国文明城市创建诚信满意度。");
    assert_string_equal(th_cell(&s, 5, 6), "未量化");
    assert_string_equal(th_cell(&s, 6, 1), "二、夯实社会信用体系建设基础");
    assert_string_equal(th_cell(&s, 7, 1), "3");
    th_sheet_free(&s);
    char *sh = unzip_part(f->path, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sh, "<mergeCell ref=\"A3:F3\"/>"));
    assert_non_null(strstr(sh, "<mergeCell ref=\"A6:F6\"/>"));
    free(sh);
    plan_free(p);
}

static void test_table_errors(void **state)
{
    fixture *f = *state;
    cm_plan *p = mk_plan(CM_PLAN_TASKS, NULL, 0, seed004_rows, N_SEED004);
    cm_diag d;
    char msg[1024];
    snprintf(f->path, sizeof f->path, "%s/bad.xlsx", f->dir);
    /* Text that is not UTF-8 is refused, naming the row's line. */
    free(p->rows[2].standard);
    p->rows[2].standard = xdup("\xff\xfe");
    cm_diag_clear(&d);
    assert_int_equal(cm_plan_write_table(p, "t", f->path, &d),
                     CM_ERR_ENCODING);
    cm_diag_format(&d, msg, sizeof msg);
    assert_string_equal(msg, "plan.csv:4: 考评标准: text is not valid UTF-8");
    assert_int_not_equal(access(f->path, F_OK), 0);
    /* A folder that does not exist: an output error, nothing printed. */
    free(p->rows[2].standard);
    p->rows[2].standard = xdup("ok");
    cm_diag_clear(&d);
    assert_int_equal(cm_plan_write_table(p, "t", "/nonexistent/x.xlsx", &d),
                     CM_ERR_OUTPUT);
    assert_non_null(strstr(d.msg, "/nonexistent"));
    plan_free(p);
}

/* ---- the units workbook ----------------------------------------------- */

static void test_units_workbook(void **state)
{
    fixture *f = *state;
    cm_plan *p = mk_plan(CM_PLAN_TASKS, NULL, 0, seed004_rows, N_SEED004);
    cm_diag d;
    cm_diag_clear(&d);
    int n = -1;
    snprintf(f->path, sizeof f->path, "%s/units.xlsx", f->dir);
    assert_int_equal(cm_plan_write_units(p, "盘锦市考评任务分解表", f->path,
                                         &n, &d),
                     CM_OK);
    /* Units in order of first appearance, 等 dropped (none here). */
    static const char *const units[] = {
        "市智慧城市中心", "市财政局", "市审批局", "各相关部门", "各县区政府",
        "市市场监管局", "市民政局", "市编办", "市人社局", "市直各相关部门"};
    const size_t nu = sizeof units / sizeof *units;
    assert_int_equal(n, (int)nu);
    char *wb = unzip_part(f->path, "xl/workbook.xml");
    const char *at = strstr(wb, "<sheet name=\"汇总\"");
    assert_non_null(at);
    for (size_t u = 0; u < nu; u++) {
        char pat[128];
        snprintf(pat, sizeof pat, "<sheet name=\"%s\"", units[u]);
        const char *next = strstr(wb, pat);
        assert_non_null(next);
        assert_true(next > at);  /* in order */
        at = next;
    }
    free(wb);

    th_sheet s;
    assert_true(th_read_sheet(f->path, 1, &s));
    assert_string_equal(th_cell(&s, 1, 1), "盘锦市考评任务分解表");
    assert_string_equal(th_cell(&s, 2, 1), "成员单位");
    assert_string_equal(th_cell(&s, 2, 2), "牵头事项");
    assert_string_equal(th_cell(&s, 2, 3), "参与事项");
    assert_string_equal(th_cell(&s, 2, 4), "未达标");
    /* Hand counts: 市智慧城市中心 leads rows 1-2 and joins row 5; rows 2
     * and 5 missed. 市市场监管局 leads rows 3-4, row 4 missed; 市编办
     * joins both. */
    static const struct { const char *lead, *part, *missed; } want[] = {
        {"2", "1", "2"}, {"0", "1", "0"}, {"0", "1", "1"}, {"0", "1", "1"},
        {"0", "1", "1"}, {"2", "0", "1"}, {"0", "2", "1"}, {"0", "2", "1"},
        {"1", "0", "1"}, {"0", "1", "1"},
    };
    for (size_t u = 0; u < nu; u++) {
        int r = (int)u + 3;
        assert_string_equal(th_cell(&s, r, 1), units[u]);
        assert_string_equal(th_cell(&s, r, 2), want[u].lead);
        assert_string_equal(th_cell(&s, r, 3), want[u].part);
        assert_string_equal(th_cell(&s, r, 4), want[u].missed);
    }
    assert_string_equal(th_cell(&s, (int)nu + 3, 1), "");
    th_sheet_free(&s);

    /* 市智慧城市中心 (sheet 2): rows 1, 2 as lead, 5 as partner. */
    assert_true(th_read_sheet(f->path, 2, &s));
    assert_string_equal(th_cell(&s, 1, 1),
                        "市智慧城市中心：盘锦市考评任务分解表");
    static const char *const head[] = {"分工", "考评任务", "考评指标",
                                       "考评标准", "当前值", "达标情况",
                                       "时限"};
    for (int c = 0; c < 7; c++)
        assert_string_equal(th_cell(&s, 2, c + 1), head[c]);
    assert_string_equal(th_cell(&s, 3, 1), "牵头");
    assert_string_equal(th_cell(&s, 3, 2), "一、公共信用信息平台建设");
    assert_string_equal(th_cell(&s, 3, 3), "一网四库,一平台");
    assert_string_equal(th_cell(&s, 3, 6), "未量化");
    assert_string_equal(th_cell(&s, 3, 7), "2019年8月底");
    assert_string_equal(th_cell(&s, 4, 1), "牵头");
    assert_string_equal(th_cell(&s, 4, 3), "信用信息归集和共享");
    assert_string_equal(th_cell(&s, 4, 5), "85%");
    assert_string_equal(th_cell(&s, 4, 6), "未达标");
    assert_string_equal(th_cell(&s, 5, 1), "参与");
    assert_string_equal(th_cell(&s, 5, 2), "三、公共信用信息和产品应用");
    assert_string_equal(th_cell(&s, 5, 4), seed004_rows[4].standard);
    assert_string_equal(th_cell(&s, 6, 1), "");
    th_sheet_free(&s);
    /* 市编办 (sheet 9): both 统一社会信用代码 rows as partner, the item
     * repeated (no merges on a unit's sheet). */
    assert_true(th_read_sheet(f->path, 9, &s));
    assert_string_equal(th_cell(&s, 3, 1), "参与");
    assert_string_equal(th_cell(&s, 3, 3), UCC);
    assert_string_equal(th_cell(&s, 4, 3), UCC);
    assert_string_equal(th_cell(&s, 4, 5), "0.02%");
    assert_string_equal(th_cell(&s, 5, 1), "");
    th_sheet_free(&s);
    plan_free(p);
}

static void test_units_sheet_names(void **state)
{
    fixture *f = *state;
    /* 35 characters: Excel keeps 31. */
    static const char long_unit[] =
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五";
    const rowspec rs[] = {
        {1, 1, "一、", "1", "甲", "", "市[信用]办", "市_信用_办", "", "",
         {NULL, NULL}, 0, 0, "", "", CM_PS_MET},
        {0, 1, "一、", "2", "乙", "", "汇总", long_unit, "", "", {NULL, NULL},
         0, 0, "", "", CM_PS_MET},
        {0, 1, "一、", "3", "丙", "", "a:b", "A_B", "", "", {NULL, NULL}, 0, 0,
         "", "", CM_PS_MET},
    };
    cm_plan *p = mk_plan(CM_PLAN_WORKPLAN, NULL, 0, rs, 3);
    cm_diag d;
    cm_diag_clear(&d);
    int n = 0;
    snprintf(f->path, sizeof f->path, "%s/names.xlsx", f->dir);
    assert_int_equal(cm_plan_write_units(p, "名称", f->path, &n, &d), CM_OK);
    assert_int_equal(n, 6);
    char *wb = unzip_part(f->path, "xl/workbook.xml");
    /* Forbidden characters become "_", clashes (Excel ignores case) get a
     * numeric suffix, the summary's own name is taken. */
    static const char *const names[] = {
        "汇总", "市_信用_办", "市_信用_办(2)", "汇总(2)",
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一",
        "a_b", "A_B(2)"};
    const char *at = wb;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char pat[160];
        snprintf(pat, sizeof pat, "<sheet name=\"%s\"", names[i]);
        const char *next = strstr(at, pat);
        assert_non_null(next);
        at = next;
    }
    free(wb);
    /* The renamed sheet still names its unit in full. */
    th_sheet s;
    assert_true(th_read_sheet(f->path, 5, &s));
    char cap[256];
    snprintf(cap, sizeof cap, "%s：名称", long_unit);
    assert_string_equal(th_cell(&s, 1, 1), cap);
    assert_string_equal(th_cell(&s, 2, 2), "部分");
    assert_string_equal(th_cell(&s, 2, 3), "任务");
    assert_string_equal(th_cell(&s, 3, 1), "参与");
    assert_string_equal(th_cell(&s, 3, 3), "乙");
    th_sheet_free(&s);
    plan_free(p);

    /* A plan that names no unit: the summary alone. */
    p = mk_plan(CM_PLAN_PLAN, seed001_years, 2, seed001_rows, N_SEED001);
    n = -1;
    assert_int_equal(cm_plan_write_units(p, "名称", f->path, &n, &d), CM_OK);
    assert_int_equal(n, 0);
    wb = unzip_part(f->path, "xl/workbook.xml");
    assert_int_equal(count_of(wb, "<sheet "), 1);
    assert_non_null(strstr(wb, "<sheet name=\"汇总\""));
    free(wb);
    plan_free(p);
}

/* ---- the PDF circulars per unit --------------------------------------- */

static cm_circular *mk_circular(void)
{
    cm_circular *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->issuer_header = xdup("盘锦市社会信用体系建设领导小组办公室文件");
    c->doc_number = xdup("盘信用办〔2019〕3号");
    c->title = xdup("关于印发创建社会信用体系建设示范城市考评任务分解表的通知");
    c->recipients = xdup("各成员单位:");
    c->n_body = 1;
    c->body = calloc(1, sizeof *c->body);
    assert_non_null(c->body);
    c->body[0] = xdup("现将你单位承担的考评任务及其完成情况印发给你们,"
                      "请认真落实。");
    c->signature = xdup("盘锦市社会信用体系建设领导小组办公室");
    c->date = xdup("2019年9月2日");
    c->table_label = xdup("附件");
    c->table_title = xdup("盘锦市考评任务分解表");
    return c;
}

static void circular_free(cm_circular *c)
{
    free(c->issuer_header);
    free(c->doc_number);
    free(c->title);
    free(c->recipients);
    for (size_t i = 0; i < c->n_body; i++)
        free(c->body[i]);
    free(c->body);
    free(c->signature);
    free(c->date);
    free(c->table_label);
    free(c->table_title);
    free(c);
}

/* pdftotext of a file, whitespace squeezed out (table cells wrap). */
static char *pdf_text(const char *pdf)
{
    char cmd[512], *out = NULL;
    snprintf(cmd, sizeof cmd, "pdftotext -q '%s' -", pdf);
    assert_int_equal(th_run(cmd, &out), 0);
    assert_non_null(out);
    th_squeeze(out);
    return out;
}

static int count_files(const char *dir)
{
    char cmd[256], *out = NULL;
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    assert_int_equal(th_run(cmd, &out), 0);
    int n = atoi(out);
    free(out);
    return n;
}

static void test_unit_pdfs(void **state)
{
    fixture *f = *state;
    cm_plan *p = mk_plan(CM_PLAN_TASKS, NULL, 0, seed004_rows, N_SEED004);
    cm_circular *c = mk_circular();
    char *recipients = c->recipients, *table_title = c->table_title;
    cm_diag d;
    cm_diag_clear(&d);
    int n = -1;
    assert_int_equal(cm_plan_write_unit_pdfs(p, c, "盘锦市考评任务分解表"
                                                   "(各单位)", NULL, f->dir,
                                             &n, &d),
                     CM_OK);
    assert_int_equal(n, 10);
    assert_int_equal(count_files(f->dir), 10);  /* no temporary left */
    /* The caller's circular is untouched. */
    assert_ptr_equal(c->recipients, recipients);
    assert_string_equal(c->recipients, "各成员单位:");
    assert_ptr_equal(c->table_title, table_title);
    assert_string_equal(c->table_title, "盘锦市考评任务分解表");

    char pdf[256], cmd[512];
    snprintf(pdf, sizeof pdf, "%s/市市场监管局.pdf", f->dir);
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1", pdf);
    assert_int_equal(system(cmd), 0);
    char *t = pdf_text(pdf);
    assert_non_null(strstr(t, "市市场监管局："));
    assert_non_null(strstr(t, "盘锦市考评任务分解表(各单位)"));
    assert_non_null(strstr(t, UCC));
    assert_non_null(strstr(t, "存量代码转换率要达到100%"));
    assert_non_null(strstr(t, "当前值:0.02%"));
    assert_non_null(strstr(t, "未达标(牵头)"));
    assert_non_null(strstr(t, "达标(牵头)"));
    /* Not another unit's items. */
    assert_null(strstr(t, "一网四库"));
    assert_null(strstr(t, "信用信息归集和共享"));
    assert_null(strstr(t, "市民信用分"));
    free(t);

    snprintf(pdf, sizeof pdf, "%s/市智慧城市中心.pdf", f->dir);
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1", pdf);
    assert_int_equal(system(cmd), 0);
    t = pdf_text(pdf);
    assert_non_null(strstr(t, "市智慧城市中心："));
    assert_non_null(strstr(t, "一网四库"));
    assert_non_null(strstr(t, "信用信息归集和共享"));
    assert_non_null(strstr(t, "当前值:85%"));
    assert_non_null(strstr(t, "未量化(牵头)"));
    assert_non_null(strstr(t, "未达标(参与)"));
    assert_non_null(strstr(t, "2019年8月底"));
    assert_null(strstr(t, UCC));
    free(t);

    snprintf(pdf, sizeof pdf, "%s/市财政局.pdf", f->dir);
    t = pdf_text(pdf);
    assert_non_null(strstr(t, "一网四库"));
    assert_null(strstr(t, "信用信息归集和共享"));
    assert_null(strstr(t, UCC));
    free(t);

    circular_free(c);
    plan_free(p);
}

static void test_unit_pdfs_none_and_refused(void **state)
{
    fixture *f = *state;
    cm_circular *c = mk_circular();
    cm_diag d;
    cm_diag_clear(&d);
    /* A plan naming no unit writes no file. */
    cm_plan *p = mk_plan(CM_PLAN_PLAN, seed001_years, 2, seed001_rows,
                         N_SEED001);
    int n = -1;
    assert_int_equal(cm_plan_write_unit_pdfs(p, c, NULL, NULL, f->dir, &n,
                                             &d),
                     CM_OK);
    assert_int_equal(n, 0);
    assert_int_equal(count_files(f->dir), 0);
    plan_free(p);

    /* A unit whose name cannot be a file name stops the call before any
     * file is written, naming the row and the unit. */
    const rowspec rs[] = {
        {1, 1, "一、", "1", "甲", "内容", "市发展改革委", "", "", "",
         {NULL, NULL}, 0, 0, "", "", CM_PS_MET},
        {0, 1, "一、", "2", "乙", "内容", "市发展改革委", "市信用办/中心", "",
         "", {NULL, NULL}, 0, 0, "", "", CM_PS_MET},
    };
    p = mk_plan(CM_PLAN_WORKPLAN, NULL, 0, rs, 2);
    n = -1;
    cm_diag_clear(&d);
    assert_int_equal(cm_plan_write_unit_pdfs(p, c, NULL, NULL, f->dir, &n,
                                             &d),
                     CM_ERR_DATA);
    assert_int_equal(n, 0);
    char msg[1024];
    cm_diag_format(&d, msg, sizeof msg);
    assert_non_null(strstr(msg, "plan.csv:3: 责任单位: unit name "
                                "'市信用办/中心' contains a character that "
                                "file names cannot hold"));
    assert_int_equal(count_files(f->dir), 0);
    plan_free(p);

    /* No such folder: an output error. */
    p = mk_plan(CM_PLAN_TASKS, NULL, 0, seed004_rows, N_SEED004);
    cm_diag_clear(&d);
    assert_int_equal(cm_plan_write_unit_pdfs(p, c, NULL, NULL,
                                             "/nonexistent/dir", &n, &d),
                     CM_ERR_OUTPUT);
    plan_free(p);
    circular_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plan_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workplan_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_units_workbook, setup, teardown),
        cmocka_unit_test_setup_teardown(test_units_sheet_names, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unit_pdfs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unit_pdfs_none_and_refused,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
