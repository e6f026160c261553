/*
 * test_pdf_out.c - the circular PDF for seed 000 (雅安 2019, annex 2): the
 * file is valid (qpdf), fonts embedded (pdffonts), text extractable and
 * complete (pdftotext), wrapped lines obey kinsoku, pages are numbered,
 * output is repeatable; refused fonts and non-BMP text are errors.
 * Issue 4: the monitoring section (paragraph, rank trend chart, lifecycle
 * table) between the letter and the attachment, and the county summaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "circular.h"
#include "lifecycle.h"
#include "pdf_out.h"
#include "rank.h"
#include "report.h"
#include "wrap.h"

#include "seed000.h"

#define seed_rows seed000_annex2
#define N_SEED_ROWS (sizeof seed_rows / sizeof seed_rows[0])

static const char *const seed_body =
    "为深入推进2019年全市社会信用体系建设工作,经雅安市社会信用体系建设"
    "2019年第1次联席会议审议通过,现将《雅安市社会信用体系建设2019年工作"
    "要点》、《雅安市2018年信用建设主要问题整改责任分工表》印发你们,"
    "请认真贯彻执行。";

typedef struct fixture {
    cm_circular *c;
    cm_report *r;
    char dir[64];
    char pdf[128];
    char *text;       /* pdftotext output (plain), for the seed file */
} fixture;

static char *xdup(const char *s)
{
    char *p = cm_strdup(s);
    assert_non_null(p);
    return p;
}

static cm_circular *seed_circular(void)
{
    cm_circular *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->issuer_header = xdup("雅安市社会信用体系建设联席会议办公室文件");
    c->doc_number = xdup("雅信用办〔2019〕1号");
    c->title = xdup("关于印发《雅安市社会信用体系建设2019年工作要点》和"
                    "《雅安市2018年信用建设主要问题整改责任分工表》的通知");
    c->recipients = xdup("市联席会议成员单位,飞地园区(经开区)管委会,"
                         "各县(区)发展改革局:");
    c->n_body = 1;
    c->body = calloc(1, sizeof *c->body);
    assert_non_null(c->body);
    c->body[0] = xdup(seed_body);
    c->n_attachments = 2;
    c->attachments = calloc(2, sizeof *c->attachments);
    assert_non_null(c->attachments);
    c->attachments[0] = xdup("1.《雅安市社会信用体系建设2019年工作要点》;");
    c->attachments[1] = xdup("2.《雅安市2018年信用建设主要问题整改责任分工表》");
    c->signature = xdup("雅安市社会信用体系建设联席会议办公室");
    c->date = xdup("2019年7月1日");
    c->table_label = xdup("附件2");
    c->table_title = xdup("雅安市2018年信用建设主要问题整改责任分工表");
    c->path = xdup("test");
    return c;
}

/* cm_circular_free lives in circular.c, which this test does not link. */
static void circular_free(cm_circular *c)
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
    free(c->path);
    free(c);
}

static cm_report *seed_report(void)
{
    cm_report *r = cm_report_new("511800", "雅安市", "2018-12",
                                 "雅安市2018年信用建设主要问题整改责任分工表");
    assert_non_null(r);
    for (size_t i = 0; i < N_SEED_ROWS; i++) {
        char pid[] = "p";
        cm_rect_row row = {(int)i + 1, pid, (char *)seed_rows[i][0],
                           (char *)seed_rows[i][1], (char *)seed_rows[i][2],
                           (char *)seed_rows[i][3], (char *)seed_rows[i][4],
                           (char *)seed_rows[i][5]};
        assert_int_equal(cm_report_add_row(r, &row), CM_OK);
    }
    return r;
}

/* Runs a shell command; returns its standard output (malloc'd) and its
 * exit status in *status. */
static char *run_capture(const char *cmd, int *status)
{
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t k;
    while ((k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[n] = '\0';
    *status = pclose(f);
    return buf;
}

static int run(const char *cmd)
{
    int st;
    free(run_capture(cmd, &st));
    return st;
}

static char *slurp_cmd(const char *fmt, const char *arg)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, fmt, arg);
    int st;
    char *buf = run_capture(cmd, &st);
    assert_int_equal(st, 0);
    return buf;
}

