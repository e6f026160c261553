/*
 * test_plan.c - plans and evaluation tables (issue 5): the three table kinds
 * loaded with their merged cells, every row held against its target on a
 * small store built here (values and results computed by hand in the
 * comments), the member units, and the located errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "storetest.h"

#include "compute.h"
#include "defs.h"
#include "plan.h"
#include "store.h"

/* The elements the tables' formulas name, and one indicator with prev()
 * and a target: compute.h refuses 2016 for it (2015 is not in the store),
 * which must not stop a plan that does not evaluate it. */
static const char defs_text[] =
    "[element pub_rate]\nname = 双公示上网公示率\nunit = %\n"
    "[element platform]\nname = 市级公共信用信息平台\n"
    "[element training]\nname = 公务员信用培训覆盖率\n"
    "[element archives]\nname = 公务员信用档案覆盖率\n"
    "[element new_agencies]\nname = 新增信用服务机构\nunit = 家\n"
    "[element attention]\nname = 公众对自身信用状况关注度\n"
    "[element satisfaction]\nname = 公众对全市信用环境满意度\n"
    "[element gov_sat]\nname = 政务诚信满意度\n"
    "[element cases_closed]\nname = 报告期执结数\n"
    "[element cases_open]\nname = 未执结数\n"
    "[element cases_filed]\nname = 报告期收案数\n"
    "[element recovered]\nname = 胜诉受偿金额\n"
    "[element awarded]\nname = 胜诉判决标的总额\n"
    "[element illegal]\nname = 非法集资发案数\n"
    "[element bad_loans]\nname = 不良贷款率\n"
    "[element zero_el]\nname = 零\n"
    "[indicator change]\nname = 发案数变化\n"
    "formula = illegal - prev(illegal)\ntarget = <= 0\n";

typedef struct fx {
    char dir[64], db[128], path[256];
    cm_store *s;
    cm_defs *defs;
} fx;

/*
 * Inner Mongolia 150000; 乌海 150300 with 包头 150200 and 赤峰 150400 as
 * peers in the prefecture list. Years 2016-2020. Values of 150300:
 *
 *                2016 2017 2018 2019 2020
 *   pub_rate               85   95  100
 *   platform                1    1    1
 *   training               40   60 92.5
 *   archives               70       100
 *   new_agencies            3    4    6
 *   attention      50   55   60   62   65
 *   satisfaction   70   75   74   80   85
 *   gov_sat               NULL
 *   cases_closed                90
 *   cases_open             20
 *   cases_filed                100
 *   recovered                   80
 *   awarded                    100
 *   illegal                10    8
 *   bad_loans                  1.5
 *   zero_el                      0
 *
 * Ranks (prefecture list): 乌海 120th in 2018-12, 85th in 2019-12 (35
 * places up); 2019-12 peers 包头 40th, 赤峰 100th: 乌海 is 2nd of 3 in the
 * province, in the top half ((3 + 1) / 2 = 2).
 */
static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || th_store_open("plan", f->dir, f->db, &f->s) != 0)
        return -1;
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_defs_load_mem("t.ini", defs_text, &f->defs, &d) != CM_OK) {
        char buf[1024];
        cm_diag_format(&d, buf, sizeof buf);
        fprintf(stderr, "setup: %s\n", buf);
        return -1;
    }
    th_exec(f->s,
         "INSERT INTO regions VALUES ('150000','内蒙古自治区','province',NULL),"
         "('150200','包头市','city','150000'),"
         "('150300','乌海市','city','150000'),"
         "('150400','赤峰市','city','150000');"
         "INSERT INTO periods VALUES ('2016','year'),('2017','year'),"
         "('2018','year'),('2019','year'),('2020','year');"
         "INSERT INTO element_values(region, period, element, value) VALUES "
         "('150300','2018','pub_rate',85),('150300','2019','pub_rate',95),"
         "('150300','2020','pub_rate',100),"
         "('150300','2018','platform',1),('150300','2019','platform',1),"
         "('150300','2020','platform',1),"
         "('150300','2018','training',40),('150300','2019','training',60),"
         "('150300','2020','training',92.5),"
         "('150300','2018','archives',70),('150300','2020','archives',100),"
         "('150300','2018','new_agencies',3),"
         "('150300','2019','new_agencies',4),"
         "('150300','2020','new_agencies',6),"
         "('150300','2016','attention',50),('150300','2017','attention',55),"
         "('150300','2018','attention',60),('150300','2019','attention',62),"
         "('150300','2020','attention',65),"
         "('150300','2016','satisfaction',70),"
         "('150300','2017','satisfaction',75),"
         "('150300','2018','satisfaction',74),"
         "('150300','2019','satisfaction',80),"
         "('150300','2020','satisfaction',85),"
         "('150300','2018','gov_sat',NULL),"
         "('150300','2019','cases_closed',90),"
         "('150300','2018','cases_open',20),"
         "('150300','2019','cases_filed',100),"
         "('150300','2019','recovered',80),('150300','2019','awarded',100),"
         "('150300','2018','illegal',10),('150300','2019','illegal',8),"
         "('150300','2019','bad_loans',1.5),"
         "('150300','2019','zero_el',0);"
         "INSERT INTO ranks VALUES "
         "('2018-12','prefecture','150200',45,80),"
         "('2018-12','prefecture','150300',120,70),"
         "('2018-12','prefecture','150400',101,71),"
         "('2019-12','prefecture','150200',40,81),"
         "('2019-12','prefecture','150300',85,75),"
         "('2019-12','prefecture','150400',100,72);");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    if (!f)
        return 0;
    cm_defs_free(f->defs);
    int rc = th_store_close(f->s, f->dir);
    free(f);
    return rc;
}

