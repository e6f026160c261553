/*
 * test_wrap.c - East-Asian widths and the kinsoku line breaker. Expected
 * lines are written by hand; every character of both kinsoku lists is put
 * where the natural break would leave it at a line's start or end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wrap.h"

/* Wraps text in cells and joins the lines with '|', checking on the way
 * that no line is wider than the limit. */
static void wrap_join(const char *text, double width, char *out, size_t n)
{
    cm_wrap_line *lines = NULL;
    size_t nl = 0;
    assert_int_equal(cm_wrap_lines(text, width, cm_wrap_measure_cells, NULL,
                                   &lines, &nl),
                     CM_OK);
    assert_non_null(lines);
    assert_true(nl >= 1);
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < nl; i++) {
        assert_true(cm_wrap_text_width(text + lines[i].start, lines[i].len)
                    <= (size_t)width);
        int k = snprintf(out + used, n - used, "%s%.*s", i ? "|" : "",
                         (int)lines[i].len, text + lines[i].start);
        assert_true(k >= 0 && (size_t)k < n - used);
        used += (size_t)k;
    }
    free(lines);
}

static void test_text_width(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t w;
    } cases[] = {
        {"雅安市", 6},     {"abc", 3},        {"１", 2},
        {"〔〕", 4},       {"，。", 4},       {"·…", 2},
        {"1.8%", 4},       {"e\xcc\x81", 1},  {"a\tb", 2},
        {"\xef\xbd\xb1", 1},                  /* halfwidth katakana ｱ */
        {"￥　", 4},       {"\xf0\xa0\x80\x80", 2}, /* U+20000 */
        {"", 0},           {"한국", 4},       {"ア", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t w = cm_wrap_text_width(cases[i].s, strlen(cases[i].s));
        if (w != cases[i].w)
            fail_msg("width of \"%s\" = %zu, want %zu", cases[i].s, w,
                     cases[i].w);
    }
}

