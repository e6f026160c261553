/*
 * gen_ranks.c - writes the rank fixture of issue 4: fixtures/ranks/
 * regions.csv (31 provinces, 261 prefecture-level cities) and ranks.csv
 * (the "prefecture" list of the national monitoring, 24 months 2017-07 ..
 * 2019-06, with the four first-level scores of the 2020 system).
 *
 *   cc -std=c11 -O2 tests/bench/gen_ranks.c -o build/gen_ranks -lm
 *   build/gen_ranks [--out fixtures/ranks]
 *
 * Deterministic: a fixed-seed splitmix64, no rand(), no clock; the same
 * binary writes the same bytes. Scores are smooth in time (a slow wave and a
 * drift per city and indicator); ranks follow the scores. Ya'an's own line
 * is scripted to tell seed 000's story (fixtures/ranks/README.md): its
 * score each month is put between the two cities that bound the wanted
 * rank, and the generator refuses to write anything if the story does not
 * come out (rank, place in Sichuan, the first-level score that fell).
 * The summary it prints is what the README and tests/test_rank.c quote.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_MONTHS 24
#define FIRST_YEAR 2017
#define FIRST_MONTH 7   /* 2017-07 .. 2019-06 */
#define N_CITY 261
#define N_L1 4
#define YAAN "511800"

/* The 2020 system's first-level indicators and their points. DESIGN.md
 * gives 信用监管 43 of 100; the other three weights are this fixture's
 * assumption (they only need to sum to 57). */
static const char *const l1_name[N_L1] = {"信用制度和基础建设", "营商环境",
                                          "信用监管", "权益保护"};
static const int l1_weight[N_L1] = {22, 20, 43, 15};
#define L1_SUPERVISION 2

/* GB/T 2260 provinces. n: prefecture-level cities generated (the real 2019
 * count of 地级市 less the capital and the 计划单列市, which the national
 * monitoring ranks in the separate capital list; 安徽, 河南 and 广东 one
 * fewer still, to make room for Sichuan's three autonomous prefectures so
 * that the list holds 261). Sichuan's cities are real (below). */
static const struct {
    const char *prefix, *name;
    int n;
} provinces[] = {
    {"11", "北京市", 0},           {"12", "天津市", 0},
    {"13", "河北省", 10},          {"14", "山西省", 10},
    {"15", "内蒙古自治区", 8},     {"21", "辽宁省", 12},
    {"22", "吉林省", 7},           {"23", "黑龙江省", 11},
    {"31", "上海市", 0},           {"32", "江苏省", 12},
    {"33", "浙江省", 9},           {"34", "安徽省", 14},
    {"35", "福建省", 7},           {"36", "江西省", 10},
    {"37", "山东省", 14},          {"41", "河南省", 15},
    {"42", "湖北省", 11},          {"43", "湖南省", 12},
    {"44", "广东省", 18},          {"45", "广西壮族自治区", 13},
    {"46", "海南省", 3},           {"50", "重庆市", 0},
    {"51", "四川省", 0},           {"52", "贵州省", 5},
    {"53", "云南省", 7},           {"54", "西藏自治区", 5},
    {"61", "陕西省", 9},           {"62", "甘肃省", 11},
    {"63", "青海省", 1},           {"64", "宁夏回族自治区", 4},
    {"65", "新疆维吾尔自治区", 3},
};
#define N_PROV ((int)(sizeof provinces / sizeof provinces[0]))

/* Sichuan's 20 cities and prefectures other than 成都 (a capital), with
 * their real codes and names (fixtures/yaan and fixtures/meishan use the
 * same for 雅安市 and 眉山市). */
static const struct {
    const char *code, *name;
} sichuan[] = {
    {"510300", "自贡市"},   {"510400", "攀枝花市"}, {"510500", "泸州市"},
    {"510600", "德阳市"},   {"510700", "绵阳市"},   {"510800", "广元市"},
    {"510900", "遂宁市"},   {"511000", "内江市"},   {"511100", "乐山市"},
    {"511300", "南充市"},   {"511400", "眉山市"},   {"511500", "宜宾市"},
    {"511600", "广安市"},   {"511700", "达州市"},   {"511800", "雅安市"},
    {"511900", "巴中市"},   {"512000", "资阳市"},
    {"513200", "阿坝藏族羌族自治州"},
    {"513300", "甘孜藏族自治州"},
    {"513400", "凉山彝族自治州"},
};
#define N_SICHUAN ((int)(sizeof sichuan / sizeof sichuan[0]))

