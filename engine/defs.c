/*
 * defs.c - loads and validates the definitions folder (see defs.h).
 *
 * Two passes. While the INI files are read, each section is only collected
 * and checked on its own (kind, id, keys); references between sections are
 * resolved once every file is in, because a problem or an element may well
 * be defined in a later file than the indicator naming it. Errors found in
 * the second pass are still reported at the line and key that hold them.
 */
#include "defs.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "resolve.h"
#include "text.h"

/* ORDER KIND: section kinds and their allowed keys. */
enum { K_ELEMENT = 0, K_BENCHMARK, K_PROBLEM, K_INDICATOR, K__COUNT };

static const char *const kind_names[K__COUNT] = {
    "element", "benchmark", "problem", "indicator",
};

static const char *const element_keys[] = {"name", "unit", "rollup"};
static const char *const benchmark_keys[] = {"name", "source", "level"};
static const char *const problem_keys[] = {"name"};
static const char *const indicator_keys[] = {
    "name",    "category", "formula", "unit",    "decimals", "trim",
    "better",  "compare",  "target",  "problem", "describe", "missing",
    "levels",
};

static const struct {
    const char *const *keys;
    size_t n;
} kind_keys[K__COUNT] = {
    {element_keys, sizeof element_keys / sizeof *element_keys},
    {benchmark_keys, sizeof benchmark_keys / sizeof *benchmark_keys},
    {problem_keys, sizeof problem_keys / sizeof *problem_keys},
    {indicator_keys, sizeof indicator_keys / sizeof *indicator_keys},
};

/* Placeholders a describe or missing template may use. */
static const char *const template_vars[] = {
    "name",   "value",  "unit",   "benchmark", "benchmark_label",
    "gap",    "target", "region", "period",
};

#define ID_MAX 64

typedef struct raw_kv {
    char *key, *value;
    long line;
} raw_kv;

typedef struct raw_sec {
    int kind;
    char *id;
    const char *file;   /* borrowed from loader.files */
    long line;
    raw_kv *kv;
    size_t n_kv;
} raw_sec;

typedef struct loader {
    raw_sec *secs;
    size_t n_secs, cap_secs;
    char **files;       /* owned until handed to the cm_defs */
    size_t n_files;
    const char *cur_file;
    cm_diag *d;
} loader;

static cm_error nomem(cm_diag *d, const char *file, long line)
{
    return cm_diag_set(d, CM_ERR_NOMEM, file, line, NULL, "out of memory");
}

/* Records an error found by a sub-module (parse, resolve, text) in a local
 * diagnostic, located at file:line and field, keeping its column. */
static cm_error relay(cm_diag *d, const cm_diag *local, const char *file,
                      long line, const char *field)
{
    if (d && d->code == CM_OK) {
        cm_diag_set(d, local->code, file, line, field, "%s", local->msg);
        d->column = local->column;
    }
    return local->code;
}

static const char *nearest(const char *name, const char *const *names,
                           size_t n)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < n; i++) {
        size_t dist = cm_resolve_distance(name, names[i]);
        if (dist < best_d) {
            best = names[i];
            best_d = dist;
        }
    }
    return best;
}

static int id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > ID_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* ---- pass 1: collect sections ---------------------------------------- */

