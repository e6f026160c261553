/*
 * main.c - the credmon command line. Parses arguments, calls the engine,
 * prints diagnostics and maps error classes to exit codes. The only place
 * that prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assess.h"
#include "circular.h"
#include "cm.h"
#include "defs.h"
#include "derive.h"
#include "import.h"
#include "micro.h"
#include "rank.h"
#include "pdf_out.h"
#include "run.h"
#include "store.h"

/* Exit codes (README "Exit codes"). */
enum {
    EXIT_OK_ = 0,
    EXIT_INTERNAL = 1,  /* out of memory, unexpected failure */
    EXIT_USAGE = 2,     /* bad command line */
    EXIT_INPUT = 3,     /* an input file is unreadable or invalid */
    EXIT_DEFS = 4,      /* definitions or templates are invalid */
    EXIT_STORE = 5,     /* the SQLite store failed */
    EXIT_OUTPUT = 6,    /* an Excel/PDF output could not be written */
    EXIT_DATA = 7       /* the store lacks the region or period asked for */
};

static const char usage[] =
    "usage: credmon <command> [options]\n"
    "\n"
    "commands:\n"
    "  import [--db FILE] [--kind KIND] PATH...\n"
    "        load a folder (regions.csv, units.csv, values.csv,\n"
    "        benchmarks.csv, assignments.csv) or single files into the store;\n"
    "        each folder or file is one transaction. Microdata files\n"
    "        (entities*, publicity*, blacklist*, commitments*, calendar*.csv)\n"
    "        are upserted by their keys, one transaction each; ranks*.csv\n"
    "        (published monitoring ranks) replace the lists they hold. KIND\n"
    "        names the kind of the files that follow when their names do\n"
    "        not say it.\n"
    "  derive [--db FILE] [--defs DIR] --from YYYY-MM --to YYYY-MM\n"
    "        compute the derived elements of indicators/derive/ from the\n"
    "        microdata in the store, for every region and month; 24\n"
    "        months to a transaction, oldest first\n"
    "  rank  [--db FILE] --region CODE --period YYYY-MM [--target N] [--all]\n"
    "        the city's monitoring rank: changes, place in its province,\n"
    "        progress to a target of N places up on last December; --all\n"
    "        also analyses every city of its list and times it\n"
    "  plan  [--db FILE] [--defs DIR] [--templates DIR] [--out DIR]\n"
    "        [--title TEXT] --plan FILE --region CODE --period PERIOD\n"
    "        evaluate a plan or evaluation table (plan.csv, tasks.csv,\n"
    "        workplan.csv) and write <out>/<region>/<period>/<stem>/:\n"
    "        table.xlsx, units.xlsx, units/<unit>.pdf\n"
    "  check [--defs DIR] [--templates DIR] [--template FILE]...\n"
    "        validate definitions and circular templates without running\n"
    "  run   [--db FILE] [--defs DIR] [--templates DIR] [--template FILE]\n"
    "        [--out DIR] [--font-song TTF] [--font-hei TTF] [--codes-unit UNIT]\n"
    "        [--rank-target N]\n"
    "        --region CODE --period PERIOD\n"
    "        compute, assess and write <out>/<region>/<period>/:\n"
    "        rectification.xlsx, indicators.xlsx, circular.pdf, counties.pdf,\n"
    "        manifest.json and, where the store holds microdata,\n"
    "        drill/<unit>.xlsx (the\n"
    "        records behind each finding; UNIT answers for code errors)\n"
    "  help | --help    this text\n"
    "  version | --version\n"
    "\n"
    "defaults: --db credmon.db --defs indicators --templates templates\n"
    "          --out reports (indicators/ and templates/ of the current\n"
    "          folder, else of the installed share/credmon)\n"
    "exit codes: 0 ok, 1 internal, 2 usage, 3 bad input file, 4 bad\n"
    "            definitions or template, 5 store, 6 output, 7 missing data\n";

