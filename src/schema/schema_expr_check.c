#include "schema_expr_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_buf.h"
#include "util/util_str.h"

/*
 * The checks on one predicate, in the order the atc-router makes them: the literals while it
 * builds the tree (integers, IP addresses and CIDR ranges as Rust parses them, regexes with
 * Rust's regex crate), then each field and the types its operator and value must have, and
 * last what Kong adds (http.path.segments.* names, net.port deprecated).
 */

void expr_note(struct problem *pb, enum rule_id rule, size_t at, const char *fmt, ...)
{
    if (pb->set)
        return;
    pb->set = true;
    pb->rule = rule;
    pb->at = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pb->message, sizeof(pb->message), fmt, ap);
    va_end(ap);
}

/* ---- literals as Rust reads them --------------------------------------------------------- */

static const char *value_phrase(enum rhs_kind k)
{
    static const char *const phrases[] = {"a string",      "a string",      "an integer",
                                          "an IP address", "an IP address", "a CIDR range",
                                          "a CIDR range"};
    return phrases[k];
}

static const char *field_phrase(enum expr_type t)
{
    static const char *const phrases[] = {"a string field", "an integer field",
                                          "an IP address field", "a CIDR range"};
    return phrases[t];
}

/* The type a value has for the router of this release. */
static enum expr_type value_type(const struct xp *p, enum rhs_kind k)
{
    switch (k) {
    case RHS_STR:
    case RHS_RAW:
        return EXPR_STRING;
    case RHS_INT:
        return EXPR_INT;
    case RHS_IPV4:
    case RHS_IPV6:
        /* Before the router's 1.2 release an address literal is a /32 or /128 range. */
        return expr_has(p, EXPR_IP_ADDRESSES) ? EXPR_IPADDR : EXPR_IPCIDR;
    default:
        return EXPR_IPCIDR;
    }
}

/*
 * An IPv4 address: four decimal parts up to 255. Rust's own parser (strict) refuses leading
 * zeros; the cidr crate's fallback, used for ranges, reads each part as a number ("010" is 10).
 */
static bool parse_ipv4(const char *s, size_t n, bool strict, unsigned char out[4], bool *zeros)
{
    size_t i = 0;
    *zeros = false;
    for (int part = 0; part < 4; part++) {
        if (part > 0 && (i >= n || s[i++] != '.'))
            return false;
        size_t start = i;
        unsigned v = 0;
        while (i < n && expr_is_digit((unsigned char)s[i]) && i - start < 4)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255)
            return false;
        if (i - start > 1 && s[start] == '0') {
            *zeros = true;
            if (strict)
                return false;
        }
        out[part] = (unsigned char)v;
    }
    return i == n;
}

/* Groups of one to four hex digits separated by ':', as many as fit in limit. */
static size_t ipv6_groups(const char *s, size_t n, size_t *i, unsigned *groups, size_t limit)
{
    size_t count = 0;
    for (; count < limit; count++) {
        size_t j = *i;
        if (count > 0) {
            if (j >= n || s[j] != ':')
                break;
            j++;
        }
        size_t d = 0;
        unsigned v = 0;
        while (j + d < n && expr_is_hex((unsigned char)s[j + d]) && d < 5) {
            unsigned char c = (unsigned char)s[j + d];
            v = v * 16 + (unsigned)str_hex_value(c);
            d++;
        }
        if (d == 0 || d > 4)
            break;
        groups[count] = v;
        *i = j + d;
    }
    return count;
}

/* Rust's Ipv6Addr parser: eight groups, or fewer around one "::" that stands for at least one. */
static bool parse_ipv6(const char *s, size_t n, unsigned char out[16])
{
    unsigned head[8], tail[8];
    size_t i = 0;
    size_t nhead = ipv6_groups(s, n, &i, head, 8), ntail = 0;
    if (nhead < 8) {
        if (n - i < 2 || s[i] != ':' || s[i + 1] != ':')
            return false;
        i += 2;
        ntail = ipv6_groups(s, n, &i, tail, 8 - (nhead + 1));
    }
    if (i != n)
        return false;
    memset(out, 0, 16);
    for (size_t g = 0; g < nhead; g++) {
        out[2 * g] = (unsigned char)(head[g] >> 8);
        out[2 * g + 1] = (unsigned char)head[g];
    }
    for (size_t g = 0; g < ntail; g++) {
        size_t at = 16 - 2 * (ntail - g);
        out[at] = (unsigned char)(tail[g] >> 8);
        out[at + 1] = (unsigned char)tail[g];
    }
    return true;
}

