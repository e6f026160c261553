/*
 * fuzz_csv.c - libFuzzer target for the CSV reader (csv.h): any bytes, as
 * UTF-8, GB18030 or garbage; every row handed out must be valid UTF-8 and
 * nothing may read outside its fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cm_error on_row(void *ctx, const cm_csv_row *row, cm_diag *d)
{
    (void)d;
    size_t *total = ctx;
    for (size_t i = 0; i < row->n; i++) {
        if (!cm_utf8_valid(row->fields[i], row->lens[i], NULL) ||
            strlen(row->fields[i]) != row->lens[i])
            abort();
        *total += row->lens[i];
    }
    return CM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cm_diag d;
    cm_diag_clear(&d);
    size_t total = 0;
    cm_csv_read_mem("fuzz.csv", (const char *)data, size, on_row, &total, NULL,
                    &d);
    return 0;
}
