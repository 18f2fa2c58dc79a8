/*
 * Whether Lua text would load: the lexer's and parser's rules of LuaJIT 2.1, as OpenResty
 * builds it (with Lua 5.2 compatibility), without running or compiling anything. Kong loads
 * user code with it in three places: pre-function/post-function phases (loadstring), the
 * loggers' custom_fields_by_lua (load, text only), and request-transformer's `$(...)` templates
 * (Penlight's template compiler, which wraps each expression in generated code).
 *
 * Besides syntax, the checks LuaJIT makes while it parses are made too: `...` outside a vararg
 * function, `break` outside a loop, goto labels (undefined, duplicate, jumping into the scope
 * of a local), at most 200 local variables and 200 syntax levels. What only code generation
 * or running finds (more than 120 upvalues, 250 registers, the values themselves) is not.
 *
 * Invariants: no allocation survives a call; text need not be NUL-terminated; the nesting of
 * the text bounds the recursion (to LuaJIT's own limit of 200 levels).
 */
#ifndef SCHEMA_LUA_H
#define SCHEMA_LUA_H

#include <stdbool.h>
#include <stddef.h>

struct lua_error {
    unsigned line; /* 1-based, in the text checked */
    long offset;   /* byte offset of the token the error is about, or -1 */
    char message[200];
};

struct lua_options {
    bool lua52;     /* LuaJIT built with LUAJIT_ENABLE_LUA52COMPAT (OpenResty, Kong) */
    bool text_only; /* load(..., "t"): a binary chunk is refused */
};

/* Whether the text loads as a chunk; on false, *err says why. */
bool lua_chunk_ok(const char *text, size_t len, const struct lua_options *opt,
                  struct lua_error *err);

/*
 * Whether Penlight's template.compile (with Kong's options: `$(...)` expressions, no `#`
 * lines) accepts the text: every balanced `$(...)` must hold a Lua expression that compiles
 * inside the code Penlight generates. On false, *err says why; its line and offset are those
 * of the template's text where known (offset -1 otherwise).
 */
bool lua_template_ok(const char *text, size_t len, struct lua_error *err);

#endif