static cm_error on_header(loader *L, const char *section, long line)
{
    cm_diag *d = L->d;
    const char *sp = section;
    while (*sp && *sp != ' ' && *sp != '\t')
        sp++;
    size_t kind_len = (size_t)(sp - section);
    int kind = -1;
    for (int k = 0; k < K__COUNT; k++)
        if (strlen(kind_names[k]) == kind_len &&
            strncmp(kind_names[k], section, kind_len) == 0)
            kind = k;
    if (kind < 0) {
        char word[64];
        size_t m = kind_len < sizeof word - 1 ? kind_len : sizeof word - 1;
        while (m && m < kind_len && ((unsigned char)section[m] & 0xC0) == 0x80)
            m--;
        memcpy(word, section, m);
        word[m] = '\0';
        const char *hint = nearest(word, kind_names, K__COUNT);
        if (hint)
            return cm_diag_set(d, CM_ERR_NAME, L->cur_file, line, NULL,
                               "unknown section kind '%s' (did you mean "
                               "'%s'?)", word, hint);
        return cm_diag_set(d, CM_ERR_NAME, L->cur_file, line, NULL,
                           "unknown section kind '%s' (expected element, "
                           "benchmark, problem or indicator)", word);
    }
    while (*sp == ' ' || *sp == '\t')
        sp++;
    if (!*sp)
        return cm_diag_set(d, CM_ERR_SYNTAX, L->cur_file, line, NULL,
                           "section [%s] has no id: write [%s ID]",
                           kind_names[kind], kind_names[kind]);
    if (!id_valid(sp))
        return cm_diag_set(d, CM_ERR_SYNTAX, L->cur_file, line, NULL,
                           "bad %s id '%.64s': ids are [a-z][a-z0-9_]{0,63}",
                           kind_names[kind], sp);
    for (size_t i = 0; i < L->n_secs; i++) {
        const raw_sec *o = &L->secs[i];
        if (o->kind == kind && strcmp(o->id, sp) == 0)
            return cm_diag_set(d, CM_ERR_DUPLICATE, L->cur_file, line, NULL,
                               "duplicate %s '%s' (first defined at %s:%ld)",
                               kind_names[kind], sp, o->file, o->line);
    }
    if (L->n_secs == L->cap_secs) {
        size_t ncap = L->cap_secs ? L->cap_secs * 2 : 16;
        raw_sec *p = realloc(L->secs, ncap * sizeof *p);
        if (!p)
            return nomem(d, L->cur_file, line);
        L->secs = p;
        L->cap_secs = ncap;
    }
    raw_sec *s = &L->secs[L->n_secs];
    memset(s, 0, sizeof *s);
    s->id = cm_strdup(sp);
    if (!s->id)
        return nomem(d, L->cur_file, line);
    s->kind = kind;
    s->file = L->cur_file;
    s->line = line;
    L->n_secs++;
    return CM_OK;
}

static cm_error on_key(loader *L, const char *key, const char *value,
                       long line)
{
    cm_diag *d = L->d;
    /* ini calls the header first, and stops at the first error, so the
     * current section is always the last one collected. */
    raw_sec *s = &L->secs[L->n_secs - 1];
    const char *const *keys = kind_keys[s->kind].keys;
    size_t n_keys = kind_keys[s->kind].n;
    size_t k = 0;
    while (k < n_keys && strcmp(keys[k], key) != 0)
        k++;
    if (k == n_keys) {
        const char *hint = nearest(key, keys, n_keys);
        if (hint)
            return cm_diag_set(d, CM_ERR_NAME, L->cur_file, line, key,
                               "unknown key '%s' in [%s %s] (did you mean "
                               "'%s'?)", key, kind_names[s->kind], s->id,
                               hint);
        return cm_diag_set(d, CM_ERR_NAME, L->cur_file, line, key,
                           "unknown key '%s' in [%s %s]", key,
                           kind_names[s->kind], s->id);
    }
    for (size_t i = 0; i < s->n_kv; i++)
        if (strcmp(s->kv[i].key, key) == 0)
            return cm_diag_set(d, CM_ERR_DUPLICATE, L->cur_file, line, key,
                               "key '%s' given twice in [%s %s] (first at "
                               "line %ld)", key, kind_names[s->kind], s->id,
                               s->kv[i].line);
    /* n_keys bounds n_kv, since every key is distinct and allowed. */
    if (!s->kv) {
        s->kv = calloc(n_keys, sizeof *s->kv);
        if (!s->kv)
            return nomem(d, L->cur_file, line);
    }
    raw_kv *kv = &s->kv[s->n_kv];
    kv->key = cm_strdup(key);
    kv->value = cm_strdup(value);
    kv->line = line;
    if (!kv->key || !kv->value) {
        free(kv->key);
        free(kv->value);
        kv->key = kv->value = NULL;
        return nomem(d, L->cur_file, line);
    }
    s->n_kv++;
    return CM_OK;
}

static cm_error ini_cb(void *ctx, const char *section, const char *key,
                       const char *value, long line, cm_diag *d)
{
    loader *L = ctx;
    (void)d;
    if (!key)
        return on_header(L, section, line);
    return on_key(L, key, value, line);
}

static void loader_free(loader *L)
{
    for (size_t i = 0; i < L->n_secs; i++) {
        raw_sec *s = &L->secs[i];
        for (size_t j = 0; j < s->n_kv; j++) {
            free(s->kv[j].key);
            free(s->kv[j].value);
        }
        free(s->kv);
        free(s->id);
    }
    free(L->secs);
    for (size_t i = 0; i < L->n_files; i++)
        free(L->files[i]);
    free(L->files);
}

/* ---- targets ---------------------------------------------------------- */

