/*
 * pdf_out.h - the circular (通报) as PDF, laid out per GB/T 9704-2012, with
 * libharu 2.3.0.
 *
 * Page: A4 (210x297 mm); margins top 37 mm, left 28 mm; text block 156x225
 * mm. Cover letter: issuer header in red (#E60012-ish), centred, large 宋体
 * (here uming), a red rule under the 发文字号 line; 发文字号 centred above
 * the rule; title centred (2号, ~22 pt, 黑体-like zenhei or uming);
 * recipients flush left; body paragraphs in 3号 (16 pt) indented two
 * characters, 28.9 pt line pitch (22 lines per page); 附件 line with the items
 * aligned after "附件："; signature and date right-aligned, the date in
 * Arabic numerals; page numbers "— 1 —" in 4号 at the bottom, outside the
 * text block. Attachment: on its own page(s), its label (附件2) top left in
 * 黑体, title centred, then the rectification table with ruled cells, text
 * wrapped in cells by wrap.h (kinsoku), header row repeated on every page,
 * rows never cut across pages (a row taller than a page is the only
 * exception and is split at line boundaries), landscape pages for the table
 * so that seven columns are readable.
 *
 * Monitoring section (issue 4), when the report has a monitoring paragraph,
 * a rank analysis of a listed city or lifecycle items: after the letter,
 * before the attachment, on portrait pages numbered with the letter:
 * heading 城市信用状况监测情况 (黑体 2号); the paragraph(s) as the body
 * (3号, indented two characters, one paragraph per "\n"); the rank trend
 * chart (156 x 80 mm, months across, labelled every third month back from
 * the current one as "19-03"; rank downwards with 1 at the top; the city
 * red with markers, the province's median rank dashed grey, the target
 * rank dotted; a month not listed is a gap) with its caption 图1 below; the
 * lifecycle table 序号 · 主要问题 · 状态 · 首次出现 · 牵头单位 · 整改时限 ·
 * 逾期 under its caption 表1 (notes in brackets after the problem, 逾期 in
 * red), rows never cut, header repeated.
 *
 * Fonts are TrueType collections embedded with HPDF_LoadTTFontFromFile2 and
 * the UTF-8 encoder; compression on. DroidSansFallback and WenQuanYi Micro
 * Hei are refused (libharu 2.3.0 reads glyph ids above 32767 as signed and
 * draws blanks; fixed upstream in 2.4.4). Characters above U+FFFF, which
 * this encoder turns into spaces, are an error naming the text.
 */
#ifndef CM_PDF_OUT_H
#define CM_PDF_OUT_H

#include "circular.h"
#include "cm.h"
#include "report.h"

/* Font files; NULL members take the Debian defaults
 * /usr/share/fonts/truetype/arphic/uming.ttc (song),
 * /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc (hei). */
typedef struct cm_pdf_fonts {
    const char *song;
    const char *hei;
} cm_pdf_fonts;

/* Checks that path exists and is not a font known to break this libharu.
 * CM_ERR_USAGE with the reason otherwise. */
cm_error cm_pdf_check_font(const char *path, cm_diag *d);

/* Writes the circular (cover letter then the rectification table as an
 * attachment) to path. fonts may be NULL. Errors: CM_ERR_OUTPUT (libharu
 * error number and what was being drawn), CM_ERR_ENCODING (a character
 * outside the BMP), CM_ERR_USAGE (font refused or missing). */
cm_error cm_pdf_write_circular(const cm_circular *c, const cm_report *r,
                               const cm_pdf_fonts *fonts, const char *path,
                               cm_diag *d);

/* Writes the one-page summaries per county (县区信用监测指标情况) to path:
 * for every county in r->results (results whose region_code is not
 * r->region_code; counties in the order they first appear, each county's
 * indicators in report order) one A4 page with the title "<county><period>
 * 信用监测指标情况" (雨城区2018年12月信用监测指标情况), the counts by status
 * (共N项指标：达标a项，未达标b项…) and a ruled table 指标 · 数值 · 标杆 ·
 * 差距 · 状态, failing rows in red. A county with more indicators than a
 * page holds (about 25) runs on to a next page under "…(续)" and the
 * header repeated. Pages carry no folio: each summary goes to its county.
 * When r has no county results nothing is written (an existing file at
 * path is left alone) and CM_OK is returned. fonts may be NULL. Errors as
 * cm_pdf_write_circular. */
cm_error cm_pdf_write_county_summaries(const cm_report *r,
                                       const cm_pdf_fonts *fonts,
                                       const char *path, cm_diag *d);

#endif
