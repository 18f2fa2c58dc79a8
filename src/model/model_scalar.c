#include "model_scalar.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct word {
    const char *text;
    bool value;
    bool yaml11_only;
};

/* Grouped by length (4, 5, 3, 2) for find_bool_word(). */
static const struct word bool_words[] = {
    {"true", true, false},   {"True", true, false},   {"TRUE", true, false},
    {"false", false, false}, {"False", false, false}, {"FALSE", false, false},
    {"yes", true, true},     {"Yes", true, true},     {"YES", true, true},
    {"off", false, true},    {"Off", false, true},    {"OFF", false, true},
    {"no", false, true},     {"No", false, true},     {"NO", false, true},
    {"on", true, true},      {"On", true, true},      {"ON", true, true},
};

static bool is_null_word(const char *s, size_t n)
{
    return n == 0 || (n == 1 && s[0] == '~') ||
           (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

/* Every word of a length sits in one run of the table: true..FALSE are 4 and 5 long, etc. */
static const struct word *find_bool_word(const char *s, size_t n)
{
    static const unsigned char first[6] = {0, 0, 12, 6, 0, 3}, count[6] = {0, 0, 6, 6, 3, 3};
    if (n < 2 || n > 5)
        return NULL;
    size_t from = first[n];
    for (size_t i = from; i < from + count[n]; i++)
        if (bool_words[i].text[0] == s[0] && !memcmp(bool_words[i].text, s, n))
            return &bool_words[i];
    return NULL;
}

static bool set_integer(struct node *n, bool negative, double magnitude)
{
    double v = negative ? -magnitude : magnitude;
    if (v >= -9.2e18 && v <= 9.2e18) {
        n->type = SCALAR_INT;
        n->v.i = (int64_t)v;
    } else {
        n->type = SCALAR_FLOAT;
        n->v.f = v;
    }
    return true;
}

/* Reads an optional sign; returns the index after it. */
static size_t skip_sign(const char *s, size_t n, bool *negative)
{
    *negative = n > 0 && s[0] == '-';
    return n > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
}

/* Digits of `base`, underscores allowed; needs at least `min_digits` digits. */
static bool digits_value(const char *s, size_t n, unsigned base, size_t min_digits, double *out,
                         bool *saw_underscore)
{
    double v = 0;
    size_t digits = 0;
    for (size_t i = 0; i < n; i++) {
        int c = s[i];
        unsigned d;
        if (c == '_') {
            *saw_underscore = true;
            continue;
        }
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        if (d >= base)
            return false;
        v = v * base + d;
        digits++;
    }
    *out = v;
    return digits >= min_digits;
}

static bool try_octal(struct node *n, const char *s, size_t len)
{
    bool neg, us = false;
    size_t i = skip_sign(s, len, &neg);
    if (i >= len || s[i] != '0')
        return false;
    i++;
    while (i < len && s[i] == '_')
        i++;
    if (i >= len || s[i] < '0' || s[i] > '7')
        return false;
    double v;
    if (!digits_value(s + i, len - i, 8, 1, &v, &us))
        return false;
    n->flags |= NODE_YAML11;
    return set_integer(n, neg, v);
}

static bool try_decimal(struct node *n, const char *s, size_t len)
{
    bool neg, us = false;
    size_t i = skip_sign(s, len, &neg);
    while (i < len && s[i] == '_') {
        us = true;
        i++;
    }
    if (i >= len || s[i] < '0' || s[i] > '9')
        return false;
    double v;
    if (!digits_value(s + i, len - i, 10, 1, &v, &us))
        return false;
    if (us)
        n->flags |= NODE_YAML11;
    return set_integer(n, neg, v);
}

static bool try_float(struct node *n, const char *s, size_t len)
{
    if (!memchr(s, '.', len) && !memchr(s, 'e', len) && !memchr(s, 'E', len))
        return false;
    char tmp[128];
    size_t t = 0;
    bool us = false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '_') {
            us = true;
            continue;
        }
        if (t + 1 >= sizeof(tmp))
            return false;
        tmp[t++] = s[i];
    }
    tmp[t] = '\0';
    /* Decimal notation only: strtod would also take hex floats and "inf". */
    size_t i = (tmp[0] == '-' || tmp[0] == '+') ? 1 : 0;
    size_t mantissa_digits = 0;
    while (tmp[i] >= '0' && tmp[i] <= '9')
        i++, mantissa_digits++;
    if (tmp[i] == '.') {
        i++;
        while (tmp[i] >= '0' && tmp[i] <= '9')
            i++, mantissa_digits++;
    }
    if (mantissa_digits == 0)
        return false;
    if (tmp[i] == 'e' || tmp[i] == 'E') {
        i++;
        if (tmp[i] == '-' || tmp[i] == '+')
            i++;
        if (tmp[i] < '0' || tmp[i] > '9')
            return false;
        while (tmp[i] >= '0' && tmp[i] <= '9')
            i++;
    }
    if (tmp[i] != '\0')
        return false;
    n->type = SCALAR_FLOAT;
    n->v.f = strtod(tmp, NULL);
    if (us)
        n->flags |= NODE_YAML11;
    return true;
}

