#include "schema_rust_regex.h"

#include <stdint.h>
#include <string.h>

#include "util/util_str.h"

/*
 * The parser is iterative, as regex-syntax's is: groups and character classes are kept on
 * small stacks rather than in recursion, so a hostile pattern cannot exhaust the C stack. The
 * stacks stop at regex-syntax's own nesting limit (250), reported with its message.
 */
enum { NEST_LIMIT = 250, MAX_NAMES = 256 };

/* regex-syntax's messages (ast::ErrorKind's Display). */
#define E_CLASS_ESCAPE        "invalid escape sequence found in character class"
#define E_CLASS_RANGE         "invalid character class range, the start must be <= the end"
#define E_CLASS_RANGE_LITERAL "invalid range boundary, must be a literal"
#define E_CLASS_UNCLOSED      "unclosed character class"
#define E_DECIMAL_INVALID     "decimal literal invalid"
#define E_HEX_EMPTY           "hexadecimal literal empty"
#define E_HEX_INVALID         "hexadecimal literal is not a Unicode scalar value"
#define E_HEX_DIGIT           "invalid hexadecimal digit"
#define E_ESCAPE_EOF          "incomplete escape sequence, reached end of pattern prematurely"
#define E_ESCAPE              "unrecognized escape sequence"
#define E_FLAG_DANGLING       "dangling flag negation operator"
#define E_FLAG_DUPLICATE      "duplicate flag"
#define E_FLAG_NEGATION       "flag negation operator repeated"
#define E_FLAG_EOF            "expected flag but got end of regex"
#define E_FLAG                "unrecognized flag"
#define E_NAME_DUPLICATE      "duplicate capture group name"
#define E_NAME_EMPTY          "empty capture group name"
#define E_NAME_INVALID        "invalid capture group character"
#define E_NAME_EOF            "unclosed capture group name"
#define E_GROUP_UNCLOSED      "unclosed group"
#define E_GROUP_UNOPENED      "unopened group"
#define E_NEST                "exceed the maximum number of nested parentheses/brackets (250)"
#define E_COUNT_RANGE         "invalid repetition count range, the start must be <= the end"
#define E_COUNT_DECIMAL       "repetition quantifier expects a valid decimal"
#define E_COUNT_UNCLOSED      "unclosed counted repetition"
#define E_REPETITION          "repetition operator missing expression"
#define E_WORD_UNCLOSED                                                                            \
    "special word boundary assertion is either unclosed or contains an invalid character"
#define E_WORD_UNKNOWN                                                                             \
    "unrecognized special word boundary assertion, valid choices are: start, end, start-half "     \
    "or end-half"
#define E_WORD_EOF                                                                                 \
    "found either the beginning of a special word boundary or a bounded repetition on a \\b "      \
    "with an opening brace, but no closing brace"
#define E_UNICODE_CLASS "invalid Unicode character class"
#define E_BACKREFERENCE "backreferences are not supported"
#define E_LOOKAROUND    "look-around, including look-ahead and look-behind, is not supported"

struct rx {
    const unsigned char *s;
    size_t n, pos;
    enum rust_regex_dialect d;
    bool x; /* the x flag: whitespace and # comments are ignored */
    struct rust_regex_error *e;
    struct {
        size_t at, len;
    } names[MAX_NAMES];
    size_t nnames;
};

/* What the last thing in the current concatenation is: a repetition needs an expression. */
enum last_item { LAST_NONE, LAST_FLAGS, LAST_ITEM };

/* What an escape or a class item stands for. */
enum prim_kind { PRIM_LITERAL, PRIM_ASSERTION, PRIM_CLASS };

struct prim {
    enum prim_kind kind;
    uint32_t cp; /* for a literal */
    size_t start;
};

static bool fail(struct rx *r, size_t at, const char *message)
{
    r->e->offset = at;
    r->e->message = message;
    r->e->construct = NULL;
    r->e->hint = NULL;
    r->e->later = false;
    return false;
}

