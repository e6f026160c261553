/*
 * eval.h - evaluates a resolved formula for one region and period.
 *
 * Values come from a fetch callback, never from SQL text built from the
 * formula. The result is a number or a reason: an input not reported
 * (CM_V_MISSING) wins over not computable (CM_V_NA) so that a user is told
 * what to report first; a zero denominator or any non-finite intermediate
 * is CM_V_NA. NaN and inf never leave this module.
 */
#ifndef CM_EVAL_H
#define CM_EVAL_H

#include "cm.h"
#include "parse.h"

/* Returns element `element` (an index bound by resolve) `lag` periods before
 * the period being evaluated (lag 0 = the period itself). */
typedef cm_value (*cm_eval_fetch)(void *ctx, int element, int lag);

/* Evaluates e; fetch is called once per element leaf reached. */
cm_value cm_eval_expr(const cm_expr *e, cm_eval_fetch fetch, void *ctx);

#endif
