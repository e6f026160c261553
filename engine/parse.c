/*
 * parse.c - recursive descent over the grammar in parse.h, after Lua's
 * lparser.c: one function per rule, a depth counter entered wherever the
 * grammar recurses, and messages that name the token they stopped at.
 *
 * Binary nodes carry the column of their operator (not of their left
 * operand), so that resolve can point at the '/' of a division by zero.
 */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"

typedef struct parser {
    cm_lexer lx;
    cm_diag *d;
    int depth;
} parser;

static cm_expr *node_new(cm_expr_kind kind, int column)
{
    cm_expr *e = calloc(1, sizeof *e);
    if (e) {
        e->kind = kind;
        e->column = column;
        e->element = -1;
    }
    return e;
}

void cm_expr_free(cm_expr *e)
{
    if (!e)
        return;
    cm_expr_free(e->a);
    cm_expr_free(e->b);
    for (int i = 0; i < e->n_args; i++)
        cm_expr_free(e->args[i]);
    free(e->args);
    free(e->name);
    free(e);
}

static cm_error fail_at(parser *p, int column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static cm_error fail_at(parser *p, int column, const char *fmt, ...)
{
    if (p->d && p->d->code == CM_OK) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        cm_diag_set(p->d, CM_ERR_SYNTAX, NULL, 0, NULL, "%s", msg);
        p->d->column = column;
    }
    return CM_ERR_SYNTAX;
}

static cm_error nomem(parser *p)
{
    return cm_diag_set(p->d, CM_ERR_NOMEM, NULL, 0, NULL, "out of memory");
}

/* "near 'x'" or "near end of formula", as Lua's luaX_token2str. */
static void near_text(const cm_token *t, char *buf, size_t n)
{
    if (t->kind == CM_TK_EOF) {
        snprintf(buf, n, "end of formula");
        return;
    }
    int len = t->len > 40 ? 40 : (int)t->len;
    snprintf(buf, n, "'%.*s'", len, t->start);
}

static cm_error expect_fail(parser *p, const char *what, const cm_token *t)
{
    char near[64];
    near_text(t, near, sizeof near);
    return fail_at(p, t->column, "expected %s near %s", what, near);
}

static cm_error enter(parser *p, int column)
{
    if (++p->depth > CM_PARSE_MAX_DEPTH)
        return fail_at(p, column, "nesting deeper than %d", CM_PARSE_MAX_DEPTH);
    return CM_OK;
}

static cm_error parse_sum(parser *p, cm_expr **out);

/* args := [ expr { ',' expr } ] ')'   (after NAME '(') */
static cm_error parse_args(parser *p, cm_expr *call)
{
    cm_token t;
    cm_error e = cm_lex_peek(&p->lx, &t, p->d);
    if (e != CM_OK)
        return e;
    if (t.kind == CM_TK_RPAREN)
        return cm_lex_next(&p->lx, &t, p->d);
    for (;;) {
        cm_expr *arg = NULL;
        e = parse_sum(p, &arg);
        if (e != CM_OK)
            return e;
        cm_expr **grown = realloc(call->args,
                                  (size_t)(call->n_args + 1) * sizeof *grown);
        if (!grown) {
            cm_expr_free(arg);
            return nomem(p);
        }
        call->args = grown;
        call->args[call->n_args++] = arg;
        e = cm_lex_next(&p->lx, &t, p->d);
        if (e != CM_OK)
            return e;
        if (t.kind == CM_TK_RPAREN)
            return CM_OK;
        if (t.kind != CM_TK_COMMA)
            return expect_fail(p, "',' or ')'", &t);
    }
}

/* primary := NUMBER | NAME | NAME '(' args | '(' expr ')' */
static cm_error parse_primary(parser *p, cm_expr **out)
{
    cm_token t;
    cm_error e = cm_lex_next(&p->lx, &t, p->d);
    if (e != CM_OK)
        return e;
    switch (t.kind) {
    case CM_TK_NUMBER:
        *out = node_new(CM_EX_NUM, t.column);
        if (!*out)
            return nomem(p);
        (*out)->num = t.number;
        return CM_OK;
    case CM_TK_NAME: {
        cm_token next;
        e = cm_lex_peek(&p->lx, &next, p->d);
        if (e != CM_OK)
            return e;
        int call = next.kind == CM_TK_LPAREN;
        cm_expr *n = node_new(call ? CM_EX_CALL : CM_EX_NAME, t.column);
        if (!n)
            return nomem(p);
        n->name = malloc(t.len + 1);
        if (!n->name) {
            cm_expr_free(n);
            return nomem(p);
        }
        memcpy(n->name, t.start, t.len);
        n->name[t.len] = '\0';
        if (call) {
            cm_lex_next(&p->lx, &next, p->d);
            e = enter(p, next.column);
            if (e == CM_OK)
                e = parse_args(p, n);
            p->depth--;
            if (e != CM_OK) {
                cm_expr_free(n);
                return e;
            }
        }
        *out = n;
        return CM_OK;
    }
    case CM_TK_LPAREN: {
        e = enter(p, t.column);
        if (e == CM_OK)
            e = parse_sum(p, out);
        p->depth--;
        if (e != CM_OK)
            return e;
        cm_token close;
        e = cm_lex_next(&p->lx, &close, p->d);
        if (e == CM_OK && close.kind != CM_TK_RPAREN)
            e = expect_fail(p, "')'", &close);
        if (e != CM_OK) {
            cm_expr_free(*out);
            *out = NULL;
        }
        return e;
    }
    default:
        return expect_fail(p, "a number, name or '('", &t);
    }
}

