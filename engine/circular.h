/*
 * circular.h - the cover letter of a circular (通报), read from a template in
 * templates/ and filled with the run's facts.
 *
 * Template format (INI, see ini.h), one section [circular] with keys:
 *   issuer_header  red header line, e.g. 雅安市社会信用体系建设联席会议办公室文件
 *   doc_number     发文字号, e.g. 雅信用办〔2019〕1号
 *   title          the document's title
 *   recipients     主送 line, written flush left, ending in ':'
 *   body           paragraphs, one per continuation line (ini.h); each is
 *                  indented two characters when laid out
 *   attachments    附件 items, one per continuation line, e.g.
 *                  1.《雅安市社会信用体系建设2019年工作要点》;
 *   signature      issuing office, e.g. 雅安市社会信用体系建设联席会议办公室
 *   date           e.g. 2019年7月1日 (must read YYYY年M月D日)
 *   table_title    title of the rectification table, e.g.
 *                  {city}{year}年信用建设主要问题整改责任分工表
 *   table_label    label above it, e.g. 附件2
 *   monitoring     optional: the monitoring section's paragraph (issue 4),
 *                  kept as a template here (not filled: its facts come from
 *                  the rank analysis and the problem lifecycle, rendered by
 *                  run with cm_text_render). Its placeholders: see
 *                  CM_CIRCULAR_MONITORING_VARS below.
 * Every value may use the placeholders {city} (region name), {code},
 * {period}, {year}, {month}, {problems} (number of rows). Unknown keys,
 * unknown placeholders, a missing key or a bad date are located errors.
 */
#ifndef CM_CIRCULAR_H
#define CM_CIRCULAR_H

#include <stddef.h>

#include "cm.h"

typedef struct cm_circular {
    char *issuer_header, *doc_number, *title, *recipients;
    char **body;        size_t n_body;
    char **attachments; size_t n_attachments;
    char *signature, *date;
    char *table_title, *table_label;
    char *monitoring;   /* template text, or NULL when the key is absent */
    char *path;         /* the template file read */
} cm_circular;

/* The facts a template may use. */
typedef struct cm_circular_facts {
    const char *city, *code, *period;
    int year, month;    /* of the period; month 0 for a quarter or year */
    int problems;
} cm_circular_facts;

/* The placeholders a monitoring template may use (NULL-terminated):
 * city, year, month, group_name (地级市), n, rank, score, d_month, d_year,
 * d_dec (changes in places, + = up), prov_name, prov_place, prov_n,
 * prov_upper (1/0), target_up, target_rank, to_gain, level1_worst,
 * level1_worst_delta, problems, new, persisting, resolved, overdue. */
extern const char *const cm_circular_monitoring_vars[];

/* Loads and fills the template at path. *out owned by the caller (free with
 * cm_circular_free). facts may be NULL to only validate (placeholders are
 * checked, not filled). */
cm_error cm_circular_load(const char *path, const cm_circular_facts *facts,
                          cm_circular **out, cm_diag *d);
void cm_circular_free(cm_circular *c);

#endif
