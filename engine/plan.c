/*
 * plan.c - plans and evaluation tables (issue 5): reads the three table
 * kinds of plan.h, holds each measured row against its target for a region
 * and period, and lists the member units the tables name.
 *
 * Values come through compute.h (roll-up included), so a plan row and an
 * indicator of the monitoring run read the same number from the same store.
 */
#include "plan.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "compute.h"
#include "csv.h"
#include "eval.h"
#include "rank.h"
#include "resolve.h"
#include "text.h"

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* Decimals of a row without a decimals column: as an indicator's default
 * (defs.h), so that 74.996 prints 75 whether it is a plan row or not. */
#define PLAN_DEFAULT_DECIMALS 2

/* ORDER PLAN_STATUS: keep in step with cm_plan_status in plan.h. */
static const char *const status_texts[] = {
    "达标", "未达标", "未达标(指导性)", "未达标(预期性)",
    "待评估", "不可计算", "未报送", "未量化",
};

const char *cm_plan_status_text(cm_plan_status st)
{
    if ((int)st < 0 || (size_t)st >= COUNT(status_texts))
        return "";
    return status_texts[st];
}

/* ------------------------------------------------------------------ */
/* Columns                                                            */

/* What a column holds, whatever the document calls it. */
typedef enum col_role {
    COL_GROUP = 0, COL_NUMBER, COL_ITEM, COL_STANDARD, COL_LEAD,
    COL_PARTNERS, COL_ATTRIBUTE, COL_FORMULA, COL_TARGET, COL_UNIT,
    COL_DECIMALS, COL_THRESHOLD, COL_DEADLINE, COL__COUNT
} col_role;

typedef struct col_spec {
    const char *name;
    col_role role;
    int required;       /* the document's columns; the engine's are optional */
} col_spec;

/* plan.h gives each kind's columns; the year columns of a plan are matched
 * apart (YYYY年). */
static const col_spec plan_cols[] = {
    {"类别", COL_GROUP, 1},      {"序号", COL_NUMBER, 1},
    {"指标", COL_ITEM, 1},       {"指标属性", COL_ATTRIBUTE, 1},
    {"formula", COL_FORMULA, 0}, {"unit", COL_UNIT, 0},
    {"decimals", COL_DECIMALS, 0}, {"threshold", COL_THRESHOLD, 0},
};

static const col_spec task_cols[] = {
    {"考评任务", COL_GROUP, 1},   {"考评指标", COL_ITEM, 1},
    {"考评标准", COL_STANDARD, 1}, {"牵头单位", COL_LEAD, 1},
    {"责任单位", COL_PARTNERS, 1}, {"formula", COL_FORMULA, 0},
    {"target", COL_TARGET, 0},    {"unit", COL_UNIT, 0},
    {"decimals", COL_DECIMALS, 0}, {"deadline", COL_DEADLINE, 0},
};

static const col_spec workplan_cols[] = {
    {"序号", COL_NUMBER, 1},      {"部分", COL_GROUP, 1},
    {"任务", COL_ITEM, 1},        {"内容", COL_STANDARD, 1},
    {"牵头单位", COL_LEAD, 1},    {"责任单位", COL_PARTNERS, 1},
    {"deadline", COL_DEADLINE, 0}, {"formula", COL_FORMULA, 0},
    {"target", COL_TARGET, 0},    {"unit", COL_UNIT, 0},
    {"decimals", COL_DECIMALS, 0},
};

static const char *const kind_names[] = {
    "plan table (类别,序号,指标,<YYYY年>...,指标属性)",
    "task decomposition table (考评任务,考评指标,考评标准,牵头单位,责任单位)",
    "work plan (序号,部分,任务,内容,牵头单位,责任单位)",
};

static const char *const engine_cols[] = {
    "formula, unit, decimals, threshold",
    "formula, target, unit, decimals, deadline",
    "deadline, formula, target, unit, decimals",
};

/* Years a milestone column may name: those a period can have (calendar.h
 * reads 1900-2199). */
#define PLAN_MIN_YEAR 1900
#define PLAN_MAX_YEAR 2199
/* Milestone columns of one table: a plan spans a five-year period or two;
 * the cap bounds the per-row arrays below. */
#define PLAN_MAX_YEARS 32

/* ------------------------------------------------------------------ */
/* Loading                                                            */

typedef struct loader {
    cm_plan *p;
    const cm_defs *defs;
    const char **ids;        /* element ids, for resolve */
    int have_header;
    const col_spec *spec;
    size_t n_spec;
    int col[COL__COUNT];     /* field index of each role, -1 when absent */
    size_t *year_col;        /* field index of each year column */
    size_t n_fields;         /* header fields that carry a name */
    size_t cap_rows;
} loader;

