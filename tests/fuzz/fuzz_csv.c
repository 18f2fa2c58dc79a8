/*
 * libFuzzer target for the CSV files `gatehop db status` reads in place of a connection: the
 * input as a schema_meta export and as a plugins-in-use export (db_meta_csv.h). Both readers
 * take a path, so each input is written to a file of this process first. Seeds: csv-* in
 * tests/fuzz/seeds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "db/db_meta_csv.h"
#include "db/db_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_file(void)
{
    remove(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof(path), "%s/gatehop-fuzz-csv-%ld.csv", dir && *dir ? dir : "/tmp",
                 (long)getpid());
        atexit(remove_file);
    }
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
        abort(); /* not the input's fault: the target cannot run */
    gh_error err = {0};
    struct meta_state state;
    meta_state_init(&state);
    if (meta_state_read_csv(&state, path, &err) < 0 && !err.message[0])
        abort(); /* a refusal always says why */
    struct plugin_use *uses = NULL;
    size_t n = 0;
    gh_error err2 = {0};
    if (plugin_uses_read_csv(path, &state.arena, &uses, &n, &err2) < 0 && !err2.message[0])
        abort();
    for (size_t i = 0; i < n; i++)
        if (!uses[i].name || !uses[i].name[0])
            abort(); /* a plugin read has a name */
    free(uses);
    meta_state_release(&state);
    return 0;
}
