/*
 * test_rank.c - the monitoring ranks (issue 4): a hand-made store of two
 * provinces and six cities over 13 months, every analysis field checked
 * against the hand computations written beside it; bad files refused with
 * located messages and the store left as it was; a re-import replacing a
 * list; and the shipped fixture (fixtures/ranks) giving the numbers its
 * README tells for 雅安市 in 2019-06.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "storetest.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "helpers.h"
#include "rank.h"

typedef struct fixture {
    char dir[64];
    cm_store *s;
} fixture;

static void remove_tree(const char *dir)
{
    DIR *dd = opendir(dir);
    if (!dd)
        return;
    struct dirent *e;
    while ((e = readdir(dd))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        remove(p);
    }
    closedir(dd);
    rmdir(dir);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/cm_rank_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    char db[128];
    snprintf(db, sizeof db, "%s/store.db", f->dir);
    cm_diag d;
    cm_diag_clear(&d);
    if (cm_store_new(db, &f->s, &d) != CM_OK) {
        remove_tree(f->dir);
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
    remove_tree(f->dir);
    free(f);
    return 0;
}

static void write_file(const fixture *f, const char *name, const char *text,
                       char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", f->dir, name);
    FILE *o = fopen(path, "w");
    assert_non_null(o);
    fputs(text, o);
    assert_int_equal(fclose(o), 0);
}

/* Every row of the rank tables, periods and imports, as text; caller frees.
 * Two dumps compare equal when the store is unchanged. */
static char *dump(cm_store *s)
{
    static const char *const queries[] = {
        "SELECT * FROM ranks ORDER BY period, grp, region",
        "SELECT * FROM rank_scores ORDER BY period, grp, region, indicator",
        "SELECT * FROM periods ORDER BY period",
        "SELECT sha256, kind, size, rows FROM imports ORDER BY sha256, kind",
    };
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_prepare_v2(cm_store_db(s), queries[i], -1,
                                            &q, NULL), SQLITE_OK);
        while (sqlite3_step(q) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(q); c++) {
                const char *t = (const char *)sqlite3_column_text(q, c);
                size_t n = strlen(t ? t : "N") + 2;
                if (len + n + 1 > cap) {
                    cap = 2 * (len + n + 1);
                    out = realloc(out, cap);
                    assert_non_null(out);
                }
                len += (size_t)sprintf(out + len, "%s|", t ? t : "N");
            }
            out[len++] = '\n';
            out[len] = '\0';
        }
        sqlite3_finalize(q);
    }
    return out;
}

/* ---- the hand-made store ---- */

/* 四川省 with 自贡 Z, 攀枝花 P, 眉山 M, 雅安 Y; 贵州省 with 六盘水 L, 遵义 W;
 * the two capitals 成都 and 贵阳 for the capital list. */
static void hand_regions(cm_store *s)
{
    th_exec(s, "INSERT INTO regions VALUES"
            " ('510000', '四川省', 'province', NULL),"
            " ('520000', '贵州省', 'province', NULL),"
            " ('510100', '成都市', 'city', '510000'),"
            " ('510300', '自贡市', 'city', '510000'),"
            " ('510400', '攀枝花市', 'city', '510000'),"
            " ('511400', '眉山市', 'city', '510000'),"
            " ('511800', '雅安市', 'city', '510000'),"
            " ('511802', '雨城区', 'county', '511800'),"
            " ('520100', '贵阳市', 'city', '520000'),"
            " ('520200', '六盘水市', 'city', '520000'),"
            " ('520300', '遵义市', 'city', '520000')");
}

/* The prefecture list, 2018-06 .. 2019-06, cities in rank order:
 *
 *   month    1 2 3 4 5 6     Ya'an   Sichuan's ranks   median
 *   2018-06  W Z L M Y P     5       Z2 M4 Y5 P6       (4+5)/2 = 4.5
 *   2018-07  W Z L M Y P     5       same              4.5
 *   2018-08  W L Z M Y P     5       Z3 M4 Y5 P6       4.5
 *   2018-09  W L Z M Y P     5                         4.5
 *   2018-10  W Z L M Y P     5                         4.5
 *   2018-11  W Z L M Y P     5                         4.5
 *   2018-12  W Z L M P Y     6       Z2 M4 P5 Y6       4.5
 *   2019-01..04 as 2018-06   5                         4.5
 *   2019-05  W Z L Y M P     4       Z2 Y4 M5 P6       4.5
 *   2019-06  W Y Z L M P     2       Y2 Z3 M5 P6       (3+5)/2 = 4.0
 *
 * Scores: 90 - 5 * rank (Ya'an 2019-06: 80). First-level scores for Ya'an
 * only: 信用监管 30 / 31.5 / 30.75 and 营商环境 12 / 12.25 / 13 in 2019-04,
 * 05, 06; 权益保护 9.5 in 2019-06 alone. */
