/*
 * JavaScript's view of document values, as Spectral's functions see them: what the core
 * functions (ruleset_func.c) and the JSON Schema validator (ruleset_schema.c) share when they
 * read gatehop's node trees as the values Spectral's parsers make of a document or a ruleset.
 *
 *  - Types: a string (timestamps too: Spectral's YAML parser keeps dates as text), a number, a
 *    boolean, null, an array, an object, or undefined (an absent value, NULL). NaN and the
 *    infinities are numbers to JavaScript but not to ajv; in a ruleset, which Spectral bundles
 *    into JSON, they are null.
 *  - Strings: UTF-8 read as code points, a malformed byte standing alone for U+FFFD; `.length`
 *    counts UTF-16 code units. Keys: any scalar's text (YAML's `1:` is the key "1"); a repeated
 *    key's last value is the one JavaScript sees.
 *  - Text for messages, built in an arena: JSON.stringify, Number.prototype.toString and
 *    Spectral's print("property") as they write them.
 *  - Regexes: JavaScript's patterns compiled by PCRE2 with the options that make it read them
 *    as JavaScript does, and matched with PCRE2's memory taken from an arena.
 *
 * Invariants: nothing here allocates on the heap except js_regex_compile (the compiled code and
 * the list that holds it, freed with jpath_free_regexes); all else takes memory from the arena
 * it is given and says when that ran out (-1, false or NULL; an sbuf remembers it). The type
 * functions, js_truthy, js_text_is and js_get take NULL for an absent value.
 */
#ifndef RULESET_JS_H
#define RULESET_JS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "model/model_node.h"
#include "ruleset/ruleset_path.h"
#include "util/util_arena.h"

/* ---- types ---- */

/* A value's type, as bits so that a set of types is a mask; the first six in ajv's order of the
 * type names (its "accepts only the following types" message lists them so). */
enum js_type {
    JS_UNDEFINED = 0,
    JS_NULL = 1 << 0,
    JS_BOOL = 1 << 1,
    JS_NUMBER = 1 << 2,
    JS_STRING = 1 << 3,
    JS_ARRAY = 1 << 4,
    JS_OBJECT = 1 << 5,
    JS_NONFINITE = 1 << 6 /* NaN or an infinity: a number to JavaScript, not to ajv */
};

/* A document value's type as ajv checks it: NaN and the infinities are JS_NONFINITE. */
unsigned js_type(const struct node *n);
/* A value's type with NaN and the infinities as JS_NUMBER, as typeof sees them. */
unsigned js_typeof(const struct node *n);
/* A ruleset value's type: Spectral bundles the ruleset into JSON, where NaN and the infinities
 * become JS_NULL (an absent value stays JS_UNDEFINED). */
unsigned js_ruleset_type(const struct node *n);
bool js_is_string(const struct node *n);
/* Boolean(value) of a document value: NaN, 0, "", null and undefined are false. */
bool js_truthy(const struct node *n);

/* ---- strings ---- */

/* A string with its length (it may hold NULs). */
struct text {
    const char *s;
    size_t len;
};

/* Two strings hold the same bytes. */
bool same_text(const char *a, size_t na, const char *b, size_t nb);
/* Copies n bytes of s, NUL-terminated, into the arena: false when memory ran out. */
bool text_dup(struct arena *a, const char *s, size_t n, struct text *out);

/* The code point at s[*i], moving *i past it (U+FFFD for a malformed byte, skipped alone). */
uint32_t js_next_code_point(const char *s, size_t n, size_t *i);
/* Code points: ajv's ucs2length, which minLength and maxLength count (a surrogate pair once). */
size_t js_code_points(const char *s, size_t n);
/* JavaScript's `.length`: UTF-16 code units (a character beyond U+FFFF counts twice). */
size_t js_utf16_length(const char *s, size_t n);
/* JavaScript's white space and line terminators: what \s matches and Number() trims. */
bool js_white_space(uint32_t cp);

/* ---- objects and arrays ---- */

/* Any scalar's text equals s (a key as JavaScript sees it). */
bool js_text_is(const struct node *n, const char *s);
/* obj[name] for a mapping (anything else has none): the last value under that key, or NULL. */
const struct node *js_get(const struct node *map, const char *name, size_t len);

