/*
 * micro.h - bulk import of microdata: the records the monitoring elements
 * are derived from (issue 3). CSV as csv.h reads it (UTF-8, BOM or GBK).
 *
 *   entities*.csv     市场主体登记: code,name,region,registered,status
 *   publicity*.csv    双公示: id,kind,source_unit,region,subject_name,
 *                     subject_code,decided,published
 *   blacklist*.csv    黑名单: subject,name,region,list,listing_unit,listed,
 *                     removed,removal_reason,repair_training,
 *                     repair_commitment
 *   commitments*.csv  信用承诺: subject,kind,date,published
 *   calendar*.csv     工作日历: date,kind,notice  (kind holiday | workday)
 *
 * The kind is the file name's stem up to the first '-' or '.', so monthly
 * files (publicity-2019-06.csv) are recognised. Rows have natural keys
 * (entities: code + name; publicity: id; blacklist: subject + list +
 * listed; commitments: subject + kind + date; calendar: date) and are
 * upserted, so importing a month twice, or a file that overlaps an earlier
 * one, doubles nothing. A file, or a folder, is one transaction: a
 * malformed row refuses it whole with "file:line: column: what is wrong"
 * and the store stays as it was.
 *
 * Validation: dates YYYY-MM-DD, real, not before 1949-10-01 and not after
 * the end of the period in the file name (publicity-2019-06.csv: not after
 * 2019-06-30) nor after today; region codes known to the store; codes
 * (entities.code, publicity.subject_code when not empty, commitments.subject)
 * 18 characters of 0-9A-Z (whether the check digits hold is what 重错码率
 * measures, so it is not an import error); kind, status and yes/no columns
 * from fixed lists (yes/no: 是/否, 1/0, Y/N); an empty published date means
 * not yet published. Text columns are capped at 512 bytes.
 *
 * Speed: one transaction per folder, so that the pages of one month's
 * file that the next month's completes are not journalled. A file is
 * parsed and checked on a second thread while this one upserts its rows
 * in batches (flat memory whatever the size: three batches of at most
 * 2048 rows). A first load of the register, the blacklist or the
 * commitments (its table empty) is staged instead: read on a thread of
 * its own into a scratch database beside the store (<store>.stage-XXXXXX,
 * deleted after), sorted into a copy of the table there, its indexes
 * built, while this thread imports the folder's other files; the copy is
 * then moved into the store in key order, in the same transaction.
 *
 * Change log: each file also records, in micro_changes, the months of its
 * rows' own dates under a new sequence number, which is what lets derive.h
 * continue running totals instead of recounting.
 */
#ifndef CM_MICRO_H
#define CM_MICRO_H

#include "cm.h"
#include "store.h"

typedef enum cm_micro_kind {
    CM_MI_ENTITIES = 0,
    CM_MI_PUBLICITY,
    CM_MI_BLACKLIST,
    CM_MI_COMMITMENTS,
    CM_MI_CALENDAR,
    CM_MI__COUNT
} cm_micro_kind;

/* "entities", "publicity", ... */
const char *cm_micro_kind_name(cm_micro_kind k);

/* Kind from a path's file name (see above), or -1. */
int cm_micro_kind_from_path(const char *path);

/* Imports one file in one transaction. rows (may be NULL) receives the
 * number of data rows read. */
cm_error cm_micro_import_file(cm_store *s, cm_micro_kind kind, const char *path,
                              long *rows, cm_diag *d);

/* Imports every microdata file of a folder (names as above, sorted; other
 * files ignored) in one transaction, calendars first, each file after
 * the earlier ones of its kind. First loads are staged alongside (see
 * above) and go in after the other kinds' files, so they are logged last;
 * when a staged file and another are both bad, the staged one's error is
 * reported. Inside a caller's transaction nothing is staged. If no
 * scratch file can be made, first loads go in row by row. n_files and
 * rows (may be NULL) receive the totals committed (0 when a file is
 * refused); a folder with none is CM_OK with *n_files == 0. */
cm_error cm_micro_import_dir(cm_store *s, const char *dir, int *n_files,
                             long *rows, cm_diag *d);

#endif