/* Clears the bits after the prefix; true when some were set. */
static bool clear_host_bits(unsigned char *addr, size_t bytes, unsigned prefix)
{
    bool set = false;
    for (size_t b = 0; b < bytes; b++) {
        unsigned keep = prefix >= (b + 1) * 8 ? 8 : prefix > b * 8 ? prefix - (unsigned)b * 8 : 0;
        unsigned char mask = (unsigned char)(keep ? 0xFF << (8 - keep) : 0);
        set |= (addr[b] & ~mask) != 0;
        addr[b] &= mask;
    }
    return set;
}

static void format_ipv6(const unsigned char a[16], char *out, size_t size)
{
    /* The longest run of zero groups becomes "::", as Rust and inet_ntop write it. */
    int best = -1, best_len = 0;
    for (int g = 0; g < 8;) {
        int len = 0;
        while (g + len < 8 && a[2 * (g + len)] == 0 && a[2 * (g + len) + 1] == 0)
            len++;
        if (len > best_len && len > 1) {
            best = g;
            best_len = len;
        }
        g += len ? len : 1;
    }
    size_t used = 0;
    out[0] = '\0';
    for (int g = 0; g < 8 && used < size; g++) {
        if (g == best) {
            used += (size_t)snprintf(out + used, size - used, "::");
            g += best_len - 1;
            continue;
        }
        const char *sep = g > 0 && g != best + best_len ? ":" : "";
        used +=
            (size_t)snprintf(out + used, size - used, "%s%x", sep, a[2 * g] << 8 | a[2 * g + 1]);
    }
}

/* A literal as written, cut for a message. */
static int shown_len(size_t at, size_t end)
{
    return (int)(end - at > 60 ? 60 : end - at);
}

static void check_ip(struct xp *p, const struct rhs *v)
{
    const char *t = p->s + v->at;
    size_t n = v->end - v->at;
    bool zeros;
    unsigned char addr[16];
    bool ranges = !expr_has(p, EXPR_IP_ADDRESSES); /* before 1.2 an address is read as a range */
    if (v->kind == RHS_IPV4 && !parse_ipv4(t, n, !ranges, addr, &zeros)) {
        if (zeros && !ranges)
            expr_note(&p->build, R_HOP3008, v->at,
                      "IP address '%.*s' has a part with a leading zero, which the router "
                      "refuses (" KONG_SAYS "invalid IPv4 address syntax)",
                      (int)n, t);
        else
            expr_note(&p->build, R_HOP3008, v->at,
                      "'%.*s' is not an IPv4 address (" KONG_SAYS "%sinvalid IPv4 address "
                      "syntax)",
                      (int)n, t, ranges ? "couldn't parse address in network: " : "");
        return;
    }
    if (v->kind == RHS_IPV6 && !parse_ipv6(t, n, addr)) {
        expr_note(&p->build, R_HOP3008, v->at,
                  "'%.*s' is not an IPv6 address (" KONG_SAYS "%sinvalid IPv6 address syntax)",
                  shown_len(v->at, v->end), t, ranges ? "couldn't parse address in network: " : "");
        return;
    }
    if (v->kind != RHS_IPV4_CIDR && v->kind != RHS_IPV6_CIDR)
        return;
    bool v6 = v->kind == RHS_IPV6_CIDR;
    const char *slash = memchr(t, '/', n);
    size_t alen = (size_t)(slash - t);
    bool parsed = v6 ? parse_ipv6(t, alen, addr) : parse_ipv4(t, alen, false, addr, &zeros);
    if (!parsed) {
        expr_note(&p->build, R_HOP3008, v->at,
                  "'%.*s' is not a CIDR range: '%.*s' is not an IPv%d address (" KONG_SAYS
                  "couldn't parse address in network: invalid IPv%d address syntax)",
                  shown_len(v->at, v->end), t, (int)alen, t, v6 ? 6 : 4, v6 ? 6 : 4);
        return;
    }
    unsigned prefix = 0, max = v6 ? 128 : 32; /* the grammar gave it one to three digits */
    for (const char *d = slash + 1; d < t + n; d++)
        prefix = prefix * 10 + (unsigned)(*d - '0');
    if (prefix > 255) {
        expr_note(&p->build, R_HOP3008, v->at,
                  "'%.*s': the prefix length is not a number from 0 to %u (" KONG_SAYS
                  "couldn't parse length in network: number too large to fit in target "
                  "type)",
                  shown_len(v->at, v->end), t, max);
        return;
    }
    if (prefix > max) {
        expr_note(&p->build, R_HOP3008, v->at,
                  "'%.*s': the prefix length %u is longer than %u (" KONG_SAYS
                  "invalid length for network: Network length %u is too long for Ipv%d "
                  "(maximum: %u))",
                  shown_len(v->at, v->end), t, prefix, max, prefix, v6 ? 6 : 4, max);
        return;
    }
    if (clear_host_bits(addr, v6 ? 16 : 4, prefix)) {
        char net[64];
        if (v6)
            format_ipv6(addr, net, sizeof(net));
        else
            snprintf(net, sizeof(net), "%u.%u.%u.%u", addr[0], addr[1], addr[2], addr[3]);
        expr_note(&p->build, R_HOP3008, v->at,
                  "'%.*s' sets bits after the prefix; the range is %s/%u (" KONG_SAYS
                  "host part of address was not zero)",
                  shown_len(v->at, v->end), t, net, prefix);
    }
}

