/*
 * A syntax checker for LuaJIT 2.1 chunks (schema_lua.h): a lexer and a recursive-descent
 * parser that keep only what decides whether the text loads (no values, no code), with the
 * parse-time checks LuaJIT makes (varargs, breaks, goto labels, local and nesting limits).
 * Errors unwind with longjmp from wherever they are found, as LuaJIT's own do.
 */
#include "schema_lua.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_arena.h"
#include "util/util_buf.h"
#include "util/util_str.h"

enum {
    LUA_MAX_LEVEL = 200,  /* LuaJIT's LJ_MAX_XLEVEL: "chunk has too many syntax levels" */
    LUA_MAX_LOCALS = 200, /* LJ_MAX_LOCVAR: "too many local variables" */
    LEX_EOF = -1
};

/* Tokens: single characters are their byte value; the rest follow. */
enum token {
    TK_AND = 257,
    TK_BREAK,
    TK_DO,
    TK_ELSE,
    TK_ELSEIF,
    TK_END,
    TK_FALSE,
    TK_FOR,
    TK_FUNCTION,
    TK_GOTO,
    TK_IF,
    TK_IN,
    TK_LOCAL,
    TK_NIL,
    TK_NOT,
    TK_OR,
    TK_REPEAT,
    TK_RETURN,
    TK_THEN,
    TK_TRUE,
    TK_UNTIL,
    TK_WHILE,
    TK_CONCAT,
    TK_DOTS,
    TK_EQ,
    TK_GE,
    TK_LE,
    TK_NE,
    TK_LABEL,
    TK_NUMBER,
    TK_NAME,
    TK_STRING,
    TK_EOF
};

static const char *const reserved[] = {"and",   "break", "do",       "else", "elseif", "end",
                                       "false", "for",   "function", "goto", "if",     "in",
                                       "local", "nil",   "not",      "or",   "repeat", "return",
                                       "then",  "true",  "until",    "while"};

static const char *const token_names[] = {
    "..", "...", "==", ">=", "<=", "~=", "::", "<number>", "<name>", "<string>", "<eof>"};

struct token_at {
    int tok;
    const char *text; /* names: their bytes */
    size_t len;
    size_t start; /* byte offset */
    unsigned line;
};

/* An entry of a function's variable stack: a local, a goto or a label (LuaJIT keeps them in
 * one stack too, which is what makes its scope rules for gotos work). */
enum gola { GOLA_VAR, GOLA_GOTO, GOLA_LABEL };

struct ventry {
    enum gola kind;
    bool live;     /* a pending goto or a visible label; locals are always live */
    bool is_break; /* a `break`: a goto to the end of the innermost loop */
    const char *name;
    size_t len;
    unsigned slot; /* active locals when it was made */
    unsigned line;
};

struct scope {
    size_t vstart;
    unsigned nactvar;
    bool loop, has_break, has_gola;
    struct scope *prev;
};

struct func {
    bool vararg;
    unsigned nactvar;
    size_t varbase; /* where its locals' vstack indexes start in the slot stack */
    struct scope *bl;
};

struct lua_state {
    const char *text;
    size_t len, pos;
    int c;         /* current character, LEX_EOF at the end */
    unsigned line; /* of the current character */
    struct token_at tok, ahead;
    bool has_ahead;
    unsigned lastline; /* line of the previous token (ambiguous calls, Lua 5.1 mode) */
    unsigned level;
    struct func *fs;
    struct ventry *vstack;
    size_t vtop, vcap;
    size_t *slots; /* per active local of each function: its vstack index */
    size_t slot_cap;
    const struct lua_options *opt;
    struct lua_error *err;
    jmp_buf fail;
};

/* ---- errors --------------------------------------------------------------------------- */

static void describe(const struct lua_state *ls, const struct token_at *t, char *out, size_t size)
{
    if (t->tok == TK_EOF)
        snprintf(out, size, "<eof>");
    else if (t->tok < 256)
        snprintf(out, size, "%c", t->tok);
    else
        snprintf(out, size, "%.*s", (int)(t->len > 40 ? 40 : t->len), ls->text + t->start);
}

static _Noreturn void fail_at(struct lua_state *ls, const struct token_at *t, const char *fmt, ...)
    GH_PRINTF(3, 4);

static _Noreturn void fail_at(struct lua_state *ls, const struct token_at *t, const char *fmt, ...)
{
    char what[140], near[48];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (t) {
        describe(ls, t, near, sizeof(near));
        snprintf(ls->err->message, sizeof(ls->err->message), "%s near '%s'", what, near);
        ls->err->line = t->line;
        ls->err->offset = (long)t->start;
    } else {
        snprintf(ls->err->message, sizeof(ls->err->message), "%s", what);
        ls->err->line = ls->line;
        ls->err->offset = -1;
    }
    longjmp(ls->fail, 1);
}

/* A lexical error: about the text from `start` to the current position. */
static _Noreturn void fail_lex(struct lua_state *ls, size_t start, unsigned line, const char *what)
{
    struct token_at t = {TK_STRING, NULL, 0, start, line};
    t.len = ls->pos > start ? ls->pos - start : 0;
    if (ls->c == LEX_EOF && t.len == 0)
        t.tok = TK_EOF;
    fail_at(ls, &t, "%s", what);
}