static cm_error nomem(cm_diag *d)
{
    return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

static char *dup_n(const char *s, size_t n)
{
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

/* The trimmed field at index i ("" past the row's end). */
static void field_at(const cm_csv_row *row, long i, const char **s, size_t *n)
{
    if (i < 0 || (size_t)i >= row->n) {
        *s = "";
        *n = 0;
        return;
    }
    *s = row->fields[i];
    *n = row->lens[i];
    cm_csv_trim(s, n);
}

static void field_role(const loader *L, const cm_csv_row *row, col_role r,
                       const char **s, size_t *n)
{
    field_at(row, L->col[r], s, n);
}

/* Moves the located message of a module that leaves file, line and field to
 * its caller (parse, resolve, target) into d, keeping its column. */
static cm_error relay(cm_diag *d, const cm_diag *local, const char *file,
                      long line, const char *field)
{
    if (d && d->code == CM_OK) {
        cm_diag_set(d, local->code, file, line, field, "%s", local->msg);
        d->column = local->column;
    }
    return local->code;
}

/* "2018年" -> 2018; 0 when the name is not a year column. */
static int year_of_column(const char *s, size_t n)
{
    static const char nian[] = "年";
    if (n != 4 + sizeof nian - 1 || memcmp(s + 4, nian, sizeof nian - 1))
        return 0;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        y = y * 10 + (s[i] - '0');
    }
    return y;
}

static int header_has(const cm_csv_row *row, const char *name)
{
    for (size_t i = 0; i < row->n; i++) {
        const char *s;
        size_t n;
        field_at(row, (long)i, &s, &n);
        if (n == strlen(name) && memcmp(s, name, n) == 0)
            return 1;
    }
    return 0;
}

static cm_error read_header(loader *L, const cm_csv_row *row, cm_diag *d)
{
    cm_plan *p = L->p;
    /* The kind is told by the column only that kind has. */
    if (header_has(row, "类别"))
        p->kind = CM_PLAN_PLAN;
    else if (header_has(row, "考评任务"))
        p->kind = CM_PLAN_TASKS;
    else if (header_has(row, "部分"))
        p->kind = CM_PLAN_WORKPLAN;
    else
        return cm_diag_set(d, CM_ERR_CSV, p->path, row->line, NULL,
                           "not a plan table: the header has none of 类别 "
                           "(a %s), 考评任务 (a %s) or 部分 (a %s)",
                           kind_names[0], kind_names[1], kind_names[2]);
    static const struct {
        const col_spec *spec;
        size_t n;
    } specs[] = {
        {plan_cols, COUNT(plan_cols)},
        {task_cols, COUNT(task_cols)},
        {workplan_cols, COUNT(workplan_cols)},
    };
    L->spec = specs[p->kind].spec;
    L->n_spec = specs[p->kind].n;
    for (size_t r = 0; r < COL__COUNT; r++)
        L->col[r] = -1;

    /* Excel may save empty cells after the last column: ignored, but a
     * nameless column between named ones is refused below. */
    size_t n_fields = row->n;
    while (n_fields > 0) {
        const char *s;
        size_t n;
        field_at(row, (long)n_fields - 1, &s, &n);
        if (n)
            break;
        n_fields--;
    }
    L->n_fields = n_fields;
    L->year_col = calloc(n_fields ? n_fields : 1, sizeof *L->year_col);
    p->years = calloc(n_fields ? n_fields : 1, sizeof *p->years);
    if (!L->year_col || !p->years)
        return nomem(d);

    for (size_t i = 0; i < n_fields; i++) {
        const char *s;
        size_t n;
        field_at(row, (long)i, &s, &n);
        char name[128];
        size_t k = n < sizeof name - 1 ? n : sizeof name - 1;
        memcpy(name, s, k);
        name[k] = '\0';
        if (n == 0)
            return cm_diag_set(d, CM_ERR_CSV, p->path, row->line, NULL,
                               "column %zu has no name (a %s, with the "
                               "engine's %s)", i + 1, kind_names[p->kind],
                               engine_cols[p->kind]);
        int year = p->kind == CM_PLAN_PLAN ? year_of_column(s, n) : 0;
        if (year) {
            if (year < PLAN_MIN_YEAR || year > PLAN_MAX_YEAR)
                return cm_diag_set(d, CM_ERR_CSV, p->path, row->line, name,
                                   "milestone year %d out of range (%d-%d)",
                                   year, PLAN_MIN_YEAR, PLAN_MAX_YEAR);
            /* the milestone rule (plan.h) reads the columns as a
             * timeline: "the next one after", "the last" */
            if (p->n_years && year <= p->years[p->n_years - 1])
                return cm_diag_set(d, CM_ERR_CSV, p->path, row->line, name,
                                   "milestone columns must go forward in "
                                   "time: %d after %d", year,
                                   p->years[p->n_years - 1]);
            if (p->n_years == PLAN_MAX_YEARS)
                return cm_diag_set(d, CM_ERR_CSV, p->path, row->line, name,
                                   "more than %d milestone columns",
                                   PLAN_MAX_YEARS);
            L->year_col[p->n_years] = i;
            p->years[p->n_years++] = year;
            continue;
        }
        size_t j = 0;
        while (j < L->n_spec &&
               !(strlen(L->spec[j].name) == n &&
                 memcmp(L->spec[j].name, s, n) == 0))
            j++;
        if (j == L->n_spec)
            return cm_diag_set(d, CM_ERR_CSV, p->path, row->line, name,
                               "unknown column '%s' in a %s (the engine's "
                               "columns: %s)", name, kind_names[p->kind],
                               engine_cols[p->kind]);
        col_role r = L->spec[j].role;
        if (L->col[r] >= 0)
            return cm_diag_set(d, CM_ERR_CSV, p->path, row->line, name,
                               "column '%s' named twice (columns %d and %zu)",
                               name, L->col[r] + 1, i + 1);
        L->col[r] = (int)i;
    }
    for (size_t j = 0; j < L->n_spec; j++)
        if (L->spec[j].required && L->col[L->spec[j].role] < 0)
            return cm_diag_set(d, CM_ERR_CSV, p->path, row->line,
                               L->spec[j].name,
                               "missing column '%s' in a %s", L->spec[j].name,
                               kind_names[p->kind]);
    if (p->kind == CM_PLAN_PLAN && p->n_years == 0)
        return cm_diag_set(d, CM_ERR_CSV, p->path, row->line, NULL,
                           "a plan table needs at least one milestone "
                           "column named by its year (2018年)");
    L->have_header = 1;
    return CM_OK;
}

/* Copies the field of role into *out ("" when absent). */
static cm_error take(const loader *L, const cm_csv_row *row, col_role r,
                     char **out, cm_diag *d)
{
    const char *s;
    size_t n;
    field_role(L, row, r, &s, &n);
    *out = dup_n(s, n);
    return *out ? CM_OK : nomem(d);
}

static cm_error parse_target(const char *text, cm_target *t, const char *path,
                             long line, const char *field, cm_diag *d)
{
    cm_diag local;
    cm_diag_clear(&local);
    if (cm_target_parse(text, t, &local) != CM_OK)
        return relay(d, &local, path, line, field);
    return CM_OK;
}

/* The targets a row holds its formula against (plan: every milestone). */
static size_t row_targets(const cm_plan_row *r, const cm_target **out,
                          const char **field, char names[][16], size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_milestones && n < cap; i++) {
        if (!r->milestones[i].text[0])
            continue;
        snprintf(names[n], 16, "%d年", r->milestones[i].year);
        field[n] = names[n];
        out[n++] = &r->milestones[i].target;
    }
    if (r->has_target && n < cap) {
        field[n] = "target";
        out[n++] = &r->target;
    }
    return n;
}

