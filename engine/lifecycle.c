/*
 * lifecycle.c - this month's problems held against the runs recorded in
 * the store: 新增, 持续 (months open), 已整改, and 逾期 (issue 4).
 *
 * A problem is open in a period when the latest run of the city for that
 * period has a finding of the city (not of a county: counties' findings make
 * no row of the city's table, assess.c) naming the problem. This month is
 * the report's rows, since the lifecycle is built before the run is
 * recorded; earlier months are read from findings, one bound query per
 * month looked at. A chain is a few months and a table a dozen rows, so a
 * query per step costs well under a millisecond.
 *
 * Resolved problems carry the name they had in the run that last listed
 * them: findings keep only the problem ID, but a run keeps its definition
 * files verbatim (run_files, role 'definition'), whose [problem ID] section
 * has the name (defs.h). That is the name the units saw in last month's
 * table, which is what an analyst reading "已整改" must recognise; when the
 * run kept no definitions (older stores, hand-made test runs) the ID
 * stands in. Their lead, deadline and note are the current assignment's,
 * as for this month's rows.
 */
#include "lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "ini.h"

const char *cm_lc_state_text(cm_lc_state st)
{
    /* ORDER: as cm_lc_state */
    static const char *const text[] = {"新增", "持续", "已整改"};
    return (unsigned)st < 3 ? text[st] : "";
}

void cm_lifecycle_free(cm_lifecycle *lc)
{
    if (!lc)
        return;
    for (size_t i = 0; i < lc->n; i++) {
        free(lc->items[i].problem_id);
        free(lc->items[i].problem);
        free(lc->items[i].lead);
        free(lc->items[i].deadline);
        free(lc->items[i].note);
    }
    free(lc->items);
    free(lc);
}

/* The last day of month m of year y. */
static long cm_period_last_day_ym(int y, int m)
{
    return cm_date_days(y, m, cm_date_month_days(y, m));
}

/* ---- deadlines ------------------------------------------------------------ */

/* Reads 1..max ASCII digits at *s into *v; advances *s. */
static int read_num(const char **s, int max, int *v)
{
    int n = 0, x = 0;
    while (n < max && (*s)[n] >= '0' && (*s)[n] <= '9') {
        x = x * 10 + ((*s)[n] - '0');
        n++;
    }
    if (n == 0 || ((*s)[n] >= '0' && (*s)[n] <= '9'))
        return 0;
    *s += n;
    *v = x;
    return 1;
}

/* Consumes word w at *s if it is there. */
static int eat(const char **s, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(*s, w, n) != 0)
        return 0;
    *s += n;
    return 1;
}

/* "前", "之前", "以前": before the unit named just before. */
static int eat_before(const char **s)
{
    return eat(s, "之前") || eat(s, "以前") || eat(s, "前");
}

/* What may end a deadline: nothing, or "完成" ("2019年9月底前完成" is how
 * many documents word it), then blanks. */