/* i64::from_str_radix on the digits (the sign is applied afterwards). */
static void check_int(struct xp *p, const struct rhs *v)
{
    uint64_t value = 0, limit = INT64_MAX;
    for (size_t i = 0; i < v->digits_len; i++) {
        unsigned char c = (unsigned char)p->s[v->digits_at + i];
        unsigned d = (unsigned)str_hex_value(c);
        if (value > (limit - d) / (uint64_t)v->radix) {
            expr_note(&p->build, R_HOP3008, v->digits_at,
                      "integer '%.*s' is too large: the router takes 64-bit integers (" KONG_SAYS
                      "number too large to fit in target type)",
                      shown_len(v->at, v->end), p->s + v->at);
            return;
        }
        value = value * (uint64_t)v->radix + d;
    }
}

/* The text a string literal stands for. */
static void literal_text(const struct xp *p, const struct rhs *v, struct buf *b)
{
    if (v->kind == RHS_RAW) {
        buf_append(b, p->s + v->at + 3, v->end - v->at - 5);
        return;
    }
    static const char from[] = "\"\\nrt", to[] = "\"\\\n\r\t";
    for (size_t i = v->at + 1; i + 1 < v->end; i++) {
        char c = p->s[i];
        if (c == '\\' && i + 2 < v->end) {
            c = to[strchr(from, p->s[++i]) - from];
        }
        buf_putc(b, c);
    }
}

/* Where the character at offset k of a string literal's text is written. */
static size_t literal_source(const struct xp *p, const struct rhs *v, size_t k)
{
    if (v->kind == RHS_RAW)
        return v->at + 3 + k;
    size_t i = v->at + 1;
    for (size_t seen = 0; seen < k && i + 1 < v->end; seen++)
        i += p->s[i] == '\\' ? 2 : 1;
    return i;
}