static int exit_code(cm_error e)
{
    switch (e) {
    case CM_OK: return EXIT_OK_;
    case CM_ERR_USAGE: return EXIT_USAGE;
    case CM_ERR_IO:
    case CM_ERR_ENCODING:
    case CM_ERR_CSV:
    case CM_ERR_FIELD:
    case CM_ERR_DUPLICATE:
    case CM_ERR_REFERENCE: return EXIT_INPUT;
    case CM_ERR_SYNTAX:
    case CM_ERR_NAME:
    case CM_ERR_DEFINITION: return EXIT_DEFS;
    case CM_ERR_STORE: return EXIT_STORE;
    case CM_ERR_OUTPUT: return EXIT_OUTPUT;
    case CM_ERR_DATA: return EXIT_DATA;
    default: return EXIT_INTERNAL;
    }
}

static int fail(const cm_diag *d)
{
    char buf[2048];
    cm_diag_format(d, buf, sizeof buf);
    fprintf(stderr, "credmon: %s\n", buf);
    return exit_code(d->code);
}

/* Definitions and templates are reported as such (exit 4) whatever the
 * error class: a duplicate section is not a bad data file. */
static int fail_defs(const cm_diag *d)
{
    int code = fail(d);
    return d->code == CM_ERR_NOMEM || d->code == CM_ERR_USAGE ? code : EXIT_DEFS;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "credmon: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(credmon --help for usage)\n");
    return EXIT_USAGE;
}

#ifndef CM_DATADIR
#define CM_DATADIR "/usr/local/share/credmon"
#endif

/* The default definitions or templates folder: ./name when it exists (a
 * checkout), else the installed copy under CM_DATADIR (make install). */
static const char *default_dir(const char *name, char *buf, size_t n)
{
    struct stat st;
    if (stat(name, &st) == 0 && S_ISDIR(st.st_mode))
        return name;
    snprintf(buf, n, "%s/%s", CM_DATADIR, name);
    return buf;
}

/* Set when an option is given without its value; reported by main. */
static const char *missing_value;

/* Takes the value of option argv[*i] ("--db FILE" or "--db=FILE"). */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0')
        return NULL;
    if (*i + 1 >= argc || argv[*i + 1][0] == '-') {
        missing_value = name;
        return NULL;
    }
    return argv[++*i];
}

/* A count option's value: digits only, 0 to 9999 ("--target 30"), else
 * -1, so that "--target 3O" is an error rather than no target. */
static int count_value(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 4 || strspn(v, "0123456789") != n)
        return -1;
    return atoi(v);
}

/* The usage error for an argument opt_value refused. */
static int bad_argument(const char *cmd, const char *arg)
{
    if (missing_value) {
        fprintf(stderr, "credmon: %s: %s needs a value\n(credmon --help for "
                        "usage)\n", cmd, missing_value);
        return EXIT_USAGE;
    }
    fprintf(stderr, "credmon: %s: unknown argument '%s'\n(credmon --help for "
                    "usage)\n", cmd, arg);
    return EXIT_USAGE;
}

/* A folder may hold the five aggregate inputs, microdata, or both: the
 * aggregate ones are one transaction, the microdata another (micro.h),
 * each ranks file its own. The aggregates go first, with
 * foreign keys on: the microdata import turns them off and checks regions
 * itself. */
