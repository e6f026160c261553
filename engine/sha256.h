/*
 * sha256.h - SHA-256 (FIPS 180-4) for the audit trail: every import and run
 * records the hash of what it read and wrote (DESIGN.md, "Pipeline").
 */
#ifndef CM_SHA256_H
#define CM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "cm.h"

/* Streaming state; fill with cm_sha256_init, feed with cm_sha256_update. */
typedef struct cm_sha256 {
    uint32_t h[8];          /* chaining value */
    uint64_t len;           /* bytes hashed so far */
    unsigned char buf[64];  /* partial block */
    size_t n;               /* bytes in buf */
    int ni;                 /* 1: blocks go to the x86 SHA instructions;
                               set by init from CPUID, may be cleared
                               after init to force the portable code */
} cm_sha256;

void cm_sha256_init(cm_sha256 *c);
void cm_sha256_update(cm_sha256 *c, const void *data, size_t n);
/* Writes the 32-byte digest; c must be re-initialised before reuse. */
void cm_sha256_final(cm_sha256 *c, unsigned char out[32]);

/* Lower-case hex of a digest, NUL-terminated (64 digits + NUL). */
void cm_sha256_hex(const unsigned char dig[32], char hex[65]);

/* Hashes a whole file, streaming. hex receives the lower-case digest; size
 * (may be NULL) the file's size in bytes. Errors: CM_ERR_IO naming path. */
cm_error cm_sha256_file(const char *path, char hex[65], long long *size,
                        cm_diag *d);

#endif
