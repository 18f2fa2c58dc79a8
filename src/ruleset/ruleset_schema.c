#include "ruleset_schema.h"

#include "ruleset_js.h"
#include "util/util_str.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * How ajv validates, in the configuration Spectral gives it (strict: false, allErrors as the
 * rule says, ajv-formats, unicodeRegExp: false), which this file follows:
 *
 *  - A schema's keywords run in ajv's order, not the schema's: first `type` (unless the one
 *    type it names has keywords of its own, whose group then checks it), then the keywords for
 *    any value ($ref, const, enum, not, anyOf, oneOf, allOf, if), then those for numbers,
 *    strings, arrays and objects, each group only for values of its type.
 *  - Without allErrors, validation stops at the first error, except inside the subschemas of
 *    anyOf, oneOf, not, if, contains and propertyNames ("composite" rules), whose errors are
 *    collected (and dropped when the rule passes); a $ref to a schema holding a $ref is a
 *    separate function, which stops at its own first error and hands its errors back.
 *  - Unknown keywords and formats are ignored.
 *
 * Then Spectral hands the errors to better-ajv-errors, which arranges them in a tree by
 * instance path, drops some (anyOf's when deeper errors explain them, enum's when a sibling
 * has errors), merges enum errors, and words each message with the property's name.
 */

/* Load-time and run-time bounds. */
#define SCHEMA_MAX_NESTING 100     /* subschemas inside one another in the ruleset */
#define VALIDATE_MAX_DEPTH 600     /* subschemas on the stack while validating one value */
#define VALIDATE_MAX_STEPS 5000000 /* subschema evaluations and comparisons per value */
#define STEPS_TEXT         "5000000"
#define VALUE_MAX_DEPTH    256 /* nesting of values compared or printed */

/* What V8 says when the stack runs out: a schema recursing without end ($ref: "#" at the
 * same value) makes ajv throw it, and Spectral reports the exception's message. */
#define STACK_MESSAGE "Maximum call stack size exceeded"

/* ---- values as JavaScript sees them ------------------------------------------------------- */

/*
 * Object.keys() of a mapping in the ruleset, which Spectral holds as a plain JavaScript object:
 * integer-like keys first in ascending order, then the others in the document's order; a
 * repeated key keeps its first place and takes its last value. -1 when memory runs out.
 */
static long schema_keys(const struct node *map, struct arena *a, struct jkey **out)
{
    struct jkey *keys = arena_alloc(a, ((size_t)map->count + 1) * sizeof(*keys));
    if (!keys)
        return -1;
    size_t n = 0;
    for (uint32_t i = 0; i < map->count; i++) {
        const struct node *k = map->u.pairs[i].key;
        if (!node_is_scalar(k))
            continue;
        size_t at = 0;
        while (at < n && !same_text(keys[at].s, keys[at].len, k->u.text, k->count))
            at++;
        keys[at] = (struct jkey){k->u.text, k->count, map->u.pairs[i].value};
        n += at == n;
    }
    /* A stable insertion sort puts the integer-like keys first (rulesets' maps are small). */
    for (size_t i = 1; i < n; i++) {
        struct jkey k = keys[i];
        uint32_t v, before;
        if (!js_array_index(k.s, k.len, &v))
            continue;
        size_t j = i;
        while (j > 0 && (!js_array_index(keys[j - 1].s, keys[j - 1].len, &before) || before > v)) {
            keys[j] = keys[j - 1];
            j--;
        }
        keys[j] = k;
    }
    *out = keys;
    return (long)n;
}

static const struct node *get(const struct node *map, const char *name)
{
    return js_get(map, name, strlen(name));
}

/* Boolean(value) of a ruleset value: bundled into JSON, NaN and the infinities are null. */
static bool ruleset_truthy(const struct node *n)
{
    return js_ruleset_type(n) != JS_NULL && js_truthy(n);
}

/* fast-deep-equal, which ajv's const, enum and uniqueItems use: NaN equals NaN, 0 equals -0,
 * objects by their own keys. *failed is set when memory or depth ran out. */
static bool js_equal_at(const struct node *a, const struct node *b, struct arena *ar,
                        unsigned depth, bool *failed)
{
    unsigned ta = js_typeof(a), tb = js_typeof(b);
    if (ta != tb)
        return false;
    if (depth > VALUE_MAX_DEPTH) {
        *failed = true;
        return false;
    }
    switch (ta) {
    case JS_STRING:
        return same_text(a->u.text, a->count, b->u.text, b->count);
    case JS_NUMBER: {
        double x = node_number(a), y = node_number(b);
        return x == y || (isnan(x) && isnan(y));
    }
    case JS_BOOL:
        return a->v.b == b->v.b;
    case JS_ARRAY:
        if (a->count != b->count)
            return false;
        for (uint32_t i = 0; i < a->count; i++)
            if (!js_equal_at(a->u.items[i], b->u.items[i], ar, depth + 1, failed))
                return false;
        return true;
    case JS_OBJECT: {
        struct jkey *ka, *kb;
        long na = js_keys(a, ar, &ka), nb = js_keys(b, ar, &kb);
        if (na < 0 || nb < 0) {
            *failed = true;
            return false;
        }
        if (na != nb)
            return false;
        for (long i = 0; i < na; i++) {
            const struct node *other = js_get(b, ka[i].s, ka[i].len);
            if (!other || !js_equal_at(ka[i].value, other, ar, depth + 1, failed))
                return false;
        }
        return true;
    }
    default:
        return true; /* null */
    }
}

static bool js_equal(const struct node *a, const struct node *b, struct arena *ar, bool *failed)
{
    return js_equal_at(a, b, ar, 0, failed);
}

/* JSON.stringify of a ruleset value (keys in JavaScript's order). */
static void sb_json_at(struct sbuf *b, const struct node *n, unsigned depth)
{
    unsigned t = js_ruleset_type(n);
    if (depth > VALUE_MAX_DEPTH) {
        sb_str(b, "null");
        return;
    }
    if (t == JS_STRING) {
        sb_json_string(b, n->u.text, n->count);
    } else if (t == JS_NUMBER) {
        sb_js_number(b, node_number(n));
    } else if (t == JS_BOOL) {
        sb_str(b, n->v.b ? "true" : "false");
    } else if (t == JS_ARRAY) {
        sb_str(b, "[");
        for (uint32_t i = 0; i < n->count; i++) {
            sb_str(b, i ? "," : "");
            sb_json_at(b, n->u.items[i], depth + 1);
        }
        sb_str(b, "]");
    } else if (t == JS_OBJECT) {
        struct jkey *keys;
        long count = schema_keys(n, b->a, &keys);
        if (count < 0) {
            b->failed = true;
            return;
        }
        sb_str(b, "{");
        for (long i = 0; i < count; i++) {
            sb_str(b, i ? "," : "");
            sb_json_string(b, keys[i].s, keys[i].len);
            sb_str(b, ":");
            sb_json_at(b, keys[i].value, depth + 1);
        }
        sb_str(b, "}");
    } else {
        sb_str(b, "null");
    }
}

/* ---- formats (ajv-formats' "full" set) ------------------------------------------------------ */

enum format_kind {
    FK_REGEX,     /* the regex decides */
    FK_DATE,      /* full-date, with the month's days */
    FK_TIME,      /* ajv-formats 2.1.1 never requires the time zone (its check is always true) */
    FK_DATE_TIME, /* a date and a time, split at one "t" or white space */
    FK_URI,       /* a "/" or ":" somewhere, and the regex */
    FK_REGEX_FMT, /* compiles as a regex, with no \Z anchor */
    FK_INT32,     /* numbers: an integer in 32 bits */
    FK_INT64,     /* numbers: an integer */
    FK_ANY_NUMBER,
    FK_ANY_STRING /* password, binary: anything */
};

struct format_def {
    const char *name;
    enum format_kind kind;
    const char *regex; /* JavaScript source */
    uint32_t options;
};

/* In ajv-formats' order; the regexes are its, character for character (url's \u{...}
 * written as \uhhhh, which PCRE2 reads with PCRE2_ALT_BSUX). */