/* Writes text to dir/name; f->path receives the path. */
static const char *put(fx *f, const char *name, const char *text)
{
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    fclose(fp);
    return f->path;
}

static cm_plan *load(fx *f, const char *name, const char *text)
{
    cm_plan *p = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    cm_error e = cm_plan_load(put(f, name, text), f->defs, &p, &d);
    if (e != CM_OK) {
        char buf[1024];
        cm_diag_format(&d, buf, sizeof buf);
        fail_msg("%s", buf);
    }
    return p;
}

/* The located message of d, with the temporary folder left out. */
static const char *message(const fx *f, const cm_diag *d, char *buf,
                           size_t n)
{
    cm_diag_format(d, buf, n);
    size_t k = strlen(f->dir);
    if (strncmp(buf, f->dir, k) == 0 && buf[k] == '/')
        memmove(buf, buf + k + 1, strlen(buf + k + 1) + 1);
    return buf;
}

/* Loading text fails with code and a message starting with expect. */
static void load_fails(fx *f, const char *name, const char *text,
                       cm_error code, const char *expect)
{
    cm_plan *p = (cm_plan *)1;
    cm_diag d;
    cm_diag_clear(&d);
    cm_error e = cm_plan_load(put(f, name, text), f->defs, &p, &d);
    char buf[1024];
    message(f, &d, buf, sizeof buf);
    if (e != code || strncmp(buf, expect, strlen(expect)) != 0)
        fail_msg("%s: got code %d '%s', expected %d '%s...'", name, e, buf,
                 code, expect);
    assert_null(p);
}

/* Evaluating p fails with code and a message starting with expect. */
static void evaluate_fails(fx *f, cm_plan *p, const char *period,
                           cm_error code, const char *expect)
{
    cm_diag d;
    cm_diag_clear(&d);
    cm_error e = cm_plan_evaluate(p, f->s, f->defs, "150300", period, &d);
    char buf[1024];
    message(f, &d, buf, sizeof buf);
    if (e != code || strncmp(buf, expect, strlen(expect)) != 0)
        fail_msg("%s: got code %d '%s', expected %d '%s...'", period, e, buf,
                 code, expect);
}

static void evaluate(fx *f, cm_plan *p, const char *period)
{
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_plan_evaluate(p, f->s, f->defs, "150300", period, &d) != CM_OK) {
        char buf[1024];
        message(f, &d, buf, sizeof buf);
        fail_msg("%s", buf);
    }
}

/* Seed 001's table, as written, with the engine's columns added (rows 6 and
 * 10-11 are the test's own). */
static const char plan_csv[] =
    "类别,序号,指标,2018年,2020年,指标属性,formula,unit,decimals,threshold\n"
    "“双公示”工作,1,行政许可、行政处罚信息7个工作日内上网公示公开率,>80%,100%,约束性,pub_rate,,,\n"
    "信用信息共享平台建设,1,市级公共信用信息平台,1,1,,platform,,0,\n"
    "行政管理,1,公务员信用培训覆盖率,>50%,>90%,指导性,training,,,\n"
    ",2,公务员信用档案覆盖率,>80%,100%,约束性,archives,,,\n"
    ",3,市级部门红黑名单公布比率,>50%,>90%,指导性,,,,\n"
    "信用服务 市场,1,新增信用服务机构 (包括分支机构),>2家,>5家,指导性,new_agencies,,0,\n"
    "社会公众,1,公众对自身信用状况关注度,>80%,大幅增长,指导性,attention,,1,20\n"
    ",2,公众对全市信用环境满意度,>80%,逐年提升,预期性,satisfaction,,,\n"
    ",3,公众信用知晓率,,逐年提升,预期性,attention,%,,\n"
    "政务诚信,1,政务诚信满意度,>80%,>95%,约束性,gov_sat,,,\n";

