/*
 * pdf_out.c - the circular (通报) as PDF with libharu 2.3.0: a cover letter
 * laid out per GB/T 9704-2012 (党政机关公文格式) on A4 portrait, then the
 * rectification table (整改责任分工表) as an attachment on A4 landscape;
 * between them, when the report has them, the monitoring section (issue 4:
 * the rendered paragraph, the rank trend chart drawn as PDF paths, the
 * problem lifecycle table). Also the one-page summaries per county.
 *
 * libharu does not break Chinese lines (HPDF_Page_TextRect only breaks at
 * ASCII spaces), so every line is broken by wrap.h with widths measured here
 * from the embedded font, and drawn with HPDF_Page_TextOut.
 */
#include "pdf_out.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "lifecycle.h"
#include "rank.h"
#include "wrap.h"

#define MM(x) ((x) * 72.0 / 25.4)

static const char *const default_song =
    "/usr/share/fonts/truetype/arphic/uming.ttc";
static const char *const default_hei =
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc";

/* File names of fonts whose composite glyphs use ids above 32767, which
 * libharu 2.3.0 reads as signed and draws blank (fixed upstream in 2.4.4). */
static const char *const refused_fonts[] = {
    "droidsansfallback",
    "wqy-microhei",
};

/* GB/T 9704-2012 5.2.1: A4; 5.2.2: top margin 37 mm, left 28 mm, text
 * block 156 x 225 mm. */
#define BLOCK_W MM(156.0)
#define BLOCK_H MM(225.0)
#define BODY_SIZE 16.0        /* 3号, GB/T 9704 7.1 */
#define TITLE_SIZE 22.0       /* 2号, GB/T 9704 7.3.1 */
#define PAGENO_SIZE 14.0      /* 4号, GB/T 9704 7.5 */
#define CHARS_PER_LINE 28.0   /* GB/T 9704 5.2.3 */
#define LINES_PER_PAGE 22.0   /* GB/T 9704 5.2.3 */
#define HEADER_SIZE 30.0      /* 版头: size not fixed by 9704 7.2.3 */

/* Table on the landscape pages. */
#define TABLE_COLS 7
#define CELL_SIZE 10.5        /* 五号 */
#define CELL_PITCH 15.0
#define CELL_PAD_X 4.0
#define CELL_PAD_Y 4.0
#define LABEL_SIZE 16.0       /* 3号黑体, GB/T 9704 8 */
#define TTITLE_SIZE 20.0
#define MAX_COLS 7            /* widest table drawn */

/* Monitoring section (issue 4). */
#define CAPTION_SIZE 14.0     /* 4号黑体 for 图1 / 表1 */
#define CAPTION_H (1.7 * CAPTION_SIZE)
#define CHART_H MM(80.0)      /* the chart's box, block-wide (156 mm) */
#define CHART_TEXT 9.0        /* axis labels and legend */
#define LC_COLS 7
#define LC_SIZE 10.0          /* seven columns on the portrait block */
#define LC_PITCH 14.0

/* County summaries: compact, so that 20-25 indicators fit on a page. */
#define CT_COLS 5
#define CT_SIZE 10.0
#define CT_PITCH 13.5
#define COUNT_SIZE 12.0

/* Short columns (0) take their longest text up to a cap in mm, so that a
 * unit name or a deadline stays on one line where it can; the long ones
 * (weight > 0) share the rest of the 225 mm in these proportions. */
static const double col_cap_mm[TABLE_COLS] = {12, 34, 0, 33, 0, 26, 22};
static const double col_weight[TABLE_COLS] = {0, 34, 56, 0, 60, 0, 0};
/* 1 = centred (short values), 0 = flush left. */
static const int col_centre[TABLE_COLS] = {1, 0, 0, 1, 0, 1, 0};
static const char *const col_head[TABLE_COLS] = {
    "序号", "主要问题", "问题描述", "整改牵头单位", "整改责任单位",
    "整改时限", "备注",
};

/* GB/T 9704 5.2.4 (红色): #E60012. */
#define RED_R 0.902
#define RED_G 0.0
#define RED_B 0.071

typedef struct pdf_ctx {
    HPDF_Doc pdf;
    HPDF_Font song, hei;
    HPDF_Page page;
    int page_no;
    int no_folio;                     /* 1: pages are not numbered */
    double left, top, right, bottom;  /* text block of the current page */
    HPDF_STATUS err, detail;          /* first libharu error */
    const char *path;
    cm_diag *d;
} pdf_ctx;

/* How a run of text is drawn and measured. */
typedef struct tstyle {
    HPDF_Font font;
    double size;
    double cs;        /* character spacing, points */
    double hscale;    /* horizontal scaling, percent */
    double bold;      /* outline width for a heavier face, 0 for none */
    int red;
} tstyle;

/* Measure context for cm_wrap_lines: first-line indent is added as width
 * when the measured run starts at the beginning of the text. */
typedef struct measure_ctx {
    const tstyle *st;
    const char *first;
    double first_extra;
} measure_ctx;

static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no,
                          void *user_data)
{
    pdf_ctx *p = user_data;
    if (p && !p->err) {
        p->err = error_no;
        p->detail = detail_no;
    }
}

static cm_error hpdf_failed(pdf_ctx *p, const char *what)
{
    return cm_diag_set(p->d, CM_ERR_OUTPUT, p->path, 0, NULL,
                       "libharu error 0x%04X (detail %u) while %s",
                       (unsigned)p->err, (unsigned)p->detail, what);
}

#define CHECK(p, what)                       \
    do {                                     \
        if ((p)->err)                        \
            return hpdf_failed((p), (what)); \
    } while (0)

/* ---- fonts and text checks ------------------------------------------- */

cm_error cm_pdf_check_font(const char *path, cm_diag *d)
{
    if (!path || !*path)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, "font",
                           "no font file given");
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char low[256];
    size_t n = strlen(base);
    if (n >= sizeof low)
        n = sizeof low - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)base[i]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof refused_fonts / sizeof *refused_fonts; i++)
        if (strstr(low, refused_fonts[i]))
            return cm_diag_set(d, CM_ERR_USAGE, path, 0, "font",
                               "font '%s' refused: its glyph ids above 32767 "
                               "are read as signed by libharu 2.3.0 and its "
                               "characters are drawn blank or half-drawn; use "
                               "AR PL UMing or WenQuanYi Zen Hei",
                               base);
    FILE *f = fopen(path, "rb");
    if (!f)
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, "font",
                           "font file cannot be opened");
    fclose(f);
    return CM_OK;
}

/* Refuses text that is not UTF-8 or has characters outside the BMP, which
 * libharu's UTF-8 encoder turns into spaces. */
static cm_error check_text(const char *s, const char *field, cm_diag *d)
{
    if (!s)
        return CM_OK;
    size_t len = strlen(s), i = 0;
    while (i < len) {
        unsigned cp = 0;
        int k = cm_utf8_decode(s + i, len - i, &cp);
        if (k == 0)
            return cm_diag_set(d, CM_ERR_ENCODING, NULL, 0, field,
                               "text is not valid UTF-8 at byte %zu", i);
        if (cp > 0xFFFF) {
            /* Quote the first 30 characters so the user finds the text. */
            size_t q = 0;
            for (int c = 0; c < 30 && q < len; c++) {
                unsigned x;
                int m = cm_utf8_decode(s + q, len - q, &x);
                if (m == 0)
                    break;
                q += (size_t)m;
            }
            return cm_diag_set(d, CM_ERR_ENCODING, NULL, 0, field,
                               "character U+%04X cannot be printed (outside "
                               "the Basic Multilingual Plane) in '%.*s%s'",
                               cp, (int)q, s, q < len ? "..." : "");
        }
        i += (size_t)k;
    }
    return CM_OK;
}