static void check_regex(struct xp *p, const struct rhs *v)
{
    if (v->kind != RHS_STR && v->kind != RHS_RAW) {
        expr_note(&p->build, R_HOP3008, v->at,
                  "the regex operator '~' takes a string; write the regex in quotes (" KONG_SAYS
                  "regex operator can only be used with String operands)");
        return;
    }
    struct buf b;
    buf_init(&b, v->end - v->at + 1);
    literal_text(p, v, &b);
    struct rust_regex_error e;
    const char *re = b.data ? b.data : "";
    if (!rust_regex_check(re, b.len, p->lang->regex, &e)) {
        size_t at = literal_source(p, v, e.offset);
        int shown = b.len > 60 ? 60 : (int)b.len;
        const char *more = b.len > 60 ? "..." : "";
        if (e.construct && e.later)
            expr_note(&p->build, R_HOP3007, at,
                      "the regex '%.*s%s' uses %s, which the router of %s %s does not "
                      "accept%s%s (" KONG_SAYS "regex parse error: %s)",
                      shown, re, more, e.construct, p->lang->product, p->lang->version_text,
                      e.hint ? "; " : "", e.hint ? e.hint : "", e.message);
        else if (e.construct)
            expr_note(&p->build, R_HOP3007, at,
                      "the regex '%.*s%s' uses %s, which the router cannot run (its regex "
                      "engine, Rust's regex crate, has no backtracking features)%s%s (" KONG_SAYS
                      "regex parse error: %s)",
                      shown, re, more, e.construct, e.hint ? "; " : "", e.hint ? e.hint : "",
                      e.message);
        else
            expr_note(&p->build, R_HOP3003, at,
                      "invalid regex '%.*s%s': %s%s%s (" KONG_SAYS "regex parse error: %s)", shown,
                      re, more, e.message, e.hint ? "; " : "", e.hint ? e.hint : "", e.message);
    }
    buf_release(&b);
}

/* The literals, as the atc-router reads them while it builds the tree. */
static void check_literals(struct xp *p, const struct lhs *l, enum op op, const struct rhs *v)
{
    if (p->build.set)
        return;
    if (l->bad_fn_len) {
        char known[128] = "";
        for (size_t i = 0, used = 0; i < p->lang->nfunctions && used < sizeof(known); i++)
            used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s()",
                                     i == 0                         ? ""
                                     : i + 1 == p->lang->nfunctions ? " and "
                                                                    : ", ",
                                     p->lang->functions[i]);
        expr_note(&p->build, R_HOP3008, l->bad_fn_at,
                  "unknown function '%.*s()': the router has %s (" KONG_SAYS
                  "unknown transformation function: %.*s)",
                  (int)l->bad_fn_len, p->s + l->bad_fn_at, known, (int)l->bad_fn_len,
                  p->s + l->bad_fn_at);
        return;
    }
    if (v->kind == RHS_INT)
        check_int(p, v);
    else if (v->kind != RHS_STR && v->kind != RHS_RAW)
        check_ip(p, v);
    if (!p->build.set && op == OP_REGEX)
        check_regex(p, v);
}

/* ---- fields ------------------------------------------------------------------------------ */

/* The schema's lookup: the name itself, else its family ("http.headers.x" in "http.headers.*"). */
static const struct spec_expr_field *find_field(const struct spec_expr_lang *lang, const char *name,
                                                size_t len)
{
    for (size_t i = 0; i < lang->nfields; i++)
        if (strlen(lang->fields[i].name) == len && !memcmp(lang->fields[i].name, name, len))
            return &lang->fields[i];
    const char *dot = NULL;
    for (size_t i = len; i-- > 0;)
        if (name[i] == '.') {
            dot = name + i;
            break;
        }
    if (!dot)
        return NULL;
    size_t prefix = (size_t)(dot - name);
    for (size_t i = 0; i < lang->nfields; i++) {
        const char *f = lang->fields[i].name;
        if (strlen(f) == prefix + 2 && !memcmp(f, name, prefix) && !strcmp(f + prefix, ".*"))
            return &lang->fields[i];
    }
    return NULL;
}

static bool for_route(const struct xp *p, const struct spec_expr_field *f)
{
    return p->subsystem < 0 || f->subsystems == 0 || (f->subsystems & (1u << p->subsystem));
}

/* Kong rewrites "net.port" followed by blanks and one of "=><!" (kong/router/transform.lua). */
static bool alias_applies(const struct lhs *l, enum op op)
{
    return l->functions == 0 && strchr("=><!", expr_op_texts[op][0]);
}

