/* Unit tests for src/util: versions, the string map, the key set, UTF-8, edit distance, SHA-1,
 * globs and file-system paths. */
#include <stdint.h>
#include <stdlib.h>

#include "model/model_path.h"
#include "tap.h"
#include "util/util_arena.h"
#include "util/util_array.h"
#include "util/util_buf.h"
#include "util/util_fspath.h"
#include "util/util_glob.h"
#include "util/util_keyset.h"
#include "util/util_sha1.h"
#include "util/util_str.h"
#include "util/util_strmap.h"
#include "util/util_swar.h"
#include "util/util_utf8.h"
#include "util/util_version.h"

static void test_versions(void)
{
    struct version a, b;
    ok(version_parse("3.4", 3, &a), "3.4 parses");
    ok(version_parse("3.4.0", 5, &b), "3.4.0 parses");
    is_int(version_compare(&a, &b), 0, "3.4 equals 3.4.0");
    ok(version_parse("3.10", 4, &b), "3.10 parses");
    is_int(version_compare(&a, &b), -1, "3.4 is older than 3.10 (numbers, not text)");
    ok(!version_parse("3.", 2, &a), "3. is not a version");
    ok(!version_parse("v3", 2, &a), "v3 is not a version");
    ok(!version_parse("1.2.3.4.5", 9, &a), "five parts are too many");
    ok(!version_parse("", 0, &a), "empty is not a version");
    char text[32];
    version_parse("2.8.1", 5, &a);
    version_format(&a, text, sizeof(text));
    is_str(text, "2.8.1", "formats back");
    version_parse("2.8", 3, &b);
    ok(version_same_minor(&a, &b), "2.8.1 is in minor 2.8");
}

static void test_strmap(void)
{
    struct strmap m;
    strmap_init(&m);
    char key[32];
    int inserted = 0;
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(key, sizeof(key), "service-%d", i);
        inserted += strmap_put(&m, key, (size_t)n, (uint32_t)i, NULL) == 1;
    }
    is_int(inserted, 100000, "100000 distinct keys inserted");
    uint32_t first = 0;
    is_int(strmap_put(&m, "service-42", 10, 7, &first), 0, "a repeat is found");
    is_int(first, 42, "with the first value");
    uint32_t *v = strmap_get(&m, "service-99999", 13);
    ok(v && *v == 99999, "lookup after growth");
    ok(!strmap_get(&m, "service-100000", 14), "absent key");
    ok(!strmap_get(&m, "service-4", 8) || *strmap_get(&m, "service-4", 8) == 4,
       "a prefix is its own key");
    ok(strmap_memory(&m) < 8u * 1024 * 1024, "100000 keys fit in 8 MiB");
    strmap_release(&m);
}

/* A key of the keyset test: i picks one of a few shapes that share prefixes, differ only at
 * the end, are prefixes of each other, are empty, or are as long as a key may be. */
static size_t keyset_test_key(char *key, int i)
{
    switch (i % 7) {
    case 0:
        return (size_t)snprintf(key, 64, "svc-%d", i / 7);
    case 1:
        return (size_t)snprintf(key, 64, "svc-%d-v1", i / 7);
    case 2:
        return (size_t)snprintf(key, 64, "\x08\x03key-auth\x1fsvc-%d", i / 7);
    case 3:
        return (size_t)snprintf(key, 64, "%08x-%04x", (unsigned)i * 2654435761u, (unsigned)i);
    case 4:
        return i == 4 ? 0 : (size_t)snprintf(key, 64, "s%d", i / 7);
    case 5:
        memset(key, 'x', KEYSET_KEY_MAX);
        key[snprintf(key, 32, "%d:", i)] = 'x';
        return (size_t)(KEYSET_KEY_MAX - (i / 7) % 50);
    default:
        return (size_t)snprintf(key, 64, "svc-%d\n", i / 7);
    }
}

/* Every answer of a set against what it was given; with hash_bits lowered every key has the
 * same slot and nearly the same hash, so only the key bytes tell keys apart. */