static cm_error check_all(const cm_circular *c, const cm_report *r,
                          cm_diag *d)
{
    cm_error e;
    const struct { const char *s, *name; } f[] = {
        {c->issuer_header, "issuer_header"}, {c->doc_number, "doc_number"},
        {c->title, "title"}, {c->recipients, "recipients"},
        {c->signature, "signature"}, {c->date, "date"},
        {c->table_title, "table_title"}, {c->table_label, "table_label"},
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if ((e = check_text(f[i].s, f[i].name, d)) != CM_OK)
            return e;
    for (size_t i = 0; i < c->n_body; i++)
        if ((e = check_text(c->body[i], "body", d)) != CM_OK)
            return e;
    for (size_t i = 0; i < c->n_attachments; i++)
        if ((e = check_text(c->attachments[i], "attachments", d)) != CM_OK)
            return e;
    for (size_t i = 0; i < r->n_rows; i++) {
        const cm_rect_row *w = &r->rows[i];
        const char *cells[] = {w->problem, w->description, w->lead,
                               w->partners, w->deadline, w->note};
        for (size_t j = 0; j < sizeof cells / sizeof *cells; j++)
            if ((e = check_text(cells[j], col_head[j + 1], d)) != CM_OK)
                return e;
    }
    if ((e = check_text(r->region_name, "region_name", d)) != CM_OK ||
        (e = check_text(r->monitoring, "monitoring", d)) != CM_OK)
        return e;
    for (size_t i = 0; r->lifecycle && i < r->lifecycle->n; i++) {
        const cm_lc_item *it = &r->lifecycle->items[i];
        const char *cells[] = {it->problem, it->lead, it->deadline, it->note};
        for (size_t j = 0; j < sizeof cells / sizeof *cells; j++)
            if ((e = check_text(cells[j], "lifecycle", d)) != CM_OK)
                return e;
    }
    return CM_OK;
}

/* The texts of a result that a county summary prints. */
static cm_error check_result(const cm_result *x, cm_diag *d)
{
    cm_error e;
    const char *cells[] = {x->region_name, x->indicator_name, x->unit,
                           x->value_text, x->benchmark_label,
                           x->benchmark_text, x->gap_text};
    for (size_t j = 0; j < sizeof cells / sizeof *cells; j++)
        if ((e = check_text(cells[j], "result", d)) != CM_OK)
            return e;
    return CM_OK;
}

/* ---- measuring and drawing ------------------------------------------- */

static double text_width(const tstyle *st, const char *s, size_t n)
{
    double w = 0;
    size_t chars = 0, i = 0;
    while (i < n) {
        unsigned cp = 0;
        int k = cm_utf8_decode(s + i, n - i, &cp);
        if (k == 0) {
            i++;
            continue;
        }
        w += HPDF_Font_GetUnicodeWidth(st->font, (HPDF_UNICODE)cp);
        chars++;
        i += (size_t)k;
    }
    return (w * st->size / 1000.0 + st->cs * (double)chars) * st->hscale /
           100.0;
}

static double measure_cb(void *ctx, const char *s, size_t n)
{
    const measure_ctx *m = ctx;
    double extra = s == m->first ? m->first_extra : 0.0;
    return text_width(m->st, s, n) + extra;
}

/* Wraps text (NULL is "") to width; first line narrower by first_extra. */
static cm_error wrap(pdf_ctx *p, const tstyle *st, const char *text,
                     double width, double first_extra, cm_wrap_line **lines,
                     size_t *n)
{
    measure_ctx m = {st, text ? text : "", first_extra};
    cm_error e = cm_wrap_lines(m.first, width, measure_cb, &m, lines, n);
    if (e != CM_OK)
        return cm_diag_set(p->d, e, p->path, 0, NULL,
                           "cannot break text into lines: %s",
                           cm_strerror(e));
    return CM_OK;
}

static cm_error draw_text(pdf_ctx *p, const tstyle *st, double x, double y,
                          const char *s, size_t n)
{
    if (n == 0)
        return CM_OK;
    char *buf = malloc(n + 1);
    if (!buf)
        return cm_diag_set(p->d, CM_ERR_NOMEM, p->path, 0, NULL,
                           "out of memory drawing text");
    memcpy(buf, s, n);
    buf[n] = '\0';
    HPDF_Page pg = p->page;
    if (st->red) {
        HPDF_Page_SetRGBFill(pg, RED_R, RED_G, RED_B);
        HPDF_Page_SetRGBStroke(pg, RED_R, RED_G, RED_B);
    } else {
        HPDF_Page_SetRGBFill(pg, 0, 0, 0);
        HPDF_Page_SetRGBStroke(pg, 0, 0, 0);
    }
    if (st->bold > 0)
        HPDF_Page_SetLineWidth(pg, st->bold);
    HPDF_Page_BeginText(pg);
    HPDF_Page_SetFontAndSize(pg, st->font, st->size);
    HPDF_Page_SetCharSpace(pg, st->cs);
    HPDF_Page_SetHorizontalScalling(pg, st->hscale);
    HPDF_Page_SetTextRenderingMode(pg, st->bold > 0 ? HPDF_FILL_THEN_STROKE
                                                    : HPDF_FILL);
    HPDF_Page_TextOut(pg, x, y, buf);
    HPDF_Page_EndText(pg);
    free(buf);
    CHECK(p, "drawing text");
    return CM_OK;
}

/* Baseline of a line box whose top is at y: CJK glyphs span about
 * -0.12 to 0.88 em around the baseline, so centre that span in the box. */
static double baseline(double top, double pitch, double size)
{
    return top - pitch / 2.0 - 0.38 * size;
}

/* GB/T 9704 7.5: 4号 half-width Arabic numerals with an 一字线 each side,
 * 7 mm below the text block; odd pages right with one character space,
 * even pages left with one character space. */
static cm_error draw_page_number(pdf_ctx *p)
{
    tstyle st = {p->song, PAGENO_SIZE, 0, 100, 0, 0};
    char buf[32];
    snprintf(buf, sizeof buf, "\xE2\x80\x94 %d \xE2\x80\x94", p->page_no);
    double w = text_width(&st, buf, strlen(buf));
    double x = p->page_no % 2 ? p->right - PAGENO_SIZE - w
                              : p->left + PAGENO_SIZE;
    double y = p->bottom - MM(7.0) - 0.8 * PAGENO_SIZE;
    return draw_text(p, &st, x, y, buf, strlen(buf));
}

/* A page's number is drawn when the page is finished, after its text, so
 * that text copied or extracted across a page break is not interrupted by
 * "— 2 —". */
static cm_error finish_page(pdf_ctx *p)
{
    return p->page_no > 0 && !p->no_folio ? draw_page_number(p) : CM_OK;
}

static cm_error new_page(pdf_ctx *p, int landscape)
{
    cm_error e = finish_page(p);
    if (e != CM_OK)
        return e;
    p->page = HPDF_AddPage(p->pdf);
    CHECK(p, "adding a page");
    HPDF_Page_SetSize(p->page, HPDF_PAGE_SIZE_A4,
                      landscape ? HPDF_PAGE_LANDSCAPE : HPDF_PAGE_PORTRAIT);
    CHECK(p, "setting the page size");
    double pw = HPDF_Page_GetWidth(p->page), ph = HPDF_Page_GetHeight(p->page);
    if (landscape) {
        /* The portrait block turned a quarter: 225 x 156 mm, centred
         * across, the 28 mm binding margin at the top. */
        p->left = (pw - BLOCK_H) / 2.0;
        p->right = p->left + BLOCK_H;
        p->top = ph - MM(28.0);
        p->bottom = p->top - BLOCK_W;
    } else {
        p->left = MM(28.0);
        p->right = p->left + BLOCK_W;
        p->top = ph - MM(37.0);
        p->bottom = p->top - BLOCK_H;
    }
    p->page_no++;
    return CM_OK;
}

/* Draws the lines of text centred in [p->left, p->right], the first line
 * box top at *y, and moves *y below the last line. */
static cm_error draw_centred(pdf_ctx *p, const tstyle *st, const char *text,
                             const cm_wrap_line *lines, size_t n,
                             double pitch, double *y)
{
    cm_error e;
    for (size_t i = 0; i < n; i++) {
        const char *s = text + lines[i].start;
        double w = text_width(st, s, lines[i].len);
        double x = (p->left + p->right - w) / 2.0;
        if ((e = draw_text(p, st, x, baseline(*y, pitch, st->size), s,
                           lines[i].len)) != CM_OK)
            return e;
        *y -= pitch;
    }
    return CM_OK;
}

/* Wraps a title into as many lines as the full width needs, but with the
 * lines as even as possible (GB/T 9704 7.3.1: 排列对称, 长短适宜). */
static cm_error wrap_balanced(pdf_ctx *p, const tstyle *st, const char *text,
                              double width, cm_wrap_line **lines, size_t *n)
{
    cm_error e = wrap(p, st, text, width, 0, lines, n);
    if (e != CM_OK || *n < 2)
        return e;
    size_t want = *n;
    double total = text_width(st, text, strlen(text));
    for (double w = total / (double)want; w < width; w += st->size / 2) {
        cm_wrap_line *l2;
        size_t n2;
        if ((e = wrap(p, st, text, w, 0, &l2, &n2)) != CM_OK)
            return e;
        if (n2 == want) {
            free(*lines);
            *lines = l2;
            return CM_OK;
        }
        free(l2);
    }
    return CM_OK;
}

/* ---- cover letter ---------------------------------------------------- */

/* One line of the flowing part of the cover letter (主送 onwards). */
typedef struct fline {
    const char *pre;  /* "附件：" before the first attachment, or NULL */
    double pre_x;
    const char *s;    /* NULL for a blank line */
    size_t n;
    double x;
    int page, slot;   /* from paginate(); page -1 = dropped blank line */
} fline;

typedef struct fvec {
    fline *v;
    size_t n, cap;
} fvec;

static cm_error push_fline(pdf_ctx *p, fvec *fv, fline l)
{
    if (fv->n == fv->cap) {
        size_t cap = fv->cap ? fv->cap * 2 : 32;
        fline *nv = realloc(fv->v, cap * sizeof *nv);
        if (!nv)
            return cm_diag_set(p->d, CM_ERR_NOMEM, p->path, 0, NULL,
                               "out of memory laying out the letter");
        fv->v = nv;
        fv->cap = cap;
    }
    fv->v[fv->n++] = l;
    return CM_OK;
}

/* Appends text wrapped to the block, first line indented by indent points
 * and continuation lines by cont points. */
static cm_error push_wrapped(pdf_ctx *p, fvec *fv, const tstyle *st,
                             const char *text, double indent, double cont)
{
    cm_wrap_line *lines;
    size_t n;
    if (!text)
        text = "";
    double width = p->right - p->left - cont;
    cm_error e = wrap(p, st, text, width, indent - cont, &lines, &n);
    if (e != CM_OK)
        return e;
    for (size_t i = 0; i < n && e == CM_OK; i++) {
        fline l = {NULL, 0, text + lines[i].start, lines[i].len,
                   p->left + (i ? cont : indent), 0, 0};
        e = push_fline(p, fv, l);
    }
    free(lines);
    return e;
}

static cm_error push_blank(pdf_ctx *p, fvec *fv)
{
    fline l = {NULL, 0, NULL, 0, 0, 0, 0};
    return push_fline(p, fv, l);
}

/* Places lines on pages: cap1 lines fit on the first page, cap on the
 * others; a break is forced before line force_at; a blank line that would
 * open a page is dropped. */
static void paginate(fvec *fv, size_t cap1, size_t cap, size_t force_at)
{
    int page = 0;
    size_t slot = 0, capacity = cap1;
    for (size_t i = 0; i < fv->n; i++) {
        fline *l = &fv->v[i];
        if ((i == force_at && slot > 0) || slot >= capacity) {
            page++;
            slot = 0;
            capacity = cap;
        }
        if (!l->s && slot == 0 && i > 0) {
            l->page = -1;
            continue;
        }
        l->page = page;
        l->slot = (int)slot++;
    }
}

/* Letterhead (版头), title; returns in *y the top of the next line box. */
static cm_error draw_head(pdf_ctx *p, const cm_circular *c,
                          const tstyle *body, double pitch, double *y)
{
    cm_error e;
    const char *hdr = c->issuer_header ? c->issuer_header : "";
    /* 7.2.3: the issuer's mark is red, centred, its top 35 mm below the
     * top of the text block; long names are narrowed, as printers do, to
     * stay within the block. */
    tstyle hs = {p->song, HEADER_SIZE, 0, 100, 0.9, 1};
    double hw = text_width(&hs, hdr, strlen(hdr));
    double width = p->right - p->left;
    if (hw > width)
        hs.hscale = 100.0 * width / hw;
    if (hs.hscale < 50.0) {
        hs.size *= hs.hscale / 50.0;
        hs.hscale = 50.0;
    }
    hw = text_width(&hs, hdr, strlen(hdr));
    double hbase = p->top - MM(35.0) - 0.88 * hs.size;
    if ((e = draw_text(p, &hs, (p->left + p->right - hw) / 2.0, hbase, hdr,
                       strlen(hdr))) != CM_OK)
        return e;

    /* 7.2.4: 发文字号 two lines below the mark, centred. */
    const char *num = c->doc_number ? c->doc_number : "";
    double top = hbase - 0.12 * hs.size - 2.0 * pitch;
    double nbase = baseline(top, pitch, body->size);
    double nw = text_width(body, num, strlen(num));
    if ((e = draw_text(p, body, (p->left + p->right - nw) / 2.0, nbase, num,
                       strlen(num))) != CM_OK)
        return e;

    /* 7.2.6: a red rule as wide as the block, 4 mm below the 发文字号. */
    double ry = nbase - 0.12 * body->size - MM(4.0);
    HPDF_Page_SetRGBStroke(p->page, RED_R, RED_G, RED_B);
    HPDF_Page_SetLineWidth(p->page, 1.0);
    HPDF_Page_MoveTo(p->page, p->left, ry);
    HPDF_Page_LineTo(p->page, p->right, ry);
    HPDF_Page_Stroke(p->page);
    CHECK(p, "drawing the red rule");

    /* 7.3.1: title two lines below the rule, 2号, centred per line. */
    tstyle ts = {p->song, TITLE_SIZE, 0, 100, 0.5, 0};
    double tpitch = TITLE_SIZE * 1.5;
    cm_wrap_line *lines;
    size_t n;
    const char *title = c->title ? c->title : "";
    if ((e = wrap_balanced(p, &ts, title, width, &lines, &n)) != CM_OK)
        return e;
    top = ry - 2.0 * pitch;
    e = draw_centred(p, &ts, title, lines, n, tpitch, &top);
    free(lines);
    /* 7.3.2: recipients one line below the title. */
    *y = top - pitch;
    return e;
}

static cm_error build_flow(pdf_ctx *p, const cm_circular *c,
                           const tstyle *body, fvec *fv, size_t *sig_at,
                           size_t *body_end)
{
    cm_error e;
    double ch = (p->right - p->left) / CHARS_PER_LINE;
    /* 7.3.2: recipients flush left. */
    if (c->recipients && *c->recipients &&
        (e = push_wrapped(p, fv, body, c->recipients, 0, 0)) != CM_OK)
        return e;
    /* 7.3.3: paragraphs indented two characters, continuation flush. */
    for (size_t i = 0; i < c->n_body; i++)
        if ((e = push_wrapped(p, fv, body, c->body[i], 2 * ch, 0)) != CM_OK)
            return e;
    *body_end = fv->n;
    /* 7.3.4: one line below the text, "附件：" indented two characters;
     * items under one another, long names continued under the name's
     * first character (after "1."). */
    if (c->n_attachments) {
        if ((e = push_blank(p, fv)) != CM_OK)
            return e;
        static const char label[] = "附件：";
        double x1 = 2 * ch + text_width(body, label, strlen(label));
        for (size_t i = 0; i < c->n_attachments; i++) {
            const char *a = c->attachments[i] ? c->attachments[i] : "";
            size_t k = 0;
            while (isdigit((unsigned char)a[k]))
                k++;
            if (k && a[k] == '.')
                k++;
            else
                k = 0;
            double x2 = x1 + text_width(body, a, k);
            size_t first = fv->n;
            if ((e = push_wrapped(p, fv, body, a, x1, x2)) != CM_OK)
                return e;
            if (i == 0 && fv->n > first) {
                fv->v[first].pre = label;
                fv->v[first].pre_x = p->left + 2 * ch;
            }
        }
    }
    /* 7.3.5.1 (sealed documents): one line below, the date 4 characters
     * from the right edge, the issuer centred over the date; an issuer
     * longer than that allows is kept 2 characters from the right edge
     * (as 7.3.5.2 does) and the date stays centred under it. */
    *sig_at = fv->n;
    if ((e = push_blank(p, fv)) != CM_OK)
        return e;
    const char *sig = c->signature ? c->signature : "";
    const char *date = c->date ? c->date : "";
    double sw = text_width(body, sig, strlen(sig));
    double dw = text_width(body, date, strlen(date));
    double centre = p->right - 4 * ch - dw / 2.0;
    if (centre + sw / 2.0 > p->right - 2 * ch)
        centre = p->right - 2 * ch - sw / 2.0;
    fline ls = {NULL, 0, sig, strlen(sig), centre - sw / 2.0, 0, 0};
    fline ld = {NULL, 0, date, strlen(date), centre - dw / 2.0, 0, 0};
    if ((e = push_fline(p, fv, ls)) != CM_OK)
        return e;
    return push_fline(p, fv, ld);
}

static cm_error draw_letter(pdf_ctx *p, const cm_circular *c)
{
    cm_error e;
    if ((e = new_page(p, 0)) != CM_OK)
        return e;
    double pitch = BLOCK_H / LINES_PER_PAGE;
    /* 28 characters of 3号 in 156 mm need a pitch of 15.79 pt, a little
     * under the 16 pt em: close up by the difference, as Word does. */
    tstyle body = {p->song, BODY_SIZE,
                   BLOCK_W / CHARS_PER_LINE - BODY_SIZE, 100, 0, 0};
    double y = 0;
    if ((e = draw_head(p, c, &body, pitch, &y)) != CM_OK)
        return e;

    fvec fv = {NULL, 0, 0};
    size_t sig_at = 0, body_end = 0;
    if ((e = build_flow(p, c, &body, &fv, &sig_at, &body_end)) != CM_OK)
        goto out;
    double room = y - p->bottom;
    /* 7.3.5.5: when the signature and date do not fit under the text, the
     * line spacing may be adjusted: a letter that fits on its first page
     * with the pitch closed up by at most 15 % is set so, rather than
     * sending its last lines alone to a second page. */
    double pitch1 = pitch;
    if (room > 0 && fv.n > (size_t)((room + 0.01) / pitch) &&
        room / (double)fv.n >= 0.85 * pitch)
        pitch1 = room / (double)fv.n;
    size_t cap1 = room > 0 ? (size_t)((room + 0.01) / pitch1) : 0;
    size_t cap = (size_t)LINES_PER_PAGE;
    paginate(&fv, cap1, cap, (size_t)-1);
    /* Signature and date never stand on a page without text of the body
     * (9704 forbids "此页无正文"): the last body line goes over with the
     * attachments and the signature. */
    size_t last = fv.n - 1;
    if (body_end > 0 && fv.v[last].page != fv.v[body_end - 1].page)
        paginate(&fv, cap1, cap, body_end - 1);

    int cur = 0;
    double first_top = y;
    for (size_t i = 0; i < fv.n; i++) {
        fline *l = &fv.v[i];
        if (l->page < 0)
            continue;
        while (cur < l->page) {
            if ((e = new_page(p, 0)) != CM_OK)
                goto out;
            cur++;
        }
        if (!l->s)
            continue;
        double top = cur == 0 ? first_top - l->slot * pitch1
                               : p->top - l->slot * pitch;
        double b = baseline(top, pitch, body.size);
        if (l->pre &&
            (e = draw_text(p, &body, l->pre_x, b, l->pre, strlen(l->pre))) !=
                CM_OK)
            goto out;
        if ((e = draw_text(p, &body, l->x, b, l->s, l->n)) != CM_OK)
            goto out;
    }
out:
    free(fv.v);
    return e;
}

/* ---- ruled tables ---------------------------------------------------- */

/* One ruled table: its columns, type and where its pages go. Used for the
 * rectification table (landscape, 五号), the lifecycle table of the
 * monitoring section and the county summaries (portrait). */
typedef struct tspec {
    int ncols;                  /* at most MAX_COLS */
    const char *const *head;    /* header texts */
    const int *centre;          /* per column: 1 = centred, 0 = flush left */
    double colw[MAX_COLS];      /* points, from column_widths() */
    double size, pitch;         /* type size and line pitch of the cells */
    double pad_x, pad_y;        /* cell padding */
    int landscape;              /* orientation of continuation pages */
    const char *cont;           /* line above the repeated header on
                                   continuation pages ("…(续)"), or NULL */
} tspec;

typedef struct trow {
    const char *text[MAX_COLS];
    cm_wrap_line *lines[MAX_COLS];
    size_t n[MAX_COLS];
    size_t max_lines;
    unsigned red;               /* bit i set: column i drawn in red */
} trow;

/* The text of cell (row, col) of a table's data; buf (n bytes) may be
 * used for formatted values. */
typedef const char *(*cell_fn)(const void *data, size_t row, int col,
                               char *buf, size_t n);

static void trow_clear(trow *t)
{
    for (int i = 0; i < MAX_COLS; i++) {
        free(t->lines[i]);
        t->lines[i] = NULL;
    }
}

/* Copies a, b, c, d (NULL = "") into buf, cut at a character boundary if
 * it must be cut. */
static const char *join4(char *buf, size_t n, const char *a, const char *b,
                         const char *c, const char *d)
{
    int k = snprintf(buf, n, "%s%s%s%s", a ? a : "", b ? b : "", c ? c : "",
                     d ? d : "");
    if (k >= 0 && (size_t)k >= n && n > 0) {
        size_t m = n - 1;
        while (m && ((unsigned char)buf[m] & 0xC0) == 0x80)
            m--;
        buf[m] = '\0';
    }
    return buf;
}

/* Short columns (weight 0) take their longest text (header included) up
 * to cap_mm, so that a unit name or a deadline stays on one line where it
 * can; the long ones share the rest of total in proportion to weight. */
static void column_widths(tspec *t, const double *cap_mm,
                          const double *weight, const tstyle *hs,
                          const tstyle *bs, double total, cell_fn cell,
                          const void *data, size_t nrows)
{
    double used = 0, weights = 0;
    char buf[512];
    for (int i = 0; i < t->ncols; i++) {
        if (weight[i] > 0) {
            weights += weight[i];
            continue;
        }
        double w = text_width(hs, t->head[i], strlen(t->head[i]));
        for (size_t k = 0; k < nrows; k++) {
            const char *s = cell(data, k, i, buf, sizeof buf);
            double x = text_width(bs, s, strlen(s));
            if (x > w)
                w = x;
        }
        w += 2 * t->pad_x + 1.0;
        if (w > MM(cap_mm[i]))
            w = MM(cap_mm[i]);
        t->colw[i] = w;
        used += w;
    }
    for (int i = 0; i < t->ncols; i++)
        if (weight[i] > 0)
            t->colw[i] = (total - used) * weight[i] / weights;
}

static cm_error trow_wrap(pdf_ctx *p, const tspec *t, trow *r,
                          const tstyle *st)
{
    r->max_lines = 1;
    for (int i = 0; i < t->ncols; i++) {
        cm_error e = wrap(p, st, r->text[i], t->colw[i] - 2 * t->pad_x, 0,
                          &r->lines[i], &r->n[i]);
        if (e != CM_OK)
            return e;
        if (r->n[i] > r->max_lines)
            r->max_lines = r->n[i];
    }
    return CM_OK;
}

static double row_height(const tspec *t, size_t lines)
{
    return (double)lines * t->pitch + 2 * t->pad_y;
}

/* Draws lines [from, from+count) of every cell of r as one ruled row whose
 * top is *y; cells are centred vertically, except a slice of a row split
 * across pages, which starts at the top. */
static cm_error draw_row(pdf_ctx *p, const tspec *t, const trow *r,
                         const tstyle *st, size_t from, size_t count,
                         int centred_head, double *y)
{
    cm_error e;
    double h = row_height(t, count);
    double x = p->left;
    int whole = from == 0 && count == r->max_lines;
    HPDF_Page_SetRGBStroke(p->page, 0, 0, 0);
    HPDF_Page_SetLineWidth(p->page, 0.6);
    HPDF_Page_Rectangle(p->page, p->left, *y - h, p->right - p->left, h);
    HPDF_Page_Stroke(p->page);
    for (int i = 0; i < t->ncols; i++) {
        if (i > 0) {
            HPDF_Page_MoveTo(p->page, x, *y);
            HPDF_Page_LineTo(p->page, x, *y - h);
            HPDF_Page_Stroke(p->page);
        }
        CHECK(p, "ruling the table");
        tstyle cs = *st;
        cs.red = (r->red >> i) & 1u;
        size_t n = r->n[i] > from ? r->n[i] - from : 0;
        if (n > count)
            n = count;
        double top = *y - t->pad_y;
        if (whole)
            top -= (double)(count - n) * t->pitch / 2.0;
        for (size_t j = 0; j < n; j++) {
            const cm_wrap_line *l = &r->lines[i][from + j];
            const char *s = r->text[i] + l->start;
            double w = text_width(&cs, s, l->len);
            double tx = centred_head || t->centre[i]
                            ? x + (t->colw[i] - w) / 2.0
                            : x + t->pad_x;
            if ((e = draw_text(p, &cs, tx, baseline(top, t->pitch, cs.size),
                               s, l->len)) != CM_OK)
                return e;
            top -= t->pitch;
        }
        x += t->colw[i];
    }
    *y -= h;
    return CM_OK;
}

static double cont_height(const tspec *t)
{
    return t->cont ? 2.0 * t->pitch : 0.0;
}

/* A new page for a table running over: the continuation line if any, the
 * header row; *y below it. */
static cm_error table_page(pdf_ctx *p, const tspec *t, const trow *head,
                           const tstyle *hs, double *y)
{
    cm_error e = new_page(p, t->landscape);
    if (e != CM_OK)
        return e;
    *y = p->top;
    if (t->cont) {
        double h = cont_height(t);
        if ((e = draw_text(p, hs, p->left, baseline(*y, h, hs->size), t->cont,
                           strlen(t->cont))) != CM_OK)
            return e;
        *y -= h;
    }
    return draw_row(p, t, head, hs, 0, head->max_lines, 1, y);
}

/* Draws row r (wrapped) under *y. Rows are never cut: one that does not
 * fit goes whole to the next page under a repeated header row; only a row
 * taller than a whole page is split, at line boundaries. */
static cm_error table_row(pdf_ctx *p, const tspec *t, const trow *head,
                          const tstyle *hs, const trow *r, const tstyle *bs,
                          double *y)
{
    cm_error e;
    double page_h = t->landscape ? BLOCK_W : BLOCK_H;
    double full = page_h - cont_height(t) - row_height(t, head->max_lines);
    double h = row_height(t, r->max_lines);
    if (h <= full) {
        if (*y - h < p->bottom && (e = table_page(p, t, head, hs, y)) != CM_OK)
            return e;
        return draw_row(p, t, r, bs, 0, r->max_lines, 0, y);
    }
    size_t from = 0;
    while (from < r->max_lines) {
        double room = *y - p->bottom - 2 * t->pad_y;
        size_t fit = room > 0 ? (size_t)(room / t->pitch) : 0;
        if (fit == 0) {
            if ((e = table_page(p, t, head, hs, y)) != CM_OK)
                return e;
            continue;
        }
        if (fit > r->max_lines - from)
            fit = r->max_lines - from;
        if ((e = draw_row(p, t, r, bs, from, fit, 0, y)) != CM_OK)
            return e;
        from += fit;
        if (from < r->max_lines &&
            (e = table_page(p, t, head, hs, y)) != CM_OK)
            return e;
    }
    return CM_OK;
}

/* ---- the rectification table ----------------------------------------- */

static const char *cell_text(const cm_rect_row *w, int col, char *num,
                             size_t n)
{
    const char *s = NULL;
    switch (col) {
    case 0:
        snprintf(num, n, "%d", w->number);
        return num;
    case 1: s = w->problem; break;
    case 2: s = w->description; break;
    case 3: s = w->lead; break;
    case 4: s = w->partners; break;
    case 5: s = w->deadline; break;
    default: s = w->note; break;
    }
    return s ? s : "";
}

static const char *rect_cell(const void *data, size_t row, int col,
                             char *buf, size_t n)
{
    const cm_report *r = data;
    return cell_text(&r->rows[row], col, buf, n);
}

static cm_error draw_table(pdf_ctx *p, const cm_circular *c,
                           const cm_report *r)
{
    cm_error e;
    tspec t = {TABLE_COLS, col_head, col_centre, {0}, CELL_SIZE,
               CELL_PITCH, CELL_PAD_X, CELL_PAD_Y, 1, NULL};
    tstyle hs = {p->hei, CELL_SIZE, 0, 100, 0, 0};
    tstyle bs = {p->song, CELL_SIZE, 0, 100, 0, 0};
    column_widths(&t, col_cap_mm, col_weight, &hs, &bs, BLOCK_H, rect_cell,
                  r, r->n_rows);
    trow head = {{0}, {0}, {0}, 0, 0};
    trow row = {{0}, {0}, {0}, 0, 0};
    for (int i = 0; i < TABLE_COLS; i++)
        head.text[i] = col_head[i];
    if ((e = trow_wrap(p, &t, &head, &hs)) != CM_OK)
        goto out;

    if ((e = new_page(p, 1)) != CM_OK)
        goto out;
    double pitch = BLOCK_H / LINES_PER_PAGE;
    /* GB/T 9704 8: "附件" and its number in 3号黑体 on the first line, top
     * left; the attachment's title centred on the third line. */
    tstyle ls = {p->hei, LABEL_SIZE, 0, 100, 0, 0};
    const char *label = c->table_label ? c->table_label : "";
    if ((e = draw_text(p, &ls, p->left, baseline(p->top, pitch, LABEL_SIZE),
                       label, strlen(label))) != CM_OK)
        goto out;
    tstyle ts = {p->song, TTITLE_SIZE, 0, 100, 0.5, 0};
    const char *tt = c->table_title && *c->table_title ? c->table_title
                                                       : r->title;
    cm_wrap_line *tl;
    size_t tn;
    if ((e = wrap_balanced(p, &ts, tt, p->right - p->left, &tl, &tn)) !=
        CM_OK)
        goto out;
    double y = p->top - 2 * pitch;
    e = draw_centred(p, &ts, tt, tl, tn, pitch, &y);
    free(tl);
    if (e != CM_OK)
        goto out;
    y -= pitch / 2.0;
    if ((e = draw_row(p, &t, &head, &hs, 0, head.max_lines, 1, &y)) !=
        CM_OK)
        goto out;

    for (size_t k = 0; k < r->n_rows; k++) {
        char num[24];
        for (int i = 0; i < TABLE_COLS; i++)
            row.text[i] = cell_text(&r->rows[k], i, num, sizeof num);
        if ((e = trow_wrap(p, &t, &row, &bs)) != CM_OK ||
            (e = table_row(p, &t, &head, &hs, &row, &bs, &y)) != CM_OK)
            goto out;
        trow_clear(&row);
    }
out:
    trow_clear(&row);
    trow_clear(&head);
    return e;
}

/* ---- monitoring section (issue 4) ------------------------------------ */

/* "2019-03" as "2019年3月" (as written in the circulars); other text as
 * it is. */
static const char *period_text(const char *period, char *buf, size_t n)
{
    int y, m;
    char tail;
    if (period && sscanf(period, "%d-%d%c", &y, &m, &tail) == 2 && y > 0 &&
        m >= 1 && m <= 12)
        snprintf(buf, n, "%d年%d月", y, m);
    else
        join4(buf, n, period, NULL, NULL, NULL);
    return buf;
}

static const char *group_text(const char *group)
{
    if (!strcmp(group, "capital"))
        return "省会及副省级城市";
    if (!strcmp(group, "prefecture"))
        return "地级市";
    if (!strcmp(group, "county"))
        return "县级市";
    return NULL;
}

/* Lifecycle table: 序号 · 主要问题 · 状态 · 首次出现 · 牵头单位 ·
 * 整改时限 · 逾期, on the portrait block (156 mm). */
static const char *const lc_head[LC_COLS] = {
    "序号", "主要问题", "状态", "首次出现", "牵头单位", "整改时限", "逾期",
};
static const int lc_centre[LC_COLS] = {1, 0, 1, 1, 0, 1, 1};
static const double lc_cap_mm[LC_COLS] = {12, 0, 24, 24, 32, 28, 14};
static const double lc_weight[LC_COLS] = {0, 1, 0, 0, 0, 0, 0};

static const char *lc_cell(const void *data, size_t row, int col, char *buf,
                           size_t n)
{
    const cm_lc_item *it = &((const cm_lifecycle *)data)->items[row];
    switch (col) {
    case 0:
        snprintf(buf, n, "%zu", row + 1);
        return buf;
    case 1: return it->problem ? it->problem : "";
    case 2:
        /* 持续 with the months open: "持续3个月". */
        if (it->state == CM_LC_PERSISTING && it->months_open > 1) {
            snprintf(buf, n, "%s%d个月", cm_lc_state_text(it->state),
                     it->months_open);
            return buf;
        }
        return cm_lc_state_text(it->state);
    case 3: return it->first_period[0] ? period_text(it->first_period, buf, n)
                                       : "—";
    case 4: return it->lead ? it->lead : "";
    case 5: return it->deadline ? it->deadline : "";
    default: return it->overdue ? "逾期" : "";
    }
}

/* Lifecycle rows; top of the table at *y (caption and header with the
 * first row kept together), *y below the last row. */
static cm_error draw_lifecycle(pdf_ctx *p, const cm_lifecycle *lc,
                               const char *caption, double *y)
{
    cm_error e;
    tspec t = {LC_COLS, lc_head, lc_centre, {0}, LC_SIZE, LC_PITCH, 3.0,
               CELL_PAD_Y, 0, NULL};
    tstyle hs = {p->hei, LC_SIZE, 0, 100, 0, 0};
    tstyle bs = {p->song, LC_SIZE, 0, 100, 0, 0};
    tstyle cs = {p->hei, CAPTION_SIZE, 0, 100, 0, 0};
    double cap_h = CAPTION_H;
    column_widths(&t, lc_cap_mm, lc_weight, &hs, &bs, BLOCK_W, lc_cell, lc,
                  lc->n);
    trow head = {{0}, {0}, {0}, 0, 0};
    trow row = {{0}, {0}, {0}, 0, 0};
    char *problem = NULL;
    for (int i = 0; i < LC_COLS; i++)
        head.text[i] = lc_head[i];
    if ((e = trow_wrap(p, &t, &head, &hs)) != CM_OK)
        goto out;

    for (size_t k = 0; k < lc->n; k++) {
        const cm_lc_item *it = &lc->items[k];
        char buf[LC_COLS][64];
        for (int i = 0; i < LC_COLS; i++)
            row.text[i] = lc_cell(lc, k, i, buf[i], sizeof buf[i]);
        /* A note carried from month to month (seed 000: 已退出失信被执行人)
         * follows the problem in brackets. */
        if (it->note && *it->note) {
            size_t m = strlen(row.text[1]) + strlen(it->note) + 8;
            if (!(problem = malloc(m))) {
                e = cm_diag_set(p->d, CM_ERR_NOMEM, p->path, 0, NULL,
                                "out of memory drawing the lifecycle table");
                goto out;
            }
            snprintf(problem, m, "%s（%s）", row.text[1], it->note);
            row.text[1] = problem;
        }
        row.red = it->overdue ? 1u << 6 : 0;
        if ((e = trow_wrap(p, &t, &row, &bs)) != CM_OK)
            goto out;
        if (k == 0) {
            /* The caption, the header and the first row stay together. */
            double need = cap_h + row_height(&t, head.max_lines) +
                          row_height(&t, row.max_lines);
            if (*y - need < p->bottom) {
                if ((e = new_page(p, 0)) != CM_OK)
                    goto out;
                *y = p->top;
            }
            double w = text_width(&cs, caption, strlen(caption));
            if ((e = draw_text(p, &cs, (p->left + p->right - w) / 2.0,
                               baseline(*y, cap_h, cs.size), caption,
                               strlen(caption))) != CM_OK)
                goto out;
            *y -= cap_h;
            if ((e = draw_row(p, &t, &head, &hs, 0, head.max_lines, 1, y)) !=
                CM_OK)
                goto out;
        }
        if ((e = table_row(p, &t, &head, &hs, &row, &bs, y)) != CM_OK)
            goto out;
        trow_clear(&row);
        free(problem);
        problem = NULL;
    }
out:
    free(problem);
    trow_clear(&row);
    trow_clear(&head);
    return e;
}

/* Round steps for the rank axis. */
static double rank_step(double lo, double hi)
{
    static const double steps[] = {1, 2, 5, 10, 20, 25, 50, 100, 200, 250,
                                   500, 1000};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        double s = steps[i];
        if (ceil(hi / s) - floor(lo / s) <= 6)
            return s;
    }
    return 1000;
}