/* ---- characters, as LuaJIT's lj_char classes them ------------------------------------ */

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_xdigit(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Letters, digits, '_' and every byte above 0x7f (LuaJIT takes UTF-8 in names). */
static bool is_ident(int c)
{
    return c >= 0x80 || is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_eol(int c)
{
    return c == '\n' || c == '\r';
}

static int next_char(struct lua_state *ls)
{
    ls->pos++;
    ls->c = ls->pos < ls->len ? (unsigned char)ls->text[ls->pos] : LEX_EOF;
    return ls->c;
}

/* "\n", "\r", "\r\n" and "\n\r" each end one line. */
static void newline(struct lua_state *ls)
{
    int old = ls->c;
    next_char(ls);
    if (is_eol(ls->c) && ls->c != old)
        next_char(ls);
    ls->line++;
}

/* ---- the lexer -------------------------------------------------------------------------- */

/* At '[' or ']': the count of '=' before the same bracket again, or -count-1 when another
 * character comes; the position is left after the '='s. */
static long skip_eq(struct lua_state *ls)
{
    int bracket = ls->c;
    long count = 0;
    while (next_char(ls) == '=')
        count++;
    return ls->c == bracket ? count : -count - 1;
}

static void long_string(struct lua_state *ls, long sep, bool comment, size_t start, unsigned line)
{
    next_char(ls); /* the second '[' */
    if (is_eol(ls->c))
        newline(ls);
    for (;;) {
        if (ls->c == LEX_EOF)
            fail_lex(ls, start, line,
                     comment ? "unfinished long comment" : "unfinished long string");
        if (ls->c == ']') {
            if (skip_eq(ls) == sep) {
                next_char(ls);
                return;
            }
        } else if (is_eol(ls->c)) {
            newline(ls);
        } else {
            next_char(ls);
        }
    }
}

static void escape_x(struct lua_state *ls, size_t start, unsigned line)
{
    for (int i = 0; i < 2; i++)
        if (!is_xdigit(next_char(ls)))
            fail_lex(ls, start, line, "invalid escape sequence");
    next_char(ls);
}

static void escape_u(struct lua_state *ls, size_t start, unsigned line)
{
    if (next_char(ls) != '{')
        fail_lex(ls, start, line, "invalid escape sequence");
    next_char(ls);
    unsigned long cp = 0;
    do {
        if (!is_xdigit(ls->c))
            fail_lex(ls, start, line, "invalid escape sequence");
        cp = cp * 16 + (unsigned long)str_hex_value(ls->c);
        if (cp >= 0x110000)
            fail_lex(ls, start, line, "invalid escape sequence");
    } while (next_char(ls) != '}');
    if (cp >= 0xd800 && cp < 0xe000) /* no surrogates */
        fail_lex(ls, start, line, "invalid escape sequence");
    next_char(ls);
}

/* \d, \dd or \ddd, at most 255. */
static void escape_decimal(struct lua_state *ls, size_t start, unsigned line)
{
    int value = ls->c - '0';
    if (!is_digit(next_char(ls)))
        return;
    value = value * 10 + (ls->c - '0');
    if (!is_digit(next_char(ls)))
        return;
    value = value * 10 + (ls->c - '0');
    if (value > 255)
        fail_lex(ls, start, line, "invalid escape sequence");
    next_char(ls);
}

static void escape(struct lua_state *ls, size_t start, unsigned line)
{
    int c = next_char(ls); /* past the backslash */
    switch (c) {
    case 'a':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\\':
    case '"':
    case '\'':
        next_char(ls);
        return;
    case 'x':
        escape_x(ls, start, line);
        return;
    case 'u':
        escape_u(ls, start, line);
        return;
    case 'z':
        next_char(ls);
        while (is_space(ls->c))
            if (is_eol(ls->c))
                newline(ls);
            else
                next_char(ls);
        return;
    case '\n':
    case '\r':
        newline(ls);
        return;
    case LEX_EOF:
        return; /* "unfinished string" follows */
    default:
        if (!is_digit(c))
            fail_lex(ls, start, line, "invalid escape sequence");
        escape_decimal(ls, start, line);
        return;
    }
}

static void short_string(struct lua_state *ls, size_t start, unsigned line)
{
    int delim = ls->c;
    next_char(ls);
    while (ls->c != delim) {
        if (ls->c == LEX_EOF || is_eol(ls->c))
            fail_lex(ls, start, line, "unfinished string");
        if (ls->c == '\\')
            escape(ls, start, line);
        else
            next_char(ls);
    }
    next_char(ls);
}

/* Digits in a base, at least one; returns the position after them. */
static size_t digits(const char *s, size_t i, size_t n, int base, size_t *count)
{
    *count = 0;
    for (; i < n; i++) {
        char c = s[i];
        bool ok = base == 16 ? is_xdigit((unsigned char)c) : is_digit((unsigned char)c);
        if (!ok)
            break;
        (*count)++;
    }
    return i;
}

static bool suffix_is(const char *s, size_t n, const char *want)
{
    if (n != strlen(want))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != want[i])
            return false;
    return true;
}

/*
 * Whether a number's text is one LuaJIT's lj_strscan takes (with the FFI's suffixes): decimal,
 * 0x hexadecimal with an optional 'p' exponent, 0b binary, a fraction, an exponent, and for
 * integers LL, ULL or LLU; i (imaginary) for any. Values too large for their suffix are not
 * judged (LuaJIT may refuse them): only the form is.
 */
static bool number_ok(const char *s, size_t n)
{
    size_t i = 0, count, frac = 0;
    int base = 10;
    if (n >= 2 && s[0] == '0' && (s[1] | 0x20) == 'x')
        base = 16, i = 2;
    else if (n >= 2 && s[0] == '0' && (s[1] | 0x20) == 'b')
        base = 2, i = 2;
    i = digits(s, i, n, base == 16 ? 16 : 10, &count);
    bool is_int = true;
    if (i < n && s[i] == '.') {
        if (base == 2)
            return false;
        is_int = false;
        i = digits(s, i + 1, n, base == 16 ? 16 : 10, &frac);
    }
    if (count + frac == 0)
        return false;
    if (base != 2 && i < n && (s[i] | 0x20) == (base == 16 ? 'p' : 'e')) {
        is_int = false;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        i = digits(s, i, n, 10, &count);
        if (count == 0)
            return false;
    }
    const char *rest = s + i;
    size_t left = n - i;
    if (left == 0)
        return true;
    if (suffix_is(rest, left, "i"))
        return true;
    return is_int && (suffix_is(rest, left, "ll") || suffix_is(rest, left, "ull") ||
                      suffix_is(rest, left, "llu"));
}

static void number(struct lua_state *ls, size_t start, unsigned line)
{
    int xp = 'e';
    int c = ls->c;
    if (c == '0' && ls->pos + 1 < ls->len && (ls->text[ls->pos + 1] | 0x20) == 'x')
        xp = 'p';
    for (;;) {
        int prev = c;
        c = ls->c;
        bool sign = (c == '-' || c == '+') && (prev | 0x20) == xp;
        if (!(is_ident(c) || c == '.' || sign))
            break;
        next_char(ls);
    }
    if (!number_ok(ls->text + start, ls->pos - start))
        fail_lex(ls, start, line, "malformed number");
}

static int reserved_word(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (strlen(reserved[i]) == n && !memcmp(reserved[i], s, n))
            return TK_AND + (int)i;
    return TK_NAME;
}

/* Two-character operators: the first character, what follows it, and the token. */
static int operator(struct lua_state *ls)
{
    static const struct {
        char first, second;
        int tok;
    } pairs[] = {{'=', '=', TK_EQ},
                 {'<', '=', TK_LE},
                 {'>', '=', TK_GE},
                 {'~', '=', TK_NE},
                 {':', ':', TK_LABEL}};
    int c = ls->c;
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        if (c != pairs[i].first)
            continue;
        if (next_char(ls) != pairs[i].second)
            return c;
        next_char(ls);
        return pairs[i].tok;
    }
    next_char(ls);
    return c;
}

