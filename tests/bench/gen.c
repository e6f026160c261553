/*
 * gen.c - deterministic synthetic microdata for credmon's benchmarks.
 *
 *   gen --seed N --size S --out DIR [--no-date-errors]
 *
 * Writes one province's inputs (formats: engine/import.h, engine/micro.h):
 *
 *   DIR/regions.csv                 510000 四川省, 21 cities, 180 counties
 *   DIR/units.csv                   32 member units
 *   DIR/calendar-2019.csv, -2020    working-day exceptions (see below)
 *   DIR/entities.csv                2,000,000 x S register entries
 *   DIR/publicity-2019-01.csv ...   10,000,000 x S 双公示 decisions over
 *   DIR/publicity-2020-11.csv         24 months; the 24th month is in
 *   DIR/append/publicity-2020-12.csv  its own folder (the append benchmark)
 *   DIR/blacklist.csv               200,000 x S entries
 *   DIR/commitments.csv             1,000,000 x S commitments
 *   DIR/gen-summary.txt             counts the derivations should find
 *
 * Same seed and size give byte-identical files: every random choice comes
 * from splitmix64/xoshiro256** streams seeded by (seed, stream), never
 * rand(), the clock or the environment.
 *
 * Publicity files are monthly extracts: publicity-YYYY-MM.csv holds every
 * decision of that month as it stood at the month's end (published empty
 * when the publication came later), plus, again under the same id, the
 * earlier decisions published during that month. So a record is upserted
 * by the next month's file, as a real monthly export would be; the summary
 * gives both file rows and distinct records. Publications after 2020-12-31
 * stay empty (the extract ends there).
 *
 * Delays: 2% never published; 1% "published" 1-10 days before the decision
 * (data errors; --no-date-errors publishes them 1-7 working days after it
 * instead, leaving every other record as it was); 8% late, 8-30 working
 * days; the rest 0-7 working days (0 = same day), where day 1 is the first
 * working day after the decision.
 * Decisions fall on working days only.
 *
 * Codes: GB 32100 unified social credit codes with both check characters
 * right, except ~0.1% with one character changed (always breaks the check:
 * 31 is prime and no weight is 0 mod 31) and ~0.05% of entities that reuse
 * an earlier entity's code under another name. Citizen IDs (GB 11643) on the
 * blacklist carry valid check digits and are unique by construction.
 *
 * Build: gcc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 gen.c -o gen -lm
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---------------------------------------------------------------- utils */

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "gen: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("%s", "out of memory");
    return p;
}

/* ------------------------------------------------------------------ rng */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* A hash of (a, b): random access to per-entity attributes. */
static uint64_t hash2(uint64_t a, uint64_t b)
{
    uint64_t s = a ^ (b * 0xD1B54A32D192ED03u);
    splitmix64(&s);
    return splitmix64(&s);
}

typedef struct rng {
    uint64_t s[4];
} rng;

