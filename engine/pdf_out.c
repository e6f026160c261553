/*
 * pdf_out.c - the circular (通报) as PDF with libharu 2.3.0: a cover letter
 * laid out per GB/T 9704-2012 (党政机关公文格式) on A4 portrait, then the
 * rectification table (整改责任分工表) as an attachment on A4 landscape.
 *
 * libharu does not break Chinese lines (HPDF_Page_TextRect only breaks at
 * ASCII spaces), so every line is broken by wrap.h with widths measured here
 * from the embedded font, and drawn with HPDF_Page_TextOut.
 */
#include "pdf_out.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

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
    return p->page_no > 0 ? draw_page_number(p) : CM_OK;
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

/* ---- the table ------------------------------------------------------- */

typedef struct trow {
    const char *text[TABLE_COLS];
    cm_wrap_line *lines[TABLE_COLS];
    size_t n[TABLE_COLS];
    size_t max_lines;
} trow;

static void trow_clear(trow *t)
{
    for (int i = 0; i < TABLE_COLS; i++) {
        free(t->lines[i]);
        t->lines[i] = NULL;
    }
}

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

static void column_widths(const cm_report *r, const tstyle *hs,
                          const tstyle *bs, double total, double *colw)
{
    double used = 0, weights = 0;
    char num[24];
    for (int i = 0; i < TABLE_COLS; i++) {
        if (col_weight[i] > 0) {
            weights += col_weight[i];
            continue;
        }
        double w = text_width(hs, col_head[i], strlen(col_head[i]));
        for (size_t k = 0; k < r->n_rows; k++) {
            const char *s = cell_text(&r->rows[k], i, num, sizeof num);
            double x = text_width(bs, s, strlen(s));
            if (x > w)
                w = x;
        }
        w += 2 * CELL_PAD_X + 1.0;
        if (w > MM(col_cap_mm[i]))
            w = MM(col_cap_mm[i]);
        colw[i] = w;
        used += w;
    }
    for (int i = 0; i < TABLE_COLS; i++)
        if (col_weight[i] > 0)
            colw[i] = (total - used) * col_weight[i] / weights;
}

static cm_error trow_wrap(pdf_ctx *p, trow *t, const tstyle *st,
                          const double *colw)
{
    t->max_lines = 1;
    for (int i = 0; i < TABLE_COLS; i++) {
        cm_error e = wrap(p, st, t->text[i], colw[i] - 2 * CELL_PAD_X, 0,
                          &t->lines[i], &t->n[i]);
        if (e != CM_OK)
            return e;
        if (t->n[i] > t->max_lines)
            t->max_lines = t->n[i];
    }
    return CM_OK;
}

/* Draws lines [from, from+count) of every cell of t as one ruled row whose
 * top is *y; cells are centred vertically, except a slice of a row split
 * across pages, which starts at the top. */
static cm_error draw_row(pdf_ctx *p, const trow *t, const tstyle *st,
                         const double *colw, size_t from, size_t count,
                         int centred_head, double *y)
{
    cm_error e;
    double h = (double)count * CELL_PITCH + 2 * CELL_PAD_Y;
    double x = p->left;
    int whole = from == 0 && count == t->max_lines;
    HPDF_Page_SetRGBStroke(p->page, 0, 0, 0);
    HPDF_Page_SetLineWidth(p->page, 0.6);
    HPDF_Page_Rectangle(p->page, p->left, *y - h, p->right - p->left, h);
    HPDF_Page_Stroke(p->page);
    for (int i = 0; i < TABLE_COLS; i++) {
        if (i > 0) {
            HPDF_Page_MoveTo(p->page, x, *y);
            HPDF_Page_LineTo(p->page, x, *y - h);
            HPDF_Page_Stroke(p->page);
        }
        CHECK(p, "ruling the table");
        size_t n = t->n[i] > from ? t->n[i] - from : 0;
        if (n > count)
            n = count;
        double top = *y - CELL_PAD_Y;
        if (whole)
            top -= (double)(count - n) * CELL_PITCH / 2.0;
        for (size_t j = 0; j < n; j++) {
            const cm_wrap_line *l = &t->lines[i][from + j];
            const char *s = t->text[i] + l->start;
            double w = text_width(st, s, l->len);
            double tx = centred_head || col_centre[i]
                            ? x + (colw[i] - w) / 2.0
                            : x + CELL_PAD_X;
            if ((e = draw_text(p, st, tx, baseline(top, CELL_PITCH, st->size),
                               s, l->len)) != CM_OK)
                return e;
            top -= CELL_PITCH;
        }
        x += colw[i];
    }
    *y -= h;
    return CM_OK;
}

static double row_height(size_t lines)
{
    return (double)lines * CELL_PITCH + 2 * CELL_PAD_Y;
}

/* A new landscape page with the header row; *y below it. */
static cm_error table_page(pdf_ctx *p, trow *head, const tstyle *hs,
                           const double *colw, double *y)
{
    cm_error e = new_page(p, 1);
    if (e != CM_OK)
        return e;
    *y = p->top;
    return draw_row(p, head, hs, colw, 0, head->max_lines, 1, y);
}

