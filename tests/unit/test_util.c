/* Unit tests for src/util: versions, the string map, UTF-8, edit distance. */
#include <stdlib.h>

#include "model/model_path.h"
#include "tap.h"
#include "util/util_buf.h"
#include "util/util_str.h"
#include "util/util_strmap.h"
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

int main(void)
{
    test_versions();
    test_strmap();
    test_utf8();
    test_misc();
    return done();
}
