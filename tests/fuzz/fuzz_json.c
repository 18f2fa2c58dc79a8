/*
 * libFuzzer target for the JSON reader (src/reader/reader_json.h): every event it hands out
 * must be libyaml's (tests/tools/json_events_compare.h), and the reader, which hands over to
 * libyaml where the JSON reader stops, must give the same entries and findings as libyaml
 * alone. Build with -DGATEHOP_FUZZ=ON and CC=clang;
 * seeds are corpus/ and tests/fuzz/seeds/.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../tools/json_events_compare.h"
#include "fuzz_read_all.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool accepted;
    if (compare_json_events("input", data, size, &accepted) > 0)
        abort();
    struct buf fast, slow;
    buf_init(&fast, BUF_DEFAULT_MAX);
    buf_init(&slow, BUF_DEFAULT_MAX);
    read_all(data, size, true, &fast);
    setenv("GATEHOP_JSON_READER", "libyaml", 1);
    read_all(data, size, true, &slow);
    unsetenv("GATEHOP_JSON_READER");
    if (fast.len != slow.len || memcmp(buf_cstr(&fast), buf_cstr(&slow), fast.len)) {
        fprintf(stderr, "JSON reader:\n%s\nlibyaml:\n%s\n", buf_cstr(&fast), buf_cstr(&slow));
        abort();
    }
    buf_release(&fast);
    buf_release(&slow);
    return 0;
}
