#include "detect.h"

#include <stdio.h>
#include <string.h>

/* Keys decK writes and Kong itself does not accept. */
static const char *const deck_keys[] = {"_info", "_workspace", "_konnect", "_plugin_configs"};
/* Top-level keys only APISIX standalone files have (2.15 and 3.x spellings). */
static const char *const apisix_keys[] = {"ssl",           "proto",   "protos",
                                          "stream_routes", "secrets", "plugin_configs"};
/* Top-level collections only Kong has. */
static const char *const kong_keys[] = {"snis",
                                        "targets",
                                        "certificates",
                                        "ca_certificates",
                                        "keyauth_credentials",
                                        "basicauth_credentials",
                                        "hmacauth_credentials",
                                        "jwt_secrets",
                                        "acls",
                                        "key_sets",
                                        "keys",
                                        "vaults",
                                        "filter_chains",
                                        "oauth2_credentials",
                                        "parameters"};

/* Top-level collections of Kong's and APISIX's files that an ADC file does not have at its top
 * level: it nests routes in services, and has no upstreams or plugins lists there. */
static const char *const not_adc_keys[] = {"routes", "upstreams", "plugins"};

/* Collections several formats share: alone they tell no format, but some format has them. */
static const char *const resource_keys[] = {"routes",    "services",        "upstreams",
                                            "consumers", "consumer_groups", "plugins",
                                            "ssls",      "global_rules",    "plugin_metadata"};

static bool key_in(const struct node *key, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (node_text_equals(key, list[i]))
            return true;
    return false;
}

#define IN(key, list) key_in(key, list, sizeof(list) / sizeof(list[0]))

void detect_init(struct detect_state *s)
{
    memset(s, 0, sizeof(*s));
}

void detect_key(struct detect_state *s, const struct node *key, const struct node *value)
{
    if (!key || key->kind != NODE_SCALAR)
        return;
    if (IN(key, resource_keys))
        s->resource_key = true;
    if (IN(key, not_adc_keys))
        s->outside_adc = true;
    if (node_text_equals(key, "ai_models"))
        s->ai_models = true;
    if (node_text_equals(key, "_format_version")) {
        s->format_version = true;
        if (value && value->kind == NODE_SCALAR)
            snprintf(s->format_text, sizeof(s->format_text), "%s", value->u.text);
    } else if (node_text_equals(key, "_transform")) {
        s->transform_false =
            value && value->kind == NODE_SCALAR && value->type == SCALAR_BOOL && !value->v.b;
    } else if (IN(key, deck_keys)) {
        if (!s->deck_key)
            snprintf(s->deck_key_name, sizeof(s->deck_key_name), "%s", key->u.text);
        s->deck_key = true;
    } else if (IN(key, apisix_keys)) {
        s->apisix_keys = true;
        s->apisix_215_key =
            s->apisix_215_key || node_text_equals(key, "ssl") || node_text_equals(key, "proto");
    } else if (IN(key, kong_keys)) {
        s->kong_only_key = true;
    } else if ((node_text_equals(key, "global_rules") ||
                node_text_equals(key, "plugin_metadata")) &&
               value && value->kind == NODE_MAPPING) {
        s->adc_maps = true; /* APISIX writes these as lists, ADC as maps by plugin name */
    } else if (node_text_equals(key, "name") && value && node_is_string(value)) {
        s->legacy_name = true;
    } else if (node_text_equals(key, "version") && value && value->kind == NODE_SCALAR) {
        s->legacy_version = true;
    }
}

static bool has_any(const struct node *map, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (node_map_get(map, keys[i]))
            return true;
    return false;
}