/* Codes the 计划单列市 hold (大连 青岛 宁波 厦门 深圳): made-up cities skip
 * them so that no generated name sits on a real capital-list code. */
static const char *const skip_codes[] = {"210200", "330200", "350200",
                                         "370200", "440300"};

/* Ya'an's rank each month, 2017-07 .. 2019-06: a slide through 2018 to 196
 * in December (the year the target was set against), then the climb of
 * the first half of 2019 to 170. */
static const int yaan_rank[N_MONTHS] = {
    176, 178, 177, 179, 181, 182,                 /* 2017-07 .. 12 */
    184, 186, 187, 189, 188, 190,                 /* 2018-01 .. 06 */
    191, 193, 192, 194, 195, 196,                 /* 2018-07 .. 12 */
    193, 189, 185, 180, 172, 170,                 /* 2019-01 .. 06 */
};
/* Ya'an's 信用监管 drops this many points (cents) in 2019-06 while the
 * other three rise: the first-level score the June analysis names. */
#define YAAN_SUPERVISION_DROP 86

typedef struct city {
    char code[8], name[96], parent[8];
    double q[N_L1];          /* level, 0..1 of the indicator's points */
    double amp, period, phase, drift;   /* the city's wave */
    double l1amp[N_L1], l1phase[N_L1];
    long cents[N_MONTHS][N_L1];         /* first-level scores, in cents */
    long total[N_MONTHS];               /* their sum */
    int rank[N_MONTHS];
} city;

static uint64_t rng_state = 0x20190701u; /* the circular's date */

static uint64_t next64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(double lo, double hi)
{
    return lo + (hi - lo) * (double)(next64() >> 11) / 9007199254740992.0;
}

static double clampd(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static void period_text(int t, char out[8])
{
    int m = FIRST_MONTH - 1 + t;
    snprintf(out, 8, "%04d-%02d", (FIRST_YEAR + m / 12) % 10000, m % 12 + 1);
}

static city cities[N_CITY];
static int n_cities;

static void make_city(const char *code, const char *name, const char *parent,
                      double lo, double hi)
{
    city *c = &cities[n_cities++];
    snprintf(c->code, sizeof c->code, "%s", code);
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->parent, sizeof c->parent, "%s", parent);
    double q = uniform(lo, hi);
    for (int k = 0; k < N_L1; k++) {
        c->q[k] = clampd(q + uniform(-0.06, 0.06), 0.30, 0.97);
        c->l1amp[k] = uniform(0.0, 0.010);
        c->l1phase[k] = uniform(0.0, 6.283185307179586);
    }
    c->amp = uniform(0.004, 0.020);
    c->period = uniform(12.0, 30.0);
    c->phase = uniform(0.0, 6.283185307179586);
    c->drift = uniform(-0.0008, 0.0008);
}

/* A city's first-level scores in month t, smooth in t; the nation as a
 * whole improves a little every month. */
static void score_city(city *c, int t)
{
    double wave = c->amp * sin(6.283185307179586 * t / c->period + c->phase) +
                  c->drift * t + 0.0015 * t;
    c->total[t] = 0;
    for (int k = 0; k < N_L1; k++) {
        double f = c->q[k] + wave +
                   c->l1amp[k] * sin(6.283185307179586 * t / 9.0 +
                                     c->l1phase[k]);
        c->cents[t][k] = lround(l1_weight[k] * 100.0 * clampd(f, 0.2, 0.99));
        c->total[t] += c->cents[t][k];
    }
}

static int cmp_desc(const void *x, const void *y)
{
    long a = *(const long *)x, b = *(const long *)y;
    return a < b ? 1 : a > b ? -1 : 0;
}

static int month_of_rank;
static int by_score(const void *x, const void *y)
{
    const city *a = *(city *const *)x, *b = *(city *const *)y;
    long sa = a->total[month_of_rank], sb = b->total[month_of_rank];
    if (sa != sb)
        return sa < sb ? 1 : -1;
    return strcmp(a->code, b->code);
}

/* Ya'an's month t: a total between the others that bound its rank, split
 * into first-level scores. */
