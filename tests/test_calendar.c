/*
 * test_calendar.c - dates and the working-day calendar: parsing and
 * formatting over the whole supported range, weekdays, and the shipped
 * calendars fixtures/calendar/2018..2021.csv checked against the State
 * Council notices they transcribe.
 *
 * Run from the repository root (or set CREDMON_ROOT).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

static long D(const char *s)
{
    long d = cm_date_parse(s, strlen(s));
    assert_true(d != CM_DAY_INVALID);
    return d;
}

/* ---- dates ------------------------------------------------------------ */

static int test_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Walks every day of 1900..2199 with its own y/m/d counter: day numbers
 * must be consecutive, formatting must give the counter's text, and
 * parsing that text must give the day back. */
static void round_trip_1900_2199(void **state)
{
    (void)state;
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long expect = cm_date_days(1900, 1, 1);
    assert_int_equal(expect, -25567);   /* 70 years of 365 days + 17 leap days */
    assert_int_equal(cm_date_days(1970, 1, 1), 0);
    long n = 0;
    for (int y = 1900; y <= 2199; y++)
        for (int m = 1; m <= 12; m++) {
            int last = dim[m - 1] + (m == 2 && test_leap(y));
            for (int d = 1; d <= last; d++, expect++, n++) {
                char want[32], got[11];
                snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
                assert_int_equal(cm_date_days(y, m, d), expect);
                cm_date_format(expect, got);
                assert_string_equal(got, want);
                assert_int_equal(cm_date_parse(want, 10), expect);
            }
        }
    assert_int_equal(expect, cm_date_days(2200, 1, 1));
    assert_int_equal(expect, 84006);
    /* 300 years = 109,500 days + 73 leap days (75 multiples of 4 in
     * 1900..2196, less 1900 and 2100; 2000 is one) */
    assert_int_equal(n, 109573);
}

static void parse_refuses(void **state)
{
    (void)state;
    static const char *bad[] = {
        "2019-02-29", "2019-13-01", "2019-1-01",  "2019/01/01", "2019-00-10",
        "2019-01-00", "2019-01-32", "2019-04-31", "1900-02-29", "2100-02-29",
        "1899-12-31", "2200-01-01", "2019-01-0a", "20x9-01-01", " 019-01-01",
        "2019-01-1 ", "2019 01 01", "+019-01-01", "2019-0-101", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cm_date_parse(bad[i], strlen(bad[i])), CM_DAY_INVALID);
    /* the length is part of the format: trailing bytes are not ignored */
    assert_int_equal(cm_date_parse("2019-01-01x", 11), CM_DAY_INVALID);
    assert_int_equal(cm_date_parse("2019-01-01", 9), CM_DAY_INVALID);
    assert_int_equal(cm_date_parse(NULL, 10), CM_DAY_INVALID);
    /* n, not the NUL, bounds the text: a date inside a longer buffer */
    assert_int_equal(cm_date_parse("2019-01-01,2019-01-02", 10),
                     cm_date_days(2019, 1, 1));
    /* edges that are real */
    assert_int_equal(cm_date_parse("2000-02-29", 10), cm_date_days(2000, 2, 29));
    assert_int_equal(cm_date_parse("2020-02-29", 10), cm_date_days(2020, 2, 29));
    assert_int_equal(cm_date_parse("1900-01-01", 10), -25567);
    assert_int_equal(cm_date_parse("2199-12-31", 10), 84005);
}

static void format_out_of_range(void **state)
{
    (void)state;
    char out[11];
    cm_date_format(CM_DAY_INVALID, out);
    assert_string_equal(out, "0000-00-00");
    cm_date_format(-1, out);
    assert_string_equal(out, "1969-12-31");
    cm_date_format(cm_date_days(1, 1, 1), out);
    assert_string_equal(out, "0001-01-01");
    cm_date_format(cm_date_days(9999, 12, 31), out);
    assert_string_equal(out, "9999-12-31");
}

