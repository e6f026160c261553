/*
 * parse.h - recursive-descent parser of the formula language into a tree.
 *
 *   expr    := term { ('+' | '-') term }
 *   term    := unary { ('*' | '/') unary }
 *   unary   := '-' unary | primary
 *   primary := NUMBER | NAME | NAME '(' [ expr { ',' expr } ] ')' | '(' expr ')'
 *
 * Nesting is limited to CM_PARSE_MAX_DEPTH and formulas to
 * CM_PARSE_MAX_LEN bytes, so that a hostile definitions file cannot exhaust
 * the stack. Every node carries its column for messages.
 */
#ifndef CM_PARSE_H
#define CM_PARSE_H

#include "cm.h"

#define CM_PARSE_MAX_DEPTH 64
#define CM_PARSE_MAX_LEN 4096

typedef enum cm_expr_kind {
    CM_EX_NUM = 0,  /* num */
    CM_EX_NAME,     /* name: an element, bound by resolve */
    CM_EX_NEG,      /* -a */
    CM_EX_ADD,      /* a + b */
    CM_EX_SUB,      /* a - b */
    CM_EX_MUL,      /* a * b */
    CM_EX_DIV,      /* a / b */
    CM_EX_CALL      /* name(args...): a function, bound by resolve */
} cm_expr_kind;

/* Functions known to resolve. ORDER FUNC: keep in step with resolve.c. */
typedef enum cm_func {
    CM_FN_NONE = 0,
    CM_FN_PREV      /* prev(x): x in the previous period of the same kind */
} cm_func;

typedef struct cm_expr {
    cm_expr_kind kind;
    int column;             /* 1-based column of the node's first token */
    double num;             /* CM_EX_NUM */
    char *name;             /* CM_EX_NAME, CM_EX_CALL (owned) */
    int element;            /* CM_EX_NAME after resolve: index, else -1 */
    cm_func func;           /* CM_EX_CALL after resolve */
    struct cm_expr *a, *b;  /* operands (owned); CM_EX_NEG uses a only */
    struct cm_expr **args;  /* CM_EX_CALL arguments (owned) */
    int n_args;
} cm_expr;

/* Parses src into *out (caller frees with cm_expr_free). On error *out is
 * NULL and d holds CM_ERR_SYNTAX with d->column and a message such as
 * "expected ')' near end of formula" or "nesting deeper than 64". d->file,
 * d->line and d->field are left for the caller to fill. */
cm_error cm_parse_expr(const char *src, cm_expr **out, cm_diag *d);

/* Frees a tree; NULL is a no-op. */
void cm_expr_free(cm_expr *e);

/* Writes the tree back as fully parenthesised text (for tests and the
 * manifest); returns the length that would have been written, as snprintf. */
int cm_expr_format(const cm_expr *e, char *buf, size_t n);

#endif
