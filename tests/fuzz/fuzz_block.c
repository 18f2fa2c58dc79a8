/*
 * libFuzzer target for the block reader (src/reader/reader_block.h): every event it hands out
 * must be libyaml's (tests/tools/block_events_compare.h), and the reader, which hands over to
 * libyaml where the block reader stops, must give the same entries and findings as libyaml
 * alone. Build with -DGATEHOP_FUZZ=ON and CC=clang; seeds are corpus/ and tests/fuzz/seeds/.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../tools/block_events_compare.h"
#include "fuzz_read_all.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool whole;
    uint64_t given;
    size_t line;
    if (compare_block_events("input", data, size, &whole, &given, &line) > 0)
        abort();
    struct buf fast, slow;
    buf_init(&fast, BUF_DEFAULT_MAX);
    buf_init(&slow, BUF_DEFAULT_MAX);
    read_all(data, size, false, &fast);
    setenv("GATEHOP_YAML_READER", "libyaml", 1);
    read_all(data, size, false, &slow);
    unsetenv("GATEHOP_YAML_READER");
    if (fast.len != slow.len || memcmp(buf_cstr(&fast), buf_cstr(&slow), fast.len)) {
        fprintf(stderr, "block reader:\n%s\nlibyaml:\n%s\n", buf_cstr(&fast), buf_cstr(&slow));
        abort();
    }
    buf_release(&fast);
    buf_release(&slow);
    return 0;
}