/* Every release's definition of a field (or of its family), or NULL. */
static const struct node *field_definition(const struct spec_expr_lang *lang, const char *name,
                                           size_t len)
{
    const struct node *all = lang->all_fields;
    for (int pass = 0; pass < 2 && all; pass++) {
        size_t want = len;
        if (pass == 1) {
            while (want > 0 && name[want - 1] != '.')
                want--;
            if (want == 0)
                return NULL;
        }
        for (uint32_t i = 0; i < all->count; i++) {
            const struct node *key = all->u.pairs[i].key;
            bool hit = pass == 0 ? key->count == len && !memcmp(key->u.text, name, len)
                                 : key->count == want + 1 && !memcmp(key->u.text, name, want) &&
                                       key->u.text[want] == '*';
            if (hit)
                return all->u.pairs[i].value;
        }
    }
    return NULL;
}

/* The nearest field of the route, for "did you mean"; into out. */
static bool nearest_field(const struct xp *p, const char *name, char *out, size_t size)
{
    size_t best = strlen(name) >= 5 ? 4 : 3;
    bool found = false;
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; i < p->lang->nfields; i++) {
        const struct spec_expr_field *f = &p->lang->fields[i];
        if (f->alias_of || !for_route(p, f))
            continue;
        size_t flen = strlen(f->name), d;
        char candidate[160];
        if (flen > 2 && !strcmp(f->name + flen - 2, ".*")) {
            char family[128];
            snprintf(family, sizeof(family), "%.*s", (int)(flen - 2), f->name);
            if (!dot)
                continue;
            char prefix[128];
            snprintf(prefix, sizeof(prefix), "%.*s", (int)(dot - name), name);
            d = str_edit_distance(prefix, family);
            snprintf(candidate, sizeof(candidate), "%s%s", family, dot);
        } else {
            d = str_edit_distance(name, f->name);
            snprintf(candidate, sizeof(candidate), "%s", f->name);
        }
        if (d < best && strcmp(candidate, name) != 0) {
            best = d;
            snprintf(out, size, "%s", candidate);
            found = true;
        }
    }
    return found;
}

/* A family named without a member: "http.headers" for "http.headers.*". */
static const struct spec_expr_field *bare_family(const struct xp *p, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < p->lang->nfields; i++) {
        const char *f = p->lang->fields[i].name;
        if (strlen(f) == len + 2 && !strncmp(f, name, len) && !strcmp(f + len, ".*"))
            return &p->lang->fields[i];
    }
    return NULL;
}

static void subsystem_names(const struct xp *p, uint32_t bits, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0, used = 0; i < p->lang->nsubsystems && used < size; i++)
        if (bits & (1u << i))
            used += (size_t)snprintf(out + used, size - used, "%s%s", used ? " and " : "",
                                     p->lang->subsystems[i].name);
}

static void unknown_field(struct xp *p, const struct lhs *l, const struct spec_expr_field *f,
                          const char *name)
{
    size_t at = l->field_at;
    if (f && !f->alias_of && !for_route(p, f)) {
        char where[64];
        subsystem_names(p, f->subsystems, where, sizeof(where));
        expr_note(&p->semantic, R_HOP3008, at,
                  "'%s' is a field of %s routes, and this route is a %s route (its first "
                  "protocol is '%s') (" KONG_SAYS "Unknown LHS field)",
                  name, where, p->lang->subsystems[p->subsystem].name, p->protocol);
        return;
    }
    if (f && f->alias_of) {
        expr_note(&p->semantic, R_HOP3008, at,
                  "kong reads '%s' as '%s' only when a comparison (==, !=, <, <=, >, >=) "
                  "follows it; write '%s' (" KONG_SAYS "Unknown LHS field)",
                  name, f->alias_of, f->alias_of);
        return;
    }
    const struct node *def = field_definition(p->lang, name, strlen(name));
    enum rule_id rule;
    char phrase[200];
    if (def && cond_explain_variants(def, p->lang->target, p->lang->product, &rule, phrase,
                                     sizeof(phrase))) {
        expr_note(&p->semantic, rule, at, "field '%s' %s (" KONG_SAYS "Unknown LHS field)", name,
                  phrase);
        return;
    }
    const struct spec_expr_field *family = bare_family(p, name);
    if (family) {
        expr_note(&p->semantic, R_HOP3008, at,
                  "unknown field '%s': the family %s needs a name after the dot, such as "
                  "'%s.name' (" KONG_SAYS "Unknown LHS field)",
                  name, family->name, name);
        return;
    }
    char hint[160];
    bool near = nearest_field(p, name, hint, sizeof(hint));
    expr_note(&p->semantic, R_HOP3008, at,
              "unknown field '%s'%s%s%s (" KONG_SAYS "Unknown LHS field)", name,
              near ? "; did you mean '" : "", near ? hint : "", near ? "'?" : "");
}