static int is_rank(const cm_target *t)
{
    return t->kind == CM_TG_RANK_UP || t->kind == CM_TG_RANK_UPPER;
}

/* The engine's columns of a row: the measure and what it is held
 * against. Called after the document's columns are read. */
static cm_error read_measure(loader *L, const cm_csv_row *row, cm_plan_row *r,
                             cm_diag *d)
{
    const char *path = L->p->path;
    const char *s;
    size_t n;
    char text[64];

    r->decimals = PLAN_DEFAULT_DECIMALS;
    field_role(L, row, COL_DECIMALS, &s, &n);
    if (n) {
        if (n != 1 || s[0] < '0' || s[0] > '6') {
            size_t k = n < sizeof text - 1 ? n : sizeof text - 1;
            memcpy(text, s, k);
            text[k] = '\0';
            return cm_diag_set(d, CM_ERR_FIELD, path, row->line, "decimals",
                               "decimals must be a whole number from 0 to 6, "
                               "not '%s'", text);
        }
        r->decimals = s[0] - '0';
    }

    int has_threshold = 0;
    field_role(L, row, COL_THRESHOLD, &s, &n);
    if (n) {
        size_t k = n < sizeof text - 1 ? n : sizeof text - 1;
        memcpy(text, s, k);
        text[k] = '\0';
        /* "20" or "20%": the growth in % either way */
        if (k && text[k - 1] == '%')
            text[--k] = '\0';
        char *end = NULL;
        double v = k ? strtod(text, &end) : 0;
        if (!k || n >= sizeof text || *end || !isfinite(v) || v < 0)
            return cm_diag_set(d, CM_ERR_FIELD, path, row->line, "threshold",
                               "the threshold is the growth in %% that 大幅增长 "
                               "means (e.g. 20), not '%.*s'", (int)n, s);
        r->threshold = v;
        has_threshold = 1;
    }

    cm_error e;
    if ((e = take(L, row, COL_UNIT, &r->unit, d)))
        return e;

    field_role(L, row, COL_TARGET, &s, &n);
    if (n) {
        char *t = dup_n(s, n);
        if (!t)
            return nomem(d);
        e = parse_target(t, &r->target, path, row->line, "target", d);
        free(t);
        if (e)
            return e;
        r->has_target = 1;
    }

    field_role(L, row, COL_FORMULA, &s, &n);
    if (n) {
        if (!(r->formula_text = dup_n(s, n)))
            return nomem(d);
        cm_diag local;
        cm_diag_clear(&local);
        if (cm_parse_expr(r->formula_text, &r->formula, &local) != CM_OK ||
            cm_resolve_expr(r->formula, L->ids, L->defs->n_elements,
                            &r->max_lag, &local) != CM_OK)
            return relay(d, &local, path, row->line, "formula");
    }

    /* A task whose standard is itself a target ("≥80%") needs no target
     * column; prose needs one, and a formula with nothing to hold it
     * against must not pass as met. */
    if (r->formula && !r->has_target && L->p->kind != CM_PLAN_PLAN) {
        cm_diag local;
        cm_diag_clear(&local);
        if (cm_target_parse(r->standard, &r->target, &local) != CM_OK)
            return cm_diag_set(d, CM_ERR_DEFINITION, path, row->line, "target",
                               "the row has a formula but no target, and its "
                               "%s is not a standard the engine reads (%s): "
                               "write the standard in the target column",
                               L->p->kind == CM_PLAN_TASKS ? "考评标准" : "内容",
                               local.msg);
        r->has_target = 1;
    }

    const cm_target *ts[PLAN_MAX_YEARS + 1];
    const char *fields[PLAN_MAX_YEARS + 1];
    char names[PLAN_MAX_YEARS + 1][16];
    size_t nt = row_targets(r, ts, fields, names, COUNT(ts));
    if (r->formula && nt == 0)
        return cm_diag_set(d, CM_ERR_DEFINITION, path, row->line, "formula",
                           "the row has a formula but no milestone to hold "
                           "it against");
    for (size_t i = 0; i < nt; i++) {
        if (!r->formula)
            break;
        if (ts[i]->kind == CM_TG_GROWTH && !has_threshold)
            return cm_diag_set(d, CM_ERR_DEFINITION, path, row->line,
                               L->p->kind == CM_PLAN_PLAN ? "threshold"
                                                          : fields[i],
                               "%s: 大幅增长 needs a threshold, the growth in "
                               "%% it means for this row%s", fields[i],
                               L->p->kind == CM_PLAN_PLAN
                                   ? ""
                                   : " (only plan tables have a threshold "
                                     "column)");
        /* "80%" and a count are not comparable: a value in 家 held against
         * a % standard would pass or fail by accident. */
        if (ts[i]->kind == CM_TG_COMPARE && r->unit[0] && ts[i]->unit[0] &&
            strcmp(r->unit, ts[i]->unit) != 0)
            return cm_diag_set(d, CM_ERR_DEFINITION, path, row->line,
                               fields[i],
                               "the target '%s' is in %s, the row's unit is %s",
                               ts[i]->text, ts[i]->unit, r->unit);
    }
    /* Without a unit column, the value is in its targets' unit: "85%". */
    if (!r->unit[0]) {
        for (size_t i = 0; i < nt; i++)
            if (ts[i]->kind == CM_TG_COMPARE && ts[i]->unit[0]) {
                char *u = cm_strdup(ts[i]->unit);
                if (!u)
                    return nomem(d);
                free(r->unit);
                r->unit = u;
                break;
            }
    }
    return CM_OK;
}

