/*
 * xlsx_util.c - the helpers the Excel writers share (xlsx_util.h): one
 * copy of what xlsx_out.c, plan_out.c and drill.c each carried.
 */
#include "xlsx_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "wrap.h"

/* Column widths count the default font's '0': Calibri 11 is 7 px at 96
 * dpi. A CJK glyph of 仿宋 11 pt is 14.7 px, 7.33 px per half-width cell;
 * 7.4 errs towards one line too many rather than a clipped character.
 * PAD_PX is the cell's inner margin on both sides plus the border. */
#define PX_PER_UNIT 7.0
#define PX_PER_CELL 7.4
#define PAD_PX 8.0
#define PATH_BYTES 4096

/* ---- workbooks ---------------------------------------------------------- */

void cm_xbook_keep(lxw_error *acc, lxw_error e)
{
    if (*acc == LXW_NO_ERROR)
        *acc = e;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int cm_xbook_period_end(const char *p, size_t n, time_t *out)
{
    if (n < 4 || !digits(p, 4))
        return 0;
    int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 +
            (p[3] - '0');
    int m;
    if (y < 1970)
        return 0;
    if (n == 4)
        m = 12;
    else if (n == 7 && p[4] == '-' && digits(p + 5, 2))
        m = (p[5] - '0') * 10 + (p[6] - '0');
    else if (n == 7 && p[4] == '-' && p[5] == 'Q' && p[6] >= '1' &&
             p[6] <= '4')
        m = (p[6] - '0') * 3;
    else
        return 0;
    if (m < 1 || m > 12)
        return 0;
    /* The day before the first of the next month; calendar.c counts days
     * without timegm (not POSIX) or mktime (local time zone). */
    long next = m == 12 ? cm_date_days(y + 1, 1, 1)
                        : cm_date_days(y, m + 1, 1);
    *out = (time_t)(next - 1) * 86400;
    return 1;
}

cm_error cm_xbook_check_dir(const char *path, int is_file, cm_diag *d)
{
    char dir[PATH_BYTES];
    const char *slash = is_file ? strrchr(path, '/') : NULL;
    size_t n = is_file ? (slash ? (size_t)(slash - path) : 0) : strlen(path);
    if (is_file && !slash)
        strcpy(dir, ".");
    else if (n == 0)
        strcpy(dir, "/");
    else if (n < sizeof dir) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    } else
        return cm_diag_set(d, CM_ERR_OUTPUT, path, 0, NULL,
                           "output path is too long");
    if (access(dir, W_OK | X_OK) != 0)
        return cm_diag_set(d, CM_ERR_OUTPUT, path, 0, NULL,
                           "cannot write into directory '%s': %s", dir,
                           strerror(errno));
    return CM_OK;
}

cm_error cm_xbook_open(const char *path, const char *title, time_t created,
                       lxw_workbook **wb, cm_diag *d)
{
    if (!(*wb = workbook_new(path)))
        return cm_diag_set(d, CM_ERR_OUTPUT, path, 0, NULL,
                           "libxlsxwriter could not start a workbook");
    /* The properties take char *: an array and a copy rather than casting
     * away const. libxlsxwriter copies every field. */
    char author[] = "credmon";
    char *t = cm_strdup(title);
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = t;
    props.author = author;
    props.created = created;
    lxw_error le = t ? workbook_set_properties(*wb, &props)
                     : LXW_ERROR_MEMORY_MALLOC_FAILED;
    free(t);
    if (le != LXW_NO_ERROR) {
        lxw_workbook_free(*wb);
        *wb = NULL;
        return cm_diag_set(d, CM_ERR_OUTPUT, path, 0, NULL,
                           "cannot set document properties: %s",
                           lxw_strerror(le));
    }
    return CM_OK;
}

cm_error cm_xbook_close(lxw_workbook *wb, const char *path, cm_diag *d)
{
    lxw_error le = workbook_close(wb);
    if (le != LXW_NO_ERROR)
        return cm_diag_set(d, CM_ERR_OUTPUT, path, 0, NULL,
                           "cannot write workbook: %s", lxw_strerror(le));
    return CM_OK;
}