void detect_first_item(struct detect_state *s, const struct node *list_key, const struct node *item)
{
    if (s->first_item_seen)
        return;
    s->first_item_seen = true;
    if (list_key && list_key->kind == NODE_SCALAR)
        snprintf(s->first_list, sizeof(s->first_list), "%s", list_key->u.text);
    if (!item || item->kind != NODE_MAPPING)
        return;
    s->item_has_id_and_time = node_map_get(item, "id") && node_map_get(item, "created_at");
    static const char *const kong_shape[] = {"paths",         "url",       "protocol", "strip_path",
                                             "preserve_host", "custom_id", "host"};
    static const char *const apisix_shape[] = {"uri", "uris", "upstream_id", "service_id", "nodes"};
    static const char *const adc_shape[] = {"upstream", "upstreams", "routes"};
    s->item_kong_shape = has_any(item, kong_shape, 7);
    s->item_apisix_shape = has_any(item, apisix_shape, 5);
    const struct node *routes = node_map_get(item, "routes");
    bool adc_routes = routes && routes->kind == NODE_SEQUENCE && routes->count &&
                      node_map_get(routes->u.items[0], "uris");
    /* A consumer's credentials nested as a list is ADC's shape: Kong nests them per type
     * (keyauth_credentials, ...) and APISIX keeps them apart from the consumer. */
    const struct node *creds =
        node_text_equals(list_key, "consumers") ? node_map_get(item, "credentials") : NULL;
    bool adc_credentials = creds && creds->kind == NODE_SEQUENCE;
    s->item_adc_shape =
        adc_routes || adc_credentials || (has_any(item, adc_shape, 2) && !s->item_kong_shape);
}

static void decide_kong(const struct detect_state *s, struct detection *out)
{
    out->product = DETECT_KONG;
    out->has_format_version = s->format_version;
    snprintf(out->format_version, sizeof(out->format_version), "%s", s->format_text);
    if (s->deck_key) {
        out->flavor = DFLAVOR_DECK;
        snprintf(out->reason, sizeof(out->reason), "has %s, a decK key", s->deck_key_name);
    } else if (s->transform_false && s->item_has_id_and_time) {
        out->flavor = DFLAVOR_DBEXPORT;
        snprintf(out->reason, sizeof(out->reason),
                 "has _transform: false and ids and timestamps on every entity");
    } else {
        out->flavor = DFLAVOR_KONG;
        snprintf(out->reason, sizeof(out->reason), "%s",
                 s->format_version ? "has _format_version" : "has Kong collections");
    }
}

void detect_decide(const struct detect_state *s, bool ends_with_end_marker, struct detection *out)
{
    memset(out, 0, sizeof(*out));
    if (s->format_version && !strcmp(s->format_text, "0.1")) {
        out->product = DETECT_KONNECT_LEGACY;
        out->has_format_version = true;
        snprintf(out->format_version, sizeof(out->format_version), "%s", s->format_text);
        snprintf(out->reason, sizeof(out->reason),
                 "has _format_version \"0.1\", the format of Konnect's first release, with "
                 "service packages");
    } else if (s->ai_models) {
        out->product = DETECT_KONG_AI;
        snprintf(out->reason, sizeof(out->reason),
                 "has ai_models, which Kong AI Gateway reads and Kong Gateway does not");
    } else if (s->format_version || s->deck_key || s->transform_false) {
        decide_kong(s, out);
    } else if (s->legacy_name && s->legacy_version && (s->apisix_keys || s->resource_key)) {
        /* name and version alone are any package manifest (package.json): the legacy format
         * also has the resource lists. */
        out->product = DETECT_ADC_LEGACY;
        snprintf(out->reason, sizeof(out->reason),
                 "has top-level 'name' and 'version' beside resource lists");
    } else if (ends_with_end_marker || s->apisix_keys || s->item_apisix_shape) {
        out->product = DETECT_APISIX;
        snprintf(out->reason, sizeof(out->reason), "%s",
                 ends_with_end_marker ? "ends with #END"
                                      : "has APISIX keys (uri, upstream nodes, ssl, ...)");
        if (s->apisix_215_key) /* 3.0 renamed ssl and proto to ssls and protos */
            snprintf(out->version_hint, sizeof(out->version_hint), "2.15");
    } else if (s->adc_maps || s->item_adc_shape) {
        out->product = DETECT_ADC;
        snprintf(out->reason, sizeof(out->reason), "has ADC keys (routes with uris, upstream)");
    } else if (s->kong_only_key || s->item_kong_shape) {
        decide_kong(s, out);
    } else {
        out->product = DETECT_UNKNOWN;
        out->shared_keys = s->resource_key;
        snprintf(out->reason, sizeof(out->reason), "no key says which gateway this is");
    }
}