/* Comparators, longest spelling first so ">=" is not read as ">". */
static const struct {
    const char *text;
    cm_cmp cmp;
} comparators[] = {
    {">=", CM_CMP_GE},        {"<=", CM_CMP_LE},
    {"\xEF\xBC\x9E\xEF\xBC\x9D", CM_CMP_GE}, /* ＞＝ */
    {"\xEF\xBC\x9C\xEF\xBC\x9D", CM_CMP_LE}, /* ＜＝ */
    {"\xE2\x89\xA5", CM_CMP_GE},              /* ≥ */
    {"\xE2\x89\xA4", CM_CMP_LE},              /* ≤ */
    {"\xEF\xBC\x9E", CM_CMP_GT},              /* ＞ */
    {"\xEF\xBC\x9C", CM_CMP_LT},              /* ＜ */
    {"\xEF\xBC\x9D", CM_CMP_EQ},              /* ＝ */
    {">", CM_CMP_GT},         {"<", CM_CMP_LT},
    {"=", CM_CMP_EQ},
};

enum {
    TGT_OK = 0, TGT_EMPTY, TGT_NO_CMP, TGT_BAD_CMP, TGT_NO_NUMBER,
    TGT_BAD_NUMBER
};

static size_t match_cmp(const char *s, cm_cmp *cmp)
{
    for (size_t i = 0; i < sizeof comparators / sizeof *comparators; i++) {
        size_t n = strlen(comparators[i].text);
        if (strncmp(s, comparators[i].text, n) == 0) {
            if (cmp)
                *cmp = comparators[i].cmp;
            return n;
        }
    }
    return 0;
}

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A plain decimal: [+-] digits [. digits] [e [+-] digits]; strtod alone
 * would also take "inf", "nan" and hex. */
static int scan_number(const char *s, double *v)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    int digits = 0;
    while (digit(*p))
        p++, digits++;
    if (*p == '.') {
        p++;
        while (digit(*p))
            p++, digits++;
    }
    if (!digits)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!digit(*p))
            return 0;
        while (digit(*p))
            p++;
    }
    const char *end = p;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p)
        return 0;
    char buf[64];
    size_t n = (size_t)(end - s);
    if (n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *v = strtod(buf, NULL);
    return isfinite(*v);
}

static int parse_target(const char *s, cm_cmp *cmp, double *value)
{
    if (!s)
        return TGT_EMPTY;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return TGT_EMPTY;
    cm_cmp c;
    size_t n = match_cmp(s, &c);
    if (!n)
        return (digit(*s) || *s == '+' || *s == '-' || *s == '.')
                   ? TGT_NO_CMP
                   : TGT_BAD_CMP;
    s += n;
    while (*s == ' ' || *s == '\t')
        s++;
    /* "=>" or "==" are not a comparator followed by a number. */
    if (match_cmp(s, NULL))
        return TGT_BAD_CMP;
    if (!*s)
        return TGT_NO_NUMBER;
    double v;
    if (!scan_number(s, &v))
        return TGT_BAD_NUMBER;
    *cmp = c;
    *value = v;
    return TGT_OK;
}

int cm_defs_parse_target(const char *s, cm_cmp *cmp, double *value)
{
    cm_cmp c;
    double v;
    if (parse_target(s, &c, &v) != TGT_OK)
        return 0;
    if (cmp)
        *cmp = c;
    if (value)
        *value = v;
    return 1;
}

int cm_defs_cmp_holds(cm_cmp cmp, double value, double target)
{
    if (!isfinite(value) || !isfinite(target))
        return 0;
    double scale = fmax(fabs(value), fabs(target));
    int eq = fabs(value - target) <= 1e-9 * scale;
    switch (cmp) {
    case CM_CMP_GT: return value > target && !eq;
    case CM_CMP_GE: return value > target || eq;
    case CM_CMP_LT: return value < target && !eq;
    case CM_CMP_LE: return value < target || eq;
    case CM_CMP_EQ: return eq;
    }
    return 0;
}

const char *cm_defs_cmp_sign(cm_cmp cmp)
{
    /* ORDER cm_cmp */
    static const char *const signs[] = {
        ">", "\xE2\x89\xA5", "<", "\xE2\x89\xA4", "=",
    };
    if ((int)cmp < 0 || (size_t)cmp >= sizeof signs / sizeof *signs)
        return "?";
    return signs[cmp];
}

/* ---- pass 2: build and check ------------------------------------------ */

typedef struct builder {
    cm_defs *defs;
    const loader *L;
    const char **element_ids;   /* borrowed from raw sections */
    const char **benchmark_ids;
    const char **problem_ids;
    cm_diag *d;
} builder;

static const raw_kv *get(const raw_sec *s, const char *key)
{
    for (size_t i = 0; i < s->n_kv; i++)
        if (strcmp(s->kv[i].key, key) == 0)
            return &s->kv[i];
    return NULL;
}

static cm_error set_str(char **dst, const char *src, const raw_sec *s,
                        cm_diag *d)
{
    *dst = cm_strdup(src);
    if (src && !*dst)
        return nomem(d, s->file, s->line);
    return CM_OK;
}

