/*
 * target.c - reads standards and targets as plans and evaluation tables
 * write them (see target.h) and holds values and yearly series against them.
 *
 * A hand-written scanner rather than a regular expression: the forms are a
 * handful of fixed words around one number, and byte comparison of UTF-8
 * words cannot mistake a full-width digit ("８０%") for an ASCII one, which
 * PCRE2's \d in UTF mode could. A text is read as
 *
 *   [力争] [comparator | word] number-or-fraction [unit] [以上 | 以下 | 覆盖]
 *
 * with spaces allowed between the pieces (seed 004 writes "<   2%" and
 * "≥ 80%"), or as one of the whole words (大幅增长, 逐年提升, 清零, 建成, ...).
 * Anything else is refused: a target the engine cannot read must never pass.
 */
#include "target.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longer than any target a table cell holds; longer texts are refused
 * rather than read in part. */
#define TG_MAX_INPUT 256

/* Significant digits kept before strtod: beyond 15 a double no longer holds
 * the number as written. */
#define TG_MAX_DIGITS 15

/*
 * Comparators and comparator words before the number. First match wins, so
 * ORDER PREFIX: an entry comes before every entry that is a prefix of it
 * (">=" before ">", "至少低于" before "至少").
 */
static const struct {
    const char *text;
    cm_cmp cmp;
} prefixes[] = {
    {">=", CM_CMP_GE},
    {"<=", CM_CMP_LE},
    {"\xEF\xBC\x9E\xEF\xBC\x9D", CM_CMP_GE}, /* ＞＝ */
    {"\xEF\xBC\x9C\xEF\xBC\x9D", CM_CMP_LE}, /* ＜＝ */
    {"\xE2\x89\xA5", CM_CMP_GE},             /* ≥ (seed 004: "≥ 80%") */
    {"\xE2\x89\xA4", CM_CMP_LE},             /* ≤ */
    {"\xE2\x89\xA7", CM_CMP_GE},             /* ≧, as some IMEs type ≥ */
    {"\xE2\x89\xA6", CM_CMP_LE},             /* ≦ */
    {"\xEF\xBC\x9E", CM_CMP_GT},             /* ＞ */
    {"\xEF\xBC\x9C", CM_CMP_LT},             /* ＜ */
    {"\xEF\xBC\x9D", CM_CMP_EQ},             /* ＝ */
    {">", CM_CMP_GT},
    {"<", CM_CMP_LT},
    {"=", CM_CMP_EQ},
    /* seed 004: "重错码率至少低于万分之一" - "at least" qualifies the
     * strictness of the aim, the standard itself is "< 0.01%". */
    {"至少低于", CM_CMP_LT},
    {"不低于", CM_CMP_GE},   /* seed 000: "不低于30%" */
    {"不少于", CM_CMP_GE},   /* seed 004: "不少于" */
    {"不超过", CM_CMP_LE},   /* seed 003: "不超过0.005%" */
    {"不高于", CM_CMP_LE},
    {"不多于", CM_CMP_LE},
    {"至少", CM_CMP_GE},
    {"低于", CM_CMP_LT},     /* seed 004: "低于万分之一" */
    {"少于", CM_CMP_LT},
    {"小于", CM_CMP_LT},
    {"高于", CM_CMP_GT},
    {"超过", CM_CMP_GT},     /* seed 004: "超过50%的城市户籍人口" */
    {"大于", CM_CMP_GT},
    {"多于", CM_CMP_GT},
    {"达到", CM_CMP_GE},     /* seed 004: "转换率要达到100%" */
    {"等于", CM_CMP_EQ},
    {"为", CM_CMP_EQ},       /* seed 004: "力争重错码率为0" */
};

/* Words after the number. has_cmp 0: the word changes nothing ("100%覆盖",
 * seed 004). ORDER SUFFIX: "及以上" before "以上". */
static const struct {
    const char *text;
    int has_cmp;
    cm_cmp cmp;
} suffixes[] = {
    {"及以上", 1, CM_CMP_GE},
    {"及以下", 1, CM_CMP_LE},
    {"以上", 1, CM_CMP_GE},  /* seed 004: "30%以上", "90%以上"; 以上 includes
                                the number in Chinese usage */
    {"以下", 1, CM_CMP_LE},
    {"以内", 1, CM_CMP_LE},
    {"覆盖", 0, CM_CMP_GE},  /* seed 004: "19 个事项要100%覆盖" */
};

/* Units of counts, kept as written. "%" and its look-alikes are read apart
 * because they scale the value. */