static cm_error read_row(loader *L, const cm_csv_row *row, cm_diag *d)
{
    cm_plan *p = L->p;
    int any = 0;
    for (size_t i = 0; i < row->n; i++) {
        const char *s;
        size_t n;
        field_at(row, (long)i, &s, &n);
        if (n && i >= L->n_fields)
            return cm_diag_set(d, CM_ERR_CSV, p->path, row->line, NULL,
                               "text in column %zu, after the header's last "
                               "column (%zu)", i + 1, L->n_fields);
        any |= n > 0;
    }
    /* a row of empty cells, as Excel saves the end of a table: no row */
    if (!any)
        return CM_OK;

    if (p->n_rows == L->cap_rows) {
        size_t nc = L->cap_rows ? L->cap_rows * 2 : 32;
        cm_plan_row *q = realloc(p->rows, nc * sizeof *q);
        if (!q)
            return nomem(d);
        p->rows = q;
        L->cap_rows = nc;
    }
    const cm_plan_row *prev = p->n_rows ? &p->rows[p->n_rows - 1] : NULL;
    cm_plan_row *r = &p->rows[p->n_rows++];
    memset(r, 0, sizeof *r);
    r->line = row->line;
    r->status = CM_PS_UNMEASURED;

    cm_error e;
    const char *s;
    size_t n;
    /* merged cells: an empty group continues the row above */
    field_role(L, row, COL_GROUP, &s, &n);
    r->group_first = n > 0 || !prev;
    r->group = r->group_first ? dup_n(s, n) : cm_strdup(prev->group);
    field_role(L, row, COL_ITEM, &s, &n);
    /* tasks only: one 考评指标 spans several 考评标准 (seed 004); a new
     * group starts a new item even when its cell is empty */
    r->item_first = p->kind != CM_PLAN_TASKS || n > 0 || r->group_first;
    r->item = r->item_first ? dup_n(s, n) : cm_strdup(prev->item);
    if (!r->group || !r->item)
        return nomem(d);
    if ((e = take(L, row, COL_NUMBER, &r->number, d)) ||
        (e = take(L, row, COL_STANDARD, &r->standard, d)) ||
        (e = take(L, row, COL_LEAD, &r->lead, d)) ||
        (e = take(L, row, COL_PARTNERS, &r->partners, d)) ||
        (e = take(L, row, COL_DEADLINE, &r->deadline, d)) ||
        (e = take(L, row, COL_ATTRIBUTE, &r->attribute_text, d)))
        return e;
    /* seed 004 merges the lead cell over the standards of one 考评指标 */
    if (p->kind == CM_PLAN_TASKS && !r->item_first && prev && r->lead &&
        !r->lead[0] && prev->lead && prev->lead[0]) {
        char *lead = cm_strdup(prev->lead);
        if (!lead)
            return nomem(d);
        free(r->lead);
        r->lead = lead;
    }
    r->value_text = cm_strdup("");
    r->gap_text = cm_strdup("");
    if (!r->value_text || !r->gap_text)
        return nomem(d);

    int a = cm_target_attribute(r->attribute_text);
    if (a < 0)
        return cm_diag_set(d, CM_ERR_FIELD, p->path, row->line, "指标属性",
                           "unknown attribute '%s' (约束性, 指导性 or 预期性)",
                           r->attribute_text);
    r->attribute = (cm_attribute)a;

    if (p->n_years) {
        r->milestones = calloc(p->n_years, sizeof *r->milestones);
        if (!r->milestones)
            return nomem(d);
        r->n_milestones = p->n_years;
        for (size_t i = 0; i < p->n_years; i++) {
            cm_plan_milestone *m = &r->milestones[i];
            m->year = p->years[i];
            field_at(row, (long)L->year_col[i], &s, &n);
            if (!(m->text = dup_n(s, n)))
                return nomem(d);
            /* an empty cell: no milestone that year */
            if (n) {
                char col[16];
                snprintf(col, sizeof col, "%d年", m->year);
                if ((e = parse_target(m->text, &m->target, p->path,
                                      row->line, col, d)))
                    return e;
            }
        }
    }
    return read_measure(L, row, r, d);
}