static cm_error require(const raw_sec *s, const char *key, cm_diag *d)
{
    const raw_kv *kv = get(s, key);
    if (!kv)
        return cm_diag_set(d, CM_ERR_DEFINITION, s->file, s->line, key,
                           "[%s %s] has no '%s'", kind_names[s->kind], s->id,
                           key);
    return CM_OK;
}

/* Every value but a unit must say something: "category =" is a slip. */
static cm_error check_empty(const raw_sec *s, cm_diag *d)
{
    for (size_t i = 0; i < s->n_kv; i++)
        if (!s->kv[i].value[0] && strcmp(s->kv[i].key, "unit") != 0)
            return cm_diag_set(d, CM_ERR_DEFINITION, s->file, s->kv[i].line,
                               s->kv[i].key, "empty value");
    return CM_OK;
}

static cm_error bad_choice(const raw_sec *s, const raw_kv *kv,
                           const char *choices, cm_diag *d)
{
    return cm_diag_set(d, CM_ERR_DEFINITION, s->file, kv->line, kv->key,
                       "'%s' must be %s, not '%s'", kv->key, choices,
                       kv->value);
}

static size_t index_of(const char *const *ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return i;
    return n;
}

static cm_error unknown_ref(const raw_sec *s, const raw_kv *kv,
                            const char *what, const char *const *ids,
                            size_t n, cm_diag *d)
{
    const char *hint = nearest(kv->value, ids, n);
    if (hint)
        return cm_diag_set(d, CM_ERR_REFERENCE, s->file, kv->line, kv->key,
                           "unknown %s '%s' (did you mean '%s'?)", what,
                           kv->value, hint);
    return cm_diag_set(d, CM_ERR_REFERENCE, s->file, kv->line, kv->key,
                       "unknown %s '%s'", what, kv->value);
}

static cm_error build_element(builder *B, const raw_sec *s, cm_element *el)
{
    cm_diag *d = B->d;
    cm_error e = require(s, "name", d);
    if (e == CM_OK)
        e = check_empty(s, d);
    if (e != CM_OK)
        return e;
    el->rollup_sum = 1;
    const raw_kv *kv = get(s, "rollup");
    if (kv) {
        if (strcmp(kv->value, "sum") == 0)
            el->rollup_sum = 1;
        else if (strcmp(kv->value, "none") == 0)
            el->rollup_sum = 0;
        else
            return bad_choice(s, kv, "'sum' or 'none'", d);
    }
    const raw_kv *unit = get(s, "unit");
    e = set_str(&el->name, get(s, "name")->value, s, d);
    if (e == CM_OK)
        e = set_str(&el->unit, unit ? unit->value : "", s, d);
    return e;
}

static cm_error build_benchmark(builder *B, const raw_sec *s,
                                cm_benchmark *bm)
{
    cm_diag *d = B->d;
    cm_error e = require(s, "name", d);
    if (e == CM_OK)
        e = check_empty(s, d);
    if (e != CM_OK)
        return e;
    const raw_kv *src = get(s, "source");
    bm->source = CM_BENCH_PUBLISHED;
    if (src) {
        if (strcmp(src->value, "published") == 0)
            bm->source = CM_BENCH_PUBLISHED;
        else if (strcmp(src->value, "computed") == 0)
            bm->source = CM_BENCH_COMPUTED;
        else
            return bad_choice(s, src, "'published' or 'computed'", d);
    }
    const raw_kv *level = get(s, "level");
    if (level) {
        if (strcmp(level->value, "province") != 0 &&
            strcmp(level->value, "city") != 0 &&
            strcmp(level->value, "county") != 0)
            return bad_choice(s, level, "'province', 'city' or 'county'", d);
        if (bm->source != CM_BENCH_COMPUTED)
            return cm_diag_set(d, CM_ERR_DEFINITION, s->file, level->line,
                               "level",
                               "'level' applies only to source = computed");
    } else if (bm->source == CM_BENCH_COMPUTED) {
        return cm_diag_set(d, CM_ERR_DEFINITION, s->file, s->line, "level",
                           "a computed benchmark needs 'level' (the peers "
                           "whose mean is taken)");
    }
    e = set_str(&bm->name, get(s, "name")->value, s, d);
    if (e == CM_OK && level)
        e = set_str(&bm->level, level->value, s, d);
    return e;
}

static cm_error build_problem(builder *B, const raw_sec *s, cm_problem *pr)
{
    cm_diag *d = B->d;
    cm_error e = require(s, "name", d);
    if (e == CM_OK)
        e = check_empty(s, d);
    if (e == CM_OK)
        e = set_str(&pr->name, get(s, "name")->value, s, d);
    return e;
}

