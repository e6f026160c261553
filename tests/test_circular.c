/*
 * test_circular.c - the cover letter template, checked against seed 000
 * (Ya'an 2019: recipients, body, the two attachments, signature, date and
 * annex 2's title), and bad templates with their located errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "circular.h"
#include "text.h"

/* Seed 000's cover letter as a template; line numbers matter below. */
static const char *const base[] = {
    /*  1 */ "; Ya'an, seed 000",
    /*  2 */ "[circular]",
    /*  3 */ "issuer_header = 雅安市社会信用体系建设联席会议办公室文件",
    /*  4 */ "doc_number = 雅信用办〔2019〕1号",
    /*  5 */ "title = 关于印发《{city}{year}年信用建设主要问题整改责任分工表》的通知",
    /*  6 */ "recipients = 市联席会议成员单位,飞地园区(经开区)管委会,"
             "各县(区)发展改革局:",
    /*  7 */ "body =",
    /*  8 */ "    为深入推进2019年全市社会信用体系建设工作,经雅安市社会信用体系"
             "建设2019年第1次联席会议审议通过,现将《雅安市社会信用体系建设2019"
             "年工作要点》、《{city}{year}年信用建设主要问题整改责任分工表》"
             "印发你们,请认真贯彻执行。",
    /*  9 */ "attachments =",
    /* 10 */ "    1.《雅安市社会信用体系建设2019年工作要点》;",
    /* 11 */ "    2.《{city}{year}年信用建设主要问题整改责任分工表》",
    /* 12 */ "signature = 雅安市社会信用体系建设联席会议办公室",
    /* 13 */ "date = 2019年7月1日",
    /* 14 */ "table_label = 附件2",
    /* 15 */ "table_title = {city}{year}年信用建设主要问题整改责任分工表",
};
#define N_BASE (sizeof base / sizeof base[0])

typedef struct fixture {
    char dir[64];
    char path[128];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/cm_circular_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/circular.ini", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Writes the base template with line `line` (1-based) replaced by repl
 * (NULL deletes it; 0 changes nothing). */
static void write_template(const fixture *f, size_t line, const char *repl)
{
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    for (size_t i = 0; i < N_BASE; i++) {
        if (i + 1 == line) {
            if (repl)
                fprintf(fp, "%s\n", repl);
        } else {
            fprintf(fp, "%s\n", base[i]);
        }
    }
    fclose(fp);
}

static cm_circular_facts yaan_facts(void)
{
    cm_circular_facts facts = {"雅安市", "511800", "2018-12", 0, 0, 12};
    assert_true(cm_text_period_parts(facts.period, &facts.year, &facts.month));
    return facts;
}

static void test_seed_000(void **state)
{
    fixture *f = *state;
    write_template(f, 0, NULL);
    cm_circular_facts facts = yaan_facts();
    cm_circular *c = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_circular_load(f->path, &facts, &c, &d), CM_OK);
    assert_non_null(c);
    assert_string_equal(c->issuer_header,
                        "雅安市社会信用体系建设联席会议办公室文件");
    assert_string_equal(c->doc_number, "雅信用办〔2019〕1号");
    assert_string_equal(c->title, "关于印发《雅安市2018年信用建设主要问题"
                                  "整改责任分工表》的通知");
    assert_string_equal(c->recipients, "市联席会议成员单位,飞地园区(经开区)"
                                       "管委会,各县(区)发展改革局:");
    assert_int_equal(c->n_body, 1);
    assert_string_equal(c->body[0],
                        "为深入推进2019年全市社会信用体系建设工作,经雅安市社会"
                        "信用体系建设2019年第1次联席会议审议通过,现将《雅安市"
                        "社会信用体系建设2019年工作要点》、《雅安市2018年信用"
                        "建设主要问题整改责任分工表》印发你们,请认真贯彻执行。");
    assert_int_equal(c->n_attachments, 2);
    assert_string_equal(c->attachments[0],
                        "1.《雅安市社会信用体系建设2019年工作要点》;");
    assert_string_equal(c->attachments[1],
                        "2.《雅安市2018年信用建设主要问题整改责任分工表》");
    assert_string_equal(c->signature, "雅安市社会信用体系建设联席会议办公室");
    assert_string_equal(c->date, "2019年7月1日");
    assert_string_equal(c->table_label, "附件2");
    assert_string_equal(c->table_title,
                        "雅安市2018年信用建设主要问题整改责任分工表");
    assert_string_equal(c->path, f->path);
    assert_null(c->monitoring);     /* optional: seed 000 has none */
    cm_circular_free(c);
    cm_circular_free(NULL);
}