/* Removes ASCII whitespace and U+000C page breaks. */
static void squeeze(char *s)
{
    char *w = s;
    for (char *p = s; *p; p++)
        if (!strchr(" \t\r\n\f", *p))
            *w++ = *p;
    *w = '\0';
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/cm_pdf_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->pdf, sizeof f->pdf, "%s/out.pdf", f->dir);
    f->c = seed_circular();
    f->r = seed_report();
    cm_diag d;
    cm_diag_clear(&d);
    cm_error e = cm_pdf_write_circular(f->c, f->r, NULL, f->pdf, &d);
    if (e != CM_OK)
        print_error("%s\n", d.msg);
    assert_int_equal(e, CM_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char path[160];
    const char *files[] = {"out.pdf", "again.pdf", "bad.pdf", "mon.pdf",
                           "county.pdf"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    rmdir(f->dir);
    circular_free(f->c);
    cm_report_free(f->r);
    free(f->text);
    free(f);
    return 0;
}

static void test_qpdf_check(void **state)
{
    fixture *f = *state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1", f->pdf);
    assert_int_equal(run(cmd), 0);
}

static void test_fonts_embedded(void **state)
{
    fixture *f = *state;
    char *out = slurp_cmd("pdffonts '%s' 2>/dev/null", f->pdf);
    /* name type encoding emb sub uni object ID: two fonts, both emb yes. */
    int fonts = 0;
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "name", 4) || !strncmp(line, "----", 4))
            continue;
        fonts++;
        char name[128], type[32], type2[32], enc[64], emb[8];
        assert_int_equal(sscanf(line, "%127s %31s %31s %63s %7s", name, type,
                                type2, enc, emb),
                         5);
        assert_string_equal(emb, "yes");
    }
    assert_int_equal(fonts, 2);
    free(out);
}

static char *seed_text(fixture *f)
{
    if (!f->text)
        f->text = slurp_cmd("pdftotext -raw -enc UTF-8 '%s' - 2>/dev/null",
                            f->pdf);
    return f->text;
}

/* pdftotext -raw keeps the content stream order, in which the writer draws
 * a cell's lines one after the other, so a cell's text is a substring of
 * the whole text with all whitespace removed. (-layout and the default
 * mode put lines of neighbouring cells side by side, vertically centred
 * cells included, and interleave them.) */
static void test_text_comes_back(void **state)
{
    fixture *f = *state;
    char *all = xdup(seed_text(f));
    squeeze(all);
    /* a paragraph running over a page break has the folio in between */
    th_strip_folios(all);
    const char *cover[] = {
        "雅安市社会信用体系建设联席会议办公室文件", "雅信用办〔2019〕1号",
        "关于印发《雅安市社会信用体系建设2019年工作要点》和"
        "《雅安市2018年信用建设主要问题整改责任分工表》的通知",
        "市联席会议成员单位,飞地园区(经开区)管委会,各县(区)发展改革局:",
        seed_body,
        "附件：1.《雅安市社会信用体系建设2019年工作要点》;",
        "2.《雅安市2018年信用建设主要问题整改责任分工表》",
        "雅安市社会信用体系建设联席会议办公室", "2019年7月1日", "附件2",
        "雅安市2018年信用建设主要问题整改责任分工表",
        "序号", "主要问题", "问题描述", "整改牵头单位", "整改责任单位",
        "整改时限", "备注",
    };
    for (size_t i = 0; i < sizeof cover / sizeof *cover; i++) {
        if (!strstr(all, cover[i]))
            fail_msg("not in the PDF text: %s", cover[i]);
    }
    for (size_t i = 0; i < N_SEED_ROWS; i++)
        for (size_t j = 0; j < 6; j++) {
            if (!*seed_rows[i][j])
                continue;
            char *cell = xdup(seed_rows[i][j]);
            squeeze(cell);
            if (!strstr(all, cell))
                fail_msg("row %zu cell %zu not in the PDF text: %s", i + 1,
                         j, cell);
            free(cell);
        }
    free(all);
}

/* In -raw text each drawn line starts a new output line or follows a space
 * (single-line cells of one row share an output line); the seed has no
 * spaces of its own, so every whitespace-separated piece starts a drawn
 * line, and none may start with a no-start character. */
static void test_kinsoku_in_output(void **state)
{
    fixture *f = *state;
    char *text = xdup(seed_text(f));
    char *save = NULL;
    size_t lines = 0;
    for (char *line = strtok_r(text, " \n\f", &save); line;
         line = strtok_r(NULL, " \n\f", &save)) {
        unsigned cp = 0;
        if (!*line || cm_utf8_decode(line, strlen(line), &cp) == 0)
            continue;
        lines++;
        if (cm_wrap_no_start(cp))
            fail_msg("line starts with U+%04X: %s", cp, line);
    }
    assert_true(lines > 40);
    free(text);
}

static void test_pages_and_numbers(void **state)
{
    fixture *f = *state;
    char *info = slurp_cmd("pdfinfo '%s' 2>/dev/null", f->pdf);
    int pages = 0;
    char *p = strstr(info, "Pages:");
    assert_non_null(p);
    assert_int_equal(sscanf(p, "Pages: %d", &pages), 1);
    /* The letter takes one or two pages, the 12 rows two or three. */
    assert_true(pages >= 3 && pages <= 5);
    assert_non_null(strstr(info, "Creator:         credmon"));
    assert_non_null(strstr(info, "2019"));
    free(info);

    char *text = seed_text(f);
    char want[32];
    for (int i = 1; i <= pages; i++) {
        snprintf(want, sizeof want, "\xE2\x80\x94 %d \xE2\x80\x94", i);
        if (!strstr(text, want))
            fail_msg("page number %d missing", i);
    }
    snprintf(want, sizeof want, "\xE2\x80\x94 %d \xE2\x80\x94", pages + 1);
    assert_null(strstr(text, want));

    /* The attachment pages are landscape and repeat the header row. */
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "pdfinfo -f %d -l %d '%s' 2>/dev/null | grep -c 'size: *841.89 x "
             "595'",
             pages, pages, f->pdf);
    int st;
    char *out = run_capture(cmd, &st);
    assert_int_equal(atoi(out), 1);
    free(out);
    snprintf(cmd, sizeof cmd,
             "pdftotext -enc UTF-8 -f %d -l %d '%s' - 2>/dev/null", pages,
             pages, f->pdf);
    out = run_capture(cmd, &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "整改牵头单位"));
    free(out);
}

