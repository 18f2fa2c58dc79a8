/*
 * yaml_diff [--expect-whole] FILE...: the block reader and libyaml read each file; every event
 * the block reader gives must be libyaml's (tests/tools/block_events_compare.h). Prints
 * "whole N partial M" (files it read to the end, files it handed to libyaml part way) and, with
 * -v, each file's count; exits 1 on any difference, or with --expect-whole when a file is not
 * read whole.
 */
#include <stdlib.h>

#include "block_events_compare.h"
#include "slurp.h"

int main(int argc, char **argv)
{
    int status = 0, first = 1;
    bool expect_whole = false, verbose = false;
    for (; first < argc && argv[first][0] == '-'; first++) {
        expect_whole |= !strcmp(argv[first], "--expect-whole");
        verbose |= !strcmp(argv[first], "-v");
    }
    unsigned whole_count = 0, partial_count = 0;
    for (int i = first; i < argc; i++) {
        size_t len;
        unsigned char *data = slurp(argv[i], &len);
        if (!data) {
            fprintf(stderr, "yaml_diff: cannot read '%s'\n", argv[i]);
            return 2;
        }
        bool whole;
        uint64_t given;
        size_t line;
        int rc = compare_block_events(argv[i], data, len, &whole, &given, &line);
        free(data);
        if (rc < 0) {
            fprintf(stderr, "yaml_diff: out of memory\n");
            return 2;
        }
        if (rc)
            status = 1;
        whole ? whole_count++ : partial_count++;
        if (verbose)
            printf("%s %s after %llu events (line %zu)\n", argv[i], whole ? "whole" : "handed-over",
                   (unsigned long long)given, line);
        if (!whole && expect_whole) {
            fprintf(stderr, "%s: not read whole by the block reader\n", argv[i]);
            status = 1;
        }
    }
    printf("whole %u partial %u\n", whole_count, partial_count);
    return status;
}
