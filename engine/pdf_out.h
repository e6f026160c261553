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

#endif