static void test_cp_width_boundaries(void **state)
{
    (void)state;
    static const struct {
        unsigned cp;
        int w;
    } cases[] = {
        {'A', 1},      {0x00, 0},     {0x1F, 0},     {0x7F, 0},
        {0x9F, 0},     {0xA0, 1},     {0x00B7, 1},   {0x0301, 0},
        {0x200B, 0},   {0x10FF, 1},   {0x1100, 2},   {0x115F, 2},
        {0x1160, 1},   {0x2FFF, 1},   {0x3000, 2},   {0x3014, 2},
        {0x3015, 2},   {0x303E, 2},   {0x303F, 1},   {0x3400, 2},
        {0x4DBF, 2},   {0x4DC0, 1},   {0x4E00, 2},   {0x9FFF, 2},
        {0xAC00, 2},   {0xD7A3, 2},   {0xD7A4, 1},   {0xF900, 2},
        {0xFF00, 1},   {0xFF01, 2},   {0xFF60, 2},   {0xFF61, 1},
        {0xFFDF, 1},   {0xFFE0, 2},   {0xFFE6, 2},   {0xFFE7, 1},
        {0x1FFFF, 1},  {0x20000, 2},  {0x2FFFD, 2},  {0x30000, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int w = cm_wrap_cp_width(cases[i].cp);
        if (w != cases[i].w)
            fail_msg("width of U+%04X = %d, want %d", cases[i].cp, w,
                     cases[i].w);
    }
}

static void test_pure_chinese(void **state)
{
    (void)state;
    char out[512];
    wrap_join("一二三四五六七八九十", 6, out, sizeof out);
    assert_string_equal(out, "一二三|四五六|七八九|十");
    /* an odd width cannot hold half a character */
    wrap_join("一二三四五六七八九十", 9, out, sizeof out);
    assert_string_equal(out, "一二三四|五六七八|九十");
    wrap_join("一二三四五六七八九十", 20, out, sizeof out);
    assert_string_equal(out, "一二三四五六七八九十");
    /* exactly N = 5 per line over a long run */
    wrap_join("甲乙丙丁戊己庚辛壬癸子丑寅卯辰", 10, out, sizeof out);
    assert_string_equal(out, "甲乙丙丁戊|己庚辛壬癸|子丑寅卯辰");
}

static void test_latin_words(void **state)
{
    (void)state;
    char out[512];
    wrap_join("aaa bbbbbb", 8, out, sizeof out);
    assert_string_equal(out, "aaa|bbbbbb");
    wrap_join("中文hello", 6, out, sizeof out);
    assert_string_equal(out, "中文|hello");
    wrap_join("2018年12月", 6, out, sizeof out);
    assert_string_equal(out, "2018年|12月");
    /* a word longer than a line is cut, and only then */
    wrap_join("abcdefghij", 4, out, sizeof out);
    assert_string_equal(out, "abcd|efgh|ij");
    wrap_join("ab abcdefghij", 4, out, sizeof out);
    assert_string_equal(out, "ab|abcd|efgh|ij");
    /* seed 000 annex 2: the bracketed benchmark moves as one piece */
    wrap_join("黑名单数量占工商企业数量比重为1.8%,高于地级市平均水平(1.31%)",
              20, out, sizeof out);
    assert_string_equal(out, "黑名单数量占工商企业|数量比重为1.8%,高于|"
                             "地级市平均水平|(1.31%)");
}

static void test_newlines_and_spaces(void **state)
{
    (void)state;
    char out[512];
    wrap_join("ab\ncd", 10, out, sizeof out);
    assert_string_equal(out, "ab|cd");
    wrap_join("a\n\nb", 10, out, sizeof out);
    assert_string_equal(out, "a||b");
    wrap_join("abc  \n", 10, out, sizeof out);
    assert_string_equal(out, "abc|");
    wrap_join("abc   def", 5, out, sizeof out);
    assert_string_equal(out, "abc|def");
    wrap_join("中 文", 2, out, sizeof out);
    assert_string_equal(out, "中|文");
    /* leading indentation of a paragraph is kept */
    wrap_join("  ab", 10, out, sizeof out);
    assert_string_equal(out, "  ab");

    cm_wrap_line *lines = NULL;
    size_t n = 0;
    assert_int_equal(cm_wrap_lines("", 10, cm_wrap_measure_cells, NULL,
                                   &lines, &n),
                     CM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(lines[0].start, 0);
    assert_int_equal(lines[0].len, 0);
    free(lines);

    /* offsets are bytes into the text, lengths exclude the spaces */
    assert_int_equal(cm_wrap_lines("abc   def\r\nxy", 5, cm_wrap_measure_cells,
                                   NULL, &lines, &n),
                     CM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(lines[0].start, 0);
    assert_int_equal(lines[0].len, 3);
    assert_int_equal(lines[1].start, 6);
    assert_int_equal(lines[1].len, 3);
    assert_int_equal(lines[2].start, 11);
    assert_int_equal(lines[2].len, 2);
    free(lines);
}

/* ，。、；：！？）」』》〕】”’·… and half-width , . ; : ! ? ) ] } */
static const char *const no_start_chars[] = {
    "，", "。", "、", "；", "：", "！", "？", "）", "」", "』", "》", "〕",
    "】", "”", "’", "·", "…",
    ",", ".", ";", ":", "!", "?", ")", "]", "}",
    "］", "｝", "｡", "｣", "､",
};

/* （「『《〔【“‘ and ( [ { */
static const char *const no_end_chars[] = {
    "（", "「", "『", "《", "〔", "【", "“", "‘",
    "(", "[", "{",
    "［", "｛", "｢",
};

static unsigned decode1(const char *s)
{
    unsigned cp = 0;
    assert_true(cm_utf8_decode(s, strlen(s), &cp) > 0);
    return cp;
}

static void test_kinsoku_lists(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof no_start_chars / sizeof *no_start_chars;
         i++) {
        unsigned cp = decode1(no_start_chars[i]);
        assert_true(cm_wrap_no_start(cp));
        assert_false(cm_wrap_no_end(cp));
    }
    for (size_t i = 0; i < sizeof no_end_chars / sizeof *no_end_chars; i++) {
        unsigned cp = decode1(no_end_chars[i]);
        assert_true(cm_wrap_no_end(cp));
        assert_false(cm_wrap_no_start(cp));
    }
    assert_false(cm_wrap_no_start(0x4E00));
    assert_false(cm_wrap_no_end(0x4E00));
    assert_false(cm_wrap_no_start('a'));
    assert_false(cm_wrap_no_end('a'));
}

static void test_no_start_pulls_previous(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof no_start_chars / sizeof *no_start_chars;
         i++) {
        const char *c = no_start_chars[i];
        char text[64], want[64], out[256];
        /* 一二三 fill 6 cells: the natural break puts c first on line 2 */
        snprintf(text, sizeof text, "一二三%s四", c);
        snprintf(want, sizeof want, "一二|三%s四", c);
        wrap_join(text, 6, out, sizeof out);
        if (strcmp(out, want) != 0)
            fail_msg("no-start %s: got \"%s\", want \"%s\"", c, out, want);
    }
}

static void test_no_end_moves_down(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof no_end_chars / sizeof *no_end_chars; i++) {
        const char *c = no_end_chars[i];
        int w = cm_wrap_cp_width(decode1(c));
        char text[64], want[64], out[256];
        /* 一二 + c fill the line exactly: the natural break would leave c
         * last on line 1 */
        snprintf(text, sizeof text, "一二%s三四", c);
        snprintf(want, sizeof want, "一二|%s三四", c);
        wrap_join(text, 4 + w, out, sizeof out);
        if (strcmp(out, want) != 0)
            fail_msg("no-end %s: got \"%s\", want \"%s\"", c, out, want);
    }
}