static cm_error import_folder(cm_store *s, const char *dir, int *n_files,
                              long *rows, cm_diag *d)
{
    char **paths = NULL;
    size_t n = 0;
    cm_error rc = cm_list_dir(dir, NULL, &paths, &n, d);
    if (rc != CM_OK)
        return rc;
    int agg = 0, micro = 0, ranks = 0;
    for (size_t i = 0; i < n; i++) {
        agg += cm_import_kind_from_path(paths[i]) >= 0;
        micro += cm_micro_kind_from_path(paths[i]) >= 0;
        ranks += cm_rank_is_rank_file(paths[i]);
    }
    if (!agg && !micro && !ranks) {
        cm_list_free(paths, n);
        return cm_diag_set(d, CM_ERR_USAGE, dir, 0, NULL,
                           "no input files here (regions.csv, units.csv, "
                           "values.csv, benchmarks.csv, assignments.csv, "
                           "entities*.csv, publicity*.csv, blacklist*.csv, "
                           "commitments*.csv, calendar*.csv, ranks*.csv)");
    }
    int nf1 = 0, nf2 = 0;
    long r1 = 0, r2 = 0;
    if (agg && (rc = cm_import_dir(s, dir, &nf1, &r1, d)) != CM_OK)
        goto out;
    if (micro && (rc = cm_micro_import_dir(s, dir, &nf2, &r2, d)) != CM_OK)
        goto out;
    *n_files = nf1 + nf2;
    *rows = r1 + r2;
    /* ranks last: their regions come with the folder's regions.csv */
    for (size_t i = 0; i < n && rc == CM_OK; i++) {
        long r3 = 0;
        if (!cm_rank_is_rank_file(paths[i]))
            continue;
        if ((rc = cm_rank_import_file(s, paths[i], &r3, d)) == CM_OK) {
            (*n_files)++;
            *rows += r3;
        }
    }
out:
    cm_list_free(paths, n);
    return rc;
}

