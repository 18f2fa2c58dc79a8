/* Unit tests for src/check's document index: repeats and references found exactly, even when
 * every key's hash collides (the key set's hash_bits lowered). */
#include <stdlib.h>
#include <string.h>

#include "check/check_across.h"
#include "check/check_index.h"
#include "tap.h"

static size_t count_rule(const struct diag_sink *sink, enum rule_id rule)
{
    size_t n = 0;
    for (size_t i = 0; i < sink->count; i++)
        n += sink->items[i].rule == rule;
    return n;
}

static void check_index(unsigned hash_bits)
{
    struct index ix;
    index_init(&ix);
    ix.keys.hash_bits = hash_bits;
    char name[64];
    int wrong = 0;
    /* Names that differ in their last byte only, or one is a prefix of another, in two
     * entities and two kinds: none is a repeat of another. */
    for (uint32_t i = 0; i < 600; i++) {
        int n = snprintf(name, sizeof(name), "svc-%u", i / 4);
        uint8_t entity = (uint8_t)(i % 2);
        unsigned kind = i % 4 < 2 ? INDEX_ENDPOINT : INDEX_ID;
        uint32_t first = 0;
        if (index_define(&ix, entity, kind, name, (size_t)n, 10 + i, &first) != 1)
            wrong++;
    }
    is_int(wrong, 0, "600 distinct keys, none taken for a repeat");
    uint32_t first = 0;
    is_int(index_define(&ix, 1, INDEX_ID, "svc-17", 6, 9999, &first), 0, "a real repeat is one");
    is_int(first, 10 + 4 * 17 + 3, "with the line of the first definition");
    ok(index_resolves(&ix, 0, "svc-149", 7), "a defined name resolves");
    ok(!index_resolves(&ix, 0, "svc-150", 7), "a name one past the last does not");
    ok(!index_resolves(&ix, 0, "svc-1", 4), "nor a prefix of a name");
    ok(!index_resolves(&ix, 0, "svc-14", 7), "nor a name with a byte more");
    ok(!index_has(&ix, 0, INDEX_CACHE_KEY, "svc-3", 5), "nor the same value in another kind");
    /* Forward references: two resolve at the end, one names nothing, one must not resolve. */
    struct pending_ref refs[] = {
        {0, "svc-200", 7, {1, 1, 1, 1}, "routes[0].service", "routes", "service", "service", NULL},
        {0, "svc-201", 7, {2, 1, 2, 1}, "routes[1].service", "routes", "service", "service", NULL},
        {0, "svc-202", 7, {3, 1, 3, 1}, "routes[2].service", "routes", "service", "service", NULL},
        {1, "svc-200", 7, {4, 1, 4, 1}, "plugins[0].route", "plugins", "route", "route", "nested"},
    };
    for (size_t i = 0; i < 4; i++)
        ok(index_defer(&ix, &refs[i]) == 0, "a forward reference is kept");
    for (uint32_t i = 0; i < 4; i++) {
        int n = snprintf(name, sizeof(name), "svc-20%u", i / 2);
        index_define(&ix, (uint8_t)(i % 2), INDEX_ENDPOINT, name, (size_t)n, 2000 + i, &first);
    }
    struct diag_sink sink;
    diag_sink_init(&sink, 100);
    index_resolve(&ix, &sink, false, NULL);
    is_int(count_rule(&sink, R_HOP3001), 1, "only the reference naming nothing is unresolved");
    ok(sink.count && sink.items[0].span.line == 3, "it is the third one");
    is_int(count_rule(&sink, R_HOP3004), 1, "the nested one resolved is reported");
    diag_sink_release(&sink);
    index_release(&ix);
}

/* Many forward references, each written as what it shares with the one before: every one
 * read back whole, and a second round after index_resolve starts afresh. */
