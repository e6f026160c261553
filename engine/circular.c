/*
 * circular.c - the cover letter of a circular (通报) from a template in templates/.
 *
 * Every value goes through cm_text so that a misspelt placeholder is caught
 * by `credmon check` (facts == NULL) with the same rules as in a run, and
 * every error names the template file, the line of the offending key or
 * continuation line, and the key.
 */
#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include "circular.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "text.h"

/* ORDER CM_CIRCULAR_KEY: keep in step with cm_circular_keys[]. */
enum {
    K_ISSUER_HEADER,
    K_DOC_NUMBER,
    K_TITLE,
    K_RECIPIENTS,
    K_BODY,
    K_ATTACHMENTS,
    K_SIGNATURE,
    K_DATE,
    K_TABLE_TITLE,
    K_TABLE_LABEL,
    K_MONITORING,       /* optional (issue 4) */
    K__COUNT
};

/* ORDER CM_CIRCULAR_KEY */
static const char *const cm_circular_keys[K__COUNT] = {
    "issuer_header", "doc_number", "title", "recipients", "body",
    "attachments", "signature", "date", "table_title", "table_label",
    "monitoring",
};

static const char *const cm_circular_placeholders[] = {
    "city", "code", "period", "year", "month", "problems",
};
#define N_PLACEHOLDERS \
    (sizeof cm_circular_placeholders / sizeof cm_circular_placeholders[0])

/* ORDER: as listed in circular.h; run.c gives a value for each. */
const char *const cm_circular_monitoring_vars[] = {
    "city",          "year",        "month",     "group_name",
    "n",             "rank",        "score",     "d_month",
    "d_year",        "d_dec",       "prov_name", "prov_place",
    "prov_n",        "prov_upper",  "target_up", "target_rank",
    "to_gain",       "level1_worst", "level1_worst_delta", "problems",
    "new",           "persisting",  "resolved",  "overdue",
    NULL,
};
#define N_MONITORING_VARS \
    (sizeof cm_circular_monitoring_vars / sizeof cm_circular_monitoring_vars[0] - 1)

/* GB/T 9704-2012 7.3.5.3: the year in full, month and day "不编虚位" (1, not
 * 01). ASCII digits only: the document's numbers are Arabic numerals. */
static const char cm_circular_date_pattern[] =
    "^[0-9]{4}年([1-9]|1[0-2])月([1-9]|[12][0-9]|3[01])日$";

typedef struct load_state {
    const char *path;
    const cm_circular_facts *facts;
    cm_circular *c;
    cm_text_var vars[N_PLACEHOLDERS];
    char year[16], month[16], problems[16];
    long section_line;   /* line of [circular], 0 until seen */
    long key_line[K__COUNT];
} load_state;

void cm_circular_free(cm_circular *c)
{
    if (!c)
        return;
    free(c->issuer_header);
    free(c->doc_number);
    free(c->title);
    free(c->recipients);
    for (size_t i = 0; i < c->n_body; i++)
        free(c->body[i]);
    free(c->body);
    for (size_t i = 0; i < c->n_attachments; i++)
        free(c->attachments[i]);
    free(c->attachments);
    free(c->signature);
    free(c->date);
    free(c->table_title);
    free(c->table_label);
    free(c->monitoring);
    free(c->path);
    free(c);
}

static char **scalar_slot(cm_circular *c, int k)
{
    switch (k) {
    case K_ISSUER_HEADER: return &c->issuer_header;
    case K_DOC_NUMBER:    return &c->doc_number;
    case K_TITLE:         return &c->title;
    case K_RECIPIENTS:    return &c->recipients;
    case K_SIGNATURE:     return &c->signature;
    case K_DATE:          return &c->date;
    case K_TABLE_TITLE:   return &c->table_title;
    case K_TABLE_LABEL:   return &c->table_label;
    default:              return NULL;
    }
}

/* Moves the cm_text error td (code e), found at byte at of value, to the
 * template file, the line of value it is on and the column within that
 * line. */