static cm_error check_template(const raw_sec *s, const raw_kv *kv,
                               cm_diag *d)
{
    cm_diag local;
    cm_diag_clear(&local);
    cm_error e = cm_text_check(kv->value, template_vars,
                               sizeof template_vars / sizeof *template_vars,
                               &local);
    if (e == CM_OK)
        return CM_OK;
    if (local.code == CM_OK)
        cm_diag_set(&local, e, NULL, 0, NULL, "bad template");
    return relay(d, &local, s->file, kv->line, kv->key);
}

static cm_error target_error(const raw_sec *s, const raw_kv *kv, int why,
                             cm_diag *d)
{
    const char *fmt;
    switch (why) {
    case TGT_NO_CMP:
        fmt = "target '%s' has no comparator: write e.g. '>= 85'";
        break;
    case TGT_BAD_CMP:
        fmt = "unknown comparator in target '%s' (use >, >=, <, <=, = or "
              "\xE2\x89\xA5 \xE2\x89\xA4)";
        break;
    case TGT_NO_NUMBER:
        fmt = "target '%s' has no number";
        break;
    default:
        fmt = "bad number in target '%s'";
        break;
    }
    char msg[512];
    snprintf(msg, sizeof msg, fmt, kv->value);
    return cm_diag_set(d, CM_ERR_DEFINITION, s->file, kv->line, kv->key, "%s",
                       msg);
}

unsigned cm_defs_level_bit(const char *level)
{
    if (strcmp(level, "province") == 0)
        return CM_LEVEL_PROVINCE;
    if (strcmp(level, "city") == 0)
        return CM_LEVEL_CITY;
    if (strcmp(level, "county") == 0)
        return CM_LEVEL_COUNTY;
    return 0;
}

/* "city, county" -> bits; every item must be a level, none twice. */
static cm_error parse_levels(const raw_sec *s, const raw_kv *kv,
                             unsigned *out, cm_diag *d)
{
    unsigned bits = 0;
    const char *p = kv->value;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, " ,");
        char word[32];
        if (n >= sizeof word)
            n = sizeof word - 1;
        memcpy(word, p, n);
        word[n] = '\0';
        unsigned bit = cm_defs_level_bit(word);
        if (!bit)
            return cm_diag_set(d, CM_ERR_DEFINITION, s->file, kv->line,
                               kv->key,
                               "unknown level '%s' (province, city, county)",
                               word);
        if (bits & bit)
            return cm_diag_set(d, CM_ERR_DEFINITION, s->file, kv->line,
                               kv->key, "level '%s' given twice", word);
        bits |= bit;
        p += strcspn(p, " ,");
    }
    if (!bits)
        return cm_diag_set(d, CM_ERR_DEFINITION, s->file, kv->line, kv->key,
                           "no level given");
    *out = bits;
    return CM_OK;
}