static cm_error on_row(void *ctx, const cm_csv_row *row, cm_diag *d)
{
    loader *L = ctx;
    return L->have_header ? read_row(L, row, d) : read_header(L, row, d);
}

cm_error cm_plan_load(const char *path, const cm_defs *defs, cm_plan **out,
                      cm_diag *d)
{
    *out = NULL;
    cm_plan *p = calloc(1, sizeof *p);
    loader L;
    memset(&L, 0, sizeof L);
    L.p = p;
    L.defs = defs;
    if (!p || !(p->path = cm_strdup(path))) {
        free(p);
        return nomem(d);
    }
    L.ids = malloc((defs->n_elements ? defs->n_elements : 1) * sizeof *L.ids);
    cm_error e = L.ids ? CM_OK : nomem(d);
    for (size_t i = 0; !e && i < defs->n_elements; i++)
        L.ids[i] = defs->elements[i].id;
    if (!e)
        e = cm_csv_read(path, on_row, &L, NULL, d);
    if (!e && !L.have_header)
        e = cm_diag_set(d, CM_ERR_CSV, path, 0, NULL,
                        "empty file: a plan table starts with its header");
    free(L.ids);
    free(L.year_col);
    if (e) {
        cm_plan_free(p);
        return e;
    }
    *out = p;
    return CM_OK;
}

static void row_clear(cm_plan_row *r)
{
    free(r->group);
    free(r->number);
    free(r->item);
    free(r->standard);
    free(r->lead);
    free(r->partners);
    free(r->deadline);
    free(r->attribute_text);
    for (size_t i = 0; i < r->n_milestones; i++)
        free(r->milestones[i].text);
    free(r->milestones);
    free(r->formula_text);
    cm_expr_free(r->formula);
    free(r->unit);
    free(r->value_text);
    free(r->gap_text);
}

void cm_plan_free(cm_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_rows; i++)
        row_clear(&p->rows[i]);
    free(p->rows);
    free(p->years);
    free(p->path);
    free(p);
}

/* ------------------------------------------------------------------ */
/* Evaluation                                                         */

typedef struct evaluator {
    cm_plan *p;
    cm_store *s;
    /* the definitions' elements without their indicators: compute.h
     * refuses a period at which an indicator's prev() leaves the store,
     * but the plan checks its own formulas' reach row by row, and an
     * indicator it does not evaluate must not stop it */
    cm_defs elements_only;
    const char *region;
    const char *period;
    int year;
} evaluator;

/* The evaluator's fetch cannot return an error: the first one is parked
 * and checked after evaluation. */
typedef struct fetch_ctx {
    cm_compute *c;
    const char *region;
    cm_diag *d;
    cm_error rc;
} fetch_ctx;

static cm_value fetch(void *ctx, int element, int lag)
{
    fetch_ctx *f = ctx;
    cm_value v = {CM_V_MISSING, 0};
    if (f->rc == CM_OK)
        f->rc = cm_compute_element(f->c, f->region, element, lag, &v, f->d);
    return v;
}

/* The row's formula for the region at period. */
static cm_error value_at(evaluator *ev, const cm_plan_row *r,
                         const char *period, cm_value *out, cm_diag *d)
{
    cm_compute *c = NULL;
    cm_error e = cm_compute_new(ev->s, &ev->elements_only, period, &c, d);
    if (e)
        return e;
    fetch_ctx f = {c, ev->region, d, CM_OK};
    *out = cm_eval_expr(r->formula, fetch, &f);
    cm_compute_free(c);
    return f.rc;
}

/* A number as printed with the row's decimals, and read back: a value is
 * held against its target as the table shows it (84.996 shows 85 and
 * meets >= 85). */
static double as_printed(double v, int decimals)
{
    char buf[64];
    cm_text_number(v, decimals, 1, buf, sizeof buf);
    return strtod(buf, NULL);
}

