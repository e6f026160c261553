/*
 * plan.h - plans and evaluation tables (issue 5): rows of text exactly as
 * the documents write them, each optionally tied to a formula over the
 * store's elements and held against its target for a period.
 *
 * Three table kinds, one CSV file each (csv.h: UTF-8, BOM or GBK), the kind
 * told by the header row:
 *
 *   plan      (seed 001, 规划指标表)
 *             类别,序号,指标,<YYYY年>...,指标属性[,formula][,unit][,decimals][,threshold]
 *             one column per milestone year ("2018年", "2020年"), cells as
 *             written (">80%", "100%", ">2家", "大幅增长", "逐年提升");
 *             threshold: the growth in % that 大幅增长 means for the row.
 *   tasks     (seed 004, 任务分解表)
 *             考评任务,考评指标,考评标准,牵头单位,责任单位[,formula][,target][,unit][,decimals][,deadline]
 *             target: the standard in a form target.h reads when the
 *             考评标准 text is prose ("…重错码率至少低于万分之一…" -> "< 0.01%").
 *   workplan  (seed 000 附件1, 工作要点)
 *             序号,部分,任务,内容,牵头单位,责任单位[,deadline][,formula][,target][,unit][,decimals]
 *
 * An empty first column (类别 / 考评任务 / 部分) and, for tasks, an empty
 * 考评指标 continue the row above: the document's merged cells; so does,
 * within one 考评指标, an empty 牵头单位 (the lead cell is merged too). Units are
 * written as in the documents; several are separated by 、 or , and a
 * trailing 等 is allowed (as assignments.csv, import.h).
 *
 * formula: the engine's formula language over the elements declared in
 * indicators/ (defs.h); prev(x) reaches the previous period of the same
 * kind, so seed 004's 金融案件执结率 = 报告期执结数 / (上期未执结数 + 报告期收案数)
 * is `cases_closed / (prev(cases_open) + cases_filed) * 100`. A row without
 * a formula is a task without a measure: shown, status 未量化. Every error
 * is located "file:line: column: what": an unknown element in a formula, a
 * target the engine cannot read, a milestone whose year the store has no
 * data for, a formula reaching a period not in the store.
 */
#ifndef CM_PLAN_H
#define CM_PLAN_H

#include <stddef.h>

#include "cm.h"
#include "defs.h"
#include "parse.h"
#include "store.h"
#include "target.h"

typedef enum cm_plan_kind {
    CM_PLAN_PLAN = 0,
    CM_PLAN_TASKS,
    CM_PLAN_WORKPLAN
} cm_plan_kind;

/* ORDER PLAN_STATUS: keep in step with the text table in plan.c. */
typedef enum cm_plan_status {
    CM_PS_MET = 0,       /* 达标 */
    CM_PS_MISSED,        /* 未达标: a problem (binding, or no attribute) */
    CM_PS_WARNING,       /* 未达标(指导性): a warning */
    CM_PS_NOTED,         /* 未达标(预期性): reported only */
    CM_PS_PENDING,       /* 待评估: a qualitative target without enough years */
    CM_PS_NA,            /* 不可计算: zero denominator */
    CM_PS_MISSING,       /* 未报送: an input not reported */
    CM_PS_UNMEASURED     /* 未量化: no formula */
} cm_plan_status;

/* "达标", "未达标", "未达标(指导性)", ... */
const char *cm_plan_status_text(cm_plan_status st);

typedef struct cm_plan_milestone {
    int year;
    char *text;          /* as written, owned */
    cm_target target;
} cm_plan_milestone;

typedef struct cm_plan_row {
    long line;           /* CSV line of the row */
    int group_first;     /* 1: first row of its group (a merged cell starts) */
    int item_first;      /* 1: first row of its item (tasks: 考评指标 starts) */
    /* the document's text, owned ("" when empty) */
    char *group;         /* 类别 / 考评任务 / 部分 (inherited on continuation rows) */
    char *number;        /* 序号 */
    char *item;          /* 指标 / 考评指标 / 任务 (inherited likewise for tasks) */
    char *standard;      /* 考评标准 / 内容 */
    char *lead, *partners, *deadline;
    char *attribute_text;
    cm_attribute attribute;
    cm_plan_milestone *milestones;  /* plan: one per year column, owned */
    size_t n_milestones;
    /* the measure */
    char *formula_text;  /* NULL when none */
    cm_expr *formula;    /* resolved against defs (owned) */
    int max_lag;
    char *unit;
    int decimals;
    double threshold;    /* 大幅增长, in % */
    int has_target;
    cm_target target;    /* tasks/workplan: the row's; plan: set by evaluation */
    /* evaluation (cm_plan_evaluate) */
    int evaluated;
    int milestone_year;  /* plan: the milestone held against, 0 if none */
    cm_value value;
    char *value_text;    /* formatted with unit ("85%", "3家"); a yes/no
                            standard met shows since when ("是（2019-08起）"),
                            missed "否"; "" if none */
    char *gap_text;      /* signed, formatted ("-5%"), "" if none */
    cm_plan_status status;
} cm_plan_row;

typedef struct cm_plan {
    cm_plan_kind kind;
    char *path;
    int *years;          /* plan: milestone years, column order */
    size_t n_years;
    cm_plan_row *rows;
    size_t n_rows;
    char region[8], period[16];  /* set by cm_plan_evaluate */
    /* When set (the store's unit names and short names, borrowed), the
     * units cm_plan_units returns are only those: a document's unit cells
     * also hold words that are no member unit ("水、电、气、热、通信等公用企业
     * 事业单位", seed 004), which must get no sheet and no circular. */
    char *const *known_units;
    size_t n_known_units;
} cm_plan;

/* Loads and checks a plan file against the definitions (formulas resolved,
 * targets parsed). *out owned by the caller. */
cm_error cm_plan_load(const char *path, const cm_defs *defs, cm_plan **out,
                      cm_diag *d);
void cm_plan_free(cm_plan *p);

/* Evaluates every row with a formula for region at period ('2019',
 * '2019-Q4', '2019-12'). Plan milestones: the one of the period's year,
 * else the next one after it (on the way), else the last; its year must be
 * in the store as a period of its own ('2018') or the error names the row.
 * Qualitative milestones use the yearly values in the store up to the
 * period's year. Rank targets use the store's ranks (rank.h) for the
 * region at the period's last month. */
cm_error cm_plan_evaluate(cm_plan *p, cm_store *s, const cm_defs *defs,
                          const char *region, const char *period, cm_diag *d);

/* The member units the plan names (leads and partners, 等 dropped, in order
 * of first appearance). *units is a malloc'd array of malloc'd strings;
 * free with cm_list_free (cm.h). */
cm_error cm_plan_units(const cm_plan *p, char ***units, size_t *n, cm_diag *d);

/* 1 if row names unit as a lead, 2 as a partner, 0 not at all. */
int cm_plan_row_role(const cm_plan_row *row, const char *unit);

#endif
