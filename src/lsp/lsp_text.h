/*
 * An open document's text as the editor holds it, and the positions of the protocol.
 *
 * LSP positions are a 0-based line and a character offset counted in the position encoding the
 * client and server agreed on: UTF-16 code units (the default), UTF-8 bytes, or UTF-32 (code
 * points). gatehop's findings count code points from 1. The text keeps the offset of every
 * line's start so that either conversion looks at one line only.
 *
 * Line breaks are LF, CRLF or a lone CR, as the protocol defines them. A position past the end
 * of its line means the line's end; a line past the last means the text's end.
 */
#ifndef LSP_TEXT_H
#define LSP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEXT_MAX_BYTES (256u << 20) /* edits that would grow a document past this are refused */

enum text_encoding { ENC_UTF16, ENC_UTF8, ENC_UTF32 };

struct text_pos {
    uint32_t line, character; /* 0-based, character in the agreed encoding */
};

struct lsp_text {
    char *bytes;
    size_t len, cap;
    size_t *line_start; /* nlines entries; line_start[0] is 0 */
    size_t nlines, lines_cap;
};

void text_init(struct lsp_text *t);
void text_release(struct lsp_text *t);
/* Replaces the whole text; -1 when out of memory or over TEXT_MAX_BYTES (nothing changed). */
int text_set(struct lsp_text *t, const char *bytes, size_t len);
/* Replaces the range [from, to) with the bytes given (an incremental change). */
int text_replace(struct lsp_text *t, struct text_pos from, struct text_pos to, const char *bytes,
                 size_t len, enum text_encoding enc);

/* The byte offset of a protocol position (clamped to its line, and to the text). */
size_t text_offset(const struct lsp_text *t, struct text_pos p, enum text_encoding enc);
/* The protocol position of a byte offset (clamped to the text). */
struct text_pos text_position(const struct lsp_text *t, size_t offset, enum text_encoding enc);
/* The protocol position of a finding's 1-based line and code-point column (0: the line's start;
 * a line past the last: the text's end). */
struct text_pos text_from_gatehop(const struct lsp_text *t, uint32_t line, uint32_t column,
                                  enum text_encoding enc);
/* A line's bytes without its line break; an empty line past the last. */
const char *text_line(const struct lsp_text *t, uint32_t line, size_t *len);

#endif
