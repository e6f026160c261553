/*
 * text.h - templates with placeholders, and numbers written as the seeds
 * write them (1.8%, 0.53, 2.13分, 1571家).
 *
 * Template syntax: "{name}" is replaced by the variable name's value; "{{"
 * and "}}" stand for literal braces. Names match [a-z_][a-z0-9_]*. Matching
 * is done with a PCRE2 pattern compiled once per call site, so that the
 * syntax has one definition. A placeholder not among the allowed names is an
 * error at check time, so a misspelt template fails in `credmon check`,
 * not in a circular sent to thirty units.
 *
 * Sentences are picked in the template, not in C (issue 4):
 *   {abs:name}    the value without a leading '-' ("-3" -> "3"), for
 *                 "下降{abs:d_month}位" where d_month is a signed change;
 *   {if COND}...{elif COND}...{else}...{end}
 *                 the first branch whose COND holds is written ({elif} and
 *                 {else} optional; blocks nest up to 8 deep). COND is
 *                 "name OP number" with OP one of > >= < <= == != (the
 *                 value read with strtod; a NULL, empty or non-numeric
 *                 value makes every comparison false, != included), or a
 *                 bare "name" (true when the value is neither empty nor
 *                 "0"). Blanks may surround the name, OP and number.
 * Example (the monitoring paragraph):
 *   {year}年{month}月,我市排名第{rank}位,{if d_month > 0}较上月上升{d_month}
 *   位{elif d_month < 0}较上月下降{abs:d_month}位{else}与上月持平{end}。
 * if, elif, else, end are keywords: "{if}", "{end x}", "{if a >}" and
 * "{abs:}" are syntax errors, not placeholders. Names are checked in every
 * branch, taken or not. Structure errors (an {elif}, {else} or {end}
 * without {if}, {elif} after {else}, a second {else}, an {if} without
 * {end}, nesting deeper than 8) are CM_ERR_SYNTAX located at the brace;
 * an unknown name in a condition is CM_ERR_NAME located at the name.
 */
#ifndef CM_TEXT_H
#define CM_TEXT_H

#include <stddef.h>

#include "cm.h"

typedef struct cm_text_var {
    const char *name;
    const char *value;   /* NULL renders as "" */
} cm_text_var;

/* Checks tmpl: valid UTF-8, braces balanced, every placeholder among
 * allowed[0..n). On error returns CM_ERR_NAME (unknown placeholder) or
 * CM_ERR_SYNTAX (a lone '{' or '}', a malformed or unbalanced block), with
 * d->column set to the 1-based byte column in tmpl and a message such as
 * "unknown placeholder {valu}" or "unknown name 'd_mnth' in condition". */
cm_error cm_text_check(const char *tmpl, const char *const *allowed,
                       size_t n_allowed, cm_diag *d);

/* Renders tmpl with vars into a malloc'd string (*out, caller frees).
 * Errors as for cm_text_check (a placeholder or condition name with no
 * variable is CM_ERR_NAME; give a variable with a NULL value for a fact
 * that is not known). */
cm_error cm_text_render(const char *tmpl, const cm_text_var *vars,
                        size_t n_vars, char **out, cm_diag *d);

/* Writes v with `decimals` digits after the point, rounded half away from
 * zero on the decimal value (1.005 -> 1.01, as a person rounds); with trim,
 * trailing zeros and a trailing point are dropped (1.80 -> 1.8, 2.00 -> 2).
 * Never writes "-0". Returns the length, as snprintf. */
int cm_text_number(double v, int decimals, int trim, char *buf, size_t n);

/* "2018-12" -> year 2018, month 12 ("2019-Q2" -> month 0; "2019" -> month
 * 0). Returns 1 on success. */
int cm_text_period_parts(const char *period, int *year, int *month);

#endif