static cm_error draw_table(pdf_ctx *p, const cm_circular *c,
                           const cm_report *r)
{
    cm_error e;
    double colw[TABLE_COLS];
    tstyle hs = {p->hei, CELL_SIZE, 0, 100, 0, 0};
    tstyle bs = {p->song, CELL_SIZE, 0, 100, 0, 0};
    column_widths(r, &hs, &bs, BLOCK_H, colw);
    trow head = {{0}, {0}, {0}, 0};
    trow row = {{0}, {0}, {0}, 0};
    for (int i = 0; i < TABLE_COLS; i++)
        head.text[i] = col_head[i];
    if ((e = trow_wrap(p, &head, &hs, colw)) != CM_OK)
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
    if ((e = draw_row(p, &head, &hs, colw, 0, head.max_lines, 1, &y)) !=
        CM_OK)
        goto out;

    double full = BLOCK_W - row_height(head.max_lines);
    for (size_t k = 0; k < r->n_rows; k++) {
        char num[24];
        for (int i = 0; i < TABLE_COLS; i++)
            row.text[i] = cell_text(&r->rows[k], i, num, sizeof num);
        if ((e = trow_wrap(p, &row, &bs, colw)) != CM_OK)
            goto out;
        double h = row_height(row.max_lines);
        if (h <= full) {
            /* Rows are never cut: one that does not fit goes whole to the
             * next page under a repeated header row. */
            if (y - h < p->bottom &&
                (e = table_page(p, &head, &hs, colw, &y)) != CM_OK)
                goto out;
            if ((e = draw_row(p, &row, &bs, colw, 0, row.max_lines, 0,
                              &y)) != CM_OK)
                goto out;
        } else {
            /* Taller than a page: the one case split at line bounds. */
            size_t from = 0;
            while (from < row.max_lines) {
                double room = y - p->bottom - 2 * CELL_PAD_Y;
                size_t fit = room > 0 ? (size_t)(room / CELL_PITCH) : 0;
                if (fit == 0) {
                    if ((e = table_page(p, &head, &hs, colw, &y)) != CM_OK)
                        goto out;
                    continue;
                }
                if (fit > row.max_lines - from)
                    fit = row.max_lines - from;
                if ((e = draw_row(p, &row, &bs, colw, from, fit, 0, &y)) !=
                    CM_OK)
                    goto out;
                from += fit;
                if (from < row.max_lines &&
                    (e = table_page(p, &head, &hs, colw, &y)) != CM_OK)
                    goto out;
            }
        }
        trow_clear(&row);
    }
out:
    trow_clear(&row);
    trow_clear(&head);
    return e;
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
static cm_error set_info(pdf_ctx *p, const cm_circular *c)
{
    if (c->title)
        HPDF_SetInfoAttr(p->pdf, HPDF_INFO_TITLE, c->title);
    HPDF_SetInfoAttr(p->pdf, HPDF_INFO_CREATOR, "credmon");
    HPDF_SetInfoAttr(p->pdf, HPDF_INFO_PRODUCER,
                     "credmon " CM_VERSION " with libharu " HPDF_VERSION_TEXT);
    int y, m, dd;
    if (c->date && sscanf(c->date, "%d年%d月%d日", &y, &m, &dd) == 3 &&
        y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && dd >= 1 && dd <= 31) {
        HPDF_Date date = {y, m, dd, 12, 0, 0, '+', 8, 0};
        HPDF_SetInfoDateAttr(p->pdf, HPDF_INFO_CREATION_DATE, date);
        HPDF_SetInfoDateAttr(p->pdf, HPDF_INFO_MOD_DATE, date);
    }
    CHECK(p, "setting the document information");
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
    const char *song = fonts && fonts->song ? fonts->song : default_song;
    const char *hei = fonts && fonts->hei ? fonts->hei : default_hei;
    if ((e = cm_pdf_check_font(song, d)) != CM_OK ||
        (e = cm_pdf_check_font(hei, d)) != CM_OK)
        return e;

    pdf_ctx p;
    memset(&p, 0, sizeof p);
    p.path = path;
    p.d = d;
    p.pdf = HPDF_New(on_hpdf_error, &p);
    if (!p.pdf)
        return cm_diag_set(d, CM_ERR_NOMEM, path, 0, NULL,
                           "libharu could not create a document");
    HPDF_SetCompressionMode(p.pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(p.pdf);
    HPDF_SetCurrentEncoder(p.pdf, "UTF-8");
    if (p.err) {
        e = hpdf_failed(&p, "enabling the UTF-8 encoder");
        goto out;
    }
    if ((e = load_font(&p, song, &p.song)) != CM_OK ||
        (e = load_font(&p, hei, &p.hei)) != CM_OK ||
        (e = set_info(&p, c)) != CM_OK ||
        (e = draw_letter(&p, c)) != CM_OK ||
        (e = draw_table(&p, c, r)) != CM_OK ||
        (e = finish_page(&p)) != CM_OK)
        goto out;
    if (HPDF_SaveToFile(p.pdf, path) != HPDF_OK || p.err)
        e = cm_diag_set(d, CM_ERR_OUTPUT, path, 0, NULL,
                        "libharu error 0x%04X (detail %u) while writing the "
                        "file",
                        (unsigned)p.err, (unsigned)p.detail);
out:
    HPDF_Free(p.pdf);
    return e;
}