/* Two runs write the same bytes (fixed dates, no /ID in libharu 2.3.0's
 * trailer without encryption). */
static void test_repeatable(void **state)
{
    fixture *f = *state;
    char again[160];
    snprintf(again, sizeof again, "%s/again.pdf", f->dir);
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_circular(f->c, f->r, NULL, again, &d),
                     CM_OK);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", f->pdf, again);
    assert_int_equal(run(cmd), 0);
}

static void test_refused_fonts(void **state)
{
    (void)state;
    cm_diag d;
    const char *bad[] = {
        "/usr/share/fonts/truetype/droid/DroidSansFallback.ttf",
        "/nowhere/droidsansfallbackfull.ttf",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cm_diag_clear(&d);
        assert_int_equal(cm_pdf_check_font(bad[i], &d), CM_ERR_USAGE);
        assert_non_null(strstr(d.msg, "32767"));
    }
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_check_font("/nonexistent/uming.ttc", &d),
                     CM_ERR_USAGE);
    assert_string_equal(d.file, "/nonexistent/uming.ttc");
    assert_int_equal(
        cm_pdf_check_font("/usr/share/fonts/truetype/arphic/uming.ttc", &d),
        CM_OK);
}

static void test_refused_font_in_write(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/bad.pdf", f->dir);
    cm_pdf_fonts fonts = {"/tmp/DroidSansFallback.ttf", NULL};
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_circular(f->c, f->r, &fonts, path, &d),
                     CM_ERR_USAGE);
    assert_non_null(strstr(d.msg, "DroidSansFallback"));
    assert_int_equal(access(path, F_OK), -1);
}

static void test_emoji_refused(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/bad.pdf", f->dir);
    cm_report *r = seed_report();
    free(r->rows[4].note);
    r->rows[4].note = xdup("已完成\xF0\x9F\x98\x80");
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_circular(f->c, r, NULL, path, &d),
                     CM_ERR_ENCODING);
    assert_non_null(strstr(d.msg, "U+1F600"));
    assert_non_null(strstr(d.msg, "已完成"));
    assert_int_equal(access(path, F_OK), -1);
    cm_report_free(r);

    /* In the letter too, quoting at most 30 characters of the text. */
    char *old = f->c->title;
    f->c->title = xdup("关于一二三四五六七八九十一二三四五六七八九十一二三四"
                       "五六七八九十一二三四五六七八九十\xF0\x9F\x98\x80");
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_circular(f->c, f->r, NULL, path, &d),
                     CM_ERR_ENCODING);
    assert_string_equal(d.field, "title");
    assert_non_null(strstr(d.msg, "关于一二三四五六七八九十一二三四五六七"
                                  "八九十一二三四五六七八..."));
    free(f->c->title);
    f->c->title = old;
}

/* A row taller than a page is split at line boundaries, every line of it
 * still drawn once, and the writer still produces a valid file. */
static void test_huge_row(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/bad.pdf", f->dir);
    cm_report *r = seed_report();
    size_t n = 1200;
    char *big = malloc(n * 3 + 1);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        memcpy(big + 3 * i, i % 10 == 9 ? "。" : "信", 3);
    big[n * 3] = '\0';
    free(r->rows[2].description);
    r->rows[2].description = big;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_circular(f->c, r, NULL, path, &d), CM_OK);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1", path);
    assert_int_equal(run(cmd), 0);
    char *text = slurp_cmd("pdftotext -enc UTF-8 '%s' - 2>/dev/null", path);
    size_t count = 0;
    for (char *p = strstr(text, "信"); p; p = strstr(p + 3, "信"))
        count++;
    /* 1080 from the big cell, plus 信 in the other cells and the letter. */
    size_t others = 0;
    char *base = slurp_cmd("pdftotext -enc UTF-8 '%s' - 2>/dev/null",
                           f->pdf);
    for (char *p = strstr(base, "信"); p; p = strstr(p + 3, "信"))
        others++;
    size_t in_old = 0;
    for (const char *p = strstr(seed_rows[2][1], "信"); p;
         p = strstr(p + 3, "信"))
        in_old++;
    assert_int_equal(count, others - in_old + 1080);
    free(base);
    free(text);
    cm_report_free(r);
    unlink(path);
}

