/*
 * fuzz_defs.c - libFuzzer target for the definitions loader (defs.h): any
 * text as an indicators file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "defs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    cm_diag d;
    cm_diag_clear(&d);
    cm_defs *defs = NULL;
    cm_defs_load_mem("fuzz.ini", s, &defs, &d);
    cm_defs_free(defs);
    free(s);
    return 0;
}