static void weekdays(void **state)
{
    (void)state;
    assert_int_equal(cm_date_weekday(0), 4);              /* 1970-01-01 Thu */
    assert_int_equal(cm_date_weekday(-1), 3);             /* 1969-12-31 Wed */
    assert_int_equal(cm_date_weekday(D("1900-01-01")), 1); /* Mon */
    assert_int_equal(cm_date_weekday(D("1949-10-01")), 6); /* Sat */
    assert_int_equal(cm_date_weekday(D("2000-01-01")), 6); /* Sat */
    assert_int_equal(cm_date_weekday(D("2019-10-01")), 2); /* Tue */
    assert_int_equal(cm_date_weekday(D("2019-10-12")), 6); /* Sat */
    assert_int_equal(cm_date_weekday(D("2020-02-02")), 7); /* Sun */
    assert_int_equal(cm_date_weekday(D("2199-12-31")), 2); /* Tue */
    /* consecutive days cycle 1..7 */
    for (long d = -30000; d < 90000; d++)
        assert_int_equal(cm_date_weekday(d + 1), cm_date_weekday(d) % 7 + 1);
}

/* ---- the calendar object ---------------------------------------------- */

static void empty_and_errors(void **state)
{
    (void)state;
    cm_calendar *cal = cm_calendar_new();
    assert_non_null(cal);
    long a = D("2019-01-01"), b = D("2019-01-10");
    assert_int_equal(cm_calendar_covers(cal, a), 0);
    assert_int_equal(cm_calendar_is_workday(cal, a), -1);
    assert_int_equal(cm_calendar_workdays(cal, a, b), -1);
    /* nothing in between: 0 even where nothing is covered */
    assert_int_equal(cm_calendar_workdays(cal, b, a), 0);
    assert_int_equal(cm_calendar_workdays(cal, a, a), 0);
    assert_int_equal(cm_calendar_workdays(cal, CM_DAY_INVALID, a), -1);
    assert_int_equal(cm_calendar_workdays(cal, a, CM_DAY_INVALID), -1);
    /* exceptions only in covered years; years outside 1900..2199 refused */
    assert_int_equal(cm_calendar_set(cal, a, 0), CM_ERR_USAGE);
    assert_int_equal(cm_calendar_cover(cal, 1899), CM_ERR_USAGE);
    assert_int_equal(cm_calendar_cover(cal, 2200), CM_ERR_USAGE);
    assert_int_equal(cm_calendar_set(cal, D("1900-01-01") - 1, 0), CM_ERR_USAGE);
    assert_int_equal(cm_calendar_is_workday(cal, D("2199-12-31") + 1), -1);
    assert_int_equal(cm_calendar_workdays(cal, 0, 1000000), -1);

    /* a covered year with no exceptions: Monday to Friday */
    assert_int_equal(cm_calendar_cover(cal, 2019), CM_OK);
    assert_int_equal(cm_calendar_cover(cal, 2019), CM_OK);   /* idempotent */
    assert_int_equal(cm_calendar_covers(cal, a), 1);
    assert_int_equal(cm_calendar_is_workday(cal, a), 1);                 /* Tue */
    assert_int_equal(cm_calendar_is_workday(cal, D("2019-01-05")), 0);   /* Sat */
    /* 01-02..01-10: Wed Thu Fri, Mon-Thu = 7 */
    assert_int_equal(cm_calendar_workdays(cal, a, b), 7);
    /* 2019 starts on a Tuesday and has 365 days = 52 weeks + 1 Tuesday */
    assert_int_equal(cm_calendar_workdays(cal, D("2019-01-01") - 1, D("2019-12-31")), 261);
    /* the day before the range need not be covered, the range must be */
    assert_int_equal(cm_calendar_workdays(cal, D("2018-12-31"), D("2019-01-02")), 2);
    assert_int_equal(cm_calendar_workdays(cal, D("2018-12-30"), D("2019-01-02")), -1);
    assert_int_equal(cm_calendar_workdays(cal, D("2019-12-30"), D("2020-01-02")), -1);

    /* exceptions: a holiday on a weekday, a worked weekend day */
    assert_int_equal(cm_calendar_set(cal, a, 0), CM_OK);
    assert_int_equal(cm_calendar_set(cal, D("2019-01-05"), 1), CM_OK);
    /* 01-01..01-10: 8 weekdays, less 01-01, plus Saturday 01-05 */
    assert_int_equal(cm_calendar_workdays(cal, a - 1, b), 8);
    /* a holiday on a weekend day changes nothing; setting twice neither */
    assert_int_equal(cm_calendar_set(cal, D("2019-01-06"), 0), CM_OK);
    assert_int_equal(cm_calendar_set(cal, a, 0), CM_OK);
    assert_int_equal(cm_calendar_workdays(cal, a - 1, b), 8);
    assert_int_equal(cm_calendar_is_workday(cal, a), 0);

    /* covering years on both sides of a gap: the gap stays not computable,
     * and the years after it keep their counts as years are added before */
    assert_int_equal(cm_calendar_cover(cal, 2021), CM_OK);
    long y21 = cm_calendar_workdays(cal, D("2020-12-31"), D("2021-12-31"));
    assert_int_equal(y21, 261);   /* starts on a Friday, 365 days */
    assert_int_equal(cm_calendar_workdays(cal, D("2019-06-01"), D("2021-06-01")), -1);
    assert_int_equal(cm_calendar_cover(cal, 2020), CM_OK);
    /* 2020 starts on a Wednesday, 366 days: 52 weeks + Wed, Thu = 262 */
    assert_int_equal(cm_calendar_workdays(cal, D("2019-12-31"), D("2020-12-31")), 262);
    assert_int_equal(cm_calendar_workdays(cal, D("2018-12-31"), D("2021-12-31")),
                     261 + 262 + 261);
    assert_int_equal(cm_calendar_cover(cal, 1900), CM_OK);
    assert_int_equal(cm_calendar_cover(cal, 2199), CM_OK);
    assert_int_equal(cm_calendar_is_workday(cal, D("1900-01-01")), 1);
    assert_int_equal(cm_calendar_is_workday(cal, D("2199-12-31")), 1);
    assert_int_equal(cm_calendar_workdays(cal, D("2020-12-31"), D("2021-12-31")), y21);
    cm_calendar_free(cal);
    cm_calendar_free(NULL);
}