static cm_error build_indicator(builder *B, const raw_sec *s,
                                cm_indicator *in)
{
    cm_diag *d = B->d;
    cm_defs *defs = B->defs;
    cm_error e = require(s, "name", d);
    if (e == CM_OK)
        e = require(s, "formula", d);
    if (e == CM_OK)
        e = check_empty(s, d);
    if (e != CM_OK)
        return e;
    in->decimals = 2;
    in->trim = 1;
    in->levels = CM_LEVEL_PROVINCE | CM_LEVEL_CITY | CM_LEVEL_COUNTY;
    in->better = CM_BETTER_UNSET;

    /* Keys in the order written, so the first error is the first line. */
    for (size_t i = 0; i < s->n_kv && e == CM_OK; i++) {
        const raw_kv *kv = &s->kv[i];
        const char *k = kv->key, *v = kv->value;
        if (strcmp(k, "name") == 0) {
            e = set_str(&in->name, v, s, d);
        } else if (strcmp(k, "category") == 0) {
            e = set_str(&in->category, v, s, d);
        } else if (strcmp(k, "unit") == 0) {
            e = set_str(&in->unit, v, s, d);
        } else if (strcmp(k, "levels") == 0) {
            e = parse_levels(s, kv, &in->levels, d);
        } else if (strcmp(k, "formula") == 0) {
            in->formula_line = kv->line;
            e = set_str(&in->formula_text, v, s, d);
            cm_diag local;
            cm_diag_clear(&local);
            if (e == CM_OK &&
                cm_parse_expr(v, &in->formula, &local) != CM_OK)
                e = relay(d, &local, s->file, kv->line, k);
            if (e == CM_OK &&
                cm_resolve_expr(in->formula, B->element_ids,
                                defs->n_elements, &in->max_lag,
                                &local) != CM_OK)
                e = relay(d, &local, s->file, kv->line, k);
        } else if (strcmp(k, "decimals") == 0) {
            if (!(digit(v[0]) && v[1] == '\0' && v[0] <= '6'))
                e = cm_diag_set(d, CM_ERR_DEFINITION, s->file, kv->line, k,
                                "decimals must be a whole number from 0 to "
                                "6, not '%s'", v);
            else
                in->decimals = v[0] - '0';
        } else if (strcmp(k, "trim") == 0) {
            if (strcmp(v, "yes") == 0)
                in->trim = 1;
            else if (strcmp(v, "no") == 0)
                in->trim = 0;
            else
                e = bad_choice(s, kv, "'yes' or 'no'", d);
        } else if (strcmp(k, "better") == 0) {
            if (strcmp(v, "higher") == 0)
                in->better = CM_BETTER_HIGHER;
            else if (strcmp(v, "lower") == 0)
                in->better = CM_BETTER_LOWER;
            else
                e = bad_choice(s, kv, "'higher' or 'lower'", d);
        } else if (strcmp(k, "compare") == 0) {
            size_t j = index_of(B->benchmark_ids, defs->n_benchmarks, v);
            if (j == defs->n_benchmarks)
                e = unknown_ref(s, kv, "benchmark", B->benchmark_ids,
                                defs->n_benchmarks, d);
            else
                in->compare = &defs->benchmarks[j];
        } else if (strcmp(k, "target") == 0) {
            int why = parse_target(v, &in->target_cmp, &in->target);
            if (why != TGT_OK)
                e = target_error(s, kv, why, d);
            else {
                in->has_target = 1;
                e = set_str(&in->target_text, v, s, d);
            }
        } else if (strcmp(k, "problem") == 0) {
            size_t j = index_of(B->problem_ids, defs->n_problems, v);
            if (j == defs->n_problems)
                e = unknown_ref(s, kv, "problem", B->problem_ids,
                                defs->n_problems, d);
            else
                in->problem = &defs->problems[j];
        } else if (strcmp(k, "describe") == 0) {
            e = check_template(s, kv, d);
            if (e == CM_OK)
                e = set_str(&in->describe, v, s, d);
        } else if (strcmp(k, "missing") == 0) {
            e = check_template(s, kv, d);
            if (e == CM_OK)
                e = set_str(&in->missing, v, s, d);
        }
    }
    if (e != CM_OK)
        return e;

    const raw_kv *cmp = get(s, "compare"), *tgt = get(s, "target");
    if (cmp && tgt) {
        const raw_kv *later = cmp->line > tgt->line ? cmp : tgt;
        return cm_diag_set(d, CM_ERR_DEFINITION, s->file, later->line,
                           later->key,
                           "give either 'compare' or 'target', not both");
    }
    if (cmp && in->better == CM_BETTER_UNSET)
        return cm_diag_set(d, CM_ERR_DEFINITION, s->file, s->line, "better",
                           "[indicator %s] has 'compare' but no 'better' "
                           "(higher or lower)", s->id);
    if (in->problem) {
        if (!in->describe)
            return cm_diag_set(d, CM_ERR_DEFINITION, s->file, s->line,
                               "describe",
                               "[indicator %s] names a problem but has no "
                               "'describe'", s->id);
        if (!cmp && !tgt)
            return cm_diag_set(d, CM_ERR_DEFINITION, s->file, s->line,
                               "compare",
                               "[indicator %s] names a problem but has "
                               "neither 'compare' nor 'target'", s->id);
        cm_problem *pr = in->problem;
        cm_indicator **grown =
            realloc(pr->indicators, (pr->n_indicators + 1) * sizeof *grown);
        if (!grown)
            return nomem(d, s->file, s->line);
        pr->indicators = grown;
        pr->indicators[pr->n_indicators++] = in;
    }
    /* Absent texts are "", so writers need not test for NULL. */
    if (!in->unit)
        e = set_str(&in->unit, "", s, d);
    if (e == CM_OK && !in->category)
        e = set_str(&in->category, "", s, d);
    return e;
}