static const char *const count_units[] = {
    "家", "个", "条", "分", "项", "人", "位",
};

/* Fractions written in words: 万分之N is N/100 %, 千分之N is N/10 %
 * (seed 004: "低于万分之一"). */
static const struct {
    const char *text;
    double to_pct;
} fractions[] = {
    {"万分之", 0.01},
    {"千分之", 0.1},
    {"百分之", 1.0},
};

/* Chinese numerals as the fractions write them. */
static const struct {
    const char *text;
    int value;
} cn_digits[] = {
    {"零", 0}, {"一", 1}, {"二", 2}, {"两", 2}, {"三", 3}, {"四", 4},
    {"五", 5}, {"六", 6}, {"七", 7}, {"八", 8}, {"九", 9},
};

/* Whole texts with a fixed meaning. */
static const struct {
    const char *text;
    cm_target_kind kind;
    cm_cmp cmp;
    double value;
    const char *unit;
} words[] = {
    /* seed 001, 2020 column of 公众对自身信用状况关注度 */
    {"大幅增长", CM_TG_GROWTH, CM_CMP_GE, 0, ""},
    /* seed 001, 2020 column of 公众对全市信用环境满意度 */
    {"逐年提升", CM_TG_RISING, CM_CMP_GT, 0, ""},
    /* seed 000 task 1: "保持全省中上水平" */
    {"保持全省中上水平", CM_TG_RANK_UPPER, CM_CMP_GE, 0, ""},
    {"全省中上水平", CM_TG_RANK_UPPER, CM_CMP_GE, 0, ""},
    /* seed 004: "力争重错码率为0" said in one word */
    {"清零", CM_TG_COMPARE, CM_CMP_EQ, 0, ""},
    /* seed 001 "公共信用信息实现全覆盖" */
    {"全覆盖", CM_TG_COMPARE, CM_CMP_GE, 100, "%"},
    /* yes/no standards on a boolean element (issue 5: "建成平台") */
    {"建成", CM_TG_COMPARE, CM_CMP_EQ, 1, ""},
    {"是", CM_TG_COMPARE, CM_CMP_EQ, 1, ""},
    {"实现", CM_TG_COMPARE, CM_CMP_EQ, 1, ""},
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* ASCII blanks, and U+3000 and U+00A0, which pasted table cells carry. */
static size_t space_len(const char *p)
{
    if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        return 1;
    if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 &&
        (unsigned char)p[2] == 0x80)
        return 3;
    if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
        return 2;
    return 0;
}

static const char *skip_space(const char *p)
{
    size_t n;
    while ((n = space_len(p)) > 0)
        p += n;
    return p;
}

/* Moves *s past leading blanks and returns the length without trailing
 * ones. A blank's last byte is never inside another UTF-8 character, so
 * looking back for the 1-, 2- and 3-byte forms cannot split one. */
static size_t trim(const char **s)
{
    *s = skip_space(*s);
    size_t n = strlen(*s);
    for (;;) {
        if (n >= 1 && space_len(*s + n - 1) == 1)
            n -= 1;
        else if (n >= 2 && space_len(*s + n - 2) == 2)
            n -= 2;
        else if (n >= 3 && space_len(*s + n - 3) == 3)
            n -= 3;
        else
            return n;
    }
}