static const struct {
    const char *period, *order;
} hand_months[] = {
    {"2018-06", "WZLMYP"}, {"2018-07", "WZLMYP"}, {"2018-08", "WLZMYP"},
    {"2018-09", "WLZMYP"}, {"2018-10", "WZLMYP"}, {"2018-11", "WZLMYP"},
    {"2018-12", "WZLMPY"}, {"2019-01", "WZLMYP"}, {"2019-02", "WZLMYP"},
    {"2019-03", "WZLMYP"}, {"2019-04", "WZLMYP"}, {"2019-05", "WZLYMP"},
    {"2019-06", "WYZLMP"},
};

static const char *letter_code(char c)
{
    switch (c) {
    case 'Z': return "510300";
    case 'P': return "510400";
    case 'M': return "511400";
    case 'Y': return "511800";
    case 'L': return "520200";
    default: return "520300"; /* W */
    }
}

/* The file text (caller frees): the prefecture list of every month, then
 * the capital list of 2019-06 (成都 1, 贵阳 2). */
static char *hand_csv(void)
{
    size_t cap = 16384, n = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    n += (size_t)snprintf(t + n, cap - n, "period,group,region,rank,score,"
                                          "信用监管,营商环境,权益保护\n");
    for (size_t m = 0; m < sizeof hand_months / sizeof *hand_months; m++)
        for (int r = 1; r <= 6; r++) {
            const char *code = letter_code(hand_months[m].order[r - 1]);
            const char *l1 = ",,";
            if (!strcmp(code, "511800")) {
                if (!strcmp(hand_months[m].period, "2019-04"))
                    l1 = "30,12,";
                else if (!strcmp(hand_months[m].period, "2019-05"))
                    l1 = "31.5,12.25,";
                else if (!strcmp(hand_months[m].period, "2019-06"))
                    l1 = "30.75,13.0,9.5";
            }
            n += (size_t)snprintf(t + n, cap - n, "%s,prefecture,%s,%d,%d,%s\n",
                                  hand_months[m].period, code, r, 90 - 5 * r,
                                  l1);
        }
    n += (size_t)snprintf(t + n, cap - n,
                          "2019-06,capital,510100,1,88.5,,,\n"
                          "2019-06,capital,520100,2,86,,,\n");
    assert_true(n < cap);
    return t;
}

static void import_hand(fixture *f)
{
    hand_regions(f->s);
    char *text = hand_csv();
    char path[256];
    write_file(f, "ranks.csv", text, path, sizeof path);
    free(text);
    cm_diag d;
    cm_diag_clear(&d);
    long rows = 0;
    cm_error e = cm_rank_import_file(f->s, path, &rows, &d);
    char msg[1600];
    cm_diag_format(&d, msg, sizeof msg);
    if (e)
        fail_msg("%s", msg);
    assert_int_equal(rows, 13 * 6 + 2);
}

static void test_is_rank_file(void **state)
{
    (void)state;
    assert_true(cm_rank_is_rank_file("ranks.csv"));
    assert_true(cm_rank_is_rank_file("in/ranks-2019-06.csv"));
    assert_true(cm_rank_is_rank_file("ranks-2019.CSV"));
    assert_false(cm_rank_is_rank_file("regions.csv"));
    assert_false(cm_rank_is_rank_file("ranks/regions.csv"));
    assert_false(cm_rank_is_rank_file("old-ranks.csv"));
    assert_false(cm_rank_is_rank_file("ranks.txt"));
    assert_false(cm_rank_is_rank_file(NULL));
}