static rng rng_new(uint64_t seed, uint64_t stream)
{
    rng r;
    uint64_t s = hash2(seed, stream);
    for (int i = 0; i < 4; i++)
        r.s[i] = splitmix64(&s);
    return r;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in [0, n), n > 0 (bias < n / 2^64). */
static uint64_t rng_below(rng *r, uint64_t n)
{
    return rng_next(r) % n;
}

/* Index into weights[0..n) with probability weights[i] / sum. */
static int pick_weighted(uint64_t x, const int *w, int n)
{
    long total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    long v = (long)(x % (uint64_t)total);
    for (int i = 0; i < n; i++) {
        if (v < w[i])
            return i;
        v -= w[i];
    }
    return n - 1;
}

/* The same draw as pick_weighted over a table of running sums cum[0..n)
 * (cum[n-1] = total): a binary search for the long county table. */
static int pick_cum(uint64_t x, const long *cum, int n)
{
    long v = (long)(x % (uint64_t)cum[n - 1]);
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (v < cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* ---------------------------------------------------------------- dates */

/* Days since 1970-01-01 (H. Hinnant's days_from_civil). */
static long days_of(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_of(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 0 Monday ... 6 Sunday (1970-01-01 was a Thursday). */
static int weekday(long day)
{
    return (int)(((day % 7) + 7 + 3) % 7);
}

/* "YYYY-MM-DD" of every day DS..DE, so rows copy 10 bytes per date. */
static long DS, DE, END_DAY;
static char (*date_txt)[11];

static void dates_init(void)
{
    DS = days_of(1949, 10, 1);
    DE = days_of(2021, 12, 31);
    END_DAY = days_of(2020, 12, 31);
    date_txt = xmalloc((size_t)(DE - DS + 1) * sizeof *date_txt);
    for (long z = DS; z <= DE; z++) {
        int y, m, d;
        civil_of(z, &y, &m, &d);
        snprintf(date_txt[z - DS], 11, "%04d-%02d-%02d", y, m, d);
    }
}

/* ------------------------------------------------------------- calendar */

/*
 * The generator's own approximation of the 2019-2020 State Council holiday
 * notices, used only to place decisions on working days and to count
 * publication delays. credmon itself never hard-codes a calendar: it reads
 * the calendar-YYYY.csv files written from this table like any other data.
 *   2019: 国办发明电〔2018〕15号, 劳动节 amended by 国办发明电〔2019〕3号
 *   2020: 国办发明电〔2019〕16号, 春节 extended to 02-02 by
 *         国办发明电〔2020〕1号 (02-01 no longer worked)
 * Days outside 2019-2020 are taken as Monday-Friday (only used to tell that
 * a publication fell after the extract's end).
 */
#define N19 "国办发明电〔2018〕15号"
#define N19B "国办发明电〔2019〕3号"
#define N20 "国办发明电〔2019〕16号"
#define N20B "国办发明电〔2020〕1号"

static const struct {
    int y, m0, d0, m1, d1;   /* holiday range, inclusive */
    const char *notice;
} holidays[] = {
    {2019, 1, 1, 1, 1, N19},    {2019, 2, 4, 2, 10, N19},
    {2019, 4, 5, 4, 7, N19},    {2019, 5, 1, 5, 4, N19B},
    {2019, 6, 7, 6, 9, N19},    {2019, 9, 13, 9, 15, N19},
    {2019, 10, 1, 10, 7, N19},  {2020, 1, 1, 1, 1, N20},
    {2020, 1, 24, 1, 30, N20},  {2020, 1, 31, 2, 2, N20B},
    {2020, 4, 4, 4, 6, N20},    {2020, 5, 1, 5, 5, N20},
    {2020, 6, 25, 6, 27, N20},  {2020, 10, 1, 10, 8, N20},
};

static const struct {
    int y, m, d;             /* weekend day worked instead (调休) */
    const char *notice;
} workdays[] = {
    {2019, 2, 2, N19},   {2019, 2, 3, N19},   {2019, 4, 28, N19B},
    {2019, 5, 5, N19B},  {2019, 9, 29, N19},  {2019, 10, 12, N19},
    {2020, 1, 19, N20},  {2020, 4, 26, N20},  {2020, 5, 9, N20},
    {2020, 6, 28, N20},  {2020, 9, 27, N20},  {2020, 10, 10, N20},
};

#define NHOL ((int)(sizeof holidays / sizeof holidays[0]))
#define NWORK ((int)(sizeof workdays / sizeof workdays[0]))

/* Working days from CAL0 to CAL1: flag, running count, list. */
static long CAL0, CAL1;
static unsigned char *is_work;
static long *work_cnt;   /* working days in [CAL0, d] */
static long *work_list;  /* the n-th working day from CAL0 */
static long n_work;

static void calendar_init(void)
{
    CAL0 = days_of(2018, 12, 1);
    CAL1 = days_of(2021, 12, 31);
    long n = CAL1 - CAL0 + 1;
    is_work = xmalloc((size_t)n);
    work_cnt = xmalloc((size_t)n * sizeof *work_cnt);
    work_list = xmalloc((size_t)n * sizeof *work_list);
    for (long z = CAL0; z <= CAL1; z++)
        is_work[z - CAL0] = weekday(z) < 5;
    for (int i = 0; i < NHOL; i++)
        for (long z = days_of(holidays[i].y, holidays[i].m0, holidays[i].d0);
             z <= days_of(holidays[i].y, holidays[i].m1, holidays[i].d1); z++)
            is_work[z - CAL0] = 0;
    for (int i = 0; i < NWORK; i++) {
        long z = days_of(workdays[i].y, workdays[i].m, workdays[i].d);
        if (weekday(z) < 5)
            die("calendar table: %s is not a weekend day", date_txt[z - DS]);
        is_work[z - CAL0] = 1;
    }
    n_work = 0;
    for (long z = CAL0; z <= CAL1; z++) {
        if (is_work[z - CAL0])
            work_list[n_work++] = z;
        work_cnt[z - CAL0] = n_work;
    }
}

static int workday(long z)
{
    return is_work[z - CAL0];
}

/* The k-th working day after z (k = 0: z itself). */
static long kth_workday_after(long z, int k)
{
    if (k == 0)
        return z;
    return work_list[work_cnt[z - CAL0] + k - 1];
}

/* Working days d with from < d <= to (to >= from). */
static long workdays_between(long from, long to)
{
    return work_cnt[to - CAL0] - work_cnt[from - CAL0];
}

/* -------------------------------------------------------------- output */

typedef struct out {
    FILE *f;
    char *buf;
    size_t n, cap;
    unsigned long long bytes, rows;
    char path[4096];
} out;

static unsigned long long total_bytes;

static void out_open(out *o, const char *dir, const char *name)
{
    memset(o, 0, sizeof *o);
    if (snprintf(o->path, sizeof o->path, "%s/%s", dir, name) >=
        (int)sizeof o->path)
        die("path too long: %s", dir);
    o->f = fopen(o->path, "wb");
    if (!o->f)
        die("cannot write %s", o->path);
    o->cap = (size_t)8 << 20;
    o->buf = xmalloc(o->cap);
}

static void out_flush(out *o)
{
    if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
        die("write error on %s", o->path);
    o->bytes += o->n;
    o->n = 0;
}

static void out_close(out *o)
{
    out_flush(o);
    if (fclose(o->f) != 0)
        die("write error on %s", o->path);
    total_bytes += o->bytes;
    free(o->buf);
    o->buf = NULL;
}

/* Room for one row: every row is far below 4 KiB. */
static void out_row(out *o)
{
    if (o->cap - o->n < 4096)
        out_flush(o);
    o->rows++;
}

static void put(out *o, const char *s, size_t n)
{
    memcpy(o->buf + o->n, s, n);
    o->n += n;
}

static void puts0(out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void putch(out *o, char c)
{
    o->buf[o->n++] = c;
}

static void put_date(out *o, long z)
{
    put(o, date_txt[z - DS], 10);
}

/* Unsigned decimal, zero-padded to width (0: no padding). */
static void put_uint(out *o, unsigned long long v, int width)
{
    char t[24];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        t[n++] = '0';
    while (n)
        putch(o, t[--n]);
}

/* ------------------------------------------------------------- regions */

static const struct {
    const char *code, *name, *shortname;
    int counties;
    int weight;   /* share of entities, roughly by economic size */
} cities[] = {
    {"510100", "成都市", "成都", 20, 350}, {"510300", "自贡市", "自贡", 6, 30},
    {"510400", "攀枝花市", "攀枝花", 5, 22}, {"510500", "泸州市", "泸州", 7, 50},
    {"510600", "德阳市", "德阳", 6, 50},   {"510700", "绵阳市", "绵阳", 9, 60},
    {"510800", "广元市", "广元", 7, 20},   {"510900", "遂宁市", "遂宁", 5, 30},
    {"511000", "内江市", "内江", 5, 30},   {"511100", "乐山市", "乐山", 10, 40},
    {"511300", "南充市", "南充", 9, 50},   {"511400", "眉山市", "眉山", 6, 30},
    {"511500", "宜宾市", "宜宾", 10, 60},  {"511600", "广安市", "广安", 6, 25},
    {"511700", "达州市", "达州", 7, 45},   {"511800", "雅安市", "雅安", 8, 15},
    {"511900", "巴中市", "巴中", 5, 15},   {"512000", "资阳市", "资阳", 3, 20},
    {"513200", "阿坝州", "阿坝", 13, 10},  {"513300", "甘孜州", "甘孜", 17, 10},
    {"513400", "凉山州", "凉山", 16, 40},
};
#define NCITY ((int)(sizeof cities / sizeof cities[0]))
#define NCOUNTY 180

typedef struct county {
    char code[7];
    char name[64];
    int city;
    int weight;
} county;

static county counties[NCOUNTY];
static long county_cum[NCOUNTY];

static void regions_init(void)
{
    int k = 0;
    for (int c = 0; c < NCITY; c++) {
        int zhou = cities[c].code[2] == '3';
        for (int j = 0; j < cities[c].counties; j++, k++) {
            if (k >= NCOUNTY)
                die("%s", "county table does not sum to 180");
            county *t = &counties[k];
            memcpy(t->code, cities[c].code, 4);
            t->code[4] = (char)('0' + (j + 2) / 10);
            t->code[5] = (char)('0' + (j + 2) % 10);
            t->code[6] = '\0';
            snprintf(t->name, sizeof t->name, "%s第%d%s", cities[c].name, j + 1,
                     zhou ? "县" : "区");
            t->city = c;
            /* the urban core twice the others, the rest +-30 % */
            uint64_t h = hash2(0x5C, (uint64_t)atol(t->code));
            int base = cities[c].weight * 1000 / cities[c].counties;
            t->weight = base * (j == 0 ? 2 : 1) * (70 + (int)(h % 61)) / 100;
            if (t->weight < 1)
                t->weight = 1;
            county_cum[k] = (k ? county_cum[k - 1] : 0) + t->weight;
        }
    }
    if (k != NCOUNTY)
        die("%s", "county table does not sum to 180");
}

static void write_regions(const char *dir)
{
    out o;
    out_open(&o, dir, "regions.csv");
    puts0(&o, "code,name,level,parent\n");
    out_row(&o);
    puts0(&o, "510000,四川省,province,\n");
    for (int c = 0; c < NCITY; c++) {
        out_row(&o);
        puts0(&o, cities[c].code);
        putch(&o, ',');
        puts0(&o, cities[c].name);
        puts0(&o, ",city,510000\n");
    }
    for (int k = 0; k < NCOUNTY; k++) {
        out_row(&o);
        puts0(&o, counties[k].code);
        putch(&o, ',');
        puts0(&o, counties[k].name);
        puts0(&o, ",county,");
        puts0(&o, cities[counties[k].city].code);
        putch(&o, '\n');
    }
    out_close(&o);
}

/* --------------------------------------------------------------- units */

/* ORDER UNITS: the U_* indices below index this table. */
static const char *const units[][2] = {
    {"市发展和改革委员会", "市发展改革委"},
    {"市市场监督管理局", "市市场监管局"},
    {"市税务局", ""},
    {"市人力资源和社会保障局", "市人社局"},
    {"市生态环境局", ""},
    {"市住房和城乡建设局", "市住建局"},
    {"市交通运输局", ""},
    {"市应急管理局", ""},
    {"市自然资源和规划局", "市自然资源规划局"},
    {"市卫生健康委员会", "市卫生健康委"},
    {"市教育局", ""},
    {"市公安局", ""},
    {"市财政局", ""},
    {"市商务局", ""},
    {"市农业农村局", ""},
    {"市水利局", ""},
    {"市文化广电旅游局", "市文广旅局"},
    {"市民政局", ""},
    {"市司法局", ""},
    {"市城市管理行政执法局", "市城管执法局"},
    {"市医疗保障局", "市医保局"},
    {"市林业局", ""},
    {"市经济和信息化局", "市经信局"},
    {"市统计局", ""},
    {"市审计局", ""},
    {"市中级人民法院", "市中院"},
    {"市行政审批局", ""},
    {"市科学技术局", "市科技局"},
    {"市烟草专卖局", ""},
    {"市气象局", ""},
    {"市消防救援支队", ""},
    {"人民银行市中心支行", "人行市中心支行"},
};
#define NUNIT ((int)(sizeof units / sizeof units[0]))
enum {
    U_FGW, U_SCJG, U_SW, U_RS, U_STHJ, U_ZJ, U_JT, U_YJ, U_ZRZY, U_WJ, U_JY,
    U_GA, U_CZ, U_SW2, U_NY, U_SL, U_WGL, U_MZ, U_SF, U_CG, U_YB, U_LY, U_JX,
    U_TJ, U_SJ, U_FY, U_SP, U_KJ, U_YC, U_QX, U_XF, U_RH
};

/* Source-unit weights of licences (许可) and penalties (处罚). */
static int unit_w_license[NUNIT], unit_w_penalty[NUNIT];

static void units_init(void)
{
    for (int i = 0; i < NUNIT; i++) {
        unit_w_license[i] = 1;
        unit_w_penalty[i] = 1;
    }
    unit_w_license[U_SP] = 300;  unit_w_license[U_SCJG] = 250;
    unit_w_license[U_ZJ] = 80;   unit_w_license[U_JT] = 60;
    unit_w_license[U_WJ] = 60;   unit_w_license[U_ZRZY] = 50;
    unit_w_license[U_STHJ] = 40; unit_w_license[U_WGL] = 30;
    unit_w_license[U_NY] = 30;   unit_w_license[U_SW2] = 20;
    unit_w_license[U_JY] = 20;   unit_w_license[U_SL] = 20;
    unit_w_license[U_LY] = 10;   unit_w_license[U_MZ] = 10;
    unit_w_license[U_FGW] = 10;  unit_w_license[U_YC] = 10;
    unit_w_penalty[U_SCJG] = 250; unit_w_penalty[U_SW] = 200;
    unit_w_penalty[U_JT] = 100;  unit_w_penalty[U_GA] = 100;
    unit_w_penalty[U_CG] = 80;   unit_w_penalty[U_STHJ] = 60;
    unit_w_penalty[U_YJ] = 50;   unit_w_penalty[U_WJ] = 40;
    unit_w_penalty[U_ZJ] = 40;   unit_w_penalty[U_XF] = 30;
    unit_w_penalty[U_RS] = 20;   unit_w_penalty[U_YB] = 20;
    unit_w_penalty[U_YC] = 10;   unit_w_penalty[U_ZRZY] = 20;
}

static void write_units(const char *dir)
{
    out o;
    out_open(&o, dir, "units.csv");
    puts0(&o, "name,short_name\n");
    for (int i = 0; i < NUNIT; i++) {
        out_row(&o);
        puts0(&o, units[i][0]);
        putch(&o, ',');
        puts0(&o, units[i][1]);
        putch(&o, '\n');
    }
    out_close(&o);
}

static void write_calendar(const char *dir, int year)
{
    char name[32];
    snprintf(name, sizeof name, "calendar-%d.csv", year);
    out o;
    out_open(&o, dir, name);
    puts0(&o, "date,kind,notice\n");
    for (long z = days_of(year, 1, 1); z <= days_of(year, 12, 31); z++) {
        int wk = weekday(z) < 5;
        if (wk == workday(z))
            continue;
        const char *notice = NULL;
        if (wk) {
            for (int i = 0; i < NHOL && !notice; i++)
                if (z >= days_of(holidays[i].y, holidays[i].m0, holidays[i].d0) &&
                    z <= days_of(holidays[i].y, holidays[i].m1, holidays[i].d1))
                    notice = holidays[i].notice;
        } else {
            for (int i = 0; i < NWORK && !notice; i++)
                if (z == days_of(workdays[i].y, workdays[i].m, workdays[i].d))
                    notice = workdays[i].notice;
        }
        out_row(&o);
        put_date(&o, z);
        puts0(&o, wk ? ",holiday," : ",workday,");
        puts0(&o, notice);
        putch(&o, '\n');
    }
    out_close(&o);
}

/* --------------------------------------------------------------- codes */

static const char USCC_ALPHA[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static signed char uscc_tab[256];

static void codes_init(void)
{
    memset(uscc_tab, -1, sizeof uscc_tab);
    for (int i = 0; i < 31; i++)
        uscc_tab[(unsigned char)USCC_ALPHA[i]] = (signed char)i;
}

static int uscc_val(char c)
{
    return uscc_tab[(unsigned char)c];
}

/* 0-9A-Z value for the GB 11714 organisation code check. */
static int org_val(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10;
}

static char org_check(const char *body8)
{
    static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int s = 0;
    for (int i = 0; i < 8; i++)
        s += org_val(body8[i]) * w[i];
    int c = 11 - s % 11;
    return c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
}

static char uscc_check(const char *c17)
{
    int s = 0, w = 1;
    for (int i = 0; i < 17; i++) {
        s += uscc_val(c17[i]) * w;
        w = w * 3 % 31;
    }
    return USCC_ALPHA[(31 - s % 31) % 31];
}

static int uscc_valid(const char *c)
{
    for (int i = 0; i < 18; i++)
        if (uscc_val(c[i]) < 0)
            return 0;
    return org_check(c + 8) == c[16] && uscc_check(c) == c[17];
}

static char citizen_check(const char *c17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += (c17[i] - '0') * w[i];
    return "10X98765432"[s % 11];
}

/* ------------------------------------------------------------ entities */

static uint64_t SEED;
static int no_date_errors;  /* --no-date-errors */
static long N_ENT;
static unsigned char *ent_county;
static unsigned short *ent_reg;     /* registered - REG0 */
static char (*ent_code)[18];
static unsigned char *ent_flags;    /* ENT_* */
static long *ub_by_day;             /* entities registered on or before */
static long REG0, REG1;

enum { ENT_CORRUPT = 1, ENT_SHARER = 2 };

static const char *const ZIHAO[] = {
    "鑫", "华", "盛", "达", "源", "通", "恒", "泰", "宏", "远", "金", "鼎",
    "瑞", "祥", "和", "兴", "隆", "昌", "佳", "德", "丰", "顺", "安", "康",
    "福", "嘉", "明", "晨", "星", "辰", "宇", "航", "天", "川", "蜀", "锦",
    "峰", "山", "海", "洋", "江", "润", "泽", "新", "创", "博", "睿", "智",
    "聚", "汇", "联", "众", "诚", "信", "永", "凯", "旭", "阳", "光", "辉",
    "宝", "利", "发", "成", "弘", "雅", "美", "优", "尚", "品", "家", "乐",
    "禾", "田", "园", "林", "森", "云", "翔", "龙", "凤", "腾", "飞", "万",
    "正", "方", "元", "合", "力", "升", "荣", "富", "贵", "长", "青", "蓉",
};
static const char *const TRADE[] = {
    "商贸", "科技", "建筑工程", "餐饮管理", "物流", "房地产开发", "农业开发",
    "信息技术", "机械设备", "文化传媒", "医药", "建材", "食品", "电子",
    "环保科技", "旅游开发", "实业", "企业管理咨询", "劳务", "装饰工程",
    "汽车销售", "酒业", "茶业", "能源", "化工", "服饰", "教育咨询", "物业管理",
};
static const char *const FORM[] = {"有限公司", "有限责任公司", "股份有限公司"};
static const char *const SHOP[] = {
    "便利店", "小吃店", "五金店", "汽车修理部", "理发店", "服装店", "茶楼",
    "火锅店", "农资店", "副食店", "大药房", "超市", "面馆", "建材经营部",
    "烟酒店", "电器维修部", "水果店", "家具店",
};
static const char *const CROP[] = {
    "茶叶种植", "柑橘种植", "猕猴桃种植", "蔬菜种植", "花椒种植", "生猪养殖",
    "中药材种植", "食用菌种植", "肉牛养殖", "水产养殖",
};
static const char *const SURNAME[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
    "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋",
    "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁",
    "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
};
static const char *const GIVEN[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
    "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华",
    "玉", "兰", "建", "国", "红", "文", "斌", "辉", "鹏", "林", "波", "宁",
    "春", "燕", "蓉", "川", "志", "德", "成", "福", "海", "云", "琴", "梅",
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(a, x) ((a)[(x) % NELEM(a)])

static uint64_t ent_hash(long i, uint64_t field)
{
    return hash2(SEED ^ 0xE4717135u, (uint64_t)i * 16 + field);
}

static int ent_is_sharer(long i)
{
    return i > 0 && ent_hash(i, 6) % 1000000 < 500;
}

/* The earlier entity whose code sharer i also holds (never a sharer). */
static long sharer_orig(long i)
{
    long j = (long)((ent_hash(i, 6) >> 32) % (uint64_t)i);
    while (j > 0 && ent_is_sharer(j))
        j--;
    return j;
}

/* Appends s at b + n; returns the new length. */
static size_t cat(char *b, size_t n, const char *s)
{
    size_t l = strlen(s);
    memcpy(b + n, s, l);
    return n + l;
}

/* An entity's name into buf (>= 256 bytes, NUL-terminated); salt varies
 * it. Returns its length. */
static size_t entity_name(long i, uint64_t salt, char *buf)
{
    uint64_t h = ent_hash(i, 4) ^ salt;
    const char *city = cities[counties[ent_county[i]].city].shortname;
    size_t n = 0;
    switch (ent_code[i][1]) {
    case '2':
        n = cat(buf, n, counties[ent_county[i]].name);
        n = cat(buf, n, PICK(ZIHAO, h >> 8));
        n = cat(buf, n, PICK(ZIHAO, h >> 16));
        n = cat(buf, n, PICK(SHOP, h >> 24));
        break;
    case '3':
        n = cat(buf, n, city);
        n = cat(buf, n, PICK(ZIHAO, h >> 8));
        n = cat(buf, n, PICK(ZIHAO, h >> 16));
        n = cat(buf, n, PICK(CROP, h >> 24));
        n = cat(buf, n, "专业合作社");
        break;
    default:
        n = cat(buf, n, (h >> 40) % 4 ? city : "四川");
        n = cat(buf, n, PICK(ZIHAO, h >> 8));
        n = cat(buf, n, PICK(ZIHAO, h >> 16));
        if ((h >> 44) % 3 == 0)
            n = cat(buf, n, PICK(ZIHAO, h >> 48));
        n = cat(buf, n, PICK(TRADE, h >> 24));
        n = cat(buf, n, FORM[(h >> 32) % 20 == 0 ? 2 : (h >> 32) % 3 == 0]);
    }
    buf[n] = '\0';
    return n;
}

/* A person's name into buf (>= 32 bytes, NUL-terminated). */
static void person_name(uint64_t h, char *buf)
{
    size_t n = cat(buf, 0, PICK(SURNAME, h));
    n = cat(buf, n, PICK(GIVEN, h >> 8));
    if ((h >> 40) % 3)
        n = cat(buf, n, PICK(GIVEN, h >> 16));
    buf[n] = '\0';
}

/* Entity names, made once: ent_names + ent_name_off[i], length
 * ent_name_off[i + 1] - ent_name_off[i]. */
static char *ent_names;
static size_t *ent_name_off;


static void put_ent_name(out *o, long i)
{
    put(o, ent_names + ent_name_off[i], ent_name_off[i + 1] - ent_name_off[i]);
}

/* The code entity i would have before any sharing. */
static void base_code(long i, char code[18])
{
    char type = ent_code[i][1]; /* set by entities_init */
    code[0] = '9';
    code[1] = type;
    memcpy(code + 2, counties[ent_county[i]].code, 6);
    if (REG0 + ent_reg[i] < days_of(2015, 10, 1)) {
        /* old organisation code: 8 digits, a bijection of i (48271 is
         * prime to 10^8) */
        uint64_t v = ((uint64_t)i * 48271u + 10000000u) % 100000000u;
        for (int k = 7; k >= 0; k--, v /= 10)
            code[8 + k] = (char)('0' + v % 10);
    } else {
        /* MA + 6 characters of the 31-character alphabet, a bijection of i */
        uint64_t v = ((uint64_t)i * 7919u + 123456u) % 887503681u; /* 31^6 */
        code[8] = 'M';
        code[9] = 'A';
        for (int k = 5; k >= 0; k--, v /= 31)
            code[10 + k] = USCC_ALPHA[v % 31];
    }
    code[16] = org_check(code + 8);
    code[17] = uscc_check(code);
    if (ent_hash(i, 5) % 1000000 < 1000) {
        uint64_t h = ent_hash(i, 5);
        int pos = (int)((h >> 32) % 18);
        int v = uscc_val(code[pos]);
        code[pos] = USCC_ALPHA[(v + 1 + (h >> 40) % 30) % 31];
    }
}

static void entities_init(double size)
{
    N_ENT = llround(2000000.0 * size);
    if (N_ENT < 100)
        N_ENT = 100;
    REG0 = days_of(1995, 1, 1);
    REG1 = END_DAY;
    ent_county = xmalloc((size_t)N_ENT);
    ent_reg = xmalloc((size_t)N_ENT * sizeof *ent_reg);
    ent_code = xmalloc((size_t)N_ENT * sizeof *ent_code);
    ent_flags = xmalloc((size_t)N_ENT);
    double span = (double)(REG1 - REG0);
    for (long i = 0; i < N_ENT; i++) {
        /* registrations grow with time: density ~ t^1.5 */
        double u = ((double)i + 0.5) / (double)N_ENT;
        ent_reg[i] = (unsigned short)(span * pow(u, 0.4));
        ent_county[i] = (unsigned char)pick_cum(ent_hash(i, 1), county_cum, NCOUNTY);
        uint64_t t = ent_hash(i, 2) % 100;
        ent_code[i][1] = t < 60 ? '1' : t < 97 ? '2' : '3';
    }
    for (long i = 0; i < N_ENT; i++) {
        char c[18];
        base_code(i, c);
        ent_flags[i] = uscc_valid(c) ? 0 : ENT_CORRUPT;
        memcpy(ent_code[i], c, 18);
    }
    for (long i = 0; i < N_ENT; i++) {
        if (!ent_is_sharer(i))
            continue;
        long j = sharer_orig(i);
        memcpy(ent_code[i], ent_code[j], 18);
        ent_flags[i] = (unsigned char)(ENT_SHARER | ent_flags[j]);
    }
    /* names; (code, name) is the key, so a second holder of a code gets
     * a name other than the first holder's */
    size_t cap = (size_t)N_ENT * 48 + 256, len = 0;
    ent_names = xmalloc(cap);
    ent_name_off = xmalloc((size_t)(N_ENT + 1) * sizeof *ent_name_off);
    char name[256], other[256];
    for (long i = 0; i < N_ENT; i++) {
        size_t n = entity_name(i, 0, name);
        if (ent_flags[i] & ENT_SHARER) {
            entity_name(sharer_orig(i), 0, other);
            for (uint64_t salt = 1; strcmp(name, other) == 0; salt++)
                n = entity_name(i, salt * 0x9E3779B97F4A7C15u, name);
        }
        if (cap - len < 256) {
            cap *= 2;
            ent_names = realloc(ent_names, cap);
            if (!ent_names)
                die("%s", "out of memory");
        }
        ent_name_off[i] = len;
        memcpy(ent_names + len, name, n);
        len += n;
    }
    ent_name_off[N_ENT] = len;

    ub_by_day = xmalloc((size_t)(DE - DS + 1) * sizeof *ub_by_day);
    long i = 0;
    for (long z = DS; z <= DE; z++) {
        while (i < N_ENT && REG0 + ent_reg[i] <= z)
            i++;
        ub_by_day[z - DS] = i;
    }
}

static const char *const STATUS[] = {"存续", "注销", "吊销"};

static void write_entities(const char *dir, unsigned long long *n_bad,
                           unsigned long long *n_shared)
{
    out o;
    out_open(&o, dir, "entities.csv");
    puts0(&o, "code,name,region,registered,status\n");
    *n_bad = *n_shared = 0;
    for (long i = 0; i < N_ENT; i++) {
        long reg = REG0 + ent_reg[i];
        if (ent_flags[i] & ENT_SHARER)
            (*n_shared)++;
        if (!uscc_valid(ent_code[i]))
            (*n_bad)++;
        uint64_t h = ent_hash(i, 3) % 1000;
        int old = reg < days_of(2005, 1, 1);
        int st = h < (old ? 700u : 880u) ? 0 : h < (old ? 900u : 970u) ? 1 : 2;
        out_row(&o);
        put(&o, ent_code[i], 18);
        putch(&o, ',');
        put_ent_name(&o, i);
        putch(&o, ',');
        put(&o, counties[ent_county[i]].code, 6);
        putch(&o, ',');
        put_date(&o, reg);
        putch(&o, ',');
        puts0(&o, STATUS[st]);
        putch(&o, '\n');
    }
    out_close(&o);
}

/* A permutation of the entities (a*q + b mod N, a prime to N). */
typedef struct perm {
    uint64_t a, b, q;
} perm;

static uint64_t gcd(uint64_t x, uint64_t y)
{
    while (y) {
        uint64_t t = x % y;
        x = y;
        y = t;
    }
    return x;
}

static perm perm_new(uint64_t h)
{
    perm p = {h % (uint64_t)N_ENT | 1, (h >> 32) % (uint64_t)N_ENT, 0};
    while (gcd(p.a, (uint64_t)N_ENT) != 1)
        p.a += 2;
    return p;
}

/* The next entity of the permutation that holds its code alone, so that
 * keys built on the code never repeat; -1 when exhausted. */
static long perm_next(perm *p)
{
    while (p->q < (uint64_t)N_ENT) {
        long e = (long)((p->a * p->q++ + p->b) % (uint64_t)N_ENT);
        if (!(ent_flags[e] & ENT_SHARER))
            return e;
    }
    return -1;
}

/* ----------------------------------------------------------- publicity */

typedef struct pub {
    uint32_t serial;
    int32_t subject;   /* entity index, or -1 for a natural person */
    int32_t decided, published;  /* published: -1 = never */
    uint8_t kind, unit, county;
} pub;

typedef struct pub_vec {
    pub *v;
    size_t n, cap;
} pub_vec;

static void pub_push(pub_vec *q, const pub *p)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 4096;
        q->v = realloc(q->v, q->cap * sizeof *q->v);
        if (!q->v)
            die("%s", "out of memory");
    }
    q->v[q->n++] = *p;
}

typedef struct pub_stats {
    unsigned long long records, file_rows_main, file_rows_append, license,
        penalty, persons, unpublished, before_decision, on_time, late,
        after_extract;
} pub_stats;

static void write_pub_row(out *o, const pub *p, int with_published)
{
    const char *dt = date_txt[p->decided - DS];
    char name[32];
    out_row(o);
    puts0(o, p->kind ? "CF" : "XK");
    put(o, dt, 4);
    put(o, dt + 5, 2);
    put_uint(o, p->serial, 9);
    puts0(o, p->kind ? ",处罚," : ",许可,");
    puts0(o, units[p->unit][0]);
    putch(o, ',');
    if (p->subject < 0) {
        put(o, counties[p->county].code, 6);
        putch(o, ',');
        person_name(hash2(SEED ^ 0x9E5u, p->serial), name);
        puts0(o, name);
        putch(o, ',');
    } else {
        put(o, counties[ent_county[p->subject]].code, 6);
        putch(o, ',');
        put_ent_name(o, p->subject);
        putch(o, ',');
        put(o, ent_code[p->subject], 18);
    }
    putch(o, ',');
    put_date(o, p->decided);
    putch(o, ',');
    if (with_published)
        put_date(o, p->published);
    putch(o, '\n');
}

/* Rows are made in batches and written with the random reads of entity
 * names and codes prefetched ahead: at full size these tables (~110 MB)
 * miss the cache on every row, which doubled the run time. */
#define PUB_BATCH 4096
#define PUB_AHEAD 16

static void prefetch(const void *p)
{
#if defined(__GNUC__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

/* Writes v[0..n); published shown where withpub[i] (NULL: all). */
static void write_pubs(out *o, const pub *v, const unsigned char *withpub,
                       size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i + 2 * PUB_AHEAD < n && v[i + 2 * PUB_AHEAD].subject >= 0) {
            long e = v[i + 2 * PUB_AHEAD].subject;
            prefetch(&ent_name_off[e]);
            prefetch(ent_code[e]);
            prefetch(&ent_county[e]);
        }
        if (i + PUB_AHEAD < n && v[i + PUB_AHEAD].subject >= 0)
            prefetch(ent_names + ent_name_off[v[i + PUB_AHEAD].subject]);
        write_pub_row(o, &v[i], withpub ? withpub[i] : 1);
    }
}

/* Delay in working days of an on-time record: 0 (same day) .. 7. */
static const int ONTIME_W[8] = {3, 25, 20, 15, 12, 10, 8, 7};

static void write_publicity(const char *dir, const char *append_dir, double size,
                            pub_stats *st)
{
    long total = llround(10000000.0 * size);
    if (total < 24)
        total = 24;
    int nmon = 24;
    double w[24], wsum = 0;
    for (int t = 0; t < nmon; t++) {
        int y = 2019 + t / 12, m = t % 12 + 1;
        long z0 = days_of(y, m, 1);
        long z1 = (m == 12 ? days_of(y + 1, 1, 1) : days_of(y, m + 1, 1)) - 1;
        w[t] = (double)workdays_between(z0 - 1, z1) * (1.0 + 0.3 * t / 23.0);
        if (y == 2020 && m == 2)
            w[t] *= 0.6; /* epidemic */
        wsum += w[t];
    }
    pub_vec pending[24];
    memset(pending, 0, sizeof pending);
    memset(st, 0, sizeof *st);
    uint32_t serial = 0;
    double cum = 0;
    long done = 0;
    for (int t = 0; t < nmon; t++) {
        int y = 2019 + t / 12, m = t % 12 + 1;
        long z0 = days_of(y, m, 1);
        long z1 = (m == 12 ? days_of(y + 1, 1, 1) : days_of(y, m + 1, 1)) - 1;
        cum += w[t];
        long upto = t == nmon - 1 ? total : llround((double)total * cum / wsum);
        long count = upto - done;
        done = upto;

        long wd[31];
        int nwd = 0;
        for (long z = z0; z <= z1; z++)
            if (workday(z))
                wd[nwd++] = z;

        char fname[64];
        snprintf(fname, sizeof fname, "publicity-%04d-%02d.csv", y, m);
        out o;
        out_open(&o, t == nmon - 1 ? append_dir : dir, fname);
        puts0(&o, "id,kind,source_unit,region,subject_name,subject_code,"
                  "decided,published\n");
        /* earlier decisions published this month, under the same id */
        write_pubs(&o, pending[t].v, NULL, pending[t].n);
        free(pending[t].v);

        rng r = rng_new(SEED, 1000 + (uint64_t)t);
        static pub batch[PUB_BATCH];
        static unsigned char withpub[PUB_BATCH];
        size_t nb = 0;
        for (long k = 0; k < count; k++) {
            pub p;
            p.serial = ++serial;
            p.decided = (int32_t)wd[rng_below(&r, (uint64_t)nwd)];
            p.kind = rng_below(&r, 100) < 30;
            p.unit = (uint8_t)pick_weighted(
                rng_next(&r), p.kind ? unit_w_penalty : unit_w_license, NUNIT);
            long ub = ub_by_day[p.decided - DS];
            if ((p.kind && rng_below(&r, 100) < 10) || ub == 0) {
                p.subject = -1;
                p.county = (uint8_t)pick_cum(rng_next(&r), county_cum, NCOUNTY);
                st->persons++;
            } else {
                p.subject = (int32_t)rng_below(&r, (uint64_t)ub);
                p.county = 0;
            }
            uint64_t dl = rng_below(&r, 1000);
            if (dl < 20) {
                p.published = -1;
            } else if (dl < 30) {
                int32_t back = 1 + (int32_t)rng_below(&r, 10);
                p.published = no_date_errors
                                  ? (int32_t)kth_workday_after(p.decided, back % 7 + 1)
                                  : p.decided - back;
            } else if (dl < 110) {
                p.published = (int32_t)kth_workday_after(
                    p.decided, 8 + (int)rng_below(&r, 23));
            } else {
                p.published = (int32_t)kth_workday_after(
                    p.decided, pick_weighted(rng_next(&r), ONTIME_W, 8));
            }
            if (p.published > END_DAY)
                p.published = -1, st->after_extract++;

            st->records++;
            if (p.kind)
                st->penalty++;
            else
                st->license++;
            if (p.published < 0)
                st->unpublished++;
            else if (p.published < p.decided)
                st->before_decision++;
            else if (workdays_between(p.decided, p.published) <= 7)
                st->on_time++;
            else
                st->late++;

            if (p.published >= 0 && p.published > z1) {
                int py, pm, pd;
                civil_of(p.published, &py, &pm, &pd);
                pub_push(&pending[(py - 2019) * 12 + pm - 1], &p);
                withpub[nb] = 0;
            } else {
                withpub[nb] = p.published >= 0;
            }
            batch[nb++] = p;
            if (nb == PUB_BATCH || k == count - 1) {
                write_pubs(&o, batch, withpub, nb);
                nb = 0;
            }
        }
        if (t == nmon - 1)
            st->file_rows_append += o.rows;
        else
            st->file_rows_main += o.rows;
        out_close(&o);
    }
}

/* ----------------------------------------------------------- blacklist */

static const struct {
    const char *name;
    int unit;
    int weight;
    int person_pct;   /* share of natural persons */
} lists[] = {
    {"失信被执行人", U_FY, 35, 40},
    {"严重违法失信企业名单", U_SCJG, 25, 0},
    {"重大税收违法失信主体", U_SW, 15, 0},
    {"拖欠农民工工资失信联合惩戒对象", U_RS, 8, 20},
    {"安全生产失信联合惩戒对象", U_YJ, 6, 0},
    {"环境保护失信黑名单", U_STHJ, 5, 0},
    {"政府采购严重违法失信名单", U_CZ, 3, 0},
    {"建筑市场主体不良行为名单", U_ZJ, 3, 0},
};
#define NLIST ((int)(sizeof lists / sizeof lists[0]))

typedef struct bl_stats {
    unsigned long long rows, persons, removed, repaired;
} bl_stats;

static void write_blacklist(const char *dir, double size, bl_stats *st)
{
    long total = llround(200000.0 * size);
    if (total < 1)
        total = 1;
    int list_w[NLIST];
    for (int i = 0; i < NLIST; i++)
        list_w[i] = lists[i].weight;
    static const int year_w[5] = {10, 15, 20, 25, 30}; /* 2016..2020 */
    static const int reason_w[4] = {35, 35, 25, 5};
    static const char *const reason[4] = {"信用修复", "期满移出", "履行义务",
                                          "撤销认定"};
    rng r = rng_new(SEED, 2);
    perm pm = perm_new(hash2(SEED, 22));
    memset(st, 0, sizeof *st);
    out o;
    out_open(&o, dir, "blacklist.csv");
    puts0(&o, "subject,name,region,list,listing_unit,listed,removed,"
              "removal_reason,repair_training,repair_commitment\n");
    const long birth0 = days_of(1950, 1, 1), births = 18262; /* to 1999 */
    uint64_t persons = 0;
    char name[256], subject[19];
    for (long k = 0; k < total; k++) {
        int li = pick_weighted(rng_next(&r), list_w, NLIST);
        int y = 2016 + pick_weighted(rng_next(&r), year_w, 5);
        long y0 = days_of(y, 1, 1);
        long listed = y0 + (long)rng_below(&r, (uint64_t)(days_of(y + 1, 1, 1) - y0));
        const char *region;
        long e = -1;
        if ((int)rng_below(&r, 100) >= lists[li].person_pct)
            e = perm_next(&pm);
        if (e >= 0) {
            long reg = REG0 + ent_reg[e];
            if (listed < reg + 30)
                listed = reg + 30 < END_DAY ? reg + 30 : END_DAY;
            memcpy(subject, ent_code[e], 18);
            memcpy(name, ent_names + ent_name_off[e],
                   ent_name_off[e + 1] - ent_name_off[e]);
            name[ent_name_off[e + 1] - ent_name_off[e]] = '\0';
            region = counties[ent_county[e]].code;
        } else {
            /* unique by construction: (birth day, sequence) differ for
             * every person number p (7919 is prime to 18262) */
            uint64_t p = persons++;
            int c = pick_cum(rng_next(&r), county_cum, NCOUNTY);
            uint64_t b = (p * 7919u + 4711u) % (uint64_t)births, blk = p / births;
            int g = (int)rng_below(&r, 2);
            int by, bm, bd;
            civil_of(birth0 + (long)b, &by, &bm, &bd);
            unsigned seq = (unsigned)(2 * ((blk * 37 + b * 13) % 500) + (uint64_t)g);
            snprintf(subject, sizeof subject, "%s%04d%02d%02d%03u",
                     counties[c].code, by, bm, bd, seq);
            subject[17] = citizen_check(subject);
            person_name(rng_next(&r), name);
            region = counties[c].code;
            st->persons++;
        }
        long removed = -1;
        int why = -1;
        if (rng_below(&r, 100) < 40 && END_DAY - listed >= 30) {
            removed = listed + 30 + (long)rng_below(&r, (uint64_t)(END_DAY - listed - 29));
            why = pick_weighted(rng_next(&r), reason_w, 4);
        }
        int training, commitment;
        if (why == 0) {
            training = rng_below(&r, 100) < 90;
            commitment = rng_below(&r, 100) < 95;
            st->repaired++;
        } else {
            training = rng_below(&r, 100) < 8;
            commitment = rng_below(&r, 100) < 10;
        }
        out_row(&o);
        put(&o, subject, 18);
        putch(&o, ',');
        puts0(&o, name);
        putch(&o, ',');
        puts0(&o, region);
        putch(&o, ',');
        puts0(&o, lists[li].name);
        putch(&o, ',');
        puts0(&o, units[lists[li].unit][0]);
        putch(&o, ',');
        put_date(&o, listed);
        putch(&o, ',');
        if (removed >= 0) {
            put_date(&o, removed);
            st->removed++;
        }
        putch(&o, ',');
        if (why >= 0)
            puts0(&o, reason[why]);
        puts0(&o, training ? ",是" : ",否");
        puts0(&o, commitment ? ",是\n" : ",否\n");
    }
    st->rows = o.rows;
    out_close(&o);
}

/* --------------------------------------------------------- commitments */

static const char *const CKIND[4] = {"审批替代型", "信用修复型", "行业自律型",
                                     "主动型"};

typedef struct cm_stats {
    unsigned long long rows, by_kind[4], published;
} cm_stats;

static void write_commitments(const char *dir, double size, cm_stats *st)
{
    long total = llround(1000000.0 * size);
    if (total < 1)
        total = 1;
    static const int kind_w[4] = {35, 5, 25, 35};
    rng r = rng_new(SEED, 3);
    perm pm = perm_new(hash2(SEED, 33));
    memset(st, 0, sizeof *st);
    out o;
    out_open(&o, dir, "commitments.csv");
    puts0(&o, "subject,kind,date,published\n");
    const long c0 = days_of(2019, 1, 1);
    for (long k = 0; k < total; k++) {
        long e = perm_next(&pm);
        if (e < 0) {
            fprintf(stderr, "gen: commitments capped at %ld (one per entity)\n", k);
            break;
        }
        int kind = pick_weighted(rng_next(&r), kind_w, 4);
        long from = REG0 + ent_reg[e];
        if (from < c0)
            from = c0;
        long date = from + (long)rng_below(&r, (uint64_t)(END_DAY - from + 1));
        int published = rng_below(&r, 100) < 85;
        st->by_kind[kind]++;
        st->published += (unsigned)published;
        out_row(&o);
        put(&o, ent_code[e], 18);
        putch(&o, ',');
        puts0(&o, CKIND[kind]);
        putch(&o, ',');
        put_date(&o, date);
        puts0(&o, published ? ",是\n" : ",否\n");
    }
    st->rows = o.rows;
    out_close(&o);
}

/* ---------------------------------------------------------------- main */

static void make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        die("cannot create %s", path);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
    fputs("usage: gen --seed N --size S --out DIR [--no-date-errors]\n"
          "  S = 1: 2,000,000 entities, 10,000,000 publicity records,\n"
          "  200,000 blacklist entries, 1,000,000 commitments (S scales all)\n"
          "  --no-date-errors: the 1% of publicity records published before\n"
          "  their decision are published 1-7 working days after it instead\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    double size = -1;
    int have_seed = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--seed")) {
            char *end;
            errno = 0;
            SEED = strtoull(argv[++i], &end, 10);
            if (errno || *end || end == argv[i])
                die("--seed: '%s' is not a number", argv[i]);
            have_seed = 1;
        } else if (i + 1 < argc && !strcmp(argv[i], "--size")) {
            char *end;
            size = strtod(argv[++i], &end);
            if (*end || end == argv[i] || !(size > 0 && size <= 50))
                die("--size: '%s' is not a number in (0, 50]", argv[i]);
        } else if (!strcmp(argv[i], "--no-date-errors")) {
            no_date_errors = 1;
        } else if (i + 1 < argc && !strcmp(argv[i], "--out")) {
            dir = argv[++i];
        } else {
            usage();
        }
    }
    if (!dir || size < 0 || !have_seed)
        usage();

    double t0 = now();
    char append_dir[4096];
    if (snprintf(append_dir, sizeof append_dir, "%s/append", dir) >=
        (int)sizeof append_dir)
        die("path too long: %s", dir);
    make_dir(dir);
    make_dir(append_dir);

    dates_init();
    calendar_init();
    regions_init();
    units_init();
    codes_init();
    entities_init(size);

    write_regions(dir);
    write_units(dir);
    write_calendar(dir, 2019);
    write_calendar(dir, 2020);
    unsigned long long n_bad, n_shared;
    write_entities(dir, &n_bad, &n_shared);
    pub_stats ps;
    write_publicity(dir, append_dir, size, &ps);
    bl_stats bs;
    write_blacklist(dir, size, &bs);
    cm_stats cs;
    write_commitments(dir, size, &cs);

    out o;
    out_open(&o, dir, "gen-summary.txt");
    char line[512];
#define SUM(...) (snprintf(line, sizeof line, __VA_ARGS__), puts0(&o, line))
    out_row(&o);
    SUM("# credmon benchmark data: gen --seed %llu --size %g%s\n",
        (unsigned long long)SEED, size, no_date_errors ? " --no-date-errors" : "");
    SUM("regions 1 province, %d cities, %d counties\n", NCITY, NCOUNTY);
    SUM("entities %ld\n", N_ENT);
    SUM("entities_bad_check %llu\n", n_bad);
    SUM("entities_second_holder_of_code %llu\n", n_shared);
    SUM("publicity_records %llu\n", ps.records);
    SUM("publicity_file_rows_main %llu\n", ps.file_rows_main);
    SUM("publicity_file_rows_append %llu\n", ps.file_rows_append);
    SUM("publicity_license %llu\n", ps.license);
    SUM("publicity_penalty %llu\n", ps.penalty);
    SUM("publicity_natural_persons %llu\n", ps.persons);
    SUM("publicity_unpublished_at_2020_12_31 %llu\n", ps.unpublished);
    SUM("publicity_of_which_published_after_2020_12_31 %llu\n", ps.after_extract);
    SUM("publicity_published_before_decision %llu\n", ps.before_decision);
    SUM("publicity_within_7_workdays %llu\n", ps.on_time);
    SUM("publicity_after_7_workdays %llu\n", ps.late);
    SUM("blacklist %llu\n", bs.rows);
    SUM("blacklist_natural_persons %llu\n", bs.persons);
    SUM("blacklist_removed %llu\n", bs.removed);
    SUM("blacklist_removed_by_credit_repair %llu\n", bs.repaired);
    SUM("commitments %llu\n", cs.rows);
    for (int k = 0; k < 4; k++)
        SUM("commitments_%s %llu\n", CKIND[k], cs.by_kind[k]);
    SUM("commitments_published %llu\n", cs.published);
    out_close(&o);

    double t1 = now();
    fprintf(stderr, "gen: wrote %s: %.1f MB in %.2f s (%.0f MB/s)\n", dir,
            (double)total_bytes / 1e6, t1 - t0,
            (double)total_bytes / 1e6 / (t1 - t0 > 0 ? t1 - t0 : 1e-9));
    return 0;
}