static void test_unwritable_path(void **state)
{
    fixture *f = *state;
    cm_diag d;
    cm_diag_clear(&d);
    const char *path = "/nonexistent-dir/out.pdf";
    assert_int_equal(cm_pdf_write_circular(f->c, f->r, NULL, path, &d),
                     CM_ERR_OUTPUT);
    assert_string_equal(d.file, path);
    assert_non_null(strstr(d.msg, "libharu error"));
}

/* ---- issue 4: monitoring section ------------------------------------- */

static const char *const mon_text =
    "2019年6月,我市在全国261个地级市中排名第152位,较上月上升5位,"
    "较上年同期上升21位,较上年12月上升18位;在全省21个市(州)中排名"
    "第11位,处于全省中上水平。距全年提升30位的目标还差12位。\n"
    "信用监管得分较上月下降1.20分,是失分最多的一级指标。";

/* Ya'an's line over 24 months (2017-07 .. 2019-06), rank 0 where the
 * list of 2018-02 is missing from the store. */
static const int mon_ranks[24] = {
    181, 178, 184, 176, 173, 175, 179, 0,   172, 169, 174, 170,
    173, 168, 171, 166, 165, 170, 163, 160, 158, 161, 157, 152,
};

static cm_report *monitoring_report(void)
{
    cm_report *r = seed_report();
    free(r->period);
    r->period = xdup("2019-06");
    cm_rank_analysis *a = calloc(1, sizeof *a);
    assert_non_null(a);
    strcpy(a->region, "511800");
    strcpy(a->group, "prefecture");
    strcpy(a->period, "2019-06");
    a->has = 1;
    a->rank = 152;
    a->n = 261;
    a->score = 78.4;
    a->target_up = 30;
    a->target_rank = 140;
    a->to_gain = 12;
    a->n_trend = 24;
    for (int i = 0; i < 24; i++) {
        cm_rank_point *t = &a->trend[i];
        int y = 2017 + (i + 6) / 12, m = (i + 6) % 12 + 1;
        char per[16];
        snprintf(per, sizeof per, "%04d-%02d", y, m);
        assert_int_equal(strlen(per), 7);
        memcpy(t->period, per, 8);
        t->rank = mon_ranks[i];
        t->n = t->rank ? 261 : 0;
        t->score = t->rank ? 80.0 - t->rank / 100.0 : 0;
        /* the province's median drifts up slowly, half places included */
        t->province_median = t->rank ? 168.5 - (i / 4) * 3.5 + (i % 3) : 0;
    }
    r->rank = a;

    cm_lifecycle *lc = calloc(1, sizeof *lc);
    assert_non_null(lc);
    lc->items = calloc(3, sizeof *lc->items);
    assert_non_null(lc->items);
    lc->n = 3;
    const struct {
        const char *id, *problem, *lead, *deadline, *note, *first;
        cm_lc_state st;
        int months, overdue;
    } it[3] = {
        {"p1", "黑名单数量占工商企业数量比重高于平均水平", "市市场监管局",
         "2019年9月前", "", "2019-06", CM_LC_NEW, 1, 0},
        {"p3", "失信专项治理工作有待加强", "市发展改革委", "长期坚持",
         "已退出失信被执行人", "2019-01", CM_LC_PERSISTING, 6, 0},
        {"p5", "国家信用法规文件的细化和落实情况低于平均水平",
         "市发展改革委", "2019年6月前", "", "2019-04", CM_LC_PERSISTING, 3,
         1},
    };
    for (size_t i = 0; i < 3; i++) {
        cm_lc_item *x = &lc->items[i];
        x->problem_id = xdup(it[i].id);
        x->problem = xdup(it[i].problem);
        x->lead = xdup(it[i].lead);
        x->deadline = xdup(it[i].deadline);
        x->note = xdup(it[i].note);
        x->state = it[i].st;
        x->months_open = it[i].months;
        x->overdue = it[i].overdue;
        strcpy(x->first_period, it[i].first);
    }
    strcpy(lc->region, "511800");
    strcpy(lc->period, "2019-06");
    r->lifecycle = lc;
    r->monitoring = xdup(mon_text);
    return r;
}

static int page_count(const char *pdf)
{
    char *info = slurp_cmd("pdfinfo '%s' 2>/dev/null", pdf);
    int pages = 0;
    char *p = strstr(info, "Pages:");
    assert_non_null(p);
    assert_int_equal(sscanf(p, "Pages: %d", &pages), 1);
    free(info);
    return pages;
}

static void assert_valid_pdf(const char *pdf)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1", pdf);
    assert_int_equal(run(cmd), 0);
    char *out = slurp_cmd("pdffonts '%s' 2>/dev/null", pdf);
    int fonts = 0;
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "name", 4) || !strncmp(line, "----", 4))
            continue;
        fonts++;
        char name[128], type[32], type2[32], enc[64], emb[8];
        assert_int_equal(sscanf(line, "%127s %31s %31s %63s %7s", name, type,
                                type2, enc, emb),
                         5);
        assert_string_equal(emb, "yes");
    }
    assert_int_equal(fonts, 2);
    free(out);
}