static void keyset_check(unsigned hash_bits, int n)
{
    struct keyset s;
    keyset_init(&s);
    s.hash_bits = hash_bits;
    char key[KEYSET_KEY_MAX + 1];
    int added = 0, wrong = 0;
    for (int i = 0; i < n; i++) {
        size_t len = keyset_test_key(key, i);
        /* Values jump both ways and to the ends of their range. */
        uint32_t value = i % 11 == 5 ? UINT32_MAX - (uint32_t)i : (uint32_t)(i * 37 % 1000);
        added += keyset_put(&s, key, len, value, NULL) == 1;
    }
    for (int i = 0; i < n; i++) {
        size_t len = keyset_test_key(key, i);
        uint32_t want = i % 11 == 5 ? UINT32_MAX - (uint32_t)i : (uint32_t)(i * 37 % 1000);
        uint32_t got = 0, first = 0;
        if (!keyset_get(&s, key, len, &got) || got != want)
            wrong++;
        if (keyset_put(&s, key, len, 1, &first) != 0 || first != want)
            wrong++;
        /* The same key one byte longer, or with its last byte changed, is another key. */
        key[len] = '#';
        if (keyset_get(&s, key, len + 1, NULL) && len + 1 <= KEYSET_KEY_MAX)
            wrong++;
        if (len && (key[len - 1] ^= 0x40, keyset_get(&s, key, len, NULL)))
            wrong++;
    }
    is_int(added, n,
           hash_bits < 64 ? "every distinct key added, hashes colliding"
                          : "every distinct key added");
    is_int(wrong, 0,
           hash_bits < 64 ? "every key found with its value, no other key matches it, "
                            "hashes colliding"
                          : "every key found with its value, no other key matches it");
    is_int(s.count, n, "as many entries as keys");
    keyset_release(&s);
}

/* The table takes the size reserved, not the next power of two, and keeps its keys through
 * every rebuild. */
static void test_keyset_sizes(void)
{
    struct keyset s;
    keyset_init(&s);
    char key[32];
    ok(keyset_reserve(&s, 100000) == 0, "room for 100000 keys");
    size_t slots = s.nslots;
    ok(slots % 64 == 0 && slots >= 100000 * 8 / 7 && slots < 100000 * 8 / 7 + 128,
       "in a table 7/8 full when they are all in, not one of 2^17 slots");
    is_int((long long)keyset_room(&s), (long long)(slots / 8 * 7), "all of it room");
    for (int i = 0; i < 100000; i++)
        keyset_put(&s, key, (size_t)snprintf(key, sizeof(key), "route-%d", i), (uint32_t)i, NULL);
    ok(s.nslots == slots, "the keys reserved for fit without a rebuild");
    is_int((long long)keyset_room(&s), (long long)(slots / 8 * 7 - 100000), "room left");
    ok(keyset_reserve(&s, 150000) == 0 && s.nslots > slots && s.nslots < 150000 * 8 / 7 + 128,
       "a larger reservation rebuilds to its own size");
    ok(keyset_reserve(&s, 1000) == 0 && s.nslots > slots, "a smaller one leaves the table be");
    int missing = 0;
    for (int i = 0; i < 100000; i++) {
        uint32_t v;
        int n = snprintf(key, sizeof(key), "route-%d", i);
        missing += !keyset_get(&s, key, (size_t)n, &v) || v != (uint32_t)i;
    }
    is_int(missing, 0, "every key and value is found after the rebuild");
    size_t before = s.nslots;
    while (keyset_room(&s))
        keyset_put(&s, key, (size_t)snprintf(key, sizeof(key), "more-%zu", s.count), 1, NULL);
    keyset_put(&s, "one more", 8, 1, NULL);
    ok(s.nslots == 2 * before, "full and not told more, the table doubles");
    keyset_release(&s);
}

/* Keys that share a prefix with an entry `back` entries before them, `drop` bytes shorter than
 * it, and add `suffix` bytes: the log grows by the value (one byte), the shape and the suffix,
 * and the shape takes one byte, two, or SHAPE_LONG and three varints, at each side of each
 * bound (back is at most 16: no key looks further). Every key is read back, from the last
 * block and from older ones. */