static void test_import_hand(void **state)
{
    fixture *f = *state;
    import_hand(f);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM ranks"), 80);
    /* Ya'an: 2 + 2 + 3 first-level scores; empty cells store nothing */
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM rank_scores"), 7);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM periods"
                                  " WHERE kind = 'month'"), 13);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM imports"
                                  " WHERE kind = 'ranks' AND rows = 80"), 1);

    char g[16];
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_rank_group_of(f->s, "511800", "2019-06", g, &d),
                     CM_OK);
    assert_string_equal(g, "prefecture");
    assert_int_equal(cm_rank_group_of(f->s, "510100", "2019-06", g, &d),
                     CM_OK);
    assert_string_equal(g, "capital");
    assert_int_equal(cm_rank_group_of(f->s, "511800", "2017-06", g, &d),
                     CM_OK);
    assert_string_equal(g, "");
    assert_int_equal(cm_rank_group_of(f->s, "511802", "2019-06", g, &d),
                     CM_OK);
    assert_string_equal(g, "");
}

static void test_analyse_hand(void **state)
{
    fixture *f = *state;
    import_hand(f);
    cm_rank_analysis a;
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_rank_analyse(f->s, "511800", "prefecture", "2019-06",
                                     3, &a, &d), CM_OK);
    assert_string_equal(a.region, "511800");
    assert_string_equal(a.group, "prefecture");
    assert_string_equal(a.period, "2019-06");
    assert_int_equal(a.has, 1);
    assert_int_equal(a.rank, 2);
    assert_int_equal(a.n, 6);
    assert_true(a.score == 80.0);
    /* last month 4 -> 2: up 2; 2018-06 5 -> 2: up 3; 2018-12 6 -> 2: up 4 */
    assert_int_equal(a.has_month, 1);
    assert_int_equal(a.d_month, 2);
    assert_int_equal(a.has_year, 1);
    assert_int_equal(a.d_year, 3);
    assert_int_equal(a.has_dec, 1);
    assert_int_equal(a.d_dec, 4);
    /* Sichuan in 2019-06: Y2 Z3 M5 P6: first of 4, 1 <= ceil(4/2) */
    assert_int_equal(a.prov_place, 1);
    assert_int_equal(a.prov_n, 4);
    assert_int_equal(a.prov_upper, 1);
    /* target: 6 - 3 = 3; 2 - 3 = -1, met with a place to spare */
    assert_int_equal(a.target_up, 3);
    assert_int_equal(a.target_rank, 3);
    assert_int_equal(a.to_gain, -1);

    /* the trend: 2017-07 .. 2019-06, the first 11 months empty */
    assert_int_equal(a.n_trend, CM_RANK_TREND);
    assert_string_equal(a.trend[0].period, "2017-07");
    assert_int_equal(a.trend[0].rank, 0);
    assert_int_equal(a.trend[0].n, 0);
    assert_true(a.trend[0].province_median == 0);
    assert_string_equal(a.trend[10].period, "2018-05");
    assert_int_equal(a.trend[10].rank, 0);
    assert_string_equal(a.trend[11].period, "2018-06");
    assert_int_equal(a.trend[11].rank, 5);
    assert_true(a.trend[11].score == 65.0);
    assert_int_equal(a.trend[11].n, 6);
    assert_true(a.trend[11].province_median == 4.5);
    assert_string_equal(a.trend[17].period, "2018-12");
    assert_int_equal(a.trend[17].rank, 6);
    assert_true(a.trend[17].score == 60.0);
    assert_true(a.trend[17].province_median == 4.5);
    assert_int_equal(a.trend[22].rank, 4);
    assert_string_equal(a.trend[23].period, "2019-06");
    assert_int_equal(a.trend[23].rank, 2);
    assert_true(a.trend[23].score == 80.0);
    assert_int_equal(a.trend[23].n, 6);
    assert_true(a.trend[23].province_median == 4.0);

    /* first-level: 信用监管 30.75 - 31.5 = -0.75, 营商环境 13 - 12.25 =
     * +0.75; 权益保护 has no May score and is left out */
    assert_int_equal(a.n_level1, 2);
    assert_string_equal(a.level1[0].name, "信用监管");
    assert_true(a.level1[0].score == 30.75);
    assert_true(a.level1[0].prev == 31.5);
    assert_true(a.level1[0].delta == -0.75);
    assert_string_equal(a.level1[1].name, "营商环境");
    assert_true(a.level1[1].delta == 0.75);

    /* a target beyond first place: 6 - 10 < 1 is capped at rank 1 */
    assert_int_equal(cm_rank_analyse(f->s, "511800", "prefecture", "2019-06",
                                     10, &a, &d), CM_OK);
    assert_int_equal(a.target_rank, 1);
    assert_int_equal(a.to_gain, 1);
    /* no target */
    assert_int_equal(cm_rank_analyse(f->s, "511800", "prefecture", "2019-06",
                                     0, &a, &d), CM_OK);
    assert_int_equal(a.target_rank, 0);
    assert_int_equal(a.to_gain, 0);

    /* 眉山 2019-06: rank 5; Sichuan Y2 Z3 better: third of 4, 3 > 2 */
    assert_int_equal(cm_rank_analyse(f->s, "511400", "prefecture", "2019-06",
                                     0, &a, &d), CM_OK);
    assert_int_equal(a.rank, 5);
    assert_int_equal(a.prov_place, 3);
    assert_int_equal(a.prov_n, 4);
    assert_int_equal(a.prov_upper, 0);
    /* 2019-05 M5 -> 5: 0; 2018-06 M4 -> 5: down 1 */
    assert_int_equal(a.d_month, 0);
    assert_int_equal(a.d_year, -1);
    assert_int_equal(a.n_level1, 0);

    /* 六盘水 2018-08: rank 2; Guizhou W1 L2: median 1.5, second of 2, and
     * 2 <= ceil(2/2) = 1 fails; 2017-08 is not in the store */
    assert_int_equal(cm_rank_analyse(f->s, "520200", "prefecture", "2018-08",
                                     30, &a, &d), CM_OK);
    assert_int_equal(a.rank, 2);
    assert_int_equal(a.prov_place, 2);
    assert_int_equal(a.prov_n, 2);
    assert_int_equal(a.prov_upper, 0);
    assert_true(a.trend[23].province_median == 1.5);
    /* 2018-07 L3 -> 2: up 1; no 2017-08, no 2017-12 */
    assert_int_equal(a.has_month, 1);
    assert_int_equal(a.d_month, 1);
    assert_int_equal(a.has_year, 0);
    assert_int_equal(a.has_dec, 0);
    assert_int_equal(a.target_rank, 0);
    assert_int_equal(a.to_gain, 0);

    /* 成都 in the capital list: Sichuan's only capital; the prefecture
     * list's Sichuan cities are other peers and do not count */
    assert_int_equal(cm_rank_analyse(f->s, "510100", "capital", "2019-06", 0,
                                     &a, &d), CM_OK);
    assert_int_equal(a.rank, 1);
    assert_int_equal(a.n, 2);
    assert_int_equal(a.prov_place, 1);
    assert_int_equal(a.prov_n, 1);
    assert_int_equal(a.prov_upper, 1);
    assert_true(a.trend[23].province_median == 1.0);
    assert_int_equal(a.has_month, 0);

    /* not in the list: no error, has = 0, the list sizes still given */
    assert_int_equal(cm_rank_analyse(f->s, "511800", "capital", "2019-06", 30,
                                     &a, &d), CM_OK);
    assert_int_equal(a.has, 0);
    assert_int_equal(a.rank, 0);
    assert_int_equal(a.trend[23].n, 2);
    assert_int_equal(a.target_rank, 0);
    assert_int_equal(d.code, CM_OK);

    /* a region the store does not know; a bad period or group */
    assert_int_equal(cm_rank_analyse(f->s, "519900", "prefecture", "2019-06",
                                     0, &a, &d), CM_ERR_DATA);
    assert_non_null(strstr(d.msg, "519900"));
    cm_diag_clear(&d);
    assert_int_equal(cm_rank_analyse(f->s, "511800", "prefecture", "2019-6",
                                     0, &a, &d), CM_ERR_USAGE);
    cm_diag_clear(&d);
    assert_int_equal(cm_rank_analyse(f->s, "511800", "city", "2019-06", 0, &a,
                                     &d), CM_ERR_USAGE);
}