/* One of Object.keys(): a key's text and its value. */
struct jkey {
    const char *s;
    size_t len;
    const struct node *value;
};

/*
 * Object.keys() of a document mapping as Spectral's parsers build it (preserveKeyOrder): the
 * keys in the document's order, integer-like ones included; a repeated key once, at its last
 * place with its last value. Keys that are not scalars are left out. *out and the table that
 * finds repeats are in the arena (no qsort: glibc's may malloc); the count, or -1 when memory
 * ran out.
 */
long js_keys(const struct node *map, struct arena *a, struct jkey **out);

/* "0", "17": a canonical array index (below 2^32 - 1), which JavaScript objects order first. */
bool js_array_index(const char *s, size_t n, uint32_t *out);
/* FNV-1a, for hash sets of keys and values. */
uint32_t js_text_hash(const char *s, size_t n);

/* ---- text built in an arena ---- */

/* Text that grows by copying (messages are short). Start it as {.a = arena}; after a failed
 * allocation it takes nothing more and sb_text says NULL. */
struct sbuf {
    struct arena *a;
    char *s;
    size_t len, cap;
    bool failed;
};

void sb_add(struct sbuf *b, const char *s, size_t n);
void sb_str(struct sbuf *b, const char *s);
/* At most 255 bytes of formatted text. */
void sb_printf(struct sbuf *b, const char *fmt, ...) GH_PRINTF(2, 3);
/* open, n bytes of s, close: a name quoted in a message. */
void sb_quote(struct sbuf *b, const char *open, const char *s, size_t n, const char *close);
/* The text ("" when nothing was added), or NULL when memory ran out. */
const char *sb_text(struct sbuf *b);

/* Number.prototype.toString of a finite number: the shortest digits that read back as d, placed
 * as JavaScript places them (plain from 1e-6 up to 21 integer digits, exponent form beyond). */
void js_number_text(double d, char out[40]);
/* JSON.stringify of a string. */
void sb_json_string(struct sbuf *b, const char *s, size_t n);
/* JSON.stringify of a number: NaN and the infinities are null. */
void sb_json_number(struct sbuf *b, double d);
/* String(number), as a template literal prints it: NaN, Infinity and -Infinity by name. */
void sb_js_number(struct sbuf *b, double d);
/* String() of a string or an array of strings: the text, or the items joined by commas. */
void sb_strings(struct sbuf *b, const struct node *n);
/* Spectral's print("property"): `"name" property ` or, with no name, `The document `. */
void sb_property(struct sbuf *b, const char *property);

/* ---- regular expressions ---- */

/* The options that make PCRE2 read a pattern as JavaScript does: `$` only at the very end (not
 * before a final newline), \uhhhh escapes, [] and [^] as JavaScript reads them. */
#define JS_REGEX_OPTIONS                                                                           \
    (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX |                 \
     PCRE2_ALLOW_EMPTY_CLASS)

/*
 * Compiles a JavaScript pattern with JS_REGEX_OPTIONS and `options` (flags: PCRE2_CASELESS...)
 * and registers it in r. 0 and *out set; -1 with why (PCRE2's complaint and where: "missing
 * closing parenthesis at offset 3"), or -2 with why "out of memory". Callers word the complaint
 * as the JavaScript they follow does.
 */
int js_regex_compile(const char *pattern, size_t len, uint32_t options, struct jpath_regexes *r,
                     pcre2_code **out, char *why, size_t why_size);

/* A PCRE2 general context whose memory comes from the arena (frees wait for its reset). */
pcre2_general_context *js_pcre2_context(struct arena *a);

/* What RegExp.prototype.test needs from PCRE2, made once and reused for many tests. */
struct js_matcher {
    pcre2_match_context *mc;
    pcre2_match_data *md;
};

/* Makes the matcher in the arena (its backtracking frames grow there too): false when memory
 * ran out. */
bool js_matcher_init(struct js_matcher *m, struct arena *a);
/* RegExp.prototype.test from index 0: 1, 0, or -1 when PCRE2 could not say (memory, match
 * limits). */
int js_regex_test(const struct js_matcher *m, const pcre2_code *re, const char *s, size_t n);

#endif