static cm_error relocate(load_state *st, const char *key, long key_line,
                         const char *value, size_t at, cm_error e,
                         const cm_diag *td, cm_diag *d)
{
    if (e == CM_ERR_NOMEM)
        return cm_diag_set(d, e, st->path, key_line, key, "out of memory");
    /* the column is within the line the error is on */
    long line = key_line;
    size_t line_start = 0;
    for (size_t i = 0; i < at && value[i]; i++)
        if (value[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    int fresh = d && d->code == CM_OK;
    cm_diag_set(d, e, st->path, line, key, "%s", td->msg);
    if (fresh && td->column > 0)
        d->column = (long)(at - line_start) + 1;
    return e;
}

/* Checks or renders one piece of a value. text starts at byte off of the
 * whole value, which began on key_line; a cm_text error is moved to the
 * template's file, the piece's line and the key. */
static cm_error fill(load_state *st, const char *key, long key_line,
                     const char *value, size_t off, const char *text,
                     char **out, cm_diag *d)
{
    cm_diag td;
    cm_diag_clear(&td);
    cm_error e;
    if (st->facts) {
        e = cm_text_render(text, st->vars, N_PLACEHOLDERS, out, &td);
    } else {
        e = cm_text_check(text, cm_circular_placeholders, N_PLACEHOLDERS,
                          &td);
        if (e == CM_OK) {
            *out = cm_strdup(text);
            if (!*out)
                e = CM_ERR_NOMEM;
        }
    }
    if (e == CM_OK)
        return CM_OK;
    size_t at = off + (td.column > 0 ? (size_t)td.column - 1 : 0);
    return relocate(st, key, key_line, value, at, e, &td, d);
}

/* The monitoring paragraph: one paragraph however many lines it is
 * wrapped over, so the continuation lines are joined without the "\n"
 * (Chinese text has no spaces between words; a condition may even be
 * split across lines). Kept as a template: its facts come from the rank
 * analysis and the lifecycle, so it is checked here against
 * cm_circular_monitoring_vars and rendered by run, with or without facts
 * at load. An error is located on the line and column of the original
 * value. */
static cm_error load_monitoring(load_state *st, const char *key,
                                long key_line, const char *value,
                                cm_diag *d)
{
    size_t len = strlen(value);
    char *text = malloc(len + 1);
    size_t *from = malloc((len + 1) * sizeof *from);  /* joined -> value */
    if (!text || !from) {
        free(text);
        free(from);
        return cm_diag_set(d, CM_ERR_NOMEM, st->path, key_line, key,
                           "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (value[i] != '\n') {
            from[n] = i;
            text[n++] = value[i];
        }
    from[n] = len;
    text[n] = '\0';
    if (n == 0) {
        free(text);
        free(from);
        return cm_diag_set(d, CM_ERR_DEFINITION, st->path, key_line, key,
                           "'%s' is empty", key);
    }
    cm_diag td;
    cm_diag_clear(&td);
    cm_error e = cm_text_check(text, cm_circular_monitoring_vars,
                               N_MONITORING_VARS, &td);
    if (e != CM_OK) {
        size_t j = td.column > 0 ? (size_t)td.column - 1 : 0;
        e = relocate(st, key, key_line, value, from[j < n ? j : n], e, &td,
                     d);
        free(text);
    } else {
        st->c->monitoring = text;
    }
    free(from);
    return e;
}

/* body and attachments: one item per line of the value, empty ones
 * dropped (the value of "body =" itself is often empty). */
static cm_error fill_list(load_state *st, const char *key, long key_line,
                          const char *value, char ***items, size_t *n_items,
                          cm_diag *d)
{
    size_t cap = 1;
    for (const char *p = value; *p; p++)
        cap += *p == '\n';
    char **v = calloc(cap, sizeof *v);
    if (!v)
        return cm_diag_set(d, CM_ERR_NOMEM, st->path, key_line, key,
                           "out of memory");
    *items = v;
    *n_items = 0;
    size_t pos = 0, len = strlen(value);
    while (pos <= len) {
        const char *nl = memchr(value + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - value) : len;
        if (end > pos) {
            char *piece = malloc(end - pos + 1);
            if (!piece)
                return cm_diag_set(d, CM_ERR_NOMEM, st->path, key_line, key,
                                   "out of memory");
            memcpy(piece, value + pos, end - pos);
            piece[end - pos] = '\0';
            char *out = NULL;
            cm_error e = fill(st, key, key_line, value, pos, piece, &out, d);
            free(piece);
            if (e != CM_OK)
                return e;
            v[(*n_items)++] = out;
        }
        pos = end + 1;
    }
    return CM_OK;
}

static cm_error check_date(load_state *st, long line, const char *date,
                           cm_diag *d)
{
    int err = 0;
    PCRE2_SIZE erroff = 0;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)cm_circular_date_pattern,
                                   PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err,
                                   &erroff, NULL);
    if (!re)
        return cm_diag_set(d, CM_ERR_NOMEM, st->path, line, "date",
                           "cannot compile the date pattern");
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md) {
        pcre2_code_free(re);
        return cm_diag_set(d, CM_ERR_NOMEM, st->path, line, "date",
                           "out of memory");
    }
    int m = pcre2_match(re, (PCRE2_SPTR)date, PCRE2_ZERO_TERMINATED, 0, 0, md,
                        NULL);
    int ok = m > 0;
    if (ok) {
        /* the pattern bounds the day by 31; the month decides the rest */
        static const int mdays[12] = {31, 29, 31, 30, 31, 30,
                                      31, 31, 30, 31, 30, 31};
        int y = atoi(date), mo = atoi(date + 7);
        const char *dp = strstr(date, "月");
        int day = dp ? atoi(dp + strlen("月")) : 0;
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        ok = day <= mdays[mo - 1] && !(mo == 2 && day == 29 && !leap);
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    if (!ok)
        return cm_diag_set(d, CM_ERR_FIELD, st->path, line, "date",
                           "'%s' is not a date written as YYYY年M月D日 "
                           "(e.g. 2019年7月1日)",
                           date);
    return CM_OK;
}

static cm_error on_entry(void *ctx, const char *section, const char *key,
                         const char *value, long line, cm_diag *d)
{
    load_state *st = ctx;
    if (!key) {
        if (strcmp(section, "circular") != 0)
            return cm_diag_set(d, CM_ERR_NAME, st->path, line, NULL,
                               "unknown section [%s] (a template has one "
                               "section, [circular])",
                               section);
        if (st->section_line)
            return cm_diag_set(d, CM_ERR_DUPLICATE, st->path, line, NULL,
                               "second [circular] section (first on line %ld)",
                               st->section_line);
        st->section_line = line;
        return CM_OK;
    }
    int k = 0;
    while (k < K__COUNT && strcmp(cm_circular_keys[k], key) != 0)
        k++;
    if (k == K__COUNT)
        return cm_diag_set(d, CM_ERR_NAME, st->path, line, key,
                           "unknown key '%s'", key);
    if (st->key_line[k])
        return cm_diag_set(d, CM_ERR_DUPLICATE, st->path, line, key,
                           "'%s' set twice (first on line %ld)", key,
                           st->key_line[k]);
    st->key_line[k] = line;
    if (!value)
        value = "";

    cm_circular *c = st->c;
    if (k == K_MONITORING)
        return load_monitoring(st, key, line, value, d);
    if (k == K_BODY)
        return fill_list(st, key, line, value, &c->body, &c->n_body, d);
    if (k == K_ATTACHMENTS)
        return fill_list(st, key, line, value, &c->attachments,
                         &c->n_attachments, d);
    char **slot = scalar_slot(c, k);
    cm_error e = fill(st, key, line, value, 0, value, slot, d);
    if (e != CM_OK)
        return e;
    if (**slot == '\0')
        return cm_diag_set(d, CM_ERR_DEFINITION, st->path, line, key,
                           "'%s' is empty", key);
    if (k == K_DATE && st->facts)
        return check_date(st, line, *slot, d);
    if (k == K_DATE && !strchr(value, '{'))
        return check_date(st, line, value, d);
    return CM_OK;
}

cm_error cm_circular_load(const char *path, const cm_circular_facts *facts,
                          cm_circular **out, cm_diag *d)
{
    *out = NULL;
    load_state st;
    memset(&st, 0, sizeof st);
    st.path = path;
    st.facts = facts;
    if (facts) {
        snprintf(st.year, sizeof st.year, "%d", facts->year);
        snprintf(st.month, sizeof st.month, "%d", facts->month);
        snprintf(st.problems, sizeof st.problems, "%d", facts->problems);
        const char *values[N_PLACEHOLDERS] = {
            facts->city, facts->code, facts->period,
            st.year,     st.month,    st.problems,
        };
        for (size_t i = 0; i < N_PLACEHOLDERS; i++) {
            st.vars[i].name = cm_circular_placeholders[i];
            st.vars[i].value = values[i];
        }
    }
    st.c = calloc(1, sizeof *st.c);
    if (!st.c)
        return cm_diag_set(d, CM_ERR_NOMEM, path, 0, NULL, "out of memory");
    st.c->path = cm_strdup(path);
    if (!st.c->path) {
        cm_circular_free(st.c);
        return cm_diag_set(d, CM_ERR_NOMEM, path, 0, NULL, "out of memory");
    }

    cm_error e = cm_ini_parse_file(path, on_entry, &st, d);
    if (e == CM_OK && !st.section_line)
        e = cm_diag_set(d, CM_ERR_DEFINITION, path, 0, NULL,
                        "no [circular] section");
    for (int k = 0; e == CM_OK && k < K__COUNT; k++)
        if (!st.key_line[k] && k != K_MONITORING)
            e = cm_diag_set(d, CM_ERR_DEFINITION, path, st.section_line,
                            cm_circular_keys[k], "missing key '%s'",
                            cm_circular_keys[k]);
    if (e == CM_OK && st.c->n_body == 0)
        e = cm_diag_set(d, CM_ERR_DEFINITION, path, st.key_line[K_BODY],
                        "body", "the body has no paragraph");
    if (e != CM_OK) {
        cm_circular_free(st.c);
        return e;
    }
    *out = st.c;
    return CM_OK;
}