/* A file that replaces the 2019-06 prefecture list: 攀枝花 has dropped out
 * of it, and only 信用监管 is given. The other months stay as they were. */
static void test_reimport_replaces(void **state)
{
    fixture *f = *state;
    import_hand(f);
    char *before = dump(f->s);
    char path[256];
    write_file(f, "ranks-2019-06.csv",
               "region,period,group,score,rank,信用监管\n"
               "520300,2019-06,prefecture,86,1,\n"
               "511800,2019-06,prefecture,84.5,2,33\n"
               "510300,2019-06,prefecture,80,3,\n"
               "520200,2019-06,prefecture,75,4,\n"
               "511400,2019-06,prefecture,70,5,\n",
               path, sizeof path);
    cm_diag d;
    cm_diag_clear(&d);
    long rows = 0;
    assert_int_equal(cm_rank_import_file(f->s, path, &rows, &d), CM_OK);
    assert_int_equal(rows, 5);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM ranks WHERE period ="
                                  " '2019-06' AND grp = 'prefecture'"), 5);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM ranks WHERE region ="
                                  " '510400' AND period = '2019-06'"), 0);
    /* the capital list of 2019-06 is another list: untouched */
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM ranks WHERE period ="
                                  " '2019-06' AND grp = 'capital'"), 2);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM rank_scores WHERE"
                                  " period = '2019-06'"), 1);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM ranks"), 79);

    cm_rank_analysis a;
    assert_int_equal(cm_rank_analyse(f->s, "511800", "prefecture", "2019-06",
                                     0, &a, &d), CM_OK);
    assert_int_equal(a.n, 5);
    assert_true(a.score == 84.5);
    /* Sichuan now Y2 Z3 M5: median 3 */
    assert_true(a.trend[23].province_median == 3.0);
    assert_int_equal(a.prov_n, 3);
    assert_int_equal(a.n_level1, 1);
    assert_true(a.level1[0].delta == 1.5);

    /* the original file again: the store is back as it was (its import
     * line was kept: one line per distinct content) */
    snprintf(path, sizeof path, "%s/ranks.csv", f->dir);
    assert_int_equal(cm_rank_import_file(f->s, path, &rows, &d), CM_OK);
    th_exec(f->s, "DELETE FROM imports WHERE rows = 5");
    char *after = dump(f->s);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* Bad files: each replaces (or would replace) the 2019-06 prefecture list,
 * so a failure after the list was deleted shows whether it came back. */