static const struct format_def formats[] = {
    {"date", FK_DATE, NULL, 0},
    {"time", FK_TIME, NULL, 0},
    {"date-time", FK_DATE_TIME, NULL, 0},
    {"duration", FK_REGEX,
     "^P(?!$)((\\d+Y)?(\\d+M)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?|(\\d+W)?)$", 0},
    {"uri", FK_URI,
     "^(?:[a-z][a-z0-9+\\-.]*:)(?:\\/?\\/(?:(?:[a-z0-9\\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?"
     "(?:\\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:["
     "0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?"
     ":(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){"
     "0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0"
     "-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)\\.){3}(?:25[0-5]|2[0-"
     "4]\\d|[01]?\\d\\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:["
     "0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\\.[a-z0-9\\-._~!$&'()*+,;=:]+)\\]"
     "|(?:(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)\\.){3}(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)|(?:[a"
     "-z0-9\\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::\\d*)?(?:\\/(?:[a-z0-9\\-._~!$&'()*+,;=:@]"
     "|%[0-9a-f]{2})*)*|\\/(?:(?:[a-z0-9\\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\\/(?:[a-z0-9"
     "\\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+"
     "(?:\\/(?:[a-z0-9\\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)(?:\\?(?:[a-z0-9\\-._~!$&'()*+,"
     ";=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$",
     PCRE2_CASELESS},
    {"uri-reference", FK_REGEX,
     "^(?:[a-z][a-z0-9+\\-.]*:)?(?:\\/?\\/(?:(?:[a-z0-9\\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)"
     "?(?:\\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:"
     "[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|("
     "?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:)"
     "{0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:["
     "0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)\\.){3}(?:25[0-5]|2[0"
     "-4]\\d|[01]?\\d\\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:"
     "[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\\.[a-z0-9\\-._~!$&'()*+,;=:]+)\\"
     "]|(?:(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)\\.){3}(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)|(?:["
     "a-z0-9\\-._~!$&'\"()*+,;=]|%[0-9a-f]{2})*)(?::\\d*)?(?:\\/(?:[a-z0-9\\-._~!$&'\"()*+,"
     ";=:@]|%[0-9a-f]{2})*)*|\\/(?:(?:[a-z0-9\\-._~!$&'\"()*+,;=:@]|%[0-9a-f]{2})+(?:\\/(?:"
     "[a-z0-9\\-._~!$&'\"()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\\-._~!$&'\"()*+,;=:@]|%[0"
     "-9a-f]{2})+(?:\\/(?:[a-z0-9\\-._~!$&'\"()*+,;=:@]|%[0-9a-f]{2})*)*)?(?:\\?(?:[a-z0-9"
     "\\-._~!$&'\"()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\\-._~!$&'\"()*+,;=:@/?]|%[0-9"
     "a-f]{2})*)?$",
     PCRE2_CASELESS},
    {"uri-template", FK_REGEX,
     "^(?:(?:[^\\x00-\\x20\"'<>%\\\\^`{|}]|%[0-9a-f]{2})|\\{[+#./;?&=,!@|]?(?:[a-z0-9_]|%[0"
     "-9a-f]{2})+(?::[1-9][0-9]{0,3}|\\*)?(?:,(?:[a-z0-9_]|%[0-9a-f]{2})+(?::[1-9][0-9]{0,3"
     "}|\\*)?)*\\})*$",
     PCRE2_CASELESS},
    {"url", FK_REGEX,
     "^(?:https?|ftp):\\/\\/(?:\\S+(?::\\S*)?@)?(?:(?!(?:10|127)(?:\\.\\d{1,3}){3})(?!(?:16"
     "9\\.254|192\\.168)(?:\\.\\d{1,3}){2})(?!172\\.(?:1[6-9]|2\\d|3[0-1])(?:\\.\\d{1,3}){2"
     "})(?:[1-9]\\d?|1\\d\\d|2[01]\\d|22[0-3])(?:\\.(?:1?\\d{1,2}|2[0-4]\\d|25[0-5])){2}(?:"
     "\\.(?:[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-4]))|(?:(?:[a-z0-9\\u00a1-\\uffff]+-)*[a-z"
     "0-9\\u00a1-\\uffff]+)(?:\\.(?:[a-z0-9\\u00a1-\\uffff]+-)*[a-z0-9\\u00a1-\\u"
     "ffff]+)*(?:\\.(?:[a-z\\u00a1-\\uffff]{2,})))(?::\\d{2,5})?(?:\\/[^\\s]*)?$",
     PCRE2_CASELESS},
    {"email", FK_REGEX,
     "^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0"
     "-9-]*[a-z0-9])?\\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
     PCRE2_CASELESS},
    {"hostname", FK_REGEX,
     "^(?=.{1,253}\\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[-0-9a-z]{0,61"
     "}[0-9a-z])?)*\\.?$",
     PCRE2_CASELESS},
    {"ipv4", FK_REGEX,
     "^(?:(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)\\.){3}(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)$", 0},
    {"ipv6", FK_REGEX,
     "^((([0-9a-f]{1,4}:){7}([0-9a-f]{1,4}|:))|(([0-9a-f]{1,4}:){6}(:[0-9a-f]{1,4}|((25[0-5"
     "]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3})|:))|(([0"
     "-9a-f]{1,4}:){5}(((:[0-9a-f]{1,4}){1,2})|:((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.("
     "25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3})|:))|(([0-9a-f]{1,4}:){4}(((:[0-9a-f]{1,4}){"
     "1,3})|((:[0-9a-f]{1,4})?:((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d"
     "|1\\d\\d|[1-9]?\\d)){3}))|:))|(([0-9a-f]{1,4}:){3}(((:[0-9a-f]{1,4}){1,4})|((:[0-9a-f"
     "]{1,4}){0,2}:((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-"
     "9]?\\d)){3}))|:))|(([0-9a-f]{1,4}:){2}(((:[0-9a-f]{1,4}){1,5})|((:[0-9a-f]{1,4}){0,3}"
     ":((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3})"
     ")|:))|(([0-9a-f]{1,4}:){1}(((:[0-9a-f]{1,4}){1,6})|((:[0-9a-f]{1,4}){0,4}:((25[0-5]|2"
     "[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}))|:))|(:(((:"
     "[0-9a-f]{1,4}){1,7})|((:[0-9a-f]{1,4}){0,5}:((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\"
     ".(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}))|:)))$",
     PCRE2_CASELESS},
    {"regex", FK_REGEX_FMT, NULL, 0},
    {"uuid", FK_REGEX, "^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$",
     PCRE2_CASELESS},
    {"json-pointer", FK_REGEX, "^(?:\\/(?:[^~/]|~0|~1)*)*$", 0},
    {"json-pointer-uri-fragment", FK_REGEX,
     "^#(?:\\/(?:[a-z0-9_\\-.!$&'()*+,;:=@]|%[0-9a-f]{2}|~0|~1)*)*$", PCRE2_CASELESS},
    {"relative-json-pointer", FK_REGEX, "^(?:0|[1-9][0-9]*)(?:#|(?:\\/(?:[^~/]|~0|~1)*)*)$", 0},
    /* the g flag's lastIndex is reset before each test; m makes ^ and $ match at lines */
    {"byte", FK_REGEX, "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
     PCRE2_MULTILINE},
    {"int32", FK_INT32, NULL, 0},
    {"int64", FK_INT64, NULL, 0},
    {"float", FK_ANY_NUMBER, NULL, 0},
    {"double", FK_ANY_NUMBER, NULL, 0},
    {"password", FK_ANY_STRING, NULL, 0},
    {"binary", FK_ANY_STRING, NULL, 0},
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static bool format_is_numeric(enum format_kind k)
{
    return k == FK_INT32 || k == FK_INT64 || k == FK_ANY_NUMBER;
}

static bool digits_at(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int two_digits(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* /^(\d\d\d\d)-(\d\d)-(\d\d)$/ and the month's days (leap years as RFC 3339 says). */
static bool format_date(const char *s, size_t n)
{
    static const int days[] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n != 10 || !digits_at(s, 4) || s[4] != '-' || !digits_at(s + 5, 2) || s[7] != '-' ||
        !digits_at(s + 8, 2))
        return false;
    int year = two_digits(s) * 100 + two_digits(s + 2), month = two_digits(s + 5),
        day = two_digits(s + 8);
    bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    return month >= 1 && month <= 12 && day >= 1 && day <= (month == 2 && leap ? 29 : days[month]);
}

/* /^(\d\d):(\d\d):(\d\d)(\.\d+)?(z|[+-]\d\d(?::?\d\d)?)?$/i with 23:59:60 allowed. */
static bool format_time(const char *s, size_t n)
{
    if (n < 8 || !digits_at(s, 2) || s[2] != ':' || !digits_at(s + 3, 2) || s[5] != ':' ||
        !digits_at(s + 6, 2))
        return false;
    int hour = two_digits(s), minute = two_digits(s + 3), second = two_digits(s + 6);
    size_t i = 8;
    if (i < n && s[i] == '.') {
        size_t from = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == from)
            return false;
    }
    if (i < n && (s[i] == 'z' || s[i] == 'Z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        if (i + 3 > n || !digits_at(s + i + 1, 2))
            return false;
        i += 3;
        size_t colon = i < n && s[i] == ':';
        if (i + colon + 2 <= n && digits_at(s + i + colon, 2))
            i += colon + 2;
    }
    if (i != n)
        return false;
    return (hour <= 23 && minute <= 59 && second <= 59) ||
           (hour == 23 && minute == 59 && second == 60);
}

/* str.split(/t|\s/i) must give exactly a date and a time. */
static bool format_date_time(const char *s, size_t n)
{
    size_t split = n, split_end = n, count = 0;
    for (size_t i = 0; i < n;) {
        size_t at = i;
        uint32_t cp = js_next_code_point(s, n, &i);
        if (cp == 't' || cp == 'T' || js_white_space(cp)) {
            if (count++ == 0)
                split = at, split_end = i;
        }
    }
    return count == 1 && format_date(s, split) && format_time(s + split_end, n - split_end);
}

/* /[^\\]\\Z/: ajv-formats refuses a regex with a \Z anchor, which JavaScript lacks. */
static bool has_z_anchor(const char *s, size_t n)
{
    for (size_t i = 1; i + 1 < n; i++)
        if (s[i - 1] != '\\' && s[i] == '\\' && s[i + 1] == 'Z')
            return true;
    return false;
}

/* ---- compiled schemas ------------------------------------------------------------------------ */

/* ajv's rule groups, in the order it runs them: keywords for any value, then per type. */
enum group { G_ANY, G_NUMBER, G_STRING, G_ARRAY, G_OBJECT, NGROUPS };

/* Which ajv instance knows a keyword: ajv-draft-04, Ajv (draft 6 and 7), Ajv2019, Ajv2020. */
enum { D4 = 1, D7 = 2, D2019 = 4, D2020 = 8, D_ALL = D4 | D7 | D2019 | D2020 };

/* The type keyword's names, as bits. */
enum {
    T_NULL = 1 << 0,
    T_BOOLEAN = 1 << 1,
    T_NUMBER = 1 << 2,
    T_INTEGER = 1 << 3,
    T_STRING = 1 << 4,
    T_ARRAY = 1 << 5,
    T_OBJECT = 1 << 6
};

static const struct {
    const char *name;
    unsigned bit;
} type_names[] = {{"null", T_NULL},       {"boolean", T_BOOLEAN}, {"number", T_NUMBER},
                  {"integer", T_INTEGER}, {"string", T_STRING},   {"array", T_ARRAY},
                  {"object", T_OBJECT}};

struct sch;
struct skw;
struct comp;
struct vctx;

typedef int (*kw_compile_fn)(struct comp *C, const struct node *map, const struct node *v,
                             struct skw *k);
typedef bool (*kw_check_fn)(struct vctx *V, const struct skw *k, const struct node *d);

/* One keyword: its group and the instances that know it; compile checks its value as the
 * meta-schema does and prepares it, check validates a value. */
struct kwdef {
    const char *name;
    uint8_t group;
    uint8_t dialects;
    kw_compile_fn compile;
    kw_check_fn check;
};

/* A named part of a keyword: a property, a pattern, a dependency, a subschema in a list. */
struct entry {
    struct text name;
    pcre2_code *re;        /* patternProperties */
    const struct sch *sch; /* NULL for a property dependency */
    struct text *deps;     /* a property dependency's names */
    size_t ndeps;
    const char *deps_text; /* "b, c", for the message */
};

struct skw {
    const struct kwdef *def;
    double num;                      /* a limit or count */
    const char *num_text;            /* ...as JavaScript prints it */
    const char *op;                  /* maximum and the like: "<=", ">=", "<", ">" */
    struct text str;                 /* a pattern's source, a format's name */
    pcre2_code *re;                  /* pattern, or the format's regex */
    const struct format_def *format; /* NULL: a format ajv does not know, ignored */
    const struct sch *sub;           /* the one subschema of not, if, contains, items... */
    const struct sch *then_sch, *else_sch;
    const struct node *value; /* const, enum: a copy */
    struct entry *entries;    /* properties, required, anyOf's schemas... */
    size_t n;
    const struct skw *props, *pattern_props; /* additionalProperties' siblings */
    bool flag;           /* $ref: a function of its own; items: a tuple; uniqueItems: typed */
    unsigned item_types; /* uniqueItems: the items' types (T_*) */
    double min, max;     /* contains */
    bool has_max;
};

enum sch_kind { SK_TRUE, SK_FALSE, SK_OBJECT };

struct sch {
    uint8_t kind;
    bool rules;     /* a keyword ajv checks (else the schema accepts anything) */
    unsigned types; /* type, with nullable's null: T_* bits (0: no type) */
    unsigned ntypes;
    const char *type_text; /* type as ajv prints it: "string", "string,null" */
    int deferred_group;    /* the group that checks the single type, or -1 (checked first) */
    bool any_group;        /* ajv uses the group for any value: a keyword of it, or one it lists
                              without code (type, nullable, then...) */
    struct skw *kw;        /* in ajv's order, grouped */
    size_t nkw;
    size_t group_end[NGROUPS];
};

static bool always_valid(const struct sch *s)
{
    return s->kind == SK_TRUE || (s->kind == SK_OBJECT && !s->rules);
}

struct rs_schema {
    const struct sch *root;
    bool all_errors;
    bool broken_prepare_results;
    const char *invalid; /* what ajv says when it refuses to compile the schema */
    bool silent;         /* a $ref resolves to nothing: Spectral reports nothing */
    bool tries_all;      /* anyOf tries every schema (2019-09 and 2020-12) */
};

/* ---- compiling ------------------------------------------------------------------------------- */

struct memo {
    const struct node *node;
    struct sch *sch;
};

struct target {
    const struct node *node;
    struct sch *sch;
    const char *where;
};

/* A subschema ajv compiles only through a $ref, and its place. */
struct pending {
    const struct node *node;
    const char *where;
};

struct comp {
    struct arena *a;
    struct jpath_regexes *regexes;
    unsigned dialect; /* D4, D7, D2019 or D2020 */
    bool all_errors;
    const struct node *root;
    struct memo *memo; /* each schema node compiled once: $refs may loop */
    size_t nmemo, capmemo;
    unsigned nesting;
    char where[256]; /* the keyword's place, as ajv names it in its messages: "data/type" */
    size_t where_len;
    size_t kw_base;      /* where_len before the keyword being compiled: its schema's place */
    const char *invalid; /* the first reason ajv would refuse the schema */
    char refused[300];   /* what gatehop cannot do: the ruleset is refused */
    const struct node *refused_at;
    bool oom;
    bool second_pass; /* checking definitions no $ref reached: only their validity counts */
    bool unchecked;   /* draft 4: below a keyword its meta-schema does not describe, where ajv
                         takes boolean schemas */
    bool missing_ref;
    struct target *targets; /* $refs' targets, compiled after the schema that names them (so
                               that a chain of $refs does not nest) */
    size_t ntargets, captargets, done_targets;
    struct pending *pending; /* what ajv compiles only through a $ref (definitions, an if without
                                then or else): checked in the second pass */
    size_t npending, cappending;
    pcre2_code *format_re[NFORMATS];
};

/* Makes room for `need` items of `size` bytes in an array in the arena, doubling it (from 16):
 * false when memory ran out (the array is left as it was). */
static bool grow_array(struct arena *a, void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 16;
    while (c < need)
        c *= 2;
    void *p = arena_alloc(a, c * size);
    if (!p)
        return false;
    if (*cap)
        memcpy(p, *items, *cap * size);
    *items = p;
    *cap = c;
    return true;
}

static int out_of_memory(struct comp *C)
{
    C->oom = true;
    return -1;
}

/* Something gatehop cannot evaluate; ignored in definitions no $ref reaches (ajv never
 * compiles those). */
static int refuse(struct comp *C, const struct node *at, const char *fmt, ...) GH_PRINTF(3, 4);
static int refuse(struct comp *C, const struct node *at, const char *fmt, ...)
{
    if (C->second_pass)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(C->refused, sizeof(C->refused), fmt, ap);
    va_end(ap);
    C->refused_at = at;
    return -1;
}

/* The schema breaks its meta-schema: ajv's "schema is invalid: data/... must ...". */
static int invalid(struct comp *C, const char *fmt, ...) GH_PRINTF(2, 3);
static int invalid(struct comp *C, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (!C->invalid)
        C->invalid = arena_printf(C->a, "schema is invalid: data%s %s", C->where, what);
    return C->invalid ? -1 : out_of_memory(C);
}

/* A compile error that is not the meta-schema's: ajv's own text. */
static int compile_error(struct comp *C, const char *message)
{
    if (!C->invalid)
        C->invalid = arena_strdup(C->a, message);
    return C->invalid ? -1 : out_of_memory(C);
}

static size_t where_push(struct comp *C, const char *key, size_t len)
{
    size_t old = C->where_len;
    for (size_t i = 0; i <= len && C->where_len + 3 < sizeof(C->where); i++) {
        const char *piece = i == 0              ? "/"
                            : key[i - 1] == '~' ? "~0"
                            : key[i - 1] == '/' ? "~1"
                                                : NULL;
        if (piece) {
            memcpy(C->where + C->where_len, piece, strlen(piece));
            C->where_len += strlen(piece);
        } else {
            C->where[C->where_len++] = key[i - 1];
        }
    }
    C->where[C->where_len] = '\0';
    return old;
}

static size_t where_push_index(struct comp *C, size_t i)
{
    char text[24];
    snprintf(text, sizeof(text), "%zu", i);
    return where_push(C, text, strlen(text));
}

static void where_pop(struct comp *C, size_t old)
{
    C->where_len = old;
    C->where[old] = '\0';
}

/* The place of a sibling of the keyword being compiled (base: its schema's place). */
static void where_sibling(struct comp *C, size_t base, const char *name)
{
    where_pop(C, base);
    where_push(C, name, strlen(name));
}

static struct sch *memo_find(struct comp *C, const struct node *n)
{
    for (size_t i = 0; i < C->nmemo; i++)
        if (C->memo[i].node == n)
            return C->memo[i].sch;
    return NULL;
}

static int memo_add(struct comp *C, const struct node *n, struct sch *s)
{
    if (!grow_array(C->a, (void **)&C->memo, &C->capmemo, C->nmemo + 1, sizeof(*C->memo)))
        return out_of_memory(C);
    C->memo[C->nmemo++] = (struct memo){n, s};
    return 0;
}

static int add_pending(struct comp *C, const struct node *n)
{
    if (!grow_array(C->a, (void **)&C->pending, &C->cappending, C->npending + 1,
                    sizeof(*C->pending)))
        return out_of_memory(C);
    const char *where = arena_strdup(C->a, C->where);
    C->pending[C->npending++] = (struct pending){n, where};
    return where ? 0 : out_of_memory(C);
}

static int copy_text(struct comp *C, const struct node *n, struct text *out)
{
    return text_dup(C->a, n->u.text, n->count, out) ? 0 : out_of_memory(C);
}

static int set_number(struct comp *C, struct skw *k, const struct node *v)
{
    char text[40];
    k->num = node_number(v);
    js_number_text(k->num, text);
    k->num_text = arena_strdup(C->a, text);
    return k->num_text ? 0 : out_of_memory(C);
}

/* A copy of a ruleset value, typed as Spectral's bundled JSON types it. */
static void norm_value(struct node *n, unsigned depth)
{
    if (depth > VALUE_MAX_DEPTH)
        return;
    if (n->kind == NODE_SCALAR) {
        if (js_ruleset_type(n) == JS_NULL)
            n->type = SCALAR_NULL;
        else if (n->type == SCALAR_TIMESTAMP)
            n->type = SCALAR_STRING;
    } else if (n->kind == NODE_SEQUENCE) {
        for (uint32_t i = 0; i < n->count; i++)
            norm_value(n->u.items[i], depth + 1);
    } else {
        for (uint32_t i = 0; i < n->count; i++)
            norm_value(n->u.pairs[i].value, depth + 1);
    }
}

static int copy_value(struct comp *C, const struct node *v, const struct node **out)
{
    struct node *copy = node_copy(C->a, v);
    if (!copy)
        return out_of_memory(C);
    norm_value(copy, 0);
    *out = copy;
    return 0;
}

/* ---- the meta-schema's checks ---- */

static int need(struct comp *C, const struct node *v, unsigned t, const char *name)
{
    return js_ruleset_type(v) == t ? 0 : invalid(C, "must be %s", name);
}

/* nonNegativeInteger */
static int need_count(struct comp *C, const struct node *v)
{
    if (js_ruleset_type(v) != JS_NUMBER || node_number(v) != floor(node_number(v)))
        return invalid(C, "must be integer");
    return node_number(v) >= 0 ? 0 : invalid(C, "must be >= 0");
}

/* uniqueItems, worded as ajv words it: for typed items (`strings`, a stringArray) its loopN,
 * the first repeat seen from the end (later item first); else loopN2, the last pair. */
static int need_unique(struct comp *C, const struct node *list, bool strings)
{
    bool failed = false;
    for (uint32_t i = list->count; i-- > 0;) {
        uint32_t from = strings ? list->count : i, to = strings ? i + 1 : 0;
        for (uint32_t j = from; j-- > to;)
            if (js_equal(list->u.items[i], list->u.items[j], C->a, &failed))
                return invalid(
                    C, "must NOT have duplicate items (items ## %u and %u are identical)", j, i);
    }
    return failed ? out_of_memory(C) : 0;
}

/* stringArray: strings, each once (draft 4: at least one). */
static int need_string_array(struct comp *C, const struct node *v)
{
    if (need(C, v, JS_ARRAY, "array") < 0)
        return -1;
    if (C->dialect == D4 && v->count == 0)
        return invalid(C, "must NOT have fewer than 1 items");
    for (uint32_t i = 0; i < v->count; i++) {
        size_t old = where_push_index(C, i);
        int rc = need(C, v->u.items[i], JS_STRING, "string");
        where_pop(C, old);
        if (rc < 0)
            return -1;
    }
    return need_unique(C, v, true);
}

static const struct sch *compile_schema(struct comp *C, const struct node *n, bool bool_ok);
static struct sch *schema_slot(struct comp *C, const struct node *n, bool *fresh);

/* A subschema under `key` of the keyword being compiled. */
static const struct sch *compile_under(struct comp *C, const struct node *n, const char *key,
                                       size_t len)
{
    size_t old = where_push(C, key, len);
    const struct sch *s = compile_schema(C, n, false);
    where_pop(C, old);
    return s;
}

static const struct sch *compile_item(struct comp *C, const struct node *n, size_t i)
{
    size_t old = where_push_index(C, i);
    const struct sch *s = compile_schema(C, n, false);
    where_pop(C, old);
    return s;
}

/* schemaArray: at least one schema. */
static int compile_schema_list(struct comp *C, const struct node *v, struct skw *k)
{
    if (need(C, v, JS_ARRAY, "array") < 0)
        return -1;
    if (v->count == 0)
        return invalid(C, "must NOT have fewer than 1 items");
    k->n = v->count;
    k->entries = arena_calloc(C->a, v->count, sizeof(*k->entries));
    if (!k->entries)
        return out_of_memory(C);
    for (uint32_t i = 0; i < v->count; i++)
        if (!(k->entries[i].sch = compile_item(C, v->u.items[i], i)))
            return -1;
    return 0;
}

/* A keyword whose value is an object (properties, dependencies...): room in k->entries for its
 * keys, which *keys lists in the order JavaScript iterates the ruleset's object. Their count,
 * or -1. */
static long entries_for(struct comp *C, const struct node *v, struct skw *k, struct jkey **keys)
{
    if (need(C, v, JS_OBJECT, "object") < 0)
        return -1;
    long n = schema_keys(v, C->a, keys);
    k->entries = n >= 0 ? arena_calloc(C->a, (size_t)n + 1, sizeof(*k->entries)) : NULL;
    return k->entries ? n : out_of_memory(C);
}

/* The next of k's entries, named after the key; NULL when memory ran out. */
static struct entry *add_entry(struct comp *C, struct skw *k, const struct jkey *key)
{
    struct entry *e = &k->entries[k->n++];
    if (text_dup(C->a, key->s, key->len, &e->name))
        return e;
    out_of_memory(C);
    return NULL;
}

/* A mapping of names to schemas (properties, patternProperties, dependentSchemas). */
static int compile_schema_map(struct comp *C, const struct node *v, struct skw *k)
{
    struct jkey *keys;
    long n = entries_for(C, v, k, &keys);
    for (long i = 0; i < n; i++) {
        struct entry *e = add_entry(C, k, &keys[i]);
        if (!e || !(e->sch = compile_under(C, keys[i].value, keys[i].s, keys[i].len)))
            return -1;
    }
    return n < 0 ? -1 : 0;
}

/* A property dependency: the names, and "b, c" for ajv's message. */
static int compile_property_deps(struct comp *C, struct entry *e, const struct node *list)
{
    size_t old = where_push(C, e->name.s, e->name.len);
    int rc = need_string_array(C, list);
    where_pop(C, old);
    if (rc < 0)
        return -1;
    e->ndeps = list->count;
    e->deps = arena_calloc(C->a, list->count + 1, sizeof(*e->deps));
    struct sbuf b = {.a = C->a};
    if (!e->deps)
        return out_of_memory(C);
    for (uint32_t i = 0; i < list->count; i++) {
        if (copy_text(C, list->u.items[i], &e->deps[i]) < 0)
            return -1;
        sb_str(&b, i ? ", " : "");
        sb_add(&b, list->u.items[i]->u.text, list->u.items[i]->count);
    }
    e->deps_text = sb_text(&b);
    return e->deps_text ? 0 : out_of_memory(C);
}

/* A schema's regex (pattern, patternProperties): JavaScript's `new RegExp(source)`, without the
 * u flag (unicodeRegExp: false). 1 when it does not compile: ajv throws then, when it first
 * uses it, with V8's words; here PCRE2's. */
static int compile_regex_at(struct comp *C, const char *s, size_t len, pcre2_code **out)
{
    char why[160];
    int rc = js_regex_compile(s, len, 0, C->regexes, out, why, sizeof(why));
    if (rc == 0)
        return 0;
    if (rc == -2)
        return out_of_memory(C);
    if (!C->invalid)
        C->invalid = arena_printf(C->a, "Invalid regular expression: /%.*s/: %s", (int)len, s, why);
    *out = NULL;
    return 1;
}

/* The meta-schema's anyOf failing: both branches' errors, then anyOf's own. `second` is the
 * second branch's error, `at` its place below the keyword ("" or "/1"). */
static int invalid_any_of(struct comp *C, const char *first, const char *at, const char *second)
{
    return invalid(C, "%s, data%s%s %s, data%s must match a schema in anyOf", first, C->where, at,
                   second, C->where);
}

static unsigned type_bit(const struct node *t)
{
    for (size_t k = 0; k < sizeof(type_names) / sizeof(type_names[0]); k++)
        if (js_is_string(t) && js_text_is(t, type_names[k].name))
            return type_names[k].bit;
    return 0;
}

/* type: anyOf [simpleTypes, an array of them: at least one, each once]. */
static int check_type_keyword(struct comp *C, const struct node *type, unsigned *types,
                              unsigned *ntypes)
{
    static const char *const not_listed = "must be equal to one of the allowed values";
    if (js_ruleset_type(type) != JS_ARRAY) {
        *types = type_bit(type), *ntypes = 1;
        return *types ? 0 : invalid_any_of(C, not_listed, "", "must be array");
    }
    if (type->count == 0)
        return invalid_any_of(C, not_listed, "", "must NOT have fewer than 1 items");
    for (uint32_t i = 0; i < type->count; i++) {
        unsigned bit = type_bit(type->u.items[i]);
        char at[24];
        snprintf(at, sizeof(at), "/%u", i);
        if (!bit)
            return invalid_any_of(C, not_listed, at, not_listed);
        *types |= bit, (*ntypes)++;
    }
    /* unique, as ajv's loopN2 words it */
    for (uint32_t i = type->count; i-- > 1;)
        for (uint32_t j = i; j-- > 0;)
            if (type_bit(type->u.items[i]) == type_bit(type->u.items[j])) {
                char dup[96];
                snprintf(dup, sizeof(dup),
                         "must NOT have duplicate items (items ## %u and %u are identical)", j, i);
                return invalid_any_of(C, not_listed, "", dup);
            }
    return 0;
}

/* The types a schema's `type` (and nullable) name: getSchemaTypes. -1 when invalid. */
static int schema_types(struct comp *C, const struct node *map, unsigned *types, unsigned *ntypes)
{
    const struct node *type = get(map, "type"), *nullable = get(map, "nullable");
    *types = 0, *ntypes = 0;
    if (type) {
        size_t old = where_push(C, "type", 4);
        int rc = check_type_keyword(C, type, types, ntypes);
        where_pop(C, old);
        if (rc < 0)
            return -1;
    }
    if (!nullable)
        return 0;
    if (js_ruleset_type(nullable) != JS_BOOL)
        return compile_error(C, "nullable value must be \"boolean\"");
    if ((*types & T_NULL) && !nullable->v.b)
        return compile_error(C, "type: null contradicts nullable: false");
    if (!type)
        return compile_error(C, "\"nullable\" cannot be used without \"type\"");
    if (nullable->v.b && !(*types & T_NULL))
        *types |= T_NULL, (*ntypes)++;
    return 0;
}

/* `type` as ajv prints it in "must be ...": the keyword's value, an array joined by commas. */
static const char *type_text(struct comp *C, const struct node *type)
{
    struct sbuf b = {.a = C->a};
    sb_strings(&b, type);
    return sb_text(&b);
}

/* ---- the keywords' compile functions ---- */

/* ajv's unescapeFragment: decodeURIComponent, then ~1 and ~0. Into buf (NUL-ended). */
static size_t decode_segment(const char *s, size_t n, char *buf, size_t size)
{
    size_t len = 0;
    for (size_t i = 0; i < n && len + 1 < size; i++) {
        if (s[i] == '%' && i + 2 < n && str_hex_value(s[i + 1]) >= 0 &&
            str_hex_value(s[i + 2]) >= 0) {
            buf[len++] = (char)(str_hex_value(s[i + 1]) * 16 + str_hex_value(s[i + 2]));
            i += 2;
        } else {
            buf[len++] = s[i];
        }
    }
    size_t out = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '~' && i + 1 < len && (buf[i + 1] == '0' || buf[i + 1] == '1'))
            buf[out++] = buf[++i] == '0' ? '~' : '/';
        else
            buf[out++] = buf[i];
    }
    buf[out] = '\0';
    return out;
}

