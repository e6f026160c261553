/*
 * tally.c - tally(k1, ..., kn): rows counted by key in a hash table,
 * returned as a JSON array (tally.h).
 *
 * Each row's key is serialized into bytes (per argument a tag, then an
 * 8-byte integer or a 4-byte length and the text), hashed, and looked up
 * in an open-addressing table whose entries point into one arena of key
 * bytes. Only xFinal decodes keys: to sort the groups and to write them.
 */
#include "tally.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { TAG_NULL, TAG_INT, TAG_TEXT };

typedef struct slot {
    uint64_t hash;
    size_t off; /* key bytes at arena + off */
    uint32_t len; /* 0: the slot is empty (a key has at least one tag) */
    int64_t count;
} slot;

typedef struct tally {
    slot *slots;
    size_t cap; /* power of two, at most three quarters used */
    size_t used;
    unsigned char *arena;
    size_t alen, acap;
    unsigned char *key; /* the current row's key */
    size_t kcap;
} tally;

static void tally_free(tally *t)
{
    if (!t)
        return;
    sqlite3_free(t->slots);
    sqlite3_free(t->arena);
    sqlite3_free(t->key);
    sqlite3_free(t);
}

/* Grows *buf to hold need bytes; 0 when memory is short. */
static int reserve(unsigned char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 1;
    size_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    unsigned char *p = sqlite3_realloc64(*buf, n);
    if (!p)
        return 0;
    *buf = p;
    *cap = n;
    return 1;
}

/* Eight bytes at a time, multiply and fold: a byte-wise FNV-1a was a
 * fifth of the derivation's time (a chain of 45 multiplies per record). */
static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
    const uint64_t k = 0x9E3779B97F4A7C15u;
    uint64_t h = n * k;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, p, n);
        h = (h ^ w) * k;
    }
    h ^= h >> 32;
    return h * k ^ (h >> 29);
}

static int rehash(tally *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    slot *s = sqlite3_malloc64(cap * sizeof *s);
    if (!s)
        return 0;
    memset(s, 0, cap * sizeof *s);
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].len)
            continue;
        size_t j = (size_t)t->slots[i].hash & (cap - 1);
        while (s[j].len)
            j = (j + 1) & (cap - 1);
        s[j] = t->slots[i];
    }
    sqlite3_free(t->slots);
    t->slots = s;
    t->cap = cap;
    return 1;
}

/* Serializes argv into t->key; returns its length, 0 when memory is
 * short, or -1 for a key of a type tally does not take. */
static long serialize(tally *t, int argc, sqlite3_value **argv)
{
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        int type = sqlite3_value_type(argv[i]);
        if (type == SQLITE_NULL) {
            if (!reserve(&t->key, &t->kcap, n + 1))
                return 0;
            t->key[n++] = TAG_NULL;
        } else if (type == SQLITE_INTEGER) {
            uint64_t v = (uint64_t)sqlite3_value_int64(argv[i]);
            if (!reserve(&t->key, &t->kcap, n + 9))
                return 0;
            t->key[n++] = TAG_INT;
            memcpy(t->key + n, &v, 8);
            n += 8;
        } else if (type == SQLITE_TEXT) {
            const unsigned char *s = sqlite3_value_text(argv[i]);
            if (!s)
                return 0;
            uint32_t len = (uint32_t)sqlite3_value_bytes(argv[i]);
            if (!reserve(&t->key, &t->kcap, n + 5 + len))
                return 0;
            t->key[n++] = TAG_TEXT;
            memcpy(t->key + n, &len, 4);
            memcpy(t->key + n + 4, s, len);
            n += 4 + len;
        } else {
            return -1;
        }
    }
    return (long)n;
}

static void tally_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    tally **tp = sqlite3_aggregate_context(ctx, sizeof *tp);
    if (!tp) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (!*tp) {
        *tp = sqlite3_malloc64(sizeof **tp);
        if (!*tp) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
        memset(*tp, 0, sizeof **tp);
    }
    tally *t = *tp;
    if (argc < 1) {
        sqlite3_result_error(ctx, "tally(): no key; it takes one or more", -1);
        return;
    }
    long n = serialize(t, argc, argv);
    if (n < 0) {
        sqlite3_result_error(ctx, "tally(): a key is a real or a blob; keys "
                                  "are integers, texts or NULL", -1);
        return;
    }
    if (n == 0 || ((t->used + 1) * 4 > t->cap * 3 && !rehash(t))) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    uint64_t h = hash_bytes(t->key, (size_t)n);
    size_t j = (size_t)h & (t->cap - 1);
    for (;; j = (j + 1) & (t->cap - 1)) {
        slot *s = &t->slots[j];
        if (!s->len)
            break;
        if (s->hash == h && s->len == (uint32_t)n &&
            memcmp(t->arena + s->off, t->key, (size_t)n) == 0) {
            s->count++;
            return;
        }
    }
    if (!reserve(&t->arena, &t->acap, t->alen + (size_t)n)) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    memcpy(t->arena + t->alen, t->key, (size_t)n);
    t->slots[j] = (slot){h, t->alen, (uint32_t)n, 1};
    t->alen += (size_t)n;
    t->used++;
}