static void test_all_placeholders(void **state)
{
    fixture *f = *state;
    write_template(f, 14, "table_label = {code}/{period}/{year}/{month}/"
                          "{problems}/{{x}}");
    cm_circular_facts facts = yaan_facts();
    cm_circular *c = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_circular_load(f->path, &facts, &c, &d), CM_OK);
    assert_string_equal(c->table_label, "511800/2018-12/2018/12/12/{x}");
    cm_circular_free(c);
}

static void test_validate_only(void **state)
{
    fixture *f = *state;
    write_template(f, 0, NULL);
    cm_circular *c = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_circular_load(f->path, NULL, &c, &d), CM_OK);
    assert_string_equal(c->table_title,
                        "{city}{year}年信用建设主要问题整改责任分工表");
    assert_int_equal(c->n_attachments, 2);
    assert_string_equal(c->attachments[1],
                        "2.《{city}{year}年信用建设主要问题整改责任分工表》");
    cm_circular_free(c);
}

static void test_multi_paragraph_body(void **state)
{
    fixture *f = *state;
    write_template(f, 8, "    第一段。\n\t第二段{city}。\n    第三段。");
    cm_circular_facts facts = yaan_facts();
    cm_circular *c = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_circular_load(f->path, &facts, &c, &d), CM_OK);
    assert_int_equal(c->n_body, 3);
    assert_string_equal(c->body[0], "第一段。");
    assert_string_equal(c->body[1], "第二段雅安市。");
    assert_string_equal(c->body[2], "第三段。");
    cm_circular_free(c);
}

/* Line 15 of the base template followed by a monitoring key. */
#define TITLE_15 "table_title = {city}{year}年信用建设主要问题整改责任分工表\n"

/* Issue 4: the monitoring paragraph, wrapped over three lines, is kept as
 * one template (lines joined, placeholders not filled even with facts)
 * and renders with the rank facts. */
static void test_monitoring(void **state)
{
    fixture *f = *state;
    write_template(f, 15, TITLE_15
                   "monitoring = {year}年{month}月,我市在全国{n}个{group_name}"
                   "中排名第{rank}位,\n"
                   "    {if d_month > 0}较上月上升{d_month}位{elif d_month < 0}"
                   "较上月下降\n"
                   "    {abs:d_month}位{else}与上月持平{end}。");
    static const char want_tmpl[] =
        "{year}年{month}月,我市在全国{n}个{group_name}中排名第{rank}位,"
        "{if d_month > 0}较上月上升{d_month}位{elif d_month < 0}较上月下降"
        "{abs:d_month}位{else}与上月持平{end}。";
    cm_circular_facts facts = yaan_facts();
    for (int with_facts = 0; with_facts < 2; with_facts++) {
        cm_circular *c = NULL;
        cm_diag d;
        cm_diag_clear(&d);
        assert_int_equal(cm_circular_load(f->path, with_facts ? &facts : NULL,
                                          &c, &d),
                         CM_OK);
        assert_non_null(c->monitoring);
        assert_string_equal(c->monitoring, want_tmpl);
        if (with_facts)
            assert_string_equal(c->table_title, "雅安市2018年信用建设主要"
                                                "问题整改责任分工表");
        const cm_text_var vars[] = {
            {"year", "2019"}, {"month", "6"}, {"n", "261"},
            {"group_name", "地级市"}, {"rank", "113"}, {"d_month", "-7"},
        };
        char *out = NULL;
        assert_int_equal(cm_text_render(c->monitoring, vars, 6, &out, &d),
                         CM_OK);
        assert_string_equal(out, "2019年6月,我市在全国261个地级市中排名第"
                                 "113位,较上月下降7位。");
        free(out);
        cm_circular_free(c);
    }
}

/* The names of circular.h, each once, and a template using all of them
 * passes the check. */
