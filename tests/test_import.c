/*
 * test_import.c - the five inputs: a good set imports with the expected rows
 * and values, a re-import leaves the same store, and a table of bad files
 * each fail with the expected code, line and column while leaving the store
 * exactly as it was (compared through a dump of every table).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "storetest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import.h"

typedef struct fixture {
    char dir[64];
    char db[128];
    cm_store *s;
} fixture;

static const char regions_csv[] =
    "code,name,level,parent\n"
    "510000,四川省,province,\n"
    "511800,雅安市,city,510000\n"
    "511802,雨城区,county,511800\n"
    "511803,名山区,county,511800\n";

/* columns in another order, short_name sometimes empty */
static const char units_csv[] =
    "short_name,name\r\n"
    "市市场监管局,雅安市市场监督管理局\r\n"
    "市发展改革委,雅安市发展和改革委员会\r\n"
    ",人行雅安市中心支行\r\n"
    ",人行雅安中心支行\r\n"
    ",市法院\r\n"
    ",市税务局\r\n"
    ",各县(区)\r\n";

static const char values_csv[] =
    "region,period,element,value\n"
    "511800,2018-12,blacklist,273\n"
    "511800,2018-12,enterprises,15166\n"
    "511800,2018-12,credit_svc,\n"
    "\n"
    "511802,2018-Q4,blacklist,-1.5\n"
    "511803,2018,enterprises, +12.25 \n";

static const char benchmarks_csv[] =
    "period,indicator,benchmark,value\n"
    "2018-12,blacklist_share,prefecture_avg,1.31\n"
    "2018-12,red_list,prefecture_avg,\"1856\"\n"
    "2018-12,credit_awareness,prefecture_avg,2.30\n";

/* UTF-8 with a BOM; partners as seed 000 annex 2 writes them */
static const char assignments_csv[] =
    "\xEF\xBB\xBF" "region,problem,lead,partners,deadline,note\n"
    ",blacklist_share,市市场监管局,\"人行雅安中心支行、市税务局、市法院等,"
    "各县(区)\",2019年9月前,\n"
    ",credit_market,市发展改革委、人行雅安市中心支行,"
    "市市场监管局等，各县(区),长期坚持,\n"
    "511800,blacklist_share,市发展改革委,市法院,2019年6月底,own row\n";

static void write_file(const char *dir, const char *name, const char *data,
                       size_t len, char *path, size_t n)
{
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_good_set(const char *dir)
{
    char p[256];
    write_file(dir, "regions.csv", regions_csv, strlen(regions_csv), p,
               sizeof p);
    write_file(dir, "units.csv", units_csv, strlen(units_csv), p, sizeof p);
    write_file(dir, "values.csv", values_csv, strlen(values_csv), p,
               sizeof p);
    write_file(dir, "benchmarks.csv", benchmarks_csv, strlen(benchmarks_csv),
               p, sizeof p);
    write_file(dir, "assignments.csv", assignments_csv,
               strlen(assignments_csv), p, sizeof p);
    write_file(dir, "README.txt", "ignored", 7, p, sizeof p);
}

static void remove_dir(const char *dir)
{
    static const char *const names[] = {
        "regions.csv", "units.csv", "values.csv", "benchmarks.csv",
        "assignments.csv", "README.txt", "store.db", "store.db-wal",
        "store.db-shm", "bad.csv", "sub/values.csv", "sub/regions.csv",
        "sub",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        if (unlink(p) != 0)
            rmdir(p);
    }
    rmdir(dir);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/cm_import_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->db, sizeof f->db, "%s/store.db", f->dir);
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_store_new(f->db, &f->s, &d) != CM_OK) {
        remove_dir(f->dir);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cm_store_free(f->s);
    remove_dir(f->dir);
    free(f);
    return 0;
}

