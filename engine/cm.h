/*
 * cm.h - what every credmon module shares: the error enum, the located
 * diagnostic that carries "file:line: field: what is wrong" back to the CLI,
 * and the value type that stands for "a number, or why there is none".
 *
 * Modules never print. They fill a cm_diag and return its code; engine/main.c
 * prints the diagnostic and maps the code to an exit status (README, "Exit
 * codes").
 */
#ifndef CM_H
#define CM_H

#include <stddef.h>

#define CM_VERSION "0.1.0"

/* Error classes. ORDER CM_ERROR: keep in step with cm_error_text[] in cm.c. */
typedef enum cm_error {
    CM_OK = 0,
    CM_ERR_NOMEM,      /* out of memory */
    CM_ERR_IO,         /* a file could not be read or written */
    CM_ERR_ENCODING,   /* input is neither UTF-8 nor GB18030, or a char is unusable */
    CM_ERR_CSV,        /* malformed CSV: quotes, field count, truncated file */
    CM_ERR_FIELD,      /* a field's value is invalid (code, period, number, date) */
    CM_ERR_DUPLICATE,  /* the same key twice (row, section, name) */
    CM_ERR_REFERENCE,  /* names something that does not exist (region, unit, ...) */
    CM_ERR_SYNTAX,     /* definitions or formula syntax */
    CM_ERR_NAME,       /* unknown element, key, function or placeholder */
    CM_ERR_DEFINITION, /* definitions are inconsistent (missing key, bad value) */
    CM_ERR_STORE,      /* SQLite failed or the store is of an unknown version */
    CM_ERR_OUTPUT,     /* an Excel or PDF writer failed */
    CM_ERR_USAGE,      /* the caller asked for something impossible */
    CM_ERR_DATA,       /* the store lacks what a run needs (region, period) */
    CM_ERR__COUNT
} cm_error;

/* A fixed sentence for a code; never NULL. */
const char *cm_strerror(cm_error e);

/*
 * A located diagnostic. The first error recorded wins: later cm_diag_set calls
 * on a diagnostic that already holds an error are ignored, so that the
 * message a user sees names the root cause, not its consequences.
 */
typedef struct cm_diag {
    cm_error code;     /* CM_OK while nothing went wrong */
    char file[512];    /* input file, or "" */
    long line;         /* 1-based line in file, or 0 */
    long column;       /* 1-based byte column within the field's value, or 0 */
    char field[128];   /* CSV column, INI key, or "" */
    char msg[768];     /* what is wrong, one sentence, no trailing newline */
} cm_diag;

void cm_diag_clear(cm_diag *d);

/* Records an error (if none is recorded yet) and returns e, so callers can
 * write `return cm_diag_set(d, CM_ERR_FIELD, path, line, "period", "...")`.
 * file and field may be NULL. d may be NULL (then only e is returned). */
cm_error cm_diag_set(cm_diag *d, cm_error e, const char *file, long line,
                     const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Formats d as "file:line: field: msg" (parts that are empty are left out;
 * a column, when set, is within the field's value and is appended as
 * " (column N)", e.g. "x.ini:16: formula: unknown element 'b' (column 1)"). */
void cm_diag_format(const cm_diag *d, char *buf, size_t n);

/* A computed quantity: a number, or the reason there is none. NaN and inf
 * never leave the evaluator: they become CM_V_NA. */
typedef enum cm_value_kind {
    CM_V_NUM = 0,   /* num holds a finite number */
    CM_V_MISSING,   /* an input was not reported (未报送) */
    CM_V_NA,        /* not computable: zero denominator or non-finite result */
    CM_V_NODATA     /* no input has any data for the region: nothing to assess
                       (set by compute, never by the evaluator) */
} cm_value_kind;

typedef struct cm_value {
    cm_value_kind kind;
    double num;     /* meaningful only when kind == CM_V_NUM */
} cm_value;

/* Small helpers shared by modules (cm.c). */

/* strdup that returns NULL for NULL; caller frees. */
char *cm_strdup(const char *s);

/* Returns 1 if s is valid UTF-8 (no overlongs, no surrogates), else 0 and,
 * if bad_at is not NULL, the byte offset of the first bad sequence. */
int cm_utf8_valid(const char *s, size_t n, size_t *bad_at);

/* Decodes one UTF-8 code point at s (n bytes available); returns its length
 * in bytes (1..4) and stores the code point, or returns 0 on a bad sequence. */
int cm_utf8_decode(const char *s, size_t n, unsigned *cp);

/* Lists the files of folder dir whose name passes keep (hidden files,
 * names starting with '.', are never listed: editor locks and backups),
 * sorted by name. *paths receives n malloc'd "dir/name" strings; free with
 * cm_list_free. Errors: CM_ERR_IO (cannot open dir), CM_ERR_NOMEM. */
cm_error cm_list_dir(const char *dir, int (*keep)(const char *name),
                     char ***paths, size_t *n, cm_diag *d);
void cm_list_free(char **paths, size_t n);

/* Why the UTF-8 name s[0..n) cannot be a file's name, or NULL when it can:
 * empty, too long (over 200 bytes), starting or ending with '.' or a space,
 * a control character, or one of / \ : * ? " < > | (refused rather than
 * sanitised: two units could sanitise to one file; the Windows characters
 * too, because the files go to units whose desktops run Windows). Does not
 * check the encoding. */
const char *cm_file_name_problem(const char *s, size_t n);

#endif
