/*
 * Writes a deterministic Kong declarative config for the benchmark:
 * N services (url, retries, timeouts, tags), each with two routes (a prefix path, and on every
 * third service a regex path), key-auth on every service and rate-limiting on every other one,
 * and N/2 consumers with one key-auth credential each.   usage: gen_kong N [2.1|creds] > kong.yml
 * With "2.1" the file is in the 2.x format, its regex paths written without '~', as the input
 * of a 2.x to 3.x conversion. With "creds" (the second shape: more consumers and credentials)
 * each of the N/2 consumers also has tags, a basic-auth credential and an ACL group.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool legacy, creds;

static void service(FILE *out, long i)
{
    fprintf(out,
            "- name: svc-%ld\n"
            "  url: http://backend-%ld.internal:8080/api\n"
            "  retries: %ld\n"
            "  connect_timeout: 5000\n"
            "  read_timeout: 60000\n"
            "  write_timeout: 60000\n"
            "  tags: [team-%ld, generated]\n"
            "  routes:\n"
            "  - name: svc-%ld-v1\n"
            "    paths: [/s%ld/v1]\n"
            "    methods: [GET, POST]\n"
            "    hosts: [api.example.com]\n"
            "    protocols: [http, https]\n"
            "    strip_path: true\n"
            "    preserve_host: false\n",
            i, i, i % 6, i % 50, i, i);
    if (i % 3 == 0)
        fprintf(out,
                "  - name: svc-%ld-items\n"
                "    paths: ['%s/s%ld/items/(?<id>\\d+)$']\n"
                "    methods: [GET]\n"
                "    strip_path: false\n",
                i, legacy ? "" : "~", i);
    else
        fprintf(out,
                "  - name: svc-%ld-v2\n"
                "    paths: [/s%ld/v2]\n"
                "    methods: [GET]\n",
                i, i);
    fprintf(out, "  plugins:\n  - name: key-auth\n    config:\n      key_names: [apikey]\n");
    if (i % 2 == 0)
        fprintf(out,
                "  - name: rate-limiting\n"
                "    config:\n"
                "      minute: %ld\n"
                "      hour: %ld\n"
                "      policy: local\n"
                "      limit_by: consumer\n",
                60 + i % 100, 1000 + i % 1000);
}

static void consumer(FILE *out, long i)
{
    unsigned long h = (unsigned long)i * 2654435761u % 0xffffffffu;
    fprintf(out,
            "- username: user-%ld\n"
            "  custom_id: cid-%ld\n"
            "  keyauth_credentials:\n"
            "  - key: key-%08lx-%08lx\n",
            i, i, h, (unsigned long)i);
    if (!creds)
        return;
    fprintf(out,
            "  tags: [tier-%ld, generated]\n"
            "  basicauth_credentials:\n"
            "  - username: basic-%ld\n"
            "    password: pw-%08lx\n"
            "  acls:\n"
            "  - group: group-%ld\n",
            i % 4, i, h, i % 20);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 ||
        (argc == 3 && strcmp(argv[2], "2.1") != 0 && strcmp(argv[2], "creds") != 0)) {
        fprintf(stderr, "usage: gen_kong N [2.1|creds]\n");
        return 2;
    }
    legacy = argc == 3 && !strcmp(argv[2], "2.1");
    creds = argc == 3 && !strcmp(argv[2], "creds");
    long n = strtol(argv[1], NULL, 10);
    FILE *out = stdout;
    fprintf(out, "_format_version: \"%s\"\n_transform: true\nservices:\n", legacy ? "2.1" : "3.0");
    for (long i = 0; i < n; i++)
        service(out, i);
    fprintf(out, "consumers:\n");
    for (long i = 0; i < n / 2; i++)
        consumer(out, i);
    return ferror(out) ? 1 : 0;
}