/* ---- types ------------------------------------------------------------------------------- */

static void type_mismatch(struct xp *p, const char *name, const struct spec_expr_field *f,
                          const struct rhs *v)
{
    const char *t = p->s + v->at;
    int shown = shown_len(v->at, v->end);
    char hint[96] = "";
    bool digits_only = v->kind == RHS_STR && v->end - v->at > 2;
    for (size_t i = v->at + 1; digits_only && i + 1 < v->end; i++)
        digits_only = expr_is_digit((unsigned char)p->s[i]) || (i == v->at + 1 && p->s[i] == '-');
    if (f->type == EXPR_STRING && v->kind != RHS_STR && v->kind != RHS_RAW && shown < 40)
        snprintf(hint, sizeof(hint), "; write \"%.*s\"", shown, t);
    else if (f->type == EXPR_INT && digits_only && shown < 40)
        snprintf(hint, sizeof(hint), "; write %.*s", shown - 2, t + 1);
    else if (f->type == EXPR_IPADDR && (v->kind == RHS_STR || v->kind == RHS_RAW))
        snprintf(hint, sizeof(hint), "; write the address without quotes");
    else if (f->type == EXPR_IPADDR && value_type(p, v->kind) == EXPR_IPCIDR)
        snprintf(hint, sizeof(hint), "; use 'in' to test an address against a range");
    expr_note(&p->semantic, R_HOP3008, v->at,
              "'%s' is %s, but %.*s%s is %s%s (" KONG_SAYS
              "Type mismatch between the LHS and RHS values of predicate)",
              name, field_phrase(f->type), shown, t, v->end - v->at > 60 ? "..." : "",
              value_phrase(v->kind), hint);
}

/* What the operator takes, as the atc-router's semantics.rs says it. */
static void check_operator(struct xp *p, const char *name, const struct spec_expr_field *f,
                           enum op op, size_t op_at, const struct rhs *v)
{
    enum expr_type rt = value_type(p, v->kind);
    const char *op_text = expr_op_texts[op];
    int shown = shown_len(v->at, v->end);
    const char *t = p->s + v->at;
    switch (op) {
    case OP_REGEX:
        if (f->type != EXPR_STRING)
            expr_note(&p->semantic, R_HOP3008, op_at,
                      "the regex operator '~' takes a string field, and '%s' is %s (" KONG_SAYS
                      "Regex operators only supports string operands)",
                      name, field_phrase(f->type));
        break;
    case OP_PREFIX:
    case OP_POSTFIX:
        if (rt != EXPR_STRING)
            expr_note(&p->semantic, R_HOP3008, op_at,
                      "'%s' compares strings, and %.*s is %s (" KONG_SAYS
                      "Regex/Prefix/Postfix operators only supports string operands)",
                      op_text, shown, t, value_phrase(v->kind));
        break;
    case OP_GE:
    case OP_GT:
    case OP_LE:
    case OP_LT:
        if (rt != EXPR_INT)
            expr_note(&p->semantic, R_HOP3008, op_at,
                      "'%s' compares integers, and %.*s is %s (" KONG_SAYS
                      "Greater/GreaterOrEqual/Lesser/LesserOrEqual operators only supports "
                      "integer operands)",
                      op_text, shown, t, value_phrase(v->kind));
        break;
    case OP_IN:
    case OP_NOT_IN:
        if (!expr_has(p, EXPR_IP_ADDRESSES)) {
            if (rt != EXPR_STRING && rt != EXPR_IPCIDR)
                expr_note(&p->semantic, R_HOP3008, op_at,
                          "'%s' takes a string or a CIDR range, and %.*s is %s (" KONG_SAYS
                          "In/NotIn operators only supports string/IP cidr operands)",
                          op_text, shown, t, value_phrase(v->kind));
        } else if (f->type != EXPR_IPADDR || rt != EXPR_IPCIDR) {
            expr_note(&p->semantic, R_HOP3008, op_at,
                      "'%s' tests an IP address field against a CIDR range such as "
                      "10.0.0.0/8, and here it has %s and %s (" KONG_SAYS
                      "In/NotIn operators only supports IP in CIDR)",
                      op_text, field_phrase(f->type), value_phrase(v->kind));
        }
        break;
    case OP_CONTAINS:
        if (rt != EXPR_STRING)
            expr_note(&p->semantic, R_HOP3008, op_at,
                      "'contains' looks for a string, and %.*s is %s (" KONG_SAYS
                      "Contains operator only supports string operands)",
                      shown, t, value_phrase(v->kind));
        break;
    default:
        break;
    }
}