static int scan(struct lua_state *ls, struct token_at *t)
{
    for (;;) {
        t->start = ls->pos;
        t->line = ls->line;
        int c = ls->c;
        if (c == LEX_EOF)
            return TK_EOF;
        if (is_ident(c)) {
            if (is_digit(c)) {
                number(ls, t->start, t->line);
                return TK_NUMBER;
            }
            while (is_ident(ls->c))
                next_char(ls);
            t->text = ls->text + t->start;
            t->len = ls->pos - t->start;
            return reserved_word(t->text, t->len);
        }
        if (is_eol(c)) {
            newline(ls);
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\v' || c == '\f') {
            next_char(ls);
            continue;
        }
        if (c == '-') {
            if (next_char(ls) != '-')
                return '-';
            if (next_char(ls) == '[') {
                long sep = skip_eq(ls);
                if (sep >= 0) {
                    long_string(ls, sep, true, t->start, t->line);
                    continue;
                }
            }
            while (!is_eol(ls->c) && ls->c != LEX_EOF)
                next_char(ls);
            continue;
        }
        if (c == '[') {
            long sep = skip_eq(ls);
            if (sep >= 0) {
                long_string(ls, sep, false, t->start, t->line);
                return TK_STRING;
            }
            if (sep != -1)
                fail_lex(ls, t->start, t->line, "invalid long string delimiter");
            return '[';
        }
        if (c == '"' || c == '\'') {
            short_string(ls, t->start, t->line);
            return TK_STRING;
        }
        if (c == '.') {
            if (next_char(ls) == '.') {
                if (next_char(ls) == '.') {
                    next_char(ls);
                    return TK_DOTS;
                }
                return TK_CONCAT;
            }
            if (!is_digit(ls->c))
                return '.';
            number(ls, t->start, t->line);
            return TK_NUMBER;
        }
        return operator(ls);
    }
}

static void lex_token(struct lua_state *ls, struct token_at *t)
{
    t->text = NULL;
    t->len = 0;
    t->tok = scan(ls, t);
    if (t->tok != TK_NAME)
        t->len = ls->pos - t->start;
}

static void next(struct lua_state *ls)
{
    ls->lastline = ls->line;
    if (ls->has_ahead) {
        ls->tok = ls->ahead;
        ls->has_ahead = false;
    } else {
        lex_token(ls, &ls->tok);
    }
}

static int lookahead(struct lua_state *ls)
{
    if (!ls->has_ahead) {
        lex_token(ls, &ls->ahead);
        ls->has_ahead = true;
    }
    return ls->ahead.tok;
}

/* ---- parser helpers --------------------------------------------------------------------- */