static int at_end(const char *s)
{
    eat(&s, "完成");
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

long cm_lifecycle_due(const char *deadline)
{
    if (!deadline)
        return CM_DAY_INVALID;
    const char *s = deadline;
    while (*s == ' ' || *s == '\t')
        s++;
    /* 长期坚持, 长期, 立即 and anything not a date never fall due here
     * (立即 is handled by the lifecycle: overdue once a month passed) */
    int y, m, day;
    if (!read_num(&s, 4, &y) || y < 1900 || y > 2199 || !eat(&s, "年"))
        return CM_DAY_INVALID;
    if (eat(&s, "底") || eat(&s, "末")) {               /* 2019年底(前) */
        eat_before(&s);
        return at_end(s) ? cm_period_last_day_ym(y, 12) : CM_DAY_INVALID;
    }
    if (eat_before(&s))                                 /* 2020年前 */
        return at_end(s) ? cm_date_days(y, 1, 1) - 1 : CM_DAY_INVALID;
    if (at_end(s))                                      /* 2019年 */
        return cm_period_last_day_ym(y, 12);
    if (!read_num(&s, 2, &m) || m < 1 || m > 12 || !eat(&s, "月"))
        return CM_DAY_INVALID;
    long end_of_month = cm_period_last_day_ym(y, m);
    if (eat(&s, "底") || eat(&s, "末")) {               /* 9月底(前) */
        eat_before(&s);
        return at_end(s) ? end_of_month : CM_DAY_INVALID;
    }
    if (eat_before(&s))                                 /* 9月前 */
        return at_end(s) ? cm_date_days(y, m, 1) - 1 : CM_DAY_INVALID;
    if (at_end(s))                                      /* 9月 */
        return end_of_month;
    if (!read_num(&s, 2, &day) || day < 1 || !(eat(&s, "日") || eat(&s, "号")))
        return CM_DAY_INVALID;
    long due = cm_date_days(y, m, day);
    if (due > end_of_month)                             /* 2月30日 */
        return CM_DAY_INVALID;
    if (eat_before(&s))                                 /* 31日前 */
        due--;
    return at_end(s) ? due : CM_DAY_INVALID;
}

/* "立即": due at once; overdue when still open a month (or quarter, year)
 * after it first appeared, i.e. from its second period open. */
static int is_immediate(const char *deadline)
{
    const char *s = deadline;
    while (*s == ' ' || *s == '\t')
        s++;
    return eat(&s, "立即") && at_end(s);
}

/* ---- history ------------------------------------------------------------- */

typedef struct lc_ctx {
    cm_store *s;
    sqlite3_stmt *open_q;    /* is a problem open in a period's run */
    sqlite3_stmt *run_q;     /* the run of a period */
    const char *region;
} lc_ctx;

/* The latest run: a re-run replaces the old one (manifest.c), but should
 * two ever coexist the newer one says what the units were sent. */
#define LC_RUN_SQL \
    "(SELECT id FROM runs WHERE region = ?1 AND period = ?2" \
    " ORDER BY id DESC LIMIT 1)"

static cm_error prepare(lc_ctx *c, cm_diag *d)
{
    sqlite3 *db = cm_store_db(c->s);
    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM findings WHERE run_id = " LC_RUN_SQL
                           " AND region = ?1 AND problem = ?3 LIMIT 1",
                           -1, &c->open_q, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT " LC_RUN_SQL, -1, &c->run_q,
                           NULL) != SQLITE_OK)
        return cm_store_fail(c->s, d, "lifecycle: prepare");
    return CM_OK;
}

/* *open = 1 when the run of period has a finding of problem; 0 when it has
 * none or there is no run (a gap: we do not know, so the chain ends). */
static cm_error open_in(lc_ctx *c, const char *period, const char *problem,
                        int *open, cm_diag *d)
{
    sqlite3_stmt *q = c->open_q;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, c->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, problem, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cm_store_fail(c->s, d, "lifecycle: findings");
    *open = rc == SQLITE_ROW;
    return CM_OK;
}

/* Counts the periods before *from (exclusive) in which problem is open
 * without a gap; first receives the earliest of them, or from itself when
 * there are none. */
static cm_error chain_back(lc_ctx *c, const char *from, const char *problem,
                           int *n, char first[8], cm_diag *d)
{
    snprintf(first, 8, "%s", from);
    *n = 0;
    char name[16];
    for (int back = 1; cm_period_shift(from, back, name); back++) {
        int open = 0;
        cm_error e = open_in(c, name, problem, &open, d);
        if (e != CM_OK)
            return e;
        if (!open)
            break;
        (*n)++;
        /* periods are at most 7 characters ("2019-Q3", "2019-06") */
        size_t len = strlen(name);
        memcpy(first, name, len < 8 ? len + 1 : 8);
        first[7] = '\0';
    }
    return CM_OK;
}

/* The id of the region's run for period; *found 0 when none. */
static cm_error run_of(lc_ctx *c, const char *period, sqlite3_int64 *id,
                       int *found, cm_diag *d)
{
    sqlite3_stmt *q = c->run_q;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, c->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, period, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    *found = rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL;
    if (*found)
        *id = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cm_store_fail(c->s, d, "lifecycle: runs");
    return CM_OK;
}

/* ---- names of resolved problems -------------------------------------------- */

typedef struct name_scan {
    cm_lc_item *items;       /* the resolved items, problem == NULL until named */
    size_t n;
    cm_lc_item *in;          /* the item whose [problem ID] section we are in */
    int nomem;
} name_scan;