static bool try_bool(struct node *n, const char *s, size_t len)
{
    const struct word *w = find_bool_word(s, len);
    if (!w)
        return false;
    n->type = SCALAR_BOOL;
    n->v.b = w->value;
    if (w->yaml11_only)
        n->flags |= NODE_YAML11;
    return true;
}

static bool try_special_float(struct node *n, const char *s, size_t len)
{
    static const char *const infs[] = {".inf", ".Inf", ".INF"};
    static const char *const nans[] = {".nan", ".NaN", ".NAN"};
    size_t sign = (len > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    for (size_t i = 0; i < 3; i++) {
        if (len - sign == 4 && !memcmp(s + sign, infs[i], 4)) {
            n->type = SCALAR_FLOAT;
            n->v.f = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
            return true;
        }
        if (len == 4 && !memcmp(s, nans[i], 4)) {
            n->type = SCALAR_FLOAT;
            n->v.f = NAN;
            return true;
        }
    }
    return false;
}

static bool try_prefixed(struct node *n, const char *s, size_t len, char letter, unsigned base,
                         size_t min_digits)
{
    bool neg, us = false;
    size_t i = skip_sign(s, len, &neg);
    if (len - i < 3 || s[i] != '0' || s[i + 1] != letter)
        return false;
    i += 2;
    while (i < len && s[i] == '_')
        i++;
    double v;
    if (i >= len || !digits_value(s + i, len - i, base, min_digits, &v, &us))
        return false;
    if (base == 2 || us)
        n->flags |= NODE_YAML11;
    return set_integer(n, neg, v);
}

/*
 * Base 60, as lyaml reads it: digits, a colon, a digit, then any digits and colons
 * ("190:20:30" is 190*3600 + 20*60 + 30). Each run of digits shifts the value by 60.
 */
static bool try_base60(struct node *n, const char *s, size_t len)
{
    bool neg;
    size_t i = skip_sign(s, len, &neg);
    const char *colon = memchr(s + i, ':', len - i);
    if (!colon || colon == s + i || (size_t)(colon - s) + 1 >= len || colon[1] < '0' ||
        colon[1] > '9')
        return false;
    double v = 0, part = 0;
    bool in_digits = false;
    for (; i < len; i++) {
        if (s[i] == ':') {
            if (in_digits)
                v = v * 60 + part;
            part = 0;
            in_digits = false;
        } else if (s[i] >= '0' && s[i] <= '9') {
            part = part * 10 + (s[i] - '0');
            in_digits = true;
        } else {
            return false;
        }
    }
    if (in_digits)
        v = v * 60 + part;
    n->flags |= NODE_YAML11;
    return set_integer(n, neg, v);
}

static void resolve_tagged(struct node *n, const char *tag)
{
    const char *name = tag + strlen("tag:yaml.org,2002:");
    const char *s = n->u.text;
    size_t len = n->count;
    n->flags |= NODE_TAGGED;
    n->type = SCALAR_STRING;
    if (!strcmp(name, "null") && is_null_word(s, len))
        n->type = SCALAR_NULL;
    else if (!strcmp(name, "bool"))
        try_bool(n, s, len);
    else if (!strcmp(name, "int"))
        (void)(try_octal(n, s, len) || try_decimal(n, s, len) ||
               try_prefixed(n, s, len, 'x', 16, 1));
    else if (!strcmp(name, "float"))
        (void)(try_float(n, s, len) || try_special_float(n, s, len) || try_decimal(n, s, len));
    n->flags &= (uint8_t)~NODE_YAML11;
}

void scalar_resolve(struct node *n, const char *tag)
{
    const char *s = n->u.text;
    size_t len = n->count;
    n->type = SCALAR_STRING;
    if (tag && !strncmp(tag, "tag:yaml.org,2002:", 18)) {
        resolve_tagged(n, tag);
        return;
    }
    if (n->style != STYLE_PLAIN)
        return;
    if (is_null_word(s, len)) {
        n->type = SCALAR_NULL;
        return;
    }
    /* Words can only be booleans; every number starts with a digit, a sign, '.' or '_'. */
    bool numeric =
        (s[0] >= '0' && s[0] <= '9') || s[0] == '+' || s[0] == '-' || s[0] == '.' || s[0] == '_';
    if (!numeric) {
        /* y/n stay strings for Kong (lyaml) but are booleans to go-yaml v2, decK's parser. */
        if (!try_bool(n, s, len) && len == 1 && strchr("yYnN", s[0]))
            n->flags |= NODE_YAML11;
        return;
    }
    if (try_octal(n, s, len) || try_decimal(n, s, len) || try_float(n, s, len) ||
        try_special_float(n, s, len) || try_prefixed(n, s, len, 'x', 16, 1) ||
        try_prefixed(n, s, len, 'b', 2, 2) || try_base60(n, s, len))
        return;
    n->type = SCALAR_STRING;
    n->flags &= (uint8_t)~NODE_YAML11;
    /* 0o17 is a string to lyaml, and 15 to YAML 1.2 parsers. */
    if (len > 2 && s[0] == '0' && s[1] == 'o')
        n->flags |= NODE_YAML11;
}

/* ---- other libraries --------------------------------------------------------------------- */

static const char *const yaml_lib_names[YAML_LIB_COUNT] = {
    [YAML_LIB_LYAML] = "lyaml",
    [YAML_LIB_TINYYAML_042] = "tinyyaml 0.4.2",
    [YAML_LIB_TINYYAML_044] = "tinyyaml 0.4.4",
};

bool yaml_lib_from_name(const char *name, enum yaml_lib *out)
{
    for (int i = 0; i < YAML_LIB_COUNT; i++)
        if (!strcmp(yaml_lib_names[i], name)) {
            *out = (enum yaml_lib)i;
            return true;
        }
    return false;
}

const char *yaml_lib_name(enum yaml_lib lib)
{
    return yaml_lib_is_tinyyaml(lib) ? "tinyyaml" : "lyaml";
}

bool yaml_lib_is_tinyyaml(enum yaml_lib lib)
{
    return lib == YAML_LIB_TINYYAML_042 || lib == YAML_LIB_TINYYAML_044;
}

static bool is_digit_char(char c)
{
    return c >= '0' && c <= '9';
}

/* tinyyaml's parsetimestamp: four digits, '-', two digits, '-', two digits, then anything. */
static bool starts_with_date(const char *s, size_t len)
{
    static const char shape[] = "dddd-dd-dd";
    if (len < sizeof(shape) - 1)
        return false;
    for (size_t i = 0; i < sizeof(shape) - 1; i++)
        if (shape[i] == 'd' ? !is_digit_char(s[i]) : s[i] != '-')
            return false;
    return true;
}

static bool is_word(const char *s, size_t len, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == len && !memcmp(*words, s, len))
            return true;
    return false;
}