static const char *token_text(int tok, char *buf, size_t size)
{
    if (tok < 256) {
        snprintf(buf, size, "%c", tok);
        return buf;
    }
    if (tok < TK_CONCAT)
        return reserved[tok - TK_AND];
    return token_names[tok - TK_CONCAT];
}

static _Noreturn void expected(struct lua_state *ls, int tok)
{
    char buf[4];
    fail_at(ls, &ls->tok, "'%s' expected", token_text(tok, buf, sizeof(buf)));
}

static bool test_next(struct lua_state *ls, int tok)
{
    if (ls->tok.tok != tok)
        return false;
    next(ls);
    return true;
}

static void check_next(struct lua_state *ls, int tok)
{
    if (ls->tok.tok != tok)
        expected(ls, tok);
    next(ls);
}

/* The token closing what `who` opened at `line`. */
static void check_match(struct lua_state *ls, int what, int who, unsigned line)
{
    if (test_next(ls, what))
        return;
    if (line == ls->tok.line)
        expected(ls, what);
    char a[4], b[4];
    fail_at(ls, &ls->tok, "'%s' expected (to close '%s' at line %u)",
            token_text(what, a, sizeof(a)), token_text(who, b, sizeof(b)), line);
}

static bool is_name(const struct lua_state *ls)
{
    return ls->tok.tok == TK_NAME || (!ls->opt->lua52 && ls->tok.tok == TK_GOTO);
}

static struct token_at name(struct lua_state *ls)
{
    if (!is_name(ls))
        expected(ls, TK_NAME);
    struct token_at t = ls->tok;
    if (t.tok == TK_GOTO)
        t.text = ls->text + t.start, t.len = 4;
    next(ls);
    return t;
}

static void level_begin(struct lua_state *ls)
{
    if (++ls->level >= LUA_MAX_LEVEL)
        fail_at(ls, NULL, "chunk has too many syntax levels");
}

static void level_end(struct lua_state *ls)
{
    ls->level--;
}

static bool block_follow(int tok)
{
    return tok == TK_ELSE || tok == TK_ELSEIF || tok == TK_END || tok == TK_UNTIL || tok == TK_EOF;
}

/* ---- locals, gotos and labels (LuaJIT's variable stack) --------------------------------- */

static size_t vpush(struct lua_state *ls, enum gola kind, const char *nm, size_t len, bool is_break,
                    unsigned line)
{
    if (ls->vtop == ls->vcap) {
        size_t cap = ls->vcap ? ls->vcap * 2 : 64;
        struct ventry *grown = realloc(ls->vstack, cap * sizeof(*grown));
        if (!grown)
            fail_at(ls, NULL, "out of memory");
        ls->vstack = grown;
        ls->vcap = cap;
    }
    ls->vstack[ls->vtop] = (struct ventry){kind, true, is_break, nm, len, ls->fs->nactvar, line};
    return ls->vtop++;
}

/* A new local, the n-th of those a statement declares (LuaJIT counts them before they are
 * active, so the limit includes them). */
static void var_new(struct lua_state *ls, unsigned n, const char *nm, size_t len)
{
    struct func *fs = ls->fs;
    if (fs->nactvar + n >= LUA_MAX_LOCALS)
        fail_at(ls, NULL, "too many local variables (limit is %d)", LUA_MAX_LOCALS);
    size_t at = fs->varbase + fs->nactvar + n;
    if (at >= ls->slot_cap) {
        size_t cap = ls->slot_cap ? ls->slot_cap * 2 : 256;
        while (cap <= at)
            cap *= 2;
        size_t *grown = realloc(ls->slots, cap * sizeof(*grown));
        if (!grown)
            fail_at(ls, NULL, "out of memory");
        ls->slots = grown;
        ls->slot_cap = cap;
    }
    ls->slots[at] = vpush(ls, GOLA_VAR, nm, len, false, ls->line);
}

static void var_add(struct lua_state *ls, unsigned n)
{
    ls->fs->nactvar += n;
}

static bool same_name(const struct ventry *a, const struct ventry *b)
{
    return a->is_break == b->is_break &&
           (a->is_break || (a->len == b->len && !memcmp(a->name, b->name, a->len)));
}

static const struct ventry *find_label(const struct lua_state *ls, const struct ventry *want)
{
    for (size_t i = ls->fs->bl->vstart; i < ls->vtop; i++) {
        const struct ventry *v = &ls->vstack[i];
        if (v->kind == GOLA_LABEL && v->live && same_name(v, want))
            return v;
    }
    return NULL;
}

/* Pending gotos of the scope before the label at idx jump to it; one that skips the
 * declaration of a local jumps into its scope. */
static void resolve(struct lua_state *ls, const struct scope *bl, size_t idx)
{
    const struct ventry *label = &ls->vstack[idx];
    for (size_t i = bl->vstart; i < idx; i++) {
        struct ventry *g = &ls->vstack[i];
        if (g->kind != GOLA_GOTO || !g->live || !same_name(g, label))
            continue;
        if (g->slot < label->slot) {
            const struct ventry *local = &ls->vstack[ls->slots[ls->fs->varbase + g->slot]];
            ls->line = g->line;
            fail_at(ls, NULL, "<goto %.*s> jumps into the scope of local '%.*s'", (int)g->len,
                    g->name, (int)local->len, local->name);
        }
        g->live = false;
    }
}

