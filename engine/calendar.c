/*
 * calendar.c - dates (proleptic Gregorian day numbers) and the working-day
 * calendar of the State Council's holiday notices (see calendar.h).
 *
 * Day numbers use Howard Hinnant's days_from_civil / civil_from_days
 * algorithms (http://howardhinnant.github.io/date_algorithms.html): exact
 * for every proleptic Gregorian date, no tables, no libc time functions
 * (mktime depends on the time zone and sscanf costs ~10x the arithmetic:
 * cm_date_parse runs for every record of a 10 M-row double-publicity file).
 *
 * The calendar spans the years cm_date_parse accepts, 1900-2199. Each
 * covered year owns a block with its per-day working flag and an exclusive
 * prefix count of working days; base[] holds the working days of all
 * covered years before a year and ncov[] the number of covered years before
 * it. cm_calendar_workdays is then two lookups and a subtraction, whatever
 * the distance between the dates; cm_calendar_set and _cover pay instead
 * (one year's prefix plus the later years' bases, a few hundred steps).
 */
#include "calendar.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#define CAL_Y0 1900                      /* first year: cm_date_parse's range */
#define CAL_NY 300                       /* 1900..2199 */
#define CAL_DAY0 (-25567L)               /* cm_date_days(1900, 1, 1) */
#define CAL_DAYEND 84006L                /* cm_date_days(2200, 1, 1) */

typedef struct cal_year {
    unsigned char work[366];             /* 1 working day, per day of year */
    unsigned short prefix[367];          /* working days among days [0, k) */
} cal_year;

struct cm_calendar {
    cal_year *years[CAL_NY];             /* NULL: year not covered */
    long jan1[CAL_NY + 1];               /* day number of 1 January */
    long base[CAL_NY + 1];               /* working days of covered years before */
    int ncov[CAL_NY + 1];                /* covered years before */
};

/* ---- dates ------------------------------------------------------------ */

/* Floor division for the era computation: C's '/' truncates toward zero,
 * which would put years before 0000 in the wrong 400-year era. */
