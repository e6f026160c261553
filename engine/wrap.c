/*
 * wrap.c - Chinese line breaking (禁则) and East-Asian width.
 *
 * The breaker works on "break opportunities": a position between two
 * characters where a line may end. Kinsoku is expressed by removing
 * opportunities (none before a no-start character, none after a no-end
 * one), so that the greedy fit below, which takes the last opportunity that
 * fits, pulls the previous character down by construction and handles runs
 * such as "）。" without a special case.
 */
#include "wrap.h"

#include <stdlib.h>
#include <string.h>

typedef struct cp_range {
    unsigned lo, hi;
} cp_range;

/* East Asian Width W and F (Unicode 15 EastAsianWidth.txt), merged into
 * the ranges a Chinese document can meet; emoji pictographs are kept only as
 * whole blocks. Sorted for the binary search. 303F (half fill space) is N. */
static const cp_range cm_wide[] = {
    {0x1100, 0x115F},   /* Hangul Jamo initial consonants */
    {0x2329, 0x232A},   /* angle brackets 〈〉 (deprecated forms) */
    {0x2E80, 0x2E99},   {0x2E9B, 0x2EF3},   /* CJK radicals supplement */
    {0x2F00, 0x2FD5},   /* Kangxi radicals */
    {0x2FF0, 0x2FFB},   /* ideographic description characters */
    {0x3000, 0x303E},   /* CJK symbols and punctuation: 、。〔〕【】 */
    {0x3041, 0x3096},   /* Hiragana */
    {0x3099, 0x30FF},   /* Katakana */
    {0x3105, 0x312F},   /* Bopomofo */
    {0x3131, 0x318E},   /* Hangul compatibility Jamo */
    {0x3190, 0x31E3},   /* Kanbun, Bopomofo ext., CJK strokes */
    {0x31F0, 0x321E},   {0x3220, 0x3247},   /* enclosed CJK */
    {0x3250, 0x4DBF},   /* enclosed, compatibility, CJK ext. A */
    {0x4E00, 0xA48C},   /* CJK unified ideographs, Yi syllables */
    {0xA490, 0xA4C6},   /* Yi radicals */
    {0xA960, 0xA97C},   /* Hangul Jamo ext. A */
    {0xAC00, 0xD7A3},   /* Hangul syllables */
    {0xF900, 0xFAFF},   /* CJK compatibility ideographs */
    {0xFE10, 0xFE19},   /* vertical forms */
    {0xFE30, 0xFE52},   {0xFE54, 0xFE66},   {0xFE68, 0xFE6B},
    {0xFF01, 0xFF60},   /* full-width forms ！（），：；？ */
    {0xFFE0, 0xFFE6},   /* full-width signs ￥ */
    {0x16FE0, 0x16FE4}, {0x17000, 0x187F7}, {0x18800, 0x18CD5},
    {0x1B000, 0x1B2FB},
    {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF},
    {0x20000, 0x2FFFD}, /* CJK ext. B-F, compatibility supplement */
    {0x30000, 0x3FFFD}, /* CJK ext. G */
};

/* Zero-width: combining marks and format characters (controls are handled
 * apart). */