/* How many times the content streams set the red fill (#E60012) used for
 * the issuer's mark, the city's line, 逾期 and failing rows. */
static int red_fills(const char *pdf)
{
    char *out = slurp_cmd("qpdf --qdf --object-streams=disable '%s' - "
                          "2>/dev/null | grep -a -c '^0.902 0 0.071 rg$' "
                          "|| true",
                          pdf);
    int n = atoi(out);
    free(out);
    return n;
}

/* The whole -raw text, whitespace and folios removed. */
static char *flat_text(const char *pdf)
{
    char *all = slurp_cmd("pdftotext -raw -enc UTF-8 '%s' - 2>/dev/null", pdf);
    squeeze(all);
    th_strip_folios(all);
    return all;
}

static void test_monitoring_section(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/mon.pdf", f->dir);
    cm_report *r = monitoring_report();
    cm_diag d;
    cm_diag_clear(&d);
    cm_error e = cm_pdf_write_circular(f->c, r, NULL, path, &d);
    if (e != CM_OK)
        print_error("%s\n", d.msg);
    assert_int_equal(e, CM_OK);
    assert_valid_pdf(path);

    char *all = flat_text(path);
    const char *want[] = {
        "城市信用状况监测情况",
        /* the chart: caption, legend, axis labels, the latest rank */
        "图1雅安市在全国261个地级市中的排名走势", "雅安市排名",
        "全省排名中位数", "目标(第140位)", "第152位", "19-06", "19-03",
        "18-12", "17-09",
        /* the lifecycle table */
        "表1雅安市信用建设主要问题整改跟踪情况", "序号", "主要问题", "状态",
        "首次出现", "牵头单位", "整改时限", "逾期",
        "黑名单数量占工商企业数量比重高于平均水平", "新增", "2019年6月",
        "失信专项治理工作有待加强（已退出失信被执行人）", "持续6个月",
        "2019年1月", "长期坚持",
        "国家信用法规文件的细化和落实情况低于平均水平", "持续3个月",
        "2019年4月", "2019年6月前",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(all, want[i]))
            fail_msg("not in the PDF text: %s", want[i]);
    /* not every month is labelled: every third back from 2019-06 */
    assert_null(strstr(all, "19-05"));
    assert_null(strstr(all, "17-07"));
    /* both paragraphs, whole */
    char *para = xdup(mon_text);
    char *nl = strchr(para, '\n');
    assert_non_null(nl);
    *nl = '\0';
    assert_non_null(strstr(all, para));
    assert_non_null(strstr(all, nl + 1));
    /* between the letter and the attachment */
    char *head = strstr(all, "城市信用状况监测情况");
    char *sig = strstr(all, "2019年7月1日");
    char *annex = strstr(all, "附件2");
    assert_non_null(sig);
    assert_non_null(annex);
    assert_true(sig < head && head < annex);
    assert_true(strstr(all, "国家信用法规文件的细化和落实情况低于平均水平") <
                annex);
    free(para);
    free(all);

    /* one or two portrait pages more than the seed, all numbered */
    int pages = page_count(path), base = page_count(f->pdf);
    assert_true(pages >= base + 1 && pages <= base + 2);
    char *text = slurp_cmd("pdftotext -raw -enc UTF-8 '%s' - 2>/dev/null",
                           path);
    char folio[32];
    for (int i = 1; i <= pages; i++) {
        snprintf(folio, sizeof folio, "\xE2\x80\x94 %d \xE2\x80\x94", i);
        if (!strstr(text, folio))
            fail_msg("page number %d missing", i);
    }
    free(text);
    /* the section's pages are portrait */
    char cmd[300];
    int st;
    for (int pg = 1; pg <= pages; pg++) {
        snprintf(cmd, sizeof cmd,
                 "pdftotext -enc UTF-8 -f %d -l %d '%s' - 2>/dev/null | "
                 "grep -c 城市信用状况监测情况",
                 pg, pg, path);
        char *out = run_capture(cmd, &st);
        int hit = atoi(out);
        free(out);
        if (!hit)
            continue;
        snprintf(cmd, sizeof cmd,
                 "pdfinfo -f %d -l %d '%s' 2>/dev/null | grep -c "
                 "'size: *595.* x 841'",
                 pg, pg, path);
        out = run_capture(cmd, &st);
        assert_int_equal(atoi(out), 1);
        free(out);
    }
    cm_report_free(r);
    unlink(path);
}