static int script_yaan(city *y, int t)
{
    long others[N_CITY];
    int n = 0;
    for (int i = 0; i < n_cities; i++)
        if (&cities[i] != y)
            others[n++] = cities[i].total[t];
    qsort(others, (size_t)n, sizeof *others, cmp_desc);
    int r = yaan_rank[t];
    /* r - 1 cities above it: between others[r - 2] and others[r - 1] */
    long total = (others[r - 2] + others[r - 1]) / 2;
    if (total >= others[r - 2])
        total = others[r - 2] - 1;
    if (total <= others[r - 1])
        return 0; /* the two neighbours tie: no room between them */
    /* 信用监管 a shade above Ya'an's average level; in the last month it
     * falls by YAAN_SUPERVISION_DROP while the total still rises */
    long sup = lround(l1_weight[L1_SUPERVISION] * total / 100.0 + 150);
    if (t == N_MONTHS - 1)
        sup = y->cents[t - 1][L1_SUPERVISION] - YAAN_SUPERVISION_DROP;
    long rest = total - sup;
    /* the other three by weight, with fixed offsets (cents; they sum to 0)
     * so that they are not all of one proportion */
    static const long offset[N_L1] = {40, -60, 0, 20};
    int wsum = 0;
    for (int k = 0; k < N_L1; k++)
        if (k != L1_SUPERVISION)
            wsum += l1_weight[k];
    long used = 0;
    int lastk = N_L1 - 1;
    for (int k = 0; k < N_L1; k++) {
        if (k == L1_SUPERVISION)
            y->cents[t][k] = sup;
        else if (k == lastk)
            y->cents[t][k] = rest - used;
        else {
            y->cents[t][k] = lround((double)rest * l1_weight[k] / wsum) +
                             offset[k];
            used += y->cents[t][k];
        }
    }
    y->total[t] = total;
    return 1;
}

static int write_files(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/regions.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return perror(path), 1;
    fputs("code,name,level,parent\n", f);
    for (int p = 0; p < N_PROV; p++)
        fprintf(f, "%s0000,%s,province,\n", provinces[p].prefix,
                provinces[p].name);
    for (int i = 0; i < n_cities; i++)
        fprintf(f, "%s,%s,city,%s\n", cities[i].code, cities[i].name,
                cities[i].parent);
    if (fclose(f))
        return perror(path), 1;

    snprintf(path, sizeof path, "%s/ranks.csv", dir);
    f = fopen(path, "w");
    if (!f)
        return perror(path), 1;
    fputs("period,group,region,rank,score", f);
    for (int k = 0; k < N_L1; k++)
        fprintf(f, ",%s", l1_name[k]);
    fputc('\n', f);
    city *order[N_CITY];
    for (int t = 0; t < N_MONTHS; t++) {
        char per[8];
        period_text(t, per);
        for (int i = 0; i < n_cities; i++)
            order[cities[i].rank[t] - 1] = &cities[i];
        for (int r = 0; r < n_cities; r++) {
            const city *c = order[r];
            fprintf(f, "%s,prefecture,%s,%d,%ld.%02ld", per, c->code, r + 1,
                    c->total[t] / 100, c->total[t] % 100);
            for (int k = 0; k < N_L1; k++)
                fprintf(f, ",%ld.%02ld", c->cents[t][k] / 100,
                        c->cents[t][k] % 100);
            fputc('\n', f);
        }
    }
    if (fclose(f))
        return perror(path), 1;
    return 0;
}

/* One draw from the generator's current state: 1 if Ya'an's story comes
 * out, with its summary in story; 0 if not (the next draw is tried). */
