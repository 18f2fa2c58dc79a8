/*
 * Where a character of a scalar's value is written in the file. The node tree keeps a scalar's
 * value and the span it was written in, not the text in between; to point inside a value
 * written with escapes, quotes folded over several lines or as a block scalar (| or >), the
 * scalar is read again from the source lines its span covers, following YAML's rules for its
 * style, and the result is trusted only if it rebuilds the very value the reader produced.
 */
#ifndef READER_LOCATE_H
#define READER_LOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model_node.h"
#include "source/source.h"

enum scalar_located {
    SCALAR_LOCATED,   /* *out is the position */
    SCALAR_NOT_FOUND, /* the text could not be read or followed */
    SCALAR_REWRITTEN  /* the text holds another value: a rewrite made this one */
};

/*
 * The lines a scalar's span covers: lines[i] is line first_line + i, without its line break.
 * Sets *out to the position of the character holding byte `offset` of n's value (a character
 * made by folding a line break points at the end of the line it folded). Only a text that
 * rebuilds n's value exactly is trusted.
 */
enum scalar_located scalar_locate_in_lines(const struct node *n, const char *const *lines,
                                           const size_t *lens, size_t nlines, uint32_t first_line,
                                           size_t offset, struct span *out);

/* The same, reading the lines from the source (a separate handle; costs one read of the file
 * up to the scalar's last line). */
enum scalar_located scalar_locate(const struct source *src, const struct node *n, size_t offset,
                                  struct span *out);

#endif