/* unary := '-' unary | primary */
static cm_error parse_unary(parser *p, cm_expr **out)
{
    cm_token t;
    cm_error e = cm_lex_peek(&p->lx, &t, p->d);
    if (e != CM_OK)
        return e;
    if (t.kind != CM_TK_MINUS)
        return parse_primary(p, out);
    cm_lex_next(&p->lx, &t, p->d);
    cm_expr *n = node_new(CM_EX_NEG, t.column);
    if (!n)
        return nomem(p);
    e = enter(p, t.column);
    if (e == CM_OK)
        e = parse_unary(p, &n->a);
    p->depth--;
    if (e != CM_OK) {
        cm_expr_free(n);
        return e;
    }
    *out = n;
    return CM_OK;
}

/* One precedence level: operand { op operand }, left-associative. */
static cm_error parse_level(parser *p, cm_expr **out,
                            cm_error (*operand)(parser *, cm_expr **),
                            cm_token_kind op1, cm_expr_kind k1,
                            cm_token_kind op2, cm_expr_kind k2)
{
    cm_expr *left = NULL;
    cm_error e = operand(p, &left);
    if (e != CM_OK)
        return e;
    for (;;) {
        cm_token t;
        e = cm_lex_peek(&p->lx, &t, p->d);
        if (e != CM_OK)
            break;
        if (t.kind != op1 && t.kind != op2)
            break;
        cm_lex_next(&p->lx, &t, p->d);
        cm_expr *n = node_new(t.kind == op1 ? k1 : k2, t.column);
        if (!n) {
            e = nomem(p);
            break;
        }
        n->a = left;
        left = n;
        e = operand(p, &n->b);
        if (e != CM_OK)
            break;
    }
    if (e != CM_OK) {
        cm_expr_free(left);
        return e;
    }
    *out = left;
    return CM_OK;
}

/* term := unary { ('*' | '/') unary } */
static cm_error parse_term(parser *p, cm_expr **out)
{
    return parse_level(p, out, parse_unary, CM_TK_STAR, CM_EX_MUL,
                       CM_TK_SLASH, CM_EX_DIV);
}

/* expr := term { ('+' | '-') term } */
static cm_error parse_sum(parser *p, cm_expr **out)
{
    return parse_level(p, out, parse_term, CM_TK_PLUS, CM_EX_ADD, CM_TK_MINUS,
                       CM_EX_SUB);
}

cm_error cm_parse_expr(const char *src, cm_expr **out, cm_diag *d)
{
    *out = NULL;
    if (!src)
        src = "";
    size_t len = strlen(src);
    parser p = {.d = d, .depth = 0};
    if (len > CM_PARSE_MAX_LEN)
        return fail_at(&p, CM_PARSE_MAX_LEN + 1, "formula longer than %d bytes",
                       CM_PARSE_MAX_LEN);
    cm_lex_init(&p.lx, src);
    cm_expr *e = NULL;
    cm_error rc = parse_sum(&p, &e);
    if (rc == CM_OK) {
        cm_token t;
        rc = cm_lex_next(&p.lx, &t, d);
        if (rc == CM_OK && t.kind != CM_TK_EOF)
            rc = expect_fail(&p, "an operator or end of formula", &t);
    }
    if (rc != CM_OK) {
        cm_expr_free(e);
        return rc;
    }
    *out = e;
    return CM_OK;
}

/* Shortest text that reads back as the same double. */
static int format_num(double v, char *buf, size_t n)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.15g", v);
    if (strtod(tmp, NULL) != v)
        snprintf(tmp, sizeof tmp, "%.17g", v);
    return snprintf(buf, n, "%s", tmp);
}

typedef struct out_buf {
    char *buf;
    size_t n, used;   /* used counts what would have been written */
} out_buf;

static void put(out_buf *o, const char *s)
{
    size_t len = strlen(s);
    if (o->n && o->used < o->n - 1) {
        size_t room = o->n - 1 - o->used;
        size_t k = len < room ? len : room;
        memcpy(o->buf + o->used, s, k);
        o->buf[o->used + k] = '\0';
    }
    o->used += len;
}

static void format_rec(const cm_expr *e, out_buf *o)
{
    static const char *const ops[] = {
        [CM_EX_ADD] = " + ", [CM_EX_SUB] = " - ",
        [CM_EX_MUL] = " * ", [CM_EX_DIV] = " / ",
    };
    char num[64];
    switch (e->kind) {
    case CM_EX_NUM:
        format_num(e->num, num, sizeof num);
        put(o, num);
        break;
    case CM_EX_NAME:
        put(o, e->name ? e->name : "?");
        break;
    case CM_EX_NEG:
        put(o, "(-");
        format_rec(e->a, o);
        put(o, ")");
        break;
    case CM_EX_ADD:
    case CM_EX_SUB:
    case CM_EX_MUL:
    case CM_EX_DIV:
        put(o, "(");
        format_rec(e->a, o);
        put(o, ops[e->kind]);
        format_rec(e->b, o);
        put(o, ")");
        break;
    case CM_EX_CALL:
        put(o, e->name ? e->name : "?");
        put(o, "(");
        for (int i = 0; i < e->n_args; i++) {
            if (i)
                put(o, ", ");
            format_rec(e->args[i], o);
        }
        put(o, ")");
        break;
    }
}

int cm_expr_format(const cm_expr *e, char *buf, size_t n)
{
    out_buf o = {buf, n, 0};
    if (buf && n)
        buf[0] = '\0';
    if (e)
        format_rec(e, &o);
    return (int)o.used;
}