static void set_stroke(HPDF_Page pg, double r, double g, double b, double w)
{
    HPDF_Page_SetRGBStroke(pg, r, g, b);
    HPDF_Page_SetLineWidth(pg, w);
}

/* A polyline through the points (x[i], y[i]) whose ok[i] is set, broken
 * where ok is not (a month the city or the province is not listed). */
static void polyline(HPDF_Page pg, const double *x, const double *y,
                     const int *ok, size_t n)
{
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ok[i]) {
            if (open)
                HPDF_Page_Stroke(pg);
            open = 0;
            continue;
        }
        int next = i + 1 < n && ok[i + 1];
        if (!open && !next)
            continue;   /* a lone point: its marker says it */
        if (!open)
            HPDF_Page_MoveTo(pg, x[i], y[i]);
        else
            HPDF_Page_LineTo(pg, x[i], y[i]);
        open = 1;
    }
    if (open)
        HPDF_Page_Stroke(pg);
}

/* 1 if the polyline of polyline() passes through the box [x0, x1] x
 * [lo, hi] (sampled every 2 points across). */
static int crosses(const double *x, const double *y, const int *ok,
                   size_t n, double x0, double x1, double lo, double hi)
{
    for (double at = x0; at <= x1 + 0.01; at += 2.0)
        for (size_t i = 0; i + 1 < n; i++) {
            if (!ok[i] || !ok[i + 1] || at < x[i] || at > x[i + 1])
                continue;
            double v = y[i] + (y[i + 1] - y[i]) * (at - x[i]) /
                                  (x[i + 1] - x[i]);
            if (v >= lo && v <= hi)
                return 1;
        }
    return 0;
}

