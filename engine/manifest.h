/*
 * manifest.h - the record of one run: what it read (files with SHA-256),
 * what definitions and templates it used, what it wrote, counts, timings
 * and warnings. Written as manifest.json beside the outputs and kept in the
 * store (runs, run_files, findings), so a report can always be traced back
 * to its inputs.
 */
#ifndef CM_MANIFEST_H
#define CM_MANIFEST_H

#include "cm.h"
#include "report.h"
#include "store.h"

typedef struct cm_manifest cm_manifest;

/* A manifest for region/period, started now; NULL on out of memory. */
cm_manifest *cm_manifest_new(const char *region, const char *period);
void cm_manifest_free(cm_manifest *m);

/* Adds a file under role "input", "definition", "template" or "output",
 * hashing it (SHA-256). name is what the manifest shows (a path relative to
 * the output folder for outputs); path is where it is read. With keep,
 * its content is stored in the run record too (definitions, templates). */
cm_error cm_manifest_add_file(cm_manifest *m, const char *role,
                              const char *name, const char *path, int keep,
                              cm_diag *d);

/* Adds the files recorded in the store's imports table as inputs: each
 * file path once, with the content it was last imported with. */
cm_error cm_manifest_add_imports(cm_manifest *m, cm_store *s, cm_diag *d);

/* Counts and stage timings, in the order added. */
cm_error cm_manifest_count(cm_manifest *m, const char *name, long value);
cm_error cm_manifest_timing(cm_manifest *m, const char *stage, double ms);
cm_error cm_manifest_warning(cm_manifest *m, const char *text);

/* Marks the end of the run (finished time, total elapsed). */
void cm_manifest_finish(cm_manifest *m);

/* The manifest as JSON (malloc'd, caller frees); NULL on out of memory. */
char *cm_manifest_json(const cm_manifest *m);

/* Records the run in the store: a runs row with the JSON, its files, and
 * the report's failing and not-reported results as findings. A previous
 * run of the same region and period is replaced, so repeating a run
 * doubles nothing. Call inside a transaction (cm_store_begin): the caller
 * commits only once the reports are in place, so that the store and the
 * reports change together. */
cm_error cm_manifest_record(const cm_manifest *m, const cm_report *r,
                            cm_store *s, cm_diag *d);

#endif