/* Nothing of the section without its data; each part alone draws it. */
static void test_monitoring_parts(void **state)
{
    fixture *f = *state;
    char *seed = xdup(seed_text(f));
    assert_null(strstr(seed, "城市信用状况监测情况"));
    free(seed);

    char path[160];
    snprintf(path, sizeof path, "%s/mon.pdf", f->dir);
    for (int part = 0; part < 3; part++) {
        cm_report *r = monitoring_report();
        if (part != 0) {
            free(r->monitoring);
            r->monitoring = NULL;
        }
        if (part != 1) {
            free(r->rank);
            r->rank = NULL;
        }
        if (part != 2) {
            cm_lifecycle_free(r->lifecycle);
            r->lifecycle = NULL;
        }
        cm_diag d;
        cm_diag_clear(&d);
        assert_int_equal(cm_pdf_write_circular(f->c, r, NULL, path, &d),
                         CM_OK);
        assert_valid_pdf(path);
        char *all = flat_text(path);
        assert_non_null(strstr(all, "城市信用状况监测情况"));
        assert_true((strstr(all, "图1") != NULL) == (part == 1));
        assert_true((strstr(all, "表1") != NULL) == (part == 2));
        assert_true((strstr(all, "较上月上升5位") != NULL) == (part == 0));
        free(all);
        if (part == 2) {
            /* the letter's mark, then only the one overdue cell */
            int base = red_fills(f->pdf);
            assert_int_equal(red_fills(path), base + 1);
            r->lifecycle->items[2].overdue = 0;
            cm_diag_clear(&d);
            assert_int_equal(cm_pdf_write_circular(f->c, r, NULL, path, &d),
                             CM_OK);
            assert_int_equal(red_fills(path), base);
        }
        cm_report_free(r);
    }
    /* no province median, no target: no legend entry for them */
    {
        cm_report *r = monitoring_report();
        for (size_t i = 0; i < r->rank->n_trend; i++)
            r->rank->trend[i].province_median = 0;
        r->rank->target_rank = 0;
        cm_diag d;
        cm_diag_clear(&d);
        assert_int_equal(cm_pdf_write_circular(f->c, r, NULL, path, &d),
                         CM_OK);
        char *all = flat_text(path);
        assert_non_null(strstr(all, "雅安市排名"));
        assert_null(strstr(all, "全省排名中位数"));
        assert_null(strstr(all, "目标("));
        free(all);
        cm_report_free(r);
    }
    /* a city not in this month's list: no chart */
    cm_report *r = monitoring_report();
    r->rank->has = 0;
    free(r->monitoring);
    r->monitoring = NULL;
    cm_lifecycle_free(r->lifecycle);
    r->lifecycle = NULL;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_circular(f->c, r, NULL, path, &d), CM_OK);
    char *all = flat_text(path);
    assert_null(strstr(all, "城市信用状况监测情况"));
    free(all);
    cm_report_free(r);

    /* a long lifecycle runs over pages: header repeated, rows whole */
    r = monitoring_report();
    cm_lifecycle *lc = r->lifecycle;
    size_t n = 40;
    cm_lc_item *items = realloc(lc->items, n * sizeof *items);
    assert_non_null(items);
    lc->items = items;
    for (size_t i = 3; i < n; i++) {
        cm_lc_item *x = &items[i];
        memset(x, 0, sizeof *x);
        char buf[128];
        snprintf(buf, sizeof buf, "第%zu项问题长期未整改到位需要持续跟踪督办",
                 i + 1);
        x->problem_id = xdup("px");
        x->problem = xdup(buf);
        x->lead = xdup("市发展改革委、人行雅安市中心支行");
        x->deadline = xdup("2019年12月");
        x->note = xdup("");
        x->state = CM_LC_RESOLVED;
        lc->n = i + 1;
    }
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_circular(f->c, r, NULL, path, &d), CM_OK);
    assert_valid_pdf(path);
    all = flat_text(path);
    for (size_t i = 3; i < n; i++) {
        char buf[128];
        snprintf(buf, sizeof buf, "第%zu项问题长期未整改到位需要持续跟踪督办",
                 i + 1);
        if (!strstr(all, buf))
            fail_msg("lifecycle row %zu not in the text", i + 1);
    }
    size_t heads = 0;
    for (char *p = strstr(all, "首次出现"); p; p = strstr(p + 1, "首次出现"))
        heads++;
    assert_true(heads >= 2);
    free(all);
    cm_report_free(r);
    unlink(path);
}

/* Other text is checked too: a character outside the BMP is an error. */
static void test_monitoring_emoji(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/bad.pdf", f->dir);
    cm_report *r = monitoring_report();
    free(r->lifecycle->items[1].note);
    r->lifecycle->items[1].note = xdup("好\xF0\x9F\x98\x80");
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_circular(f->c, r, NULL, path, &d),
                     CM_ERR_ENCODING);
    assert_non_null(strstr(d.msg, "U+1F600"));
    assert_int_equal(access(path, F_OK), -1);
    free(r->monitoring);
    r->monitoring = xdup("排名\xF0\x9F\x98\x80");
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_circular(f->c, r, NULL, path, &d),
                     CM_ERR_ENCODING);
    assert_string_equal(d.field, "monitoring");
    cm_report_free(r);
}

/* ---- issue 4: county summaries --------------------------------------- */