/* The rank trend: months across, rank down (1 at the top), the city in
 * red with markers, the province's median rank dashed grey, the target
 * dotted blue; a month not listed is a gap. The chart's box is the block
 * width by CHART_H below top. */
static cm_error draw_chart(pdf_ctx *p, const cm_report *r, double top)
{
    cm_error e = CM_OK;
    const cm_rank_analysis *a = r->rank;
    HPDF_Page pg = p->page;
    size_t n = a->n_trend < CM_RANK_TREND ? a->n_trend : CM_RANK_TREND;
    const char *city = r->region_name && *r->region_name ? r->region_name
                                                         : "本市";
    tstyle ls = {p->song, CHART_TEXT, 0, 100, 0, 0};
    tstyle rs = ls;
    rs.red = 1;
    double x0 = p->left, x1 = p->right, y1 = top, y0 = top - CHART_H;
    double px0 = x0 + 30, px1 = x1 - 4, py1 = y1 - 24, py0 = y0 + 18;

    double lo = 1e9, hi = -1e9;
    for (size_t i = 0; i < n; i++) {
        const cm_rank_point *t = &a->trend[i];
        if (t->rank > 0) {
            lo = fmin(lo, t->rank);
            hi = fmax(hi, t->rank);
        }
        if (t->province_median > 0) {
            lo = fmin(lo, t->province_median);
            hi = fmax(hi, t->province_median);
        }
    }
    if (a->target_rank > 0) {
        lo = fmin(lo, a->target_rank);
        hi = fmax(hi, a->target_rank);
    }
    if (lo > hi)
        lo = hi = 1;
    double step = rank_step(lo, hi);
    double vtop = floor(lo / step) * step, vbot = ceil(hi / step) * step;
    if (vbot <= vtop)
        vbot = vtop + step;
    if (vtop < 1)
        vtop = 1;
    /* 6 pt inside the frame at both ends, so no marker sits on it. */
    double span = py1 - py0 - 12;
#define YV(v) (py1 - 6 - ((v) - vtop) / (vbot - vtop) * span)
    double sw = (px1 - px0) / (double)(n ? n : 1);

    HPDF_Page_GSave(pg);
    HPDF_Page_SetLineCap(pg, HPDF_BUTT_END);
    /* grid and y labels */
    char buf[64];
    for (double v = vtop; v <= vbot + 0.5;) {
        double yy = YV(v);
        set_stroke(pg, 0.82, 0.82, 0.82, 0.4);
        HPDF_Page_MoveTo(pg, px0, yy);
        HPDF_Page_LineTo(pg, px1, yy);
        HPDF_Page_Stroke(pg);
        snprintf(buf, sizeof buf, "%.0f", v);
        double w = text_width(&ls, buf, strlen(buf));
        if ((e = draw_text(p, &ls, px0 - 4 - w, yy - 0.35 * ls.size, buf,
                           strlen(buf))) != CM_OK)
            goto out;
        v = v < step ? step : v + step;
    }
    /* frame, month ticks and labels: every third month back from the
     * last, so that the current month is always named */
    set_stroke(pg, 0, 0, 0, 0.6);
    HPDF_Page_Rectangle(pg, px0, py0, px1 - px0, py1 - py0);
    HPDF_Page_Stroke(pg);
    for (size_t i = 0; i < n; i++) {
        double xx = px0 + sw * ((double)i + 0.5);
        int labelled = (n - 1 - i) % 3 == 0;
        set_stroke(pg, 0, 0, 0, 0.6);
        HPDF_Page_MoveTo(pg, xx, py0);
        HPDF_Page_LineTo(pg, xx, py0 + (labelled ? 4 : 2));
        HPDF_Page_Stroke(pg);
        CHECK(p, "drawing the chart axes");
        const char *per = a->trend[i].period;
        if (!labelled || strlen(per) < 7)
            continue;
        snprintf(buf, sizeof buf, "%.2s-%.2s", per + 2, per + 5);
        double w = text_width(&ls, buf, strlen(buf));
        if ((e = draw_text(p, &ls, xx - w / 2.0, py0 - 4 - ls.size, buf,
                           strlen(buf))) != CM_OK)
            goto out;
    }

    double xs[CM_RANK_TREND], ym[CM_RANK_TREND], yc[CM_RANK_TREND];
    int okm[CM_RANK_TREND], okc[CM_RANK_TREND];
    for (size_t i = 0; i < n; i++) {
        const cm_rank_point *t = &a->trend[i];
        xs[i] = px0 + sw * ((double)i + 0.5);
        okm[i] = t->province_median > 0;
        ym[i] = okm[i] ? YV(t->province_median) : 0;
        okc[i] = t->rank > 0;
        yc[i] = okc[i] ? YV((double)t->rank) : 0;
    }
    static const HPDF_UINT16 dash[] = {4, 2};
    static const HPDF_UINT16 dot[] = {1, 2};
    HPDF_Page_SetLineJoin(pg, HPDF_ROUND_JOIN);
    /* target */
    if (a->target_rank > 0) {
        double yy = YV((double)a->target_rank);
        set_stroke(pg, 0.12, 0.35, 0.75, 1.0);
        HPDF_Page_SetDash(pg, dot, 2, 0);
        HPDF_Page_MoveTo(pg, px0, yy);
        HPDF_Page_LineTo(pg, px1, yy);
        HPDF_Page_Stroke(pg);
    }
    /* province median, dashed grey */
    set_stroke(pg, 0.45, 0.45, 0.45, 1.0);
    HPDF_Page_SetDash(pg, dash, 2, 0);
    polyline(pg, xs, ym, okm, n);
    HPDF_Page_SetDash(pg, NULL, 0, 0);
    /* the city, red with markers */
    set_stroke(pg, RED_R, RED_G, RED_B, 1.5);
    polyline(pg, xs, yc, okc, n);
    HPDF_Page_SetRGBFill(pg, RED_R, RED_G, RED_B);
    for (size_t i = 0; i < n; i++)
        if (okc[i]) {
            HPDF_Page_Circle(pg, xs[i], yc[i], 2.0);
            HPDF_Page_Fill(pg);
        }
    CHECK(p, "drawing the chart lines");
    /* the latest rank named by its point */
    if (n && okc[n - 1]) {
        snprintf(buf, sizeof buf, "第%d位", a->trend[n - 1].rank);
        double w = text_width(&rs, buf, strlen(buf));
        double tx = fmin(xs[n - 1] - w / 2.0, px1 - 2 - w);
        /* above the point, unless a line or the frame is there */
        double above = yc[n - 1] + 5, below = yc[n - 1] - 5 - 0.8 * rs.size;
        double ty = above;
        if (above + rs.size > py1 - 1 ||
            crosses(xs, yc, okc, n, tx, tx + w, above - 1, above + rs.size) ||
            crosses(xs, ym, okm, n, tx, tx + w, above - 1, above + rs.size)) {
            if (below > py0 + 1 &&
                !crosses(xs, yc, okc, n, tx, tx + w, below - 1,
                         below + rs.size) &&
                !crosses(xs, ym, okm, n, tx, tx + w, below - 1,
                         below + rs.size))
                ty = below;
        }
        if ((e = draw_text(p, &rs, tx, ty, buf, strlen(buf))) != CM_OK)
            goto out;
    }

    /* legend over the plot, flush right; the axis name flush left */
    double ly = y1 - 12;
    if ((e = draw_text(p, &ls, x0, ly - 0.35 * ls.size, "名次",
                       strlen("名次"))) != CM_OK)
        goto out;
    char lc[128], lt[64];
    join4(lc, sizeof lc, city, "排名", NULL, NULL);
    int any_median = 0;
    for (size_t i = 0; i < n; i++)
        any_median |= okm[i];
    const char *lm = any_median ? "全省排名中位数" : NULL;
    if (a->target_rank > 0)
        snprintf(lt, sizeof lt, "目标(第%d位)", a->target_rank);
    const char *labels[3] = {lc, lm, a->target_rank > 0 ? lt : NULL};
    double total = 0;
    for (int k = 0; k < 3; k++)
        if (labels[k])
            total += 20 + 3 + text_width(&ls, labels[k], strlen(labels[k])) +
                     12;
    double lx = px1 - total + 12;
    for (int k = 0; k < 3; k++) {
        if (!labels[k])
            continue;
        if (k == 0)
            set_stroke(pg, RED_R, RED_G, RED_B, 1.5);
        else if (k == 1) {
            set_stroke(pg, 0.45, 0.45, 0.45, 1.0);
            HPDF_Page_SetDash(pg, dash, 2, 0);
        } else {
            set_stroke(pg, 0.12, 0.35, 0.75, 1.0);
            HPDF_Page_SetDash(pg, dot, 2, 0);
        }
        HPDF_Page_MoveTo(pg, lx, ly);
        HPDF_Page_LineTo(pg, lx + 20, ly);
        HPDF_Page_Stroke(pg);
        HPDF_Page_SetDash(pg, NULL, 0, 0);
        if (k == 0) {
            HPDF_Page_SetRGBFill(pg, RED_R, RED_G, RED_B);
            HPDF_Page_Circle(pg, lx + 10, ly, 2.0);
            HPDF_Page_Fill(pg);
        }
        CHECK(p, "drawing the chart legend");
        lx += 23;
        if ((e = draw_text(p, &ls, lx, ly - 0.35 * ls.size, labels[k],
                           strlen(labels[k]))) != CM_OK)
            goto out;
        lx += text_width(&ls, labels[k], strlen(labels[k])) + 12;
    }
#undef YV
out:
    HPDF_Page_GRestore(pg);
    if (e == CM_OK)
        CHECK(p, "drawing the chart");
    return e;
}

