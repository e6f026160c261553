/*
 * resolve.h - binds the names of a parsed formula: element names to their
 * index among the declared elements, function names to cm_func with their
 * arity checked. Also refuses what can be known wrong before any data is
 * read: division by a constant zero (after folding constant subexpressions),
 * prev() nested in prev() deeper than CM_RESOLVE_MAX_LAG, prev() of
 * something that is not an element or an expression of elements.
 *
 * An unknown name gets the nearest declared name as a hint:
 * "unknown element 'blacklistt' (did you mean 'blacklist'?)".
 */
#ifndef CM_RESOLVE_H
#define CM_RESOLVE_H

#include <stddef.h>

#include "cm.h"
#include "parse.h"

#define CM_RESOLVE_MAX_LAG 24

/* Binds e in place. names[0..n_names) are the declared element ids.
 * Errors: CM_ERR_NAME (unknown element or function, wrong arity),
 * CM_ERR_DEFINITION (division by constant zero, lag too deep), with
 * d->column set to the offending node. *max_lag (may be NULL) receives the
 * deepest prev() nesting, so the caller knows how many earlier periods a
 * formula reaches. */
cm_error cm_resolve_expr(cm_expr *e, const char *const *names, size_t n_names,
                         int *max_lag, cm_diag *d);

/* Edit distance used for hints (exposed for tests). */
size_t cm_resolve_distance(const char *a, const char *b);

#endif