/* The value a "#/a/b" pointer names in the schema, or NULL. */
static const struct node *resolve_pointer(const struct node *root, const char *p, size_t n)
{
    const struct node *at = root;
    size_t i = 1; /* past '#' */
    while (at && i < n) {
        size_t end = i + 1;
        while (end < n && p[end] != '/')
            end++;
        char seg[512];
        uint32_t index;
        size_t len = decode_segment(p + i + 1, end - i - 1, seg, sizeof(seg));
        if (js_ruleset_type(at) == JS_OBJECT) {
            at = js_get(at, seg, len);
        } else if (js_ruleset_type(at) == JS_ARRAY && js_array_index(seg, len, &index) &&
                   index < at->count) {
            at = at->u.items[index];
        } else {
            at = NULL;
        }
        i = end;
    }
    return at;
}

/* ajv's hasRef: a $ref anywhere below (in any value) makes a $ref's target a function of its
 * own rather than inlined, which changes how far its errors go without allErrors. */
static bool has_ref(const struct node *n, unsigned depth)
{
    if (depth > VALUE_MAX_DEPTH)
        return true;
    if (n->kind == NODE_SEQUENCE) {
        for (uint32_t i = 0; i < n->count; i++)
            if (has_ref(n->u.items[i], depth + 1))
                return true;
    } else if (n->kind == NODE_MAPPING) {
        for (uint32_t i = 0; i < n->count; i++) {
            const struct node *k = n->u.pairs[i].key;
            if (js_text_is(k, "$ref") || js_text_is(k, "$recursiveRef") ||
                js_text_is(k, "$dynamicRef") || js_text_is(k, "$recursiveAnchor") ||
                js_text_is(k, "$dynamicAnchor") || has_ref(n->u.pairs[i].value, depth + 1))
                return true;
        }
    }
    return false;
}

static int kwc_ref(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    (void)map;
    if (need(C, v, JS_STRING, "string") < 0)
        return -1;
    const char *r = v->u.text;
    size_t n = v->count;
    if (n == 0 || r[0] != '#' || (n > 1 && r[1] != '/'))
        return refuse(C, v, "$ref '%s': gatehop resolves only local references (\"#\", \"#/...\")",
                      r);
    bool root = n == 1 || (n == 2 && r[1] == '/');
    const struct node *target = root ? C->root : resolve_pointer(C->root, r, n);
    if (!target) {
        /* ajv's MissingRefError, which Spectral ignores: the rule reports nothing */
        C->missing_ref |= !C->second_pass;
        return 0;
    }
    k->flag = root || (js_ruleset_type(target) == JS_OBJECT && has_ref(target, 0));
    bool fresh;
    struct sch *s = schema_slot(C, target, &fresh);
    k->sub = s;
    if (!s || !fresh)
        return s ? 0 : -1;
    if (!grow_array(C->a, (void **)&C->targets, &C->captargets, C->ntargets + 1,
                    sizeof(*C->targets)))
        return out_of_memory(C);
    /* ajv names a schema's place by its pointer ("#/definitions/port": data/definitions/port) */
    const char *where = arena_printf(C->a, "%s", root ? "" : r + 1);
    C->targets[C->ntargets++] = (struct target){target, s, where};
    return where ? 0 : out_of_memory(C);
}

static int kwc_const(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    (void)map;
    return copy_value(C, v, &k->value);
}

static int kwc_enum(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    (void)map;
    if (need(C, v, JS_ARRAY, "array") < 0)
        return -1;
    if (v->count == 0)
        return C->dialect & (D4 | D7) ? invalid(C, "must NOT have fewer than 1 items")
                                      : compile_error(C, "enum must have non-empty array");
    if ((C->dialect & (D4 | D7)) && need_unique(C, v, false) < 0)
        return -1;
    return copy_value(C, v, &k->value);
}

static int kwc_sub(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    (void)map;
    k->sub = compile_schema(C, v, false);
    return k->sub ? 0 : -1;
}

/* contains, propertyNames and if/then/else, which draft 4's meta-schema does not know. */
static const struct sch *compile_unchecked(struct comp *C, const struct node *v)
{
    bool was = C->unchecked;
    C->unchecked |= C->dialect == D4;
    const struct sch *s = compile_schema(C, v, false);
    C->unchecked = was;
    return s;
}

static int kwc_sub_unchecked(struct comp *C, const struct node *map, const struct node *v,
                             struct skw *k)
{
    (void)map;
    k->sub = compile_unchecked(C, v);
    return k->sub ? 0 : -1;
}

/* additionalProperties and additionalItems: draft 4 allows a boolean there only. */
static int kwc_sub_or_bool(struct comp *C, const struct node *map, const struct node *v,
                           struct skw *k)
{
    (void)map;
    k->sub = compile_schema(C, v, true);
    return k->sub ? 0 : -1;
}

static int kwc_list(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    (void)map;
    return compile_schema_list(C, v, k);
}

/* if, with its then and else (which do nothing without an if). */
static int kwc_if(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    size_t base = C->kw_base;
    const struct node *then_v = get(map, "then"), *else_v = get(map, "else");
    /* without then or else ajv returns before compiling it: only the meta-schema looks */
    if (!then_v && !else_v)
        return C->unchecked || C->dialect == D4 ? 0 : add_pending(C, v);
    if (!(k->sub = compile_unchecked(C, v)))
        return -1;
    where_sibling(C, base, "then");
    k->then_sch = then_v ? compile_unchecked(C, then_v) : NULL;
    where_sibling(C, base, "else");
    k->else_sch = else_v ? compile_unchecked(C, else_v) : NULL;
    where_sibling(C, base, k->def->name);
    return (then_v && !k->then_sch) || (else_v && !k->else_sch) ? -1 : 0;
}

/* maximum, minimum, exclusiveMaximum, exclusiveMinimum; in draft 4, maximum and minimum turn
 * exclusive when exclusiveMaximum or exclusiveMinimum is true. */
static int kwc_limit(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    static const struct {
        const char *name, *op, *exclusive_op, *d4_flag;
    } ops[] = {{"maximum", "<=", "<", "exclusiveMaximum"},
               {"minimum", ">=", ">", "exclusiveMinimum"},
               {"exclusiveMaximum", "<", "<", NULL},
               {"exclusiveMinimum", ">", ">", NULL}};
    if (need(C, v, JS_NUMBER, "number") < 0)
        return -1;
    size_t i = 0;
    while (strcmp(ops[i].name, k->def->name) != 0)
        i++;
    bool exclusive = C->dialect == D4 && ops[i].d4_flag && ruleset_truthy(get(map, ops[i].d4_flag));
    k->op = exclusive ? ops[i].exclusive_op : ops[i].op;
    return set_number(C, k, v);
}

/* draft 4's exclusiveMaximum and exclusiveMinimum: booleans for maximum and minimum. */
static int kwc_d4_exclusive(struct comp *C, const struct node *map, const struct node *v,
                            struct skw *k)
{
    const char *limit = strcmp(k->def->name, "exclusiveMaximum") == 0 ? "maximum" : "minimum";
    if (need(C, v, JS_BOOL, "boolean") < 0)
        return -1;
    if (!get(map, limit)) {
        where_pop(C, C->kw_base);
        return invalid(C, "must have property %s when property %s is present", limit, k->def->name);
    }
    return 0;
}

static int kwc_multiple_of(struct comp *C, const struct node *map, const struct node *v,
                           struct skw *k)
{
    (void)map;
    if (need(C, v, JS_NUMBER, "number") < 0)
        return -1;
    if (node_number(v) <= 0)
        return invalid(C, "must be > 0");
    return set_number(C, k, v);
}

/* maxLength, minLength, maxItems, minItems, maxProperties, minProperties. */
static int kwc_count(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    (void)map;
    if (need_count(C, v) < 0)
        return -1;
    return set_number(C, k, v);
}

static int kwc_pattern(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    (void)map;
    if (need(C, v, JS_STRING, "string") < 0 || copy_text(C, v, &k->str) < 0)
        return -1;
    return compile_regex_at(C, v->u.text, v->count, &k->re) ? -1 : 0;
}