static const char *const county_ind[][3] = {
    /* name, unit, value */
    {"黑名单数量占工商企业数量比重", "%", "1.8"},
    {"地方发布红名单企业数量", "家", "1571"},
    {"双公示数量与工商企业总数的比值", "", "0.53"},
    {"统一社会信用代码重错码率", "%", "0.19"},
    {"市场主体信用承诺数量占工商企业总数比重", "%", "0.01"},
    {"商业机构用信意识评价得分", "分", "2.13"},
    {"个人信用意识评价得分", "分", "1.08"},
    {"信用服务机构数量", "家", "1"},
    {"互联网发布风险提示信息数量", "条", "1"},
    {"联合奖惩案例数量", "个", "324"},
    {"转发国家顶层设计文件数量", "个", "4"},
    {"行政许可双公示按时上报率", "%", "96.5"},
    {"行政处罚双公示按时上报率", "%", "88.2"},
    {"信用修复完成数量", "件", "12"},
    {"失信被执行人数量", "人", "35"},
    {"政府失信被执行人记录", "条", "1"},
    {"信用信息共享平台归集数据量", "万条", "125.6"},
    {"信用承诺书公示数量", "份", "860"},
    {"重点人群信用记录建档率", "%", "72.4"},
    {"信用宣传活动次数", "次", "6"},
    {"信用示范创建单位数量", "个", "3"},
    {"守信激励措施落实数量", "项", "14"},
};
#define N_COUNTY_IND (sizeof county_ind / sizeof county_ind[0])

static void add_result(cm_report *r, const char *code, const char *name,
                       size_t ind, cm_status st)
{
    cm_result x;
    memset(&x, 0, sizeof x);
    char id[16];
    snprintf(id, sizeof id, "i%zu", ind);
    x.region_code = (char *)code;
    x.region_name = (char *)name;
    x.indicator_id = id;
    x.indicator_name = (char *)county_ind[ind][0];
    x.category = (char *)"";
    x.unit = (char *)county_ind[ind][1];
    x.status = st;
    if (st == CM_ST_MISSING) {
        x.value.kind = CM_V_MISSING;
        x.value_text = (char *)"";
    } else {
        x.value.kind = CM_V_NUM;
        x.value.num = atof(county_ind[ind][2]);
        x.value_text = (char *)county_ind[ind][2];
    }
    if (st != CM_ST_NOBENCH) {
        x.has_benchmark = 1;
        x.benchmark_label = (char *)"地级市平均水平";
        x.benchmark_text = (char *)"1.31";
        x.benchmark_computed = ind % 4 == 1;
        if (st != CM_ST_MISSING) {
            x.has_gap = 1;
            x.gap_text = (char *)(st == CM_ST_FAIL ? "-0.49" : "+0.49");
        }
    }
    assert_int_equal(cm_report_add_result(r, &x), CM_OK);
}

static cm_status county_status(size_t i)
{
    static const cm_status cycle[] = {CM_ST_PASS, CM_ST_FAIL, CM_ST_PASS,
                                      CM_ST_MISSING, CM_ST_FAIL,
                                      CM_ST_NOBENCH, CM_ST_PASS};
    return cycle[i % (sizeof cycle / sizeof *cycle)];
}

/* City results first, then 雨城区 (all 22 indicators) and 名山区 (3),
 * interleaved as a report may hold them. */
static cm_report *county_report(void)
{
    cm_report *r = seed_report();
    for (size_t i = 0; i < 3; i++)
        add_result(r, "511800", "雅安市", i, CM_ST_FAIL);
    for (size_t i = 0; i < N_COUNTY_IND; i++) {
        add_result(r, "511802", "雨城区", i, county_status(i));
        if (i < 3)
            add_result(r, "511803", "名山区", i,
                       i == 0 ? CM_ST_PASS
                              : i == 1 ? CM_ST_FAIL : CM_ST_MISSING);
    }
    return r;
}

