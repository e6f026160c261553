/*
 * import.h - loads the five inputs of DESIGN.md ("Inputs") into the store.
 *
 *   regions.csv      code,name,level,parent
 *   units.csv        name,short_name
 *   values.csv       region,period,element,value     (empty value = 未报送)
 *   benchmarks.csv   period,indicator,benchmark,value
 *   assignments.csv  [region,]problem,lead,partners,deadline,note
 *
 * Each file is one transaction: a bad row refuses the whole file and the
 * store is left exactly as it was. Importing the same file twice leaves the
 * same store (rows are keyed; a re-import replaces a row with itself). A
 * file replaces what it covers: for each region and period in values.csv
 * the store keeps exactly the file's elements (imported ones; derived
 * values are left alone), benchmarks.csv likewise per period and
 * assignments.csv per region, so a row taken out of a corrected file is
 * gone from the store too. Regions and units are only added or updated. The
 * same key twice inside one file is an error. Column order is taken from the
 * header row, which must name every required column; unknown columns are
 * errors. Every message is "file:line: column: what is wrong".
 *
 * Validation:
 *   region codes: 6 ASCII digits, first two a GB/T 2260 province prefix
 *     (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82); a county's
 *     parent must be a city, a city's a province, a province has none; the
 *     parent must exist in the store or earlier in the same file.
 *   periods: YYYY-MM (MM 01-12), YYYY-Qn (n 1-4) or YYYY, year 1949-2100;
 *     a period used by a value or benchmark is added to the periods table.
 *   numbers: plain decimal (optional sign, digits, optional fraction, no
 *     thousands separators, no %), finite. Full-width digits are refused.
 *   values: region must exist; element must match [a-z][a-z0-9_]{0,63}.
 *   benchmarks: indicator and benchmark names like elements; value_text
 *     keeps the number as written.
 *   assignments: lead units and partner units must be known units (full or
 *     short name); partners are split on 、 and ， / , and a trailing 等 is
 *     allowed; deadline must read like 2019年9月前, 2019年12月, 2019年6月底,
 *     2020年3月31日前 or 长期坚持 / 长期 / 立即.
 */
#ifndef CM_IMPORT_H
#define CM_IMPORT_H

#include "cm.h"
#include "store.h"

typedef enum cm_input_kind {
    CM_IN_REGIONS = 0,
    CM_IN_UNITS,
    CM_IN_VALUES,
    CM_IN_BENCHMARKS,
    CM_IN_ASSIGNMENTS,
    CM_IN__COUNT
} cm_input_kind;

/* "regions", "units", ... ; the file stem an input kind is recognised by. */
const char *cm_import_kind_name(cm_input_kind k);

/* Kind from a file name's stem ("regions.csv" -> CM_IN_REGIONS). Returns -1
 * when the name is not one of the five. */
int cm_import_kind_from_path(const char *path);

/* Imports one file of the given kind in one transaction. *rows (may be NULL)
 * receives the number of data rows imported. */
cm_error cm_import_file(cm_store *s, cm_input_kind kind, const char *path,
                        long *rows, cm_diag *d);

/* Imports a folder: every file among the five present, in dependency order
 * (regions, units, values, benchmarks, assignments), all in ONE transaction:
 * if any file fails, the store is left as it was before the call. Files with
 * other names are ignored. A folder holding none of the five is
 * CM_ERR_USAGE. n_files and rows (may be NULL) receive totals. */
cm_error cm_import_dir(cm_store *s, const char *dir, int *n_files, long *rows,
                       cm_diag *d);

/* Validators, exposed for the definitions module and tests. Each returns 1
 * if valid, else 0 and writes a reason (<= 200 bytes) into why. */
int cm_import_valid_region_code(const char *s, char *why, size_t n);
int cm_import_valid_period(const char *s, char *why, size_t n);
int cm_import_parse_number(const char *s, double *out, char *why, size_t n);

#endif