/* Every row of every table, in key order, as text; caller frees. */
static char *dump(cm_store *s)
{
    static const char *const queries[] = {
        "SELECT * FROM regions ORDER BY code",
        "SELECT * FROM units ORDER BY name",
        "SELECT * FROM periods ORDER BY period",
        "SELECT * FROM element_values ORDER BY region, period, element",
        "SELECT * FROM benchmarks ORDER BY period, indicator, benchmark",
        "SELECT * FROM assignments ORDER BY region, problem",
        "SELECT * FROM imports ORDER BY sha256, kind",
        "SELECT * FROM runs ORDER BY id",
        "SELECT * FROM run_files ORDER BY 1, 2, 3",
        "SELECT * FROM findings ORDER BY 1, 2, 3",
    };
    return th_dump(cm_store_db(s), queries, sizeof queries / sizeof *queries);
}

static void import_good(fixture *f)
{
    write_good_set(f->dir);
    cm_diag d;
    cm_diag_clear(&d);
    int files = 0;
    long rows = 0;
    cm_error e = cm_import_dir(f->s, f->dir, &files, &rows, &d);
    if (e) {
        char msg[1024];
        cm_diag_format(&d, msg, sizeof msg);
        print_error("%s\n", msg);
    }
    assert_int_equal(e, CM_OK);
    assert_int_equal(files, 5);
    assert_int_equal(rows, 4 + 7 + 5 + 3 + 3);
}

static void test_good_set(void **state)
{
    fixture *f = *state;
    import_good(f);
    cm_store *s = f->s;
    cm_diag d;
    cm_diag_clear(&d);

    assert_int_equal(th_int(s, "SELECT count(*) FROM regions"), 4);
    assert_int_equal(th_int(s, "SELECT count(*) FROM units"), 7);
    assert_int_equal(th_int(s, "SELECT count(*) FROM element_values"), 5);
    assert_int_equal(th_int(s, "SELECT count(*) FROM benchmarks"), 3);
    assert_int_equal(th_int(s, "SELECT count(*) FROM assignments"), 3);
    assert_int_equal(th_int(s, "SELECT count(*) FROM imports"), 5);
    assert_int_equal(th_int(s, "SELECT rows FROM imports WHERE kind='values'"),
                     5);
    assert_int_equal(th_int(s, "SELECT count(*) FROM regions"
                               " WHERE code='510000' AND parent IS NULL"), 1);
    assert_int_equal(th_int(s, "SELECT count(*) FROM periods WHERE"
                               " (period='2018-12' AND kind='month') OR"
                               " (period='2018-Q4' AND kind='quarter') OR"
                               " (period='2018' AND kind='year')"), 3);
    assert_int_equal(th_int(s, "SELECT count(*) FROM periods"), 3);
    assert_int_equal(th_int(s, "SELECT size FROM imports WHERE kind='regions'"),
                     (long long)strlen(regions_csv));

    static const struct {
        const char *region, *period, *element;
        int state;
        double value;
    } vals[] = {
        {"511800", "2018-12", "blacklist", 1, 273},
        {"511800", "2018-12", "enterprises", 1, 15166},
        {"511800", "2018-12", "credit_svc", 2, 0},
        {"511802", "2018-Q4", "blacklist", 1, -1.5},
        {"511803", "2018", "enterprises", 1, 12.25},
        {"511803", "2018-12", "enterprises", 0, 0},
    };
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        double v = 0;
        int st = -1;
        assert_int_equal(cm_store_value(s, vals[i].region, vals[i].period,
                                        vals[i].element, &v, &st, &d), CM_OK);
        assert_int_equal(st, vals[i].state);
        if (st == 1)
            assert_true(v == vals[i].value);
    }

    double bv = 0;
    char *text = NULL;
    int found = 0;
    assert_int_equal(cm_store_benchmark(s, "2018-12", "credit_awareness",
                                        "prefecture_avg", &bv, &text, &found,
                                        &d), CM_OK);
    assert_int_equal(found, 1);
    assert_true(bv == 2.3);
    assert_string_equal(text, "2.30");
    free(text);

    cm_region r;
    assert_int_equal(cm_store_region(s, "511802", &r, &d), CM_OK);
    assert_string_equal(r.name, "雨城区");
    assert_string_equal(r.parent, "511800");
    assert_string_equal(r.level, "county");
    cm_region_clear(&r);

    cm_assignment a;
    assert_int_equal(cm_store_assignment(s, "511800", "blacklist_share", &a,
                                         &found, &d), CM_OK);
    assert_int_equal(found, 1);
    assert_string_equal(a.lead, "市发展改革委");
    assert_string_equal(a.note, "own row");
    cm_assignment_clear(&a);
    assert_int_equal(cm_store_assignment(s, "511500", "blacklist_share", &a,
                                         &found, &d), CM_OK);
    assert_int_equal(found, 1);
    assert_string_equal(a.lead, "市市场监管局");
    assert_string_equal(a.partners,
                        "人行雅安中心支行、市税务局、市法院等,各县(区)");
    assert_string_equal(a.deadline, "2019年9月前");
    cm_assignment_clear(&a);
    assert_int_equal(cm_store_has_unit(s, "市发展改革委"), 1);
    assert_int_equal(cm_store_has_unit(s, "雅安市发展和改革委员会"), 1);
}

