/*
 * Where a position stands in a YAML text: the keys and list items from the top of the document
 * down to it, read from the text's indentation rather than from a parse, because completion is
 * asked for while a line is half typed and the file does not parse.
 *
 * YAML is read in block style (the way gateway configs are written by hand): a position inside
 * a flow collection ({...}, [...]) of a YAML file has no place. A document whose text starts
 * with { or [ is read as JSON, token by token, forgiving a string not closed. A list item's step
 * carries the value of the item's own `name` key, wherever in the item it stands: that is how a
 * plugin entry of a Kong list is known.
 */
#ifndef LSP_PLACE_H
#define LSP_PLACE_H

#include <stdbool.h>
#include <stddef.h>

#include "lsp_text.h"

#define PLACE_MAX_DEPTH 32
#define PLACE_MAX_TEXT  128
#define PLACE_MAX_KEYS  128

struct place_step {
    bool item;                 /* a list item; else a mapping's key */
    char key[PLACE_MAX_TEXT];  /* the key (not an item) */
    char name[PLACE_MAX_TEXT]; /* an item's `name` value, "" when it has none */
};

struct place {
    struct place_step steps[PLACE_MAX_DEPTH];
    size_t n;
    /* place_for_completion(): the byte range of the line's partial key (replaced by the
     * completion), and the keys its mapping holds already, but the one being typed. */
    size_t word_from, word_to; /* byte offsets in the text */
    char keys[PLACE_MAX_KEYS][PLACE_MAX_TEXT];
    size_t nkeys;
    bool json; /* a JSON document: the completion writes "key": */
};

/* The place of the key at a byte offset (hover): its ancestors, then the key itself. False when
 * the offset is on no key of a block mapping. */
bool place_of_key(const struct lsp_text *t, size_t offset, struct place *out);
/* The place of the mapping a key typed at a byte offset would go in (completion). False when
 * the position is not where a key may be typed (in a value, a flow collection, a comment). */
bool place_for_completion(const struct lsp_text *t, size_t offset, struct place *out);

#endif
