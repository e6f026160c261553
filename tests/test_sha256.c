/*
 * test_sha256.c - SHA-256 against the FIPS 180-2 appendix vectors, fed whole,
 * in odd-sized pieces, and from a file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"

static const char *const abc_hex =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char *const empty_hex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char *const two_block_hex =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char *const million_a_hex =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
static const char two_block[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

/* portable: clear c.ni after init, forcing the portable compression even
 * on a CPU with the SHA extensions. */
static void hash_pieces_with(const char *s, size_t n, size_t piece,
                             int portable, char hex[65])
{
    cm_sha256 c;
    unsigned char dig[32];
    cm_sha256_init(&c);
    if (portable)
        c.ni = 0;
    for (size_t i = 0; i < n; i += piece)
        cm_sha256_update(&c, s + i, n - i < piece ? n - i : piece);
    cm_sha256_final(&c, dig);
    cm_sha256_hex(dig, hex);
}

static void hash_in_pieces(const char *s, size_t n, size_t piece, char hex[65])
{
    hash_pieces_with(s, n, piece, 0, hex);
}

static void test_vectors(void **state)
{
    (void)state;
    const struct {
        const char *in;
        const char *hex;
    } cases[] = {
        {"abc", abc_hex}, {"", empty_hex}, {two_block, two_block_hex},
    };
    static const size_t pieces[] = {1, 3, 7, 63, 64, 65, 1000};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (size_t p = 0; p < sizeof pieces / sizeof *pieces; p++) {
            char hex[65];
            hash_in_pieces(cases[i].in, strlen(cases[i].in), pieces[p], hex);
            assert_string_equal(hex, cases[i].hex);
        }
    }
}

static void test_million_a(void **state)
{
    (void)state;
    size_t n = 1000000;
    char *a = malloc(n);
    assert_non_null(a);
    memset(a, 'a', n);
    char hex[65];
    hash_in_pieces(a, n, n, hex);
    assert_string_equal(hex, million_a_hex);
    hash_in_pieces(a, n, 4097, hex);
    assert_string_equal(hex, million_a_hex);
    free(a);
}

/* The portable code and the SHA-NI code (where the CPU has it) both give
 * the FIPS vectors, and agree on every length around the block edges. */
static void test_both_paths(void **state)
{
    (void)state;
    cm_sha256 probe;
    cm_sha256_init(&probe);
    if (!probe.ni)
        print_message("no SHA extensions here: portable code only\n");
    const struct {
        const char *in;
        const char *hex;
    } cases[] = {
        {"abc", abc_hex}, {"", empty_hex}, {two_block, two_block_hex},
    };
    for (int portable = 0; portable < 2; portable++) {
        char hex[65];
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
            hash_pieces_with(cases[i].in, strlen(cases[i].in), 5, portable,
                             hex);
            assert_string_equal(hex, cases[i].hex);
        }
        size_t n = 1000000;
        char *a = malloc(n);
        assert_non_null(a);
        memset(a, 'a', n);
        hash_pieces_with(a, n, n, portable, hex);
        assert_string_equal(hex, million_a_hex);
        free(a);
    }
    /* many blocks in one update, any length mod 64 */
    char buf[300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 131 + 7);
    for (size_t n = 0; n <= sizeof buf; n++) {
        char h0[65], h1[65];
        hash_pieces_with(buf, n, sizeof buf, 0, h0);
        hash_pieces_with(buf, n, sizeof buf, 1, h1);
        assert_string_equal(h0, h1);
    }
}

static void test_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm_sha256_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/f", dir);
    char hex[65];
    long long size = 0;
    cm_diag d;
    cm_diag_clear(&d);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    char block[1000];
    memset(block, 'a', sizeof block);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(fwrite(block, 1, sizeof block, f), sizeof block);
    fclose(f);
    assert_int_equal(cm_sha256_file(path, hex, &size, &d), CM_OK);
    assert_string_equal(hex, million_a_hex);
    assert_int_equal(size, 1000000);
    unlink(path);

    assert_int_equal(cm_sha256_file(path, hex, &size, &d), CM_ERR_IO);
    assert_int_equal(d.code, CM_ERR_IO);
    assert_string_equal(d.file, path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_both_paths),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