/* Paragraphs of text (one per "\n"), indented two characters, flowing
 * over pages from *y. */
static cm_error draw_paragraphs(pdf_ctx *p, const tstyle *st,
                                const char *text, double indent,
                                double pitch, double *y)
{
    cm_error e = CM_OK;
    const char *s = text ? text : "";
    while (*s && e == CM_OK) {
        size_t len = strcspn(s, "\n");
        char *para = malloc(len + 1);
        if (!para)
            return cm_diag_set(p->d, CM_ERR_NOMEM, p->path, 0, NULL,
                               "out of memory laying out the monitoring "
                               "section");
        memcpy(para, s, len);
        para[len] = '\0';
        s += len + (s[len] == '\n');
        if (!*para) {
            free(para);
            continue;
        }
        cm_wrap_line *lines = NULL;
        size_t n = 0;
        e = wrap(p, st, para, p->right - p->left, indent, &lines, &n);
        for (size_t i = 0; e == CM_OK && i < n; i++) {
            if (*y - pitch < p->bottom - 0.01) {
                if ((e = new_page(p, 0)) != CM_OK)
                    break;
                *y = p->top;
            }
            e = draw_text(p, st, p->left + (i ? 0 : indent),
                          baseline(*y, pitch, st->size),
                          para + lines[i].start, lines[i].len);
            *y -= pitch;
        }
        free(lines);
        free(para);
    }
    return e;
}