static int kwc_format(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    (void)map;
    if (need(C, v, JS_STRING, "string") < 0 || copy_text(C, v, &k->str) < 0)
        return -1;
    size_t f = 0;
    while (f < NFORMATS && !js_text_is(v, formats[f].name))
        f++;
    if (f == NFORMATS)
        return 0; /* unknown formats are ignored (Spectral silences ajv's warning) */
    k->format = &formats[f];
    if (formats[f].regex && !C->format_re[f]) {
        char why[160];
        if (js_regex_compile(formats[f].regex, strlen(formats[f].regex), formats[f].options,
                             C->regexes, &C->format_re[f], why, sizeof(why)) < 0)
            return refuse(C, v, "format '%s': %s", formats[f].name, why);
    }
    k->re = C->format_re[f];
    return 0;
}

/* draft 7's additionalItems: only with items as an array. */
static int kwc_additional_items(struct comp *C, const struct node *map, const struct node *v,
                                struct skw *k)
{
    const struct node *items = get(map, "items");
    k->flag = js_ruleset_type(items) == JS_ARRAY;
    /* without a tuple ajv ignores it: where no meta-schema checks it either, nothing does */
    if (!k->flag && C->unchecked)
        return 0;
    if (kwc_sub_or_bool(C, map, v, k) < 0)
        return -1;
    k->num = k->flag ? items->count : 0;
    return 0;
}

/* items before 2020: one schema for every item, or a tuple. */
static int kwc_items(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    if (js_ruleset_type(v) == JS_ARRAY) {
        k->flag = true;
        return compile_schema_list(C, v, k);
    }
    return kwc_sub(C, map, v, k);
}

static int kwc_prefix_items(struct comp *C, const struct node *map, const struct node *v,
                            struct skw *k)
{
    k->flag = true;
    return kwc_list(C, map, v, k);
}

/* 2020's items: every item, or those after prefixItems. */
static int kwc_items2020(struct comp *C, const struct node *map, const struct node *v,
                         struct skw *k)
{
    const struct node *prefix = get(map, "prefixItems");
    if (kwc_sub(C, map, v, k) < 0)
        return -1;
    k->flag = prefix && ruleset_truthy(prefix);
    k->num = js_ruleset_type(prefix) == JS_ARRAY ? prefix->count : 0;
    return 0;
}

/* contains; minContains and maxContains from 2019-09 on (checked as keywords of their own). */
static int kwc_contains(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    if (kwc_sub_unchecked(C, map, v, k) < 0)
        return -1;
    const struct node *min = get(map, "minContains"), *max = get(map, "maxContains");
    bool next = C->dialect & (D2019 | D2020);
    k->min = next && js_ruleset_type(min) == JS_NUMBER ? node_number(min) : 1;
    k->has_max = next && js_ruleset_type(max) == JS_NUMBER;
    k->max = k->has_max ? node_number(max) : 0;
    return 0;
}

/* minContains, maxContains: counts, which only contains reads. */
static int kwc_contains_limit(struct comp *C, const struct node *map, const struct node *v,
                              struct skw *k)
{
    (void)map, (void)k;
    return need_count(C, v);
}

/* uniqueItems: ajv compares typed items (items' type names only scalars) by their text. */
static int kwc_unique(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    if (need(C, v, JS_BOOL, "boolean") < 0)
        return -1;
    k->num = v->v.b;
    const struct node *items = get(map, "items");
    unsigned types = 0, ntypes = 0;
    /* items was compiled first (ajv's order), so its type is valid here */
    if (js_ruleset_type(items) == JS_OBJECT && schema_types(C, items, &types, &ntypes) < 0)
        return -1;
    k->item_types = types;
    k->n = ntypes;
    k->flag = types && !(types & (T_ARRAY | T_OBJECT));
    return 0;
}

static int kwc_required(struct comp *C, const struct node *map, const struct node *v, struct skw *k)
{
    (void)map;
    if (need_string_array(C, v) < 0)
        return -1;
    k->n = v->count;
    k->entries = arena_calloc(C->a, v->count + 1, sizeof(*k->entries));
    if (!k->entries)
        return out_of_memory(C);
    for (uint32_t i = 0; i < v->count; i++)
        if (copy_text(C, v->u.items[i], &k->entries[i].name) < 0)
            return -1;
    return 0;
}

static int kwc_schema_map(struct comp *C, const struct node *map, const struct node *v,
                          struct skw *k)
{
    (void)map;
    return compile_schema_map(C, v, k);
}

static int kwc_pattern_properties(struct comp *C, const struct node *map, const struct node *v,
                                  struct skw *k)
{
    if (kwc_schema_map(C, map, v, k) < 0)
        return -1;
    /* ajv compiles the regexes only when it uses them: here unless every pattern's schema
     * accepts anything, and in additionalProperties unless that accepts anything */
    const struct node *additional = get(map, "additionalProperties");
    bool used = additional && !(js_ruleset_type(additional) == JS_BOOL && additional->v.b) &&
                !(js_ruleset_type(additional) == JS_OBJECT && additional->count == 0);
    for (size_t i = 0; i < k->n; i++)
        used |= !always_valid(k->entries[i].sch);
    const char *before = C->invalid;
    for (size_t i = 0; i < k->n; i++)
        if (compile_regex_at(C, k->entries[i].name.s, k->entries[i].name.len, &k->entries[i].re) <
            0)
            return -1;
    if (!used)
        C->invalid = before;
    return C->invalid ? -1 : 0;
}

/* dependencies: property dependencies (arrays) first, then schema dependencies, each in the
 * ruleset object's order. */
static int kwc_dependencies(struct comp *C, const struct node *map, const struct node *v,
                            struct skw *k)
{
    (void)map;
    struct jkey *keys;
    long n = entries_for(C, v, k, &keys);
    for (int arrays = 1; arrays >= 0; arrays--)
        for (long i = 0; i < n; i++) {
            unsigned t = js_ruleset_type(keys[i].value);
            if ((t == JS_ARRAY) != arrays)
                continue;
            if (!arrays && t != JS_OBJECT && t != JS_BOOL) {
                where_push(C, keys[i].s, keys[i].len);
                return invalid_any_of(C, "must be object,boolean", "", "must be array");
            }
            struct entry *e = add_entry(C, k, &keys[i]);
            if (!e ||
                (arrays ? compile_property_deps(C, e, keys[i].value) < 0
                        : !(e->sch = compile_under(C, keys[i].value, keys[i].s, keys[i].len))))
                return -1;
        }
    return n < 0 ? -1 : 0;
}

static int kwc_dependent_required(struct comp *C, const struct node *map, const struct node *v,
                                  struct skw *k)
{
    (void)map;
    struct jkey *keys;
    long n = entries_for(C, v, k, &keys);
    for (long i = 0; i < n; i++) {
        struct entry *e = add_entry(C, k, &keys[i]);
        if (!e || compile_property_deps(C, e, keys[i].value) < 0)
            return -1;
    }
    return n < 0 ? -1 : 0;
}

/* ---- validating ------------------------------------------------------------------------------ */

/* ajv's errors, by keyword; their messages are written only for the ones reported. */
enum ekind {
    E_TYPE,
    E_FALSE,
    E_CONST,
    E_ENUM,
    E_NOT,
    E_ANY_OF,
    E_ONE_OF,
    E_IF,
    E_LIMIT,
    E_MULTIPLE_OF,
    E_LENGTH,
    E_PATTERN,
    E_FORMAT,
    E_ITEMS_COUNT,
    E_ADDITIONAL_ITEMS,
    E_UNIQUE,
    E_CONTAINS,
    E_PROPS_COUNT,
    E_REQUIRED,
    E_DEPENDENCIES,
    E_PROPERTY_NAMES,
    E_ADDITIONAL_PROPS
};

struct verr {
    uint8_t kind;
    bool else_clause;        /* if: the else schema failed */
    const struct skw *k;     /* the keyword (its limits, values, names) */
    const struct sch *s;     /* type: the schema */
    size_t seg_at, nseg;     /* the instance path, in vctx.segs */
    struct text name;        /* the missing or additional property */
    const struct entry *dep; /* dependencies: the property present */
    long i, j;               /* uniqueItems' items; oneOf's two passing schemas (j >= 0) */
    double limit;            /* additionalItems' count; contains' bounds */
};

enum stop { STOP_NONE, STOP_STACK, STOP_STEPS, STOP_MEMORY };

struct vctx {
    const struct rs_schema *S;
    struct arena *a;
    /* ajv's mode where the schema being checked was compiled */
    bool all_errors, composite, create;
    size_t fn_start; /* the first error of the current function (what returnErrors keeps) */
    bool halted;     /* the current function returned at its first error */
    enum stop stop;
    unsigned depth;
    unsigned long steps;
    struct path_segment path[VALIDATE_MAX_DEPTH + 2];
    size_t npath;
    struct verr *errs; /* a stack: composite rules drop what their passing schemas left */
    size_t nerr, caperr;
    struct path_segment *segs;
    size_t nseg, capseg;
    struct js_matcher matcher; /* made on first use, from the output arena */
};

struct mode {
    bool all_errors, composite, create;
    size_t fn_start;
};

static struct mode save_mode(const struct vctx *V)
{
    return (struct mode){V->all_errors, V->composite, V->create, V->fn_start};
}

static void restore_mode(struct vctx *V, struct mode m)
{
    V->all_errors = m.all_errors, V->composite = m.composite, V->create = m.create;
    V->fn_start = m.fn_start;
}

static bool stopped(const struct vctx *V)
{
    return V->halted || V->stop != STOP_NONE;
}

/* Drops the errors from n on (ajv's reset of its error count). */
static void errs_truncate(struct vctx *V, size_t n)
{
    if (n < V->nerr) {
        V->nseg = V->errs[n].seg_at;
        V->nerr = n;
    }
}

static bool grow(struct vctx *V, void **items, size_t *cap, size_t need, size_t size)
{
    if (grow_array(V->a, items, cap, need, size))
        return true;
    V->stop = STOP_MEMORY;
    return false;
}

/*
 * ajv's reportError (extra: reportExtraError). Without allErrors and outside composite rules,
 * the first error ends the function: reportError keeps only itself, reportExtraError all
 * errors so far (anyOf's branches' errors, for one). NULL when memory ran out.
 */
static struct verr *report(struct vctx *V, enum ekind kind, const struct skw *k, bool extra)
{
    bool ends = !V->all_errors && !V->composite;
    if (ends && !extra)
        errs_truncate(V, V->fn_start);
    size_t nseg = V->create ? V->npath : 0;
    if (!grow(V, (void **)&V->errs, &V->caperr, V->nerr + 1, sizeof(*V->errs)) ||
        !grow(V, (void **)&V->segs, &V->capseg, V->nseg + nseg, sizeof(*V->segs)))
        return NULL;
    struct verr *e = &V->errs[V->nerr++];
    *e = (struct verr){.kind = (uint8_t)kind, .k = k, .seg_at = V->nseg, .nseg = nseg, .j = -1};
    if (nseg)
        memcpy(V->segs + V->nseg, V->path, nseg * sizeof(*V->segs));
    V->nseg += nseg;
    V->halted |= ends;
    return e;
}

static bool fail(struct vctx *V, enum ekind kind, const struct skw *k)
{
    report(V, kind, k, false);
    return false;
}

/* One step down the value on the instance path: a key, or an index (key NULL). */
static bool push(struct vctx *V, struct path_segment step)
{
    if (V->npath == sizeof(V->path) / sizeof(V->path[0])) {
        V->stop = STOP_STACK;
        return false;
    }
    V->path[V->npath++] = step;
    return true;
}

static bool count_step(struct vctx *V)
{
    if (++V->steps <= VALIDATE_MAX_STEPS)
        return true;
    V->stop = STOP_STEPS;
    return false;
}

/* RegExp.prototype.test: 1, 0, or -1 when PCRE2 could not say (limits), which counts as a
 * match so that nothing is reported on it. The match data is made once per value, in the
 * output arena, and reused (its backtracking frames grow there). */
static int regex_test(struct vctx *V, const pcre2_code *re, const char *s, size_t n)
{
    if (!count_step(V))
        return -1;
    if (!V->matcher.md && !js_matcher_init(&V->matcher, V->a)) {
        V->stop = STOP_MEMORY;
        return -1;
    }
    return js_regex_test(&V->matcher, re, s, n);
}

static bool equal(struct vctx *V, const struct node *a, const struct node *b)
{
    bool failed = false;
    bool same = js_equal(a, b, V->a, &failed);
    if (failed)
        V->stop = STOP_MEMORY;
    return same;
}

/* ajv's checkDataType, without strictNumbers: NaN and the infinities are numbers, and the
 * infinities integers. */
static bool has_type(const struct node *d, unsigned types)
{
    switch (js_typeof(d)) {
    case JS_NULL:
        return types & T_NULL;
    case JS_BOOL:
        return types & T_BOOLEAN;
    case JS_NUMBER: {
        double x = node_number(d);
        return (types & T_NUMBER) ||
               ((types & T_INTEGER) && !isnan(x) && (isinf(x) || x == floor(x)));
    }
    case JS_STRING:
        return types & T_STRING;
    case JS_ARRAY:
        return types & T_ARRAY;
    default:
        return types & T_OBJECT;
    }
}

static bool in_group(const struct node *d, int g)
{
    static const unsigned group_types[NGROUPS] = {JS_UNDEFINED, JS_NUMBER, JS_STRING, JS_ARRAY,
                                                  JS_OBJECT};
    return g == G_ANY || js_typeof(d) == group_types[g];
}

static bool validate(struct vctx *V, const struct sch *s, const struct node *d);

/* A subschema at one step down the value (a key or an index). */
static bool validate_key(struct vctx *V, const struct sch *s, const struct jkey *key)
{
    if (!push(V, (struct path_segment){key->s, key->len}))
        return false;
    bool ok = validate(V, s, key->value);
    V->npath--;
    return ok;
}

static bool validate_item(struct vctx *V, const struct sch *s, const struct node *array, size_t i)
{
    if (!push(V, (struct path_segment){NULL, i}))
        return false;
    bool ok = validate(V, s, array->u.items[i]);
    V->npath--;
    return ok;
}

/* A schema validated as a function of its own ($ref "#", or to a schema holding $refs): its
 * first error ends it, not its caller, which takes its errors. */
static bool call_function(struct vctx *V, const struct sch *s, const struct node *d)
{
    struct mode m = save_mode(V);
    V->composite = false, V->create = true, V->all_errors = V->S->all_errors;
    V->fn_start = V->nerr;
    bool ok = validate(V, s, d);
    V->halted = false;
    restore_mode(V, m);
    return ok;
}

/* A subschema under a composite rule; `quiet` for not and if, whose errors are never shown
 * (ajv runs them without allErrors and without error objects). */
static bool validate_composite(struct vctx *V, const struct sch *s, const struct node *d,
                               bool quiet)
{
    struct mode m = save_mode(V);
    V->composite = true;
    if (quiet)
        V->create = false, V->all_errors = false;
    bool ok = validate(V, s, d);
    restore_mode(V, m);
    return ok;
}

/* ---- keywords for any value ---- */

static bool kw_ref(struct vctx *V, const struct skw *k, const struct node *d)
{
    if (!k->sub)
        return true; /* missing: the rule reports nothing */
    return k->flag ? call_function(V, k->sub, d) : validate(V, k->sub, d);
}

static bool kw_const(struct vctx *V, const struct skw *k, const struct node *d)
{
    return equal(V, d, k->value) || fail(V, E_CONST, k);
}

static bool kw_enum(struct vctx *V, const struct skw *k, const struct node *d)
{
    for (uint32_t i = 0; i < k->value->count; i++)
        if (equal(V, d, k->value->u.items[i]))
            return true;
    return fail(V, E_ENUM, k);
}

