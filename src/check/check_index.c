#include "check_index.h"

#include <stdlib.h>
#include <string.h>

#include "util/util_varint.h"

#define KEY_MAX KEYSET_KEY_MAX

void index_init(struct index *ix)
{
    memset(ix, 0, sizeof(*ix));
    keyset_init(&ix->keys);
}

int index_reserve(struct index *ix, size_t n)
{
    return keyset_reserve(&ix->keys, n);
}

int index_foresee(struct index *ix, uint64_t done, uint64_t total)
{
    /* An entry adds a few keys; one that adds more makes the table double by itself. */
    enum { MARGIN = 256 };
    size_t count = ix->keys.count;
    if (keyset_room(&ix->keys) > MARGIN || done == 0 || done >= total)
        return 0;
    /* The keys the rest promises at the rate seen so far or, when higher, at the rate since
     * the table last grew, and half as many again: a file's sections differ (a dump's
     * consumers and credentials come after its services, with more keys to the byte). */
    double rate = (double)count / (double)done;
    if (ix->grown_done && done > ix->grown_done && count > ix->grown_count) {
        double recent = (double)(count - ix->grown_count) / (double)(done - ix->grown_done);
        rate = recent > rate ? recent : rate;
    }
    ix->grown_count = count;
    ix->grown_done = done;
    double promised = rate * (double)(total - done) * 1.5;
    /* Not more than four times at once: the start of a file may be a poor sample of it. At
     * least a sixteenth more, so that a poor guess near the end costs few rebuilds. */
    size_t most = 4 * count + 2 * MARGIN, least = count + count / 16 + 2 * MARGIN;
    double all = (double)count + promised;
    size_t want = all >= (double)most ? most : (size_t)all;
    return keyset_reserve(&ix->keys, want < least ? least : want > most ? most : want);
}

void index_release(struct index *ix)
{
    keyset_release(&ix->keys);
    free(ix->pending);
    for (size_t i = 0; i < 4; i++)
        free(ix->last[i].text);
    memset(ix, 0, sizeof(*ix));
}

/* The hex digit's value, or -1 (lowercase only: an id in capitals is another id). */
static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A lowercase UUID (8-4-4-4-12 hex digits) as its 16 bytes; false for any other text. */
static bool pack_uuid(const char *v, size_t len, unsigned char *out)
{
    if (len != 36 || v[8] != '-' || v[13] != '-' || v[18] != '-' || v[23] != '-')
        return false;
    size_t n = 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            continue;
        int d = hex_digit(v[i]);
        if (d < 0)
            return false;
        out[n / 2] = (unsigned char)(n % 2 ? out[n / 2] | d : d << 4);
        n++;
    }
    return true;
}

/*
 * A value of lowercase hex digits, an even number from HEX_MIN to HEX_MAX of them, as the bytes
 * they spell: a key made with `openssl rand -hex` or a UUID without its dashes (a credential's
 * key, a client id) takes half the room. The byte count; 0 for any other text.
 */
#define HEX_MIN 16
#define HEX_MAX 256

