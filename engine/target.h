/*
 * target.h - standards and targets as plans and evaluation tables write
 * them (issue 5), read into something the engine can hold a value against.
 *
 * Forms (all seen in seeds 000, 001, 002 and 004):
 *   comparators  ">80%", ">=90%", "≥30%", "<2%", "<0%", "<0", "=0", "100%"
 *                (a bare level means "reach it": >=), ">2家", ">5家",
 *                full-width ＞＜＝ and ≥ ≤, spaces anywhere ("<   2%")
 *   words        "不低于30%" (>=), "低于2%" (<), "高于" / "超过" (>),
 *                "不超过" / "不高于" (<=), "达到90%" / "90%以上" (>=),
 *                "至少低于万分之一" (< 0.01%), "为0" / "清零" (= 0),
 *                fractions 万分之N (N/100 %), 千分之N / N‰ (N/10 %)
 *   qualitative  "大幅增长" (growth on the base year's value of at least the
 *                threshold the definitions give, in %), "逐年提升" (every
 *                year higher than the year before, over the years in the
 *                store up to the period)
 *   rank         "较上年提升30位" (rank at least 30 places better than last
 *                December's), "保持全省中上水平" (top half of the province)
 *   yes/no       "建成" / "是" / "实现" as = 1 on a boolean element
 * The unit is kept apart from the number: "%" targets compare with values
 * already in percent ("80%" is 80, not 0.8); "家", "个", "分", "条" are
 * counts. A text that is none of these is an error, never a silent pass.
 */
#ifndef CM_TARGET_H
#define CM_TARGET_H

#include <stddef.h>

#include "cm.h"
#include "defs.h"

typedef enum cm_target_kind {
    CM_TG_COMPARE = 0,   /* cmp value */
    CM_TG_GROWTH,        /* 大幅增长: growth on the base year >= threshold % */
    CM_TG_RISING,        /* 逐年提升 */
    CM_TG_RANK_UP,       /* 较上年提升N位 */
    CM_TG_RANK_UPPER     /* 保持全省中上水平 */
} cm_target_kind;

typedef struct cm_target {
    cm_target_kind kind;
    cm_cmp cmp;          /* CM_TG_COMPARE */
    double value;        /* CM_TG_COMPARE: in the unit below; RANK_UP: places */
    char unit[16];       /* "%", "家", "" ... as written */
    char text[128];      /* the target as written, for the tables */
} cm_target;

/* Parses text into *out. Returns CM_OK, or CM_ERR_DEFINITION with a
 * message quoting the text and the forms expected ("cannot read the target
 * '≈80%' (expected e.g. >80%, ≥30%, 低于万分之一, 大幅增长, 逐年提升)").
 * d->file/line/field are left for the caller. A bare number ("1") means
 * "reach it" (>=), as a bare "100%" does. */
cm_error cm_target_parse(const char *text, cm_target *out, cm_diag *d);

/* Whether value meets a CM_TG_COMPARE target (values as printed: the caller
 * rounds). Returns 1 or 0. */
int cm_target_met(const cm_target *t, double value);

/* Qualitative targets over a yearly series values[0..n) (oldest first,
 * the last one the period's year): CM_TG_GROWTH against values[0] (the
 * base year) with threshold_pct; CM_TG_RISING strictly increasing. Returns
 * 1 met, 0 missed, -1 not enough years (fewer than 2) or not a series
 * target. */
int cm_target_series_met(const cm_target *t, const double *values, size_t n,
                         double threshold_pct);

/* 指标属性 of a plan row. */
typedef enum cm_attribute {
    CM_ATTR_NONE = 0,
    CM_ATTR_BINDING,     /* 约束性: a missed target is a problem */
    CM_ATTR_GUIDING,     /* 指导性: a missed target is a warning */
    CM_ATTR_EXPECTED     /* 预期性: reported, neither */
} cm_attribute;

/* "约束性" -> CM_ATTR_BINDING ...; "" -> CM_ATTR_NONE; -1 if unknown. */
int cm_target_attribute(const char *text);
const char *cm_target_attribute_text(cm_attribute a);

#endif