static void test_keyset_shapes(void)
{
    static const struct {
        size_t back, drop, suffix, shape_bytes;
    } cases[] = {
        {1, 0, 1, 1},    {7, 7, 4, 1},    {8, 7, 4, 2},    {7, 8, 4, 2}, {7, 7, 5, 2},
        {16, 30, 16, 2}, {16, 31, 16, 4}, {16, 30, 17, 4}, {3, 2, 0, 4}, {1, 40, 600, 5},
    };
    struct keyset s;
    keyset_init(&s);
    char key[KEYSET_KEY_MAX], ref[KEYSET_KEY_MAX];
    int wrong_size = 0, lost = 0;
    size_t ncases = sizeof(cases) / sizeof(cases[0]), fillers = 0;
    for (size_t c = 0; c < ncases; c++) {
        while (s.count % KEYSET_BLOCK) /* each case from a block's start */
            keyset_put(&s, key, (size_t)snprintf(key, 32, "\x7f%zu", fillers++), 7, NULL);
        /* the entry shared with: "case<c>-" and five a's, then `drop` more a's */
        int head = snprintf(ref, 32, "case%zu-aaaaa", c);
        memset(ref + head, 'a', cases[c].drop);
        size_t ref_len = (size_t)head + cases[c].drop;
        keyset_put(&s, ref, ref_len, 7, NULL);
        for (size_t j = 1; j < cases[c].back; j++) /* entries that share nothing with it */
            keyset_put(&s, key, (size_t)snprintf(key, 32, "\x7f%zu", fillers++), 7, NULL);
        memcpy(key, ref, (size_t)head);
        memset(key + head, 'b', cases[c].suffix);
        size_t len = (size_t)head + cases[c].suffix;
        if (!cases[c].suffix) /* a prefix of the entry: it drops what it does not keep */
            len = ref_len - cases[c].drop;
        size_t before = s.log_len;
        keyset_put(&s, key, len, 7, NULL);
        size_t grew = s.log_len - before - 1 - cases[c].suffix;
        if (grew != cases[c].shape_bytes) {
            printf("# case %zu: a shape of %zu bytes, not %zu\n", c, grew, cases[c].shape_bytes);
            wrong_size++;
        }
        lost += !keyset_get(&s, key, len, NULL) + !keyset_get(&s, ref, ref_len, NULL);
    }
    is_int(wrong_size, 0, "each shape takes the bytes its bounds give it");
    is_int(lost, 0, "each key and the key it shares with are found in the last block");
    for (size_t c = 0; c < ncases; c++) {
        int head = snprintf(key, 32, "case%zu-aaaaa", c);
        memset(key + head, 'b', cases[c].suffix);
        size_t len = (size_t)head + cases[c].suffix;
        memset(key + head, 'a', cases[c].suffix ? 0 : cases[c].drop);
        lost += !keyset_get(&s, key, cases[c].suffix ? len : (size_t)head, NULL);
        key[head - 1] = 'z';
        lost += keyset_get(&s, key, cases[c].suffix ? len : (size_t)head, NULL);
    }
    is_int(lost, 0, "and read back from older blocks, and nothing near them is");
    keyset_release(&s);
}

static void test_keyset(void)
{
    keyset_check(64, 200000);
    keyset_check(0, 1500);
    keyset_check(3, 1500);
    struct keyset s;
    keyset_init(&s);
    char key[KEYSET_KEY_MAX + 1];
    memset(key, 'y', sizeof(key));
    is_int(keyset_put(&s, key, sizeof(key), 1, NULL), -1, "a key past KEYSET_KEY_MAX is refused");
    ok(!keyset_get(&s, "a", 1, NULL), "an empty set holds nothing");
    for (int i = 0; i < 300000; i++) {
        int n = snprintf(key, 32, "service-%d", i);
        keyset_put(&s, key, (size_t)n, (uint32_t)i, NULL);
    }
    /* A copy of every name with a 16-byte slot each (util_strmap) takes over 12 MiB. */
    ok(keyset_memory(&s) < 5u * 1024 * 1024, "300000 short names fit in 5 MiB, table included");
    keyset_release(&s);
    test_keyset_sizes();
}

