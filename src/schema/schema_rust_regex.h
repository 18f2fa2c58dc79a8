/*
 * The syntax of Rust's regex crate, which Kong's ATC router (router_flavor expressions and
 * traditional_compatible) compiles route regexes with. This is a checker, not a compiler: it
 * follows the parser of the regex-syntax crate (ast/parse.rs) closely enough to accept what it
 * accepts and to refuse what it refuses, at the same offset and with its own message.
 *
 * The dialect is the regex-syntax release the router was built with; what each one accepts:
 *   0.6  the base syntax (Kong 3.0 to 3.3)
 *   0.7  adds (?<name>...), the R flag and escapes of any ASCII punctuation (\/, \")
 *   0.8  adds \b{start}, \b{end}, \b{start-half}, \b{end-half}, \< and \>
 *
 * Not checked: Unicode class names (\p{Greek}: any name is accepted), the compiled size limit,
 * and what only the translation to the crate's HIR refuses (a Unicode class with Unicode
 * disabled).
 */
#ifndef SCHEMA_RUST_REGEX_H
#define SCHEMA_RUST_REGEX_H

#include <stdbool.h>
#include <stddef.h>

enum rust_regex_dialect { RUST_REGEX_0_6, RUST_REGEX_0_7, RUST_REGEX_0_8 };

struct rust_regex_error {
    size_t offset;         /* byte offset of the error in the pattern */
    const char *message;   /* regex-syntax's own message */
    const char *construct; /* a PCRE construct Rust's engine has no equivalent of, or NULL */
    const char *hint;      /* what to write instead, or NULL */
    bool later;            /* a later dialect accepts it */
};

/* The dialect a name from the data ("0.7") stands for; false for a name not known here. */
bool rust_regex_dialect_from_name(const char *name, enum rust_regex_dialect *out);

/* True when the pattern parses in the dialect; otherwise *e says where and why. */
bool rust_regex_check(const char *re, size_t n, enum rust_regex_dialect d,
                      struct rust_regex_error *e);

#endif
