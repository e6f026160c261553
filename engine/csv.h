/*
 * csv.h - a streaming RFC 4180 CSV reader for files saved by Chinese Excel.
 *
 * Accepts UTF-8 with or without a BOM, and GBK/GB18030 (detected when the
 * bytes are not valid UTF-8; converted with iconv). Quoted fields may hold
 * commas, doubled quotes and newlines; lines may end in LF or CRLF. Rows are
 * handed one at a time to a callback, so memory stays flat whatever the file
 * size. Blank lines are skipped. Every row handed out is valid UTF-8.
 *
 * Errors are located: "file:line: what is wrong" where line is the physical
 * line on which the offending row starts.
 */
#ifndef CM_CSV_H
#define CM_CSV_H

#include <stddef.h>

#include "cm.h"

/* Longest field accepted (bytes, after conversion): a cap against runaway
 * quotes turning the rest of a file into one field. */
#define CM_CSV_MAX_FIELD (64 * 1024)
/* Most fields accepted in one row. */
#define CM_CSV_MAX_FIELDS 256

typedef enum cm_csv_encoding {
    CM_CSV_UTF8 = 0,
    CM_CSV_UTF8_BOM,
    CM_CSV_GB18030   /* GBK is a subset of GB18030 */
} cm_csv_encoding;

/* One row: fields[i] is NUL-terminated UTF-8 (borrowed: valid only during
 * the callback), lens[i] its length. line is the 1-based physical line on
 * which the row starts. */
typedef struct cm_csv_row {
    const char *const *fields;
    const size_t *lens;
    size_t n;
    long line;
} cm_csv_row;

/* Return CM_OK to continue; any other code stops reading and is returned by
 * cm_csv_read (the callback fills d itself). */
typedef cm_error (*cm_csv_row_cb)(void *ctx, const cm_csv_row *row,
                                  cm_diag *d);

/* Reads path, calling cb for each non-blank row (the header row included:
 * it is row 1). *enc (may be NULL) receives the detected encoding.
 * Errors: CM_ERR_IO (cannot open/read), CM_ERR_ENCODING (neither valid UTF-8
 * nor GB18030; the message names the line), CM_ERR_CSV (a quote opened and
 * never closed: "truncated file or unclosed quote", text after a closing
 * quote, field or row too long). */
cm_error cm_csv_read(const char *path, cm_csv_row_cb cb, void *ctx,
                     cm_csv_encoding *enc, cm_diag *d);

/* Same, and also takes the SHA-256 of the file's raw bytes (BOM and all,
 * before any conversion) while reading them to parse, so an importer needs
 * no separate pass for its audit hash (the same digest as cm_sha256_file).
 * hex (may be NULL) receives the lower-case digest, size (may be NULL) the
 * file's size in bytes; both are written only when CM_OK is returned, and
 * then describe exactly the bytes whose rows were handed out. Errors as
 * cm_csv_read. */
cm_error cm_csv_read_hash(const char *path, cm_csv_row_cb cb, void *ctx,
                          cm_csv_encoding *enc, char hex[65],
                          long long *size, cm_diag *d);

/* Same, over a memory buffer (for tests and fuzzing); name is used in
 * messages in place of a path. */
cm_error cm_csv_read_mem(const char *name, const char *buf, size_t len,
                         cm_csv_row_cb cb, void *ctx, cm_csv_encoding *enc,
                         cm_diag *d);

/* Narrows s[0..*n) to its text without leading and trailing spaces, tabs,
 * line breaks and ideographic spaces (U+3000, typed by Chinese input
 * methods): how every importer reads a field. */
void cm_csv_trim(const char **s, size_t *n);

#endif