/* The patterns tinyyaml hands to tonumber: [+-]?digits, then optionally '.' and digits. */
static bool tinyyaml_number(struct node *n, const char *s, size_t len)
{
    size_t i = (len > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0, start = i;
    while (i < len && is_digit_char(s[i]))
        i++;
    if (i == start)
        return false;
    bool integral = i == len;
    if (!integral) {
        if (s[i] != '.')
            return false;
        for (i++; i < len; i++)
            if (!is_digit_char(s[i]))
                return false;
    }
    char tmp[400];
    if (len >= sizeof(tmp))
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    double v = strtod(tmp, NULL); /* Lua's tonumber: decimal, leading zeros ignored */
    if (integral)
        return set_integer(n, false, v);
    n->type = SCALAR_FLOAT;
    n->v.f = v;
    return true;
}

static bool tinyyaml_word(struct node *n, const char *s, size_t len)
{
    static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    static const char *const infs[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
    static const char *const minus_infs[] = {"-.inf", "-.Inf", "-.INF", NULL};
    static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
    if (len == 0 || is_word(s, len, nulls))
        n->type = SCALAR_NULL;
    else if (is_word(s, len, trues) || is_word(s, len, falses)) {
        n->type = SCALAR_BOOL;
        n->v.b = s[0] == 't' || s[0] == 'T';
    } else if (is_word(s, len, infs) || is_word(s, len, minus_infs)) {
        n->type = SCALAR_FLOAT;
        n->v.f = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    } else if (is_word(s, len, nans)) {
        n->type = SCALAR_FLOAT;
        n->v.f = NAN;
    } else {
        return false;
    }
    return true;
}

void scalar_retype_tinyyaml(struct node *n, bool in_flow)
{
    const char *s = n->u.text;
    size_t len = n->count;
    n->flags &= (uint8_t)~NODE_YAML11;
    n->type = SCALAR_STRING;
    if (n->style != STYLE_PLAIN || in_flow)
        return;
    if (starts_with_date(s, len))
        n->type = SCALAR_TIMESTAMP;
    else if (!tinyyaml_word(n, s, len))
        (void)tinyyaml_number(n, s, len);
}

void scalar_describe(const struct node *n, bool quote_strings, char *out, size_t size)
{
    switch ((enum scalar_type)n->type) {
    case SCALAR_BOOL:
        snprintf(out, size, "the boolean %s", n->v.b ? "true" : "false");
        break;
    case SCALAR_INT:
        snprintf(out, size, "the number %lld", (long long)n->v.i);
        break;
    case SCALAR_FLOAT:
        snprintf(out, size, "the number %g", n->v.f);
        break;
    case SCALAR_NULL:
        snprintf(out, size, "null");
        break;
    case SCALAR_TIMESTAMP:
        snprintf(out, size, "a timestamp (a table, not a string)");
        break;
    case SCALAR_STRING:
        if (quote_strings)
            snprintf(out, size, "the string '%.40s'", n->u.text);
        else
            snprintf(out, size, "a string");
        break;
    }
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit_char(s[i]))
            return false;
    return n > 0;
}

void scalar_describe_yaml12(const struct node *n, char *out, size_t size)
{
    const char *s = n->u.text;
    size_t len = n->count;
    size_t sign = len && (s[0] == '-' || s[0] == '+');
    if (n->type == SCALAR_BOOL)
        snprintf(out, size, "the string '%.40s' to YAML 1.2 tools", s);
    else if (n->type == SCALAR_STRING && len == 1)
        snprintf(out, size, "a boolean to decK's YAML library (go-yaml)");
    else if (n->type == SCALAR_STRING)
        snprintf(out, size, "the number %ld to YAML 1.2 tools", strtol(s + 2, NULL, 8));
    else if (all_digits(s + sign, len - sign))
        snprintf(out, size, "the number %ld to YAML 1.2 tools", strtol(s, NULL, 10));
    else
        snprintf(out, size, "a string to YAML 1.2 tools");
}