static cm_error name_cb(void *ctx, const char *section, const char *key,
                        const char *value, long line, cm_diag *d)
{
    (void)line;
    (void)d;
    name_scan *ns = ctx;
    if (!key) {
        ns->in = NULL;
        if (strncmp(section, "problem", 7) != 0 ||
            (section[7] != ' ' && section[7] != '\t'))
            return CM_OK;
        const char *id = section + 8;
        while (*id == ' ' || *id == '\t')
            id++;
        for (size_t i = 0; i < ns->n && !ns->in; i++)
            if (strcmp(ns->items[i].problem_id, id) == 0)
                ns->in = &ns->items[i];
        return CM_OK;
    }
    if (ns->in && !ns->in->problem && strcmp(key, "name") == 0 && value &&
        value[0]) {
        ns->in->problem = cm_strdup(value);
        if (!ns->in->problem) {
            ns->nomem = 1;
            return CM_ERR_NOMEM;
        }
    }
    return CM_OK;
}

/* Names items[0..n) from the definitions kept with run id; items left
 * unnamed keep problem NULL. Stored files that do not parse are skipped:
 * a name is a courtesy here, the ID is never lost. */
static cm_error name_resolved(lc_ctx *c, sqlite3_int64 id, cm_lc_item *items,
                              size_t n, cm_diag *d)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(cm_store_db(c->s),
                           "SELECT path, content FROM run_files WHERE run_id"
                           " = ?1 AND role = 'definition' AND content IS NOT"
                           " NULL ORDER BY path",
                           -1, &q, NULL) != SQLITE_OK)
        return cm_store_fail(c->s, d, "lifecycle: run files");
    sqlite3_bind_int64(q, 1, id);
    name_scan ns = {items, n, NULL, 0};
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(q, 0);
        const char *text = (const char *)sqlite3_column_text(q, 1);
        cm_diag ignored;
        cm_diag_clear(&ignored);
        ns.in = NULL;
        cm_ini_parse_mem(path ? path : "", text ? text : "", name_cb, &ns,
                         &ignored);
        if (ns.nomem || ignored.code == CM_ERR_NOMEM) {
            sqlite3_finalize(q);
            return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL,
                               "out of memory");
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return cm_store_fail(c->s, d, "lifecycle: run files");
    return CM_OK;
}

/* ---- build ------------------------------------------------------------------ */

static int grow(cm_lifecycle *lc, size_t *cap)
{
    if (lc->n < *cap)
        return 1;
    size_t ncap = *cap ? *cap * 2 : 8;
    cm_lc_item *p = realloc(lc->items, ncap * sizeof *p);
    if (!p)
        return 0;
    lc->items = p;
    *cap = ncap;
    return 1;
}

/* Appends this month's row; strings copied. */
static cm_error add_row(lc_ctx *c, cm_lifecycle *lc, size_t *cap,
                        const char *now, long last_day,
                        const cm_rect_row *row, cm_diag *d)
{
    if (!grow(lc, cap))
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    cm_lc_item *it = &lc->items[lc->n];
    memset(it, 0, sizeof *it);
    lc->n++;
    it->problem_id = cm_strdup(row->problem_id ? row->problem_id : "");
    it->problem = cm_strdup(row->problem ? row->problem : "");
    it->lead = cm_strdup(row->lead ? row->lead : "");
    it->deadline = cm_strdup(row->deadline ? row->deadline : "");
    it->note = cm_strdup(row->note ? row->note : "");
    if (!it->problem_id || !it->problem || !it->lead || !it->deadline ||
        !it->note)
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    int before = 0;
    cm_error e = chain_back(c, now, it->problem_id, &before, it->first_period,
                            d);
    if (e != CM_OK)
        return e;
    it->state = before ? CM_LC_PERSISTING : CM_LC_NEW;
    it->months_open = 1 + before;
    long due = cm_lifecycle_due(it->deadline);
    it->overdue = due != CM_DAY_INVALID
                      ? due < last_day
                      : is_immediate(it->deadline) && it->months_open >= 2;
    return CM_OK;
}

/* Does this month's report show problem pid passing somewhere? Absent
 * from the findings is not enough: its indicators may have no value. */
static int passes_now(const cm_report *r, const char *pid)
{
    for (size_t i = 0; i < r->n_results; i++)
        if (r->results[i].status == CM_ST_PASS && r->results[i].problem_id &&
            strcmp(r->results[i].problem_id, pid) == 0)
            return 1;
    return 0;
}

/* Appends the problems open in the previous period's run, absent from
 * this month's rows and passing now (passes_now), in the order their
 * first finding was recorded (which is the indicators' definition order,
 * close to the problems' own). */