static cm_error set_text(char **dst, cm_diag *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static cm_error set_text(char **dst, cm_diag *d, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *s = cm_strdup(buf);
    if (!s)
        return nomem(d);
    free(*dst);
    *dst = s;
    return CM_OK;
}

static cm_plan_status missed(const cm_plan_row *r)
{
    switch (r->attribute) {
    case CM_ATTR_GUIDING:
        return CM_PS_WARNING;
    case CM_ATTR_EXPECTED:
        return CM_PS_NOTED;
    case CM_ATTR_NONE:
    case CM_ATTR_BINDING:
        break;
    }
    return CM_PS_MISSED;
}

static cm_plan_status not_a_number(cm_value_kind k)
{
    /* NODATA too: a plan figure not in the store is one not reported */
    return k == CM_V_NA ? CM_PS_NA : CM_PS_MISSING;
}

/* Shows the value with its unit ("85%", "3家"). */
static cm_error show_value(cm_plan_row *r, double v, cm_diag *d)
{
    char num[64];
    cm_text_number(v, r->decimals, 1, num, sizeof num);
    return set_text(&r->value_text, d, "%s%s", num, r->unit);
}

/* A yes/no standard ("建成平台", "实现…接入", "是": target.h reads them as
 * = 1 on a boolean element) rather than a level. */
static int is_yes_no(const cm_target *t)
{
    return t->kind == CM_TG_COMPARE && t->cmp == CM_CMP_EQ && t->value == 1 &&
           !t->unit[0] &&
           (strstr(t->text, "建成") || strstr(t->text, "实现") ||
            strcmp(t->text, "是") == 0);
}

/* A yes/no standard met shows since when (issue 5: "with the date
 * achieved"): the earliest period of the unbroken run of stored periods,
 * of the period's kind, ending at the period, in which it held. */
static cm_error show_achieved(evaluator *ev, cm_plan_row *r, cm_diag *d)
{
    char since[16], back[16];
    snprintf(since, sizeof since, "%s", ev->period);
    for (int k = 1; cm_period_shift(ev->period, k, back); k++) {
        int has = cm_store_has_period(ev->s, back);
        if (has < 0)
            return cm_store_fail(ev->s, d, "looking up a period");
        if (!has)
            break;
        cm_value v;
        cm_error e = value_at(ev, r, back, &v, d);
        if (e)
            return e;
        if (v.kind != CM_V_NUM || v.num < 1)
            break;
        memcpy(since, back, sizeof since);
    }
    return set_text(&r->value_text, d, "是（%s起）", since);
}

static cm_error eval_compare(evaluator *ev, cm_plan_row *r, cm_diag *d)
{
    cm_error e = value_at(ev, r, ev->period, &r->value, d);
    if (e)
        return e;
    if (r->value.kind != CM_V_NUM) {
        r->status = not_a_number(r->value.kind);
        return CM_OK;
    }
    double v = as_printed(r->value.num, r->decimals);
    if (is_yes_no(&r->target)) {
        int yes = v >= 1;
        r->status = yes ? CM_PS_MET : missed(r);
        return yes ? show_achieved(ev, r, d)
                   : set_text(&r->value_text, d, "%s", "否");
    }
    if ((e = show_value(r, v, d)))
        return e;
    double gap = as_printed(v - r->target.value, r->decimals);
    char num[64];
    cm_text_number(gap, r->decimals, 1, num, sizeof num);
    /* signed both ways, so a gap reads as above or below the target */
    if ((e = set_text(&r->gap_text, d, "%s%s%s", gap > 0 ? "+" : "", num,
                      r->target.unit[0] ? r->target.unit : r->unit)))
        return e;
    r->status = cm_target_met(&r->target, v) ? CM_PS_MET : missed(r);
    return CM_OK;
}

/* 大幅增长 and 逐年提升: the formula at each year period in the store, from
 * the first of the unbroken run of years that ends at the period's year
 * (and whose prev() stays in the store) up to it. */
static cm_error eval_series(evaluator *ev, cm_plan_row *r, cm_diag *d)
{
    char y[16];
    int first = ev->year + 1;    /* stays past the year when it is absent */
    while (first - 1 >= PLAN_MIN_YEAR) {
        snprintf(y, sizeof y, "%04d", first - 1);
        int has = cm_store_has_period(ev->s, y);
        if (has < 0)
            return cm_store_fail(ev->s, d, "looking up a year");
        if (!has)
            break;
        first--;
    }
    first += r->max_lag;
    if (first > ev->year) {
        r->status = CM_PS_PENDING;
        return CM_OK;
    }
    size_t cap = (size_t)(ev->year - first + 1), n = 0;
    double *vals = malloc(cap * sizeof *vals);
    if (!vals)
        return nomem(d);
    cm_error e = CM_OK;
    for (int yr = first; yr <= ev->year && !e; yr++) {
        snprintf(y, sizeof y, "%04d", yr);
        cm_value v;
        if ((e = value_at(ev, r, y, &v, d)))
            break;
        if (yr == ev->year)
            r->value = v;
        /* a year not reported is left out of the series rather than
         * stopping it; the period's own year decides below */
        if (v.kind == CM_V_NUM)
            vals[n++] = as_printed(v.num, r->decimals);
    }
    if (!e) {
        const cm_target *t = &r->target;
        if (r->value.kind != CM_V_NUM) {
            r->status = not_a_number(r->value.kind);
        } else {
            e = show_value(r, vals[n - 1], d);
            int met = cm_target_series_met(t, vals, n, r->threshold);
            r->status = met > 0 ? CM_PS_MET : met == 0 ? missed(r)
                                                       : CM_PS_PENDING;
        }
    }
    free(vals);
    return e;
}

static cm_error eval_rank(evaluator *ev, cm_plan_row *r, cm_diag *d)
{
    /* ranks are monthly: a year or quarter is read at its last month */
    long last = cm_period_last_day(ev->period);
    char day[11], month[8];
    cm_date_format(last, day);
    memcpy(month, day, 7);
    month[7] = '\0';
    char group[16];
    cm_error e = cm_rank_group_of(ev->s, ev->region, month, group, d);
    if (e)
        return e;
    r->status = CM_PS_PENDING;
    if (!group[0])
        return CM_OK;
    cm_rank_analysis a;
    int up = r->target.kind == CM_TG_RANK_UP ? (int)r->target.value : 0;
    if ((e = cm_rank_analyse(ev->s, ev->region, group, month, up, &a, d)))
        return e;
    if (!a.has)
        return CM_OK;
    r->value = (cm_value){CM_V_NUM, a.rank};
    if ((e = set_text(&r->value_text, d, "第%d位", a.rank)))
        return e;
    if (r->target.kind == CM_TG_RANK_UPPER) {
        r->status = a.prov_upper ? CM_PS_MET : missed(r);
        return CM_OK;
    }
    if (!a.has_dec)
        return CM_OK;
    /* d_dec: places moved up since last December (较上年) */
    int gap = a.d_dec - up;
    if ((e = set_text(&r->gap_text, d, "%s%d位", gap > 0 ? "+" : "", gap)))
        return e;
    r->status = cm_target_met(&r->target, a.d_dec) ? CM_PS_MET : missed(r);
    return CM_OK;
}

/* The milestone a plan row is held against at the period's year: that
 * year's, else the next one (on the way), else the last; NULL if none. */
static const cm_plan_milestone *milestone_for(const cm_plan_row *r, int year)
{
    const cm_plan_milestone *last = NULL;
    for (size_t i = 0; i < r->n_milestones; i++) {
        const cm_plan_milestone *m = &r->milestones[i];
        if (!m->text[0])
            continue;
        if (m->year >= year)
            return m;
        last = m;
    }
    return last;
}

/* Every period a row needs must be in the store: a target must never pass
 * or fail for want of data without saying so. */
static cm_error check_reach(evaluator *ev, const cm_plan_row *r, cm_diag *d)
{
    const char *path = ev->p->path;
    char tmp[16];
    /* a milestone still ahead (2020 while evaluating 2019) is held against
     * the period's value; only one whose year has come needs that year */
    if (r->milestone_year && r->milestone_year <= atoi(ev->period)) {
        char col[16];
        snprintf(tmp, sizeof tmp, "%04d", r->milestone_year);
        snprintf(col, sizeof col, "%d年", r->milestone_year);
        int has = cm_store_has_period(ev->s, tmp);
        if (has < 0)
            return cm_store_fail(ev->s, d, "looking up a milestone year");
        if (!has)
            return cm_diag_set(d, CM_ERR_DATA, path, r->line, col,
                               "milestone %s: the store has no data for %s "
                               "(the milestone held against at %s)", col, tmp,
                               ev->period);
    }
    for (int lag = 1; lag <= r->max_lag; lag++) {
        if (!cm_period_shift(ev->period, lag, tmp))
            return cm_diag_set(d, CM_ERR_DATA, path, r->line, "formula",
                               "the formula reaches %d periods before %s, "
                               "before the year 0", lag, ev->period);
        int has = cm_store_has_period(ev->s, tmp);
        if (has < 0)
            return cm_store_fail(ev->s, d, "looking up a period");
        if (!has)
            return cm_diag_set(d, CM_ERR_DATA, path, r->line, "formula",
                               "the formula reaches %s, which is not in the "
                               "store (evaluating %s)", tmp, ev->period);
    }
    return CM_OK;
}

static cm_error eval_row(evaluator *ev, cm_plan_row *r, cm_diag *d)
{
    cm_error e;
    r->evaluated = 1;
    r->status = CM_PS_UNMEASURED;
    r->milestone_year = 0;
    r->value = (cm_value){CM_V_MISSING, 0};
    if ((e = set_text(&r->value_text, d, "%s", "")) ||
        (e = set_text(&r->gap_text, d, "%s", "")))
        return e;
    if (ev->p->kind == CM_PLAN_PLAN) {
        const cm_plan_milestone *m = milestone_for(r, ev->year);
        r->has_target = m != NULL;
        if (m) {
            r->target = m->target;
            r->milestone_year = m->year;
        }
    }
    if (!r->has_target)
        return CM_OK;
    if (is_rank(&r->target))
        return eval_rank(ev, r, d);
    if (!r->formula)
        return CM_OK;
    if ((e = check_reach(ev, r, d)))
        return e;
    if (r->target.kind == CM_TG_GROWTH || r->target.kind == CM_TG_RISING)
        return eval_series(ev, r, d);
    return eval_compare(ev, r, d);
}

cm_error cm_plan_evaluate(cm_plan *p, cm_store *s, const cm_defs *defs,
                          const char *region, const char *period, cm_diag *d)
{
    char tmp[16];
    if (strlen(region) >= sizeof p->region)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "region",
                           "'%s' is not a region code", region);
    if (strlen(period) >= sizeof p->period ||
        !cm_period_shift(period, 0, tmp))
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "period",
                           "'%s' is not a period (YYYY-MM, YYYY-Qn or YYYY)",
                           period);
    cm_region reg;
    memset(&reg, 0, sizeof reg);
    cm_error e = cm_store_region(s, region, &reg, d);
    cm_region_clear(&reg);
    if (e)
        return e;
    int has = cm_store_has_period(s, period);
    if (has < 0)
        return cm_store_fail(s, d, "looking up the period");
    if (!has)
        return cm_diag_set(d, CM_ERR_DATA, cm_store_path(s), 0, "period",
                           "no data for period %s in the store", period);
    snprintf(p->region, sizeof p->region, "%s", region);
    snprintf(p->period, sizeof p->period, "%s", period);

    evaluator ev;
    memset(&ev, 0, sizeof ev);
    ev.p = p;
    ev.s = s;
    ev.elements_only.elements = defs->elements;
    ev.elements_only.n_elements = defs->n_elements;
    ev.region = p->region;
    ev.period = p->period;
    ev.year = atoi(p->period);
    for (size_t i = 0; i < p->n_rows; i++)
        if ((e = eval_row(&ev, &p->rows[i], d)))
            return e;
    return CM_OK;
}