static cm_error build(const loader *L, cm_defs *defs, cm_diag *d)
{
    size_t count[K__COUNT] = {0};
    for (size_t i = 0; i < L->n_secs; i++)
        count[L->secs[i].kind]++;
    builder B = {defs, L, NULL, NULL, NULL, d};
    /* +1: calloc(0) may return NULL, which would read as out of memory. */
    defs->elements = calloc(count[K_ELEMENT] + 1, sizeof *defs->elements);
    defs->benchmarks =
        calloc(count[K_BENCHMARK] + 1, sizeof *defs->benchmarks);
    defs->problems = calloc(count[K_PROBLEM] + 1, sizeof *defs->problems);
    defs->indicators =
        calloc(count[K_INDICATOR] + 1, sizeof *defs->indicators);
    B.element_ids = calloc(count[K_ELEMENT] + 1, sizeof *B.element_ids);
    B.benchmark_ids = calloc(count[K_BENCHMARK] + 1, sizeof *B.benchmark_ids);
    B.problem_ids = calloc(count[K_PROBLEM] + 1, sizeof *B.problem_ids);
    cm_error e = CM_OK;
    if (!defs->elements || !defs->benchmarks || !defs->problems ||
        !defs->indicators || !B.element_ids || !B.benchmark_ids ||
        !B.problem_ids) {
        e = nomem(d, NULL, 0);
        goto done;
    }

    /* Ids, files and lines first, so that any section may point at any
     * other whatever their order. */
    for (size_t i = 0; i < L->n_secs && e == CM_OK; i++) {
        const raw_sec *s = &L->secs[i];
        char **id = NULL, **file = NULL;
        long *line = NULL;
        switch (s->kind) {
        case K_ELEMENT: {
            cm_element *x = &defs->elements[defs->n_elements];
            B.element_ids[defs->n_elements++] = s->id;
            id = &x->id, file = &x->file, line = &x->line;
            break;
        }
        case K_BENCHMARK: {
            cm_benchmark *x = &defs->benchmarks[defs->n_benchmarks];
            B.benchmark_ids[defs->n_benchmarks++] = s->id;
            id = &x->id, file = &x->file, line = &x->line;
            break;
        }
        case K_PROBLEM: {
            cm_problem *x = &defs->problems[defs->n_problems];
            B.problem_ids[defs->n_problems++] = s->id;
            x->number = (int)defs->n_problems;
            id = &x->id, file = &x->file, line = &x->line;
            break;
        }
        default: {
            cm_indicator *x = &defs->indicators[defs->n_indicators++];
            id = &x->id, file = &x->file, line = &x->line;
            break;
        }
        }
        *line = s->line;
        e = set_str(id, s->id, s, d);
        if (e == CM_OK)
            e = set_str(file, s->file, s, d);
    }

    size_t ix[K__COUNT] = {0};
    for (size_t i = 0; i < L->n_secs && e == CM_OK; i++) {
        const raw_sec *s = &L->secs[i];
        size_t j = ix[s->kind]++;
        switch (s->kind) {
        case K_ELEMENT:
            e = build_element(&B, s, &defs->elements[j]);
            break;
        case K_BENCHMARK:
            e = build_benchmark(&B, s, &defs->benchmarks[j]);
            break;
        case K_PROBLEM:
            e = build_problem(&B, s, &defs->problems[j]);
            break;
        default:
            e = build_indicator(&B, s, &defs->indicators[j]);
            break;
        }
    }

    for (size_t i = 0; i < defs->n_problems && e == CM_OK; i++) {
        const cm_problem *pr = &defs->problems[i];
        if (pr->n_indicators == 0)
            e = cm_diag_set(d, CM_ERR_DEFINITION, pr->file, pr->line, NULL,
                            "problem '%s' has no indicator: name it in an "
                            "indicator's 'problem' key", pr->id);
    }
done:
    free(B.element_ids);
    free(B.benchmark_ids);
    free(B.problem_ids);
    return e;
}

/* ---- entry points ----------------------------------------------------- */

static cm_error add_file(loader *L, const char *path, cm_diag *d)
{
    char **p = realloc(L->files, (L->n_files + 1) * sizeof *p);
    if (!p)
        return nomem(d, path, 0);
    L->files = p;
    L->files[L->n_files] = cm_strdup(path);
    if (!L->files[L->n_files])
        return nomem(d, path, 0);
    L->cur_file = L->files[L->n_files++];
    return CM_OK;
}

/* Builds the cm_defs from what L collected; takes L's file list. */
static cm_error finish(loader *L, cm_defs **out, cm_diag *d)
{
    cm_defs *defs = calloc(1, sizeof *defs);
    if (!defs)
        return nomem(d, NULL, 0);
    cm_error e = build(L, defs, d);
    defs->files = L->files;
    defs->n_files = L->n_files;
    L->files = NULL;
    L->n_files = 0;
    if (e != CM_OK) {
        cm_defs_free(defs);
        return e;
    }
    *out = defs;
    return CM_OK;
}

