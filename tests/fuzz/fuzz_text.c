/*
 * fuzz_text.c - libFuzzer target for templates (text.h): check and render
 * any text with a fixed set of variables; also the INI reader (ini.h) and
 * the target reader (target.h) on the same input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "target.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cm_error on_ini(void *ctx, const char *section, const char *key,
                       const char *value, long line, cm_diag *d)
{
    (void)ctx, (void)section, (void)key, (void)value, (void)line, (void)d;
    return CM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    static const char *const allowed[] = {"value", "unit", "d_month", "name"};
    static const cm_text_var vars[] = {
        {"value", "1.8"}, {"unit", "%"}, {"d_month", "-3"}, {"name", NULL},
    };
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_text_check(s, allowed, 4, &d) == CM_OK) {
        char *out = NULL;
        cm_diag_clear(&d);
        if (cm_text_render(s, vars, 4, &out, &d) == CM_OK &&
            !cm_utf8_valid(out, strlen(out), NULL))
            abort();
        free(out);
    }
    cm_diag_clear(&d);
    cm_ini_parse_mem("fuzz.ini", s, on_ini, NULL, &d);
    cm_target t;
    cm_diag_clear(&d);
    cm_target_parse(s, &t, &d);
    free(s);
    return 0;
}