static const struct {
    const char *name, *text;
    cm_error code;
    long line;
    const char *field, *msg;
} bad[] = {
    {"gap",
     "period,group,region,rank,score\n"
     "2019-06,prefecture,520300,1,85\n"
     "2019-06,prefecture,511800,2,80\n"
     "2019-06,prefecture,510300,4,70\n",
     CM_ERR_FIELD, 4, "rank", "rank 3 is missing"},
    {"duplicate rank",
     "period,group,region,rank,score\n"
     "2019-06,prefecture,520300,1,85\n"
     "2019-06,prefecture,511800,1,80\n",
     CM_ERR_DUPLICATE, 3, "rank", "first on line 2"},
    {"duplicate region",
     "period,group,region,rank,score\n"
     "2019-06,prefecture,520300,1,85\n"
     "2019-06,prefecture,520300,2,80\n",
     CM_ERR_DUPLICATE, 3, "region", "twice (first on line 2)"},
    {"unknown region",
     "period,group,region,rank,score\n"
     "2019-06,prefecture,520300,1,85\n"
     "2019-06,prefecture,519900,2,80\n",
     CM_ERR_REFERENCE, 3, "region", "'519900' is not in the store"},
    {"bad group",
     "period,group,region,rank,score\n"
     "2019-06,city,520300,1,85\n",
     CM_ERR_FIELD, 2, "group", "'city' is not a list"},
    {"bad period",
     "period,group,region,rank,score\n"
     "2019-06,prefecture,520300,1,85\n"
     "2019-13,prefecture,511800,1,80\n",
     CM_ERR_FIELD, 3, "period", "'2019-13' is not a month"},
    {"score over 100",
     "period,group,region,rank,score\n"
     "2019-06,prefecture,520300,1,100.5\n",
     CM_ERR_FIELD, 2, "score", "from 0 to 100"},
    {"score not plain",
     "period,group,region,rank,score\n"
     "2019-06,prefecture,520300,1,8e1\n",
     CM_ERR_FIELD, 2, "score", "'8e1'"},
    {"rank zero",
     "period,group,region,rank,score\n"
     "2019-06,prefecture,520300,0,85\n",
     CM_ERR_FIELD, 2, "rank", "from 1"},
    {"rank beyond the regions",
     "period,group,region,rank,score\n"
     "2019-06,prefecture,520300,5000,85\n",
     CM_ERR_FIELD, 2, "rank", "beyond the 11 regions"},
    {"bad first-level score",
     "period,group,region,rank,score,信用监管\n"
     "2019-06,prefecture,520300,1,85,30\n"
     "2019-06,prefecture,511800,2,80,三十\n",
     CM_ERR_FIELD, 3, "信用监管", "'三十'"},
    {"missing column",
     "period,group,region,score\n"
     "2019-06,prefecture,520300,85\n",
     CM_ERR_CSV, 1, "rank", "lacks column 'rank'"},
    {"column twice",
     "period,group,region,rank,score,信用监管,信用监管\n",
     CM_ERR_DUPLICATE, 1, "信用监管", "twice"},
    {"short row",
     "period,group,region,rank,score\n"
     "2019-06,prefecture,520300,1\n",
     CM_ERR_CSV, 2, "", "row has 4 fields"},
    {"empty", "", CM_ERR_CSV, 0, "", "no header"},
};