cm_error cm_defs_load_mem(const char *name, const char *text, cm_defs **out,
                          cm_diag *d)
{
    *out = NULL;
    loader L = {0};
    L.d = d;
    if (!name)
        name = "<memory>";
    cm_error e = add_file(&L, name, d);
    if (e == CM_OK)
        e = cm_ini_parse_mem(name, text, ini_cb, &L, d);
    if (e == CM_OK)
        e = finish(&L, out, d);
    loader_free(&L);
    return e;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with_ini(const char *s)
{
    size_t n = strlen(s);
    return n > 4 && strcmp(s + n - 4, ".ini") == 0;
}

cm_error cm_defs_load(const char *dir, cm_defs **out, cm_diag *d)
{
    *out = NULL;
    DIR *dh = opendir(dir);
    if (!dh)
        return cm_diag_set(d, CM_ERR_IO, dir, 0, NULL,
                           "cannot open the definitions folder");
    char **names = NULL;
    size_t n = 0;
    cm_error e = CM_OK;
    struct dirent *ent;
    while ((ent = readdir(dh)) != NULL) {
        /* Hidden files are editor locks and backups (.#x.ini), not ours. */
        if (ent->d_name[0] == '.' || !ends_with_ini(ent->d_name))
            continue;
        char **p = realloc(names, (n + 1) * sizeof *p);
        if (!p) {
            e = nomem(d, dir, 0);
            break;
        }
        names = p;
        names[n] = cm_strdup(ent->d_name);
        if (!names[n]) {
            e = nomem(d, dir, 0);
            break;
        }
        n++;
    }
    closedir(dh);
    if (e == CM_OK && n == 0)
        e = cm_diag_set(d, CM_ERR_DEFINITION, dir, 0, NULL,
                        "no .ini files in the definitions folder");
    if (e == CM_OK)
        qsort(names, n, sizeof *names, cmp_names);

    loader L = {0};
    L.d = d;
    size_t dlen = strlen(dir);
    int slash = dlen > 0 && dir[dlen - 1] == '/';
    for (size_t i = 0; i < n && e == CM_OK; i++) {
        size_t len = dlen + 1 + strlen(names[i]) + 1;
        char *path = malloc(len);
        if (!path) {
            e = nomem(d, dir, 0);
            break;
        }
        snprintf(path, len, "%s%s%s", dir, slash ? "" : "/", names[i]);
        e = add_file(&L, path, d);
        free(path);
        if (e == CM_OK)
            e = cm_ini_parse_file(L.cur_file, ini_cb, &L, d);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (e == CM_OK)
        e = finish(&L, out, d);
    loader_free(&L);
    return e;
}

void cm_defs_free(cm_defs *defs)
{
    if (!defs)
        return;
    for (size_t i = 0; i < defs->n_elements; i++) {
        cm_element *x = &defs->elements[i];
        free(x->id);
        free(x->name);
        free(x->unit);
        free(x->file);
    }
    for (size_t i = 0; i < defs->n_benchmarks; i++) {
        cm_benchmark *x = &defs->benchmarks[i];
        free(x->id);
        free(x->name);
        free(x->level);
        free(x->file);
    }
    for (size_t i = 0; i < defs->n_indicators; i++) {
        cm_indicator *x = &defs->indicators[i];
        free(x->id);
        free(x->name);
        free(x->category);
        free(x->unit);
        free(x->formula_text);
        cm_expr_free(x->formula);
        free(x->target_text);
        free(x->describe);
        free(x->missing);
        free(x->file);
    }
    for (size_t i = 0; i < defs->n_problems; i++) {
        cm_problem *x = &defs->problems[i];
        free(x->id);
        free(x->name);
        free(x->indicators);
        free(x->file);
    }
    free(defs->elements);
    free(defs->benchmarks);
    free(defs->indicators);
    free(defs->problems);
    for (size_t i = 0; i < defs->n_files; i++)
        free(defs->files[i]);
    free(defs->files);
    free(defs);
}

const cm_element *cm_defs_element(const cm_defs *defs, const char *id)
{
    for (size_t i = 0; defs && id && i < defs->n_elements; i++)
        if (strcmp(defs->elements[i].id, id) == 0)
            return &defs->elements[i];
    return NULL;
}

const cm_indicator *cm_defs_indicator(const cm_defs *defs, const char *id)
{
    for (size_t i = 0; defs && id && i < defs->n_indicators; i++)
        if (strcmp(defs->indicators[i].id, id) == 0)
            return &defs->indicators[i];
    return NULL;
}

const cm_problem *cm_defs_problem(const cm_defs *defs, const char *id)
{
    for (size_t i = 0; defs && id && i < defs->n_problems; i++)
        if (strcmp(defs->problems[i].id, id) == 0)
            return &defs->problems[i];
    return NULL;
}