static bool fail_construct(struct rx *r, size_t at, const char *message, const char *construct,
                           const char *hint)
{
    fail(r, at, message);
    r->e->construct = construct;
    r->e->hint = hint;
    return false;
}

/* ---- characters -------------------------------------------------------------------------- */

static bool eof(const struct rx *r)
{
    return r->pos >= r->n;
}

/* The code point at i and its length; an invalid byte stands for itself. */
static uint32_t cp_at(const struct rx *r, size_t i, size_t *len)
{
    const unsigned char *p = r->s + i;
    size_t left = r->n - i;
    unsigned char c = p[0];
    size_t need = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    if (need > left || need == 1 || c >= 0xF8 || (c & 0xC0) == 0x80) {
        *len = 1;
        return c;
    }
    uint32_t v = c & (0xFF >> (need + 1));
    for (size_t k = 1; k < need; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            *len = 1;
            return c;
        }
        v = (v << 6) | (p[k] & 0x3F);
    }
    *len = need;
    return v;
}

/* The current character; at the end, a value no character has. */
static uint32_t ch(const struct rx *r)
{
    size_t len;
    return eof(r) ? UINT32_MAX : cp_at(r, r->pos, &len);
}

/* Moves past the current character; false when that reached the end. */
static bool bump(struct rx *r)
{
    if (eof(r))
        return false;
    size_t len;
    cp_at(r, r->pos, &len);
    r->pos += len;
    return !eof(r);
}

static bool bump_if(struct rx *r, const char *prefix)
{
    size_t l = strlen(prefix);
    if (r->n - r->pos < l || memcmp(r->s + r->pos, prefix, l) != 0)
        return false;
    r->pos += l;
    return true;
}

static bool is_space(uint32_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 || c == 0x2028 ||
           c == 0x2029 || c == 0x3000 || (c >= 0x2000 && c <= 0x200A);
}

/* With the x flag, whitespace and comments up to the next thing that counts. */
static void bump_space(struct rx *r)
{
    if (!r->x)
        return;
    while (!eof(r)) {
        uint32_t c = ch(r);
        if (is_space(c)) {
            bump(r);
        } else if (c == '#') {
            while (!eof(r)) {
                c = ch(r);
                bump(r);
                if (c == '\n')
                    break;
            }
        } else {
            break;
        }
    }
}

static bool bump_and_bump_space(struct rx *r)
{
    if (!bump(r))
        return false;
    bump_space(r);
    return !eof(r);
}

/*
 * The character after the current one (none: -1). With skip_space and the x flag, blanks and
 * one '#' are passed over first, as regex-syntax's peek_space does.
 */
static long peek(const struct rx *r, bool skip_space)
{
    if (eof(r))
        return -1;
    size_t len;
    cp_at(r, r->pos, &len);
    size_t i = r->pos + len;
    bool comment = false;
    while (skip_space && r->x && i < r->n) {
        uint32_t c = cp_at(r, i, &len);
        if (is_space(c) || (!comment && c == '#')) {
            comment |= c == '#';
            i += len;
            continue;
        }
        break;
    }
    return i < r->n ? (long)cp_at(r, i, &len) : -1;
}

static bool is_meta(uint32_t c)
{
    return c < 0x80 && strchr("\\.+*?()|[]{}^$#&-~", (int)c) && c != 0;
}

