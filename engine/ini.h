/*
 * ini.h - a small INI reader for the .ini files of indicators/ and templates/.
 *
 * Syntax: UTF-8 text (a BOM is skipped). Lines starting with ';' or '#' are
 * comments. "[kind name]" or "[name]" opens a section; "key = value" sets a
 * key (whitespace around both trimmed). A value continues onto following
 * lines that start with whitespace (each continuation joined with "\n"), so a
 * paragraph or a long template can be wrapped. Keys are [a-z][a-z0-9_.]*.
 * Anything else is a syntax error located at its line.
 */
#ifndef CM_INI_H
#define CM_INI_H

#include "cm.h"

/* Called once per section header (key == NULL, value == NULL) and once per
 * key. section is the text between the brackets, trimmed, e.g.
 * "indicator blacklist_share". Strings are borrowed for the call. line is the
 * 1-based line of the header or of the key. Return CM_OK to go on; anything
 * else stops the parse and is returned (fill d yourself). */
typedef cm_error (*cm_ini_cb)(void *ctx, const char *section, const char *key,
                              const char *value, long line, cm_diag *d);

/* Parses a file. Errors: CM_ERR_IO, CM_ERR_ENCODING (not UTF-8),
 * CM_ERR_SYNTAX (a key before any section, a line that is neither, an
 * unclosed '['), or whatever cb returned. */
cm_error cm_ini_parse_file(const char *path, cm_ini_cb cb, void *ctx,
                           cm_diag *d);

/* Same over a NUL-terminated buffer; name stands for the path in messages. */
cm_error cm_ini_parse_mem(const char *name, const char *text, cm_ini_cb cb,
                          void *ctx, cm_diag *d);

#endif
