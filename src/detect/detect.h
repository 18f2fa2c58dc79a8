/*
 * Detection: which gateway a file configures, in which flavour, and what version it claims.
 *
 * The reader hands the top-level entries over one by one; detection looks at the top-level
 * keys that come before the first collection, and at that collection's first item, then
 * decides. A Kong file says itself what it is (_format_version, decK's _info/_workspace/
 * _konnect, db_export's _transform: false with ids and timestamps on every entity). ADC and
 * APISIX files are recognised by their keys and item shapes (APISIX's "#END" last line).
 */
#ifndef DETECT_H
#define DETECT_H

#include <stdbool.h>

#include "model/model_node.h"

enum detected_product {
    DETECT_UNKNOWN,
    DETECT_KONG,
    DETECT_ADC,
    DETECT_ADC_LEGACY,
    DETECT_APISIX,
    DETECT_KONNECT_LEGACY, /* Konnect's first format: _format_version "0.1", service packages */
    DETECT_KONG_AI         /* Kong AI Gateway, another product: its decK files have ai_models */
};
enum detected_flavor { DFLAVOR_KONG, DFLAVOR_DBEXPORT, DFLAVOR_DECK };

struct detection {
    enum detected_product product;
    enum detected_flavor flavor; /* Kong only */
    bool has_format_version;
    char format_version[32]; /* the text of _format_version, even when not a string */
    char reason[200];        /* why, for the report: "has _info, a decK key" */
    char version_hint[16];   /* a release the file's keys point to ("2.15"), or "" */
    bool shared_keys;        /* unknown, but with collections several formats have */
};

struct detect_state {
    bool format_version, transform_false, deck_key, adc_maps, apisix_keys, legacy_name,
        legacy_version, kong_only_key;
    bool resource_key;   /* a collection any gateway's file may have: routes, services, ... */
    bool ai_models;      /* a collection only Kong AI Gateway reads */
    bool apisix_215_key; /* ssl or proto: keys APISIX spelled so until 3.0 */
    bool outside_adc;    /* a top-level collection ADC nests or lacks: routes, upstreams, ... */
    char format_text[32];
    char deck_key_name[32];
    char first_list[64];
    bool first_item_seen;
    bool item_has_id_and_time;
    bool item_kong_shape, item_adc_shape, item_apisix_shape;
};

void detect_init(struct detect_state *s);
/* A top-level key and its value (a non-list value, or a list's stand-in). */
void detect_key(struct detect_state *s, const struct node *key, const struct node *value);
/* The first item of the first top-level list (NULL when the list is empty). */
void detect_first_item(struct detect_state *s, const struct node *list_key,
                       const struct node *item);
void detect_decide(const struct detect_state *s, bool ends_with_end_marker, struct detection *out);
/* Maps a user's --input-flavor; false when the name is unknown. */
bool detect_from_name(const char *name, struct detection *out);
/* The usual flavour of a product the options name ("api7": ADC files); false when none.
 * yaml_without_end: a YAML file without APISIX's "#END" line (for apisix: read as ADC, unless
 * a top-level key seen so far is one ADC does not have). */
bool detect_from_product(const struct detect_state *s, const char *product, bool yaml_without_end,
                         struct detection *out);
const char *detect_product_name(enum detected_product p);
const char *detect_flavor_name(const struct detection *d);

#endif