static void plan_loads_with_merged_cells(void **state)
{
    fx *f = *state;
    cm_plan *p = load(f, "plan.csv", plan_csv);
    assert_int_equal(p->kind, CM_PLAN_PLAN);
    assert_int_equal(p->n_years, 2);
    assert_int_equal(p->years[0], 2018);
    assert_int_equal(p->years[1], 2020);
    assert_int_equal(p->n_rows, 10);
    const cm_plan_row *r = &p->rows[3];   /* ",2,公务员信用档案覆盖率" */
    assert_int_equal(r->line, 5);
    assert_string_equal(r->group, "行政管理");
    assert_int_equal(r->group_first, 0);
    assert_int_equal(r->item_first, 1);
    assert_string_equal(r->number, "2");
    assert_string_equal(r->item, "公务员信用档案覆盖率");
    assert_int_equal(r->attribute, CM_ATTR_BINDING);
    assert_int_equal(p->rows[2].group_first, 1);
    /* one milestone per year column, as written */
    assert_int_equal(r->n_milestones, 2);
    assert_int_equal(r->milestones[0].year, 2018);
    assert_string_equal(r->milestones[0].text, ">80%");
    assert_int_equal(r->milestones[0].target.kind, CM_TG_COMPARE);
    assert_int_equal(r->milestones[0].target.cmp, CM_CMP_GT);
    assert_float_equal(r->milestones[0].target.value, 80, 1e-12);
    assert_string_equal(r->milestones[1].text, "100%");
    assert_int_equal(r->milestones[1].target.cmp, CM_CMP_GE);
    /* the unit of a row without a unit column: its targets' */
    assert_string_equal(p->rows[8].unit, "%");
    assert_string_equal(r->unit, "%");
    assert_string_equal(p->rows[5].unit, "家");
    assert_string_equal(p->rows[1].unit, "");
    assert_string_equal(p->rows[1].attribute_text, "");
    assert_int_equal(p->rows[1].attribute, CM_ATTR_NONE);
    /* the qualitative milestones */
    assert_int_equal(p->rows[6].milestones[1].target.kind, CM_TG_GROWTH);
    assert_float_equal(p->rows[6].threshold, 20, 1e-12);
    assert_int_equal(p->rows[6].decimals, 1);
    assert_int_equal(p->rows[7].milestones[1].target.kind, CM_TG_RISING);
    assert_int_equal(p->rows[7].group_first, 0);
    assert_string_equal(p->rows[7].group, "社会公众");
    /* an empty cell: no milestone that year */
    assert_string_equal(p->rows[8].milestones[0].text, "");
    /* a row without a formula */
    assert_null(p->rows[4].formula);
    assert_null(p->rows[4].formula_text);
    assert_non_null(p->rows[0].formula);
    assert_string_equal(p->rows[0].formula_text, "pub_rate");
    assert_int_equal(p->rows[0].decimals, 2);
    assert_int_equal(p->rows[0].evaluated, 0);
    assert_string_equal(p->rows[0].value_text, "");
    cm_plan_free(p);
}

/* Excel saves empty cells past the last column and rows of empty cells
 * at the end of a table: neither is a column or a row. */
static void excel_trailing_cells(void **state)
{
    fx *f = *state;
    cm_plan *p = load(f, "excel.csv",
                      "类别,序号,指标,2018年,指标属性,,\r\n"
                      "工作,1,公示率,>80%,约束性,,\r\n"
                      ",,,,,,\r\n");
    assert_int_equal(p->n_rows, 1);
    assert_string_equal(p->rows[0].milestones[0].text, ">80%");
    cm_plan_free(p);
    load_fails(f, "hole.csv", "类别,序号,,指标,2018年,指标属性\n", CM_ERR_CSV,
               "hole.csv:1: column 3 has no name");
}

static void check_row(const cm_plan_row *r, cm_plan_status st,
                      const char *value, const char *gap)
{
    if (r->status != st || strcmp(r->value_text, value) != 0 ||
        strcmp(r->gap_text, gap) != 0)
        fail_msg("line %ld (%s): got %s '%s' '%s', expected %s '%s' '%s'",
                 r->line, r->item, cm_plan_status_text(r->status),
                 r->value_text, r->gap_text, cm_plan_status_text(st), value,
                 gap);
    assert_int_equal(r->evaluated, 1);
}