static void test_reimport_identical(void **state)
{
    fixture *f = *state;
    import_good(f);
    char *before = dump(f->s);
    import_good(f);
    char *after = dump(f->s);
    assert_string_equal(before, after);
    free(after);

    /* one file again through cm_import_file */
    char p[256];
    snprintf(p, sizeof p, "%s/regions.csv", f->dir);
    cm_diag d;
    cm_diag_clear(&d);
    long rows = -1;
    assert_int_equal(cm_import_file(f->s, CM_IN_REGIONS, p, &rows, &d), CM_OK);
    assert_int_equal(rows, 4);
    after = dump(f->s);
    assert_string_equal(before, after);
    free(after);
    free(before);
}

static void test_header_only_and_gbk(void **state)
{
    fixture *f = *state;
    import_good(f);
    char p[256];
    cm_diag d;
    cm_diag_clear(&d);
    long rows = -1;
    write_file(f->dir, "values.csv", "region,period,element,value\r\n", 29, p,
               sizeof p);
    assert_int_equal(cm_import_file(f->s, CM_IN_VALUES, p, &rows, &d), CM_OK);
    assert_int_equal(rows, 0);

    /* GBK from Chinese Excel: 雅安市公安局,市公安局 */
    static const char gbk[] =
        "name,short_name\r\n"
        "\xd1\xc5\xb0\xb2\xca\xd0\xb9\xab\xb0\xb2\xbe\xd6,"
        "\xca\xd0\xb9\xab\xb0\xb2\xbe\xd6\r\n";
    write_file(f->dir, "units.csv", gbk, strlen(gbk), p, sizeof p);
    assert_int_equal(cm_import_file(f->s, CM_IN_UNITS, p, &rows, &d), CM_OK);
    assert_int_equal(rows, 1);
    assert_int_equal(cm_store_has_unit(f->s, "雅安市公安局"), 1);
    assert_int_equal(cm_store_has_unit(f->s, "市公安局"), 1);

    /* an assignment naming it, with an Excel-blank row at the end */
    static const char as[] =
        "problem,lead,partners,deadline\n"
        "risk_notice,市公安局,市法院 、 市税务局等,2020年3月31日前\n"
        ",,,\n";
    write_file(f->dir, "assignments.csv", as, strlen(as), p, sizeof p);
    assert_int_equal(cm_import_file(f->s, CM_IN_ASSIGNMENTS, p, &rows, &d),
                     CM_OK);
    assert_int_equal(rows, 1);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM assignments WHERE"
                                  " region='' AND problem='risk_notice'"
                                  " AND note=''"), 1);
}