static bool kw_not(struct vctx *V, const struct skw *k, const struct node *d)
{
    size_t start = V->nerr;
    if (always_valid(k->sub) || validate_composite(V, k->sub, d, true)) {
        errs_truncate(V, start);
        return stopped(V) ? false : fail(V, E_NOT, k);
    }
    errs_truncate(V, start);
    return true;
}

/* anyOf stops at the first passing schema, except from 2019-09 on: there ajv tracks evaluated
 * properties (for unevaluated*) and tries every schema, which shows when one recurses without
 * end. */
static bool kw_any_of(struct vctx *V, const struct skw *k, const struct node *d)
{
    for (size_t i = 0; i < k->n && !V->S->tries_all; i++)
        if (always_valid(k->entries[i].sch))
            return true; /* ajv skips the keyword */
    size_t start = V->nerr;
    bool valid = false;
    for (size_t i = 0; i < k->n && !stopped(V) && !(valid && !V->S->tries_all); i++)
        valid |= validate_composite(V, k->entries[i].sch, d, false);
    if (stopped(V))
        return false;
    if (valid) {
        errs_truncate(V, start);
        return true;
    }
    report(V, E_ANY_OF, k, true);
    return false;
}

/* oneOf stops at the second passing schema. */
static bool kw_one_of(struct vctx *V, const struct skw *k, const struct node *d)
{
    size_t start = V->nerr;
    bool valid = false;
    long passing = -1, second = -1;
    for (size_t i = 0; i < k->n && !stopped(V); i++) {
        const struct sch *s = k->entries[i].sch;
        bool ok = always_valid(s) || validate_composite(V, s, d, false);
        if (i > 0 && ok && valid) {
            valid = false, second = (long)i;
            break;
        }
        if (ok)
            valid = true, passing = (long)i;
    }
    if (stopped(V))
        return false;
    if (valid) {
        errs_truncate(V, start);
        return true;
    }
    struct verr *e = report(V, E_ONE_OF, k, true);
    if (e)
        e->i = passing, e->j = second;
    return false;
}

static bool kw_all_of(struct vctx *V, const struct skw *k, const struct node *d)
{
    bool all = true;
    for (size_t i = 0; i < k->n; i++) {
        if (always_valid(k->entries[i].sch))
            continue;
        if (!validate(V, k->entries[i].sch, d)) {
            all = false;
            if (stopped(V) || !V->all_errors)
                return false;
        }
    }
    return all;
}

static bool kw_if(struct vctx *V, const struct skw *k, const struct node *d)
{
    bool has_then = k->then_sch && !always_valid(k->then_sch);
    bool has_else = k->else_sch && !always_valid(k->else_sch);
    if (!has_then && !has_else)
        return true;
    size_t start = V->nerr;
    bool cond = validate_composite(V, k->sub, d, true);
    errs_truncate(V, start);
    const struct sch *branch =
        cond ? (has_then ? k->then_sch : NULL) : (has_else ? k->else_sch : NULL);
    if (stopped(V) || !branch)
        return !stopped(V);
    if (validate(V, branch, d))
        return true;
    if (!stopped(V)) {
        struct verr *e = report(V, E_IF, k, true);
        if (e)
            e->else_clause = !cond;
    }
    return false;
}

/* ---- numbers ---- */

static bool kw_limit(struct vctx *V, const struct skw *k, const struct node *d)
{
    double x = node_number(d), lim = k->num;
    bool bad = isnan(x) || (k->op[0] == '<' ? (k->op[1] ? x > lim : x >= lim)
                                            : (k->op[1] ? x < lim : x <= lim));
    return !bad || fail(V, E_LIMIT, k);
}

/* `data / m !== parseInt(data / m)`: an integer quotient that prints without an exponent. */
static bool kw_multiple_of(struct vctx *V, const struct skw *k, const struct node *d)
{
    double q = node_number(d) / k->num;
    bool ok = isfinite(q) && fabs(q) < 1e21 && q == trunc(q);
    return ok || fail(V, E_MULTIPLE_OF, k);
}

static bool number_format_ok(enum format_kind kind, double x)
{
    bool integer = isfinite(x) && x == trunc(x);
    if (kind == FK_INT32)
        return integer && x >= -2147483648.0 && x <= 2147483647.0;
    return kind != FK_INT64 || integer;
}

static bool kw_format_number(struct vctx *V, const struct skw *k, const struct node *d)
{
    if (!k->format || !format_is_numeric(k->format->kind))
        return true;
    return number_format_ok(k->format->kind, node_number(d)) || fail(V, E_FORMAT, k);
}

/* ---- strings ---- */

static bool is_max(const struct skw *k)
{
    return strncmp(k->def->name, "max", 3) == 0;
}

static bool kw_length(struct vctx *V, const struct skw *k, const struct node *d)
{
    double len = (double)js_code_points(d->u.text, d->count);
    return (is_max(k) ? len <= k->num : len >= k->num) || fail(V, E_LENGTH, k);
}

static bool kw_pattern(struct vctx *V, const struct skw *k, const struct node *d)
{
    return regex_test(V, k->re, d->u.text, d->count) != 0 || stopped(V) || fail(V, E_PATTERN, k);
}

static bool string_format_ok(struct vctx *V, const struct skw *k, const char *s, size_t n)
{
    switch (k->format->kind) {
    case FK_REGEX:
        return regex_test(V, k->re, s, n) != 0;
    case FK_DATE:
        return format_date(s, n);
    case FK_TIME:
        return format_time(s, n);
    case FK_DATE_TIME:
        return format_date_time(s, n);
    case FK_URI:
        return (memchr(s, '/', n) || memchr(s, ':', n)) && regex_test(V, k->re, s, n) != 0;
    case FK_REGEX_FMT: {
        /* new RegExp(str) must compile; a pattern PCRE2 refuses counts as one JavaScript does */
        int code;
        PCRE2_SIZE at;
        pcre2_compile_context *cc = NULL;
        pcre2_general_context *g = js_pcre2_context(V->a);
        cc = g ? pcre2_compile_context_create(g) : NULL;
        if (!cc)
            return true;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)s, n,
                                       PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ALT_BSUX |
                                           PCRE2_ALLOW_EMPTY_CLASS,
                                       &code, &at, cc);
        return re != NULL && !has_z_anchor(s, n);
    }
    default:
        return true;
    }
}

static bool kw_format_string(struct vctx *V, const struct skw *k, const struct node *d)
{
    if (!k->format || format_is_numeric(k->format->kind))
        return true;
    return string_format_ok(V, k, d->u.text, d->count) || stopped(V) || fail(V, E_FORMAT, k);
}

/* ---- arrays ---- */

static bool kw_items_count(struct vctx *V, const struct skw *k, const struct node *d)
{
    return (is_max(k) ? d->count <= k->num : d->count >= k->num) || fail(V, E_ITEMS_COUNT, k);
}

/* Items from `from` on against one schema. As additionalItems (or 2020's items after
 * prefixItems), a false schema is one error about the count; as items, one per item. */
static bool items_from(struct vctx *V, const struct skw *k, const struct node *d, size_t from,
                       bool additional)
{
    if (additional && k->sub->kind == SK_FALSE) {
        if (d->count <= from)
            return true;
        struct verr *e = report(V, E_ADDITIONAL_ITEMS, k, false);
        if (e)
            e->limit = (double)from;
        return false;
    }
    if (always_valid(k->sub))
        return true;
    bool all = true;
    for (size_t i = from; i < d->count; i++) {
        if (validate_item(V, k->sub, d, i))
            continue;
        all = false;
        if (stopped(V) || !V->all_errors)
            return false;
    }
    return all;
}

static bool kw_additional_items(struct vctx *V, const struct skw *k, const struct node *d)
{
    return !k->flag || items_from(V, k, d, (size_t)k->num, true);
}

/*
 * items as a tuple (also prefixItems): the first items, each against its schema. ajv's code
 * tests a `valid` variable after each schema, set only when the array reaches that schema:
 * without allErrors, an array too short for the first schema that checks anything leaves it
 * undefined, which skips the array keywords after (contains, uniqueItems) without an error.
 */
static bool tuple(struct vctx *V, const struct skw *k, const struct node *d)
{
    bool all = true, evaluated = false;
    for (size_t i = 0; i < k->n; i++) {
        if (always_valid(k->entries[i].sch))
            continue;
        if (i >= d->count)
            return evaluated || V->all_errors ? all : false;
        evaluated = true;
        if (validate_item(V, k->entries[i].sch, d, i))
            continue;
        all = false;
        if (stopped(V) || !V->all_errors)
            return false;
    }
    return all;
}

static bool kw_items(struct vctx *V, const struct skw *k, const struct node *d)
{
    return k->flag ? tuple(V, k, d) : items_from(V, k, d, 0, false);
}

static bool kw_items2020(struct vctx *V, const struct skw *k, const struct node *d)
{
    return items_from(V, k, d, k->flag ? (size_t)k->num : 0, k->flag);
}

/* How many items pass contains' schema, as far as ajv counts them. */
static bool contains_valid(struct vctx *V, const struct skw *k, const struct node *d)
{
    bool count_items = k->has_max || k->min != 1;
    bool valid = k->min == 0;
    if (k->min == 0 && !(k->has_max && d->count > 0))
        return true;
    double count = 0;
    for (size_t i = 0; i < d->count && !stopped(V); i++) {
        if (!push(V, (struct path_segment){NULL, i}))
            return false;
        bool ok = validate_composite(V, k->sub, d->u.items[i], false);
        V->npath--;
        if (!ok)
            continue;
        if (!count_items)
            return true;
        count++;
        if (!k->has_max) {
            if (count >= k->min)
                return true;
        } else if (count > k->max) {
            return false;
        } else if (count >= k->min) {
            valid = true;
        }
    }
    return valid;
}

static bool kw_contains(struct vctx *V, const struct skw *k, const struct node *d)
{
    if (!k->has_max && k->min == 0)
        return true; /* ajv ignores the keyword */
    size_t start = V->nerr;
    bool ok;
    if (k->has_max && k->min > k->max)
        ok = false;
    else if (always_valid(k->sub))
        ok = d->count >= k->min && (!k->has_max || d->count <= k->max);
    else
        ok = contains_valid(V, k, d);
    if (stopped(V))
        return false;
    if (ok) {
        errs_truncate(V, start);
        return true;
    }
    return fail(V, E_CONTAINS, k);
}

/* Two items equal as uniqueItems' typed loop sees them: the same type and text. */
static bool same_scalar(const struct node *a, const struct node *b)
{
    unsigned t = js_typeof(a);
    if (t != js_typeof(b))
        return false;
    if (t == JS_STRING)
        return same_text(a->u.text, a->count, b->u.text, b->count);
    if (t == JS_NUMBER)
        return node_number(a) == node_number(b) || (isnan(node_number(a)) && isnan(node_number(b)));
    return t != JS_BOOL || a->v.b == b->v.b;
}

static uint32_t scalar_hash(const struct node *n)
{
    unsigned t = js_typeof(n);
    if (t == JS_STRING)
        return js_text_hash(n->u.text, n->count);
    if (t == JS_NUMBER) {
        double x = node_number(n);
        return x == 0 || isnan(x) ? 7u : js_text_hash((const char *)&x, sizeof(x));
    }
    return (uint32_t)t * 31u + (t == JS_BOOL && n->v.b);
}

/* ajv's loopN: from the last item down, items of the listed types, the first repeat found:
 * j is the later item, i the earlier. */
static bool unique_typed(struct vctx *V, const struct skw *k, const struct node *d, long *i,
                         long *j)
{
    size_t slots = 4;
    while (slots < 2 * (size_t)d->count)
        slots *= 2;
    uint32_t *seen = arena_calloc(V->a, slots, sizeof(*seen)); /* item index + 1 */
    if (!seen) {
        V->stop = STOP_MEMORY;
        return true;
    }
    for (size_t at = d->count; at-- > 0;) {
        const struct node *item = d->u.items[at];
        if (!count_step(V))
            return true;
        if (!has_type(item, k->item_types))
            continue;
        size_t slot = scalar_hash(item) & (slots - 1);
        while (seen[slot] && !same_scalar(d->u.items[seen[slot] - 1], item))
            slot = (slot + 1) & (slots - 1);
        if (seen[slot]) {
            *i = (long)at, *j = (long)seen[slot] - 1;
            return false;
        }
        seen[slot] = (uint32_t)at + 1;
    }
    return true;
}

/* ajv's loopN2: every pair, from the last item down, by deep equality. */
static bool unique_any(struct vctx *V, const struct node *d, long *i, long *j)
{
    for (size_t a = d->count; a-- > 0;)
        for (size_t b = a; b-- > 0;) {
            if (!count_step(V))
                return true;
            if (equal(V, d->u.items[a], d->u.items[b])) {
                *i = (long)a, *j = (long)b;
                return false;
            }
        }
    return true;
}

static bool kw_unique(struct vctx *V, const struct skw *k, const struct node *d)
{
    long i = 0, j = 0;
    if (!k->num || d->count < 2)
        return true;
    bool ok = k->flag ? unique_typed(V, k, d, &i, &j) : unique_any(V, d, &i, &j);
    if (ok || stopped(V))
        return ok;
    struct verr *e = report(V, E_UNIQUE, k, false);
    if (e)
        e->i = i, e->j = j;
    return false;
}

/* ---- objects ---- */

static bool kw_props_count(struct vctx *V, const struct skw *k, const struct node *d)
{
    struct jkey *keys;
    long n = js_keys(d, V->a, &keys);
    if (n < 0) {
        V->stop = STOP_MEMORY;
        return false;
    }
    return (is_max(k) ? n <= k->num : n >= k->num) || fail(V, E_PROPS_COUNT, k);
}

static bool missing(struct vctx *V, const struct skw *k, enum ekind kind, const struct text *name,
                    const struct entry *dep)
{
    struct verr *e = report(V, kind, k, false);
    if (e)
        e->name = *name, e->dep = dep;
    return false;
}

static bool kw_required(struct vctx *V, const struct skw *k, const struct node *d)
{
    bool all = true;
    for (size_t i = 0; i < k->n; i++) {
        const struct text *name = &k->entries[i].name;
        if (js_get(d, name->s, name->len))
            continue;
        all = missing(V, k, E_REQUIRED, name, NULL);
        if (stopped(V) || !V->all_errors)
            return false;
    }
    return all;
}

/* A property dependency: with allErrors every missing name, else the first. */
static bool property_deps(struct vctx *V, const struct skw *k, const struct node *d,
                          const struct entry *e)
{
    bool all = true;
    if (!e->ndeps || !js_get(d, e->name.s, e->name.len))
        return true;
    for (size_t i = 0; i < e->ndeps; i++) {
        if (js_get(d, e->deps[i].s, e->deps[i].len))
            continue;
        all = missing(V, k, E_DEPENDENCIES, &e->deps[i], e);
        if (stopped(V) || !V->all_errors)
            return false;
    }
    return all;
}

static bool kw_dependencies(struct vctx *V, const struct skw *k, const struct node *d)
{
    bool all = true;
    for (size_t i = 0; i < k->n; i++) {
        const struct entry *e = &k->entries[i];
        bool ok = e->sch ? always_valid(e->sch) || !js_get(d, e->name.s, e->name.len) ||
                               validate(V, e->sch, d)
                         : property_deps(V, k, d, e);
        if (ok)
            continue;
        all = false;
        if (stopped(V) || !V->all_errors)
            return false;
    }
    return all;
}