static void test_bad_files(void **state)
{
    fixture *f = *state;
    import_hand(f);
    char *before = dump(f->s);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char path[256], name[64];
        snprintf(name, sizeof name, "ranks-bad-%zu.csv", i);
        write_file(f, name, bad[i].text, path, sizeof path);
        cm_diag d;
        cm_diag_clear(&d);
        long rows = -7;
        cm_error e = cm_rank_import_file(f->s, path, &rows, &d);
        char msg[1600];
        cm_diag_format(&d, msg, sizeof msg);
        if (e != bad[i].code || d.line != bad[i].line ||
            strcmp(d.field, bad[i].field) != 0 ||
            !strstr(d.msg, bad[i].msg) || strcmp(d.file, path) != 0)
            fail_msg("%s: got %d '%s'", bad[i].name, (int)e, msg);
        assert_int_equal(rows, -7);
        char *after = dump(f->s);
        if (strcmp(before, after) != 0)
            fail_msg("%s: the store changed", bad[i].name);
        free(after);
    }
    free(before);
}

/* Inside a caller's transaction the file is a savepoint: its failure
 * leaves the caller's own work in place. */
static void test_nested(void **state)
{
    fixture *f = *state;
    import_hand(f);
    char path[256];
    write_file(f, "ranks-x.csv",
               "period,group,region,rank,score\n"
               "2019-06,prefecture,520300,2,85\n",
               path, sizeof path);
    cm_diag d;
    cm_diag_clear(&d);
    assert_int_equal(cm_store_begin(f->s, &d), CM_OK);
    th_exec(f->s, "INSERT INTO periods VALUES ('2019', 'year')");
    assert_int_equal(cm_rank_import_file(f->s, path, NULL, &d), CM_ERR_FIELD);
    assert_int_equal(cm_store_commit(f->s, &d), CM_OK);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM periods"
                                  " WHERE period = '2019'"), 1);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM ranks WHERE period ="
                                  " '2019-06' AND grp = 'prefecture'"), 6);
}

/* ---- the shipped fixture ---- */

typedef struct region_loader {
    sqlite3_stmt *ins;
    int header;
} region_loader;

/* regions.csv rows straight into the table: this test checks the ranks,
 * import.c's validation of regions has its own tests */
static cm_error load_region_row(void *ctx, const cm_csv_row *row, cm_diag *d)
{
    (void)d;
    region_loader *l = ctx;
    if (!l->header) {
        l->header = 1;
        return CM_OK;
    }
    assert_int_equal(row->n, 4);
    for (int i = 0; i < 4; i++) {
        if (i == 3 && row->lens[i] == 0)
            sqlite3_bind_null(l->ins, 4);
        else
            sqlite3_bind_text(l->ins, i + 1, row->fields[i], -1,
                              SQLITE_TRANSIENT);
    }
    assert_int_equal(sqlite3_step(l->ins), SQLITE_DONE);
    sqlite3_reset(l->ins);
    return CM_OK;
}