cm_error cm_xbook_abandon(lxw_workbook *wb, const char *path, lxw_error le,
                          cm_error e, cm_diag *d)
{
    lxw_workbook_free(wb);
    if (e == CM_OK)
        e = CM_ERR_OUTPUT;
    if (e == CM_ERR_NOMEM)
        return cm_diag_set(d, e, path, 0, NULL, "out of memory");
    return cm_diag_set(d, e, path, 0, NULL, "cannot build workbook: %s",
                       le != LXW_NO_ERROR ? lxw_strerror(le)
                                          : cm_strerror(e));
}

/* ---- formats and page --------------------------------------------------- */

lxw_format *cm_xbook_body_format(lxw_workbook *wb, int center, int bold)
{
    lxw_format *f = workbook_add_format(wb);
    if (!f)
        return NULL;
    format_set_font_name(f, CM_XBOOK_BODY_FONT);
    format_set_font_size(f, CM_XBOOK_BODY_PT);
    format_set_border(f, LXW_BORDER_THIN);
    format_set_text_wrap(f);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    format_set_align(f, center ? LXW_ALIGN_CENTER : LXW_ALIGN_LEFT);
    if (bold)
        format_set_bold(f);
    return f;
}

lxw_format *cm_xbook_title_format(lxw_workbook *wb, double pt)
{
    lxw_format *f = workbook_add_format(wb);
    if (!f)
        return NULL;
    format_set_font_name(f, CM_XBOOK_TITLE_FONT);
    format_set_font_size(f, pt);
    format_set_bold(f);
    format_set_align(f, LXW_ALIGN_CENTER);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(f);
    return f;
}

void cm_xbook_print_setup(lxw_worksheet *ws, lxw_error *le)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);  /* A4 */
    worksheet_center_horizontally(ws);
    worksheet_set_margins(ws, 0.5, 0.5, 0.75, 0.75);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_freeze_panes(ws, 2, 0);
    cm_xbook_keep(le, worksheet_repeat_rows(ws, 1, 1));
    cm_xbook_keep(le, worksheet_set_footer(ws, "&C第 &P 页，共 &N 页"));
}

/* ---- sizes -------------------------------------------------------------- */

double cm_xbook_col_width(double cells)
{
    return (cells * PX_PER_CELL + PAD_PX) / PX_PER_UNIT;
}

/* Half-width cells of body text a column w '0' units wide shows; at least
 * 2, so that a too narrow column still holds a CJK character a line. */
static double cells_for_width(double w)
{
    double c = (w * PX_PER_UNIT - PAD_PX) / PX_PER_CELL;
    return c < 2.0 ? 2.0 : c;
}

size_t cm_xbook_widest_line(const char *s)
{
    size_t best = 0;
    for (;;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        size_t w = cm_wrap_text_width(s, n);
        if (w > best)
            best = w;
        if (!nl)
            return best;
        s = nl + 1;
    }
}

double cm_xbook_fit_width(const char *s, double min, double max)
{
    double w = cm_xbook_col_width((double)cm_xbook_widest_line(s));
    return w < min ? min : w > max ? max : w;
}

cm_error cm_xbook_count_lines(const char *s, double w, double pt,
                              size_t *lines)
{
    cm_wrap_line *v = NULL;
    size_t n = 0;
    cm_error e = cm_wrap_lines(s, cells_for_width(w) * CM_XBOOK_BODY_PT / pt,
                               cm_wrap_measure_cells, NULL, &v, &n);
    free(v);
    if (e != CM_OK)
        return e;
    *lines = n ? n : 1;
    return CM_OK;
}

double cm_xbook_row_height(size_t lines)
{
    double h = (double)lines * CM_XBOOK_LINE_PT + CM_XBOOK_ROW_PAD_PT;
    return h > CM_XBOOK_MAX_ROW_PT ? CM_XBOOK_MAX_ROW_PT : h;
}