static int cmd_derive(int argc, char **argv)
{
    char dbuf[1024];
    const char *db = "credmon.db", *from = NULL, *to = NULL;
    const char *defs = default_dir("indicators/derive", dbuf, sizeof dbuf);
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--db"))) db = v;
        else if ((v = opt_value(argc, argv, &i, "--defs"))) defs = v;
        else if ((v = opt_value(argc, argv, &i, "--from"))) from = v;
        else if ((v = opt_value(argc, argv, &i, "--to"))) to = v;
        else return bad_argument("derive", argv[i]);
    }
    if (!from || !to)
        return usage_error("derive: %s", "--from and --to are required");
    if (access(db, F_OK) != 0)
        return usage_error("derive: no store '%s': import first", db);
    cm_diag d;
    cm_diag_clear(&d);
    cm_derive_set *set = NULL;
    if (cm_derive_load(defs, &set, &d) != CM_OK)
        return fail_defs(&d);
    cm_store *s = NULL;
    if (cm_store_new(db, &s, &d) != CM_OK) {
        cm_derive_free(set);
        return fail(&d);
    }
    cm_derive_stats st;
    cm_derive_item_stats *each = calloc(set->n ? set->n : 1, sizeof *each);
    if (!each) {
        cm_derive_free(set);
        cm_store_free(s);
        fputs("credmon: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    cm_error rc = cm_derive_run(s, set, from, to, &st, each, &d);
    cm_store_free(s);
    if (rc != CM_OK) {
        free(each);
        cm_derive_free(set);
        int code = rc == CM_ERR_DEFINITION ? fail_defs(&d) : fail(&d);
        /* a long range goes window by window; the windows before the
         * failing one are committed (derive.h) */
        if (st.done[0])
            fprintf(stderr, "credmon: %s..%s were derived and kept before "
                            "this error (%ld values)\n", from, st.done,
                    st.rows);
        return code;
    }
    size_t n = set->n;
    printf("derived %ld values from %zu derivation%s for %s..%s (%.0f ms",
           st.rows, n, n == 1 ? "" : "s", from, to, st.ms);
    if (st.incremental)
        printf("; %d continued from the values of the month before",
               st.incremental);
    printf(")\n");
    /* where the time went: what a slow month is first asked about */
    for (size_t i = 0; i < n; i++)
        printf("  %-20s %8ld values %9.0f ms%s\n", set->items[i].id,
               each[i].rows, each[i].ms,
               each[i].incremental ? "  (continued)" : "");
    free(each);
    cm_derive_free(set);
    return EXIT_OK_;
}

/* credmon rank: the monitoring-rank analysis of one city, or of every city
 * of its list (--all: the benchmark's figure). */
static int cmd_rank(int argc, char **argv)
{
    const char *db = "credmon.db", *region = NULL, *period = NULL;
    int target = 0, all = 0;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--db"))) db = v;
        else if ((v = opt_value(argc, argv, &i, "--region"))) region = v;
        else if ((v = opt_value(argc, argv, &i, "--period"))) period = v;
        else if ((v = opt_value(argc, argv, &i, "--target"))) {
            if ((target = count_value(v)) < 0)
                return usage_error("rank: --target takes a number of places"
                                   " (0-9999), not '%s'", v);
        }
        else if (!strcmp(argv[i], "--all")) all = 1;
        else return bad_argument("rank", argv[i]);
    }
    if (!region || !period)
        return usage_error("rank: %s", "--region and --period are required");
    if (access(db, F_OK) != 0)
        return usage_error("rank: no store '%s': import first", db);
    cm_diag d;
    cm_diag_clear(&d);
    cm_store *s = NULL;
    if (cm_store_new(db, &s, &d) != CM_OK)
        return fail(&d);
    char group[16] = "";
    cm_rank_analysis a;
    int code = EXIT_OK_;
    if (cm_rank_group_of(s, region, period, group, &d) != CM_OK) {
        code = fail(&d);
        goto out;
    }
    if (!group[0]) {
        fprintf(stderr, "credmon: rank: %s is in no rank list of %s\n", region,
                period);
        code = EXIT_DATA;
        goto out;
    }
    if (cm_rank_analyse(s, region, group, period, target, &a, &d) != CM_OK) {
        code = fail(&d);
        goto out;
    }
    printf("%s %s %s: rank %d of %d, score %.2f", region, period, group,
           a.rank, a.n, a.score);
    if (a.has_month) printf(", %+d on last month", a.d_month);
    if (a.has_year) printf(", %+d on last year", a.d_year);
    if (a.has_dec) printf(", %+d on last December", a.d_dec);
    printf(", %d of %d in its province (%s)", a.prov_place, a.prov_n,
           a.prov_upper ? "中上" : "not 中上");
    if (a.target_rank)
        printf(", target %d: %d places to gain", a.target_rank,
               a.to_gain > 0 ? a.to_gain : 0);
    if (a.n_level1)
        printf(", worst first-level: %s %+.2f", a.level1[0].name,
               a.level1[0].delta);
    printf("\n");
    if (all) {
        /* every city of the list, as the benchmark measures */
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        sqlite3_stmt *st = NULL;
        int n = 0;
        if (sqlite3_prepare_v2(cm_store_db(s), "SELECT region FROM ranks WHERE "
                               "period = ?1 AND grp = ?2 ORDER BY rank", -1, &st,
                               NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, period, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, group, -1, SQLITE_TRANSIENT);
            while (sqlite3_step(st) == SQLITE_ROW) {
                char code_r[8];
                snprintf(code_r, sizeof code_r, "%s",
                         (const char *)sqlite3_column_text(st, 0));
                if (cm_rank_analyse(s, code_r, group, period, target, &a, &d) !=
                    CM_OK) {
                    sqlite3_finalize(st);
                    code = fail(&d);
                    goto out;
                }
                n++;
            }
        }
        sqlite3_finalize(st);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("analysed %d cities in %.1f ms\n", n,
               (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                   (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    }
out:
    cm_store_free(s);
    return code;
}

/* credmon plan: a plan or evaluation table evaluated for a period. */
static int cmd_plan(int argc, char **argv)
{
    char dbuf[1024], tbuf[1024];
    cm_plan_options o = {
        .db = "credmon.db",
        .defs_dir = default_dir("indicators", dbuf, sizeof dbuf),
        .templates_dir = default_dir("templates", tbuf, sizeof tbuf),
        .out_dir = "reports",
    };
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--db"))) o.db = v;
        else if ((v = opt_value(argc, argv, &i, "--defs"))) o.defs_dir = v;
        else if ((v = opt_value(argc, argv, &i, "--templates"))) o.templates_dir = v;
        else if ((v = opt_value(argc, argv, &i, "--template"))) o.template_path = v;
        else if ((v = opt_value(argc, argv, &i, "--out"))) o.out_dir = v;
        else if ((v = opt_value(argc, argv, &i, "--plan"))) o.plan_path = v;
        else if ((v = opt_value(argc, argv, &i, "--region"))) o.region = v;
        else if ((v = opt_value(argc, argv, &i, "--period"))) o.period = v;
        else if ((v = opt_value(argc, argv, &i, "--title"))) o.title = v;
        else if ((v = opt_value(argc, argv, &i, "--font-song"))) o.fonts.song = v;
        else if ((v = opt_value(argc, argv, &i, "--font-hei"))) o.fonts.hei = v;
        else return bad_argument("plan", argv[i]);
    }
    if (!o.plan_path || !o.region || !o.period)
        return usage_error("plan: %s", "--plan, --region and --period are required");
    cm_diag d;
    cm_diag_clear(&d);
    cm_plan_summary sum;
    cm_error rc = cm_run_plan(&o, &sum, &d);
    if (rc != CM_OK) {
        cm_plan_summary_clear(&sum);
        return rc == CM_ERR_SYNTAX || rc == CM_ERR_NAME || rc == CM_ERR_DEFINITION
                   ? fail_defs(&d)
                   : fail(&d);
    }
    printf("%s %s: %zu rows: %zu met, %zu missed, %zu warnings, %zu other; "
           "%d unit sheets, %d unit circulars -> %s\n",
           o.region, o.period, sum.n_rows, sum.n_met, sum.n_missed,
           sum.n_warning, sum.n_other, sum.n_units, sum.n_pdfs, sum.out_dir);
    if (sum.n_idle) {
        printf("units with no item in this plan (no sheet, no circular):");
        for (size_t i = 0; i < sum.n_idle; i++)
            printf("%s%s", i ? "、" : " ", sum.idle_units[i]);
        printf("\n");
    }
    if (sum.n_unknown) {
        printf("names in the unit cells that are no unit of the store (add "
               "them to units.csv if they are):");
        for (size_t i = 0; i < sum.n_unknown; i++)
            printf("%s%s", i ? "、" : " ", sum.unknown_names[i]);
        printf("\n");
    }
    cm_plan_summary_clear(&sum);
    return EXIT_OK_;
}

static int cmd_import(int argc, char **argv)
{
    const char *db = "credmon.db";
    int kind = -1, n_paths = 0;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--kind")))
            continue;
        else if (argv[i][0] == '-')
            return bad_argument("import", argv[i]);
        else if (access(argv[i], R_OK) != 0)
            /* checked before the store is created, so that a mistyped path
             * leaves no empty store behind */
            return usage_error("import: cannot read '%s'", argv[i]);
        else
            n_paths++;
    }
    if (!n_paths)
        return usage_error("import: %s", "no folder or file given");
    cm_diag d;
    cm_diag_clear(&d);
    cm_store *s = NULL;
    if (cm_store_new(db, &s, &d) != CM_OK)
        return fail(&d);
    long total = 0;
    int files = 0;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--db")))
            continue;
        if ((v = opt_value(argc, argv, &i, "--kind"))) {
            kind = -1;
            for (int k = 0; k < CM_IN__COUNT; k++)
                if (strcmp(v, cm_import_kind_name((cm_input_kind)k)) == 0)
                    kind = k;
            if (kind < 0) {
                cm_store_free(s);
                return usage_error("import: unknown kind '%s' (regions, units, "
                                   "values, benchmarks, assignments)", v);
            }
            continue;
        }
        long rows = 0;
        int nf = 0;
        cm_error rc;
        int k = kind >= 0 ? kind : cm_import_kind_from_path(argv[i]);
        struct stat st;
        if (stat(argv[i], &st) == 0 && !S_ISDIR(st.st_mode)) {
            int mk = kind >= 0 ? -1 : cm_micro_kind_from_path(argv[i]);
            int rk = kind >= 0 ? 0 : cm_rank_is_rank_file(argv[i]);
            if (k < 0 && mk < 0 && !rk) {
                cm_store_free(s);
                return usage_error("import: cannot tell the kind of '%s': name "
                                   "it regions.csv, units.csv, values.csv, "
                                   "benchmarks.csv, assignments.csv, or "
                                   "entities*, publicity*, blacklist*, "
                                   "commitments*, calendar*.csv, or use --kind",
                                   argv[i]);
            }
            rc = k >= 0    ? cm_import_file(s, (cm_input_kind)k, argv[i], &rows, &d)
                 : rk      ? cm_rank_import_file(s, argv[i], &rows, &d)
                           : cm_micro_import_file(s, (cm_micro_kind)mk, argv[i],
                                                  &rows, &d);
            nf = 1;
        } else {
            rc = import_folder(s, argv[i], &nf, &rows, &d);
        }
        if (rc != CM_OK) {
            cm_store_free(s);
            return fail(&d);
        }
        total += rows;
        files += nf;
    }
    cm_store_free(s);
    printf("imported %ld rows from %d file%s into %s\n", total, files,
           files == 1 ? "" : "s", db);
    return EXIT_OK_;
}