/* ------------------------------------------------------------------ */
/* Member units                                                       */

/* The next unit name of a list as the documents write it (plan.h): split
 * at 、 , and ，, a trailing 等 dropped ("市住建局等"), empty names
 * skipped. Returns 0 when the list is exhausted. */
static int next_unit(const char **cur, const char **s, size_t *n)
{
    static const char *const seps[] = {"、", "，", ","};
    const char *p = *cur;
    while (*p) {
        const char *q = p;
        size_t sep = 0;
        while (*q && !sep) {
            for (size_t i = 0; i < COUNT(seps) && !sep; i++)
                if (strncmp(q, seps[i], strlen(seps[i])) == 0)
                    sep = strlen(seps[i]);
            if (!sep)
                q++;
        }
        const char *item = p;
        size_t len = (size_t)(q - p);
        cm_csv_trim(&item, &len);
        /* "市住建局等", "市民政局等部门", "市交通局等相关部门": the unit
         * before 等 (seed 004) */
        static const char *const tails[] = {"等相关部门", "等有关部门",
                                            "等部门", "等单位", "等"};
        for (size_t t = 0; t < COUNT(tails); t++) {
            size_t tl = strlen(tails[t]);
            if (len > tl && memcmp(item + len - tl, tails[t], tl) == 0) {
                len -= tl;
                cm_csv_trim(&item, &len);
                break;
            }
        }
        p = q + sep;
        if (len) {
            *cur = p;
            *s = item;
            *n = len;
            return 1;
        }
    }
    *cur = p;
    return 0;
}