static void test_fixture(void **state)
{
    fixture *f = *state;
    char path[1024];
    cm_diag d;
    cm_diag_clear(&d);
    region_loader l = {NULL, 0};
    assert_int_equal(sqlite3_prepare_v2(cm_store_db(f->s),
                                        "INSERT INTO regions VALUES"
                                        " (?1, ?2, ?3, ?4)", -1, &l.ins,
                                        NULL), SQLITE_OK);
    snprintf(path, sizeof path, "%s/fixtures/ranks/regions.csv", th_root());
    assert_int_equal(cm_csv_read(path, load_region_row, &l, NULL, &d), CM_OK);
    sqlite3_finalize(l.ins);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM regions WHERE level ="
                                  " 'province'"), 31);
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM regions WHERE level ="
                                  " 'city'"), 261);
    /* the same names as fixtures/yaan/regions.csv */
    assert_int_equal(th_int(f->s, "SELECT count(*) FROM regions WHERE"
                                  " (code = '510000' AND name = '四川省') OR"
                                  " (code = '511800' AND name = '雅安市')"), 2);

    snprintf(path, sizeof path, "%s/fixtures/ranks/ranks.csv", th_root());
    long rows = 0;
    cm_error e = cm_rank_import_file(f->s, path, &rows, &d);
    char msg[1600];
    cm_diag_format(&d, msg, sizeof msg);
    if (e)
        fail_msg("%s", msg);
    assert_int_equal(rows, 24 * 261);

    /* fixtures/ranks/README.md, "Ya'an in 2019-06" */
    cm_rank_analysis a;
    assert_int_equal(cm_rank_analyse(f->s, "511800", "prefecture", "2019-06",
                                     30, &a, &d), CM_OK);
    assert_int_equal(a.has, 1);
    assert_int_equal(a.rank, 170);
    assert_int_equal(a.n, 261);
    assert_true(a.score > 70.155 && a.score < 70.165);
    assert_int_equal(a.d_month, 2);   /* 2019-05: 172 */
    assert_int_equal(a.d_year, 20);   /* 2018-06: 190 */
    assert_int_equal(a.d_dec, 26);    /* 2018-12: 196 */
    assert_int_equal(a.target_rank, 166);
    assert_int_equal(a.to_gain, 4);
    assert_int_equal(a.prov_place, 8);
    assert_int_equal(a.prov_n, 20);
    assert_int_equal(a.prov_upper, 1);
    assert_true(a.trend[23].province_median == 188.0);
    assert_string_equal(a.trend[0].period, "2017-07");
    assert_int_equal(a.trend[0].rank, 176);
    assert_int_equal(a.trend[17].rank, 196);
    for (size_t k = 0; k < a.n_trend; k++)
        assert_int_equal(a.trend[k].n, 261);
    assert_int_equal(a.n_level1, 4);
    assert_string_equal(a.level1[0].name, "信用监管");
    assert_true(a.level1[0].delta > -0.865 && a.level1[0].delta < -0.855);
    for (size_t k = 1; k < a.n_level1; k++)
        assert_true(a.level1[k].delta > 0);

    /* every city of the list analyses, and the places add up: in each
     * province the places are 1..n */
    long place_sum = 0, expect = 0;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(cm_store_db(f->s),
                                        "SELECT region FROM ranks WHERE"
                                        " period = '2019-06' AND"
                                        " grp = 'prefecture'", -1, &q, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        char code[8];
        snprintf(code, sizeof code, "%s",
                 (const char *)sqlite3_column_text(q, 0));
        assert_int_equal(cm_rank_analyse(f->s, code, "prefecture", "2019-06",
                                         30, &a, &d), CM_OK);
        place_sum += a.prov_place;
        expect += a.prov_n; /* summed per city: n * n per province ... */
    }
    sqlite3_finalize(q);
    /* ... so Σ place = Σ_provinces n(n+1)/2 = (Σ_cities n + 261) / 2 */
    assert_int_equal(place_sum * 2, expect + 261);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_rank_file),
        cmocka_unit_test_setup_teardown(test_import_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyse_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reimport_replaces, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fixture, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