static void plan_evaluated_by_milestone_and_attribute(void **state)
{
    fx *f = *state;
    cm_plan *p = load(f, "plan.csv", plan_csv);

    evaluate(f, p, "2018");
    assert_string_equal(p->region, "150300");
    assert_string_equal(p->period, "2018");
    /* 85 > 80 */
    check_row(&p->rows[0], CM_PS_MET, "85%", "+5%");
    assert_int_equal(p->rows[0].milestone_year, 2018);
    assert_int_equal(p->rows[0].has_target, 1);
    assert_float_equal(p->rows[0].target.value, 80, 1e-12);
    /* 1 >= 1 (a bare level means reach it) */
    check_row(&p->rows[1], CM_PS_MET, "1", "0");
    /* 40 > 50 missed, 指导性: a warning */
    check_row(&p->rows[2], CM_PS_WARNING, "40%", "-10%");
    /* 70 > 80 missed, 约束性: a problem */
    check_row(&p->rows[3], CM_PS_MISSED, "70%", "-10%");
    check_row(&p->rows[4], CM_PS_UNMEASURED, "", "");
    /* 3 > 2 */
    check_row(&p->rows[5], CM_PS_MET, "3家", "+1家");
    /* 60 > 80 missed, 指导性 */
    check_row(&p->rows[6], CM_PS_WARNING, "60%", "-20%");
    /* 74 > 80 missed, 预期性: reported only */
    check_row(&p->rows[7], CM_PS_NOTED, "74%", "-6%");
    /* no 2018 milestone: 2020's 逐年提升 on the way, over 2016-2018:
     * 50 < 55 < 60 */
    check_row(&p->rows[8], CM_PS_MET, "60%", "");
    assert_int_equal(p->rows[8].milestone_year, 2020);
    /* stored as not reported */
    check_row(&p->rows[9], CM_PS_MISSING, "", "");
    assert_int_equal(p->rows[9].value.kind, CM_V_MISSING);

    /* 2019: the 2020 milestones, on the way */
    evaluate(f, p, "2019");
    /* 95 >= 100 missed by 5, 约束性 */
    check_row(&p->rows[0], CM_PS_MISSED, "95%", "-5%");
    assert_int_equal(p->rows[0].milestone_year, 2020);
    /* 60 > 90 missed by 30, 指导性 */
    check_row(&p->rows[2], CM_PS_WARNING, "60%", "-30%");
    /* archives has no 2019 row at all: still a figure to report */
    check_row(&p->rows[3], CM_PS_MISSING, "", "");

    evaluate(f, p, "2020");
    check_row(&p->rows[0], CM_PS_MET, "100%", "0%");
    /* 92.5 > 90 */
    check_row(&p->rows[2], CM_PS_MET, "92.5%", "+2.5%");
    check_row(&p->rows[3], CM_PS_MET, "100%", "0%");
    /* 6 > 5 */
    check_row(&p->rows[5], CM_PS_MET, "6家", "+1家");
    /* 大幅增长 at 20%: (65 - 50) / 50 = 30% on 2016 */
    check_row(&p->rows[6], CM_PS_MET, "65%", "");
    /* 逐年提升: 70, 75, 74 (down), 80, 85 -> missed, 预期性 */
    check_row(&p->rows[7], CM_PS_NOTED, "85%", "");
    /* 50, 55, 60, 62, 65 */
    check_row(&p->rows[8], CM_PS_MET, "65%", "");
    /* no gov_sat row in 2020 at all */
    check_row(&p->rows[9], CM_PS_MISSING, "", "");
    cm_plan_free(p);
}

/* A growth below the threshold is missed, and a 指导性 miss is a warning. */
static void growth_below_threshold(void **state)
{
    fx *f = *state;
    cm_plan *p = load(f, "growth.csv",
                      "类别,序号,指标,2020年,指标属性,formula,unit,threshold\n"
                      "社会公众,1,关注度,大幅增长,指导性,attention,%,40\n");
    /* (65 - 50) / 50 = 30% < 40% */
    evaluate(f, p, "2020");
    check_row(&p->rows[0], CM_PS_WARNING, "65%", "");
    cm_plan_free(p);
}

/* 2016 is the store's first year: a one-year series is not enough, and an
 * indicator of the definitions reaching 2015 does not stop the plan. */
static void first_year_is_pending(void **state)
{
    fx *f = *state;
    cm_compute *c = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    /* what compute.h says of the definitions at 2016 */
    assert_int_equal(cm_compute_new(f->s, f->defs, "2016", &c, &d), CM_ERR_DATA);
    assert_null(c);

    cm_plan *p = load(f, "plan.csv", plan_csv);
    evaluate(f, p, "2016");
    /* pub_rate has no 2016 row; the 2018 milestone is on the way */
    check_row(&p->rows[0], CM_PS_MISSING, "", "");
    assert_int_equal(p->rows[0].milestone_year, 2018);
    /* 50 > 80 missed (the 2018 milestone), 指导性 */
    check_row(&p->rows[6], CM_PS_WARNING, "50%", "-30%");
    /* 2020's 逐年提升 over 2016 alone */
    check_row(&p->rows[8], CM_PS_PENDING, "50%", "");
    cm_plan_free(p);
}

/* Seed 004's 法制环境 standards with the formulas of the issue, plus rows of
 * the test's own. */