static void check_pending(void)
{
    struct index ix;
    index_init(&ix);
    char value[64], path[64], entity[64];
    for (int round = 0; round < 2; round++) {
        int wrong = 0;
        for (uint32_t i = 0; i < 1000; i++) {
            int n = snprintf(value, sizeof(value), "%s-%u", i % 3 ? "consumer" : "c", i);
            snprintf(path, sizeof(path), "plugins[%u].consumer", i);
            snprintf(entity, sizeof(entity), "plugin %u", i / 7);
            struct pending_ref r = {(uint8_t)(i % 2),
                                    value,
                                    (size_t)n,
                                    {1000 - i, i % 90 + 1, 1000 - i + i % 2, i % 90 + 9},
                                    path,
                                    entity,
                                    i % 5 ? "consumer" : "service",
                                    i % 5 ? "consumer" : "service",
                                    NULL};
            wrong += index_defer(&ix, &r) != 0;
            if (i % 4 == 0) /* every fourth is defined after all */
                index_define(&ix, (uint8_t)(i % 2), INDEX_ENDPOINT, value, (size_t)n, 1, NULL);
        }
        is_int(wrong, 0, "1000 forward references kept");
        struct diag_sink sink;
        diag_sink_init(&sink, 2000);
        index_resolve(&ix, &sink, false, NULL);
        is_int(sink.count, 750, "the three in four never defined are reported");
        for (size_t k = 0; k < sink.count; k++) {
            const struct diag *d = &sink.items[k];
            uint32_t i = 1000 - d->span.line;
            char message[200];
            snprintf(message, sizeof(message),
                     "'%s' refers to %s '%s-%u', which is not in this file",
                     i % 5 ? "consumer" : "service", i % 5 ? "consumer" : "service",
                     i % 3 ? "consumer" : "c", i);
            snprintf(path, sizeof(path), "plugins[%u].consumer", i);
            snprintf(entity, sizeof(entity), "plugin %u", i / 7);
            wrong += i % 4 == 0 || strcmp(d->message, message) != 0 || strcmp(d->path, path) != 0 ||
                     strcmp(d->entity, entity) != 0 || d->span.column != i % 90 + 1 ||
                     d->span.end_line != 1000 - i + i % 2 || d->span.end_column != i % 90 + 9;
        }
        is_int(wrong, 0, "each with its own value, path, entity, field and span");
        diag_sink_release(&sink);
    }
    index_release(&ix);
}

/* Ids kept as their 16 bytes are told apart from every text that is not the same id. */
/* A value kept in a packed form (defined at line 7) is found again with its line, no neighbour
 * of it is it, and each neighbour is a key of its own. */
static void check_packed(struct index *ix, uint8_t entity, unsigned kind, const char *value,
                         size_t len, const char *const *others, const size_t *lens, size_t n,
                         const char *neighbours)
{
    uint32_t first = 0;
    is_int(index_define(ix, entity, kind, value, len, 7, &first), 1, "defined");
    is_int(index_define(ix, entity, kind, value, len, 9, &first), 0, "and found again");
    is_int(first, 7, "with its line");
    int wrong = 0;
    for (size_t i = 0; i < n; i++)
        wrong += index_has(ix, entity, kind, others[i], lens[i]);
    ok(!wrong, "no other text is it (%s)", neighbours);
    for (size_t i = 0; i < n; i++)
        wrong += index_define(ix, entity, kind, others[i], lens[i], 20, &first) != 1;
    is_int(wrong, 0, "each of them is defined as a new key");
    for (size_t i = 0; i < n; i++)
        wrong += !index_has(ix, entity, kind, others[i], lens[i]);
    ok(!wrong && index_has(ix, entity, kind, value, len), "and found as itself, the first too");
}

static void check_uuids(unsigned hash_bits)
{
    struct index ix;
    index_init(&ix);
    ix.keys.hash_bits = hash_bits;
    /* The 16 bytes the id is kept as, written out as a value, with and without the mark. */
    char packed[17] = "\xfe\x0f\x8f\xad\x5b\xd9\xcb\x46\x9f\xa1\x65\x70\x86\x77\x28\x95\x0e";
    const char *others[] = {"0F8FAD5B-D9CB-469F-A165-70867728950E",
                            "0f8fad5b-d9cb-469f-a165-70867728950f",
                            "0f8fad5bd-9cb-469f-a165-70867728950e",
                            "0f8fad5b-d9cb-469f-a165-70867728950e ",
                            packed + 1,
                            packed,
                            "\xfd\xfe"};
    size_t lens[] = {36, 36, 36, 37, 16, 17, 2};
    check_packed(&ix, 0, INDEX_ID, "0f8fad5b-d9cb-469f-a165-70867728950e", 36, others, lens, 7,
                 "capitals, one digit, a dash moved, a space, its bytes");
    index_release(&ix);
}