static cm_error add_resolved(lc_ctx *c, cm_lifecycle *lc, size_t *cap,
                             const cm_report *r, const char *now, cm_diag *d)
{
    char prev_name[16];
    if (!cm_period_shift(now, 1, prev_name))
        return CM_OK;
    sqlite3_int64 id = 0;
    int found = 0;
    cm_error e = run_of(c, prev_name, &id, &found, d);
    if (e != CM_OK || !found)
        return e;

    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(cm_store_db(c->s),
                           "SELECT problem FROM findings WHERE run_id = ?1"
                           " AND region = ?2 AND problem IS NOT NULL"
                           " AND problem <> '' GROUP BY problem"
                           " ORDER BY min(rowid)",
                           -1, &q, NULL) != SQLITE_OK)
        return cm_store_fail(c->s, d, "lifecycle: findings");
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_text(q, 2, c->region, -1, SQLITE_STATIC);
    size_t first = lc->n, n_rows = lc->n;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *pid = (const char *)sqlite3_column_text(q, 0);
        int still = 0;
        for (size_t i = 0; i < n_rows && !still; i++)
            still = strcmp(lc->items[i].problem_id, pid) == 0;
        if (still || !passes_now(r, pid))
            continue;
        if (!grow(lc, cap)) {
            sqlite3_finalize(q);
            return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL,
                               "out of memory");
        }
        cm_lc_item *it = &lc->items[lc->n];
        memset(it, 0, sizeof *it);
        lc->n++;
        it->state = CM_LC_RESOLVED;
        it->problem_id = cm_strdup(pid);
        if (!it->problem_id) {
            sqlite3_finalize(q);
            return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL,
                               "out of memory");
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return cm_store_fail(c->s, d, "lifecycle: findings");
    if (lc->n == first)
        return CM_OK;

    if ((e = name_resolved(c, id, lc->items + first, lc->n - first, d)) !=
        CM_OK)
        return e;
    for (size_t i = first; i < lc->n; i++) {
        cm_lc_item *it = &lc->items[i];
        if (!it->problem && !(it->problem = cm_strdup(it->problem_id)))
            return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL,
                               "out of memory");
        /* the chain that ended last period: first_period is its start */
        int before = 0;
        if ((e = chain_back(c, now, it->problem_id, &before,
                            it->first_period, d)) != CM_OK)
            return e;
        cm_assignment a;
        int have = 0;
        if ((e = cm_store_assignment(c->s, c->region, it->problem_id, &a,
                                     &have, d)) != CM_OK)
            return e;
        it->lead = cm_strdup(have ? a.lead : "");
        it->deadline = cm_strdup(have ? a.deadline : "");
        it->note = cm_strdup(have ? a.note : "");
        if (have)
            cm_assignment_clear(&a);
        if (!it->lead || !it->deadline || !it->note)
            return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL,
                               "out of memory");
    }
    return CM_OK;
}

cm_error cm_lifecycle_build(cm_store *s, const cm_report *r,
                            cm_lifecycle **out, cm_diag *d)
{
    *out = NULL;
    const char *region = r && r->region_code ? r->region_code : "";
    const char *period = r && r->period ? r->period : "";
    if (!s || !r)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, NULL,
                           "lifecycle: no store or no report");
    long last_day = cm_period_last_day(period);
    if (last_day == CM_DAY_INVALID)
        return cm_diag_set(d, CM_ERR_FIELD, NULL, 0, "period",
                           "'%s' is not a period (2019-09, 2019-Q3, 2019)",
                           period);
    cm_lifecycle *lc = calloc(1, sizeof *lc);
    if (!lc)
        return cm_diag_set(d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    if (!region[0] || strlen(region) >= sizeof lc->region) {
        free(lc);
        return cm_diag_set(d, CM_ERR_FIELD, NULL, 0, "region",
                           "'%s' is not a region code", region);
    }
    snprintf(lc->region, sizeof lc->region, "%s", region);
    snprintf(lc->period, sizeof lc->period, "%s", period);
    lc_ctx c = {s, NULL, NULL, lc->region};
    size_t cap = 0;
    cm_error e = prepare(&c, d);
    for (size_t i = 0; e == CM_OK && i < r->n_rows; i++)
        e = add_row(&c, lc, &cap, lc->period, last_day, &r->rows[i], d);
    if (e == CM_OK)
        e = add_resolved(&c, lc, &cap, r, lc->period, d);
    sqlite3_finalize(c.open_q);
    sqlite3_finalize(c.run_q);
    if (e != CM_OK) {
        cm_lifecycle_free(lc);
        return e;
    }
    *out = lc;
    return CM_OK;
}