static bool kw_property_names(struct vctx *V, const struct skw *k, const struct node *d)
{
    struct jkey *keys;
    long n = always_valid(k->sub) ? 0 : js_keys(d, V->a, &keys);
    bool all = true;
    if (n < 0) {
        V->stop = STOP_MEMORY;
        return false;
    }
    for (long i = 0; i < n; i++) {
        /* the key as the string it is to JavaScript */
        struct node key = {.kind = NODE_SCALAR,
                           .type = SCALAR_STRING,
                           .count = (uint32_t)keys[i].len,
                           .u.text = keys[i].s};
        if (validate_composite(V, k->sub, &key, false))
            continue;
        all = false;
        if (stopped(V))
            return false;
        struct verr *e = report(V, E_PROPERTY_NAMES, k, true);
        if (e)
            e->name = (struct text){keys[i].s, keys[i].len};
        if (stopped(V) || !V->all_errors)
            return false;
    }
    return all;
}

static bool declared(struct vctx *V, const struct skw *k, const struct jkey *key)
{
    for (size_t i = 0; k->props && i < k->props->n; i++)
        if (same_text(k->props->entries[i].name.s, k->props->entries[i].name.len, key->s, key->len))
            return true;
    for (size_t i = 0; k->pattern_props && i < k->pattern_props->n; i++)
        if (k->pattern_props->entries[i].re &&
            regex_test(V, k->pattern_props->entries[i].re, key->s, key->len) != 0)
            return true;
    return false;
}

static bool kw_additional_props(struct vctx *V, const struct skw *k, const struct node *d)
{
    if (always_valid(k->sub))
        return true;
    struct jkey *keys;
    long n = js_keys(d, V->a, &keys);
    size_t start = V->nerr;
    if (n < 0) {
        V->stop = STOP_MEMORY;
        return false;
    }
    for (long i = 0; i < n && !stopped(V); i++) {
        if (declared(V, k, &keys[i]))
            continue;
        bool ok;
        if (k->sub->kind == SK_FALSE) {
            struct verr *e = report(V, E_ADDITIONAL_PROPS, k, false);
            if (e)
                e->name = (struct text){keys[i].s, keys[i].len};
            ok = false;
        } else {
            ok = validate_key(V, k->sub, &keys[i]);
        }
        if (!ok && !V->all_errors)
            return false;
    }
    return !stopped(V) && V->nerr == start;
}

static bool kw_properties(struct vctx *V, const struct skw *k, const struct node *d)
{
    bool all = true;
    for (size_t i = 0; i < k->n; i++) {
        const struct entry *e = &k->entries[i];
        const struct node *v = always_valid(e->sch) ? NULL : js_get(d, e->name.s, e->name.len);
        struct jkey key = {e->name.s, e->name.len, v};
        if (!v || validate_key(V, e->sch, &key))
            continue;
        all = false;
        if (stopped(V) || !V->all_errors)
            return false;
    }
    return all;
}

static bool kw_pattern_properties(struct vctx *V, const struct skw *k, const struct node *d)
{
    struct jkey *keys;
    long n = js_keys(d, V->a, &keys);
    bool all = true;
    if (n < 0) {
        V->stop = STOP_MEMORY;
        return false;
    }
    for (size_t p = 0; p < k->n; p++) {
        const struct entry *e = &k->entries[p];
        for (long i = 0; i < n && e->re && !always_valid(e->sch); i++) {
            int match = regex_test(V, e->re, keys[i].s, keys[i].len);
            if (stopped(V))
                return false;
            if (match != 1 || validate_key(V, e->sch, &keys[i]))
                continue;
            all = false;
            if (stopped(V) || !V->all_errors)
                return false;
        }
    }
    return all;
}

static bool kw_nothing(struct vctx *V, const struct skw *k, const struct node *d)
{
    (void)V, (void)k, (void)d;
    return true;
}

/* ---- a schema ---- */

static void report_type(struct vctx *V, const struct sch *s)
{
    struct verr *e = report(V, E_TYPE, NULL, false);
    if (e)
        e->s = s;
}

/* One group's keywords, in order; without allErrors the first failure ends the group. */
static void run_group(struct vctx *V, const struct sch *s, size_t from, size_t to,
                      const struct node *d)
{
    for (size_t i = from; i < to; i++) {
        bool ok = s->kw[i].def->check(V, &s->kw[i], d);
        if (stopped(V) || (!ok && !V->all_errors))
            return;
    }
}

static bool validate_object(struct vctx *V, const struct sch *s, const struct node *d)
{
    size_t start = V->nerr;
    if (s->types && s->deferred_group < 0 && !has_type(d, s->types)) {
        report_type(V, s);
        /* in a composite rule, the keywords for any value still run (ajv's quirk) */
        if (stopped(V))
            return false;
    }
    size_t from = 0;
    for (int g = 0; g < NGROUPS; g++) {
        size_t to = s->group_end[g];
        if (from == to && !(g == G_ANY && s->any_group))
            continue;
        if (in_group(d, g))
            run_group(V, s, from, to, d);
        else if (s->deferred_group == g)
            report_type(V, s);
        if (stopped(V) || (!V->all_errors && V->nerr != start))
            return false;
        from = to;
    }
    return V->nerr == start;
}

static bool validate(struct vctx *V, const struct sch *s, const struct node *d)
{
    if (stopped(V))
        return false;
    if (always_valid(s))
        return true;
    if (s->kind == SK_FALSE)
        return fail(V, E_FALSE, NULL);
    if (V->depth >= VALIDATE_MAX_DEPTH) {
        V->stop = STOP_STACK;
        return false;
    }
    if (!count_step(V))
        return false;
    V->depth++;
    bool ok = validate_object(V, s, d);
    V->depth--;
    return ok;
}

/* ---- the keyword table ------------------------------------------------------------------------
 */

/* In ajv's order: by group, and within a group as ajv's vocabularies add them (additionalItems,
 * items, prefixItems and contains go before uniqueItems). */
static const struct kwdef keywords[] = {
    /* any value */
    {"$ref", G_ANY, D_ALL, kwc_ref, kw_ref},
    {"const", G_ANY, D_ALL, kwc_const, kw_const},
    {"enum", G_ANY, D_ALL, kwc_enum, kw_enum},
    {"not", G_ANY, D_ALL, kwc_sub, kw_not},
    {"anyOf", G_ANY, D_ALL, kwc_list, kw_any_of},
    {"oneOf", G_ANY, D_ALL, kwc_list, kw_one_of},
    {"allOf", G_ANY, D_ALL, kwc_list, kw_all_of},
    {"if", G_ANY, D_ALL, kwc_if, kw_if},
    /* numbers */
    {"maximum", G_NUMBER, D_ALL, kwc_limit, kw_limit},
    {"minimum", G_NUMBER, D_ALL, kwc_limit, kw_limit},
    {"exclusiveMaximum", G_NUMBER, D7 | D2019 | D2020, kwc_limit, kw_limit},
    {"exclusiveMinimum", G_NUMBER, D7 | D2019 | D2020, kwc_limit, kw_limit},
    {"exclusiveMaximum", G_NUMBER, D4, kwc_d4_exclusive, kw_nothing},
    {"exclusiveMinimum", G_NUMBER, D4, kwc_d4_exclusive, kw_nothing},
    {"multipleOf", G_NUMBER, D_ALL, kwc_multiple_of, kw_multiple_of},
    {"format", G_NUMBER, D_ALL, kwc_format, kw_format_number},
    /* strings */
    {"maxLength", G_STRING, D_ALL, kwc_count, kw_length},
    {"minLength", G_STRING, D_ALL, kwc_count, kw_length},
    {"pattern", G_STRING, D_ALL, kwc_pattern, kw_pattern},
    {"format", G_STRING, D_ALL, kwc_format, kw_format_string},
    /* arrays */
    {"maxItems", G_ARRAY, D_ALL, kwc_count, kw_items_count},
    {"minItems", G_ARRAY, D_ALL, kwc_count, kw_items_count},
    {"additionalItems", G_ARRAY, D4 | D7 | D2019, kwc_additional_items, kw_additional_items},
    {"items", G_ARRAY, D4 | D7 | D2019, kwc_items, kw_items},
    {"prefixItems", G_ARRAY, D2020, kwc_prefix_items, kw_items},
    {"items", G_ARRAY, D2020, kwc_items2020, kw_items2020},
    {"contains", G_ARRAY, D_ALL, kwc_contains, kw_contains},
    {"uniqueItems", G_ARRAY, D_ALL, kwc_unique, kw_unique},
    {"maxContains", G_ARRAY, D2019 | D2020, kwc_contains_limit, kw_nothing},
    {"minContains", G_ARRAY, D2019 | D2020, kwc_contains_limit, kw_nothing},
    /* objects */
    {"maxProperties", G_OBJECT, D_ALL, kwc_count, kw_props_count},
    {"minProperties", G_OBJECT, D_ALL, kwc_count, kw_props_count},
    {"required", G_OBJECT, D_ALL, kwc_required, kw_required},
    {"propertyNames", G_OBJECT, D_ALL, kwc_sub_unchecked, kw_property_names},
    {"additionalProperties", G_OBJECT, D_ALL, kwc_sub_or_bool, kw_additional_props},
    {"dependencies", G_OBJECT, D_ALL, kwc_dependencies, kw_dependencies},
    {"properties", G_OBJECT, D_ALL, kwc_schema_map, kw_properties},
    {"patternProperties", G_OBJECT, D_ALL, kwc_pattern_properties, kw_pattern_properties},
    {"dependentRequired", G_OBJECT, D2019 | D2020, kwc_dependent_required, kw_dependencies},
    {"dependentSchemas", G_OBJECT, D2019 | D2020, kwc_schema_map, kw_dependencies},
};

#define NKEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

/* Keywords ajv evaluates in Spectral's configuration that gatehop does not. */
static const struct {
    const char *name;
    uint8_t dialects;
} unsupported[] = {
    {"unevaluatedProperties", D2019 | D2020},
    {"unevaluatedItems", D2019 | D2020},
    {"$recursiveRef", D2019 | D2020},
    {"$dynamicRef", D2019 | D2020},
    {"formatMaximum", D_ALL},
    {"formatMinimum", D_ALL},
    {"formatExclusiveMaximum", D_ALL},
    {"formatExclusiveMinimum", D_ALL},
};

static int check_unsupported(struct comp *C, const struct node *map)
{
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        const struct node *v =
            (unsupported[i].dialects & C->dialect) ? get(map, unsupported[i].name) : NULL;
        if (v && refuse(C, v, "keyword '%s' is not supported by gatehop's schema function",
                        unsupported[i].name) < 0)
            return -1;
    }
    /* ajv-errors is loaded only with allErrors; without, errorMessage is an unknown keyword */
    const struct node *em = C->all_errors ? get(map, "errorMessage") : NULL;
    if (em && refuse(C, em,
                     "keyword 'errorMessage' (ajv-errors) is not supported by gatehop's "
                     "schema function") < 0)
        return -1;
    /* Ajv (draft 6 on) has an `id` keyword whose only code throws */
    if (C->dialect != D4 && get(map, "id"))
        return compile_error(C, "NOT SUPPORTED: keyword \"id\", use \"$id\" for schema ID");
    return 0;
}

/* A subschema the meta-schema checks though ajv never runs it unless a $ref reaches it. */
static int queue_unreached(struct comp *C, const char *name, const struct node *key,
                           const struct node *value)
{
    size_t at = where_push(C, name, strlen(name));
    if (key && node_is_scalar(key))
        where_push(C, key->u.text, key->count);
    int rc = add_pending(C, value);
    where_pop(C, at);
    return rc;
}

/* definitions (and, from 2019-09 on, $defs), and then or else without an if. */
static int queue_definitions(struct comp *C, const struct node *map)
{
    static const struct {
        const char *name;
        unsigned dialects;
    } maps[] = {{"definitions", D_ALL}, {"$defs", D2019 | D2020}};
    for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
        const struct node *defs = (maps[i].dialects & C->dialect) ? get(map, maps[i].name) : NULL;
        if (!defs)
            continue;
        size_t old = where_push(C, maps[i].name, strlen(maps[i].name));
        int rc = need(C, defs, JS_OBJECT, "object");
        where_pop(C, old);
        for (uint32_t k = 0; rc == 0 && k < defs->count; k++)
            rc = queue_unreached(C, maps[i].name, defs->u.pairs[k].key, defs->u.pairs[k].value);
        if (rc < 0)
            return -1;
    }
    static const char *const clauses[] = {"then", "else"};
    for (size_t i = 0; !get(map, "if") && i < 2; i++) {
        const struct node *v = get(map, clauses[i]);
        unsigned t = js_ruleset_type(v);
        if (!v)
            continue;
        /* draft 4's meta-schema has no then and else, but ajv's keyword checks their type */
        if (C->dialect == D4 || C->unchecked) {
            if (t != JS_OBJECT && t != JS_BOOL)
                return compile_error(C, i ? "else value must be [\"object\",\"boolean\"]"
                                          : "then value must be [\"object\",\"boolean\"]");
        } else if (queue_unreached(C, clauses[i], NULL, v) < 0) {
            return -1;
        }
    }
    return 0;
}

/* What the meta-schema says of keywords ajv does not run: annotations and identifiers. */
static int check_annotations(struct comp *C, const struct node *map)
{
    static const struct {
        const char *name;
        unsigned type;
        unsigned dialects;
    } annotations[] = {
        {"title", JS_STRING, D_ALL},
        {"description", JS_STRING, D_ALL},
        {"$comment", JS_STRING, D7 | D2019 | D2020},
        {"examples", JS_ARRAY, D7 | D2019 | D2020},
        {"readOnly", JS_BOOL, D7 | D2019 | D2020},
        {"writeOnly", JS_BOOL, D7 | D2019 | D2020},
        {"deprecated", JS_BOOL, D2019 | D2020},
        {"contentMediaType", JS_STRING, D7 | D2019 | D2020},
        {"contentEncoding", JS_STRING, D7 | D2019 | D2020},
        {"$schema", JS_STRING, D_ALL},
    };
    static const char *const type_words[] = {
        [JS_STRING] = "string", [JS_ARRAY] = "array", [JS_BOOL] = "boolean"};
    if (C->unchecked)
        return 0;
    /* ajv reads every schema's id first, with String.prototype.replace */
    const struct node *id = get(map, C->dialect == D4 ? "id" : "$id");
    if (id && js_ruleset_type(id) != JS_STRING) {
        if (ruleset_truthy(id))
            return compile_error(C, "id.replace is not a function");
        where_push(C, C->dialect == D4 ? "id" : "$id", C->dialect == D4 ? 2 : 3);
        return invalid(C, "must be string"); /* the place is left: compiling stops here */
    }
    for (size_t i = 0; i < sizeof(annotations) / sizeof(annotations[0]); i++) {
        const struct node *v =
            (annotations[i].dialects & C->dialect) ? get(map, annotations[i].name) : NULL;
        if (!v || js_ruleset_type(v) == annotations[i].type)
            continue;
        where_push(C, annotations[i].name, strlen(annotations[i].name));
        return invalid(C, "must be %s", type_words[annotations[i].type]); /* as above */
    }
    return 0;
}

static const struct skw *find_kw(const struct sch *s, const char *name)
{
    for (size_t i = 0; i < s->nkw; i++)
        if (strcmp(s->kw[i].def->name, name) == 0)
            return &s->kw[i];
    return NULL;
}

/* The group that checks a single type when the schema has keywords there (ajv then skips the
 * type check that comes first), or -1. */
static int deferred_group(const struct sch *s)
{
    static const struct {
        unsigned type;
        int group;
    } groups[] = {
        {T_NUMBER, G_NUMBER}, {T_STRING, G_STRING}, {T_ARRAY, G_ARRAY}, {T_OBJECT, G_OBJECT}};
    for (size_t i = 0; s->ntypes == 1 && i < sizeof(groups) / sizeof(groups[0]); i++) {
        int g = groups[i].group;
        if (s->types == groups[i].type && s->group_end[g] > s->group_end[g - 1])
            return g;
    }
    return -1;
}

