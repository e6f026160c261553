/*
 * domain.h - checks of the codes credit data carries, masking, and the
 * domain functions the derivations call from SQL.
 *
 * GB 32100-2015 unified social credit code (统一社会信用代码): 18 chars from
 * 0123456789ABCDEFGHJKLMNPQRTUWXY; char 18 = (31 - Σ v(c_i)·w_i mod 31) mod
 * 31 with w = 3^(i-1) mod 31 (1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30
 * 28); chars 9-17 are a GB 11714 organisation code whose 9th char is
 * 11 - (Σ v_i·[3 7 9 10 5 8 4 2] mod 11), 10 -> 'X', 11 -> '0', with v_i over
 * 0-9A-Z (A=10 ... Z=35). Position 1 (registering authority) is not
 * restricted beyond the alphabet.
 *
 * GB 11643 citizen ID (公民身份号码): 17 digits + check, weights 7 9 10 5 8 4
 * 2 1 6 3 7 9 10 5 8 4 2, Σ mod 11 -> "10X98765432". Outputs never show an
 * ID unmasked: the first 6 and last 4 characters are kept.
 */
#ifndef CM_DOMAIN_H
#define CM_DOMAIN_H

#include <sqlite3.h>
#include <stddef.h>

#include "calendar.h"
#include "cm.h"

/* 1 if code[0..n) is a valid unified social credit code (both checks). */
int cm_domain_uscc_valid(const char *code, size_t n);

/* 1 if code[0..9) is a valid GB 11714 organisation code (8 + check). */
int cm_domain_orgcode_valid(const char *code, size_t n);

/* 1 if id[0..n) is a valid 18-character citizen ID (digits, check char,
 * and a real birth date in chars 7-14). */
int cm_domain_citizen_id_valid(const char *id, size_t n);

/* Masks what looks like a citizen ID (a first digit 1-8, then 18 chars,
 * 17 digits + digit or X/x with a year 18xx-20xx in chars 7-10, or 15
 * digits; no check digit asked): first 6 and last 4 kept, the rest '*'.
 * Anything else is copied unchanged: a company's code is public, and one
 * of digits only (915114026139234306) is what the office must correct.
 * Writes at most n bytes with the NUL. */
void cm_domain_mask(const char *in, char *out, size_t n);

/* Registers, on db, the SQL functions the derivations use (all
 * deterministic, NULL in -> NULL out):
 *   uscc_valid(code)          1 / 0
 *   citizen_id_valid(id)      1 / 0
 *   mask_id(text)             cm_domain_mask
 *   workdays(from, to)        cm_calendar_workdays on 'YYYY-MM-DD' texts;
 *                             NULL if a date is bad or not covered
 *   month_end(period)         'YYYY-MM' -> 'YYYY-MM-DD' of its last day
 *   tally(k1, ..., kn)        aggregate: rows counted by key, where NULL
 *                             is a key like any other (tally.h)
 * cal is borrowed and must outlive db's use of the functions. */
cm_error cm_domain_register(sqlite3 *db, const cm_calendar *cal, cm_diag *d);

/* Removes them from db again (those registered, if registering failed):
 * a connection that outlives the calendar must not keep workdays(). */
void cm_domain_unregister(sqlite3 *db);

#endif
