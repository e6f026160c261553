/*
 * test_bad.c - the bad-input corpus. Each folder of tests/bad/ holds one bad
 * input and an `expect` file:
 *
 *   command import | check | run | plan [extra arguments]
 *   exit N
 *   message TEXT      (a substring of stderr: the file:line: field: part)
 *
 * For every case: a store loaded with fixtures/yaan is copied, its dump
 * taken, the command run against it; the exit code and the located message
 * must be the expected ones, and the store's dump and the reports folder
 * must be unchanged. `check` cases are also run through `run`, which must
 * fail the same way and write nothing.
 */
#include <dirent.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

typedef struct bad_case {
    char dir[512];
    char name[128];
} bad_case;

static char base_db[512];   /* the fixtures store, made once */
static char work[256];

static char *dump(const char *db)
{
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' .dump", db);
    if (th_run(cmd, &out) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static char *listing(const char *dir)
{
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "cd '%s' 2>/dev/null && find . -type f -exec sha256sum {} + | sort",
             dir);
    th_run(cmd, &out);
    return out;
}

/* Reads the expect file: command line, exit code, message. */
static void read_expect(const char *dir, char *command, size_t n_cmd,
                        int *exit_code, char *message, size_t n_msg)
{
    char p[700];
    snprintf(p, sizeof p, "%s/expect", dir);
    char *text = th_slurp(p, NULL);
    assert_non_null(text);
    command[0] = message[0] = '\0';
    *exit_code = -1;
    for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
        if (!strncmp(l, "command ", 8))
            snprintf(command, n_cmd, "%s", l + 8);
        else if (!strncmp(l, "exit ", 5))
            *exit_code = atoi(l + 5);
        else if (!strncmp(l, "message ", 8))
            snprintf(message, n_msg, "%s", l + 8);
    }
    free(text);
    assert_true(command[0] && message[0] && *exit_code > 0);
}

/* The input file of an import case: the one file that is not `expect`. */
static int input_file(const char *dir, char *out, size_t n)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "expect") ||
            !strcmp(e->d_name, "defs"))
            continue;
        snprintf(out, n, "%s/%s", dir, e->d_name);
        found = 1;
    }
    closedir(d);
    return found;
}

static void run_case(void **state)
{
    const bad_case *c = *state;
    char command[256], message[512], db[700], out_dir[700], cmd[4096];
    int want_exit;
    read_expect(c->dir, command, sizeof command, &want_exit, message,
                sizeof message);

    snprintf(db, sizeof db, "%s/%s.db", work, c->name);
    snprintf(out_dir, sizeof out_dir, "%s/%s-reports", work, c->name);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && mkdir -p '%s'", base_db, db,
             out_dir);
    assert_int_equal(th_run(cmd, NULL), 0);
    char *before = dump(db), *files_before = listing(out_dir);
    assert_non_null(before);

    char file[700] = "";
    const char *extra = strchr(command, ' ') ? strchr(command, ' ') + 1 : "";
    char tpl[700];
    snprintf(tpl, sizeof tpl, "%s/circular.ini", c->dir);
    int has_tpl = access(tpl, R_OK) == 0;
    if (!strncmp(command, "import", 6)) {
        assert_true(input_file(c->dir, file, sizeof file));
        snprintf(cmd, sizeof cmd, "cd '%s' && '%s' import --db '%s' '%s'",
                 c->dir, th_bin(), db, strrchr(file, '/') + 1);
    } else if (!strncmp(command, "plan", 4)) {
        assert_true(input_file(c->dir, file, sizeof file));
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && '%s' plan --db '%s' --defs '%s/indicators' "
                 "--templates '%s/templates' --region 511800 --out '%s' "
                 "--plan '%s' %s",
                 c->dir, th_bin(), db, th_root(), th_root(), out_dir,
                 strrchr(file, '/') + 1, extra);
    } else if (!strncmp(command, "check", 5)) {
        snprintf(cmd, sizeof cmd, "cd '%s' && '%s' check --defs defs", c->dir,
                 th_bin());
    } else {
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && '%s' run --db '%s' --region 511800 --period "
                 "2018-12 --out '%s' --defs '%s/indicators' --templates "
                 "'%s/templates' %s%s%s %s",
                 c->dir, th_bin(), db, out_dir, th_root(), th_root(),
                 has_tpl ? "--template '" : "", has_tpl ? tpl : "",
                 has_tpl ? "'" : "", extra);
    }
    char *out = NULL;
    int got = th_run(cmd, &out);
    if (got != want_exit || !strstr(out, message))
        fail_msg("%s: exit %d (want %d), output:\n%s\nwanted message: %s",
                 c->name, got, want_exit, out, message);
    free(out);

    if (!strncmp(command, "check", 5)) {
        /* the same definitions refuse a run, which must write nothing */
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && '%s' run --db '%s' --defs defs --region 511800 "
                 "--period 2018-12 --out '%s' --templates '%s/templates'",
                 c->dir, th_bin(), db, out_dir, th_root());
        got = th_run(cmd, &out);
        if (got != want_exit || !strstr(out, message))
            fail_msg("%s (run): exit %d (want %d), output:\n%s", c->name, got,
                     want_exit, out);
        free(out);
    }

    char *after = dump(db), *files_after = listing(out_dir);
    assert_non_null(after);
    if (strcmp(before, after) != 0)
        fail_msg("%s: the store changed", c->name);
    assert_string_equal(files_before ? files_before : "",
                        files_after ? files_after : "");
    free(before);
    free(after);
    free(files_before);
    free(files_after);
}

static int cmp_case(const void *a, const void *b)
{
    return strcmp(((const bad_case *)a)->name, ((const bad_case *)b)->name);
}

int main(void)
{
    char bad_dir[512], cmd[2048];
    snprintf(bad_dir, sizeof bad_dir, "%s/tests/bad", th_root());
    snprintf(work, sizeof work, "/tmp/credmon-bad-XXXXXX");
    if (!mkdtemp(work))
        return 1;
    snprintf(base_db, sizeof base_db, "%s/base.db", work);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' import --db '%s' fixtures/yaan",
             th_root(), th_bin(), base_db);
    char *out = NULL;
    if (th_run(cmd, &out) != 0) {
        fprintf(stderr, "cannot import fixtures: %s\n", out ? out : "");
        free(out);
        return 1;
    }
    free(out);

    bad_case *cases = calloc(256, sizeof *cases);
    size_t n = 0;
    DIR *d = opendir(bad_dir);
    struct dirent *e;
    while (d && cases && (e = readdir(d)) != NULL && n < 256) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(cases[n].dir, sizeof cases[n].dir, "%s/%s", bad_dir, e->d_name);
        snprintf(cases[n].name, sizeof cases[n].name, "%s", e->d_name);
        n++;
    }
    if (d)
        closedir(d);
    qsort(cases, n, sizeof *cases, cmp_case);
    struct CMUnitTest *tests = calloc(n ? n : 1, sizeof *tests);
    for (size_t i = 0; i < n; i++) {
        tests[i].name = cases[i].name;
        tests[i].test_func = run_case;
        tests[i].initial_state = &cases[i];
    }
    int rc = n >= 20 ? _cmocka_run_group_tests("bad_inputs", tests, n, NULL, NULL)
                     : (fprintf(stderr, "only %zu bad cases\n", n), 1);
    free(tests);
    free(cases);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
    th_run(cmd, NULL);
    return rc;
}