/* At the end of a scope: its labels go out of sight (after taking the gotos that jump back to
 * them), its pending gotos move out to the enclosing scope or, at a function's outermost
 * scope, are errors. */
static void fixup(struct lua_state *ls, struct scope *bl)
{
    for (size_t i = bl->vstart; i < ls->vtop; i++) {
        struct ventry *v = &ls->vstack[i];
        if (!v->live || v->kind == GOLA_VAR)
            continue;
        if (v->kind == GOLA_LABEL) {
            v->live = false;
            for (size_t j = i + 1; j < ls->vtop; j++) {
                struct ventry *g = &ls->vstack[j];
                if (g->kind == GOLA_GOTO && g->live && same_name(g, v))
                    g->live = false;
            }
        } else if (bl->prev) {
            if (v->is_break)
                bl->prev->has_break = true;
            else
                bl->prev->has_gola = true;
            v->slot = bl->nactvar;
        } else {
            ls->line = v->line;
            if (v->is_break)
                fail_at(ls, NULL, "no loop to break");
            fail_at(ls, NULL, "undefined label '%.*s'", (int)v->len, v->name);
        }
    }
}

static void scope_begin(struct lua_state *ls, struct scope *bl, bool loop)
{
    *bl = (struct scope){ls->vtop, ls->fs->nactvar, loop, false, false, ls->fs->bl};
    ls->fs->bl = bl;
}

static void scope_end(struct lua_state *ls)
{
    struct scope *bl = ls->fs->bl;
    ls->fs->bl = bl->prev;
    ls->fs->nactvar = bl->nactvar;
    if (bl->has_break) {
        if (bl->loop) {
            size_t idx = vpush(ls, GOLA_LABEL, NULL, 0, true, ls->line);
            ls->vtop = idx; /* the loop's end takes its breaks, then is gone */
            ls->vstack[idx].slot = ls->fs->nactvar;
            resolve(ls, bl, idx);
        } else {
            fixup(ls, bl);
            return;
        }
    }
    if (bl->has_gola)
        fixup(ls, bl);
}

/* ---- expressions ------------------------------------------------------------------------ */

/* What an expression is, as far as the statements care. */
enum exp_kind { EXP_VALUE, EXP_VAR, EXP_CALL };

static enum exp_kind expr(struct lua_state *ls);
static void chunk(struct lua_state *ls);
static void body(struct lua_state *ls, bool needself, unsigned line);

static unsigned expr_list(struct lua_state *ls, enum exp_kind *last)
{
    unsigned n = 1;
    *last = expr(ls);
    while (test_next(ls, ',')) {
        *last = expr(ls);
        n++;
    }
    return n;
}

static void table(struct lua_state *ls)
{
    unsigned line = ls->tok.line;
    check_next(ls, '{');
    while (ls->tok.tok != '}') {
        if (ls->tok.tok == '[') {
            next(ls);
            expr(ls);
            check_next(ls, ']');
            check_next(ls, '=');
        } else if (is_name(ls) && lookahead(ls) == '=') {
            next(ls);
            check_next(ls, '=');
        }
        expr(ls);
        if (!test_next(ls, ',') && !test_next(ls, ';'))
            break;
    }
    check_match(ls, '}', '{', line);
}

static void call_args(struct lua_state *ls)
{
    unsigned line = ls->tok.line;
    if (ls->tok.tok == '(') {
        if (!ls->opt->lua52 && line != ls->lastline)
            fail_at(ls, &ls->tok, "ambiguous syntax (function call x new statement)");
        next(ls);
        enum exp_kind last;
        if (ls->tok.tok != ')')
            expr_list(ls, &last);
        check_match(ls, ')', '(', line);
    } else if (ls->tok.tok == '{') {
        table(ls);
    } else if (ls->tok.tok == TK_STRING) {
        next(ls);
    } else {
        fail_at(ls, &ls->tok, "function arguments expected");
    }
}

static enum exp_kind primary(struct lua_state *ls)
{
    enum exp_kind kind;
    if (ls->tok.tok == '(') {
        unsigned line = ls->tok.line;
        next(ls);
        expr(ls);
        check_match(ls, ')', '(', line);
        kind = EXP_VALUE;
    } else if (is_name(ls)) {
        next(ls);
        kind = EXP_VAR;
    } else {
        fail_at(ls, &ls->tok, "unexpected symbol");
    }
    for (;;) {
        switch (ls->tok.tok) {
        case '.':
            next(ls);
            name(ls);
            kind = EXP_VAR;
            break;
        case '[':
            next(ls);
            expr(ls);
            check_next(ls, ']');
            kind = EXP_VAR;
            break;
        case ':':
            next(ls);
            name(ls);
            call_args(ls);
            kind = EXP_CALL;
            break;
        case '(':
        case TK_STRING:
        case '{':
            call_args(ls);
            kind = EXP_CALL;
            break;
        default:
            return kind;
        }
    }
}

static enum exp_kind simple(struct lua_state *ls)
{
    switch (ls->tok.tok) {
    case TK_NUMBER:
    case TK_STRING:
    case TK_NIL:
    case TK_TRUE:
    case TK_FALSE:
        next(ls);
        return EXP_VALUE;
    case TK_DOTS:
        if (!ls->fs->vararg)
            fail_at(ls, &ls->tok, "cannot use '...' outside a vararg function");
        next(ls);
        return EXP_CALL; /* several values, like a call */
    case '{':
        table(ls);
        return EXP_VALUE;
    case TK_FUNCTION: {
        next(ls);
        body(ls, false, ls->tok.line);
        return EXP_VALUE;
    }
    default:
        return primary(ls);
    }
}