static int compile_object(struct comp *C, const struct node *map, struct sch *s)
{
    s->kind = SK_OBJECT;
    if (check_annotations(C, map) < 0 || check_unsupported(C, map) < 0 ||
        schema_types(C, map, &s->types, &s->ntypes) < 0)
        return -1;
    if (s->types && !(s->type_text = type_text(C, get(map, "type"))))
        return out_of_memory(C);
    size_t count = 0;
    for (size_t i = 0; i < NKEYWORDS; i++)
        count += (keywords[i].dialects & C->dialect) && get(map, keywords[i].name);
    if (!(s->kw = arena_calloc(C->a, count + 1, sizeof(*s->kw))))
        return out_of_memory(C);
    for (size_t i = 0; i < NKEYWORDS; i++) {
        const struct kwdef *def = &keywords[i];
        const struct node *v = (def->dialects & C->dialect) ? get(map, def->name) : NULL;
        if (v) {
            struct skw *k = &s->kw[s->nkw++];
            k->def = def;
            C->kw_base = C->where_len;
            size_t old = where_push(C, def->name, strlen(def->name));
            int rc = def->compile(C, map, v, k);
            where_pop(C, old);
            if (rc < 0)
                return -1;
        }
        s->group_end[def->group] = s->nkw;
    }
    struct skw *additional = (struct skw *)find_kw(s, "additionalProperties");
    if (additional) {
        additional->props = find_kw(s, "properties");
        additional->pattern_props = find_kw(s, "patternProperties");
    }
    s->rules = s->nkw > 0 || s->types;
    s->any_group = s->group_end[G_ANY] > 0 || s->types || get(map, "nullable") ||
                   get(map, "$comment") || get(map, "then") || get(map, "else");
    s->deferred_group = deferred_group(s);
    return queue_definitions(C, map);
}

/* The schema compiled (or being compiled, or waiting) for a node; *fresh when new. */
static struct sch *schema_slot(struct comp *C, const struct node *n, bool *fresh)
{
    struct sch *s = memo_find(C, n);
    *fresh = !s;
    if (s)
        return s;
    if (!(s = arena_calloc(C->a, 1, sizeof(*s))) || memo_add(C, n, s) < 0) {
        out_of_memory(C);
        return NULL;
    }
    s->kind = SK_TRUE; /* until compiled */
    s->deferred_group = -1;
    return s;
}

static int fill_schema(struct comp *C, const struct node *n, struct sch *s, bool bool_ok)
{
    if (C->nesting >= SCHEMA_MAX_NESTING)
        return refuse(C, n, "the schema nests deeper than %d levels", SCHEMA_MAX_NESTING);
    unsigned t = js_ruleset_type(n);
    if (t == JS_BOOL && (bool_ok || C->unchecked || C->dialect != D4)) {
        s->kind = n->v.b ? SK_TRUE : SK_FALSE;
        return 0;
    }
    if (t != JS_OBJECT)
        return invalid(C,
                       C->dialect == D4 && !bool_ok ? "must be object" : "must be object,boolean");
    C->nesting++;
    int rc = compile_object(C, n, s);
    C->nesting--;
    return rc;
}

static const struct sch *compile_schema(struct comp *C, const struct node *n, bool bool_ok)
{
    bool fresh;
    struct sch *s = schema_slot(C, n, &fresh);
    if (!s || !fresh)
        return s;
    return fill_schema(C, n, s, bool_ok) < 0 ? NULL : s;
}

/* The $refs' targets met so far, and those their compiling meets. */
static void compile_targets(struct comp *C)
{
    while (C->done_targets < C->ntargets && !C->invalid && !C->oom && !C->refused[0]) {
        const struct target *t = &C->targets[C->done_targets++];
        snprintf(C->where, sizeof(C->where), "%s", t->where);
        C->where_len = strlen(C->where);
        fill_schema(C, t->node, t->sch, false);
    }
}

/* ---- reporting: better-ajv-errors, then Spectral's schema function --------------------------- */

/* A small hash map in an arena, keyed by a pointer and two texts; sized once, never full. */
struct mslot {
    bool used;
    const void *ctx;
    struct text a, b;
    void *value;
};

struct tmap {
    struct mslot *slots;
    size_t cap;
};

static bool tmap_init(struct tmap *m, struct arena *a, size_t n)
{
    m->cap = 8;
    while (m->cap < 2 * n + 2)
        m->cap *= 2;
    m->slots = arena_calloc(a, m->cap, sizeof(*m->slots));
    return m->slots != NULL;
}

/* The slot holding the key, or the empty one where it goes. */
static struct mslot *tmap_slot(struct tmap *m, const void *ctx, struct text a, struct text b)
{
    uint32_t h = js_text_hash(a.s, a.len) ^ (js_text_hash(b.s, b.len) * 31u) ^
                 (uint32_t)((uintptr_t)ctx >> 3) * 2654435761u;
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        struct mslot *s = &m->slots[i];
        if (!s->used || (s->ctx == ctx && same_text(s->a.s, s->a.len, a.s, a.len) &&
                         same_text(s->b.s, s->b.len, b.s, b.len)))
            return s;
    }
}

/* better-ajv-errors' tree: a node per piece of the instance path. */
struct tnode {
    struct tnode *first, *last, *next;
    size_t live;  /* children not deleted */
    bool deleted; /* removed from its parent */
    bool dropped; /* its errors removed */
    size_t *errs;
    size_t nerrs, caperrs;
};

struct rctx {
    struct vctx *V;
    const struct rs_target *t;
    struct rs_output *out;
    struct text *pointers; /* each error's instancePath, "/a/0/b~1c" */
    struct tmap children;  /* (parent, piece) -> tnode */
    struct tmap unmatched; /* instancePath -> the anyOf or unmatched oneOf reported there */
    struct tmap emitted;   /* (path, message): Spectral drops repeated results */
    bool failed;
};

static const char *const kind_anyof = "anyOf", *const kind_oneof = "oneOf";

/* ajv's instancePath: keys escaped as JSON pointers, indexes as numbers. */
static struct text error_pointer(struct rctx *R, const struct verr *e)
{
    struct sbuf b = {.a = R->V->a};
    for (size_t i = 0; i < e->nseg; i++) {
        const struct path_segment *s = &R->V->segs[e->seg_at + i];
        if (!s->key) {
            sb_printf(&b, "/%zu", s->len_or_index);
            continue;
        }
        sb_str(&b, "/");
        for (size_t c = 0; c < s->len_or_index; c++)
            sb_str(&b, s->key[c] == '~'   ? "~0"
                       : s->key[c] == '/' ? "~1"
                                          : (char[2]){s->key[c], '\0'});
    }
    const char *text = sb_text(&b);
    R->failed |= !text;
    return (struct text){text ? text : "", b.len};
}

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c == '-';
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* JSON_POINTERS_REGEX, /\/[\w$_-]+(\/\d+)?/g: its next match at or after *pos. */
static bool next_piece(struct text p, size_t *pos, struct text *out)
{
    for (size_t i = *pos; i + 1 < p.len; i++) {
        if (p.s[i] != '/' || !word_char(p.s[i + 1]))
            continue;
        size_t end = i + 1;
        while (end < p.len && word_char(p.s[end]))
            end++;
        if (end + 1 < p.len && p.s[end] == '/' && digit(p.s[end + 1]))
            for (end++; end < p.len && digit(p.s[end]);)
                end++;
        *out = (struct text){p.s + i, end - i};
        *pos = end;
        return true;
    }
    return false;
}

static struct tnode *child(struct rctx *R, struct tnode *parent, struct text piece)
{
    struct mslot *s = tmap_slot(&R->children, parent, piece, (struct text){"", 0});
    if (s->used)
        return s->value;
    struct tnode *n = arena_calloc(R->V->a, 1, sizeof(*n));
    if (!n) {
        R->failed = true;
        return NULL;
    }
    *s = (struct mslot){true, parent, piece, {"", 0}, n};
    if (parent->last)
        parent->last->next = n;
    else
        parent->first = n;
    parent->last = n;
    parent->live++;
    return n;
}

static void add_error(struct rctx *R, struct tnode *n, size_t e)
{
    if (!grow(R->V, (void **)&n->errs, &n->caperrs, n->nerrs + 1, sizeof(*n->errs))) {
        R->failed = true;
        return;
    }
    n->errs[n->nerrs++] = e;
}

/* makeTree: an error goes to the node of its path's last piece; a path with no piece the regex
 * matches (every key outside [\w$-]) loses its error, as there. */
static struct tnode *make_tree(struct rctx *R)
{
    struct tnode *root = arena_calloc(R->V->a, 1, sizeof(*root));
    if (!root)
        return NULL;
    for (size_t e = 0; e < R->V->nerr && !R->failed; e++) {
        struct text p = R->pointers[e], piece;
        struct tnode *at = p.len == 0 ? child(R, root, p) : root;
        for (size_t pos = 0; at && next_piece(p, &pos, &piece);)
            at = child(R, at, piece);
        if (at && at != root)
            add_error(R, at, e);
    }
    return R->failed ? NULL : root;
}

static bool some_kind(const struct rctx *R, const struct tnode *n, enum ekind kind)
{
    for (size_t i = 0; i < n->nerrs; i++)
        if (R->V->errs[n->errs[i]].kind == kind)
            return true;
    return false;
}

static bool all_kind(const struct rctx *R, const struct tnode *n, enum ekind kind)
{
    for (size_t i = 0; i < n->nerrs; i++)
        if (R->V->errs[n->errs[i]].kind != kind)
            return false;
    return n->nerrs > 0;
}

/* filterRedundantErrors: anyOf's errors go when deeper errors explain them; a node holding
 * only enum errors goes when its parent has another child. */
static void filter(struct rctx *R, struct tnode *n, struct tnode *parent)
{
    if (some_kind(R, n, E_ANY_OF) && n->live > 0)
        n->dropped = true;
    if (!n->dropped && all_kind(R, n, E_ENUM) && parent && parent->live > 1) {
        n->deleted = true;
        parent->live--;
    }
    for (struct tnode *c = n->first; c; c = c->next)
        filter(R, c, n);
}

/* ---- messages ---- */

/* better-ajv-errors' cleanAjvMessage: quotes made double, NOT made not. */
static void sb_clean(struct sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\'')
            sb_str(b, "\"");
        else if (strncmp(s, "NOT", 3) == 0)
            sb_str(b, "not"), s += 2;
        else
            sb_add(b, s, 1);
    }
}

static const char *more_or_fewer(const struct skw *k)
{
    return is_max(k) ? "more" : "fewer";
}

/* ajv's message for an error (messages: true). */
static void sb_ajv_message(struct sbuf *b, const struct verr *e)
{
    const struct skw *k = e->k;
    switch ((enum ekind)e->kind) {
    case E_TYPE:
        sb_printf(b, "must be %s", e->s->type_text);
        break;
    case E_FALSE:
        sb_str(b, "boolean schema is false");
        break;
    case E_CONST:
        sb_str(b, "must be equal to constant");
        break;
    case E_ENUM:
        sb_str(b, "must be equal to one of the allowed values");
        break;
    case E_NOT:
        sb_str(b, "must NOT be valid");
        break;
    case E_ANY_OF:
        sb_str(b, "must match a schema in anyOf");
        break;
    case E_ONE_OF:
        sb_str(b, "must match exactly one schema in oneOf");
        break;
    case E_IF:
        sb_printf(b, "must match \"%s\" schema", e->else_clause ? "else" : "then");
        break;
    case E_LIMIT:
        sb_printf(b, "must be %s %s", k->op, k->num_text);
        break;
    case E_MULTIPLE_OF:
        sb_printf(b, "must be multiple of %s", k->num_text);
        break;
    case E_LENGTH:
        sb_printf(b, "must NOT have %s than %s characters", more_or_fewer(k), k->num_text);
        break;
    case E_PATTERN:
        sb_quote(b, "must match pattern \"", k->str.s, k->str.len, "\"");
        break;
    case E_FORMAT:
        sb_quote(b, "must match format \"", k->str.s, k->str.len, "\"");
        break;
    case E_ITEMS_COUNT:
        sb_printf(b, "must NOT have %s than %s items", more_or_fewer(k), k->num_text);
        break;
    case E_ADDITIONAL_ITEMS:
        sb_str(b, "must NOT have more than ");
        sb_js_number(b, e->limit);
        sb_str(b, " items");
        break;
    case E_UNIQUE:
        sb_printf(b, "must NOT have duplicate items (items ## %ld and %ld are identical)", e->j,
                  e->i);
        break;
    case E_CONTAINS:
        sb_str(b, "must contain at least ");
        sb_js_number(b, k->min);
        if (k->has_max) {
            sb_str(b, " and no more than ");
            sb_js_number(b, k->max);
        }
        sb_str(b, " valid item(s)");
        break;
    case E_PROPS_COUNT:
        sb_printf(b, "must NOT have %s than %s properties", more_or_fewer(k), k->num_text);
        break;
    case E_REQUIRED:
        sb_quote(b, "must have required property '", e->name.s, e->name.len, "'");
        break;
    case E_DEPENDENCIES:
        sb_printf(b, "must have %s ", e->dep->ndeps == 1 ? "property" : "properties");
        sb_str(b, e->dep->deps_text);
        sb_quote(b, " when property ", e->dep->name.s, e->dep->name.len, " is present");
        break;
    case E_PROPERTY_NAMES:
        sb_str(b, "property name must be valid");
        break;
    case E_ADDITIONAL_PROPS:
        sb_str(b, "must NOT have additional properties");
        break;
    }
}

/* getPropertyName: the path's last piece, else the name the value sits under; false when
 * there is none (the document itself). */
static bool property_name(const struct rctx *R, struct text p, struct text *out)
{
    for (size_t i = p.len; i-- > 0;)
        if (p.s[i] == '/') {
            *out = (struct text){p.s + i + 1, p.len - i - 1};
            return true;
        }
    if (!R->t->property)
        return false;
    *out = (struct text){R->t->property, strlen(R->t->property)};
    return true;
}

/* getPrettyPropertyName: `"name" property`, or the value's typeof, capitalised. */
static void sb_pretty(struct sbuf *b, const struct rctx *R, struct text p)
{
    static const char *const typeofs[] = {
        [JS_UNDEFINED] = "Undefined", [JS_NULL] = "Object",   [JS_BOOL] = "Boolean",
        [JS_NUMBER] = "Number",       [JS_STRING] = "String", [JS_ARRAY] = "Object",
        [JS_OBJECT] = "Object"};
    struct text name;
    if (!property_name(R, p, &name)) {
        sb_str(b, typeofs[js_typeof(R->t->value)]);
        return;
    }
    sb_quote(b, "\"", name.s, name.len, "\" property");
}

/* The value at an error's instance path (better-ajv-errors' getPropertyValue). */
static const struct node *value_at(const struct rctx *R, const struct verr *e)
{
    const struct node *v = R->t->value;
    for (size_t i = 0; v && i < e->nseg; i++) {
        const struct path_segment *s = &R->V->segs[e->seg_at + i];
        if (!s->key)
            v = v->kind == NODE_SEQUENCE && s->len_or_index < v->count ? v->u.items[s->len_or_index]
                                                                       : NULL;
        else
            v = js_get(v, s->key, s->len_or_index);
    }
    return v;
}

/* One of the error classes' messages, without the enum's. */
static void sb_error_message(struct sbuf *b, const struct rctx *R, size_t i)
{
    const struct verr *e = &R->V->errs[i];
    struct text p = R->pointers[i], name;
    struct sbuf ajv = {.a = b->a};
    sb_ajv_message(&ajv, e);
    const char *message = sb_text(&ajv);
    if (!message) {
        b->failed = true;
        return;
    }
    if (e->kind == E_ADDITIONAL_PROPS) {
        sb_quote(b, "Property \"", e->name.s, e->name.len, "\" is not expected to be here");
    } else if (e->kind == E_TYPE) {
        if (property_name(R, p, &name)) {
            sb_quote(b, "\"", name.s, name.len, "\" property type ");
        } else {
            sb_str(b, "Value type ");
        }
        sb_str(b, message);
    } else {
        sb_pretty(b, R, p);
        sb_str(b, " ");
        sb_clean(b, message);
    }
}