static const char tasks_csv[] =
    "考评任务,考评指标,考评标准,牵头单位,责任单位,formula,target,unit,decimals,deadline\n"
    "十四、金融生态环境建设,法制环境,金融案件执结率 ≥ 80%。,\"市法院、市金融局\",市银保监局,"
    "cases_closed / (prev(cases_open) + cases_filed) * 100,≥80%,,,2019年12月底\n"
    ",,金融案件标的额兑现率≥70%。,\"市法院,市金融局\",市银保监局,recovered / awarded * 100,≥70%,,,\n"
    ",,非法集资发案数增长率 <   0%。,人行盘锦中心支行,\"市政法委、市金融局、公安局、市银保监局\","
    "(illegal - prev(illegal)) / prev(illegal) * 100,<0%,,,\n"
    ",信用环境,<   2%,人行盘锦中心支行,市银保监局,bad_loans,,,,\n"
    "十五、营商环境,营商环境建设,提高“一网通办”事项覆盖率。,市营商局,市行政审批局,,,,,\n"
    ",,控制高法设计合同纠纷案件数量,市法院,,,,,,\n"
    "十六、保障机制,专项资金,零分母,市财政局,\"各县区政府、辽东湾新区管委会\",recovered / zero_el * 100,≥70%,,,\n"
    ",平台,建设公共信用信息平台,市智慧城市中心,市财政局等,platform,建成,,0,\n"
    ",排名,力争较上年提升30位,市发改委,各相关部门,,较上年提升30位,,,\n"
    ",排名,保持全省中上水平,市发改委,,,保持全省中上水平,,,\n";

static void tasks_load_and_evaluate(void **state)
{
    fx *f = *state;
    cm_plan *p = load(f, "tasks.csv", tasks_csv);
    assert_int_equal(p->kind, CM_PLAN_TASKS);
    assert_int_equal(p->n_rows, 10);
    assert_int_equal(p->n_years, 0);
    /* merged cells: a task spanning several standards, an item spanning
     * two */
    assert_int_equal(p->rows[0].group_first, 1);
    assert_int_equal(p->rows[0].item_first, 1);
    assert_string_equal(p->rows[1].group, "十四、金融生态环境建设");
    assert_string_equal(p->rows[1].item, "法制环境");
    assert_int_equal(p->rows[1].group_first, 0);
    assert_int_equal(p->rows[1].item_first, 0);
    assert_int_equal(p->rows[3].group_first, 0);
    assert_int_equal(p->rows[3].item_first, 1);
    assert_string_equal(p->rows[3].item, "信用环境");
    assert_string_equal(p->rows[5].item, "营商环境建设");
    assert_int_equal(p->rows[5].item_first, 0);
    assert_string_equal(p->rows[0].deadline, "2019年12月底");
    assert_string_equal(p->rows[0].lead, "市法院、市金融局");
    assert_int_equal(p->rows[0].max_lag, 1);
    /* the standard is itself a target: no target column needed */
    assert_int_equal(p->rows[3].has_target, 1);
    assert_int_equal(p->rows[3].target.cmp, CM_CMP_LT);
    /* a target without a formula is kept for the table */
    assert_int_equal(p->rows[8].target.kind, CM_TG_RANK_UP);
    assert_float_equal(p->rows[8].target.value, 30, 1e-12);

    evaluate(f, p, "2019");
    /* 金融案件执结率 = 90 / (20 + 100) * 100 = 75% (20: cases_open of 2018,
     * the previous period) >= 80% missed by 5; no attribute: a problem */
    check_row(&p->rows[0], CM_PS_MISSED, "75%", "-5%");
    assert_float_equal(p->rows[0].value.num, 75, 1e-9);
    /* 80 / 100 * 100 = 80% >= 70% */
    check_row(&p->rows[1], CM_PS_MET, "80%", "+10%");
    /* (8 - 10) / 10 * 100 = -20% < 0% */
    check_row(&p->rows[2], CM_PS_MET, "-20%", "-20%");
    /* 1.5% < 2% */
    check_row(&p->rows[3], CM_PS_MET, "1.5%", "-0.5%");
    check_row(&p->rows[4], CM_PS_UNMEASURED, "", "");
    check_row(&p->rows[5], CM_PS_UNMEASURED, "", "");
    /* 80 / 0: not computable */
    check_row(&p->rows[6], CM_PS_NA, "", "");
    /* 建成 = 1, and since when: platform is 1 in 2018 and 2019 and has no
     * value in 2017, so achieved in 2018 */
    check_row(&p->rows[7], CM_PS_MET, "是（2018起）", "");
    /* rank 120 in 2018-12, 85 in 2019-12: 35 places up >= 30 */
    check_row(&p->rows[8], CM_PS_MET, "第85位", "+5位");
    /* 2nd of the province's 3 in the list: top half */
    check_row(&p->rows[9], CM_PS_MET, "第85位", "");

    /* 2018: no 2018-12 ranks before it, inputs not there */
    evaluate(f, p, "2018");
    /* cases_closed has no 2018 row */
    check_row(&p->rows[0], CM_PS_MISSING, "", "");
    /* rank 120 and no December before it */
    check_row(&p->rows[8], CM_PS_PENDING, "第120位", "");
    /* 2018-12: 45, 101, 120: 3rd of 3, below the top half (2) */
    check_row(&p->rows[9], CM_PS_MISSED, "第120位", "");
    cm_plan_free(p);
}