/* Every year covered, no exceptions: each day of 1900..2199 is found in
 * its own year (the year lookup estimates from 400-year cycles and
 * corrects by one) and the running count matches a walk. */
static void every_year_covered(void **state)
{
    (void)state;
    cm_calendar *cal = cm_calendar_new();
    assert_non_null(cal);
    for (int y = 2199; y >= 1900; y--)
        assert_int_equal(cm_calendar_cover(cal, y), CM_OK);
    long d0 = cm_date_days(1900, 1, 1), end = cm_date_days(2200, 1, 1);
    long run = 0;
    for (long d = d0; d < end; d++) {
        int w = cm_date_weekday(d) <= 5;
        run += w;
        assert_int_equal(cm_calendar_covers(cal, d), 1);
        assert_int_equal(cm_calendar_is_workday(cal, d), w);
        assert_int_equal(cm_calendar_workdays(cal, d0 - 1, d), run);
        assert_int_equal(cm_calendar_workdays(cal, d - 1, d), w);
    }
    assert_int_equal(cm_calendar_covers(cal, d0 - 1), 0);
    assert_int_equal(cm_calendar_covers(cal, end), 0);
    assert_int_equal(cm_calendar_workdays(cal, d0 - 1, end), -1);
    cm_calendar_free(cal);
}

/* ---- the shipped calendars -------------------------------------------- */

typedef struct year_rows {
    int holidays;           /* weekdays off */
    int workdays;           /* weekend days worked (调休) */
} year_rows;

static FILE *open_year(int year)
{
    const char *root = getenv("CREDMON_ROOT");
    char path[512];
    snprintf(path, sizeof path, "%s/fixtures/calendar/calendar-%d.csv",
             root && *root ? root : ".", year);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", path);
    return f;
}

/* Reads fixtures/calendar/<year>.csv into cal and checks each row: the
 * header, a real date of that year, in date order, kind holiday on a
 * weekday or workday on a weekend day (the files list only the exceptions
 * to the Monday-to-Friday rule), a notice number 国办发明电〔YYYY〕N号. */
