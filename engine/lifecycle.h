/*
 * lifecycle.h - each month's problems held against last month's: new
 * (新增), persisting (持续, with the months open) or resolved (已整改), and
 * overdue (逾期) when the deadline has passed while still open (issue 4).
 *
 * History comes from the store's runs and findings: a problem is open in a
 * month when that month's run of the city has a finding of it. It is
 * resolved when it was open last month, has no finding now and one of its
 * indicators passes now; one whose indicators all lack a value this month
 * is left out, neither open nor resolved (we do not know). Months open
 * counts back without a gap; a month with no run breaks the chain (we do
 * not know). Notes are the assignment's note, which stays in the store
 * until an assignments file changes it (seed 000: 已退出失信被执行人).
 *
 * Deadlines are read as written (整改时限): "2019年9月前" is due by
 * 2019-08-31; "2019年9月", "2019年9月底" and "2019年9月底前" by 2019-09-30;
 * "2020年3月31日前" by 2020-03-30 and "…日" by that day; "2019年底" by
 * 2019-12-31; "长期坚持", "长期", "立即" are never overdue (立即 is
 * overdue once a month has passed). A problem is overdue when the period's
 * last day is after its due date.
 */
#ifndef CM_LIFECYCLE_H
#define CM_LIFECYCLE_H

#include <stddef.h>

#include "cm.h"
#include "report.h"
#include "store.h"

typedef enum cm_lc_state {
    CM_LC_NEW = 0,        /* 新增 */
    CM_LC_PERSISTING,     /* 持续 */
    CM_LC_RESOLVED        /* 已整改: open last month, not this month */
} cm_lc_state;

/* "新增", "持续", "已整改". */
const char *cm_lc_state_text(cm_lc_state st);

typedef struct cm_lc_item {
    char *problem_id, *problem;     /* owned */
    char *lead, *deadline, *note;   /* owned, "" if none */
    cm_lc_state state;
    int months_open;                /* 1 for new; 0 for resolved */
    char first_period[8];           /* first month of the open chain */
    int overdue;                    /* deadline passed while open */
} cm_lc_item;

typedef struct cm_lifecycle {
    char region[8], period[8];
    cm_lc_item *items;              /* this month's rows in order, then resolved ones */
    size_t n;
} cm_lifecycle;

/* Builds the lifecycle of report r (this month's rows) against the runs in
 * the store. The current month's run need not be recorded yet. *out owned
 * by the caller (cm_lifecycle_free). */
cm_error cm_lifecycle_build(cm_store *s, const cm_report *r,
                            cm_lifecycle **out, cm_diag *d);
void cm_lifecycle_free(cm_lifecycle *lc);

/* Due date of a deadline text as a day number (calendar.h), or
 * CM_DAY_INVALID when it never falls due (长期坚持) or cannot be read. */
long cm_lifecycle_due(const char *deadline);

#endif