static bool is_alnum_ascii(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* From 0.7 any ASCII character but letters, digits, '<' and '>' may be escaped needlessly. */
static bool is_escapeable(uint32_t c)
{
    return is_meta(c) || (c < 0x80 && !is_alnum_ascii(c) && c != '<' && c != '>');
}

static bool is_hex(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_scalar(uint32_t v)
{
    return v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF);
}

/* ---- escapes ----------------------------------------------------------------------------- */

/* PCRE escapes Rust's regex has no equivalent of, by their letter. */
static const struct {
    char letter;
    const char *construct, *hint;
} pcre_escapes[] = {
    {'K', "a match-start reset (\\K)", NULL},
    {'G', "a \\G anchor", NULL},
    {'Z', "a \\Z anchor", "use \\z"},
    {'Q', "a quoted sequence (\\Q...\\E)", "escape each metacharacter instead"},
    {'E', "a quoted sequence (\\Q...\\E)", "escape each metacharacter instead"},
    {'h', "a horizontal-space class (\\h)", "use [ \\t]"},
    {'H', "a non-horizontal-space class (\\H)", "use [^ \\t]"},
    {'V', "a non-vertical-space class (\\V)", "use [^\\n\\x0B\\f\\r]"},
    {'R', "a newline sequence (\\R)", "use (?:\\r\\n|\\n|\\r)"},
    {'X', "an extended grapheme cluster (\\X)", NULL},
    {'N', "a non-newline escape (\\N)", "use [^\\n]"},
    {'C', "a single-byte escape (\\C)", NULL},
    {'e', "an escape-character escape (\\e)", "use \\x1B"},
    {'c', "a control-character escape (\\cX)", "use \\x01 to \\x1F"},
    {'o', "an octal escape (\\o{...})", "use \\x{...}"},
    {'g', "a backreference", NULL},
    {'k', "a backreference", NULL},
};

static bool unrecognized_escape(struct rx *r, size_t start, uint32_t c)
{
    for (size_t i = 0; i < sizeof(pcre_escapes) / sizeof(pcre_escapes[0]); i++)
        if ((uint32_t)pcre_escapes[i].letter == c)
            return fail_construct(r, start, E_ESCAPE, pcre_escapes[i].construct,
                                  pcre_escapes[i].hint);
    if (r->d == RUST_REGEX_0_6 && is_escapeable(c)) {
        fail_construct(r, start, E_ESCAPE, "a needless escape of a punctuation character",
                       "write the character without the backslash");
        r->e->later = true;
        return false;
    }
    if (c == '<' || c == '>') {
        fail_construct(r, start, E_ESCAPE, "a word-boundary assertion (\\< or \\>)", "use \\b");
        r->e->later = true;
        return false;
    }
    return fail(r, start, E_ESCAPE);
}

/* \xNN, \x{...}, \uNNNN, \u{...}, \UNNNNNNNN, \U{...}; at the x, u or U. */
static bool parse_hex(struct rx *r, struct prim *p)
{
    size_t digits = ch(r) == 'x' ? 2 : ch(r) == 'u' ? 4 : 8;
    if (!bump_and_bump_space(r))
        return fail(r, r->pos, E_ESCAPE_EOF);
    uint32_t v = 0;
    bool big = false;
    if (ch(r) == '{') {
        size_t brace = r->pos, count = 0, first = r->pos + 1;
        while (bump_and_bump_space(r) && ch(r) != '}') {
            if (!is_hex(ch(r)))
                return fail(r, r->pos, E_HEX_DIGIT);
            big |= v > 0x10FFFF;
            v = (v << 4) | (uint32_t)str_hex_value((int)ch(r));
            count++;
        }
        if (eof(r))
            return fail(r, brace, E_ESCAPE_EOF);
        bump_and_bump_space(r);
        if (count == 0)
            return fail(r, brace, E_HEX_EMPTY);
        if (big || !is_scalar(v))
            return fail(r, first, E_HEX_INVALID);
    } else {
        size_t first = r->pos;
        for (size_t i = 0; i < digits; i++) {
            if (i > 0 && !bump_and_bump_space(r))
                return fail(r, r->pos, E_ESCAPE_EOF);
            if (!is_hex(ch(r)))
                return fail(r, r->pos, E_HEX_DIGIT);
            v = (v << 4) | (uint32_t)str_hex_value((int)ch(r));
        }
        bump_and_bump_space(r);
        if (!is_scalar(v))
            return fail(r, first, E_HEX_INVALID);
    }
    p->kind = PRIM_LITERAL;
    p->cp = v;
    return true;
}

/* \pL, \p{Greek}, \PL, \P{...}; at the p or P. The name itself is not checked. */
static bool parse_unicode_class(struct rx *r, struct prim *p)
{
    if (!bump_and_bump_space(r))
        return fail(r, r->pos, E_ESCAPE_EOF);
    if (ch(r) == '{') {
        while (bump_and_bump_space(r) && ch(r) != '}')
            ;
        if (eof(r))
            return fail(r, r->pos, E_ESCAPE_EOF);
        bump(r);
    } else {
        if (ch(r) == '\\')
            return fail(r, r->pos, E_UNICODE_CLASS);
        bump_and_bump_space(r);
    }
    p->kind = PRIM_CLASS;
    return true;
}

static bool is_word_boundary_char(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* 0.8: \b{start} and the like; at a '{' after \b. Anything else is left to the repetition. */
static bool parse_special_word_boundary(struct rx *r, size_t wb_start)
{
    size_t start = r->pos;
    if (!bump_and_bump_space(r))
        return fail(r, wb_start, E_WORD_EOF);
    if (!is_word_boundary_char(ch(r))) {
        r->pos = start;
        return true;
    }
    size_t contents = r->pos;
    char name[16];
    size_t len = 0;
    while (!eof(r) && is_word_boundary_char(ch(r))) {
        if (len + 1 < sizeof(name))
            name[len++] = (char)ch(r);
        else
            len = sizeof(name); /* too long to be one of the four */
        bump_and_bump_space(r);
    }
    if (eof(r) || ch(r) != '}')
        return fail(r, start, E_WORD_UNCLOSED);
    bump(r);
    static const char *const kinds[] = {"start", "end", "start-half", "end-half"};
    for (size_t i = 0; len < sizeof(name) && i < 4; i++)
        if (strlen(kinds[i]) == len && memcmp(kinds[i], name, len) == 0)
            return true;
    return fail(r, contents, E_WORD_UNKNOWN);
}

/* An escape; at the backslash. */
static bool parse_escape(struct rx *r, struct prim *p)
{
    size_t start = r->pos;
    p->start = start;
    if (!bump(r))
        return fail(r, start, E_ESCAPE_EOF);
    uint32_t c = ch(r);
    if (c >= '0' && c <= '9')
        return c == '0' ? fail_construct(r, start, E_BACKREFERENCE, "an octal escape (\\0)",
                                         "use \\x00 or \\x{...}")
                        : fail_construct(r, start, E_BACKREFERENCE, "a backreference", NULL);
    if (c == 'x' || c == 'u' || c == 'U')
        return parse_hex(r, p);
    if (c == 'p' || c == 'P')
        return parse_unicode_class(r, p);
    if (c < 0x80 && strchr("dswDSW", (int)c) && c != 0) {
        bump(r);
        p->kind = PRIM_CLASS;
        return true;
    }
    bump(r);
    p->kind = PRIM_LITERAL;
    p->cp = c;
    if (is_meta(c) || (r->d >= RUST_REGEX_0_7 && is_escapeable(c)))
        return true;
    static const char special[] = "a\af\ft\tn\nr\rv\v";
    for (size_t i = 0; special[i]; i += 2)
        if ((uint32_t)special[i] == c) {
            p->cp = (unsigned char)special[i + 1];
            return true;
        }
    if (c == ' ' && r->x)
        return true; /* 0.6 names this one; later releases take it as any punctuation */
    p->kind = PRIM_ASSERTION;
    if (c == 'A' || c == 'z' || c == 'B')
        return true;
    if (c == 'b')
        return r->d >= RUST_REGEX_0_8 && !eof(r) && ch(r) == '{'
                   ? parse_special_word_boundary(r, start)
                   : true;
    if ((c == '<' || c == '>') && r->d >= RUST_REGEX_0_8)
        return true;
    return unrecognized_escape(r, start, c);
}

/* ---- groups and flags -------------------------------------------------------------------- */

static bool is_name_char(const struct rx *r, uint32_t c, bool first)
{
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    /* 0.7 takes Unicode letters and digits too; any non-ASCII character stands for them. */
    if (r->d >= RUST_REGEX_0_7 && c >= 0x80)
        return true;
    return letter || (!first && ((c >= '0' && c <= '9') || c == '.' || c == '[' || c == ']'));
}

/* A capture name after "(?P<" or "(?<", up to and past the '>'. */
static bool parse_capture_name(struct rx *r)
{
    if (eof(r))
        return fail(r, r->pos, E_NAME_EOF);
    size_t start = r->pos;
    for (;;) {
        if (ch(r) == '>')
            break;
        if (!is_name_char(r, ch(r), r->pos == start))
            return fail(r, r->pos, E_NAME_INVALID);
        if (!bump(r))
            break;
    }
    size_t end = r->pos;
    if (eof(r))
        return fail(r, r->pos, E_NAME_EOF);
    bump(r);
    if (end == start)
        return fail(r, start, E_NAME_EMPTY);
    for (size_t i = 0; i < r->nnames; i++)
        if (r->names[i].len == end - start &&
            !memcmp(r->s + r->names[i].at, r->s + start, end - start))
            return fail(r, start, E_NAME_DUPLICATE);
    if (r->nnames < MAX_NAMES) {
        r->names[r->nnames].at = start;
        r->names[r->nnames].len = end - start;
        r->nnames++;
    }
    return true;
}

/* What PCRE means by "(?" and the character Rust refuses as a flag. */
static bool unrecognized_flag(struct rx *r, size_t at, size_t open)
{
    uint32_t c = ch(r);
    long next = peek(r, false);
    const char *construct = NULL, *hint = NULL;
    if (at == open + 2) {
        if (c == '>')
            construct = "an atomic group";
        else if (c == 'P' && next == '=')
            construct = "a backreference";
        else if ((c == 'P' && next == '>') || c == '&' || (c >= '0' && c <= '9') ||
                 ((c == '+' || c == '-') && next >= '0' && next <= '9'))
            construct = "a subroutine call";
        else if (c == 'R' && next == ')')
            construct = "a recursion";
        else if (c == '|')
            construct = "a branch reset group";
        else if (c == '#')
            construct = "a comment group";
        else if (c == '(')
            construct = "a conditional group";
        else if (c == 'C')
            construct = "a callout";
        else if (c == '<') {
            construct = "a named group written (?<name>...)";
            hint = "write (?P<name>...)";
        }
    }
    if (c == 'R' && r->d == RUST_REGEX_0_6 && !construct)
        construct = "the CRLF flag (R)";
    if (!construct)
        return fail(r, at, E_FLAG);
    fail_construct(r, at, E_FLAG, construct, hint);
    r->e->later = c == '<' || (c == 'R' && strcmp(construct, "a recursion") != 0);
    return false;
}

/* Flags up to the ':' or ')'; sets *x when the x flag is named (on or off). */
static bool parse_flags(struct rx *r, size_t open, int *x, size_t *count)
{
    unsigned seen = 0;
    bool negation = false, dangling = false;
    size_t dangling_at = 0;
    *count = 0;
    while (ch(r) != ':' && ch(r) != ')') {
        uint32_t c = ch(r);
        if (c == '-') {
            if (negation)
                return fail(r, r->pos, E_FLAG_NEGATION);
            negation = dangling = true;
            dangling_at = r->pos;
        } else {
            static const char flags[] = "imsUuRx";
            const char *f = c < 0x80 && c ? strchr(flags, (int)c) : NULL;
            if (!f || (c == 'R' && r->d == RUST_REGEX_0_6))
                return unrecognized_flag(r, r->pos, open);
            unsigned bit = 1u << (f - flags);
            if (seen & bit)
                return fail(r, r->pos, E_FLAG_DUPLICATE);
            seen |= bit;
            dangling = false;
            if (c == 'x')
                *x = negation ? 0 : 1;
        }
        (*count)++;
        if (!bump(r))
            return fail(r, r->pos, E_FLAG_EOF);
    }
    if (dangling)
        return fail(r, dangling_at, E_FLAG_DANGLING);
    return true;
}

struct group {
    size_t open;
    bool x; /* the x flag outside the group, restored when it closes */
};

/*
 * A '(' starts a group or sets flags. *is_group says which; *group_x is the x flag inside
 * the group (or, for flags alone, from here on in the current group).
 */
static bool parse_group(struct rx *r, bool *is_group, bool *group_x)
{
    size_t open = r->pos;
    bump(r);
    bump_space(r);
    static const struct {
        const char *prefix, *construct;
    } lookaround[] = {{"?=", "a look-ahead"},
                      {"?!", "a negative look-ahead"},
                      {"?<=", "a look-behind"},
                      {"?<!", "a negative look-behind"}};
    for (size_t i = 0; i < 4; i++)
        if (bump_if(r, lookaround[i].prefix))
            return fail_construct(r, open, E_LOOKAROUND, lookaround[i].construct, NULL);
    size_t inner = r->pos;
    *is_group = true;
    *group_x = r->x;
    if (bump_if(r, "?P<") || (r->d >= RUST_REGEX_0_7 && bump_if(r, "?<")))
        return parse_capture_name(r);
    if (!bump_if(r, "?"))
        return true;
    if (eof(r))
        return fail(r, open, E_GROUP_UNCLOSED);
    int x = -1;
    size_t count;
    if (!parse_flags(r, open, &x, &count))
        return false;
    uint32_t end = ch(r);
    bump(r);
    if (x >= 0)
        *group_x = x == 1;
    if (end == ')') {
        if (count == 0)
            return fail(r, inner, E_REPETITION);
        *is_group = false;
    }
    return true;
}

/* ---- character classes ------------------------------------------------------------------- */

static const char *const ascii_classes[] = {"alnum", "alpha", "ascii", "blank", "cntrl",
                                            "digit", "graph", "lower", "print", "punct",
                                            "space", "upper", "word",  "xdigit"};

/* [:name:] inside a class; leaves the position alone when it is not one. */
static bool parse_ascii_class(struct rx *r)
{
    size_t start = r->pos;
    if (!bump(r) || ch(r) != ':' || !bump(r) || (ch(r) == '^' && !bump(r))) {
        r->pos = start;
        return false;
    }
    size_t name = r->pos;
    while (ch(r) != ':' && bump(r))
        ;
    size_t name_end = r->pos;
    if (eof(r) || !bump_if(r, ":]")) {
        r->pos = start;
        return false;
    }
    for (size_t i = 0; i < sizeof(ascii_classes) / sizeof(ascii_classes[0]); i++)
        if (strlen(ascii_classes[i]) == name_end - name &&
            !memcmp(ascii_classes[i], r->s + name, name_end - name))
            return true;
    r->pos = start;
    return false;
}

/* The opening of a class: '[', an optional '^', and leading '-' or ']' taken literally. */
static bool parse_class_open(struct rx *r)
{
    size_t start = r->pos;
    if (!bump_and_bump_space(r))
        return fail(r, start, E_CLASS_UNCLOSED);
    if (ch(r) == '^' && !bump_and_bump_space(r))
        return fail(r, start, E_CLASS_UNCLOSED);
    bool any = false;
    while (ch(r) == '-') {
        any = true;
        if (!bump_and_bump_space(r))
            return fail(r, start, E_CLASS_UNCLOSED);
    }
    if (!any && ch(r) == ']' && !bump_and_bump_space(r))
        return fail(r, start, E_CLASS_UNCLOSED);
    return true;
}

static bool parse_class_item(struct rx *r, struct prim *p)
{
    if (ch(r) == '\\')
        return parse_escape(r, p);
    p->kind = PRIM_LITERAL;
    p->start = r->pos;
    p->cp = ch(r);
    bump(r);
    return true;
}

/* One item of a class, or a range of two literals; unclosed_at is the innermost '['. */
static bool parse_class_range(struct rx *r, size_t unclosed_at)
{
    struct prim a, b;
    if (!parse_class_item(r, &a))
        return false;
    bump_space(r);
    if (eof(r))
        return fail(r, unclosed_at, E_CLASS_UNCLOSED);
    if (ch(r) != '-' || peek(r, true) == ']' || peek(r, true) == '-') {
        if (a.kind == PRIM_ASSERTION)
            return fail(r, a.start, E_CLASS_ESCAPE);
        return true;
    }
    if (!bump_and_bump_space(r))
        return fail(r, unclosed_at, E_CLASS_UNCLOSED);
    if (!parse_class_item(r, &b))
        return false;
    if (a.kind != PRIM_LITERAL)
        return fail(r, a.start, E_CLASS_RANGE_LITERAL);
    if (b.kind != PRIM_LITERAL)
        return fail(r, b.start, E_CLASS_RANGE_LITERAL);
    if (a.cp > b.cp)
        return fail(r, a.start, E_CLASS_RANGE);
    return true;
}

/* A bracketed class, nested classes and set operations included; at the first '['. */
static bool parse_class(struct rx *r)
{
    size_t opens[NEST_LIMIT];
    size_t depth = 0;
    for (;;) {
        bump_space(r);
        if (eof(r))
            return fail(r, depth ? opens[depth - 1] : r->pos, E_CLASS_UNCLOSED);
        uint32_t c = ch(r);
        long next = peek(r, false);
        if (c == '[') {
            if (depth > 0 && parse_ascii_class(r))
                continue;
            if (depth == NEST_LIMIT)
                return fail(r, r->pos, E_NEST);
            opens[depth++] = r->pos;
            if (!parse_class_open(r))
                return false;
        } else if (c == ']') {
            bump(r);
            if (--depth == 0)
                return true;
        } else if ((c == '&' || c == '-' || c == '~') && next == (long)c) {
            r->pos += 2;
        } else if (!parse_class_range(r, opens[depth - 1])) {
            return false;
        }
    }
}

/* ---- repetitions ------------------------------------------------------------------------- */

/* Digits, with blanks around them; *empty when there were none. */
static bool parse_decimal(struct rx *r, uint32_t *value, bool *empty, size_t *at)
{
    while (!eof(r) && is_space(ch(r)))
        bump(r);
    *at = r->pos;
    uint64_t v = 0;
    size_t digits = 0;
    while (!eof(r) && ch(r) >= '0' && ch(r) <= '9') {
        if (v <= UINT32_MAX)
            v = v * 10 + (ch(r) - '0');
        digits++;
        bump_and_bump_space(r);
    }
    while (!eof(r) && is_space(ch(r)))
        bump_and_bump_space(r);
    *empty = digits == 0;
    *value = (uint32_t)v;
    return digits == 0 || v <= UINT32_MAX;
}

/* {n}, {n,} or {n,m}, and a lazy '?'; at the '{'. From 0.8.3 regex-syntax raises a bad
 * minimum only where it uses it, so an unclosed repetition is reported first. */
static bool parse_counted(struct rx *r)
{
    size_t start = r->pos;
    if (!bump_and_bump_space(r))
        return fail(r, start, E_COUNT_UNCLOSED);
    uint32_t min, max;
    bool empty;
    size_t at;
    bool valid = parse_decimal(r, &min, &empty, &at);
    const char *min_err = !valid ? E_DECIMAL_INVALID : empty ? E_COUNT_DECIMAL : NULL;
    if (min_err && r->d < RUST_REGEX_0_8)
        return fail(r, at, min_err);
    if (eof(r))
        return fail(r, start, E_COUNT_UNCLOSED);
    bool bounded = false;
    if (ch(r) == ',') {
        if (!bump_and_bump_space(r))
            return fail(r, start, E_COUNT_UNCLOSED);
        if (min_err)
            return fail(r, at, min_err);
        if (ch(r) != '}') {
            bool empty_max;
            size_t max_at;
            if (!parse_decimal(r, &max, &empty_max, &max_at))
                return fail(r, max_at, E_DECIMAL_INVALID);
            if (empty_max)
                return fail(r, max_at, E_COUNT_DECIMAL);
            bounded = true;
        }
    } else if (min_err) {
        return fail(r, at, min_err);
    }
    if (eof(r) || ch(r) != '}')
        return fail(r, start, E_COUNT_UNCLOSED);
    if (bump_and_bump_space(r) && ch(r) == '?')
        bump(r);
    if (bounded && min > max)
        return fail(r, start, E_COUNT_RANGE);
    return true;
}

/* ---- the pattern ------------------------------------------------------------------------- */

bool rust_regex_dialect_from_name(const char *name, enum rust_regex_dialect *out)
{
    static const char *const names[] = {"0.6", "0.7", "0.8"};
    for (int i = 0; i < 3; i++)
        if (strcmp(names[i], name) == 0) {
            *out = (enum rust_regex_dialect)i;
            return true;
        }
    return false;
}

/* A repetition operator needs something before it in its concatenation. */
static bool repeatable(struct rx *r, enum last_item last)
{
    if (last != LAST_ITEM) {
        /* PCRE's backtracking control verbs, (*SKIP) and the like, start this way. */
        if (r->pos > 0 && r->s[r->pos - 1] == '(' && ch(r) == '*')
            return fail_construct(r, r->pos, E_REPETITION, "a backtracking control verb", NULL);
        return fail(r, r->pos, E_REPETITION);
    }
    return true;
}

bool rust_regex_check(const char *re, size_t n, enum rust_regex_dialect d,
                      struct rust_regex_error *e)
{
    struct rx r;
    memset(&r, 0, sizeof(r));
    r.s = (const unsigned char *)re;
    r.n = n;
    r.d = d;
    r.e = e;
    struct group stack[NEST_LIMIT];
    size_t depth = 0;
    enum last_item last = LAST_NONE;
    for (;;) {
        bump_space(&r);
        if (eof(&r))
            break;
        uint32_t c = ch(&r);
        if (c == '(') {
            size_t open = r.pos;
            bool is_group, group_x;
            if (!parse_group(&r, &is_group, &group_x))
                return false;
            if (!is_group) {
                r.x = group_x;
                last = LAST_FLAGS;
                continue;
            }
            if (depth == NEST_LIMIT)
                return fail(&r, open, E_NEST);
            stack[depth].open = open;
            stack[depth].x = r.x;
            depth++;
            r.x = group_x;
            last = LAST_NONE;
        } else if (c == ')') {
            if (depth == 0)
                return fail(&r, r.pos, E_GROUP_UNOPENED);
            r.x = stack[--depth].x;
            bump(&r);
            last = LAST_ITEM;
        } else if (c == '|') {
            bump(&r);
            last = LAST_NONE;
        } else if (c == '[') {
            if (!parse_class(&r))
                return false;
            last = LAST_ITEM;
        } else if (c == '?' || c == '*' || c == '+') {
            if (!repeatable(&r, last))
                return false;
            if (bump(&r) && ch(&r) == '?')
                bump(&r);
        } else if (c == '{') {
            if (!repeatable(&r, last) || !parse_counted(&r)) {
                /* PCRE reads a '{' that starts no repetition as itself; Rust refuses it. */
                if (strcmp(e->message, E_COUNT_RANGE) != 0)
                    e->hint = "a literal '{' must be written '\\{'";
                return false;
            }
        } else if (c == '\\') {
            struct prim p;
            if (!parse_escape(&r, &p))
                return false;
            last = LAST_ITEM;
        } else {
            bump(&r);
            last = LAST_ITEM;
        }
    }
    if (depth > 0)
        return fail(&r, stack[depth - 1].open, E_GROUP_UNCLOSED);
    return true;
}