static year_rows load_year(cm_calendar *cal, int year)
{
    year_rows r = {0, 0};
    FILE *f = open_year(year);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "date,kind,notice\n");
    long prev = CM_DAY_INVALID;
    assert_int_equal(cm_calendar_cover(cal, year), CM_OK);
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        assert_true(n > 0 && line[n - 1] == '\n');
        line[n - 1] = '\0';
        char *kind = strchr(line, ',');
        assert_non_null(kind);
        *kind++ = '\0';
        char *notice = strchr(kind, ',');
        assert_non_null(notice);
        *notice++ = '\0';
        long day = cm_date_parse(line, strlen(line));
        assert_true(day != CM_DAY_INVALID);
        assert_true(day > prev);
        prev = day;
        assert_int_equal(atoi(line), year);
        int wd = cm_date_weekday(day);
        if (strcmp(kind, "holiday") == 0) {
            assert_in_range(wd, 1, 5);
            r.holidays++;
        } else {
            assert_string_equal(kind, "workday");
            assert_in_range(wd, 6, 7);
            r.workdays++;
        }
        const char *pre = "国办发明电〔";
        assert_memory_equal(notice, pre, strlen(pre));
        assert_string_equal(notice + strlen(notice) - strlen("号"), "号");
        assert_int_equal(cm_calendar_set(cal, day, strcmp(kind, "workday") == 0),
                         CM_OK);
    }
    fclose(f);
    return r;
}

static int cal_setup(void **state)
{
    cm_calendar *cal = cm_calendar_new();
    if (!cal)
        return -1;
    for (int y = 2018; y <= 2021; y++)
        load_year(cal, y);
    *state = cal;
    return 0;
}

static int cal_teardown(void **state)
{
    cm_calendar_free(*state);
    return 0;
}

static long W(void **state, const char *from, const char *to)
{
    return cm_calendar_workdays(*state, D(from), D(to));
}

static int is_work(void **state, const char *day)
{
    return cm_calendar_is_workday(*state, D(day));
}

/* Row counts and year totals. A year's working days are its weekdays, less
 * the holiday rows, plus the workday rows:
 *   2018: starts Mon, 365 days: 261 weekdays. Off: 01-01; 02-15,16,19,20,21;
 *         04-05,06; 04-30, 05-01; 06-18; 09-24; 10-01..05; 12-31 (from the
 *         2019 notice: 元旦 2018-12-30..2019-01-01) = 18. Worked: 02-11,
 *         02-24, 04-08, 04-28, 09-29, 09-30, 12-29 (2019 notice) = 7.
 *         261 - 18 + 7 = 250.
 *   2019: starts Tue, 365 days: 261. Off: 01-01; 02-04..08; 04-05;
 *         05-01..03 (amended, 〔2019〕3号); 06-07; 09-13; 10-01..04, 10-07
 *         = 17. Worked: 02-02, 02-03, 04-28, 05-05, 09-29, 10-12 = 6.
 *         261 - 17 + 6 = 250.
 *   2020: starts Wed, 366 days: 262. Off: 01-01; 01-24,27..30; 01-31
 *         (extension, 〔2020〕1号); 04-06; 05-01,04,05; 06-25,26;
 *         10-01,02,05..08 = 19. Worked: 01-19, 04-26, 05-09, 06-28, 09-27,
 *         10-10 = 6 (02-01 no longer). 262 - 19 + 6 = 249 (251 before the
 *         extension).
 *   2021: starts Fri, 365 days: 261. Off: 01-01; 02-11,12,15..17; 04-05;
 *         05-03..05; 06-14; 09-20,21; 10-01,04..07 = 18. Worked: 02-07,
 *         02-20, 04-25, 05-08, 09-18, 09-26, 10-09 = 7. 261 - 18 + 7 = 250. */
static void shipped_rows_and_totals(void **state)
{
    (void)state;
    static const struct {
        int year, holidays, workdays, total;
    } want[] = {
        {2018, 18, 7, 250}, {2019, 17, 6, 250}, {2020, 19, 6, 249}, {2021, 18, 7, 250},
    };
    cm_calendar *cal = cm_calendar_new();
    assert_non_null(cal);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        year_rows r = load_year(cal, want[i].year);
        assert_int_equal(r.holidays, want[i].holidays);
        assert_int_equal(r.workdays, want[i].workdays);
    }
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int y = want[i].year;
        long total = cm_calendar_workdays(cal, cm_date_days(y - 1, 12, 31),
                                          cm_date_days(y, 12, 31));
        assert_int_equal(total, want[i].total);
        /* the same by walking the days */
        long walk = 0;
        for (long d = cm_date_days(y, 1, 1); d <= cm_date_days(y, 12, 31); d++)
            walk += cm_calendar_is_workday(cal, d);
        assert_int_equal(walk, want[i].total);
    }
    assert_int_equal(cm_calendar_workdays(cal, D("2017-12-31"), D("2021-12-31")),
                     250 + 250 + 249 + 250);
    cm_calendar_free(cal);
}