static int list_names(const char *list, const char *unit)
{
    const char *cur = list ? list : "", *s;
    size_t n, k = strlen(unit);
    while (next_unit(&cur, &s, &n))
        if (n == k && memcmp(s, unit, n) == 0)
            return 1;
    return 0;
}

int cm_plan_row_role(const cm_plan_row *row, const char *unit)
{
    if (!row || !unit || !*unit)
        return 0;
    if (list_names(row->lead, unit))
        return 1;
    if (list_names(row->partners, unit))
        return 2;
    return 0;
}

cm_error cm_plan_units(const cm_plan *p, char ***units, size_t *n, cm_diag *d)
{
    *units = NULL;
    *n = 0;
    char **list = NULL;
    size_t count = 0, cap = 0;
    for (size_t i = 0; i < p->n_rows; i++) {
        const char *lists[2] = {p->rows[i].lead, p->rows[i].partners};
        for (size_t j = 0; j < 2; j++) {
            const char *cur = lists[j] ? lists[j] : "", *s;
            size_t len;
            while (next_unit(&cur, &s, &len)) {
                if (p->known_units) {
                    size_t j2 = 0;
                    while (j2 < p->n_known_units &&
                           !(strlen(p->known_units[j2]) == len &&
                             memcmp(p->known_units[j2], s, len) == 0))
                        j2++;
                    if (j2 == p->n_known_units)
                        continue;   /* a word of the cell, not a unit */
                }
                size_t k = 0;
                while (k < count && !(strlen(list[k]) == len &&
                                      memcmp(list[k], s, len) == 0))
                    k++;
                if (k < count)
                    continue;
                if (count == cap) {
                    size_t nc = cap ? cap * 2 : 16;
                    char **q = realloc(list, nc * sizeof *q);
                    if (!q)
                        goto oom;
                    list = q;
                    cap = nc;
                }
                if (!(list[count] = dup_n(s, len)))
                    goto oom;
                count++;
            }
        }
    }
    *units = list;
    *n = count;
    return CM_OK;
oom:
    cm_list_free(list, count);
    return nomem(d);
}