static void test_no_start_runs(void **state)
{
    (void)state;
    char out[512];
    wrap_join("一二三）。", 6, out, sizeof out);
    assert_string_equal(out, "一二|三）。");
    wrap_join("一二三四）。五", 8, out, sizeof out);
    assert_string_equal(out, "一二三|四）。五");
    wrap_join("一二三”。）四", 8, out, sizeof out);
    assert_string_equal(out, "一二|三”。）|四");
    /* quoted phrase: opening quote goes down with its text */
    wrap_join("形成“诚实守信”的氛围", 6, out, sizeof out);
    assert_string_equal(out, "形成|“诚实|守信”|的氛围");
    /* a line of one character cannot keep the rule: width wins */
    wrap_join("中）", 2, out, sizeof out);
    assert_string_equal(out, "中|）");
}

/* A measure in points, as the PDF writer gives: 10.5 per CJK character. */
static double measure_points(void *ctx, const char *s, size_t n)
{
    double *scale = ctx;
    return (double)cm_wrap_text_width(s, n) * *scale;
}

static void test_custom_measure(void **state)
{
    (void)state;
    double scale = 5.25;
    cm_wrap_line *lines = NULL;
    size_t n = 0;
    /* 42 points hold four characters of 10.5 */
    assert_int_equal(cm_wrap_lines("一二三四五六", 42.0, measure_points,
                                   &scale, &lines, &n),
                     CM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(lines[0].len, 12);
    assert_int_equal(lines[1].start, 12);
    assert_int_equal(lines[1].len, 6);
    free(lines);
}

static void test_bad_encoding(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "ab\xff", "\xe4\xb8", "\xc0\xaf", "\xed\xa0\x80",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cm_wrap_line *lines = (cm_wrap_line *)1;
        size_t n = 99;
        assert_int_equal(cm_wrap_lines(bad[i], 10, cm_wrap_measure_cells,
                                       NULL, &lines, &n),
                         CM_ERR_ENCODING);
        assert_null(lines);
        assert_int_equal(n, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_width),
        cmocka_unit_test(test_cp_width_boundaries),
        cmocka_unit_test(test_pure_chinese),
        cmocka_unit_test(test_latin_words),
        cmocka_unit_test(test_newlines_and_spaces),
        cmocka_unit_test(test_kinsoku_lists),
        cmocka_unit_test(test_no_start_pulls_previous),
        cmocka_unit_test(test_no_end_moves_down),
        cmocka_unit_test(test_no_start_runs),
        cmocka_unit_test(test_custom_measure),
        cmocka_unit_test(test_bad_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