/* Binary operators: their left and right priorities (Lua's, as LuaJIT keeps them). */
static bool binary_priority(int tok, int *left, int *right)
{
    static const struct {
        int tok, left, right;
    } ops[] = {{'+', 6, 6},   {'-', 6, 6},       {'*', 7, 7},   {'/', 7, 7},    {'%', 7, 7},
               {'^', 10, 9},  {TK_CONCAT, 5, 4}, {TK_NE, 3, 3}, {TK_EQ, 3, 3},  {'<', 3, 3},
               {TK_LE, 3, 3}, {'>', 3, 3},       {TK_GE, 3, 3}, {TK_AND, 2, 2}, {TK_OR, 1, 1}};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (ops[i].tok == tok) {
            *left = ops[i].left;
            *right = ops[i].right;
            return true;
        }
    return false;
}

enum { UNARY_PRIORITY = 8 };

/* An expression whose binary operators bind tighter than `limit`. */
static enum exp_kind subexpr(struct lua_state *ls, int limit)
{
    enum exp_kind kind;
    level_begin(ls);
    int tok = ls->tok.tok;
    if (tok == TK_NOT || tok == '-' || tok == '#') {
        next(ls);
        subexpr(ls, UNARY_PRIORITY);
        kind = EXP_VALUE;
    } else {
        kind = simple(ls);
    }
    int left, right;
    while (binary_priority(ls->tok.tok, &left, &right) && left > limit) {
        next(ls);
        subexpr(ls, right);
        kind = EXP_VALUE;
    }
    level_end(ls);
    return kind;
}

static enum exp_kind expr(struct lua_state *ls)
{
    return subexpr(ls, 0);
}

/* ---- statements ------------------------------------------------------------------------- */

static void block(struct lua_state *ls, bool loop)
{
    struct scope bl;
    scope_begin(ls, &bl, loop);
    chunk(ls);
    scope_end(ls);
}

static void params(struct lua_state *ls, bool needself)
{
    unsigned n = 0;
    check_next(ls, '(');
    if (needself)
        var_new(ls, n++, "self", 4);
    if (ls->tok.tok != ')') {
        do {
            if (is_name(ls)) {
                struct token_at t = name(ls);
                var_new(ls, n++, t.text, t.len);
            } else if (ls->tok.tok == TK_DOTS) {
                next(ls);
                ls->fs->vararg = true;
                break;
            } else {
                fail_at(ls, &ls->tok, "<name> or '...' expected");
            }
        } while (test_next(ls, ','));
    }
    var_add(ls, n);
    check_next(ls, ')');
}

/* A function's parameters and body, up to its `end`, as a function of its own. */
static void body(struct lua_state *ls, bool needself, unsigned line)
{
    struct func *outer = ls->fs;
    struct func fs = {false, 0, outer->varbase + outer->nactvar, NULL};
    size_t vbase = ls->vtop;
    struct scope bl;
    ls->fs = &fs;
    scope_begin(ls, &bl, false);
    params(ls, needself);
    chunk(ls);
    if (ls->tok.tok != TK_END)
        check_match(ls, TK_END, TK_FUNCTION, line);
    scope_end(ls);
    ls->vtop = vbase;
    ls->fs = outer;
    next(ls);
}

static void if_statement(struct lua_state *ls, unsigned line)
{
    do { /* 'if' or 'elseif' */
        next(ls);
        expr(ls);
        check_next(ls, TK_THEN);
        block(ls, false);
    } while (ls->tok.tok == TK_ELSEIF);
    if (test_next(ls, TK_ELSE))
        block(ls, false);
    check_match(ls, TK_END, TK_IF, line);
}

static void for_statement(struct lua_state *ls, unsigned line)
{
    struct scope loop;
    scope_begin(ls, &loop, true);
    next(ls);
    struct token_at first = name(ls);
    unsigned nvars = 3; /* the hidden control variables */
    for (unsigned i = 0; i < 3; i++)
        var_new(ls, i, "(for state)", 11);
    if (ls->tok.tok == '=') {
        var_new(ls, nvars++, first.text, first.len);
        next(ls);
        expr(ls);
        check_next(ls, ',');
        expr(ls);
        if (test_next(ls, ','))
            expr(ls);
    } else if (ls->tok.tok == ',' || ls->tok.tok == TK_IN) {
        var_new(ls, nvars++, first.text, first.len);
        while (test_next(ls, ',')) {
            struct token_at t = name(ls);
            var_new(ls, nvars++, t.text, t.len);
        }
        check_next(ls, TK_IN);
        enum exp_kind last;
        expr_list(ls, &last);
    } else {
        fail_at(ls, &ls->tok, "'=' or 'in' expected");
    }
    var_add(ls, 3);
    check_next(ls, TK_DO);
    struct scope visible;
    scope_begin(ls, &visible, false);
    var_add(ls, nvars - 3);
    block(ls, false);
    scope_end(ls);
    check_match(ls, TK_END, TK_FOR, line);
    scope_end(ls);
}