struct named {
    char text[300];
    size_t len;
    unsigned kind;
    uint32_t line;
};

static void take_name(void *ctx, uint8_t entity, unsigned kind, const char *value, size_t len,
                      uint32_t line)
{
    (void)entity;
    struct named *n = ctx;
    if (len < sizeof(n->text)) {
        memcpy(n->text, value, len);
        n->len = len;
        n->kind = kind;
        n->line = line;
    }
}

/* A key of hex digits is kept as its bytes, and is still itself and nothing else. */
static void check_hex(unsigned hash_bits)
{
    struct index ix;
    index_init(&ix);
    ix.keys.hash_bits = hash_bits;
    const char *key = "5f1e2d3c4b5a69788796a5b4c3d2e1f0";
    char packed[17] = "\xfc\x5f\x1e\x2d\x3c\x4b\x5a\x69\x78\x87\x96\xa5\xb4\xc3\xd2\xe1\xf0";
    char long_hex[258];
    memset(long_hex, 'a', sizeof(long_hex));
    const char *others[] = {"5F1E2D3C4B5A69788796A5B4C3D2E1F0",
                            "5f1e2d3c4b5a69788796a5b4c3d2e1f1",
                            "5f1e2d3c4b5a69788796a5b4c3d2e1f",
                            "5f1e2d3c4b5a69788796a5b4c3d2e1f0a",
                            packed + 1,
                            packed,
                            "\xfd\xfc",
                            long_hex};
    size_t lens[] = {32, 32, 31, 33, 16, 17, 2, sizeof(long_hex)};
    check_packed(&ix, 21, INDEX_ENDPOINT, key, 32, others, lens, 8,
                 "capitals, one digit, one short, one long, 258 digits, its bytes with and "
                 "without the mark");
    index_release(&ix);
    index_init(&ix);
    index_define(&ix, 21, INDEX_ENDPOINT, key, 32, 7, NULL);
    ok(ix.keys.log_len < 32, "a hex key is kept in fewer bytes than its text (%zu)",
       ix.keys.log_len);
    struct named back = {0};
    index_each_name(&ix, take_name, &back);
    ok(back.len == 32 && !memcmp(back.text, key, 32) && back.kind == INDEX_ENDPOINT &&
           back.line == 7,
       "and handed back as its text, with its line");
    index_release(&ix);
}

/* The end of a file as check_file() makes it: its references resolved, the unresolved ones held
 * for the other files, its names handed over. */
static void end_file(struct across_file *f, struct diag_sink *sink, const struct spec_document *doc,
                     struct index *ix)
{
    across_init(f);
    diag_sink_init(sink, 100);
    struct index_unresolved tell = across_listener(f);
    index_resolve(ix, sink, false, &tell);
    across_adopt(f, doc, ix);
    index_release(ix);
}

/* A file with a route naming a service it lacks, ready to join others. */
static void route_file(struct across_file *f, struct diag_sink *sink,
                       const struct spec_document *doc, const char *route, const char *service)
{
    struct index ix;
    index_init(&ix);
    uint32_t first;
    index_define(&ix, 1, INDEX_ENDPOINT, route, strlen(route), 1, &first);
    struct pending_ref ref = {0,
                              service,
                              strlen(service),
                              {2, 1, 2, 5},
                              "/routes/0/service",
                              "route 'r1'",
                              "service",
                              "service",
                              NULL};
    index_defer(&ix, &ref);
    end_file(f, sink, doc, &ix);
}

/* A file declaring a service; when route is set, it also names that route, which it lacks. */
static void service_file(struct across_file *f, struct diag_sink *sink,
                         const struct spec_document *doc, const char *name, uint32_t line,
                         const char *route)
{
    struct index ix;
    index_init(&ix);
    uint32_t first;
    index_define(&ix, 0, INDEX_ENDPOINT, name, strlen(name), line, &first);
    if (route) {
        struct pending_ref ref = {1,    route,   strlen(route), {9, 1, 9, 5}, "/plugins/0/route",
                                  NULL, "route", "route",       NULL};
        index_defer(&ix, &ref);
    }
    end_file(f, sink, doc, &ix);
}

