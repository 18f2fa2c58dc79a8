/* Unit tests for src/check's document index: repeats and references found exactly, even when
 * every key's hash collides (the key set's hash_bits lowered). */
#include <stdlib.h>

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
    index_resolve(&ix, &sink, false);
    is_int(count_rule(&sink, R_HOP3001), 1, "only the reference naming nothing is unresolved");
    ok(sink.count && sink.items[0].span.line == 3, "it is the third one");
    is_int(count_rule(&sink, R_HOP3004), 1, "the nested one resolved is reported");
    diag_sink_release(&sink);
    index_release(&ix);
}

int main(void)
{
    check_index(64);
    check_index(0);
    check_index(2);
    return done();
}
