/*
 * UTF-8 helpers. Columns in gatehop count characters (Unicode code points), as libyaml does.
 */
#ifndef UTIL_UTF8_H
#define UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is not valid. */
size_t utf8_sequence_length(const unsigned char *s, size_t n);
/* True when the whole string is valid UTF-8; *bad_at receives the first bad byte's offset. */
bool utf8_valid(const char *s, size_t n, size_t *bad_at);
/* Number of characters in the first n bytes (an invalid byte counts as one). */
size_t utf8_count(const char *s, size_t n);
/* Byte offset of character index chars within s (clamped to n). */
size_t utf8_offset(const char *s, size_t n, size_t chars);

/*
 * The length of the UTF-8 sequence at s (avail bytes there) when libyaml's reader takes it as
 * one printable character that is not a line break, else 0: not valid UTF-8 (cut short too),
 * ASCII, a C1 control or NEL, a surrogate, LS or PS, U+FFFE or U+FFFF.
 */
size_t utf8_yaml_length(const unsigned char *s, size_t avail);
/* True when the avail bytes at s are the start of a UTF-8 sequence that more bytes complete. */
bool utf8_cut(const unsigned char *s, size_t avail);
/*
 * Checks b[p..e) as libyaml's reader checks what it decodes, for a fast reader: printable ASCII
 * and line feeds, tabs and carriage returns only with tab_and_cr, and what utf8_yaml_length()
 * takes (U+FEFF only with bom). Returns where checking stopped: e, or, with more (bytes follow
 * e), a character they complete. *bad is the offset of the first character not taken (checking
 * stops there), else SIZE_MAX.
 */
size_t utf8_yaml_check(const unsigned char *b, size_t p, size_t e, bool tab_and_cr, bool bom,
                       bool more, size_t *bad);
/*
 * The first byte from p on (before e) that is not printable ASCII or a line feed, nor, with
 * tab_and_cr, a tab or carriage return: eight bytes at a time where it can.
 */
size_t utf8_ascii_run(const unsigned char *b, size_t p, size_t e, bool tab_and_cr);

#endif