/* The notices' dates, day by day: what the 2018 notice does NOT make a
 * working day, and what the amendments changed. */
static void shipped_days(void **state)
{
    /* 2018 端午 (06-18) and 中秋 (09-24) were "与周末连休": the Saturdays
     * before them stay off, whatever a popular dataset says */
    assert_int_equal(is_work(state, "2018-06-16"), 0);
    assert_int_equal(is_work(state, "2018-09-22"), 0);
    assert_int_equal(is_work(state, "2018-06-18"), 0);
    assert_int_equal(is_work(state, "2018-09-24"), 0);
    /* 2019 notice: 元旦 2018-12-30..2019-01-01, 2018-12-29 (Sat) worked */
    assert_int_equal(is_work(state, "2018-12-29"), 1);
    assert_int_equal(is_work(state, "2018-12-31"), 0);
    assert_int_equal(is_work(state, "2019-01-01"), 0);
    /* 2019 劳动节 as amended (〔2019〕3号): 05-01..05-04 off, 04-28 and
     * 05-05 worked */
    assert_int_equal(is_work(state, "2019-04-28"), 1);
    assert_int_equal(is_work(state, "2019-05-02"), 0);
    assert_int_equal(is_work(state, "2019-05-03"), 0);
    assert_int_equal(is_work(state, "2019-05-04"), 0);
    assert_int_equal(is_work(state, "2019-05-05"), 1);
    /* 2020 春节 extended to 02-02 (〔2020〕1号): 01-31 off, 02-01 no longer
     * worked, 02-03 back at work */
    assert_int_equal(is_work(state, "2020-01-19"), 1);
    assert_int_equal(is_work(state, "2020-01-31"), 0);
    assert_int_equal(is_work(state, "2020-02-01"), 0);
    assert_int_equal(is_work(state, "2020-02-02"), 0);
    assert_int_equal(is_work(state, "2020-02-03"), 1);
    /* 2020 国庆 + 中秋 on 10-01: 10-01..10-08 off, 10-10 (Sat) worked */
    assert_int_equal(is_work(state, "2020-10-08"), 0);
    assert_int_equal(is_work(state, "2020-10-09"), 1);
    assert_int_equal(is_work(state, "2020-10-10"), 1);
    /* 2021 中秋: 09-19..21 off, 09-18 (Sat) worked */
    assert_int_equal(is_work(state, "2021-09-18"), 1);
    assert_int_equal(is_work(state, "2021-09-20"), 0);
    assert_int_equal(is_work(state, "2021-09-22"), 1);
}

/* 双公示 delays counted by hand: day 1 is the first working day after the
 * decision. */