/* Kong's own check from 3.6: http.path.segments.len, .N or .N_M with N < M, no leading zeros. */
static bool segment_name_ok(const char *name)
{
    static const char prefix[] = "http.path.segments.";
    if (!strstr(name, prefix))
        return true;
    /* Kong takes the suffix after the prefix's length, wherever it found the prefix. */
    const char *s = strlen(name) > sizeof(prefix) - 1 ? name + sizeof(prefix) - 1 : "";
    if (!strcmp(s, "len"))
        return true;
    const char *under = strchr(s, '_');
    size_t first = under ? (size_t)(under - s) : strlen(s);
    for (size_t part = 0; part < 2; part++) {
        const char *d = part ? under + 1 : s;
        size_t len = part ? strlen(d) : first;
        if (len == 0 || (d[0] == '0' && (len > 1 || part == 1)))
            return false;
        for (size_t i = 0; i < len; i++)
            if (!expr_is_digit((unsigned char)d[i]))
                return false;
        if (!under)
            break;
    }
    if (!under)
        return true;
    /* Lua compares them as numbers. */
    return strtod(s, NULL) < strtod(under + 1, NULL);
}

static void check_types(struct xp *p, const struct lhs *l, enum op op, size_t op_at,
                        const struct rhs *v)
{
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)l->field_len, p->s + l->field_at);
    const struct spec_expr_field *f = find_field(p->lang, p->s + l->field_at, l->field_len);
    const struct spec_expr_field *alias = NULL;
    if (f && f->alias_of && alias_applies(l, op)) {
        alias = f;
        f = find_field(p->lang, f->alias_of, strlen(f->alias_of));
    }
    if (!f || f->alias_of || !for_route(p, f)) {
        unknown_field(p, l, f, name);
        return;
    }
    enum expr_type rt = value_type(p, v->kind);
    bool skips =
        op == OP_REGEX || (expr_has(p, EXPR_IP_ADDRESSES) && (op == OP_IN || op == OP_NOT_IN));
    if (!skips && f->type != rt)
        type_mismatch(p, name, f, v);
    else if (l->lower && f->type != EXPR_STRING)
        expr_note(&p->semantic, R_HOP3008, l->lower_at,
                  "lower() works on string fields, and '%s' is %s (" KONG_SAYS
                  "lower-case transformation function only supported with String type "
                  "fields)",
                  name, field_phrase(f->type));
    else
        check_operator(p, name, f, op, op_at, v);
    const char *checked = alias ? alias->alias_of : name;
    if (expr_has(p, EXPR_PATH_SEGMENTS) && !segment_name_ok(checked))
        expr_note(&p->kong, R_HOP3008, l->field_at,
                  "'%s': after 'http.path.segments.' comes 'len', a segment number N or a "
                  "range N_M with N < M, without leading zeros (" KONG_SAYS
                  "illformed http.path.segments.* field)",
                  checked);
    if (alias && alias->deprecated_since)
        expr_note(&p->note, R_HOP4002, l->field_at, "field '%s' is deprecated since %s %s%s%s",
                  name, p->lang->product, alias->deprecated_since,
                  alias->deprecated_message ? ": " : "",
                  alias->deprecated_message ? alias->deprecated_message : "");
}

void expr_check_predicate(struct xp *p, const struct lhs *l, enum op op, size_t op_at,
                          const struct rhs *v)
{
    check_literals(p, l, op, v);
    check_types(p, l, op, op_at, v);
}