/* The byte-at-a-time meaning of utf8_ascii_run(), bytes_count() and bytes_find(). */
static size_t ascii_run_slow(const unsigned char *b, size_t p, size_t e, bool tab_and_cr)
{
    while (p < e && ((b[p] >= 0x20 && b[p] < 0x7F) || b[p] == '\n' ||
                     (tab_and_cr && (b[p] == '\t' || b[p] == '\r'))))
        p++;
    return p;
}

static long find_slow(const unsigned char *p, size_t n, const char *needle, size_t len)
{
    for (size_t i = 0; i + len <= n; i++)
        if (!memcmp(p + i, needle, len))
            return (long)i;
    return -1;
}

/*
 * The 16- and 8-byte paths against the byte loops, on buffers drawn from bytes that matter to
 * them (letters, the needle's, line ends, tab, controls, DEL, bytes of 0x80 and up), at every
 * length and start up to 70: a wrong lane or a missed tail shows as a difference.
 */
static void test_wide_scans(void)
{
    static const unsigned char palette[] = {'a',  'g',  'e',  ':',  ' ', '\n', '\t', '\r',
                                            0x01, 0x7F, 0x80, 0xC3, 'h', 'o',  'p',  't'};
    uint32_t seed = 12345;
    unsigned char buf[80];
    int runs_wrong = 0, counts_wrong = 0, finds_wrong = 0;
    for (int round = 0; round < 3000; round++) {
        size_t n = (size_t)round % 71;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            /* mostly plain letters, so that long runs and whole words occur */
            buf[i] = (seed >> 16) % 4 ? 'a' + (seed >> 20) % 26 : palette[(seed >> 24) % 16];
        }
        if (round % 5 == 0 && n >= 8) /* a needle somewhere */
            memcpy(buf + (seed >> 8) % (n - 7), "gatehop:", 8);
        for (size_t from = 0; from <= n; from++) {
            runs_wrong +=
                utf8_ascii_run(buf, from, n, round % 2) != ascii_run_slow(buf, from, n, round % 2);
            const unsigned char *hit = bytes_find(buf + from, n - from, "gatehop:", 8);
            finds_wrong += (hit ? (long)(hit - buf - (long)from) : -1) !=
                           find_slow(buf + from, n - from, "gatehop:", 8);
        }
        size_t newlines = 0;
        for (size_t i = 0; i < n; i++)
            newlines += buf[i] == '\n';
        counts_wrong += bytes_count(buf, n, '\n') != newlines;
    }
    is_int(runs_wrong, 0, "utf8_ascii_run agrees with the byte loop everywhere");
    is_int(finds_wrong, 0, "bytes_find agrees with a plain search everywhere");
    is_int(counts_wrong, 0, "bytes_count agrees with a plain count");
    static unsigned char many[20000];
    memset(many, '\n', sizeof(many));
    is_int(bytes_count(many, sizeof(many), '\n'), 20000, "20000 hits: no lane wraps at 256");
    ok(bytes_find(many, sizeof(many), "gatehop:", 8) == NULL, "no needle in none");
    memcpy(many + sizeof(many) - 8, "gatehop:", 8);
    ok(bytes_find(many, sizeof(many), "gatehop:", 8) == many + sizeof(many) - 8,
       "one at the very end");
    ok(bytes_find(many, 7, "gatehop:", 8) == NULL, "a haystack shorter than the needle");
}

static void test_utf8(void)
{
    size_t bad = 0;
    ok(utf8_valid("h\xc3\xa9llo", 6, &bad), "valid two-byte sequence");
    ok(!utf8_valid("a\xc3(", 3, &bad), "broken sequence");
    is_int(bad, 1, "at the right offset");
    ok(!utf8_valid("\xed\xa0\x80", 3, &bad), "surrogates are not UTF-8");
    ok(!utf8_valid("\xc0\xaf", 2, &bad), "overlong form is rejected");
    is_int(utf8_count("h\xc3\xa9llo", 6), 5, "characters, not bytes");
    is_int(utf8_offset("h\xc3\xa9llo", 6, 2), 3, "byte offset of the third character");
}

/* What the fast readers take as libyaml's reader does (src/reader/reader_block.h, reader_json.h).
 */