/* UTF-16 code units (JavaScript's charCodeAt), into the arena. */
static uint16_t *utf16(struct arena *a, const char *s, size_t n, size_t *len)
{
    uint16_t *out = arena_alloc(a, (2 * n + 1) * sizeof(*out));
    *len = 0;
    for (size_t i = 0; out && i < n;) {
        uint32_t cp = js_next_code_point(s, n, &i);
        if (cp > 0xFFFF) {
            out[(*len)++] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            out[(*len)++] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            out[(*len)++] = (uint16_t)cp;
        }
    }
    return out;
}

/* leven: Levenshtein distance over UTF-16 code units; (size_t)-1 when too costly to say. */
static size_t leven(struct arena *a, const char *x, size_t nx, const char *y, size_t ny)
{
    size_t la, lb;
    uint16_t *ua = utf16(a, x, nx, &la), *ub = utf16(a, y, ny, &lb);
    size_t *row = ua && ub ? arena_alloc(a, (la + 1) * sizeof(*row)) : NULL;
    if (!row || (double)la * (double)lb > 16e6)
        return (size_t)-1;
    for (size_t i = 0; i <= la; i++)
        row[i] = i;
    for (size_t j = 1; j <= lb; j++) {
        size_t diag = row[0];
        row[0] = j;
        for (size_t i = 1; i <= la; i++) {
            size_t up = row[i];
            size_t best = diag + (ua[i - 1] != ub[j - 1]);
            best = up + 1 < best ? up + 1 : best;
            best = row[i - 1] + 1 < best ? row[i - 1] + 1 : best;
            row[i] = best;
            diag = up;
        }
    }
    return row[la];
}

/* findBestMatch: the allowed string nearest the value, if near enough. */
static const struct node *best_match(const struct rctx *R, const struct node *current,
                                     const struct node **values, size_t n)
{
    const struct node *best = NULL;
    size_t best_weight = (size_t)-1;
    if (!js_is_string(current))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (js_ruleset_type(values[i]) != JS_STRING)
            continue;
        size_t w =
            leven(R->V->a, values[i]->u.text, values[i]->count, current->u.text, current->count);
        if (!best || w < best_weight)
            best = values[i], best_weight = w;
    }
    if (!best || best_weight == (size_t)-1)
        return NULL;
    return n == 1 || best_weight < js_utf16_length(best->u.text, best->count) ? best : NULL;
}

/* new Set(...allowedValues): primitives by value, objects and arrays by identity. */
static bool listed_value(const struct node **values, size_t n, const struct node *v)
{
    for (size_t i = 0; i < n; i++) {
        unsigned t = js_ruleset_type(v);
        if (values[i] == v)
            return true;
        if (t == JS_ARRAY || t == JS_OBJECT || js_ruleset_type(values[i]) != t)
            continue;
        if (t == JS_STRING   ? same_text(values[i]->u.text, values[i]->count, v->u.text, v->count)
            : t == JS_NUMBER ? node_number(values[i]) == node_number(v)
            : t == JS_BOOL   ? values[i]->v.b == v->v.b
                             : true)
            return true;
    }
    return false;
}

static void emit_result(struct rctx *R, size_t i, const char *message);

/* EnumValidationError for all of a node's enum errors, their values merged. */
static void report_enum(struct rctx *R, const struct tnode *n)
{
    size_t total = 0, count = 0, first = n->errs[0];
    for (size_t i = 0; i < n->nerrs; i++)
        total += R->V->errs[n->errs[i]].k->value->count;
    const struct node **values = arena_alloc(R->V->a, (total + 1) * sizeof(*values));
    struct sbuf b = {.a = R->V->a};
    if (!values) {
        R->failed = true;
        return;
    }
    for (size_t i = 0; i < n->nerrs; i++) {
        const struct node *list = R->V->errs[n->errs[i]].k->value;
        for (uint32_t v = 0; v < list->count; v++)
            if (!listed_value(values, count, list->u.items[v]))
                values[count++] = list->u.items[v];
    }
    sb_pretty(&b, R, R->pointers[first]);
    sb_str(&b, " must be equal to one of the allowed values: ");
    for (size_t i = 0; i < count; i++) {
        sb_str(&b, i ? ", " : "");
        if (js_ruleset_type(values[i]) == JS_STRING)
            sb_quote(&b, "\"", values[i]->u.text, values[i]->count, "\"");
        else
            sb_json_at(&b, values[i], 0);
    }
    const struct node *best = best_match(R, value_at(R, &R->V->errs[first]), values, count);
    if (best)
        sb_quote(&b, ". Did you mean \"", best->u.text, best->count, "\"?");
    const char *text = sb_text(&b);
    if (text)
        emit_result(R, first, text);
}

/* Spectral's describeArrayItem: `"3" property` at an index becomes `Item at index 3`. */
static void sb_array_item(struct sbuf *b, struct text p, const char *message)
{
    size_t from = p.len;
    while (from > 0 && p.s[from - 1] != '/')
        from--;
    struct text index = {p.s + from, p.len - from};
    bool numeric = index.len > 0 && digits_at(index.s, index.len);
    char prefix[64];
    for (int typed = 1; numeric && typed >= 0 && index.len < 32; typed--) {
        snprintf(prefix, sizeof(prefix), "\"%.*s\" property%s", (int)index.len, index.s,
                 typed ? " type" : "");
        if (strncmp(message, prefix, strlen(prefix)) == 0) {
            sb_printf(b, "Item at index %.*s", (int)index.len, index.s);
            sb_str(b, message + strlen(prefix));
            return;
        }
    }
    sb_str(b, message);
}

/* Spectral's result: the message, reworded for array items and unmatched combinators, at the
 * error's path below the value; a repeated (path, message) is dropped, as Spectral does. */
static void emit_result(struct rctx *R, size_t i, const char *message)
{
    const struct verr *e = &R->V->errs[i];
    struct text p = R->pointers[i];
    struct sbuf b = {.a = R->V->a};
    sb_array_item(&b, p, message);
    struct mslot *u = tmap_slot(&R->unmatched, NULL, p, (struct text){"", 0});
    size_t len = b.len;
    if (u->used) {
        const char *tail = u->value == kind_anyof ? " in anyOf" : " in oneOf";
        if (len >= strlen(tail) && strcmp(b.s + len - strlen(tail), tail) == 0)
            sb_str(&b, ". None of the schemas matched, see the other errors reported for this "
                       "value");
    }
    const char *text = sb_text(&b);
    if (!text) {
        R->failed = true;
        return;
    }
    struct mslot *seen = tmap_slot(&R->emitted, NULL, p, (struct text){text, b.len});
    if (seen->used)
        return;
    *seen = (struct mslot){true, NULL, p, {text, b.len}, NULL};
    struct rs_result r = {text, e->nseg ? R->V->segs + e->seg_at : NULL, e->nseg};
    R->out->emit(R->out->ctx, &r);
}

/* createErrorInstances: a node's errors (merged when all are enum's, its children then left
 * out), then its children's, depth first. */
static void collect(struct rctx *R, const struct tnode *n)
{
    size_t count = n->dropped ? 0 : n->nerrs;
    if (count && all_kind(R, n, E_ENUM)) {
        report_enum(R, n);
        return;
    }
    for (size_t i = 0; i < count && !R->failed; i++) {
        struct sbuf b = {.a = R->V->a};
        sb_error_message(&b, R, n->errs[i]);
        const char *text = sb_text(&b);
        if (text)
            emit_result(R, n->errs[i], text);
    }
    for (const struct tnode *c = n->first; c && !R->failed; c = c->next)
        if (!c->deleted)
            collect(R, c);
}

static void report_errors(struct vctx *V, const struct rs_target *t, struct rs_output *out)
{
    struct rctx R = {.V = V, .t = t, .out = out};
    R.pointers = arena_alloc(V->a, (V->nerr + 1) * sizeof(*R.pointers));
    size_t pieces = 0;
    if (!R.pointers)
        return;
    for (size_t i = 0; i < V->nerr; i++) {
        R.pointers[i] = error_pointer(&R, &V->errs[i]);
        pieces += V->errs[i].nseg + 1;
    }
    if (R.failed || !tmap_init(&R.children, V->a, pieces) ||
        !tmap_init(&R.unmatched, V->a, V->nerr) || !tmap_init(&R.emitted, V->a, V->nerr))
        return;
    /* findUnmatchedCombinators: anyOf, and oneOf with no passing schema; the last one wins */
    for (size_t i = 0; i < V->nerr; i++) {
        const struct verr *e = &V->errs[i];
        if (e->kind != E_ANY_OF && !(e->kind == E_ONE_OF && e->j < 0))
            continue;
        struct mslot *s = tmap_slot(&R.unmatched, NULL, R.pointers[i], (struct text){"", 0});
        *s = (struct mslot){true,
                            NULL,
                            R.pointers[i],
                            {"", 0},
                            (void *)(e->kind == E_ANY_OF ? kind_anyof : kind_oneof)};
    }
    struct tnode *root = make_tree(&R);
    if (!root)
        return;
    filter(&R, root, NULL);
    collect(&R, root);
}

/* ---- the function -----------------------------------------------------------------------------
 */

/* $schema values each ajv instance knows (ajv drops a trailing '#'); Spectral adds draft 4's
 * and draft 6's meta-schemas to the draft 7 instance. */
static bool known_meta_schema(unsigned dialect, const char *s, size_t n)
{
    static const struct {
        const char *uri;
        unsigned dialects;
    } metas[] = {{"http://json-schema.org/schema", D_ALL},
                 {"http://json-schema.org/draft-04/schema", D4 | D7},
                 {"http://json-schema.org/draft-06/schema", D7},
                 {"http://json-schema.org/draft-07/schema", D7},
                 {"https://json-schema.org/draft/2019-09/schema", D2019},
                 {"https://json-schema.org/draft/2020-12/schema", D2020}};
    if (n > 0 && s[n - 1] == '#')
        n--;
    for (size_t i = 0; i < sizeof(metas) / sizeof(metas[0]); i++)
        if ((metas[i].dialects & dialect) && same_text(metas[i].uri, strlen(metas[i].uri), s, n))
            return true;
    return false;
}

/* spectral-formats' detectDialect: a json-schema.org $schema names the draft. */
static enum rs_dialect detect_dialect(const struct node *schema)
{
    static const struct {
        const char *path;
        enum rs_dialect dialect;
    } drafts[] = {{"draft-04/", RS_DIALECT_DRAFT4},
                  {"draft-06/", RS_DIALECT_DRAFT6},
                  {"draft-07/", RS_DIALECT_DRAFT7},
                  {"draft/2019-09/", RS_DIALECT_2019_09},
                  {"draft/2020-12/", RS_DIALECT_2020_12}};
    const struct node *uri = get(schema, "$schema");
    if (!js_is_string(uri) || !strstr(uri->u.text, "//json-schema.org/"))
        return RS_DIALECT_DRAFT7;
    /* ^https?://json-schema.org/(?:draft-0[467]|draft/20(?:19-09|20-12))/(?:hyper-)?schema#?$ */
    const char *s = uri->u.text;
    size_t skip = strncmp(s, "http://", 7) == 0 ? 7 : strncmp(s, "https://", 8) == 0 ? 8 : 0;
    if (!skip || strncmp(s + skip, "json-schema.org/", 16) != 0)
        return RS_DIALECT_DRAFT7;
    s += skip + 16;
    for (size_t i = 0; i < sizeof(drafts) / sizeof(drafts[0]); i++) {
        size_t len = strlen(drafts[i].path);
        if (strncmp(s, drafts[i].path, len) != 0)
            continue;
        const char *rest = s + len;
        if (strncmp(rest, "hyper-", 6) == 0)
            rest += 6;
        if (strcmp(rest, "schema") == 0 || strcmp(rest, "schema#") == 0)
            return drafts[i].dialect;
    }
    return RS_DIALECT_DRAFT7;
}

static unsigned instance_of(enum rs_dialect d)
{
    switch (d) {
    case RS_DIALECT_DRAFT4:
        return D4;
    case RS_DIALECT_2019_09:
        return D2019;
    case RS_DIALECT_2020_12:
        return D2020;
    default:
        return D7;
    }
}

/* ajv's validateSchema: a $schema must be text naming a meta-schema it has. */
static void check_meta_schema(struct comp *C, const struct node *schema)
{
    const struct node *uri = get(schema, "$schema");
    if (!uri)
        return;
    if (!js_is_string(uri)) {
        compile_error(C, "$schema must be a string");
        return;
    }
    if (!known_meta_schema(C->dialect, uri->u.text, uri->count))
        C->invalid = arena_printf(C->a, "no schema with key or ref \"%s\"", uri->u.text);
}

int rs_schema_prepare(const struct rs_schema_options *o, struct arena *a,
                      struct jpath_regexes *regexes, const struct rs_schema **out, char *why,
                      size_t why_size, const struct node **at)
{
    enum rs_dialect dialect =
        o->dialect == RS_DIALECT_AUTO ? detect_dialect(o->schema) : o->dialect;
    struct comp C = {.a = a,
                     .regexes = regexes,
                     .dialect = instance_of(dialect),
                     .all_errors = o->all_errors,
                     .root = o->schema};
    struct rs_schema *S = arena_calloc(a, 1, sizeof(*S));
    *out = NULL, *at = NULL;
    if (!S) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    check_meta_schema(&C, o->schema);
    if (!C.invalid)
        S->root = compile_schema(&C, o->schema, false);
    compile_targets(&C);
    /* then definitions no $ref reached: the meta-schema checks them too */
    C.second_pass = true;
    for (size_t i = 0; i < C.npending && !C.invalid && !C.oom && !C.refused[0]; i++) {
        snprintf(C.where, sizeof(C.where), "%s", C.pending[i].where);
        C.where_len = strlen(C.where);
        compile_schema(&C, C.pending[i].node, false);
        compile_targets(&C);
    }
    if (C.oom || C.refused[0]) {
        snprintf(why, why_size, "%s", C.oom ? "out of memory" : C.refused);
        *at = C.refused_at;
        return -1;
    }
    S->all_errors = o->all_errors;
    S->tries_all = C.dialect & (D2019 | D2020);
    S->broken_prepare_results = o->broken_prepare_results;
    S->invalid = C.invalid;
    S->silent = !C.invalid && C.missing_ref;
    *out = S;
    return 0;
}

static void emit_text(struct rs_output *out, const char *message)
{
    struct rs_result r = {message, NULL, 0};
    if (message)
        out->emit(out->ctx, &r);
}

/* Spectral's `#{{print("property")}}must exist`. */
static void report_absent(const struct rs_target *t, struct rs_output *out)
{
    struct sbuf b = {.a = out->arena};
    sb_property(&b, t->property);
    sb_str(&b, "must exist");
    emit_text(out, sb_text(&b));
}

void rs_schema_run(const struct rs_schema *S, const struct rs_target *t, struct rs_output *out)
{
    if (!t->value) {
        report_absent(t, out);
        return;
    }
    /* ajv throws while compiling, on every value: Spectral reports the exception's message */
    if (S->invalid) {
        emit_text(out, S->invalid);
        return;
    }
    if (S->silent || !S->root)
        return;
    struct vctx V = {.S = S, .a = out->arena};
    bool valid = call_function(&V, S->root, t->value);
    if (V.stop == STOP_STACK) {
        emit_text(out, STACK_MESSAGE);
        return;
    }
    if (V.stop == STOP_STEPS) {
        emit_text(out,
                  "gatehop stopped validating this value: the schema took more than " STEPS_TEXT
                  " steps");
        return;
    }
    if (valid || V.stop != STOP_NONE)
        return;
    /* Spectral calls opts.prepareResults(errors) first: not a function, it throws */
    if (S->broken_prepare_results) {
        emit_text(out, "_c.call is not a function");
        return;
    }
    report_errors(&V, t, out);
}
