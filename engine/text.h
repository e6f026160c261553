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
 * CM_ERR_SYNTAX (a lone '{' or '}'), with d->column set to the 1-based byte
 * column in tmpl and a message such as "unknown placeholder {valu}". */
cm_error cm_text_check(const char *tmpl, const char *const *allowed,
                       size_t n_allowed, cm_diag *d);

/* Renders tmpl with vars into a malloc'd string (*out, caller frees).
 * Errors as for cm_text_check (a placeholder with no variable is
 * CM_ERR_NAME). */
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