/* References between files read as one configuration (a decK state split up). */
static void check_across(void)
{
    /* Two releases number the entities differently: services are 0 in one, 1 in the other. */
    struct spec_entity kong_a[] = {
        {.name = "services", .singular = "service", .endpoint_key = "name"},
        {.name = "routes", .singular = "route", .endpoint_key = "name"}};
    struct spec_entity kong_b[] = {
        {.name = "routes", .singular = "route", .endpoint_key = "name"},
        {.name = "services", .singular = "service", .endpoint_key = "name"}};
    struct spec_document doc_a = {.product = "kong", .entities = kong_a, .nentities = 2};
    struct spec_document doc_b = {.product = "kong", .entities = kong_b, .nentities = 2};
    struct spec_document apisix = {.product = "apisix", .entities = kong_a, .nentities = 2};

    struct across_file routes, routes_lost, services, other_product, services_again, variant;
    struct diag_sink sink, sink_lost, none, sink_again, sink_variant, sink_other;
    route_file(&routes, &sink, &doc_a, "r1", "billing");
    route_file(&routes_lost, &sink_lost, &doc_a, "r2", "nowhere");
    /* The service file numbers services 1: it must still answer a reference to services. */
    struct index ix;
    index_init(&ix);
    uint32_t first;
    index_define(&ix, 1, INDEX_ENDPOINT, "billing", 7, 1, &first);
    across_init(&services);
    across_adopt(&services, &doc_b, &ix);
    index_release(&ix);
    service_file(&other_product, &sink_other, &apisix, "nowhere", 1, NULL);
    /* Linked to the route file by a reference: its "billing" repeats the service file's. */
    service_file(&services_again, &sink_again, &doc_a, "billing", 7, "r1");
    /* Linked to none: a variant of the configuration, whose same name is no repeat. */
    service_file(&variant, &sink_variant, &doc_a, "billing", 3, NULL);
    diag_sink_init(&none, 10);
    is_int(count_rule(&sink, R_HOP3001), 1, "alone, the route's reference is unresolved");

    struct across_file *files[] = {&routes,        &routes_lost,    &services,
                                   &other_product, &services_again, &variant};
    struct diag_sink *sinks[] = {&sink, &sink_lost, &none, &sink_other, &sink_again, &sink_variant};
    const char *names[] = {"routes.yaml", "lost.yaml",  "services.yaml",
                           "apisix.yaml", "again.yaml", "variant.yaml"};
    across_join(files, sinks, names, 6);
    is_int((int)sink_variant.count, 0, "a file no reference links to the others repeats nothing");
    ok(sink_again.count == 1 && sink_again.items[0].rule == R_HOP3002 &&
           sink_again.items[0].severity == GH_WARNING && sink_again.items[0].span.line == 7 &&
           strstr(sink_again.items[0].message, "a service with name 'billing' is also declared "
                                               "in services.yaml:1") != NULL,
       "a service two linked files declare is a repeat (a warning) in the later one");
    is_int((int)none.count, 0, "the earlier file keeps no finding for it");
    is_int(count_rule(&sink, R_HOP3001), 0, "another file of the set answers it");
    is_int(sink.suppressed, 0, "taken back, not suppressed");
    is_int((int)sink.by_severity[GH_ERROR], 0, "and no longer counted");
    is_int(count_rule(&sink_lost, R_HOP3001), 1,
           "a service only another product's file has does not answer it");
    ok(sink_lost.count && strstr(sink_lost.items[0].message,
                                 "which is not in this file, nor in the 4 other files checked "
                                 "with it") != NULL,
       "the finding left says the other files were searched");
    ok(routes.nheld > 0 && services.nentities > 0,
       "what was kept stays until each file is released (results free it, on their threads)");

    /* Alone (no other file of the product), nothing changes. */
    struct across_file alone;
    struct diag_sink sink_alone;
    route_file(&alone, &sink_alone, &doc_a, "r1", "billing");
    struct across_file *one[] = {&alone, &other_product};
    struct diag_sink *one_sink[] = {&sink_alone, &none};
    const char *one_names[] = {"alone.yaml", "apisix.yaml"};
    diag_sink_release(&sink_other);
    across_release(&other_product);
    service_file(&other_product, &sink_other, &apisix, "billing", 1, NULL);
    across_join(one, one_sink, one_names, 2);
    ok(sink_alone.count == 1 && strcmp(sink_alone.items[0].message,
                                       "'service' refers to service 'billing', which is not in "
                                       "this file") == 0,
       "a file with no other file of its product keeps its finding as it was");

    struct across_file *all[] = {&routes, &routes_lost,    &services, &other_product,
                                 &alone,  &services_again, &variant};
    for (size_t i = 0; i < 7; i++)
        across_release(all[i]);
    is_int((int)routes.nheld + (int)services.nentities, 0, "released, nothing is kept");
    struct diag_sink *all_sinks[] = {&sink,       &sink_lost,    &none,      &sink_alone,
                                     &sink_again, &sink_variant, &sink_other};
    for (size_t i = 0; i < 7; i++)
        diag_sink_release(all_sinks[i]);
}

