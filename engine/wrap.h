/*
 * wrap.h - Chinese line breaking (禁则, kinsoku) and East-Asian text width.
 *
 * Used by the PDF writer (widths measured with the embedded font) and by
 * the Excel writer (widths in units of '0' for column sizes and row
 * heights). Rules, from DESIGN.md "Outputs":
 *   - a line may break between any two CJK characters, at ASCII spaces, and
 *     inside a Latin word or number only when the word alone exceeds a line;
 *   - no line starts with ，。、；：！？）」』》〕】”’·… nor their half-width
 *     forms , . ; : ! ? ) ] } and no line ends with （「『《〔【“‘ ( [ {;
 *     to keep them the breaker moves characters to the next line (it never
 *     lets text run past max_width unless a single character is wider);
 *   - "\n" forces a break.
 */
#ifndef CM_WRAP_H
#define CM_WRAP_H

#include <stddef.h>

#include "cm.h"

/* Display width of a code point in half-width cells: 2 for East Asian Wide
 * and Fullwidth (CJK, full-width punctuation, 〔〕), 0 for combining marks
 * and controls, 1 otherwise. */
int cm_wrap_cp_width(unsigned cp);

/* Sum of cm_wrap_cp_width over the UTF-8 text s[0..n). */
size_t cm_wrap_text_width(const char *s, size_t n);

/* 1 if cp may not start a line / may not end a line. */
int cm_wrap_no_start(unsigned cp);
int cm_wrap_no_end(unsigned cp);

/* Width of s[0..n) in the caller's units (points, '0' widths...). */
typedef double (*cm_wrap_measure)(void *ctx, const char *s, size_t n);

typedef struct cm_wrap_line {
    size_t start;   /* byte offset into the text */
    size_t len;     /* bytes, without the "\n" and without trailing spaces */
} cm_wrap_line;

/* Breaks text into lines no wider than max_width. *lines is a malloc'd
 * array of *n_lines entries (caller frees); an empty text gives one empty
 * line. Errors: CM_ERR_ENCODING (text not UTF-8), CM_ERR_NOMEM. */
cm_error cm_wrap_lines(const char *text, double max_width,
                       cm_wrap_measure measure, void *ctx,
                       cm_wrap_line **lines, size_t *n_lines);

/* A measure in half-width cells (cm_wrap_text_width), ctx unused. */
double cm_wrap_measure_cells(void *ctx, const char *s, size_t n);

#endif