typedef struct group {
    const unsigned char *key;
    uint32_t len;
    int64_t count;
} group;

/* One key part at *p: its tag, and its integer or text. Advances *p. */
static int part(const unsigned char **p, int64_t *v, const unsigned char **s,
                uint32_t *len)
{
    int tag = *(*p)++;
    if (tag == TAG_INT) {
        uint64_t u;
        memcpy(&u, *p, 8);
        *v = (int64_t)u;
        *p += 8;
    } else if (tag == TAG_TEXT) {
        memcpy(len, *p, 4);
        *s = *p + 4;
        *p += 4 + *len;
    }
    return tag;
}

static int group_cmp(const void *a, const void *b)
{
    const group *x = a, *y = b;
    const unsigned char *p = x->key, *q = y->key;
    const unsigned char *pe = p + x->len;
    /* both keys have the same number of parts: they came from one call */
    while (p < pe) {
        int64_t u = 0, v = 0;
        const unsigned char *s = NULL, *t = NULL;
        uint32_t m = 0, n = 0;
        int tx = part(&p, &u, &s, &m), ty = part(&q, &v, &t, &n);
        if (tx != ty)
            return tx < ty ? -1 : 1;
        if (tx == TAG_INT && u != v)
            return u < v ? -1 : 1;
        if (tx == TAG_TEXT) {
            int c = memcmp(s, t, m < n ? m : n);
            if (c)
                return c;
            if (m != n)
                return m < n ? -1 : 1;
        }
    }
    return 0;
}

static void json_text(sqlite3_str *out, const unsigned char *s, uint32_t n)
{
    sqlite3_str_appendchar(out, 1, '"');
    for (uint32_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\')
            sqlite3_str_appendf(out, "\\%c", c);
        else if (c < 0x20)
            sqlite3_str_appendf(out, "\\u%04x", c);
        else
            sqlite3_str_appendchar(out, 1, (char)c);
    }
    sqlite3_str_appendchar(out, 1, '"');
}

static void tally_final(sqlite3_context *ctx)
{
    tally **tp = sqlite3_aggregate_context(ctx, 0);
    tally *t = tp ? *tp : NULL;
    if (!t || !t->used) {
        sqlite3_result_text(ctx, "[]", 2, SQLITE_STATIC);
        tally_free(t);
        return;
    }
    group *g = sqlite3_malloc64(t->used * sizeof *g);
    sqlite3_str *out = sqlite3_str_new(sqlite3_context_db_handle(ctx));
    if (!g) {
        sqlite3_result_error_nomem(ctx);
        sqlite3_free(sqlite3_str_finish(out));
        tally_free(t);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].len)
            g[n++] = (group){t->arena + t->slots[i].off, t->slots[i].len,
                             t->slots[i].count};
    sqlite3_free(t->slots); /* the groups point into the arena only */
    t->slots = NULL;
    qsort(g, n, sizeof *g, group_cmp);
    sqlite3_str_appendchar(out, 1, '[');
    for (size_t i = 0; i < n; i++) {
        sqlite3_str_appendall(out, i ? ",[" : "[");
        const unsigned char *p = g[i].key, *pe = p + g[i].len;
        while (p < pe) {
            int64_t v = 0;
            const unsigned char *s = NULL;
            uint32_t len = 0;
            int tag = part(&p, &v, &s, &len);
            if (tag == TAG_INT)
                sqlite3_str_appendf(out, "%lld,", (long long)v);
            else if (tag == TAG_TEXT) {
                json_text(out, s, len);
                sqlite3_str_appendchar(out, 1, ',');
            } else {
                sqlite3_str_appendall(out, "null,");
            }
        }
        sqlite3_str_appendf(out, "%lld]", (long long)g[i].count);
    }
    sqlite3_str_appendchar(out, 1, ']');
    sqlite3_free(g);
    tally_free(t);
    int len = sqlite3_str_length(out);
    if (sqlite3_str_errcode(out) != SQLITE_OK) {
        int rc = sqlite3_str_errcode(out);
        sqlite3_free(sqlite3_str_finish(out));
        if (rc == SQLITE_NOMEM)
            sqlite3_result_error_nomem(ctx);
        else
            sqlite3_result_error_toobig(ctx);
        return;
    }
    sqlite3_result_text(ctx, sqlite3_str_finish(out), len, sqlite3_free);
}

cm_error cm_tally_register(sqlite3 *db, cm_diag *d)
{
    if (!db)
        return cm_diag_set(d, CM_ERR_USAGE, NULL, 0, NULL,
                           "no database to register tally() on");
    int rc = sqlite3_create_function_v2(db, "tally", -1, SQLITE_UTF8, NULL,
                                        NULL, tally_step, tally_final, NULL);
    if (rc != SQLITE_OK)
        return cm_diag_set(d, CM_ERR_STORE, NULL, 0, NULL,
                           "cannot register SQL function tally: %s",
                           sqlite3_errmsg(db));
    return CM_OK;
}