typedef struct bad_case {
    cm_input_kind kind;
    const char *text;
    size_t len; /* 0 = strlen(text) */
    cm_error code;
    long line;
    const char *field;
    const char *msg_part;
} bad_case;

#define VH "region,period,element,value\n"
#define AH "problem,lead,partners,deadline,note\n"
#define RH "code,name,level,parent\n"
#define BH "period,indicator,benchmark,value\n"

static const bad_case bad_cases[] = {
    /* regions */
    {CM_IN_REGIONS, RH "511825,天全县,county,511800\n5118a0,x,county,511800\n",
     0, CM_ERR_FIELD, 3, "code", "6 digits"},
    {CM_IN_REGIONS, RH "991800,x,city,510000\n", 0, CM_ERR_FIELD, 2, "code",
     "province prefix"},
    {CM_IN_REGIONS, RH "511826,芦山县,county,511899\n", 0, CM_ERR_REFERENCE, 2,
     "parent", "unknown region '511899'"},
    {CM_IN_REGIONS, RH "511826,芦山县,county,511802\n", 0, CM_ERR_REFERENCE, 2,
     "parent", "a county's parent must be a city"},
    {CM_IN_REGIONS, RH "520000,贵州省,province,510000\n", 0, CM_ERR_FIELD, 2,
     "parent", "a province has no parent"},
    {CM_IN_REGIONS, RH "511826,芦山县,district,511800\n", 0, CM_ERR_FIELD, 2,
     "level", "province, city or county"},
    {CM_IN_REGIONS, RH "511826,,county,511800\n", 0, CM_ERR_FIELD, 2, "name",
     "empty"},
    {CM_IN_REGIONS, RH "511826,芦山县,county,\n", 0, CM_ERR_FIELD, 2, "parent",
     "needs its city"},
    /* periods */
    {CM_IN_VALUES, VH "511800,2018-13,blacklist,1\n", 0, CM_ERR_FIELD, 2,
     "period", "01 to 12"},
    {CM_IN_VALUES, VH "511800,2018/12,blacklist,1\n", 0, CM_ERR_FIELD, 2,
     "period", "YYYY-MM"},
    {CM_IN_VALUES, VH "511800,1900-01,blacklist,1\n", 0, CM_ERR_FIELD, 2,
     "period", "1949 to 2100"},
    {CM_IN_VALUES, VH "511800,2019-Q5,blacklist,1\n", 0, CM_ERR_FIELD, 2,
     "period", "Q1 to Q4"},
    /* numbers: good rows first, so the rollback is seen to undo them */
    {CM_IN_VALUES, VH "511800,2019-01,blacklist,1\n511800,2019-02,blacklist,"
     "\"1,000\"\n", 0, CM_ERR_FIELD, 3, "value", "thousands separators"},
    {CM_IN_VALUES, VH "511800,2018-12,blacklist,12%\n", 0, CM_ERR_FIELD, 2,
     "value", "'%' is not allowed"},
    {CM_IN_VALUES, VH "511800,2018-12,blacklist,１２\n", 0, CM_ERR_FIELD, 2,
     "value", "full-width digits"},
    {CM_IN_VALUES, VH "511800,2018-12,blacklist,nan\n", 0, CM_ERR_FIELD, 2,
     "value", "plain decimal"},
    {CM_IN_VALUES, VH "511800,2018-12,blacklist,inf\n", 0, CM_ERR_FIELD, 2,
     "value", "plain decimal"},
    {CM_IN_VALUES, VH "511800,2018-12,blacklist,0x1A\n", 0, CM_ERR_FIELD, 2,
     "value", "plain decimal"},
    {CM_IN_VALUES, VH "511800,2018-12,blacklist,1e3\n", 0, CM_ERR_FIELD, 2,
     "value", "plain decimal"},
    /* values: references and names */
    {CM_IN_VALUES, VH "511800,2018-12,blacklist,1\n511899,2018-12,blacklist,1\n",
     0, CM_ERR_REFERENCE, 3, "region", "unknown region '511899'"},
    {CM_IN_VALUES, VH "511800,2018-12,Blacklist,1\n", 0, CM_ERR_FIELD, 2,
     "element", "lower-case letter"},
    {CM_IN_VALUES, VH "511800,2018-12,黑名单,1\n", 0, CM_ERR_FIELD, 2,
     "element", "lower-case letter"},
    {CM_IN_VALUES, VH "511800,2019-03,a,1\n511800,2019-03,b,2\n"
     "511800,2019-03,a,3\n", 0, CM_ERR_DUPLICATE, 4, "",
     "duplicate row: same region, period and element as line 2"},
    /* header */
    {CM_IN_VALUES, "region,period,element,value,comment\n", 0, CM_ERR_CSV, 1,
     "comment", "unknown column 'comment'"},
    {CM_IN_VALUES, "region,period,value\n511800,2018-12,1\n", 0, CM_ERR_CSV, 1,
     "element", "missing column 'element'"},
    {CM_IN_VALUES, "region,period,element,value,period\n", 0, CM_ERR_CSV, 1,
     "period", "named twice"},
    {CM_IN_VALUES, VH "511800,2018-12,blacklist\n", 0, CM_ERR_CSV, 2, "",
     "row has 3 fields, the header has 4"},
    {CM_IN_VALUES, "", 0, CM_ERR_CSV, 0, "", "empty file"},
    /* encoding and truncation */
    {CM_IN_VALUES, VH "511800,2018-12,blacklist,1\n511800,2018-12,x\xff,1\n", 0,
     CM_ERR_ENCODING, 3, "", "neither UTF-8 nor GBK"},
    {CM_IN_VALUES, VH "511800,2019-04,blacklist,1\n511800,2018-12,x,\"12\n", 0,
     CM_ERR_CSV, 3, "", "truncated file or unclosed quote (opened at line 3)"},
    /* benchmarks */
    {CM_IN_BENCHMARKS, BH "2018-12,blacklist_share,prefecture_avg,\n", 0,
     CM_ERR_FIELD, 2, "value", "empty"},
    {CM_IN_BENCHMARKS, BH "2018-12,blacklist share,prefecture_avg,1\n", 0,
     CM_ERR_FIELD, 2, "indicator", "lower-case"},
    /* assignments */
    {CM_IN_ASSIGNMENTS, AH "p,市公安局,市法院,2019年9月前,\n", 0,
     CM_ERR_REFERENCE, 2, "lead", "unknown unit '市公安局'"},
    {CM_IN_ASSIGNMENTS, AH "p,市发展改革委、市公安局,市法院,2019年9月前,\n", 0,
     CM_ERR_REFERENCE, 2, "lead", "unknown unit '市公安局'"},
    {CM_IN_ASSIGNMENTS, AH "p,市发展改革委,\"市法院、市公安局等,各县(区)\","
     "2019年9月前,\n", 0, CM_ERR_REFERENCE, 2, "partners",
     "unknown unit '市公安局'"},
    {CM_IN_ASSIGNMENTS, AH "p,,市法院,2019年9月前,\n", 0, CM_ERR_FIELD, 2,
     "lead", "empty"},
    {CM_IN_ASSIGNMENTS, AH "p,市法院,市税务局,尽快,\n", 0, CM_ERR_FIELD, 2,
     "deadline", "2019年9月前"},
    {CM_IN_ASSIGNMENTS, AH "p,市法院,市税务局,2019年13月前,\n", 0,
     CM_ERR_FIELD, 2, "deadline", "write a deadline"},
    {CM_IN_ASSIGNMENTS, AH "p,市法院,市税务局,２０１９年9月前,\n", 0,
     CM_ERR_FIELD, 2, "deadline", "write a deadline"},
    {CM_IN_ASSIGNMENTS, AH "p,市法院,市税务局,2019年2月30日前,\n", 0,
     CM_ERR_FIELD, 2, "deadline", "no such day in that month"},
    {CM_IN_ASSIGNMENTS, AH "p,市法院,市税务局,2019年4月31日,\n", 0,
     CM_ERR_FIELD, 2, "deadline", "no such day in that month"},
    {CM_IN_ASSIGNMENTS, AH "p,市法院,市税务局,0000年1月前,\n", 0,
     CM_ERR_FIELD, 2, "deadline", "a year from 1949 to 2100"},
    {CM_IN_ASSIGNMENTS, AH "p,市法院,市税务局,9999年底,\n", 0,
     CM_ERR_FIELD, 2, "deadline", "a year from 1949 to 2100"},
    {CM_IN_ASSIGNMENTS, "region," AH "519999,p,市法院,市税务局,长期,\n", 0,
     CM_ERR_REFERENCE, 2, "region", "unknown region"},
    {CM_IN_ASSIGNMENTS, AH "p,市法院,市税务局,长期,\np,市法院,市税务局,立即,\n",
     0, CM_ERR_DUPLICATE, 3, "", "same region and problem as line 2"},
    {CM_IN_UNITS, "name\n市公安局\n市公安局\n", 0, CM_ERR_DUPLICATE, 3, "",
     "same name as line 2"},
};