static void test_monitoring_vars(void **state)
{
    fixture *f = *state;
    static const char *const want[] = {
        "city", "year", "month", "group_name", "n", "rank", "score",
        "d_month", "d_year", "d_dec", "prov_name", "prov_place", "prov_n",
        "prov_upper", "target_up", "target_rank", "to_gain", "level1_worst",
        "level1_worst_delta", "problems", "new", "persisting", "resolved",
        "overdue",
    };
    size_t n = 0;
    while (cm_circular_monitoring_vars[n])
        n++;
    assert_int_equal(n, sizeof want / sizeof want[0]);
    char line[2048] = TITLE_15 "monitoring =";
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(cm_circular_monitoring_vars[i], want[i]);
        char piece[128];
        snprintf(piece, sizeof piece, "\n    {%s}{if %s}x{end}", want[i],
                 want[i]);
        strcat(line, piece);
    }
    write_template(f, 15, line);
    cm_circular *c = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_circular_load(f->path, NULL, &c, &d), CM_OK);
    assert_true(strncmp(c->monitoring, "{city}{if city}x{end}{year}", 27) == 0);
    cm_circular_free(c);
}

static void test_leap_day(void **state)
{
    fixture *f = *state;
    write_template(f, 13, "date = 2020年2月29日");
    cm_circular *c = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_circular_load(f->path, NULL, &c, &d), CM_OK);
    assert_string_equal(c->date, "2020年2月29日");
    cm_circular_free(c);
}

