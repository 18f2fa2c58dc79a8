/*
 * Eight bytes at a time in one 64-bit word (SWAR), where the machine is little-endian and the
 * compiler GNU-like: UTIL_SWAR is defined then, and the callers keep a byte loop for the rest.
 * Sixteen at a time with SSE2 (UTIL_SSE2, below).
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

/*
 * Sixteen bytes at a time where the compiler targets SSE2 (every x86-64): UTIL_SSE2 is defined
 * then, and the callers keep the SWAR and byte loops for the rest and for other machines.
 */
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define UTIL_SSE2 1

/* The bytes of the 16 at p equal to c, one bit each (bit i: byte i). */
static inline unsigned sse2_equal_mask(const unsigned char *p, unsigned char c)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)c)));
}
#endif

/* How many of the n bytes at p are c. */
static inline size_t bytes_count(const unsigned char *p, size_t n, unsigned char c)
{
    size_t count = 0, i = 0;
#ifdef UTIL_SSE2
    /* Each byte lane counts its own hits (a match is -1: subtracting it adds one), for at most
     * 255 rounds before a lane could wrap; then the lanes are summed. No popcount: x86-64's
     * baseline has none, and the compiler's stand-in is a call per mask. */
    const __m128i want = _mm_set1_epi8((char)c), zero = _mm_setzero_si128();
    while (i + 16 <= n) {
        __m128i lanes = zero;
        for (unsigned round = 0; round < 255 && i + 16 <= n; round++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(v, want));
        }
        __m128i sums = _mm_sad_epu8(lanes, zero); /* two 64-bit halves, each a sum of 8 lanes */
        count += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
    }
#endif
    for (; i < n; i++)
        count += p[i] == c;
    return count;
}

/*
 * The first place the len bytes of needle (len >= 2) start in the n bytes at p, or NULL. With
 * SSE2, 16 places at once are tested on the needle's first and last bytes, and only those
 * that pass are compared whole: memmem's general algorithm costs more per byte on text.
 */
static inline const unsigned char *bytes_find(const unsigned char *p, size_t n, const char *needle,
                                              size_t len)
{
    size_t i = 0;
    if (len < 2 || n < len)
        return NULL;
#ifdef UTIL_SSE2
    for (; i + len - 1 + 16 <= n; i += 16) {
        unsigned hits = sse2_equal_mask(p + i, (unsigned char)needle[0]) &
                        sse2_equal_mask(p + i + len - 1, (unsigned char)needle[len - 1]);
        for (; hits; hits &= hits - 1) {
            size_t at = i + (size_t)__builtin_ctz(hits);
            if (!memcmp(p + at + 1, needle + 1, len - 2))
                return p + at;
        }
    }
#endif
    for (; i + len <= n; i++)
        if (p[i] == (unsigned char)needle[0] && !memcmp(p + i, needle, len))
            return p + i;
    return NULL;
}

#endif