static void repeat_statement(struct lua_state *ls, unsigned line)
{
    struct scope loop, inner;
    scope_begin(ls, &loop, true);
    scope_begin(ls, &inner, false);
    next(ls);
    chunk(ls);
    check_match(ls, TK_UNTIL, TK_REPEAT, line);
    expr(ls); /* inside the inner scope: it sees the body's locals */
    scope_end(ls);
    scope_end(ls);
}

static void function_statement(struct lua_state *ls, unsigned line)
{
    next(ls);
    name(ls);
    while (ls->tok.tok == '.') {
        next(ls);
        name(ls);
    }
    bool method = ls->tok.tok == ':';
    if (method) {
        next(ls);
        name(ls);
    }
    body(ls, method, line);
}

static void local_statement(struct lua_state *ls)
{
    if (test_next(ls, TK_FUNCTION)) {
        struct token_at t = name(ls);
        var_new(ls, 0, t.text, t.len);
        var_add(ls, 1);
        body(ls, false, ls->tok.line);
        return;
    }
    unsigned n = 0;
    do {
        struct token_at t = name(ls);
        var_new(ls, n++, t.text, t.len);
    } while (test_next(ls, ','));
    if (test_next(ls, '=')) {
        enum exp_kind last;
        expr_list(ls, &last);
    }
    var_add(ls, n);
}

static void return_statement(struct lua_state *ls)
{
    next(ls);
    if (!block_follow(ls->tok.tok) && ls->tok.tok != ';') {
        enum exp_kind last;
        expr_list(ls, &last);
    }
}

static void goto_statement(struct lua_state *ls)
{
    unsigned line = ls->tok.line;
    struct token_at t = name(ls);
    ls->fs->bl->has_gola = true;
    vpush(ls, GOLA_GOTO, t.text, t.len, false, line);
}

static void break_statement(struct lua_state *ls)
{
    ls->fs->bl->has_break = true;
    vpush(ls, GOLA_GOTO, NULL, 0, true, ls->tok.line);
}

static void label_statement(struct lua_state *ls)
{
    struct func *fs = ls->fs;
    unsigned line = ls->tok.line;
    fs->bl->has_gola = true;
    next(ls); /* '::' */
    struct token_at t = name(ls);
    struct ventry want = {GOLA_LABEL, true, false, t.text, t.len, 0, line};
    if (find_label(ls, &want)) {
        ls->line = line;
        fail_at(ls, NULL, "duplicate label '%.*s'", (int)t.len, t.text);
    }
    size_t idx = vpush(ls, GOLA_LABEL, t.text, t.len, false, line);
    check_next(ls, TK_LABEL);
    for (;;) { /* labels and ';' that follow it */
        if (ls->tok.tok == TK_LABEL) {
            level_begin(ls);
            label_statement(ls);
            level_end(ls);
        } else if (ls->opt->lua52 && ls->tok.tok == ';') {
            next(ls);
        } else {
            break;
        }
    }
    /* A label at the end of its block is outside the scope of the block's locals. */
    if (block_follow(ls->tok.tok) && ls->tok.tok != TK_UNTIL)
        ls->vstack[idx].slot = fs->bl->nactvar;
    resolve(ls, fs->bl, idx);
}

static void assignment(struct lua_state *ls, enum exp_kind first)
{
    unsigned nvars = 1;
    enum exp_kind lhs = first;
    for (;;) {
        if (lhs != EXP_VAR)
            fail_at(ls, &ls->tok, "syntax error");
        if (!test_next(ls, ','))
            break;
        lhs = primary(ls);
        if (ls->level + nvars >= LUA_MAX_LEVEL)
            fail_at(ls, NULL, "too many variable names");
        nvars++;
    }
    check_next(ls, '=');
    enum exp_kind last;
    expr_list(ls, &last);
}

static void expr_statement(struct lua_state *ls)
{
    enum exp_kind kind = primary(ls);
    if (kind != EXP_CALL)
        assignment(ls, kind);
}

/* One statement; true when it must be the last of its block. */
static bool statement(struct lua_state *ls)
{
    unsigned line = ls->tok.line;
    switch (ls->tok.tok) {
    case TK_IF:
        if_statement(ls, line);
        return false;
    case TK_WHILE:
        next(ls);
        expr(ls);
        {
            struct scope loop;
            scope_begin(ls, &loop, true);
            check_next(ls, TK_DO);
            block(ls, false);
            check_match(ls, TK_END, TK_WHILE, line);
            scope_end(ls);
        }
        return false;
    case TK_DO:
        next(ls);
        block(ls, false);
        check_match(ls, TK_END, TK_DO, line);
        return false;
    case TK_FOR:
        for_statement(ls, line);
        return false;
    case TK_REPEAT:
        repeat_statement(ls, line);
        return false;
    case TK_FUNCTION:
        function_statement(ls, line);
        return false;
    case TK_LOCAL:
        next(ls);
        local_statement(ls);
        return false;
    case TK_RETURN:
        return_statement(ls);
        return true;
    case TK_BREAK:
        next(ls);
        break_statement(ls);
        return !ls->opt->lua52; /* Lua 5.1 wants it last */
    case ';':
        if (!ls->opt->lua52)
            break;
        next(ls);
        return false;
    case TK_LABEL:
        label_statement(ls);
        return false;
    case TK_GOTO:
        if (ls->opt->lua52 || lookahead(ls) == TK_NAME) {
            next(ls);
            goto_statement(ls);
            return false;
        }
        break;
    default:
        break;
    }
    expr_statement(ls);
    return false;
}