static int has_monitoring(const cm_report *r)
{
    return (r->monitoring && *r->monitoring) || (r->rank && r->rank->has) ||
           (r->lifecycle && r->lifecycle->n > 0);
}

/* The monitoring section: heading, paragraph, chart, lifecycle table, on
 * portrait pages of their own after the letter. */
static cm_error draw_monitoring(pdf_ctx *p, const cm_report *r)
{
    if (!has_monitoring(r))
        return CM_OK;
    cm_error e = new_page(p, 0);
    if (e != CM_OK)
        return e;
    double pitch = BLOCK_H / LINES_PER_PAGE;
    tstyle body = {p->song, BODY_SIZE,
                   BLOCK_W / CHARS_PER_LINE - BODY_SIZE, 100, 0, 0};
    double ch = BLOCK_W / CHARS_PER_LINE;
    double y = p->top;

    static const char heading[] = "城市信用状况监测情况";
    tstyle hs = {p->hei, TITLE_SIZE, 0, 100, 0, 0};
    double hw = text_width(&hs, heading, strlen(heading));
    if ((e = draw_text(p, &hs, (p->left + p->right - hw) / 2.0,
                       baseline(y, TITLE_SIZE * 1.5, TITLE_SIZE), heading,
                       strlen(heading))) != CM_OK)
        return e;
    y -= TITLE_SIZE * 1.5 + pitch / 2.0;
    if ((e = draw_paragraphs(p, &body, r->monitoring, 2 * ch, pitch, &y)) !=
        CM_OK)
        return e;

    const char *city = r->region_name && *r->region_name ? r->region_name
                                                         : "本市";
    tstyle cs = {p->hei, CAPTION_SIZE, 0, 100, 0, 0};
    int fig = 0, tab = 0;
    char cap[256];
    if (r->rank && r->rank->has && r->rank->n_trend > 0) {
        double cap_h = CAPTION_H;
        y -= pitch / 2.0;
        if (y - CHART_H - cap_h < p->bottom) {
            if ((e = new_page(p, 0)) != CM_OK)
                return e;
            y = p->top;
        }
        if ((e = draw_chart(p, r, y)) != CM_OK)
            return e;
        y -= CHART_H;
        const cm_rank_analysis *a = r->rank;
        const char *g = group_text(a->group);
        size_t last = (a->n_trend < CM_RANK_TREND ? a->n_trend
                                                  : CM_RANK_TREND) - 1;
        int n = a->n ? a->n : a->trend[last].n;
        if (g && n > 0)
            snprintf(cap, sizeof cap, "图%d %s在全国%d个%s中的排名走势", ++fig,
                     city, n, g);
        else
            snprintf(cap, sizeof cap, "图%d %s城市信用状况监测排名走势", ++fig,
                     city);
        double w = text_width(&cs, cap, strlen(cap));
        if ((e = draw_text(p, &cs, (p->left + p->right - w) / 2.0,
                           baseline(y, cap_h, cs.size), cap, strlen(cap))) !=
            CM_OK)
            return e;
        y -= cap_h;
    }
    if (r->lifecycle && r->lifecycle->n > 0) {
        y -= pitch / 4.0;
        snprintf(cap, sizeof cap, "表%d %s信用建设主要问题整改跟踪情况", ++tab,
                 city);
        if ((e = draw_lifecycle(p, r->lifecycle, cap, &y)) != CM_OK)
            return e;
    }
    return CM_OK;
}

