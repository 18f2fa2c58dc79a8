/*
 * json_diff [--expect-accepted] FILE...: the JSON reader and libyaml read each file; every event
 * of a file the JSON reader accepts must be libyaml's (tests/tools/json_events_compare.h).
 * Prints "accepted N refused M"; exits 1 on any difference, or with --expect-accepted when a
 * file is refused.
 */
#include <stdlib.h>

#include "json_events_compare.h"
#include "slurp.h"

int main(int argc, char **argv)
{
    bool expect_accepted = argc > 1 && !strcmp(argv[1], "--expect-accepted");
    int status = 0;
    unsigned accepted_count = 0, refused_count = 0;
    for (int i = 1 + expect_accepted; i < argc; i++) {
        size_t len;
        unsigned char *data = slurp(argv[i], &len);
        if (!data) {
            fprintf(stderr, "json_diff: cannot read '%s'\n", argv[i]);
            return 2;
        }
        bool accepted;
        int rc = compare_json_events(argv[i], data, len, &accepted);
        free(data);
        if (rc < 0) {
            fprintf(stderr, "json_diff: out of memory\n");
            return 2;
        }
        if (rc)
            status = 1;
        accepted ? accepted_count++ : refused_count++;
        if (!accepted && expect_accepted) {
            fprintf(stderr, "%s: refused by the JSON reader\n", argv[i]);
            status = 1;
        }
    }
    printf("accepted %u refused %u\n", accepted_count, refused_count);
    return status;
}