static size_t pack_hex(const char *v, size_t len, unsigned char *out)
{
    if (len < HEX_MIN || len > HEX_MAX || len % 2)
        return 0;
    for (size_t i = 0; i < len; i += 2) {
        int hi = hex_digit(v[i]), lo = hex_digit(v[i + 1]);
        if (hi < 0 || lo < 0)
            return 0;
        out[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    return len / 2;
}

/*
 * [entity][kind][value]. Kong's ids are UUIDs: one in lowercase is kept as UUID_MARK and its 16
 * bytes, not its 36 characters; other hex text as HEX_MARK and its bytes (pack_hex). No UTF-8
 * text begins with the bytes 0xFC to 0xFE, so a marked form cannot be a value; a value that
 * begins with one anyway (not UTF-8) is kept behind ESCAPE_MARK, so that it cannot be taken for
 * a packed one either.
 * Values longer than the key buffer are cut: two such values differing only past the cut
 * would count as equal, which for names and ids of this length does not happen in practice.
 */
#define UUID_MARK   0xFE
#define ESCAPE_MARK 0xFD
#define HEX_MARK    0xFC

static bool is_mark(unsigned char c)
{
    return c == UUID_MARK || c == ESCAPE_MARK || c == HEX_MARK;
}

static size_t make_key(char *key, uint8_t entity, unsigned kind, const char *value, size_t len)
{
    key[0] = (char)entity;
    key[1] = (char)kind;
    unsigned char *at = (unsigned char *)key + 2;
    if (pack_uuid(value, len, at + 1)) {
        at[0] = UUID_MARK;
        return 2 + 1 + 16;
    }
    size_t hex = pack_hex(value, len, at + 1);
    if (hex) {
        at[0] = HEX_MARK;
        return 2 + 1 + hex;
    }
    size_t start = 2;
    if (len && is_mark((unsigned char)value[0]))
        key[start++] = (char)ESCAPE_MARK;
    if (len > KEY_MAX - start)
        len = KEY_MAX - start;
    memcpy(key + start, value, len);
    return len + start;
}

struct name_walk {
    void (*fn)(void *ctx, uint8_t entity, unsigned kind, const char *value, size_t len,
               uint32_t line);
    void *ctx;
};

/* A key back as [entity][kind] and the value's text: the inverse of make_key(). */
static void name_of_key(void *ctx, const char *key, size_t len, uint32_t line)
{
    const struct name_walk *w = ctx;
    unsigned kind = len >= 2 ? (unsigned char)key[1] : 0;
    if (kind != INDEX_ID && kind != INDEX_ENDPOINT)
        return;
    const unsigned char *v = (const unsigned char *)key + 2;
    size_t n = len - 2;
    static const char hex[] = "0123456789abcdef";
    char text[HEX_MAX + 1];
    if (n == 17 && v[0] == UUID_MARK) {
        size_t o = 0;
        for (size_t i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10)
                text[o++] = '-';
            text[o++] = hex[v[1 + i] >> 4];
            text[o++] = hex[v[1 + i] & 15];
        }
        w->fn(w->ctx, (uint8_t)key[0], kind, text, 36, line);
        return;
    }
    if (n > 1 && v[0] == HEX_MARK) {
        for (size_t i = 1; i < n; i++) {
            text[2 * (i - 1)] = hex[v[i] >> 4];
            text[2 * (i - 1) + 1] = hex[v[i] & 15];
        }
        w->fn(w->ctx, (uint8_t)key[0], kind, text, 2 * (n - 1), line);
        return;
    }
    if (n && v[0] == ESCAPE_MARK)
        v++, n--;
    w->fn(w->ctx, (uint8_t)key[0], kind, (const char *)v, n, line);
}

void index_each_name(const struct index *ix,
                     void (*fn)(void *ctx, uint8_t entity, unsigned kind, const char *value,
                                size_t len, uint32_t line),
                     void *ctx)
{
    struct name_walk w = {fn, ctx};
    keyset_each(&ix->keys, name_of_key, &w);
}

int index_define(struct index *ix, uint8_t entity, unsigned kind, const char *value, size_t len,
                 uint32_t line, uint32_t *first_line)
{
    char key[KEY_MAX];
    size_t n = make_key(key, entity, kind, value, len);
    return keyset_put(&ix->keys, key, n, line, first_line);
}

bool index_has(const struct index *ix, uint8_t entity, unsigned kind, const char *value, size_t len)
{
    return index_first_line(ix, entity, kind, value, len, NULL);
}

bool index_first_line(const struct index *ix, uint8_t entity, unsigned kind, const char *value,
                      size_t len, uint32_t *line)
{
    char key[KEY_MAX];
    size_t n = make_key(key, entity, kind, value, len);
    return keyset_get(&ix->keys, key, n, line);
}

void index_prefetch(const struct index *ix, uint8_t entity, unsigned kind, const char *value,
                    size_t len)
{
    char key[KEY_MAX];
    size_t n = make_key(key, entity, kind, value, len);
    keyset_prefetch(&ix->keys, key, n);
}

bool index_resolves(const struct index *ix, uint8_t entity, const char *value, size_t len)
{
    return index_has(ix, entity, INDEX_ID, value, len) ||
           index_has(ix, entity, INDEX_ENDPOINT, value, len);
}

/* Room for need (> 0) bytes in a buffer that doubles as it fills: the buffer, moved or not,
 * or NULL when out of memory (the buffer left as it was). */
static void *room(void *data, size_t *cap, size_t need)
{
    if (need <= *cap)
        return data;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *p = realloc(data, n);
    if (p)
        *cap = n;
    return p;
}

static unsigned char *put_text(unsigned char *p, struct shared_text *prev, const char *s,
                               size_t len)
{
    size_t shared = 0, n = prev->len < len ? prev->len : len;
    while (shared < n && prev->text[shared] == s[shared])
        shared++;
    p = varint_put(p, shared);
    p = varint_put(p, len - shared);
    memcpy(p, s + shared, len - shared);
    memcpy(prev->text + shared, s + shared, len - shared);
    prev->text[len] = '\0';
    prev->len = len;
    return p + (len - shared);
}

static const unsigned char *get_text(const unsigned char *p, struct shared_text *prev)
{
    uint64_t shared, suffix;
    p = varint_get(p, &shared);
    p = varint_get(p, &suffix);
    memcpy(prev->text + shared, p, (size_t)suffix);
    prev->len = (size_t)(shared + suffix);
    prev->text[prev->len] = '\0';
    return p + suffix;
}

/*
 * A reference is written as: [target][flags: 1 new names, 2 if_resolved][line difference,
 * zigzag][column][end line - line, zigzag][end column][path][entity][value][if_resolved?]
 * [field and target pointers, when new]; each text as [shared with the previous][suffix].
 */
enum { PENDING_NEW_NAMES = 1, PENDING_IF_RESOLVED = 2 };

int index_defer(struct index *ix, const struct pending_ref *ref)
{
    const char *texts[4] = {ref->path ? ref->path : "", ref->entity ? ref->entity : "", ref->value,
                            ref->if_resolved ? ref->if_resolved : ""};
    size_t lens[4] = {strlen(texts[0]), strlen(texts[1]), ref->len, strlen(texts[3])};
    if (!ix->npending) { /* the first of a log shares nothing, as index_resolve reads it */
        for (size_t i = 0; i < 4; i++)
            ix->last[i].len = 0;
        ix->last_line = 0;
    }
    size_t need = 2 + 4 * VARINT_MAX + 2 * sizeof(const char *);
    for (size_t i = 0; i < 4; i++) {
        char *text = room(ix->last[i].text, &ix->last[i].cap, lens[i] + 1);
        if (!text)
            return -1;
        ix->last[i].text = text;
        need += 2 * VARINT_MAX + lens[i];
    }
    unsigned char *log = room(ix->pending, &ix->pending_cap, ix->pending_len + need);
    if (!log)
        return -1;
    ix->pending = log;
    bool new_names =
        !ix->npending || ref->field != ix->last_field || ref->target_singular != ix->last_target;
    unsigned char *p = ix->pending + ix->pending_len;
    *p++ = ref->target;
    *p++ = (unsigned char)((new_names ? PENDING_NEW_NAMES : 0) |
                           (ref->if_resolved ? PENDING_IF_RESOLVED : 0));
    p = varint_put(p, zigzag((int64_t)ref->span.line - ix->last_line));
    p = varint_put(p, ref->span.column);
    p = varint_put(p, zigzag((int64_t)ref->span.end_line - ref->span.line));
    p = varint_put(p, ref->span.end_column);
    for (size_t i = 0; i < 3; i++)
        p = put_text(p, &ix->last[i], texts[i], lens[i]);
    if (ref->if_resolved)
        p = put_text(p, &ix->last[3], texts[3], lens[3]);
    if (new_names) {
        memcpy(p, &ref->field, sizeof(ref->field));
        memcpy(p + sizeof(ref->field), &ref->target_singular, sizeof(ref->target_singular));
        p += sizeof(ref->field) + sizeof(ref->target_singular);
    }
    ix->last_field = ref->field;
    ix->last_target = ref->target_singular;
    ix->last_line = ref->span.line;
    ix->pending_len = (size_t)(p - ix->pending);
    ix->npending++;
    return 0;
}

/* The next reference of the log into r, its texts in last[] (big enough: each is at most as
 * long as the longest written, and the writer grew them to that). */
static const unsigned char *next_pending(const unsigned char *p, struct shared_text *last,
                                         struct pending_ref *r, uint32_t *line)
{
    uint64_t v;
    r->target = *p++;
    unsigned flags = *p++;
    p = varint_get(p, &v);
    r->span.line = *line = (uint32_t)((int64_t)*line + unzigzag(v));
    p = varint_get(p, &v);
    r->span.column = (uint32_t)v;
    p = varint_get(p, &v);
    r->span.end_line = (uint32_t)((int64_t)r->span.line + unzigzag(v));
    p = varint_get(p, &v);
    r->span.end_column = (uint32_t)v;
    for (size_t i = 0; i < 3; i++)
        p = get_text(p, &last[i]);
    r->if_resolved = NULL;
    if (flags & PENDING_IF_RESOLVED) {
        p = get_text(p, &last[3]);
        r->if_resolved = last[3].text;
    }
    if (flags & PENDING_NEW_NAMES) {
        memcpy(&r->field, p, sizeof(r->field));
        memcpy(&r->target_singular, p + sizeof(r->field), sizeof(r->target_singular));
        p += sizeof(r->field) + sizeof(r->target_singular);
    }
    r->path = last[0].text;
    r->entity = last[1].text;
    r->value = last[2].text;
    r->len = last[2].len;
    return p;
}

void index_resolve(struct index *ix, struct diag_sink *sink, bool elsewhere,
                   const struct index_unresolved *tell)
{
    /* The writer's last texts are reused to read: each is as large as any text written. */
    for (size_t i = 0; i < 4; i++)
        ix->last[i].len = 0;
    const unsigned char *p = ix->pending;
    struct pending_ref ref = {0};
    uint32_t line = 0;
    for (size_t i = 0; i < ix->npending; i++) {
        p = next_pending(p, ix->last, &ref, &line);
        const struct pending_ref *r = &ref;
        bool found = index_resolves(ix, r->target, r->value, r->len);
        if (found && r->if_resolved)
            diag_add(sink, R_HOP3004, -1, &r->span, r->path, r->entity, "%s", r->if_resolved);
        if (found)
            continue;
        size_t before = sink->count;
        if (elsewhere) {
            diag_add(sink, R_HOP9005, -1, &r->span, r->path, r->entity,
                     "'%s': not checked: %s '%.200s' is not in this file; decK looks it up in "
                     "the gateway it syncs to (default_lookup_tags, or entities it does not "
                     "manage) and in the other state files it is given",
                     r->field, r->target_singular, r->value);
        } else {
            diag_add(sink, R_HOP3001, -1, &r->span, r->path, r->entity,
                     "'%s' refers to %s '%.200s', which is not in this file", r->field,
                     r->target_singular, r->value);
        }
        if (tell)
            tell->reported(tell->ctx, sink, before, r->target, r->value, r->len);
    }
    ix->npending = 0;
    ix->pending_len = 0;
}
