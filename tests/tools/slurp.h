/* A whole file in memory, for the test tools that compare readers; NULL when it cannot be read. */
#ifndef SLURP_H
#define SLURP_H

#include <stdio.h>
#include <stdlib.h>

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    unsigned char *data = malloc(cap);
    while (data && (got = fread(data + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *more = realloc(data, cap *= 2);
            if (!more)
                free(data);
            data = more;
        }
    }
    fclose(fp);
    *len = n;
    return data;
}

#endif