static long floor_div(long a, long b)
{
    long q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

long cm_date_days(int y, int m, int d)
{
    long yy = (long)y - (m <= 2);
    long era = floor_div(yy, 400);
    long yoe = yy - era * 400;                                /* [0, 399] */
    long mp = (m + 9) % 12;                                   /* March = 0 */
    long doy = (153 * mp + 2) / 5 + d - 1;                    /* [0, 365] */
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;         /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, int *m, int *d)
{
    z += 719468;
    long era = floor_div(z, 146097);
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long y, int m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Two ASCII digits, or -1. Unsigned arithmetic makes one compare per
 * digit reject everything outside '0'..'9'. */
static int two_digits(const char *s)
{
    unsigned a = (unsigned)(unsigned char)s[0] - '0', b = (unsigned)(unsigned char)s[1] - '0';
    if (a > 9 || b > 9)
        return -1;
    return (int)(a * 10 + b);
}

long cm_date_parse(const char *s, size_t n)
{
    if (!s || n != 10 || s[4] != '-' || s[7] != '-')
        return CM_DAY_INVALID;
    int c = two_digits(s), yl = two_digits(s + 2);
    int m = two_digits(s + 5), d = two_digits(s + 8);
    if (c < 0 || yl < 0 || m < 1 || m > 12 || d < 1)
        return CM_DAY_INVALID;
    int y = c * 100 + yl;
    if (y < 1900 || y > 2199 || d > days_in_month(y, m))
        return CM_DAY_INVALID;
    return cm_date_days(y, m, d);
}

void cm_date_format(long day, char out[11])
{
    long y;
    int m, d;
    if (day == CM_DAY_INVALID || day < -719468L || day > 2932896L) {
        /* outside 0000-03-01..9999-12-31: no four-digit year to write */
        memcpy(out, "0000-00-00", 11);
        return;
    }
    civil_from_days(day, &y, &m, &d);
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int cm_date_weekday(long day)
{
    /* 1970-01-01 (day 0) was a Thursday (4) */
    long r = (day + 3) % 7;
    if (r < 0)
        r += 7;
    return (int)r + 1;
}

/* ---- calendar --------------------------------------------------------- */

/* Index of day's year in the calendar, or -1 outside 1900..2199. */
static int year_index(const cm_calendar *cal, long day)
{
    if (day < CAL_DAY0 || day >= CAL_DAYEND)
        return -1;
    /* 146097 days per 400 years: the estimate is off by at most one */
    long i = (day - CAL_DAY0) * 400 / 146097;
    if (i >= CAL_NY)
        i = CAL_NY - 1;
    if (day < cal->jan1[i])
        i--;
    else if (day >= cal->jan1[i + 1])
        i++;
    return (int)i;
}

cm_calendar *cm_calendar_new(void)
{
    cm_calendar *cal = calloc(1, sizeof *cal);
    if (!cal)
        return NULL;
    for (int i = 0; i <= CAL_NY; i++)
        cal->jan1[i] = cm_date_days(CAL_Y0 + i, 1, 1);
    return cal;
}

void cm_calendar_free(cm_calendar *cal)
{
    if (!cal)
        return;
    for (int i = 0; i < CAL_NY; i++)
        free(cal->years[i]);
    free(cal);
}

/* Recomputes year i's prefix from day of year k on and shifts the bases of
 * the later years by the change of the year's total. */
static void refresh(cm_calendar *cal, int i, int k)
{
    cal_year *yr = cal->years[i];
    int len = (int)(cal->jan1[i + 1] - cal->jan1[i]);
    long before = yr->prefix[len];
    for (int j = k; j < len; j++)
        yr->prefix[j + 1] = (unsigned short)(yr->prefix[j] + yr->work[j]);
    long delta = (long)yr->prefix[len] - before;
    if (delta)
        for (int j = i + 1; j <= CAL_NY; j++)
            cal->base[j] += delta;
}

cm_error cm_calendar_cover(cm_calendar *cal, int year)
{
    if (!cal || year < CAL_Y0 || year >= CAL_Y0 + CAL_NY)
        return CM_ERR_USAGE;
    int i = year - CAL_Y0;
    if (cal->years[i])
        return CM_OK;               /* covered already: keep its exceptions */
    cal_year *yr = calloc(1, sizeof *yr);
    if (!yr)
        return CM_ERR_NOMEM;
    cal->years[i] = yr;
    int len = (int)(cal->jan1[i + 1] - cal->jan1[i]);
    /* Monday to Friday until the notices' exceptions say otherwise */
    for (int j = 0; j < len; j++)
        yr->work[j] = cm_date_weekday(cal->jan1[i] + j) <= 5;
    refresh(cal, i, 0);
    for (int j = i + 1; j <= CAL_NY; j++)
        cal->ncov[j]++;
    return CM_OK;
}

cm_error cm_calendar_set(cm_calendar *cal, long day, int is_workday)
{
    if (!cal)
        return CM_ERR_USAGE;
    int i = year_index(cal, day);
    if (i < 0 || !cal->years[i])
        return CM_ERR_USAGE;
    /* A holiday on a weekend day (a notice's block such as 10-01..10-07
     * includes one) leaves the day off: accepted, it changes nothing. */
    int k = (int)(day - cal->jan1[i]);
    unsigned char w = is_workday ? 1 : 0;
    if (cal->years[i]->work[k] != w) {
        cal->years[i]->work[k] = w;
        refresh(cal, i, k);
    }
    return CM_OK;
}

int cm_calendar_covers(const cm_calendar *cal, long day)
{
    if (!cal)
        return 0;
    int i = year_index(cal, day);
    return i >= 0 && cal->years[i] != NULL;
}

int cm_calendar_is_workday(const cm_calendar *cal, long day)
{
    if (!cal)
        return -1;
    int i = year_index(cal, day);
    if (i < 0 || !cal->years[i])
        return -1;
    return cal->years[i]->work[day - cal->jan1[i]];
}

long cm_calendar_workdays(const cm_calendar *cal, long from, long to)
{
    if (!cal || from == CM_DAY_INVALID || to == CM_DAY_INVALID)
        return -1;
    if (to <= from)
        return 0;
    /* counted days are a = from + 1 .. to; from itself need not be covered
     * (a decision of 31 December still counts in a covered next year) */
    long a = from + 1;
    int ia = year_index(cal, a), it = year_index(cal, to);
    if (ia < 0 || it < 0 || cal->ncov[it + 1] - cal->ncov[ia] != it - ia + 1)
        return -1;
    long upto = cal->base[it] + cal->years[it]->prefix[to - cal->jan1[it] + 1];
    long before = cal->base[ia] + cal->years[ia]->prefix[a - cal->jan1[ia]];
    return upto - before;
}

int cm_period_shift(const char *period, int back, char out[16])
{
    int y, m;
    char tail;
    if (sscanf(period, "%4d-%2d%c", &y, &m, &tail) == 2 && strlen(period) == 7) {
        int idx = y * 12 + (m - 1) - back;
        if (m < 1 || m > 12 || idx < 0)
            return 0;
        snprintf(out, 16, "%04d-%02d", idx / 12, idx % 12 + 1);
        return 1;
    }
    if (sscanf(period, "%4d-Q%1d%c", &y, &m, &tail) == 2 && strlen(period) == 7) {
        int idx = y * 4 + (m - 1) - back;
        if (m < 1 || m > 4 || idx < 0)
            return 0;
        snprintf(out, 16, "%04d-Q%d", idx / 4, idx % 4 + 1);
        return 1;
    }
    if (sscanf(period, "%4d%c", &y, &tail) == 1 && strlen(period) == 4) {
        if (y - back < 0)
            return 0;
        snprintf(out, 16, "%04d", y - back);
        return 1;
    }
    return 0;
}

int cm_date_month_days(int y, int m)
{
    return m >= 1 && m <= 12 ? days_in_month(y, m) : 0;
}

long cm_period_last_day(const char *period)
{
    int y, k;
    char tail;
    size_t n = strlen(period);
    if (n == 7 && sscanf(period, "%4d-%2d%c", &y, &k, &tail) == 2 && k >= 1 &&
        k <= 12)
        return cm_date_days(y, k, days_in_month(y, k));
    if (n == 7 && sscanf(period, "%4d-Q%1d%c", &y, &k, &tail) == 2 && k >= 1 &&
        k <= 4)
        return cm_date_days(y, 3 * k, days_in_month(y, 3 * k));
    if (n == 4 && sscanf(period, "%4d%c", &y, &tail) == 1)
        return cm_date_days(y, 12, 31);
    return CM_DAY_INVALID;
}
