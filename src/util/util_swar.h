/*
 * Eight bytes at a time in one 64-bit word (SWAR), where the machine is little-endian and the
 * compiler GNU-like: UTIL_SWAR is defined then, and the callers keep a byte loop for the rest.
 *
 * swar_zero_bytes(w) flags each zero byte of w by its high bit. A borrow may also flag bytes
 * after a true hit, never before one, so the lowest flag (swar_first) is exact.
 */
#ifndef UTIL_SWAR_H
#define UTIL_SWAR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define UTIL_SWAR  1
#define SWAR_ONES  0x0101010101010101ull
#define SWAR_HIGHS 0x8080808080808080ull

static inline uint64_t swar_load(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static inline uint64_t swar_zero_bytes(uint64_t w)
{
    return (w - SWAR_ONES) & ~w & SWAR_HIGHS;
}

/* The bytes of w equal to c, flagged as swar_zero_bytes() flags them. */
static inline uint64_t swar_bytes_equal(uint64_t w, unsigned char c)
{
    return swar_zero_bytes(w ^ (SWAR_ONES * c));
}

/* The offset of the lowest flagged byte; hit is not 0. */
static inline size_t swar_first(uint64_t hit)
{
    return (size_t)__builtin_ctzll(hit) >> 3;
}
#endif

#endif