static void chunk(struct lua_state *ls)
{
    bool last = false;
    level_begin(ls);
    while (!last && !block_follow(ls->tok.tok)) {
        last = statement(ls);
        test_next(ls, ';');
    }
    level_end(ls);
}

/* ---- entry points ----------------------------------------------------------------------- */

/* A UTF-8 byte order mark, then a first line starting with '#', are skipped; a chunk starting
 * with ESC is bytecode. */
static bool header(struct lua_state *ls)
{
    bool skipped = false;
    if (ls->len >= 3 && !memcmp(ls->text, "\xef\xbb\xbf", 3)) {
        ls->pos = 2;
        next_char(ls);
        skipped = true;
    }
    if (ls->c == '#') {
        while (ls->c != LEX_EOF && !is_eol(ls->c))
            next_char(ls);
        if (ls->c != LEX_EOF)
            newline(ls);
        skipped = true;
    }
    /* Bytecode: refused in text mode or after a header; otherwise LuaJIT tries to load it, and
     * bytecode cannot pass through a YAML or JSON string intact. */
    if (ls->c == 0x1b)
        fail_at(ls, NULL, "%s",
                skipped || ls->opt->text_only ? "attempt to load a binary chunk"
                                              : "a binary chunk that is not valid LuaJIT bytecode");
    return true;
}

static bool protected_parse(struct lua_state *ls)
{
    if (setjmp(ls->fail))
        return false;
    struct func main = {true, 0, 0, NULL};
    struct scope bl;
    ls->fs = &main;
    ls->c = ls->len ? (unsigned char)ls->text[0] : LEX_EOF;
    header(ls);
    scope_begin(ls, &bl, false);
    next(ls);
    chunk(ls);
    if (ls->tok.tok != TK_EOF)
        expected(ls, TK_EOF);
    scope_end(ls);
    return true;
}

bool lua_chunk_ok(const char *text, size_t len, const struct lua_options *opt,
                  struct lua_error *err)
{
    struct lua_state *ls = calloc(1, sizeof(*ls));
    if (!ls)
        return true; /* out of memory: do not invent a finding */
    memset(err, 0, sizeof(*err));
    err->offset = -1;
    ls->text = text;
    ls->len = len;
    ls->line = 1;
    ls->lastline = 1;
    ls->opt = opt;
    ls->err = err;
    bool ok = protected_parse(ls);
    free(ls->vstack);
    free(ls->slots);
    free(ls);
    return ok;
}

/* ---- Penlight templates ----------------------------------------------------------------- */

/* Where a `$(` at i closes, as Lua's %b() balances parentheses (strings are not special),
 * or 0 when it does not. */
static size_t balanced_end(const char *s, size_t len, size_t open)
{
    long depth = 0;
    for (size_t i = open; i < len; i++) {
        if (s[i] == '(')
            depth++;
        else if (s[i] == ')' && --depth == 0)
            return i;
    }
    return 0;
}

/*
 * Penlight's template.compile turns the text into a Lua chunk: a function that appends each
 * piece of text (quoted, always valid) and `__tostring((EXPR) or '')` for each balanced
 * `$(EXPR)`. The chunk must load (mode "t"). Here the text pieces are written as "" since their
 * content cannot break the syntax, and each expression is written as it is.
 */
bool lua_template_ok(const char *text, size_t len, struct lua_error *err)
{
    static const char head[] = "return function()\nlocal __R_size, __R_table, __tostring = 0, "
                               "{}, __tostring";
    static const char append[] = "\n__R_size = __R_size + 1; __R_table[__R_size] = ";
    enum { MAX_PLACES = 64 };
    struct {
        unsigned line; /* where the expression starts in the generated code */
        size_t at;     /* where its `$(` is in the text */
    } places[MAX_PLACES];
    size_t nexpr = 0;
    unsigned line = 2; /* the head is two lines */
    struct buf code;
    buf_init(&code, 16 * 1024 * 1024);
    buf_puts(&code, head);
    for (size_t i = 0; i + 1 < len; i++) {
        size_t close = text[i] == '$' && text[i + 1] == '(' ? balanced_end(text, len, i + 1) : 0;
        if (!close)
            continue;
        buf_printf(&code, "%s\"\"%s__tostring((", append, append);
        line += 2;
        if (nexpr < MAX_PLACES)
            places[nexpr].line = line, places[nexpr].at = i;
        nexpr++;
        buf_append(&code, text + i + 2, close - i - 2);
        for (size_t k = i + 2; k < close; k++)
            line += text[k] == '\n';
        buf_puts(&code, ") or '')");
        i = close;
    }
    buf_puts(&code, "\nreturn __R_table\nend");
    struct lua_options opt = {true, true};
    bool ok = nexpr == 0 || !code.data || lua_chunk_ok(code.data, code.len, &opt, err);
    buf_release(&code);
    if (!ok) {
        /* The generated code's lines mean nothing to the user: point at the expression. */
        size_t k = 0;
        while (k + 1 < nexpr && k + 1 < MAX_PLACES && places[k + 1].line <= err->line)
            k++;
        err->offset = (long)places[k].at;
        err->line = 1;
        for (size_t j = 0; j < places[k].at; j++)
            err->line += text[j] == '\n';
    }
    return ok;
}