static void test_county_summaries(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/county.pdf", f->dir);
    cm_report *r = county_report();
    cm_diag d;
    cm_diag_clear(&d);
    cm_error e = cm_pdf_write_county_summaries(r, NULL, path, &d);
    if (e != CM_OK)
        print_error("%s\n", d.msg);
    assert_int_equal(e, CM_OK);
    assert_valid_pdf(path);
    /* one page each: 22 indicators fit on one */
    assert_int_equal(page_count(path), 2);

    char cmd[300];
    int st;
    const char *county[] = {"雨城区", "名山区"};
    for (int pg = 1; pg <= 2; pg++) {
        snprintf(cmd, sizeof cmd,
                 "pdftotext -raw -enc UTF-8 -f %d -l %d '%s' - 2>/dev/null",
                 pg, pg, path);
        char *t = run_capture(cmd, &st);
        assert_int_equal(st, 0);
        squeeze(t);
        char title[128];
        snprintf(title, sizeof title, "%s2018年12月信用监测指标情况",
                 county[pg - 1]);
        if (!strstr(t, title))
            fail_msg("page %d: no title %s", pg, title);
        assert_null(strstr(t, "雅安市2018年12月信用监测指标情况"));
        assert_null(strstr(t, county[2 - pg]));
        assert_null(strstr(t, "\xE2\x80\x94 1 \xE2\x80\x94"));
        const char *heads[] = {"指标", "数值", "标杆", "差距", "状态"};
        for (size_t i = 0; i < 5; i++)
            assert_non_null(strstr(t, heads[i]));
        size_t n = pg == 1 ? N_COUNTY_IND : 3;
        for (size_t i = 0; i < n; i++)
            if (!strstr(t, county_ind[i][0]))
                fail_msg("page %d: no indicator %s", pg, county_ind[i][0]);
        if (pg == 1) {
            assert_non_null(strstr(t, "共22项指标：达标10项，未达标6项，"
                                      "未报送3项，无标杆3项。"));
            assert_non_null(strstr(t, "1.8%"));
            assert_non_null(strstr(t, "1571家"));
            assert_non_null(strstr(t, "地级市平均水平1.31%"));
            assert_non_null(strstr(t, "地级市平均水平(计算)1.31家"));
            assert_non_null(strstr(t, "-0.49%"));
            assert_non_null(strstr(t, "无标杆"));
            assert_null(strstr(t, "不可计算"));
        } else {
            assert_non_null(strstr(t, "共3项指标：达标1项，未达标1项，"
                                      "未报送1项。"));
            assert_non_null(strstr(t, "达标"));
            assert_non_null(strstr(t, "未达标"));
            assert_non_null(strstr(t, "未报送"));
        }
        free(t);
    }
    /* failing rows in red, every cell of them: 6 + 1 rows of 5 cells, a
     * cell of two lines set twice */
    int red = red_fills(path);
    assert_true(red >= 7 * 5 && red <= 7 * 5 + 7);
    for (size_t i = 0; i < r->n_results; i++)
        if (r->results[i].status == CM_ST_FAIL)
            r->results[i].status = CM_ST_PASS;
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_county_summaries(r, NULL, path, &d), CM_OK);
    assert_int_equal(red_fills(path), 0);
    cm_report_free(r);

    /* 60 indicators run on to a second page under "(续)" with the header
     * repeated; the next county still starts on a page of its own. */
    r = seed_report();
    for (size_t i = 0; i < 60; i++)
        add_result(r, "511802", "雨城区", i % N_COUNTY_IND, county_status(i));
    add_result(r, "511803", "名山区", 0, CM_ST_PASS);
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_county_summaries(r, NULL, path, &d), CM_OK);
    assert_valid_pdf(path);
    int pages = page_count(path);
    assert_true(pages >= 3 && pages <= 4);
    snprintf(cmd, sizeof cmd,
             "pdftotext -raw -enc UTF-8 -f 2 -l 2 '%s' - 2>/dev/null", path);
    char *t = run_capture(cmd, &st);
    squeeze(t);
    assert_non_null(strstr(t, "雨城区2018年12月信用监测指标情况(续)"));
    assert_non_null(strstr(t, "指标数值标杆差距状态"));
    free(t);
    snprintf(cmd, sizeof cmd,
             "pdftotext -raw -enc UTF-8 -f %d -l %d '%s' - 2>/dev/null",
             pages, pages, path);
    t = run_capture(cmd, &st);
    squeeze(t);
    assert_non_null(strstr(t, "名山区2018年12月信用监测指标情况"));
    assert_null(strstr(t, "雨城区"));
    free(t);
    cm_report_free(r);
    unlink(path);
}

static void test_county_none(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/county.pdf", f->dir);
    unlink(path);
    cm_report *r = seed_report();
    add_result(r, "511800", "雅安市", 0, CM_ST_FAIL);
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_county_summaries(r, NULL, path, &d), CM_OK);
    assert_int_equal(access(path, F_OK), -1);

    /* text outside the BMP is refused before anything is written */
    add_result(r, "511802", "雨城区\xF0\x9F\x98\x80", 0, CM_ST_PASS);
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_county_summaries(r, NULL, path, &d),
                     CM_ERR_ENCODING);
    assert_int_equal(access(path, F_OK), -1);
    /* and a refused font */
    cm_report_free(r);
    r = county_report();
    cm_pdf_fonts fonts = {NULL,
                          "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"};
    cm_diag_clear(&d);
    assert_int_equal(cm_pdf_write_county_summaries(r, &fonts, path, &d),
                     CM_ERR_USAGE);
    assert_int_equal(access(path, F_OK), -1);
    cm_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qpdf_check),
        cmocka_unit_test(test_fonts_embedded),
        cmocka_unit_test(test_text_comes_back),
        cmocka_unit_test(test_kinsoku_in_output),
        cmocka_unit_test(test_pages_and_numbers),
        cmocka_unit_test(test_repeatable),
        cmocka_unit_test(test_refused_fonts),
        cmocka_unit_test(test_refused_font_in_write),
        cmocka_unit_test(test_emoji_refused),
        cmocka_unit_test(test_huge_row),
        cmocka_unit_test(test_unwritable_path),
        cmocka_unit_test(test_monitoring_section),
        cmocka_unit_test(test_monitoring_parts),
        cmocka_unit_test(test_monitoring_emoji),
        cmocka_unit_test(test_county_summaries),
        cmocka_unit_test(test_county_none),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