/* ---- county summaries ------------------------------------------------ */

/* 指标 · 数值 · 标杆 · 差距 · 状态, compact (10 pt) so that 20-25
 * indicators fit on the portrait block. */
static const char *const ct_head[CT_COLS] = {
    "指标", "数值", "标杆", "差距", "状态",
};
static const int ct_centre[CT_COLS] = {0, 1, 0, 1, 1};
/* 标杆 sized to its text too ("地级市平均水平(计算) 1.31家" on one line):
 * an indicator's name wraps more gracefully than a number. */
static const double ct_cap_mm[CT_COLS] = {0, 30, 52, 26, 20};
static const double ct_weight[CT_COLS] = {1, 0, 0, 0, 0};

static const char *ct_cell(const void *data, size_t row, int col, char *buf,
                           size_t n)
{
    const cm_result *x = ((const cm_result *const *)data)[row];
    switch (col) {
    case 0: return x->indicator_name ? x->indicator_name : "";
    case 1:
        if (!x->value_text || !*x->value_text)
            return "—";
        return join4(buf, n, x->value_text, x->unit, NULL, NULL);
    case 2: {
        const char *label = x->benchmark_label ? x->benchmark_label : "";
        const char *bt = x->benchmark_text ? x->benchmark_text : "";
        if (!*label && !*bt)
            return "—";
        /* DESIGN: averages computed from peer data say so (as the
         * workbook does). */
        join4(buf, n, label, x->benchmark_computed ? "(计算)" : "",
              *label && *bt ? " " : "", NULL);
        size_t k = strlen(buf);
        if (*bt)
            join4(buf + k, n - k, bt, x->unit, NULL, NULL);
        return buf;
    }
    case 3:
        if (!x->gap_text || !*x->gap_text)
            return "—";
        return join4(buf, n, x->gap_text, x->unit, NULL, NULL);
    default: return cm_status_text(x->status);
    }
}

