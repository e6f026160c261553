/*
 * eval.c - evaluates a resolved formula tree (see eval.h).
 *
 * Both operands of an operator are always evaluated, so that an unreported
 * input on the right still wins over a zero denominator on the left: the
 * user is told what to report before being told what cannot be computed.
 */
#include "eval.h"

#include <math.h>

static cm_value num(double v)
{
    cm_value r = {CM_V_NUM, v};
    if (!isfinite(v))
        r.kind = CM_V_NA, r.num = 0;
    return r;
}

static cm_value na(void)
{
    cm_value r = {CM_V_NA, 0};
    return r;
}

static cm_value eval_at(const cm_expr *e, int lag, cm_eval_fetch fetch,
                        void *ctx)
{
    if (!e)
        return na();
    switch (e->kind) {
    case CM_EX_NUM:
        return num(e->num);
    case CM_EX_NAME: {
        if (e->element < 0 || !fetch)
            return na();
        cm_value v = fetch(ctx, e->element, lag);
        if (v.kind == CM_V_NUM)
            return num(v.num);
        if (v.kind == CM_V_MISSING) {
            cm_value m = {CM_V_MISSING, 0};
            return m;
        }
        return na();
    }
    case CM_EX_NEG: {
        cm_value v = eval_at(e->a, lag, fetch, ctx);
        return v.kind == CM_V_NUM ? num(-v.num) : v;
    }
    case CM_EX_ADD:
    case CM_EX_SUB:
    case CM_EX_MUL:
    case CM_EX_DIV: {
        cm_value a = eval_at(e->a, lag, fetch, ctx);
        cm_value b = eval_at(e->b, lag, fetch, ctx);
        if (a.kind == CM_V_MISSING || b.kind == CM_V_MISSING) {
            cm_value m = {CM_V_MISSING, 0};
            return m;
        }
        if (a.kind != CM_V_NUM || b.kind != CM_V_NUM)
            return na();
        switch (e->kind) {
        case CM_EX_ADD:
            return num(a.num + b.num);
        case CM_EX_SUB:
            return num(a.num - b.num);
        case CM_EX_MUL:
            return num(a.num * b.num);
        default:
            if (b.num == 0)
                return na();
            return num(a.num / b.num);
        }
    }
    case CM_EX_CALL:
        if (e->func == CM_FN_PREV && e->n_args == 1)
            return eval_at(e->args[0], lag + 1, fetch, ctx);
        return na();
    }
    return na();
}

cm_value cm_eval_expr(const cm_expr *e, cm_eval_fetch fetch, void *ctx)
{
    return eval_at(e, 0, fetch, ctx);
}