static void shipped_delays(void **state)
{
    /* Decided 2019-09-27 (Fri). Working days after it: 09-29 (Sun, worked)
     * 1, 09-30 2, [10-01..10-07 off], 10-08 3, 10-09 4, 10-10 5, 10-11 6,
     * 10-12 (Sat, worked) 7. Published 10-12 is exactly on time. */
    assert_int_equal(W(state, "2019-09-27", "2019-10-12"), 7);
    assert_int_equal(W(state, "2019-09-27", "2019-10-11"), 6);
    assert_int_equal(W(state, "2019-09-27", "2019-10-14"), 8);   /* 10-13 Sun */
    assert_int_equal(W(state, "2019-09-27", "2019-09-28"), 0);   /* Sat off */
    assert_int_equal(W(state, "2019-09-27", "2019-09-29"), 1);
    /* Decided 2019-01-31 (Thu): 02-01 1, 02-02 (Sat, worked) 2, 02-03 (Sun,
     * worked) 3, [02-04..02-10 off], 02-11 4, 02-12 5, 02-13 6, 02-14 7. */
    assert_int_equal(W(state, "2019-01-31", "2019-02-14"), 7);
    assert_int_equal(W(state, "2019-01-31", "2019-02-10"), 3);
    /* 2019 劳动节 as amended. Decided 04-26 (Fri): 04-28 (Sun, worked) 1,
     * 04-29 2, 04-30 3, [05-01..05-04 off], 05-05 (Sun, worked) 4, 05-06 5,
     * 05-07 6, 05-08 7. Decided 04-30: nothing until 05-03 (the original
     * notice would have counted 05-02 and 05-03). */
    assert_int_equal(W(state, "2019-04-26", "2019-05-08"), 7);
    assert_int_equal(W(state, "2019-04-30", "2019-05-03"), 0);
    assert_int_equal(W(state, "2019-04-30", "2019-05-05"), 1);
    /* 2020 春节 as extended. Decided 2020-01-17 (Fri): 01-19 (Sun, worked)
     * 1, 01-20 2, 01-21 3, 01-22 4, 01-23 5, [01-24..02-02 off, 02-01 no
     * longer worked], 02-03 6, 02-04 7. The original notice would have
     * reached 7 on 02-01 (01-31 6, 02-01 7). */
    assert_int_equal(W(state, "2020-01-17", "2020-02-04"), 7);
    assert_int_equal(W(state, "2020-01-17", "2020-02-01"), 5);
    assert_int_equal(W(state, "2020-01-23", "2020-02-02"), 0);
    /* Decided 2020-09-25 (Fri): 09-27 (Sun, worked) 1, 09-28 2, 09-29 3,
     * 09-30 4, [10-01..10-08 off], 10-09 5, 10-10 (Sat, worked) 6, 10-12 7 */
    assert_int_equal(W(state, "2020-09-25", "2020-10-12"), 7);
    assert_int_equal(W(state, "2020-09-25", "2020-10-11"), 6);
    /* Across a year end. Decided 2018-12-28 (Fri): 12-29 (Sat, worked) 1,
     * [12-30..2019-01-01 off], 01-02 2, 01-03 3, 01-04 4 */
    assert_int_equal(W(state, "2018-12-28", "2019-01-04"), 4);
    /* 2018 中秋: decided 2018-09-21 (Fri); 09-22 Sat off, 09-23 Sun off,
     * 09-24 off, 09-25 1, 09-26 2, 09-27 3, 09-28 4, 09-29 (Sat, worked)
     * 5, 09-30 (Sun, worked) 6, [10-01..10-07 off], 10-08 7 */
    assert_int_equal(W(state, "2018-09-21", "2018-10-08"), 7);
    /* to <= from: nothing in between */
    assert_int_equal(W(state, "2019-10-12", "2019-09-27"), 0);
    assert_int_equal(W(state, "2019-10-12", "2019-10-12"), 0);
    /* uncovered years are not guessed */
    assert_int_equal(W(state, "2021-12-31", "2022-01-04"), -1);
    assert_int_equal(W(state, "2017-12-29", "2018-01-03"), -1);
    assert_int_equal(W(state, "2017-12-31", "2018-01-03"), 2);  /* 01-01 off */
    assert_int_equal(W(state, "2021-12-30", "2021-12-31"), 1);
}

/* cm_calendar_workdays against a walk over the days, for many pairs in
 * and around the covered years. */
static void shipped_matches_walk(void **state)
{
    const cm_calendar *cal = *state;
    long lo = D("2017-12-01"), hi = D("2022-01-31");
    unsigned seed = 12345;
    for (int k = 0; k < 20000; k++) {
        seed = seed * 1103515245u + 12345u;
        long a = lo + (long)((seed >> 8) % (unsigned long)(hi - lo));
        seed = seed * 1103515245u + 12345u;
        long b = a + (long)((seed >> 8) % 60);
        long walk = 0;
        for (long d = a + 1; d <= b && walk >= 0; d++) {
            int w = cm_calendar_is_workday(cal, d);
            walk = w < 0 ? -1 : walk + w;
        }
        assert_int_equal(cm_calendar_workdays(cal, a, b), walk);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_1900_2199),
        cmocka_unit_test(parse_refuses),
        cmocka_unit_test(format_out_of_range),
        cmocka_unit_test(weekdays),
        cmocka_unit_test(empty_and_errors),
        cmocka_unit_test(every_year_covered),
        cmocka_unit_test(shipped_rows_and_totals),
        cmocka_unit_test_setup_teardown(shipped_days, cal_setup, cal_teardown),
        cmocka_unit_test_setup_teardown(shipped_delays, cal_setup, cal_teardown),
        cmocka_unit_test_setup_teardown(shipped_matches_walk, cal_setup, cal_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