static void test_utf8_yaml(void)
{
    const unsigned char *u = (const unsigned char *)"\xc3\xa9\xe6\x97\xa5\xf0\x9f\x9a\x80";
    is_int(utf8_yaml_length(u, 9), 2, "a two-byte letter");
    is_int(utf8_yaml_length(u + 2, 7), 3, "a three-byte letter");
    is_int(utf8_yaml_length(u + 5, 4), 4, "a four-byte emoji");
    is_int(utf8_yaml_length(u + 5, 3), 0, "cut short: not a character yet");
    is_int(utf8_yaml_length((const unsigned char *)"\xc2\x85", 2), 0, "NEL is a line break");
    is_int(utf8_yaml_length((const unsigned char *)"\xe2\x80\xa8", 3), 0, "LS is a line break");
    is_int(utf8_yaml_length((const unsigned char *)"\xc2\x9f", 2), 0, "a C1 control");
    is_int(utf8_yaml_length((const unsigned char *)"\xc2\xa0", 2), 2, "no-break space is taken");
    is_int(utf8_yaml_length((const unsigned char *)"\xef\xbf\xbe", 3), 0, "U+FFFE is not");
    is_int(utf8_yaml_length((const unsigned char *)"A", 1), 0, "ASCII is not its business");
    ok(utf8_cut(u + 5, 2), "two bytes of four: the next read completes it");
    ok(!utf8_cut(u + 5, 4), "a whole character is not cut");
    ok(!utf8_cut((const unsigned char *)"\xf0\x9f\n", 3), "a line feed ends it: not cut, bad");
    const unsigned char *text = (const unsigned char *)"key: value\n  more: [a, b]\t\x01z";
    is_int(utf8_ascii_run(text, 0, 28, false), 25, "a tab ends the run without tab_and_cr");
    is_int(utf8_ascii_run(text, 0, 28, true), 26, "a control character ends it with it");
    is_int(utf8_ascii_run(u, 0, 9, true), 0, "a byte of a multi-byte character ends it");
    const unsigned char *del = (const unsigned char *)"0123456789abcde\x7f";
    is_int(utf8_ascii_run(del, 0, 16, true), 15, "DEL ends it, past a whole word");
    size_t bad;
    const unsigned char *bom = (const unsigned char *)"a: \xef\xbb\xbf\n";
    is_int(utf8_yaml_check(bom, 0, 7, false, false, false, &bad), 3, "stops at a BOM inside");
    is_int(bad, 3, "which is not taken without bom");
    is_int(utf8_yaml_check(bom, 0, 7, false, true, false, &bad), 7, "taken with bom");
    is_int(bad, SIZE_MAX, "nothing bad then");
    is_int(utf8_yaml_check(text, 0, 28, true, true, false, &bad), 26, "a control character");
    is_int(bad, 26, "is bad even with tab_and_cr");
    is_int(utf8_yaml_check(u, 0, 7, true, true, true, &bad), 5, "waits for a cut character");
    is_int(bad, SIZE_MAX, "that more bytes may complete");
    is_int(utf8_yaml_check(u, 0, 7, true, true, false, &bad), 5, "at the end of the input");
    is_int(bad, 5, "it is bad");
}

static void test_misc(void)
{
    is_int(str_edit_distance("protocol", "protocols"), 1, "one insertion");
    is_int(str_edit_distance("hosts", "host"), 1, "one deletion");
    is_int(str_edit_distance("paths", "pahts"), 2, "a swap is two edits");
    ok(str_ends_with("a.json", ".json"), "suffix");
    struct path p;
    path_init(&p);
    path_push_key(&p, "services", 8);
    path_push_index(&p, 3);
    path_push_key(&p, "a/b~c", 5);
    is_str(path_text(&p), "/services/3/a~1b~0c", "JSON pointer escaping");
    path_pop(&p);
    is_str(path_text(&p), "/services/3", "pop undoes one push");
    struct buf b;
    buf_init(&b, 8);
    ok(buf_puts(&b, "12345678") == 0, "fills to the cap");
    ok(buf_puts(&b, "9") < 0, "refuses past the cap");
    is_str(buf_cstr(&b), "12345678", "and keeps what it had");
    buf_release(&b);
}

