/*
 * SHA-1 (FIPS 180-4), only to compute the ids ADC gives resources that do not name one
 * (the hex digest of the resource's name). Not for anything that needs a secure hash.
 */
#ifndef UTIL_SHA1_H
#define UTIL_SHA1_H

#include <stddef.h>

#define SHA1_HEX_SIZE 41 /* 40 hex digits and the terminating NUL */

/* The digest of the concatenation of the given pieces, as lowercase hex. */
void sha1_hex(const char *const *pieces, const size_t *lens, size_t npieces,
              char out[SHA1_HEX_SIZE]);

#endif
