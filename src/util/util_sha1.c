/*
 * SHA-1 as FIPS 180-4 section 6.1 gives it: 64-byte blocks, an 80-word message schedule, and
 * the message padded with 0x80, zeros and its length in bits (big-endian) to a whole block.
 */
#include "util_sha1.h"

#include <stdint.h>
#include <string.h>

struct sha1 {
    uint32_t h[5];
    uint8_t block[64];
    size_t used;    /* bytes waiting in block */
    uint64_t total; /* bytes hashed so far */
};

static uint32_t rotl(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

/* The round function and constant of each 20-round stage. */
static uint32_t stage_f(unsigned t, uint32_t b, uint32_t c, uint32_t d)
{
    if (t < 20)
        return (b & c) | (~b & d);
    if (t < 40 || t >= 60)
        return b ^ c ^ d;
    return (b & c) | (b & d) | (c & d);
}

static const uint32_t stage_k[4] = {0x5a827999u, 0x6ed9eba1u, 0x8f1bbcdcu, 0xca62c1d6u};

static void compress(struct sha1 *s)
{
    uint32_t w[80];
    for (unsigned t = 0; t < 16; t++)
        w[t] = (uint32_t)s->block[4 * t] << 24 | (uint32_t)s->block[4 * t + 1] << 16 |
               (uint32_t)s->block[4 * t + 2] << 8 | s->block[4 * t + 3];
    for (unsigned t = 16; t < 80; t++)
        w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
    for (unsigned t = 0; t < 80; t++) {
        uint32_t next = rotl(a, 5) + stage_f(t, b, c, d) + e + stage_k[t / 20] + w[t];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = next;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
}

static void update(struct sha1 *s, const uint8_t *data, size_t len)
{
    s->total += len;
    while (len > 0) {
        size_t take = sizeof(s->block) - s->used;
        if (take > len)
            take = len;
        memcpy(s->block + s->used, data, take);
        s->used += take;
        data += take;
        len -= take;
        if (s->used == sizeof(s->block)) {
            compress(s);
            s->used = 0;
        }
    }
}

static void finish(struct sha1 *s)
{
    uint64_t bits = s->total * 8;
    static const uint8_t pad_start = 0x80, zero = 0;
    update(s, &pad_start, 1);
    while (s->used != 56)
        update(s, &zero, 1);
    uint8_t length[8];
    for (unsigned i = 0; i < 8; i++)
        length[i] = (uint8_t)(bits >> (56 - 8 * i));
    update(s, length, sizeof(length));
}

void sha1_hex(const char *const *pieces, const size_t *lens, size_t npieces,
              char out[SHA1_HEX_SIZE])
{
    struct sha1 s = {{0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u}, {0}, 0, 0};
    for (size_t i = 0; i < npieces; i++)
        update(&s, (const uint8_t *)pieces[i], lens[i]);
    finish(&s);
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 20; i++) {
        uint8_t byte = (uint8_t)(s.h[i / 4] >> (24 - 8 * (i % 4)));
        out[2 * i] = digits[byte >> 4];
        out[2 * i + 1] = digits[byte & 15];
    }
    out[40] = '\0';
}