static void test_bad_templates(void **state)
{
    fixture *f = *state;
    static const struct {
        size_t line;
        const char *repl;
        int with_facts;
        cm_error code;
        long err_line, column;
        const char *field, *msg;
    } cases[] = {
        {14, "colour = red", 1, CM_ERR_NAME, 14, 0, "colour",
         "unknown key 'colour'"},
        {13, NULL, 1, CM_ERR_DEFINITION, 2, 0, "date", "missing key 'date'"},
        {3, NULL, 0, CM_ERR_DEFINITION, 2, 0, "issuer_header",
         "missing key 'issuer_header'"},
        {13, "date = 2019-07-01", 1, CM_ERR_FIELD, 13, 0, "date",
         "'2019-07-01' is not a date written as YYYY年M月D日 (e.g. 2019年7月1日)"},
        {13, "date = 2019年07月01日", 0, CM_ERR_FIELD, 13, 0, "date", NULL},
        {13, "date = 2019年2月29日", 1, CM_ERR_FIELD, 13, 0, "date", NULL},
        {13, "date = 2019年4月31日", 1, CM_ERR_FIELD, 13, 0, "date", NULL},
        {13, "date = 2019年13月1日", 1, CM_ERR_FIELD, 13, 0, "date", NULL},
        {13, "date = ２０１９年7月1日", 1, CM_ERR_FIELD, 13, 0, "date", NULL},
        {13, "date = 2019年7月1日 ", 1, CM_OK, 0, 0, NULL, NULL},
        {13, "date = 2019年7月1日。", 1, CM_ERR_FIELD, 13, 0, "date", NULL},
        {15, "table_title = {cty}{year}年", 1, CM_ERR_NAME, 15, 1,
         "table_title", "unknown placeholder {cty}"},
        {15, "table_title = {cty}{year}年", 0, CM_ERR_NAME, 15, 1,
         "table_title", "unknown placeholder {cty}"},
        {5, "title = 关于{city}的{yaer}", 1, CM_ERR_NAME, 5, 16, "title",
         "unknown placeholder {yaer}"},
        {11, "    2.《{cty}年》", 1, CM_ERR_NAME, 11, 6, "attachments",
         "unknown placeholder {cty}"},
        {8, "    第一段。\n    第二段{town}。", 0, CM_ERR_NAME, 9, 10, "body",
         "unknown placeholder {town}"},
        {14, "table_label = 附件{2", 1, CM_ERR_SYNTAX, 14, 7, "table_label",
         "lone '{' (write {{ for a literal brace)"},
        {14, "table_label = ", 1, CM_ERR_DEFINITION, 14, 0, "table_label",
         "'table_label' is empty"},
        {14, "signature = 又一个", 1, CM_ERR_DUPLICATE, 14, 0, "signature",
         "'signature' set twice (first on line 12)"},
        {1, "[other]\nx = 1", 1, CM_ERR_NAME, 1, 0, "",
         "unknown section [other] (a template has one section, [circular])"},
        {2, "; no section", 1, CM_ERR_SYNTAX, 3, 0, NULL, NULL},
        {8, "", 1, CM_ERR_DEFINITION, 7, 0, "body",
         "the body has no paragraph"},
        /* monitoring: checked against its own names, with or without facts */
        {15, TITLE_15 "monitoring = 排名第{rnk}位", 1, CM_ERR_NAME, 16, 10,
         "monitoring", "unknown placeholder {rnk}"},
        {15, TITLE_15 "monitoring = 排名第{rnk}位", 0, CM_ERR_NAME, 16, 10,
         "monitoring", "unknown placeholder {rnk}"},
        {15, TITLE_15 "monitoring = {code}", 1, CM_ERR_NAME, 16, 1,
         "monitoring", "unknown placeholder {code}"},
        {15, TITLE_15 "monitoring =\n    第{rank}位,\n"
             "    较上月{if d_mnth > 0}上升{end}", 0, CM_ERR_NAME, 18, 14,
         "monitoring", "unknown name 'd_mnth' in condition"},
        {15, TITLE_15 "monitoring = {if d_month > 0}\n    上升\n    {else}持平",
         1, CM_ERR_SYNTAX, 16, 1, "monitoring", "{if} without {end}"},
        {15, TITLE_15 "monitoring = {if rank}a{else}b\n    {elif rank}c{end}",
         0, CM_ERR_SYNTAX, 17, 1, "monitoring", "{elif} after {else}"},
        {15, TITLE_15 "monitoring =", 1, CM_ERR_DEFINITION, 16, 0,
         "monitoring", "'monitoring' is empty"},
        {15, TITLE_15 "monitoring = a\nmonitoring = b", 1, CM_ERR_DUPLICATE,
         17, 0, "monitoring", "'monitoring' set twice (first on line 16)"},
    };
    cm_circular_facts facts = yaan_facts();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_template(f, cases[i].line, cases[i].repl);
        cm_circular *c = (cm_circular *)1;
        cm_diag d;
        cm_diag_clear(&d);
        cm_error e = cm_circular_load(f->path,
                                      cases[i].with_facts ? &facts : NULL,
                                      &c, &d);
        if (e != cases[i].code)
            fail_msg("case %zu: code %d, want %d (%s)", i, (int)e,
                     (int)cases[i].code, d.msg);
        if (e == CM_OK) {
            cm_circular_free(c);
            continue;
        }
        assert_null(c);
        assert_int_equal(d.code, cases[i].code);
        assert_string_equal(d.file, f->path);
        if (d.line != cases[i].err_line || d.column != cases[i].column)
            fail_msg("case %zu: at %ld:%ld, want %ld:%ld (%s)", i, d.line,
                     d.column, cases[i].err_line, cases[i].column, d.msg);
        if (cases[i].field)
            assert_string_equal(d.field, cases[i].field);
        if (cases[i].msg)
            assert_string_equal(d.msg, cases[i].msg);
    }
}

static void test_missing_file(void **state)
{
    fixture *f = *state;
    cm_circular *c = (cm_circular *)1;
    cm_diag d;
    cm_diag_clear(&d);
    char path[160];
    snprintf(path, sizeof path, "%s/none.ini", f->dir);
    assert_int_equal(cm_circular_load(path, NULL, &c, &d), CM_ERR_IO);
    assert_null(c);
}

/* The shipped Ya'an template gives annex 2's title. */
static void test_repo_template(void **state)
{
    (void)state;
    const char *root = getenv("CREDMON_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/templates/circular-511800.ini",
             root && *root ? root : ".");
    if (access(path, R_OK) != 0)
        skip();
    cm_circular_facts facts = yaan_facts();
    cm_circular *c = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_circular_load(path, &facts, &c, &d), CM_OK);
    assert_string_equal(c->table_title,
                        "雅安市2018年信用建设主要问题整改责任分工表");
    assert_string_equal(c->date, "2019年7月1日");
    assert_int_equal(c->n_attachments, 2);
    cm_circular_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seed_000, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_placeholders, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_validate_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_paragraph_body, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_monitoring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitoring_vars, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_leap_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_templates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
        cmocka_unit_test(test_repo_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
