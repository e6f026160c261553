/*
 * calendar.h - dates and working days (工作日).
 *
 * A day is a number: days since 1970-01-01 (negative before). Working days
 * are Monday to Friday, except the holidays of the State Council's notices,
 * plus the weekend days those notices make working days (调休). The
 * exceptions are data (fixtures/calendar/<year>.csv, imported into the
 * store's calendar table, each day with the notice it follows), never
 * hard-coded. A year the calendar does not cover is not guessed: working
 * days that reach into it are "not computable".
 *
 * 双公示 rule (DESIGN.md): a decision must be online within 7 working days;
 * day 1 is the first working day after the decision. So the delay of a
 * record is cm_calendar_workdays(cal, decided, published): the number of
 * working days d with decided < d <= published.
 */
#ifndef CM_CALENDAR_H
#define CM_CALENDAR_H

#include <limits.h>

#include "cm.h"

#define CM_DAY_INVALID LONG_MIN

/* Parses exactly "YYYY-MM-DD" (a real date, year 1900-2199) into a day
 * number; CM_DAY_INVALID otherwise. n is the length of s. */
long cm_date_parse(const char *s, size_t n);

/* Writes "YYYY-MM-DD" (11 bytes with the NUL). */
void cm_date_format(long day, char out[11]);

/* Day number of y-m-d (no validation). 0 = 1970-01-01. */
long cm_date_days(int y, int m, int d);

/* Weekday: 1 Monday ... 7 Sunday. */
int cm_date_weekday(long day);

typedef struct cm_calendar cm_calendar;

/* An empty calendar covering no year. NULL on out of memory. */
cm_calendar *cm_calendar_new(void);
void cm_calendar_free(cm_calendar *cal);

/* Marks a year as covered (its exceptions, if any, set with _set). */
cm_error cm_calendar_cover(cm_calendar *cal, int year);

/* An exception: a holiday (is_workday 0) on a weekday, or a working
 * weekend day (is_workday 1). The year must be covered. */
cm_error cm_calendar_set(cm_calendar *cal, long day, int is_workday);

/* 1 if the calendar covers the year of day. */
int cm_calendar_covers(const cm_calendar *cal, long day);

/* 1 working day, 0 not, -1 year not covered. */
int cm_calendar_is_workday(const cm_calendar *cal, long day);

/* Working days d with from < d <= to; 0 when to <= from; -1 when a year in
 * between is not covered. O(1) per call after cm_calendar_new: prefix
 * counts are kept per covered day. */
long cm_calendar_workdays(const cm_calendar *cal, long from, long to);

/* Number of days in month m (1-12) of year y, leap years included. */
int cm_date_month_days(int y, int m);

/* Periods: a month 'YYYY-MM', a quarter 'YYYY-Qn' or a year 'YYYY'. Writes
 * into out the period `back` periods before period, of the same kind
 * ("2019-01" back 1 -> "2018-12", "2019-Q1" -> "2018-Q4", "2019" ->
 * "2018"; back < 0 goes forward). Returns 1 on success, 0 on a malformed
 * period or one that would leave the years 0..9999. */
int cm_period_shift(const char *period, int back, char out[16]);

/* The last day of a period as a day number, CM_DAY_INVALID when period is
 * malformed. */
long cm_period_last_day(const char *period);

#endif