static void test_bad_cases(void **state)
{
    fixture *f = *state;
    import_good(f);
    char *before = dump(f->s);
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        const bad_case *c = &bad_cases[i];
        char p[256];
        size_t len = c->len ? c->len : strlen(c->text);
        write_file(f->dir, "bad.csv", c->text, len, p, sizeof p);
        cm_diag d;
        cm_diag_clear(&d);
        long rows = -1;
        cm_error e = cm_import_file(f->s, c->kind, p, &rows, &d);
        char msg[1024];
        cm_diag_format(&d, msg, sizeof msg);
        if (e != c->code || d.line != c->line ||
            strcmp(d.field, c->field) != 0 || !strstr(d.msg, c->msg_part))
            print_error("case %zu: got %d: %s\n", i, (int)e, msg);
        assert_int_equal(e, c->code);
        assert_int_equal(d.code, c->code);
        assert_int_equal(d.line, c->line);
        assert_string_equal(d.field, c->field);
        assert_string_equal(d.file, p);
        assert_non_null(strstr(d.msg, c->msg_part));
        assert_int_equal(rows, 0);
        char *after = dump(f->s);
        assert_string_equal(before, after);
        free(after);
    }
    free(before);
}

static void test_dir_is_one_transaction(void **state)
{
    fixture *f = *state;
    import_good(f);
    char *before = dump(f->s);
    char sub[128], p[256];
    snprintf(sub, sizeof sub, "%s/sub", f->dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    /* regions.csv is fine and adds a county; values.csv then fails */
    write_file(sub, "regions.csv", RH "511825,天全县,county,511800\n",
               strlen(RH "511825,天全县,county,511800\n"), p, sizeof p);
    static const char vals[] = VH "511825,2018-12,blacklist,1\n"
                                  "511825,2018-12,enterprises,abc\n";
    write_file(sub, "values.csv", vals, strlen(vals), p, sizeof p);
    cm_diag d;
    cm_diag_clear(&d);
    int files = -1;
    long rows = -1;
    assert_int_equal(cm_import_dir(f->s, sub, &files, &rows, &d),
                     CM_ERR_FIELD);
    assert_string_equal(d.file, p);
    assert_int_equal(d.line, 3);
    assert_string_equal(d.field, "value");
    assert_int_equal(files, 0);
    char *after = dump(f->s);
    assert_string_equal(before, after);
    free(after);
    free(before);

    /* a folder without any of the five */
    unlink(p);
    snprintf(p, sizeof p, "%s/regions.csv", sub);
    unlink(p);
    cm_diag_clear(&d);
    assert_int_equal(cm_import_dir(f->s, sub, &files, &rows, &d),
                     CM_ERR_USAGE);
    assert_string_equal(d.file, sub);
    cm_diag_clear(&d);
    snprintf(p, sizeof p, "%s/nope", f->dir);
    assert_int_equal(cm_import_dir(f->s, p, &files, &rows, &d), CM_ERR_IO);
    cm_diag_clear(&d);
    assert_int_equal(cm_import_file(f->s, CM_IN_VALUES, p, &rows, &d),
                     CM_ERR_IO);
    assert_string_equal(d.file, p);
}

static void test_kind_names(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        int kind;
    } cases[] = {
        {"regions.csv", CM_IN_REGIONS},
        {"fixtures/yaan/units.csv", CM_IN_UNITS},
        {"/a/b/values.CSV", CM_IN_VALUES},
        {"benchmarks.csv", CM_IN_BENCHMARKS},
        {"x/assignments.csv", CM_IN_ASSIGNMENTS},
        {"regions.txt", -1},
        {"regions", -1},
        {"myregions.csv", -1},
        {"regions.csv/", -1},
        {"values.csv.bak", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_int_equal(cm_import_kind_from_path(cases[i].path),
                         cases[i].kind);
    assert_string_equal(cm_import_kind_name(CM_IN_BENCHMARKS), "benchmarks");
    assert_string_equal(cm_import_kind_name(CM_IN__COUNT), "");
}

static void test_validators(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int ok;
    } codes[] = {
        {"511800", 1}, {"110000", 1}, {"820000", 1}, {"710000", 1},
        {"101800", 0}, {"161800", 0}, {"72000a", 0}, {"51180", 0},
        {"5118000", 0}, {"", 0}, {"５１１８００", 0},
    };
    char why[200];
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        assert_int_equal(cm_import_valid_region_code(codes[i].s, why,
                                                     sizeof why), codes[i].ok);
    static const struct {
        const char *s;
        int ok;
    } periods[] = {
        {"2018-12", 1}, {"2019-01", 1}, {"2019-Q1", 1}, {"2019-Q4", 1},
        {"2019", 1}, {"1949", 1}, {"2100-12", 1}, {"1948", 0},
        {"2101", 0}, {"2018-13", 0}, {"2018-00", 0}, {"2018-1", 0},
        {"2018/12", 0}, {"2018-Q0", 0}, {"2018-q1", 0}, {"2018-12 ", 0},
        {"", 0}, {"201a", 0},
    };
    for (size_t i = 0; i < sizeof periods / sizeof *periods; i++)
        assert_int_equal(cm_import_valid_period(periods[i].s, why, sizeof why),
                         periods[i].ok);
    static const struct {
        const char *s;
        int ok;
        double v;
    } nums[] = {
        {"0", 1, 0}, {"12", 1, 12}, {"-1.5", 1, -1.5}, {"+2", 1, 2},
        {".5", 1, 0.5}, {"5.", 1, 5}, {"0.0012", 1, 0.0012},
        {"", 0, 0}, {"-", 0, 0}, {".", 0, 0}, {"1,000", 0, 0},
        {"12%", 0, 0}, {"１２", 0, 0}, {"nan", 0, 0}, {"inf", 0, 0},
        {"0x10", 0, 0}, {"1e3", 0, 0}, {"1 000", 0, 0}, {"12％", 0, 0},
        {"--1", 0, 0},
    };
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
        double v = -99;
        assert_int_equal(cm_import_parse_number(nums[i].s, &v, why,
                                                sizeof why), nums[i].ok);
        if (nums[i].ok)
            assert_true(v == nums[i].v);
        else
            assert_true(why[0] != '\0');
    }
    /* a 400-digit number overflows to inf and is refused */
    char big[402];
    memset(big, '9', 400);
    big[400] = '\0';
    double v;
    assert_int_equal(cm_import_parse_number(big, &v, why, sizeof why), 0);
    assert_non_null(strstr(why, "out of range"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reimport_identical, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_header_only_and_gbk, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_is_one_transaction, setup,
                                        teardown),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_validators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