/* One county's page(s): title, the count line, the table. */
static cm_error draw_county(pdf_ctx *p, const cm_report *r,
                            const cm_result *const *rows, size_t nrows)
{
    cm_error e;
    const cm_result *first = rows[0];
    const char *name = first->region_name && *first->region_name
                           ? first->region_name
                           : first->region_code;
    char per[64], title[512], cont[560], count[512];
    period_text(r->period, per, sizeof per);
    join4(title, sizeof title, name, per, "信用监测指标情况", NULL);
    join4(cont, sizeof cont, title, "(续)", NULL, NULL);

    tspec t = {CT_COLS, ct_head, ct_centre, {0}, CT_SIZE, CT_PITCH, 3.0,
               3.5, 0, cont};
    tstyle hs = {p->hei, CT_SIZE, 0, 100, 0, 0};
    tstyle bs = {p->song, CT_SIZE, 0, 100, 0, 0};
    column_widths(&t, ct_cap_mm, ct_weight, &hs, &bs, BLOCK_W, ct_cell, rows,
                  nrows);
    trow head = {{0}, {0}, {0}, 0, 0};
    trow row = {{0}, {0}, {0}, 0, 0};
    for (int i = 0; i < CT_COLS; i++)
        head.text[i] = ct_head[i];
    if ((e = trow_wrap(p, &t, &head, &hs)) != CM_OK)
        goto out;

    if ((e = new_page(p, 0)) != CM_OK)
        goto out;
    double y = p->top;
    tstyle ts = {p->song, TTITLE_SIZE, 0, 100, 0.5, 0};
    cm_wrap_line *tl;
    size_t tn;
    if ((e = wrap_balanced(p, &ts, title, p->right - p->left, &tl, &tn)) !=
        CM_OK)
        goto out;
    e = draw_centred(p, &ts, title, tl, tn, TTITLE_SIZE * 1.5, &y);
    free(tl);
    if (e != CM_OK)
        goto out;

    /* 共N项指标：达标a项，未达标b项[，未报送c项…]。 */
    size_t by[CM_ST_NODATA + 1] = {0};
    for (size_t k = 0; k < nrows; k++)
        if ((unsigned)rows[k]->status <= CM_ST_NODATA)
            by[rows[k]->status]++;
    int len = snprintf(count, sizeof count, "共%zu项指标：", nrows);
    for (int st = CM_ST_PASS; st <= CM_ST_NODATA && len > 0 &&
                              (size_t)len < sizeof count;
         st++) {
        if (st > CM_ST_FAIL && !by[st])
            continue;
        len += snprintf(count + len, sizeof count - (size_t)len, "%s%s%zu项",
                        st > CM_ST_PASS ? "，" : "",
                        cm_status_text((cm_status)st), by[st]);
    }
    if (len > 0 && (size_t)len < sizeof count)
        snprintf(count + len, sizeof count - (size_t)len, "。");
    tstyle ns = {p->song, COUNT_SIZE, 0, 100, 0, 0};
    double cw = text_width(&ns, count, strlen(count));
    y -= COUNT_SIZE * 0.5;
    if ((e = draw_text(p, &ns, (p->left + p->right - cw) / 2.0,
                       baseline(y, COUNT_SIZE * 2.0, COUNT_SIZE), count,
                       strlen(count))) != CM_OK)
        goto out;
    y -= COUNT_SIZE * 2.0;
    if ((e = draw_row(p, &t, &head, &hs, 0, head.max_lines, 1, &y)) !=
        CM_OK)
        goto out;

    for (size_t k = 0; k < nrows; k++) {
        char buf[CT_COLS][512];
        for (int i = 0; i < CT_COLS; i++)
            row.text[i] = ct_cell(rows, k, i, buf[i], sizeof buf[i]);
        row.red = rows[k]->status == CM_ST_FAIL ? (1u << CT_COLS) - 1 : 0;
        if ((e = trow_wrap(p, &t, &row, &bs)) != CM_OK ||
            (e = table_row(p, &t, &head, &hs, &row, &bs, &y)) != CM_OK)
            goto out;
        trow_clear(&row);
    }
out:
    trow_clear(&row);
    trow_clear(&head);
    return e;
}

static int is_county(const cm_report *r, const cm_result *x)
{
    const char *city = r->region_code ? r->region_code : "";
    return x->region_code && strcmp(x->region_code, city) != 0;
}

/* ---- document -------------------------------------------------------- */

static cm_error load_font(pdf_ctx *p, const char *path, HPDF_Font *out)
{
    cm_error e = cm_pdf_check_font(path, p->d);
    if (e != CM_OK)
        return e;
    const char *name = HPDF_LoadTTFontFromFile2(p->pdf, path, 0, HPDF_TRUE);
    if (!name || p->err)
        return cm_diag_set(p->d, CM_ERR_USAGE, path, 0, "font",
                           "libharu cannot load the font (error 0x%04X)",
                           (unsigned)p->err);
    *out = HPDF_GetFont(p->pdf, name, "UTF-8");
    if (!*out || p->err)
        return cm_diag_set(p->d, CM_ERR_USAGE, path, 0, "font",
                           "libharu cannot use the font with UTF-8 "
                           "(error 0x%04X)",
                           (unsigned)p->err);
    return CM_OK;
}

/* Document info: title, creator, and dates fixed to the circular's date so
 * that the same run writes the same bytes. */
static cm_error set_info(pdf_ctx *p, const char *title, const char *date)
{
    if (title)
        HPDF_SetInfoAttr(p->pdf, HPDF_INFO_TITLE, title);
    HPDF_SetInfoAttr(p->pdf, HPDF_INFO_CREATOR, "credmon");
    HPDF_SetInfoAttr(p->pdf, HPDF_INFO_PRODUCER,
                     "credmon " CM_VERSION " with libharu " HPDF_VERSION_TEXT);
    int y, m, dd;
    if (date && sscanf(date, "%d年%d月%d日", &y, &m, &dd) == 3 &&
        y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && dd >= 1 && dd <= 31) {
        HPDF_Date dt = {y, m, dd, 12, 0, 0, '+', 8, 0};
        HPDF_SetInfoDateAttr(p->pdf, HPDF_INFO_CREATION_DATE, dt);
        HPDF_SetInfoDateAttr(p->pdf, HPDF_INFO_MOD_DATE, dt);
    }
    CHECK(p, "setting the document information");
    return CM_OK;
}

/* Checks the fonts, creates the document with the UTF-8 encoder and
 * compression, loads the fonts. On error p->pdf may be set: close_doc. */
static cm_error open_doc(pdf_ctx *p, const cm_pdf_fonts *fonts,
                         const char *path, cm_diag *d)
{
    const char *song = fonts && fonts->song ? fonts->song : default_song;
    const char *hei = fonts && fonts->hei ? fonts->hei : default_hei;
    cm_error e;
    if ((e = cm_pdf_check_font(song, d)) != CM_OK ||
        (e = cm_pdf_check_font(hei, d)) != CM_OK)
        return e;
    memset(p, 0, sizeof *p);
    p->path = path;
    p->d = d;
    p->pdf = HPDF_New(on_hpdf_error, p);
    if (!p->pdf)
        return cm_diag_set(d, CM_ERR_NOMEM, path, 0, NULL,
                           "libharu could not create a document");
    HPDF_SetCompressionMode(p->pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(p->pdf);
    HPDF_SetCurrentEncoder(p->pdf, "UTF-8");
    if (p->err)
        return hpdf_failed(p, "enabling the UTF-8 encoder");
    if ((e = load_font(p, song, &p->song)) != CM_OK ||
        (e = load_font(p, hei, &p->hei)) != CM_OK)
        return e;
    return CM_OK;
}

/* Numbers the last page and writes the file. */
static cm_error save_doc(pdf_ctx *p)
{
    cm_error e = finish_page(p);
    if (e != CM_OK)
        return e;
    if (HPDF_SaveToFile(p->pdf, p->path) != HPDF_OK || p->err)
        return cm_diag_set(p->d, CM_ERR_OUTPUT, p->path, 0, NULL,
                           "libharu error 0x%04X (detail %u) while writing "
                           "the file",
                           (unsigned)p->err, (unsigned)p->detail);
    return CM_OK;
}

cm_error cm_pdf_write_circular(const cm_circular *c, const cm_report *r,
                               const cm_pdf_fonts *fonts, const char *path,
                               cm_diag *d)
{
    if (!c || !r || !path)
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, NULL,
                           "no circular, report or output path");
    cm_error e = check_all(c, r, d);
    if (e != CM_OK)
        return e;
    pdf_ctx p;
    memset(&p, 0, sizeof p);
    if ((e = open_doc(&p, fonts, path, d)) != CM_OK ||
        (e = set_info(&p, c->title, c->date)) != CM_OK ||
        (e = draw_letter(&p, c)) != CM_OK ||
        (e = draw_monitoring(&p, r)) != CM_OK ||
        (e = draw_table(&p, c, r)) != CM_OK)
        goto out;
    e = save_doc(&p);
out:
    if (p.pdf)
        HPDF_Free(p.pdf);
    return e;
}

cm_error cm_pdf_write_county_summaries(const cm_report *r,
                                       const cm_pdf_fonts *fonts,
                                       const char *path, cm_diag *d)
{
    if (!r || !path)
        return cm_diag_set(d, CM_ERR_USAGE, path, 0, NULL,
                           "no report or output path");
    size_t n = 0;
    cm_error e;
    for (size_t i = 0; i < r->n_results; i++)
        if (is_county(r, &r->results[i])) {
            if ((e = check_result(&r->results[i], d)) != CM_OK)
                return e;
            n++;
        }
    if (n == 0)
        return CM_OK;
    /* rows: the county results grouped by county, counties in the order
     * they first appear, indicators in report order within each. */
    const cm_result **rows = malloc(n * sizeof *rows);
    unsigned char *taken = calloc(r->n_results, 1);
    pdf_ctx p;
    memset(&p, 0, sizeof p);
    if (!rows || !taken) {
        e = cm_diag_set(d, CM_ERR_NOMEM, path, 0, NULL,
                        "out of memory grouping the county results");
        goto out;
    }
    size_t k = 0;
    for (size_t i = 0; i < r->n_results; i++) {
        const cm_result *x = &r->results[i];
        if (taken[i] || !is_county(r, x))
            continue;
        for (size_t j = i; j < r->n_results; j++)
            if (!taken[j] && !strcmp(r->results[j].region_code,
                                     x->region_code)) {
                taken[j] = 1;
                rows[k++] = &r->results[j];
            }
    }
    char title[512], per[64];
    join4(title, sizeof title, r->region_name, period_text(r->period, per,
                                                           sizeof per),
          "各县(区)信用监测指标情况", NULL);
    if ((e = open_doc(&p, fonts, path, d)) != CM_OK ||
        (e = set_info(&p, title, NULL)) != CM_OK)
        goto out;
    /* Each summary stands alone (sent to its county): no folios. */
    p.no_folio = 1;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && !strcmp(rows[j]->region_code, rows[i]->region_code))
            j++;
        if ((e = draw_county(&p, r, rows + i, j - i)) != CM_OK)
            goto out;
        i = j;
    }
    e = save_doc(&p);
out:
    if (p.pdf)
        HPDF_Free(p.pdf);
    free(rows);
    free(taken);
    return e;
}
