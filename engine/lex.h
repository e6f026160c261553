/*
 * lex.h - tokenizer of the formula language.
 *
 *   formula := expr
 *   tokens  := NUMBER (ASCII digits, optional '.' fraction, optional
 *              exponent)  |  NAME ([A-Za-z_][A-Za-z0-9_]*)  |  + - * / ( ) ,
 *
 * Whitespace (ASCII) separates tokens. Any other character, full-width
 * digits and operators included, is an error naming the character and its
 * column. Columns are 1-based byte offsets into the formula text.
 */
#ifndef CM_LEX_H
#define CM_LEX_H

#include <stddef.h>

#include "cm.h"

/* ORDER TOKEN: keep in step with the name table in lex.c. */
typedef enum cm_token_kind {
    CM_TK_EOF = 0,
    CM_TK_NUMBER,
    CM_TK_NAME,
    CM_TK_PLUS,
    CM_TK_MINUS,
    CM_TK_STAR,
    CM_TK_SLASH,
    CM_TK_LPAREN,
    CM_TK_RPAREN,
    CM_TK_COMMA
} cm_token_kind;

typedef struct cm_token {
    cm_token_kind kind;
    const char *start;  /* into the source text (borrowed) */
    size_t len;
    double number;      /* CM_TK_NUMBER only */
    int column;         /* 1-based */
} cm_token;

typedef struct cm_lexer {
    const char *src;    /* borrowed, NUL-terminated */
    size_t pos;
    cm_token ahead;     /* one token of lookahead */
    int has_ahead;
} cm_lexer;

void cm_lex_init(cm_lexer *lx, const char *src);

/* Next token. On a bad character or number returns CM_ERR_SYNTAX with
 * d->column set and a message such as "unexpected character '％'". */
cm_error cm_lex_next(cm_lexer *lx, cm_token *out, cm_diag *d);

/* Peeks at the next token without consuming it. */
cm_error cm_lex_peek(cm_lexer *lx, cm_token *out, cm_diag *d);

/* "number", "name", "'+'", ... ; "end of formula" for EOF. */
const char *cm_lex_token_name(cm_token_kind k);

#endif