static const cp_range cm_zero[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},
    {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
    {0x2028, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF},
    {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
    {0xE0100, 0xE01EF},
};

/* DESIGN.md "Outputs": no line starts with ，。、；：！？）」』》〕】”’·… nor
 * their half-width forms. ReportLab's list misses ，；：！？”》, hence the
 * test of every entry. The half-width forms include the Katakana-block
 * ｡､｣ (U+FF61..) and the full-width ］｝ of the listed ] }. */
static const unsigned cm_no_start[] = {
    0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF01, 0xFF1F, 0xFF09,
    0x300D, 0x300F, 0x300B, 0x3015, 0x3011, 0x201D, 0x2019, 0x00B7,
    0x2026,
    ',', '.', ';', ':', '!', '?', ')', ']', '}',
    0xFF3D, 0xFF5D, 0xFF61, 0xFF63, 0xFF64,
};

/* No line ends with （「『《〔【“‘ nor ( [ { (and ［｛｢). */
static const unsigned cm_no_end[] = {
    0xFF08, 0x300C, 0x300E, 0x300A, 0x3014, 0x3010, 0x201C, 0x2018,
    '(', '[', '{',
    0xFF3B, 0xFF5B, 0xFF62,
};

static int in_ranges(unsigned cp, const cp_range *r, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

static int in_list(unsigned cp, const unsigned *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (l[i] == cp)
            return 1;
    return 0;
}

int cm_wrap_cp_width(unsigned cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    if (in_ranges(cp, cm_zero, sizeof cm_zero / sizeof cm_zero[0]))
        return 0;
    if (in_ranges(cp, cm_wide, sizeof cm_wide / sizeof cm_wide[0]))
        return 2;
    return 1;
}

size_t cm_wrap_text_width(const char *s, size_t n)
{
    size_t w = 0, i = 0;
    while (i < n) {
        unsigned cp;
        int k = cm_utf8_decode(s + i, n - i, &cp);
        if (k == 0) {
            /* a stray byte still takes a cell wherever it is shown */
            w++;
            i++;
            continue;
        }
        w += (size_t)cm_wrap_cp_width(cp);
        i += (size_t)k;
    }
    return w;
}

int cm_wrap_no_start(unsigned cp)
{
    return in_list(cp, cm_no_start, sizeof cm_no_start / sizeof cm_no_start[0]);
}

int cm_wrap_no_end(unsigned cp)
{
    return in_list(cp, cm_no_end, sizeof cm_no_end / sizeof cm_no_end[0]);
}

double cm_wrap_measure_cells(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    return (double)cm_wrap_text_width(s, n);
}

/* ---- breaking ---------------------------------------------------------- */

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Code point at byte p (text already validated). */
static unsigned cp_at(const char *t, size_t p, size_t e)
{
    unsigned cp = 0;
    if (cm_utf8_decode(t + p, e - p, &cp) == 0)
        return 0xFFFD;
    return cp;
}

/* Start of the character that ends just before p (p > 0). */
static size_t prev_start(const char *t, size_t p)
{
    p--;
    while (p && ((unsigned char)t[p] & 0xC0) == 0x80)
        p--;
    return p;
}

static size_t next_boundary(const char *t, size_t p, size_t e)
{
    p++;
    while (p < e && ((unsigned char)t[p] & 0xC0) == 0x80)
        p++;
    return p;
}

/* End of s..p with trailing spaces removed. */
static size_t trim_end(const char *t, size_t s, size_t p)
{
    while (p > s && is_space((unsigned char)t[p - 1]))
        p--;
    return p;
}

/* Kinsoku for a break at p within the line starting at s: the character at
 * p may start a line and the last non-space one before p may end it. */
static int kinsoku_ok(const char *t, size_t s, size_t p, size_t e)
{
    if (p >= e)
        return 1;
    if (cm_wrap_no_start(cp_at(t, p, e)))
        return 0;
    size_t q = trim_end(t, s, p);
    if (q == s)
        return 1;
    return !cm_wrap_no_end(cp_at(t, prev_start(t, q), e));
}

/* A break opportunity at p (s < p < e): after spaces, or next to a wide
 * character, and allowed by kinsoku. Latin words and numbers have none
 * inside, so they move to the next line whole. */
static int is_opportunity(const char *t, size_t s, size_t p, size_t e)
{
    if (is_space((unsigned char)t[p]))
        return 0;
    if (!kinsoku_ok(t, s, p, e))
        return 0;
    size_t q = prev_start(t, p);
    if (is_space((unsigned char)t[q]))
        return trim_end(t, s, p) > s;
    return cm_wrap_cp_width(cp_at(t, q, e)) == 2
        || cm_wrap_cp_width(cp_at(t, p, e)) == 2;
}

/* Line break for a line that starts at s in the paragraph ending at e. */
static size_t fit_line(const char *t, size_t s, size_t e, double max_width,
                       cm_wrap_measure measure, void *ctx)
{
    size_t best = 0, unit_end = e;
    for (size_t p = next_boundary(t, s, e); p <= e;
         p = p < e ? next_boundary(t, p, e) : e + 1) {
        if (p < e && !is_opportunity(t, s, p, e))
            continue;
        size_t q = trim_end(t, s, p);
        if (q == s)
            continue;
        if (measure(ctx, t + s, q - s) <= max_width) {
            best = p;
        } else {
            unit_end = p;
            break;
        }
    }
    if (best)
        return best;

    /* The first word alone is wider than the line: cut it at the widest
     * character boundary that fits, respecting kinsoku where some cut
     * does, and always advancing by at least one visible character. */
    size_t last_fit = 0, last_ok = 0;
    for (size_t p = next_boundary(t, s, e); p < unit_end;
         p = next_boundary(t, p, e)) {
        size_t q = trim_end(t, s, p);
        if (q == s)
            continue;
        if (measure(ctx, t + s, q - s) > max_width)
            break;
        last_fit = p;
        if (kinsoku_ok(t, s, p, e))
            last_ok = p;
    }
    if (last_ok)
        return last_ok;
    if (last_fit)
        return last_fit;
    size_t p = s;
    while (p < e && is_space((unsigned char)t[p]))
        p++;
    return p < e ? next_boundary(t, p, e) : e;
}

typedef struct line_vec {
    cm_wrap_line *v;
    size_t n, cap;
} line_vec;

static cm_error push_line(line_vec *lv, size_t start, size_t len)
{
    if (lv->n == lv->cap) {
        size_t cap = lv->cap ? lv->cap * 2 : 8;
        cm_wrap_line *nv = realloc(lv->v, cap * sizeof *nv);
        if (!nv)
            return CM_ERR_NOMEM;
        lv->v = nv;
        lv->cap = cap;
    }
    lv->v[lv->n].start = start;
    lv->v[lv->n].len = len;
    lv->n++;
    return CM_OK;
}

cm_error cm_wrap_lines(const char *text, double max_width,
                       cm_wrap_measure measure, void *ctx,
                       cm_wrap_line **lines, size_t *n_lines)
{
    *lines = NULL;
    *n_lines = 0;
    if (!text)
        text = "";
    if (!measure)
        measure = cm_wrap_measure_cells;
    size_t len = strlen(text);
    if (!cm_utf8_valid(text, len, NULL))
        return CM_ERR_ENCODING;

    line_vec lv = {NULL, 0, 0};
    size_t ps = 0;
    for (;;) {
        const char *nl = memchr(text + ps, '\n', len - ps);
        size_t pe = nl ? (size_t)(nl - text) : len;
        size_t s = ps;
        if (trim_end(text, s, pe) == s) {
            if (push_line(&lv, s, 0) != CM_OK)
                goto nomem;
        }
        while (trim_end(text, s, pe) > s) {
            size_t b = fit_line(text, s, pe, max_width, measure, ctx);
            if (push_line(&lv, s, trim_end(text, s, b) - s) != CM_OK)
                goto nomem;
            s = b;
            while (s < pe && is_space((unsigned char)text[s]))
                s++;
        }
        if (!nl)
            break;
        ps = pe + 1;
    }
    *lines = lv.v;
    *n_lines = lv.n;
    return CM_OK;

nomem:
    free(lv.v);
    return CM_ERR_NOMEM;
}