static int is_ini(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".ini") == 0;
}

/* Validates every circular template of a folder (placeholders checked, not
 * filled). */
static int check_templates(const char *dir)
{
    cm_diag d;
    cm_diag_clear(&d);
    char **paths = NULL;
    size_t n = 0;
    if (cm_list_dir(dir, is_ini, &paths, &n, &d) != CM_OK)
        return fail_defs(&d);
    for (size_t i = 0; i < n; i++) {
        cm_circular *c = NULL;
        if (cm_circular_load(paths[i], NULL, &c, &d) != CM_OK) {
            cm_list_free(paths, n);
            return fail_defs(&d);
        }
        cm_circular_free(c);
    }
    printf("%s: %zu template%s: ok\n", dir, n, n == 1 ? "" : "s");
    cm_list_free(paths, n);
    return EXIT_OK_;
}

static int cmd_check(int argc, char **argv)
{
    char dbuf[1024], tbuf[1024];
    const char *defs_dir = default_dir("indicators", dbuf, sizeof dbuf);
    const char *templates_dir = default_dir("templates", tbuf, sizeof tbuf);
    cm_diag d;
    cm_diag_clear(&d);
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--defs")))
            defs_dir = v;
        else if ((v = opt_value(argc, argv, &i, "--templates")))
            templates_dir = v;
        else if ((v = opt_value(argc, argv, &i, "--template")))
            continue;
        else
            return bad_argument("check", argv[i]);
    }
    cm_defs *defs = NULL;
    if (cm_defs_load(defs_dir, &defs, &d) != CM_OK)
        return fail_defs(&d);
    printf("%s: %zu files, %zu elements, %zu benchmarks, %zu indicators, "
           "%zu problems: ok\n",
           defs_dir, defs->n_files, defs->n_elements, defs->n_benchmarks,
           defs->n_indicators, defs->n_problems);
    cm_defs_free(defs);
    struct stat st;
    if (stat(templates_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        int rc = check_templates(templates_dir);
        if (rc != EXIT_OK_)
            return rc;
    }
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--defs")) ||
            (v = opt_value(argc, argv, &i, "--templates")))
            continue;
        if ((v = opt_value(argc, argv, &i, "--template"))) {
            cm_circular *c = NULL;
            if (cm_circular_load(v, NULL, &c, &d) != CM_OK)
                return fail_defs(&d);
            cm_circular_free(c);
            printf("%s: ok\n", v);
        }
    }
    return EXIT_OK_;
}