static void units_and_roles(void **state)
{
    fx *f = *state;
    cm_plan *p = load(f, "tasks.csv", tasks_csv);
    char **units = NULL;
    size_t n = 0;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_plan_units(p, &units, &n, &d), CM_OK);
    static const char *const want[] = {
        "市法院", "市金融局", "市银保监局", "人行盘锦中心支行", "市政法委",
        "公安局", "市营商局", "市行政审批局", "市财政局", "各县区政府",
        "辽东湾新区管委会", "市智慧城市中心", "市发改委", "各相关部门",
    };
    assert_int_equal(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(units[i], want[i]);
    cm_list_free(units, n);

    /* 、 , and ， split; a trailing 等 is dropped */
    assert_int_equal(cm_plan_row_role(&p->rows[0], "市金融局"), 1);
    assert_int_equal(cm_plan_row_role(&p->rows[1], "市金融局"), 1);
    assert_int_equal(cm_plan_row_role(&p->rows[2], "市金融局"), 2);
    assert_int_equal(cm_plan_row_role(&p->rows[2], "公安局"), 2);
    assert_int_equal(cm_plan_row_role(&p->rows[2], "人行盘锦中心支行"), 1);
    assert_int_equal(cm_plan_row_role(&p->rows[2], "市法院"), 0);
    assert_int_equal(cm_plan_row_role(&p->rows[7], "市财政局"), 2);
    assert_int_equal(cm_plan_row_role(&p->rows[7], "市财政局等"), 0);
    assert_int_equal(cm_plan_row_role(&p->rows[7], "市"), 0);
    assert_int_equal(cm_plan_row_role(&p->rows[7], ""), 0);
    cm_plan_free(p);
}

/* Seed 000's work plan, its shape: 序号 first, 部分 merged. */
static const char workplan_csv[] =
    "\xEF\xBB\xBF序号,部分,任务,内容,牵头单位,责任单位,deadline,formula,target,unit,decimals\n"
    "1,一、完善信用体系,建立信用承诺制度,在行政审批中推行信用承诺,市发改委,市级各部门等,2019年6月底,,,,\n"
    "2,,开展满意度调查,群众满意度达到85%以上,市统计局,\"市发改委，市委宣传部\",2019年12月底,satisfaction,≥85%,,0\n"
    "3,二、提升排名,提升监测排名,力争较上年提升30位,市发改委,各县区政府,,,力争较上年提升30位,,\n";

static void workplan_loads_and_evaluates(void **state)
{
    fx *f = *state;
    cm_plan *p = load(f, "workplan.csv", workplan_csv);
    assert_int_equal(p->kind, CM_PLAN_WORKPLAN);
    assert_int_equal(p->n_rows, 3);
    assert_string_equal(p->rows[0].number, "1");
    assert_string_equal(p->rows[1].group, "一、完善信用体系");
    assert_int_equal(p->rows[1].group_first, 0);
    assert_int_equal(p->rows[1].item_first, 1);
    assert_string_equal(p->rows[1].item, "开展满意度调查");
    assert_string_equal(p->rows[1].standard, "群众满意度达到85%以上");
    assert_string_equal(p->rows[1].deadline, "2019年12月底");
    evaluate(f, p, "2019");
    check_row(&p->rows[0], CM_PS_UNMEASURED, "", "");
    /* 80 >= 85 missed by 5 */
    check_row(&p->rows[1], CM_PS_MISSED, "80%", "-5%");
    check_row(&p->rows[2], CM_PS_MET, "第85位", "+5位");

    char **units = NULL;
    size_t n = 0;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_plan_units(p, &units, &n, &d), CM_OK);
    static const char *const want[] = {
        "市发改委", "市级各部门", "市统计局", "市委宣传部", "各县区政府",
    };
    assert_int_equal(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(units[i], want[i]);
    cm_list_free(units, n);
    assert_int_equal(cm_plan_row_role(&p->rows[1], "市委宣传部"), 2);
    assert_int_equal(cm_plan_row_role(&p->rows[1], "市发改委"), 2);
    assert_int_equal(cm_plan_row_role(&p->rows[2], "市发改委"), 1);
    cm_plan_free(p);
}

static void status_texts(void **state)
{
    (void)state;
    assert_string_equal(cm_plan_status_text(CM_PS_MET), "达标");
    assert_string_equal(cm_plan_status_text(CM_PS_MISSED), "未达标");
    assert_string_equal(cm_plan_status_text(CM_PS_WARNING), "未达标(指导性)");
    assert_string_equal(cm_plan_status_text(CM_PS_NOTED), "未达标(预期性)");
    assert_string_equal(cm_plan_status_text(CM_PS_PENDING), "待评估");
    assert_string_equal(cm_plan_status_text(CM_PS_NA), "不可计算");
    assert_string_equal(cm_plan_status_text(CM_PS_MISSING), "未报送");
    assert_string_equal(cm_plan_status_text(CM_PS_UNMEASURED), "未量化");
    assert_string_equal(cm_plan_status_text((cm_plan_status)99), "");
}

