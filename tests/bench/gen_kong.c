/*
 * Writes a deterministic Kong declarative config for the benchmark:
 * N services (url, retries, timeouts, tags), each with two routes (a prefix path, and on every
 * third service a regex path), key-auth on every service and rate-limiting on every other one,
 * and N/2 consumers with one key-auth credential each.   usage: gen_kong N > kong.yml
 */
#include <stdio.h>
#include <stdlib.h>

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
                "    paths: ['~/s%ld/items/(?<id>\\d+)$']\n"
                "    methods: [GET]\n"
                "    strip_path: false\n",
                i, i);
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

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_kong N\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    FILE *out = stdout;
    fprintf(out, "_format_version: \"3.0\"\n_transform: true\nservices:\n");
    for (long i = 0; i < n; i++)
        service(out, i);
    fprintf(out, "consumers:\n");
    for (long i = 0; i < n / 2; i++)
        fprintf(out,
                "- username: user-%ld\n"
                "  custom_id: cid-%ld\n"
                "  keyauth_credentials:\n"
                "  - key: key-%08lx-%08lx\n",
                i, i, i * 2654435761u % 0xffffffffu, i);
    return ferror(out) ? 1 : 0;
}