static int cmd_run(int argc, char **argv)
{
    char dbuf[1024], tbuf[1024];
    cm_run_options o = {
        .db = "credmon.db",
        .defs_dir = default_dir("indicators", dbuf, sizeof dbuf),
        .templates_dir = default_dir("templates", tbuf, sizeof tbuf),
        .out_dir = "reports",
    };
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--db"))) o.db = v;
        else if ((v = opt_value(argc, argv, &i, "--defs"))) o.defs_dir = v;
        else if ((v = opt_value(argc, argv, &i, "--templates"))) o.templates_dir = v;
        else if ((v = opt_value(argc, argv, &i, "--template"))) o.template_path = v;
        else if ((v = opt_value(argc, argv, &i, "--out"))) o.out_dir = v;
        else if ((v = opt_value(argc, argv, &i, "--region"))) o.region = v;
        else if ((v = opt_value(argc, argv, &i, "--period"))) o.period = v;
        else if ((v = opt_value(argc, argv, &i, "--font-song"))) o.fonts.song = v;
        else if ((v = opt_value(argc, argv, &i, "--font-hei"))) o.fonts.hei = v;
        else if ((v = opt_value(argc, argv, &i, "--codes-unit"))) o.codes_unit = v;
        else if ((v = opt_value(argc, argv, &i, "--rank-target"))) {
            if ((o.rank_target = count_value(v)) < 0)
                return usage_error("run: --rank-target takes a number of"
                                   " places (0-9999), not '%s'", v);
        }
        else return bad_argument("run", argv[i]);
    }
    if (!o.region || !o.period)
        return usage_error("run: %s", "--region and --period are required");
    cm_diag d;
    cm_diag_clear(&d);
    cm_warnings w = {0};
    cm_run_summary sum;
    cm_error rc = cm_run(&o, &sum, &w, &d);
    for (size_t i = 0; i < w.n; i++)
        fprintf(stderr, "credmon: warning: %s\n", w.items[i]);
    cm_warnings_free(&w);
    if (rc != CM_OK) {
        if (sum.stage == CM_STAGE_DEFS || sum.stage == CM_STAGE_TEMPLATE)
            return fail_defs(&d);
        int code = fail(&d);
        /* a folder that cannot be written is an output failure, not a bad
         * input file */
        return sum.stage == CM_STAGE_OUTPUT && d.code == CM_ERR_IO ? EXIT_OUTPUT
                                                                   : code;
    }
    printf("%s %s: %zu results, %zu findings, %zu problems, %d drill-down "
           "workbook%s -> %s (%.0f ms)\n",
           o.region, o.period, sum.n_results, sum.n_findings, sum.n_rows,
           sum.n_drill, sum.n_drill == 1 ? "" : "s", sum.out_dir,
           sum.elapsed_ms);
    return EXIT_OK_;
}

int main(int argc, char **argv)
{
    cm_store_process_init();
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return EXIT_OK_;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("credmon %s\n", CM_VERSION);
        return EXIT_OK_;
    }
    if (!strcmp(cmd, "import"))
        return cmd_import(argc, argv);
    if (!strcmp(cmd, "check"))
        return cmd_check(argc, argv);
    if (!strcmp(cmd, "run"))
        return cmd_run(argc, argv);
    if (!strcmp(cmd, "derive"))
        return cmd_derive(argc, argv);
    if (!strcmp(cmd, "rank"))
        return cmd_rank(argc, argv);
    if (!strcmp(cmd, "plan"))
        return cmd_plan(argc, argv);
    return usage_error("unknown command '%s'", cmd);
}