/* The FIPS 180-4 example vectors, a message that crosses a block, and pieces joined. */
static void test_sha1(void)
{
    char hex[SHA1_HEX_SIZE];
    const char *empty = "";
    size_t zero = 0;
    sha1_hex(&empty, &zero, 1, hex);
    is_str(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1 of nothing");
    const char *abc = "abc";
    size_t three = 3;
    sha1_hex(&abc, &three, 1, hex);
    is_str(hex, "a9993e364706816aba3e25717850c26c9cd0d89d", "sha1 of abc");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    size_t len = strlen(two_blocks);
    sha1_hex(&two_blocks, &len, 1, hex);
    is_str(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "sha1 of the 448-bit vector");
    const char *pieces[] = {"ab", "", "c"};
    size_t lens[] = {2, 0, 1};
    sha1_hex(pieces, lens, 3, hex);
    is_str(hex, "a9993e364706816aba3e25717850c26c9cd0d89d", "pieces hash as one message");
    char million[1000];
    memset(million, 'a', sizeof(million));
    const char *ptrs[1000];
    size_t sizes[1000];
    for (size_t i = 0; i < 1000; i++) {
        ptrs[i] = million;
        sizes[i] = sizeof(million);
    }
    sha1_hex(ptrs, sizes, 1000, hex);
    is_str(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f", "sha1 of a million 'a's");
}

static void test_glob(void)
{
    static const struct {
        const char *pattern, *path;
        bool match;
    } cases[] = {
        {"*.yml", "kong.yml", true},
        {"*.yml", "dir/kong.yml", false}, /* '*' stays within a segment */
        {"kong/*.yml", "kong/a.yml", true},
        {"kong/*.yml", "kong/a/b.yml", false},
        {"kong/**/*.yml", "kong/a.yml", true}, /* '**' is zero segments too */
        {"kong/**/*.yml", "kong/a/b/c.yml", true},
        {"kong/**/*.yml", "other/a.yml", false},
        {"**/*.json", "a/b/c.json", true},
        {"**/*.json", "c.json", true},
        {"legacy/**", "legacy/x/y.yaml", true},
        {"legacy/**", "legacyx/y.yaml", false},
        {"a?c.yml", "abc.yml", true},
        {"a?c.yml", "a/c.yml", false},
        {"[ab]*.yml", "b1.yml", true},
        {"[!ab]*.yml", "b1.yml", false},
        {"[^ab]*.yml", "c1.yml", true},
        {"v[0-9].yml", "v7.yml", true},
        {"v[0-9].yml", "vx.yml", false},
        {"[]].yml", "].yml", true},
        {"[.yml", "[.yml", true}, /* an unclosed '[' is literal */
        {"\\*.yml", "*.yml", true},
        {"\\*.yml", "a.yml", false},
        {"*a*b*c*", "xaybzc", true},
        {"*a*b*c*", "xaybz", false},
        {"*", "", true},
        {"a/*/c", "a//c", true},
        {"", "", true},
        {"", "a", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ok(glob_match(cases[i].pattern, cases[i].path) == cases[i].match, "glob '%s' %s '%s'",
           cases[i].pattern, cases[i].match ? "matches" : "does not match", cases[i].path);
    ok(glob_has_magic("k/*.yml") && glob_has_magic("a?") && glob_has_magic("[ab]"),
       "metacharacters make a pattern");
    ok(!glob_has_magic("kong/kong.yml"), "a plain name is not a pattern");
}

static void check_fspath(char *got, const char *want, const char *what)
{
    is_str(got ? got : "(null)", want, what);
    free(got);
}

static void test_fspath(void)
{
    check_fspath(fspath_absolute("/a/./b//c/../d"), "/a/b/d", "dot segments resolve");
    check_fspath(fspath_absolute("/../x"), "/x", "'..' stops at the root");
    check_fspath(fspath_absolute("/a/b/"), "/a/b", "no trailing slash");
    check_fspath(fspath_absolute("/"), "/", "the root stays");
    char *rel = fspath_absolute("x/y.yml");
    ok(rel && rel[0] == '/' && str_ends_with(rel, "/x/y.yml"), "relative paths start at cwd");
    free(rel);
    check_fspath(fspath_parent("/a/b.yml"), "/a", "parent of a file");
    check_fspath(fspath_parent("/b.yml"), "/", "parent at the root");
    check_fspath(fspath_join("/a", "b"), "/a/b", "join");
    check_fspath(fspath_join("/", "b"), "/b", "join at the root");
    check_fspath(fspath_relative("/a", "/a/b/c.yml"), "b/c.yml", "below");
    check_fspath(fspath_relative("/a/b", "/a/c/d.yml"), "../c/d.yml", "beside");
    check_fspath(fspath_relative("/a/b", "/a"), "..", "above");
    check_fspath(fspath_relative("/ab", "/a"), "../a", "a shared prefix is not a directory");
    check_fspath(fspath_relative("/", "/x"), "x", "from the root");
    check_fspath(fspath_relative("/a", "/a"), ".", "the same directory");
}

static void test_arrays(void)
{
    size_t cap = 0;
    char *b = bytes_reserve(NULL, &cap, 10, 16);
    ok(b && cap == 16, "bytes_reserve: the first size when it holds what is needed");
    char *same = bytes_reserve(b, &cap, 16, 16);
    ok(same == b && cap == 16, "bytes_reserve: no move while there is room");
    b = bytes_reserve(same, &cap, 100, 16);
    ok(b && cap == 128, "bytes_reserve: doubles until the need fits (16 -> 128 for 100)");
    size_t before = cap;
    ok(!bytes_reserve(b, &cap, SIZE_MAX, 16) && cap == before,
       "bytes_reserve: a size past memory fails and leaves the buffer as it was");
    free(b);
    size_t n = 0;
    int *items = array_grow(NULL, &n, 0, sizeof(int), 4);
    ok(items && n == 4, "array_grow: the first size");
    items = array_grow(items, &n, 4, sizeof(int), 4);
    ok(items && n == 8, "array_grow: twice as many when full");
    free(items);
}

/* The arena: what it hands out is aligned, apart and kept; a zero size is still a place; a
 * reset reuses the first block; an allocation larger than a block leaves the head's room. */
static void test_arena(void)
{
    struct arena a;
    arena_init(&a, 256);
    void *zero = arena_alloc(&a, 0);
    ok(zero != NULL, "a zero-byte allocation from an empty arena is a place, not a failure");
    char *p[100];
    bool apart = true, aligned = true;
    size_t rounded = 0;
    for (int i = 0; i < 100; i++) {
        rounded += ((size_t)(i % 13) + 1 + 7) & ~(size_t)7;
        p[i] = arena_alloc(&a, (size_t)(i % 13) + 1);
        aligned &= p[i] && ((uintptr_t)p[i] & 7) == 0;
        if (p[i])
            memset(p[i], i, (size_t)(i % 13) + 1);
    }
    for (int i = 0; i < 100; i++)
        for (size_t k = 0; p[i] && k < (size_t)(i % 13) + 1; k++)
            apart &= p[i][k] == (char)i;
    ok(aligned, "every allocation is 8-byte aligned");
    ok(apart, "100 allocations over several blocks keep their bytes");
    is_int((long)a.used, (long)rounded, "the arena counts what it handed out, rounded to 8");
    arena_reset(&a);
    is_int((long)a.used, 0, "a reset counts nothing handed out");
    char *again = arena_alloc(&a, 16);
    char *next = arena_alloc(&a, 16);
    ok(again && next == again + 16, "after a reset the first block is used again, in order");
    char *big = arena_alloc(&a, 4096);
    char *after = arena_alloc(&a, 8);
    ok(big && after == next + 16, "a block larger than the arena's goes behind the head");
    ok(arena_alloc(&a, SIZE_MAX) == NULL, "a size that cannot be rounded up fails");
    ok(arena_alloc(&a, 8) == after + 8, "and leaves the arena usable");
    arena_release(&a);
}

int main(void)
{
    test_arena();
    test_arrays();
    test_glob();
    test_fspath();
    test_versions();
    test_strmap();
    test_keyset();
    test_keyset_shapes();
    test_utf8();
    test_wide_scans();
    test_utf8_yaml();
    test_misc();
    test_sha1();
    return done();
}
