/*
 * lex.c - tokenizer of the formula language (see lex.h for the tokens).
 *
 * Only ASCII is accepted: a formula typed in a Chinese input method often
 * carries full-width signs (＋, （, ％) that look right on screen, so each
 * of them is reported by name and column rather than guessed at.
 */
#include "lex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ORDER TOKEN */
static const char *const token_names[] = {
    "end of formula", "number", "name", "'+'", "'-'",
    "'*'", "'/'", "'('", "')'", "','",
};

const char *cm_lex_token_name(cm_token_kind k)
{
    if ((int)k < 0 || (size_t)k >= sizeof token_names / sizeof *token_names)
        return "token";
    return token_names[k];
}

void cm_lex_init(cm_lexer *lx, const char *src)
{
    memset(lx, 0, sizeof *lx);
    lx->src = src ? src : "";
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c)
{
    return is_name_start(c) || is_digit(c);
}

static cm_error lex_error(cm_diag *d, size_t pos, const char *fmt,
                          const char *what)
{
    cm_error e = CM_ERR_SYNTAX;
    if (d && d->code == CM_OK) {
        cm_diag_set(d, e, NULL, 0, NULL, fmt, what);
        d->column = (long)pos + 1;
    }
    return e;
}

/* NUMBER := digits [ '.' digits ] [ ('e'|'E') ['+'|'-'] digits ] */
static cm_error lex_number(cm_lexer *lx, cm_token *t, cm_diag *d)
{
    const char *s = lx->src;
    size_t start = lx->pos, p = lx->pos;
    int ok = 1;
    while (is_digit(s[p]))
        p++;
    if (s[p] == '.') {
        p++;
        if (!is_digit(s[p]))
            ok = 0;
        while (is_digit(s[p]))
            p++;
    }
    if (ok && (s[p] == 'e' || s[p] == 'E')) {
        p++;
        if (s[p] == '+' || s[p] == '-')
            p++;
        if (!is_digit(s[p]))
            ok = 0;
        while (is_digit(s[p]))
            p++;
    }
    /* "2a" or "1.5.2" is one mistyped word, not two tokens. */
    if (is_name_char(s[p]) || s[p] == '.')
        ok = 0;
    if (!ok) {
        size_t q = p;
        while (is_name_char(s[q]) || s[q] == '.')
            q++;
        char shown[48];
        size_t n = q - start < sizeof shown - 1 ? q - start : sizeof shown - 1;
        memcpy(shown, s + start, n);
        shown[n] = '\0';
        return lex_error(d, start, "malformed number '%s'", shown);
    }
    char buf[128];
    size_t n = p - start;
    if (n >= sizeof buf)
        return lex_error(d, start, "number too long%s", "");
    memcpy(buf, s + start, n);
    buf[n] = '\0';
    double v = strtod(buf, NULL);
    if (!isfinite(v))
        return lex_error(d, start, "number out of range '%s'", buf);
    t->kind = CM_TK_NUMBER;
    t->number = v;
    t->len = n;
    lx->pos = p;
    return CM_OK;
}

static cm_error lex_token(cm_lexer *lx, cm_token *t, cm_diag *d)
{
    const char *s = lx->src;
    while (s[lx->pos] == ' ' || s[lx->pos] == '\t' || s[lx->pos] == '\n' ||
           s[lx->pos] == '\r')
        lx->pos++;
    memset(t, 0, sizeof *t);
    t->start = s + lx->pos;
    t->column = (int)lx->pos + 1;
    char c = s[lx->pos];
    static const struct {
        char c;
        cm_token_kind k;
    } singles[] = {
        {'+', CM_TK_PLUS},   {'-', CM_TK_MINUS},  {'*', CM_TK_STAR},
        {'/', CM_TK_SLASH},  {'(', CM_TK_LPAREN}, {')', CM_TK_RPAREN},
        {',', CM_TK_COMMA},
    };
    if (c == '\0') {
        t->kind = CM_TK_EOF;
        return CM_OK;
    }
    for (size_t i = 0; i < sizeof singles / sizeof *singles; i++) {
        if (c == singles[i].c) {
            t->kind = singles[i].k;
            t->len = 1;
            lx->pos++;
            return CM_OK;
        }
    }
    if (is_digit(c))
        return lex_number(lx, t, d);
    if (is_name_start(c)) {
        size_t p = lx->pos;
        while (is_name_char(s[p]))
            p++;
        t->kind = CM_TK_NAME;
        t->len = p - lx->pos;
        lx->pos = p;
        return CM_OK;
    }
    /* Name the character as the user typed it: a whole UTF-8 sequence. */
    size_t rest = strlen(s + lx->pos);
    unsigned cp;
    int k = cm_utf8_decode(s + lx->pos, rest, &cp);
    char shown[8];
    if (k > 0) {
        memcpy(shown, s + lx->pos, (size_t)k);
        shown[k] = '\0';
        return lex_error(d, lx->pos, "unexpected character '%s'", shown);
    }
    snprintf(shown, sizeof shown, "0x%02X", (unsigned char)c);
    return lex_error(d, lx->pos, "unexpected byte %s (not UTF-8)", shown);
}

cm_error cm_lex_next(cm_lexer *lx, cm_token *out, cm_diag *d)
{
    if (lx->has_ahead) {
        *out = lx->ahead;
        lx->has_ahead = 0;
        return CM_OK;
    }
    return lex_token(lx, out, d);
}

cm_error cm_lex_peek(cm_lexer *lx, cm_token *out, cm_diag *d)
{
    if (!lx->has_ahead) {
        cm_error e = lex_token(lx, &lx->ahead, d);
        if (e != CM_OK)
            return e;
        lx->has_ahead = 1;
    }
    *out = lx->ahead;
    return CM_OK;
}