static int build(char *story, size_t cap)
{
    n_cities = 0;
    for (int p = 0; p < N_PROV; p++) {
        int made = 0;
        for (int nn = 2; made < provinces[p].n; nn++) {
            char code[8], name[96], parent[8];
            snprintf(code, sizeof code, "%s%02d00", provinces[p].prefix,
                     nn % 100);
            int skip = 0;
            for (size_t s = 0; s < sizeof skip_codes / sizeof *skip_codes;
                 s++)
                skip |= strcmp(code, skip_codes[s]) == 0;
            if (skip)
                continue;
            made++;
            snprintf(name, sizeof name, "%s第%d市", provinces[p].name, made);
            snprintf(parent, sizeof parent, "%s0000", provinces[p].prefix);
            make_city(code, name, parent, 0.55, 0.88);
        }
    }
    /* Sichuan's cities sit lower in the national list than the average,
     * as the western provinces' did */
    for (int i = 0; i < N_SICHUAN; i++)
        make_city(sichuan[i].code, sichuan[i].name, "510000", 0.50, 0.80);

    city *yaan = NULL;
    for (int i = 0; i < n_cities; i++)
        if (strcmp(cities[i].code, YAAN) == 0)
            yaan = &cities[i];
    city *order[N_CITY];
    for (int t = 0; t < N_MONTHS; t++) {
        for (int i = 0; i < n_cities; i++)
            if (&cities[i] != yaan)
                score_city(&cities[i], t);
        if (!script_yaan(yaan, t))
            return 0;
        for (int i = 0; i < n_cities; i++)
            order[i] = &cities[i];
        month_of_rank = t;
        qsort(order, N_CITY, sizeof *order, by_score);
        for (int r = 0; r < N_CITY; r++)
            order[r]->rank[t] = r + 1;
        if (yaan->rank[t] != yaan_rank[t])
            return 0;
    }

    /* The story's checks: June's place in Sichuan (upper half), the
     * first-level score that fell most (信用监管, and it did fall). */
    int last = N_MONTHS - 1, place = 1, ranks[N_SICHUAN], nr = 0;
    for (int i = 0; i < n_cities; i++)
        if (strcmp(cities[i].parent, "510000") == 0) {
            ranks[nr++] = cities[i].rank[last];
            place += cities[i].rank[last] < yaan->rank[last];
        }
    if (place > (nr + 1) / 2)
        return 0;
    for (int i = 1; i < nr; i++) /* insertion sort: 20 ranks */
        for (int j = i; j > 0 && ranks[j - 1] > ranks[j]; j--) {
            int tmp = ranks[j];
            ranks[j] = ranks[j - 1];
            ranks[j - 1] = tmp;
        }
    long worst = 0;
    int worst_k = -1;
    for (int t = 0; t < N_MONTHS; t++)
        for (int k = 0; k < N_L1; k++)
            if (yaan->cents[t][k] > l1_weight[k] * 100L ||
                yaan->cents[t][k] < 0)
                return 0;
    for (int k = 0; k < N_L1; k++) {
        long dk = yaan->cents[last][k] - yaan->cents[last - 1][k];
        if (worst_k < 0 || dk < worst) {
            worst = dk;
            worst_k = k;
        } else if (dk == worst) {
            return 0; /* a tie would make "lost most" ambiguous */
        }
    }
    if (worst_k != L1_SUPERVISION || worst >= 0)
        return 0;

    size_t n = 0;
#define SAY(...) \
    (n += (size_t)snprintf(story + n, n < cap ? cap - n : 0, __VA_ARGS__))
    SAY("Ya'an (511800), prefecture list of %d: period rank score", N_CITY);
    for (int k = 0; k < N_L1; k++)
        SAY(" %s", l1_name[k]);
    SAY("\n");
    for (int t = 0; t < N_MONTHS; t++) {
        char per[8];
        period_text(t, per);
        SAY("  %s %3d %ld.%02ld", per, yaan->rank[t], yaan->total[t] / 100,
            yaan->total[t] % 100);
        for (int k = 0; k < N_L1; k++)
            SAY(" %ld.%02ld", yaan->cents[t][k] / 100,
                yaan->cents[t][k] % 100);
        SAY("\n");
    }
    SAY("2019-06: place %d of %d in Sichuan; Sichuan's ranks:", place, nr);
    for (int i = 0; i < nr; i++)
        SAY(" %d", ranks[i]);
    SAY("\n  median %.1f\n", nr % 2 ? (double)ranks[nr / 2]
                                    : (ranks[nr / 2 - 1] + ranks[nr / 2]) /
                                          2.0);
#undef SAY
    return n < cap;
}

int main(int argc, char **argv)
{
    const char *out = "fixtures/ranks";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else {
            fprintf(stderr, "usage: gen_ranks [--out DIR]\n");
            return 2;
        }
    }
    /* Draws follow one another from the fixed seed until one lets Ya'an's
     * story come out; the same binary always stops at the same draw. */
    static char story[8192];
    int draw = 1;
    while (!build(story, sizeof story)) {
        if (++draw > 1000) {
            fprintf(stderr, "gen_ranks: no draw tells Ya'an's story\n");
            return 1;
        }
    }
    if (write_files(out))
        return 1;
    printf("draw %d\n%s", draw, story);
    return 0;
}
