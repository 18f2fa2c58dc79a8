/*
 * Build-time tool: loads the knowledge from a directory, checking every file as `--schema-dir`
 * does at run time, and writes it packed (src/schema/schema_pack.h) as a C file. A file the
 * loader refuses fails the build with the loader's message, so the binary's own knowledge is
 * never checked again when it starts. Usage: kbgen OUT.c SCHEMA_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/schema.h"
#include "schema/schema_pack.h"
#include "util/util_embed.h"

/* The tool is linked from the library's objects, without the files the build makes with it. */
const struct kb_packed kb_builtin_knowledge = {0};
const struct embedded_file embedded_files[] = {{0, 0, 0}};
const size_t embedded_file_count = 0;

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: kbgen OUT.c SCHEMA_DIR\n");
        return 2;
    }
    struct kb *kb = NULL;
    gh_error err = {0};
    if (kb_new(argv[2], &kb, &err) < 0) {
        if (err.file[0])
            fprintf(stderr, "kbgen: %s:%u:%u: %s\n", err.file, err.line, err.column, err.message);
        else
            fprintf(stderr, "kbgen: %s\n", err.message);
        return 1;
    }
    /* Written beside OUT and renamed, so a failed run leaves no half file for make to trust. */
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
    FILE *out = fopen(tmp, "w");
    int rc = out && kb_pack_write(kb, out) == 0 ? 0 : 1;
    if (out && fclose(out) != 0)
        rc = 1;
    if (rc == 0 && rename(tmp, argv[1]) != 0)
        rc = 1;
    if (rc)
        fprintf(stderr, "kbgen: cannot write '%s'\n", argv[1]);
    kb_free(kb);
    return rc;
}