/* Every error of a table is located at its line and column. */
static void load_errors_are_located(void **state)
{
    fx *f = *state;
    static const char hdr[] =
        "类别,序号,指标,2018年,2020年,指标属性,formula,unit,decimals,threshold\n";
    char text[2048];

    load_fails(f, "e1.csv",
               "类别,序号,指标,2018年,2020年,指标属性,备注\n",
               CM_ERR_CSV, "e1.csv:1: 备注: unknown column '备注' in a plan table");
    load_fails(f, "e2.csv",
               "考评任务,考评指标,考评标准,牵头单位\n",
               CM_ERR_CSV, "e2.csv:1: 责任单位: missing column '责任单位' in a "
               "task decomposition table");
    load_fails(f, "e3.csv", "指标,目标\n", CM_ERR_CSV,
               "e3.csv:1: not a plan table: the header has none of 类别");
    load_fails(f, "e4.csv", "类别,序号,指标,指标属性\n", CM_ERR_CSV,
               "e4.csv:1: a plan table needs at least one milestone column");
    load_fails(f, "e5.csv", "类别,序号,指标,2020年,2018年,指标属性\n",
               CM_ERR_CSV, "e5.csv:1: 2018年: milestone columns must go "
               "forward in time: 2018 after 2020");
    load_fails(f, "e6.csv", "类别,序号,指标,2018年,2018年,指标属性\n",
               CM_ERR_CSV, "e6.csv:1: 2018年: milestone columns must go");
    load_fails(f, "e7.csv", "考评任务,考评指标,考评标准,牵头单位,责任单位,target,target\n",
               CM_ERR_CSV, "e7.csv:1: target: column 'target' named twice "
               "(columns 6 and 7)");
    load_fails(f, "e8.csv", "", CM_ERR_CSV,
               "e8.csv: empty file: a plan table starts with its header");

    /* an unknown element at the row's line, the column within the formula */
    snprintf(text, sizeof text, "%s"
             "“双公示”工作,1,公示率,>80%%,100%%,约束性,pub_rate,,,\n"
             ",2,公示率2,>80%%,100%%,约束性,pub_rat * 100,,,\n", hdr);
    load_fails(f, "e9.csv", text, CM_ERR_NAME,
               "e9.csv:3: formula: unknown element 'pub_rat' (did you mean "
               "'pub_rate'?) (column 1)");
    snprintf(text, sizeof text, "%s"
             "工作,1,公示率,>80%%,100%%,约束性,pub_rate +,,,\n", hdr);
    load_fails(f, "e10.csv", text, CM_ERR_SYNTAX, "e10.csv:2: formula: ");
    /* a milestone the engine cannot read */
    snprintf(text, sizeof text, "%s"
             "工作,1,公示率,≈80%%,100%%,约束性,,,,\n", hdr);
    load_fails(f, "e11.csv", text, CM_ERR_DEFINITION,
               "e11.csv:2: 2018年: cannot read the target '≈80%'");
    /* a target column the engine cannot read */
    load_fails(f, "e12.csv",
               "考评任务,考评指标,考评标准,牵头单位,责任单位,formula,target\n"
               "一、平台,平台,建设平台,市智慧城市中心,市财政局,platform,大约一半\n",
               CM_ERR_DEFINITION, "e12.csv:2: target: cannot read the target "
               "'大约一半'");
    /* decimals 0-6 */
    snprintf(text, sizeof text, "%s"
             "工作,1,公示率,>80%%,100%%,约束性,pub_rate,,7,\n", hdr);
    load_fails(f, "e13.csv", text, CM_ERR_FIELD,
               "e13.csv:2: decimals: decimals must be a whole number from 0 "
               "to 6, not '7'");
    snprintf(text, sizeof text, "%s"
             "工作,1,公示率,>80%%,100%%,约束性,pub_rate,,two,\n", hdr);
    load_fails(f, "e14.csv", text, CM_ERR_FIELD,
               "e14.csv:2: decimals: decimals must be a whole number from 0 "
               "to 6, not 'two'");
    snprintf(text, sizeof text, "%s"
             "工作,1,公示率,>80%%,100%%,约束,pub_rate,,,\n", hdr);
    load_fails(f, "e15.csv", text, CM_ERR_FIELD,
               "e15.csv:2: 指标属性: unknown attribute '约束' (约束性, 指导性 "
               "or 预期性)");
    /* 大幅增长 with a formula needs its threshold */
    snprintf(text, sizeof text, "%s"
             "公众,1,关注度,>80%%,大幅增长,指导性,attention,,,\n", hdr);
    load_fails(f, "e16.csv", text, CM_ERR_DEFINITION,
               "e16.csv:2: threshold: 2020年: 大幅增长 needs a threshold");
    snprintf(text, sizeof text, "%s"
             "公众,1,关注度,>80%%,大幅增长,指导性,attention,,,lots\n", hdr);
    load_fails(f, "e17.csv", text, CM_ERR_FIELD,
               "e17.csv:2: threshold: the threshold is the growth in % that "
               "大幅增长 means (e.g. 20), not 'lots'");
    /* a formula held against nothing */
    load_fails(f, "e18.csv",
               "考评任务,考评指标,考评标准,牵头单位,责任单位,formula\n"
               "一、平台,平台,建设公共信用信息平台并上线运营,市智慧城市中心,市财政局,platform\n",
               CM_ERR_DEFINITION, "e18.csv:2: target: the row has a formula "
               "but no target, and its 考评标准 is not a standard");
    snprintf(text, sizeof text, "%s"
             "工作,1,公示率,,,约束性,pub_rate,,,\n", hdr);
    load_fails(f, "e19.csv", text, CM_ERR_DEFINITION,
               "e19.csv:2: formula: the row has a formula but no milestone");
    /* a count held against a % */
    snprintf(text, sizeof text, "%s"
             "服务,1,新增机构,>2家,>80%%,指导性,new_agencies,家,0,\n", hdr);
    load_fails(f, "e20.csv", text, CM_ERR_DEFINITION,
               "e20.csv:2: 2020年: the target '>80%' is in %, the row's unit "
               "is 家");
    /* text beyond the header */
    snprintf(text, sizeof text, "%s"
             "工作,1,公示率,>80%%,100%%,约束性,,,,,多余\n", hdr);
    load_fails(f, "e21.csv", text, CM_ERR_CSV,
               "e21.csv:2: text in column 11, after the header's last "
               "column (10)");
    /* a line number counts the lines of a quoted multi-line cell */
    snprintf(text, sizeof text, "%s"
             "\"行政\n管理\",1,培训,>50%%,>90%%,指导性,training,,,\n"
             ",2,档案,>80%%,1OO%%,约束性,archives,,,\n", hdr);
    load_fails(f, "e22.csv", text, CM_ERR_DEFINITION,
               "e22.csv:4: 2020年: cannot read the target '1OO%'");
    cm_diag d;
    cm_diag_clear(&d);
    cm_plan *p = (cm_plan *)1;
    snprintf(f->path, sizeof f->path, "%s/absent.csv", f->dir);
    assert_int_equal(cm_plan_load(f->path, f->defs, &p, &d), CM_ERR_IO);
    assert_null(p);
}

