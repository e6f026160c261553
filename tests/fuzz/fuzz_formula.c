/*
 * fuzz_formula.c - libFuzzer target for the formula language: lex, parse,
 * resolve against a few element names, evaluate with arbitrary inputs. The
 * evaluator must never return NaN or infinity.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "parse.h"
#include "resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cm_value fetch(void *ctx, int element, int lag)
{
    (void)ctx;
    /* a spread of values, zero and missing among them */
    static const double vals[] = {0, 1, -3.5, 1e300, 7};
    int k = (element * 3 + lag) % 6;
    if (k == 5)
        return (cm_value){CM_V_MISSING, 0};
    return (cm_value){CM_V_NUM, vals[k]};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > CM_PARSE_MAX_LEN + 16)
        return 0;
    char *src = malloc(size + 1);
    if (!src)
        return 0;
    memcpy(src, data, size);
    src[size] = '\0';
    static const char *const names[] = {"a", "b", "blacklist", "enterprises"};
    cm_diag d;
    cm_diag_clear(&d);
    cm_expr *e = NULL;
    if (cm_parse_expr(src, &e, &d) == CM_OK) {
        cm_diag_clear(&d);
        int lag = 0;
        if (cm_resolve_expr(e, names, 4, &lag, &d) == CM_OK) {
            cm_value v = cm_eval_expr(e, fetch, NULL);
            if (v.kind == CM_V_NUM && !isfinite(v.num))
                abort();
        }
        char buf[256];
        cm_expr_format(e, buf, sizeof buf);
    }
    cm_expr_free(e);
    free(src);
    return 0;
}
