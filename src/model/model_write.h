/*
 * Writing nodes back out as text: one scalar in a style that is valid where it stands (for
 * patches of the user's file), or whole values as canonical YAML or JSON (for --reformat).
 *
 * Invariants: whatever is written reads back as the same value, with the same type, under the
 * typing rules of model_scalar.h; text that could be misread (yes, 1.10, ~, a leading '*') is
 * quoted. Everything appends to a capped buffer and returns -1 when the cap is reached.
 */
#ifndef MODEL_WRITE_H
#define MODEL_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "model_node.h"
#include "util/util_buf.h"

enum write_context {
    WRITE_BLOCK, /* a YAML block collection */
    WRITE_FLOW,  /* inside a YAML [...] or {...}: ',' and brackets are special */
    WRITE_JSON
};

/*
 * A string scalar with this text, in the style of `like` (the node it replaces) where that
 * style can hold it: plain stays plain when safe, then single quotes, then double quotes.
 */
int write_string_like(struct buf *b, const char *text, size_t len, enum scalar_style like,
                      enum write_context ctx);
/* Any scalar: strings as write_string_like(); null, booleans and numbers canonically. */
int write_scalar(struct buf *b, const struct node *n, enum scalar_style like,
                 enum write_context ctx);
/* Whether text written plain would be read back as this same string. */
bool plain_is_safe(const char *text, size_t len, enum write_context ctx);

/*
 * A value as block YAML. The first line continues where the caller stands (after "key:" or
 * "- "); nested lines are indented by `indent` spaces plus two per level.
 */
int write_yaml_value(struct buf *b, const struct node *n, unsigned indent);
/* A value on one line in flow style ({a: 1, b: [x]}), or compact JSON for WRITE_JSON. */
int write_flow_value(struct buf *b, const struct node *n, enum write_context ctx);
/* A value as JSON, pretty-printed with two-space indentation starting at `indent`. */
int write_json_value(struct buf *b, const struct node *n, unsigned indent);

#endif