static void evaluation_errors_are_located(void **state)
{
    fx *f = *state;
    /* a milestone still ahead is held against the period's value (at 2020
     * the next milestone is 2022: no 2022 data needed); one whose year has
     * come must have that year's data (at 2023 the last milestone, 2022) */
    cm_plan *p = load(f, "m.csv",
                      "类别,序号,指标,2019年,2022年,指标属性,formula\n"
                      "工作,1,公示率,>80%,100%,约束性,pub_rate\n"
                      ",2,培训率,>50%,>90%,指导性,training\n");
    evaluate(f, p, "2019");
    check_row(&p->rows[0], CM_PS_MET, "95%", "+15%");
    evaluate(f, p, "2020");
    assert_int_equal(p->rows[0].milestone_year, 2022);
    cm_plan_free(p);
    /* the store holds 2016..2020: at 2016 the last milestone, 2014, has come
     * and the store has nothing of it */
    p = load(f, "m.csv",
             "类别,序号,指标,2014年,指标属性,formula\n"
             "工作,1,公示率,>80%,约束性,pub_rate\n");
    evaluate_fails(f, p, "2016", CM_ERR_DATA,
                   "m.csv:2: 2014年: milestone 2014年: the store has no data "
                   "for 2014");
    cm_plan_free(p);

    /* prev() reaching a year not in the store */
    p = load(f, "tasks.csv", tasks_csv);
    evaluate_fails(f, p, "2016", CM_ERR_DATA,
                   "tasks.csv:2: formula: the formula reaches 2015, which is "
                   "not in the store (evaluating 2016)");
    /* the run's own arguments */
    evaluate_fails(f, p, "2021", CM_ERR_DATA, "");
    evaluate_fails(f, p, "2019-13", CM_ERR_USAGE,
                   "period: '2019-13' is not a period");
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_plan_evaluate(p, f->s, f->defs, "159999", "2019", &d),
                     CM_ERR_DATA);
    cm_plan_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_texts),
        cmocka_unit_test(plan_loads_with_merged_cells),
        cmocka_unit_test(excel_trailing_cells),
        cmocka_unit_test(plan_evaluated_by_milestone_and_attribute),
        cmocka_unit_test(growth_below_threshold),
        cmocka_unit_test(first_year_is_pending),
        cmocka_unit_test(tasks_load_and_evaluate),
        cmocka_unit_test(units_and_roles),
        cmocka_unit_test(workplan_loads_and_evaluates),
        cmocka_unit_test(load_errors_are_located),
        cmocka_unit_test(evaluation_errors_are_located),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