struct flavor_name {
    const char *name;
    enum detected_product product;
    enum detected_flavor flavor;
};

static const struct flavor_name flavor_names[] = {
    {"kong", DETECT_KONG, DFLAVOR_KONG},
    {"dbexport", DETECT_KONG, DFLAVOR_DBEXPORT},
    {"deck", DETECT_KONG, DFLAVOR_DECK},
    {"adc", DETECT_ADC, DFLAVOR_KONG},
    {"adc-legacy", DETECT_ADC_LEGACY, DFLAVOR_KONG},
    {"apisix", DETECT_APISIX, DFLAVOR_KONG},
    {"konnect-legacy", DETECT_KONNECT_LEGACY, DFLAVOR_KONG},
    {"kong-ai-gateway", DETECT_KONG_AI, DFLAVOR_KONG},
};

bool detect_from_product(const struct detect_state *s, const char *product, bool yaml_without_end,
                         struct detection *out)
{
    static const char *const usual[][2] = {{"kong", "kong"}, {"api7", "adc"}, {"apisix", "apisix"}};
    /* APISIX refuses a standalone YAML file without its "#END" line, and ADC files (which
     * reach APISIX through ADC's backends) have none: such a file is far more likely ADC,
     * unless it has a top-level list ADC would refuse (a file cut short by a YAML error). */
    bool adc_shaped = yaml_without_end && !s->outside_adc;
    if (product && !strcmp(product, "apisix") && adc_shaped && detect_from_name("adc", out)) {
        snprintf(out->reason, sizeof(out->reason),
                 "no key says which gateway this is; the options name apisix and the file has "
                 "no #END line, so it is read as an ADC file");
        return true;
    }
    for (size_t i = 0; product && i < sizeof(usual) / sizeof(usual[0]); i++)
        if (!strcmp(usual[i][0], product) && detect_from_name(usual[i][1], out)) {
            snprintf(out->reason, sizeof(out->reason),
                     "no key says which gateway this is; the options name %s", product);
            return true;
        }
    return false;
}

bool detect_from_name(const char *name, struct detection *out)
{
    for (size_t i = 0; i < sizeof(flavor_names) / sizeof(flavor_names[0]); i++)
        if (strcmp(flavor_names[i].name, name) == 0) {
            memset(out, 0, sizeof(*out));
            out->product = flavor_names[i].product;
            out->flavor = flavor_names[i].flavor;
            snprintf(out->reason, sizeof(out->reason), "--input-flavor %s", name);
            return true;
        }
    return false;
}

const char *detect_product_name(enum detected_product p)
{
    /* The knowledge base's product: ADC files configure API7 Enterprise. */
    static const char *const names[] = {"unknown", "kong", "api7", "api7",
                                        "apisix",  "kong", "kong"};
    return names[p];
}

const char *detect_flavor_name(const struct detection *d)
{
    switch (d->product) {
    case DETECT_KONG:
        return d->flavor == DFLAVOR_DECK       ? "deck"
               : d->flavor == DFLAVOR_DBEXPORT ? "dbexport"
                                               : "kong";
    case DETECT_ADC:
        return "adc";
    case DETECT_ADC_LEGACY:
        return "adc-legacy";
    case DETECT_APISIX:
        return "apisix";
    case DETECT_KONNECT_LEGACY:
        return "konnect-legacy";
    case DETECT_KONG_AI:
        return "kong-ai-gateway";
    default:
        return "unknown";
    }
}