/* Names defined until the table has at most `room` places left. */
static void fill_index(struct index *ix, size_t room)
{
    char name[32];
    uint32_t first;
    while (keyset_room(&ix->keys) > room) {
        int n = snprintf(name, sizeof(name), "svc-%zu", ix->keys.count);
        index_define(ix, 1, INDEX_ENDPOINT, name, (size_t)n, 1, &first);
    }
}

/* Room made ahead for the keys the rest of the input promises. */
static void check_foresee(void)
{
    struct index ix;
    index_init(&ix);
    index_reserve(&ix, 30000);
    size_t slots = ix.keys.nslots;
    fill_index(&ix, 1000);
    ok(index_foresee(&ix, 100, 800) == 0 && ix.keys.nslots == slots,
       "with room left, nothing is done");
    fill_index(&ix, 100);
    size_t first = ix.keys.count;
    ok(index_foresee(&ix, 800, 800) == 0 && ix.keys.nslots == slots,
       "at the end of the input, nothing is foreseen");
    ok(index_foresee(&ix, 100, 800) == 0, "an eighth read, nearly full");
    size_t room = keyset_room(&ix.keys) + first;
    ok(room >= 4 * first && room < 4 * first + 2048,
       "room for four times the keys so far (the most one step gives)");
    /* `first` keys to 100 bytes: the same rate up to half the input */
    fill_index(&ix, 100);
    size_t count = ix.keys.count;
    uint64_t half = 100 * (uint64_t)count / first;
    ok(index_foresee(&ix, half, 2 * half) == 0, "half read at the same rate, nearly full again");
    room = keyset_room(&ix.keys) + count;
    ok(room >= count * 5 / 2 - 64 && room < count * 5 / 2 + 2048,
       "room for the keys the other half promises, and half as many again");
    /* the keys since then came twice as fast: the rest is foreseen at that rate */
    size_t before = count;
    fill_index(&ix, 100);
    count = ix.keys.count;
    uint64_t done = half + 100 * (uint64_t)(count - before) / first / 2;
    ok(index_foresee(&ix, done, 2 * half) == 0, "a denser part read, nearly full again");
    double recent = (double)(count - before) / (double)(done - half);
    size_t want = count + (size_t)(recent * (double)(2 * half - done) * 1.5);
    room = keyset_room(&ix.keys) + count;
    ok(room >= want - 64 && room < want + 2048,
       "room for the rest at the denser rate, and half as many again (%zu for %zu)", room, want);
    fill_index(&ix, 100);
    count = ix.keys.count;
    ok(index_foresee(&ix, 2 * half - 1, 2 * half) == 0, "nearly all read, nearly full again");
    room = keyset_room(&ix.keys) + count;
    ok(room >= count + count / 16 && room < count + count / 16 + 4096,
       "room for a sixteenth more: the least one step gives");
    int lost = 0;
    char name[32];
    for (size_t i = 0; i < count; i++)
        lost += !index_has(&ix, 1, INDEX_ENDPOINT, name,
                           (size_t)snprintf(name, sizeof(name), "svc-%zu", i));
    is_int(lost, 0, "every name is still there");
    index_release(&ix);
}

int main(void)
{
    check_foresee();
    check_across();
    check_uuids(64);
    check_uuids(0);
    check_hex(64);
    check_hex(0);
    check_pending();
    check_index(64);
    check_index(0);
    check_index(2);
    return done();
}
