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

#endif