/* p past word if p starts with it, else NULL. */
static const char *eat(const char *p, const char *word)
{
    size_t n = strlen(word);
    return strncmp(p, word, n) == 0 ? p + n : NULL;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* An ASCII decimal: [+-] digits [. digits]. No exponent, no "inf", no
 * hex, no ".5" or "5.": strtod alone would take them all. Returns the
 * position after it, or NULL. */
static const char *scan_number(const char *p, double *v)
{
    const char *s = p;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = 0;
    while (is_digit(*p))
        p++, digits++;
    if (!digits)
        return NULL;
    if (*p == '.') {
        p++;
        size_t frac = 0;
        while (is_digit(*p))
            p++, frac++;
        if (!frac)
            return NULL;
        digits += frac;
    }
    if (digits > TG_MAX_DIGITS)
        return NULL;
    char buf[TG_MAX_DIGITS + 4];
    size_t n = (size_t)(p - s);
    memcpy(buf, s, n);
    buf[n] = '\0';
    *v = strtod(buf, NULL);
    return isfinite(*v) ? p : NULL;
}

static const char *scan_cn_digit(const char *p, int *v)
{
    for (size_t i = 0; i < COUNT(cn_digits); i++) {
        const char *q = eat(p, cn_digits[i].text);
        if (q) {
            *v = cn_digits[i].value;
            return q;
        }
    }
    return NULL;
}

/* A Chinese numeral below 100: 一, 十, 十五, 二十, 二十五. */
static const char *scan_cn_number(const char *p, double *v)
{
    int tens = -1, ones = -1;
    const char *q = scan_cn_digit(p, &ones);
    if (q)
        p = q;
    q = eat(p, "十");
    if (q) {
        tens = ones < 0 ? 1 : ones;
        if (tens == 0)
            return NULL; /* "零十" */
        ones = -1;
        p = q;
        q = scan_cn_digit(p, &ones);
        if (q) {
            if (ones == 0)
                return NULL; /* "十零" */
            p = q;
        }
    }
    if (tens < 0 && ones < 0)
        return NULL;
    *v = (tens < 0 ? 0 : tens * 10) + (ones < 0 ? 0 : ones);
    return p;
}

/* The prefix comparator at p, NULL if none. */
static const char *scan_prefix(const char *p, cm_cmp *cmp)
{
    for (size_t i = 0; i < COUNT(prefixes); i++) {
        const char *q = eat(p, prefixes[i].text);
        if (q) {
            *cmp = prefixes[i].cmp;
            return q;
        }
    }
    return NULL;
}

static void set_unit(cm_target *out, const char *unit)
{
    snprintf(out->unit, sizeof out->unit, "%s", unit);
}

/* 较上年提升N位 (seed 000 task 1: "力争较上年提升30位"). */
static int read_rank_up(const char *p, cm_target *out)
{
    const char *q = eat(p, "较上年");
    if (q)
        p = skip_space(q);
    if (!(p = eat(p, "提升")))
        return 0;
    p = skip_space(p);
    double v;
    if (!is_digit(*p) || !(p = scan_number(p, &v)) || v <= 0 ||
        v != floor(v))
        return 0;
    p = skip_space(p);
    if (!(p = eat(p, "位")) || *skip_space(p))
        return 0;
    out->kind = CM_TG_RANK_UP;
    out->cmp = CM_CMP_GE;
    out->value = v;
    set_unit(out, "位");
    return 1;
}

/* The general form; 1 if p is one, filling out. */
static int read_compare(const char *p, cm_target *out)
{
    cm_cmp cmp = CM_CMP_GE, other;
    int has_cmp = 0;
    const char *q = scan_prefix(p, &cmp);
    if (q) {
        has_cmp = 1;
        p = skip_space(q);
        /* "=>", "==", "高于>": two comparators are never one. */
        if (scan_prefix(p, &other))
            return 0;
    }

    double v = 0, scale = 1;
    const char *unit = "";
    int fraction = 0;
    for (size_t i = 0; i < COUNT(fractions); i++) {
        q = eat(p, fractions[i].text);
        if (q) {
            q = skip_space(q);
            const char *r = scan_cn_number(q, &v);
            if (!r && is_digit(*q))
                r = scan_number(q, &v);
            if (!r)
                return 0;
            p = r;
            scale = fractions[i].to_pct;
            unit = "%";
            fraction = 1;
            break;
        }
    }
    if (!fraction) {
        if (!(p = scan_number(p, &v)))
            return 0;
        p = skip_space(p);
        if ((q = eat(p, "%")) || (q = eat(p, "\xEF\xBC\x85"))) { /* ％ */
            unit = "%";
            p = q;
        } else if ((q = eat(p, "\xE2\x80\xB0"))) { /* ‰ */
            unit = "%";
            scale = 0.1;
            p = q;
        } else {
            for (size_t i = 0; i < COUNT(count_units); i++) {
                if ((q = eat(p, count_units[i]))) {
                    unit = count_units[i];
                    p = q;
                    break;
                }
            }
        }
    }

    p = skip_space(p);
    for (size_t i = 0; i < COUNT(suffixes); i++) {
        if ((q = eat(p, suffixes[i].text))) {
            if (suffixes[i].has_cmp) {
                /* "达到90%以上" agrees; "低于5%以上" does not. */
                if (has_cmp && cmp != suffixes[i].cmp)
                    return 0;
                cmp = suffixes[i].cmp;
                has_cmp = 1;
            }
            p = skip_space(q);
            break;
        }
    }
    if (*p)
        return 0;
    /* A bare level means "reach it": seed 001 writes "100%" for a rate and
     * a bare "1" for 市级公共信用信息平台 (one platform built). */
    out->kind = CM_TG_COMPARE;
    out->cmp = cmp;
    out->value = v * scale;
    if (out->value == 0)
        out->value = 0; /* "<-0%" is no different from "<0%" */
    set_unit(out, unit);
    return 1;
}

/* Copies the trimmed text into out->text, cut at a UTF-8 boundary. */
static void set_text(cm_target *out, const char *s, size_t n)
{
    if (n >= sizeof out->text) {
        n = sizeof out->text - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out->text, s, n);
    out->text[n] = '\0';
}

cm_error cm_target_parse(const char *text, cm_target *out, cm_diag *d)
{
    static const char expected[] =
        "(expected e.g. >80%, \xE2\x89\xA5" "30%, 低于万分之一, 大幅增长, 逐年提升)";
    cm_target scratch;
    if (!out)
        out = &scratch;
    memset(out, 0, sizeof *out);
    if (!text)
        text = "";

    const char *s = text;
    size_t n = trim(&s);
    set_text(out, s, n);
    if (n == 0)
        return cm_diag_set(d, CM_ERR_DEFINITION, NULL, 0, NULL,
                           "the target is empty %s", expected);
    if (n >= TG_MAX_INPUT)
        return cm_diag_set(d, CM_ERR_DEFINITION, NULL, 0, NULL,
                           "cannot read the target '%s...' %s", out->text,
                           expected);

    char buf[TG_MAX_INPUT];
    memcpy(buf, s, n);
    buf[n] = '\0';

    /* "力争" (strive to) qualifies the effort, not the standard: seed 000
     * "力争较上年提升30位", seed 004 "力争重错码率为0". */
    const char *p = buf;
    const char *q = eat(p, "力争");
    if (q)
        p = skip_space(q);

    for (size_t i = 0; i < COUNT(words); i++) {
        if (strcmp(p, words[i].text) == 0) {
            out->kind = words[i].kind;
            out->cmp = words[i].cmp;
            out->value = words[i].value;
            set_unit(out, words[i].unit);
            return CM_OK;
        }
    }
    if (read_rank_up(p, out) || read_compare(p, out))
        return CM_OK;

    char keep[sizeof out->text];
    memcpy(keep, out->text, sizeof keep);
    memset(out, 0, sizeof *out);
    memcpy(out->text, keep, sizeof keep);
    return cm_diag_set(d, CM_ERR_DEFINITION, NULL, 0, NULL,
                       "cannot read the target '%s' %s", out->text,
                       expected);
}

int cm_target_met(const cm_target *t, double value)
{
    if (!t)
        return 0;
    /* RANK_UP holds "places gained >= N" in the same fields. */
    if (t->kind != CM_TG_COMPARE && t->kind != CM_TG_RANK_UP)
        return 0;
    return cm_defs_cmp_holds(t->cmp, value, t->value) ? 1 : 0;
}

int cm_target_series_met(const cm_target *t, const double *values, size_t n,
                         double threshold_pct)
{
    if (!t || !values || n < 2)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(values[i]))
            return 0;
    switch (t->kind) {
    case CM_TG_GROWTH: {
        double first = values[0], last = values[n - 1];
        /* Growth on nothing is unbounded: any rise from zero is "大幅". */
        if (first == 0)
            return last > 0;
        /* On |first| so that a rise stays positive for a negative base. */
        double growth = (last - first) / fabs(first) * 100;
        return cm_defs_cmp_holds(CM_CMP_GE, growth, threshold_pct);
    }
    case CM_TG_RISING:
        for (size_t i = 1; i < n; i++)
            if (!cm_defs_cmp_holds(CM_CMP_GT, values[i], values[i - 1]))
                return 0;
        return 1;
    case CM_TG_COMPARE:
    case CM_TG_RANK_UP:
    case CM_TG_RANK_UPPER:
        break;
    }
    return -1; /* not a series target */
}

/* ORDER cm_attribute */
static const char *const attribute_texts[] = {
    "", "约束性", "指导性", "预期性",
};

int cm_target_attribute(const char *text)
{
    if (!text)
        return CM_ATTR_NONE;
    const char *s = text;
    size_t n = trim(&s);
    if (n == 0)
        return CM_ATTR_NONE;
    for (size_t i = 1; i < COUNT(attribute_texts); i++)
        if (strlen(attribute_texts[i]) == n &&
            strncmp(s, attribute_texts[i], n) == 0)
            return (int)i;
    return -1;
}

const char *cm_target_attribute_text(cm_attribute a)
{
    if ((int)a < 0 || (size_t)a >= COUNT(attribute_texts))
        return "";
    return attribute_texts[a];
}
