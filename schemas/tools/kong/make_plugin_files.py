#!/usr/bin/env python3
"""Write schemas/kong/plugins/<name>.yaml from per-release dumps of Kong's plugin schemas.

Usage:
    make_plugin_files.py DUMPS_OFF DUMPS_DB OUT_DIR

DUMPS_OFF holds one dump per release (TAG.json, written by dump_plugin_schemas.sh with the
database `off`), DUMPS_DB the same releases dumped with `postgres`. The dumps' minor releases
(3.6.0 -> "3.6") must be the first of schemas/kong/product.yaml's `versions`, in order; the
releases after the last dump (Kong Gateway Enterprise 3.11 to 3.14, which have no open-source
source) keep the last dump's definitions. A dump of a commit rather than a tag is named by the
release it stands for (3.10.0.json for the master commit whose kong/meta.lua says 3.10.0) and
says its commit in `kong_version`. One file per plugin is written to OUT_DIR, holding every
release at once: a definition that changed between releases becomes variants with
`since`/`until` (docs/schema-format.md). A plugin's file covers the dumps it is in; which
releases bundle it is product.yaml's `plugins` list (with `since`/`until`).

What the dumps cannot say is written here, each with its source:
- ENTERPRISE_FIELDS: fields Kong Gateway Enterprise releases added to bundled plugins.
- ENTERPRISE_CHANGES: defaults and values those releases changed in bundled plugins' fields.
- VALUE_MAPS: shorthands that change the value on the way (the dump's probe only sees that a
  value arrives, not how it is mapped).
- UNDECLARED_DEPRECATIONS: deprecations Kong logged from Lua before its schemas declared them, so a
  field is dated by the release that first warned.
- TYPEDEF_VALIDATORS, TYPEDEF_PART_VALIDATORS: which of Kong's typedefs (or their elements,
  keys or values) carry a custom validator gatehop has in C.
- EXPRESSED: what the Lua functions of each plugin check (custom_validator,
  custom_entity_check), read from Kong's source and written with gatehop's check kinds, each
  with its source; a check that needs the node's settings is written as `unchecked` (HOP9005).
Anything else Kong checks in Lua is listed in the file's header as "not expressed".
"""

import json
import os
import re
import sys

# Kong typedefs whose Lua validator gatehop implements as a named validator (src/schema/schema_named.c).
TYPEDEF_VALIDATORS = {
    "host": "host",
    "redis_host": "host",
    "sni": "sni",
    "redis_server_name": "sni",
    "ip_or_cidr": "ip_or_cidr",
    "cidr_v4": "cidr_v4",  # ip-restriction's lists at 2.0 (typedefs.cidr, an alias)
    "url": "url",
    "header_name": "header_name",
    "path": "path",
}

# Kong typedefs whose part (elements, keys or values) carries a custom validator gatehop has in
# C: lua_code's values are Lua chunks Kong's sandbox loads (kong/tools/sandbox.lua validate_safe,
# load in text mode); hosts' elements are host names with wildcards (typedefs.lua,
# validate_host_with_wildcards).
TYPEDEF_PART_VALIDATORS = {
    ("lua_code", "values"): "lua_chunk",
    ("hosts", "elements"): "host_with_wildcards",
}

# Typedefs whose validator is a constraint the dump already carries (or none at all).
TYPEDEFS_WITHOUT_VALIDATOR = {"port", "timeout", "http_method", "ttl", "queue", "propagation"}

# kong/plugins/session/schema.lua (3.2.0 and later): cookie_samesite "off" becomes "Lax".
VALUE_MAPS = {("session", "cookie_samesite"): {"off": "Lax"}}

# The shared memory zones Kong's nginx template declares in every release (2.8.0 to 3.10.0,
# kong/templates/nginx_kong.lua); a node may declare more (nginx_http_lua_shared_dict).
KONG_SHARED_DICTS = ["kong", "kong_locks", "kong_healthchecks", "kong_cluster_events",
                     "kong_rate_limiting_counters", "kong_core_db_cache", "kong_core_db_cache_miss",
                     "kong_db_cache", "kong_db_cache_miss"]
SHARED_DICT_UNCHECKED = ("the node must declare this shared memory zone (kong.conf's "
                         "nginx_http_lua_shared_dict); gatehop knows only Kong's own zones")

ACME_RESERVED = [{"pattern": "^" + re.escape(word).replace("\\:", ":"),
                  "err": "namespace can't be prefixed with reserved word: " + word}
                 for word in ("kong_acme:renew_config:", "kong_acme:renew_last_run",
                              "kong_acme:cert_key:")]

AI_LOG_STATISTICS = {
    "since": "3.7",
    "conditional": {"if_field": "route_type", "if_match": {"eq": "llm/v1/completions"},
                    "and_if": [{"field": "model.provider", "match": {"eq": "anthropic"}}],
                    "then_field": "logging.log_statistics", "then_match": {"ne": True},
                    "then_err": "anthropic does not support statistics when route_type is "
                                "llm/v1/completions"}}

# What Kong checks in Lua that gatehop's data expresses, by (plugin, path), each with the Lua
# it stands for; `notes` rewrites (or, with None, drops) the "not expressed" line it covers.
PERIODS = ["second", "minute", "hour", "day", "month", "year"]
EXPRESSED = {
    # validate_periods_order, every release 2.8.0 to 3.10.0: a limit per longer period must not
    # be lower than one per shorter period. From 3.4.0 the same validator says sync_rate other
    # than -1 needs the redis policy, and with redis is -1 or at least 0.02 (two conditionals).
    ("rate-limiting", "config"): {
        "checks": [{"ordered": PERIODS},
                   {"since": "3.4",
                    "conditional": {"if_field": "policy", "if_match": {"ne": "redis"},
                                    "then_field": "sync_rate", "then_match": {"eq": -1},
                                    "then_err": "sync_rate can only be used with the redis policy"}},
                   # with redis, sync_rate is -1 or at least 0.02
                   {"since": "3.4",
                    "conditional": {"if_field": "sync_rate",
                                    "if_match": {"between": [-1.0e300, 0.02], "not_one_of": [-1, 0.02]},
                                    "then_field": "policy", "then_match": {"ne": "redis"},
                                    "then_err": "sync_rate must be greater than 0.02, or -1 to disable"}}],
        "notes": {"config: a Lua validator": None}},
    ("response-ratelimiting", "config.limits.values"): {
        "checks": [{"ordered": PERIODS}],
        "notes": {"config.limits.values: a Lua validator": None}},
    # The entity check on proxy_url, every release: a URL with a scheme must use http.
    ("aws-lambda", "config"): {
        "checks": [{"conditional": {"if_field": "proxy_url", "if_match": {"match": "^[^:]+://"},
                                    "then_field": "proxy_url", "then_match": {"match": "^http://"},
                                    "then_err": "proxy_url scheme must be http"}}],
        "notes": {"config: a Lua entity check over proxy_url": None}},
    # validate_asterisk_or_regex, every release: an origin is "*" or a regex PCRE compiles.
    ("cors", "config.origins.elements"): {
        "keys": {"validator": "asterisk_or_regex"},
        "notes": {"config.origins.elements: a Lua validator": None}},
    # validate_flows, every release: one of the four grant flows must be enabled.
    ("oauth2", "config"): {
        "checks": [{"at_least_one_true": ["enable_authorization_code", "enable_implicit_grant",
                                          "enable_client_credentials", "enable_password_grant"]}],
        "notes": {"config: a Lua validator": None}},
    # validate_shared_dict, every release: the prometheus_metrics zone must exist. Kong's
    # conf_loader injects it whenever the plugin is loaded (kong/conf_loader/init.lua, "inject
    # an shm for prometheus plugin if needed"), so the validator never fails on a node that
    # runs the plugin.
    ("prometheus", "config"): {
        "notes": {"config: a Lua validator": None}},
    # The resource_attributes validator (3.0 to 3.10) wants strings, numbers or booleans, and
    # non-empty strings; the map's own values definition (required strings, which Kong checks
    # first) already takes only non-empty strings.
    ("opentelemetry", "config.resource_attributes"): {
        "notes": {"config.resource_attributes: a Lua validator": None}},
    # validate_static_tags, every release: no two static tags with one name.
    ("zipkin", "config.static_tags"): {
        "keys": {"unique_items": {"by": "name", "err": "repeated tags are not allowed: %s"}},
        "notes": {"config.static_tags: a Lua validator": None}},
    # The config custom_validator of every release: a userinfo in http_endpoint (socket.url's
    # parse: after the scheme's "//", up to the first '@' of the authority, the fragment cut
    # first) and an Authorization header (any case) must not be given together.
    ("http-log", "config"): {
        "checks": [{"conditional": {
            "if_field": "http_endpoint", "if_match": {"match": "^[A-Za-z0-9][A-Za-z0-9+.-]*://[^/#]*@"},
            "then_field": "headers",
            "then_match": {"keys": {"not_match": "^[Aa][Uu][Tt][Hh][Oo][Rr][Ii][Zz][Aa][Tt][Ii][Oo][Nn]\\z"}},
            "then_err": "specifying both an 'Authorization' header and user info in 'http_endpoint' "
                        "is not allowed"}}],
        "notes": {"config: a Lua validator": None}},
    # The config custom_validator of every release (a field is present when it is a non-empty
    # string): message excludes content_type and body; content_type needs body; echo excludes
    # content_type and body.
    ("request-termination", "config"): {
        "checks": [
            {"forbids": {"if_field": "message", "fields": ["content_type", "body"],
                         "err": "message cannot be used with content_type or body"}},
            {"requires": {"if_field": "content_type", "fields": ["body"],
                          "err": "content_type requires a body"}},
            {"forbids": {"if_field": "echo", "if_match": {"eq": True},
                         "fields": ["content_type", "body"],
                         "err": "echo cannot be used with content_type and body"}}],
        "notes": {"config: a Lua validator": None}},
    # The AI plugins' custom_entity_check (kong/llm, 3.7.0 to 3.10.0): statistics cannot be
    # logged for Anthropic's completions route (UNSUPPORTED_LOG_STATISTICS).
    ("ai-proxy", "config"): {
        "checks": [AI_LOG_STATISTICS],
        "notes": {"config: a Lua entity check over route_type, model, logging": None}},
    ("ai-request-transformer", "config.llm"): {
        "checks": [AI_LOG_STATISTICS],
        "notes": {"config.llm: a Lua entity check over route_type, model, logging": None}},
    ("ai-response-transformer", "config.llm"): {
        "checks": [AI_LOG_STATISTICS],
        "notes": {"config.llm: a Lua entity check over route_type, model, logging": None}},
    # acme, every release: shm_name must name a shared memory zone of the node (ngx.shared);
    # Kong's own zones are known, others are the node's configuration. The entity check on
    # storage: "kong" storage cannot be used by a DB-less node (a kong.yml file), "shm" storage
    # not by a hybrid control plane, whose role gatehop does not know.
    ("acme", "config.storage_config.shm.shm_name"): {
        "notes": {"config.storage_config.shm.shm_name: a Lua validator": None}},
    ("acme", "config"): {
        "checks": [
            {"unchecked": {"if_field": "storage_config.shm.shm_name",
                           "if_match": {"not_one_of": KONG_SHARED_DICTS},
                           "text": SHARED_DICT_UNCHECKED}},
            {"flavors": ["kong"],
             "conditional": {"if_field": "storage", "if_match": {"eq": "kong"},
                             "then_field": "storage", "then_match": {"ne": "kong"},
                             "then_err": "\"kong\" storage can't be used with dbless mode"}},
            {"flavors": ["dbexport", "deck"],
             "unchecked": {"if_field": "storage", "if_match": {"eq": "shm"},
                           "text": "a hybrid control plane refuses \"shm\" storage (\"shm\" storage "
                                   "can't be used in Hybrid mode); gatehop does not know the "
                                   "node's role"}}],
        "notes": {"config: a Lua entity check over storage": None}},
    # validate_namespace (3.3.0 and later): a Redis namespace must not start with one of the
    # plugin's reserved key prefixes (kong/plugins/acme/reserved_words.lua).
    ("acme", "config.storage_config.redis.namespace"): {
        "keys": {"match_none": ACME_RESERVED},
        "notes": {"config.storage_config.redis.namespace: a Lua validator": None}},
    ("acme", "config.storage_config.redis.extra_options.namespace"): {
        "keys": {"match_none": ACME_RESERVED},
        "notes": {"config.storage_config.redis.extra_options.namespace: a Lua validator": None}},
    # proxy-cache's entity check, every release: with the memory strategy, the dictionary must
    # be a shared memory zone of the node.
    ("proxy-cache", "config"): {
        "checks": [{"unchecked": {"if_field": "memory.dictionary_name",
                                  "if_match": {"not_one_of": KONG_SHARED_DICTS},
                                  "and_if": [{"field": "strategy", "match": {"eq": "memory"}}],
                                  "text": SHARED_DICT_UNCHECKED}}],
        "notes": {"config: a Lua entity check over config": None}},
}

# pre-function and post-function (kong/plugins/pre-function/_schema.lua, every release): each
# phase's functions must load with loadstring ("error parsing pre-function: ..."). 2.8's
# `functions` (the access phase's old name) logs a deprecation from its own validator.
PHASES = ["functions", "certificate", "rewrite", "access", "header_filter", "body_filter", "log"]
for _plugin in ("pre-function", "post-function"):
    for _phase in PHASES:
        EXPRESSED[(_plugin, "config.%s.elements" % _phase)] = {
            "keys": {"validator": "lua_chunk"},
            "notes": {"config.%s.elements: a Lua validator" % _phase: None}}
    EXPRESSED[(_plugin, "config.functions")] = {
        "keys": {"deprecated": {"since": "2.8", "message": "use config.access instead"}},
        "notes": {"config.functions: a Lua validator": None}}

# request-transformer and response-transformer (every release): "name:value" items. A header
# item's name (the text before the first colon) must be a header name, and for renames the
# value too (validate_headers); a body or querystring item (check_for_value) must have a value,
# which Penlight's template compiler must accept ($(...) Lua expressions). Lua's
# "^([^:]+):*(.-)$" splits them; the value is captured twice so that an empty value and a
# template that does not compile get their own messages.
NAME_ONLY = {"captures": {"pattern": "^([^:]+)", "err": "'nil' is not a valid header",
                          "parts": [{"validator": "header_name", "err": "'%1' is not a valid header"}]}}
BOTH_NAMES = {"captures": {"pattern": "^([^:]+):*([\\s\\S]*)\\z", "err": "'nil' is not a valid header",
                           "parts": [{"validator": "header_name", "err": "'%1' is not a valid header"},
                                     {"validator": "header_name", "err": "'%2' is not a valid header"}]}}
TEMPLATE_VALUE = {"captures": {"pattern": "^([^:]+):*(([\\s\\S]*))\\z",
                               "err": "a 'name:value' item needs a name before the colon",
                               "parts": [{}, {"len_min": 1, "err": "key '%1' has no value"},
                                         {"validator": "lua_template"}]}}
TRANSFORMER_ITEMS = {
    "request-transformer": {
        "remove.headers": NAME_ONLY, "rename.headers": BOTH_NAMES,
        "replace.headers": NAME_ONLY, "add.headers": NAME_ONLY, "append.headers": NAME_ONLY,
        "rename.body": TEMPLATE_VALUE, "rename.querystring": TEMPLATE_VALUE,
        "replace.body": TEMPLATE_VALUE, "replace.querystring": TEMPLATE_VALUE,
        "add.body": TEMPLATE_VALUE, "add.querystring": TEMPLATE_VALUE,
        "append.body": TEMPLATE_VALUE, "append.querystring": TEMPLATE_VALUE},
    "response-transformer": {"rename.headers": BOTH_NAMES},
}
for _plugin, _items in TRANSFORMER_ITEMS.items():
    for _path, _keys in _items.items():
        EXPRESSED[(_plugin, "config.%s.elements" % _path)] = {
            "keys": _keys, "notes": {"config.%s.elements: a Lua validator" % _path: None}}

# The tracing propagation record (3.7 and later): clear's items are header names
# (kong/observability/tracing/propagation/schema.lua, validate_header_name).
for _plugin in ("opentelemetry", "zipkin"):
    EXPRESSED[(_plugin, "config.propagation.clear.elements")] = {
        "keys": {"validator": "header_name"},
        "notes": {"config.propagation.clear.elements: a Lua validator": None}}


# Fields Kong Gateway Enterprise releases added to bundled plugins after the last open-source
# source, from each plugin's published changelog and the per-release schemas of Kong's docs
# source (Kong/developer.konghq.com at bc1cd742): written into the plugin's config record for
# the Enterprise edition only.
EE = ["enterprise"]
ENTERPRISE_FIELDS = {
    # http-log and tcp-log, 3.13.0.0: an ssl_verify flag (http-log without a default, tcp-log
    # false); 3.14.0.0 makes both default to true. aws-lambda gains one in 3.14.0.0, true.
    "http-log": {"ssl_verify": [
        {"since": "3.13", "until": "3.14", "editions": EE, "type": "boolean"},
        {"since": "3.14", "editions": EE, "type": "boolean", "default": True}]},
    "tcp-log": {"ssl_verify": [
        {"since": "3.13", "until": "3.14", "editions": EE, "type": "boolean", "default": False},
        {"since": "3.14", "editions": EE, "type": "boolean", "default": True}]},
    "aws-lambda": {"ssl_verify": {"since": "3.14", "editions": EE, "type": "boolean",
                                  "default": True}},
    # opentelemetry, the docs source's 3.13 and 3.14 schemas and the 3.14.0.0 changelog: an
    # access log endpoint from 3.13, which 3.14 deprecates for the access_logs record (its
    # endpoint, and Lua snippets per log field).
    "opentelemetry": {
        "access_logs_endpoint": [
            {"since": "3.13", "until": "3.14", "editions": EE, "type": "string",
             "validator": "url", "referenceable": True},
            {"since": "3.14", "editions": EE, "type": "string", "validator": "url",
             "referenceable": True,
             "deprecated": {"since": "3.14", "message": "use config.access_logs.endpoint instead"}}],
        "access_logs": {
            "since": "3.14", "editions": EE, "type": "record",
            "fields": {"endpoint": {"type": "string", "validator": "url", "referenceable": True},
                       "custom_attributes_by_lua": {"type": "map", "keys": {"type": "string"},
                                                    "values": {"type": "string", "len_min": 1}}}}},
}


# Deprecations the dumps cannot show: Kong logged them from Lua before its schemas could declare
# them (the `deprecation` field attribute exists from 3.7.0; before, a custom_entity_check, a
# custom_validator or handler code logged the warning), or only a release's changelog announced
# them. Each row is written into the dumps of the releases from `since` on whose field has no
# declared deprecation, so the field is dated by the release that first warned; `old_default` is
# the value that does not warn (null never does); `value` makes the row deprecate one value of
# the field's one_of instead; `note` is the "not expressed" line the row accounts for (the Lua
# function only warned). `since` may predate the first dump (the message then names it).
UNDECLARED_DEPRECATIONS = {}


def undeclared(plugins, path, since, message, old_default=None, note=None, value=None):
    for plugin in plugins:
        row = {"since": since, "message": message, "note": note}
        if old_default is not None:
            row["old_default"] = old_default
        if value is not None:
            row["value"] = value
        UNDECLARED_DEPRECATIONS[(plugin, path)] = row


# kong/plugins/{http-log,statsd,datadog}/schema.lua at 3.3.0 to 3.6.0: a custom_entity_check warns
# for a legacy queue parameter that is set to anything but null or its old default (the queue
# record replaced them; kong/tools/queue.lua warns again at run time). 3.7.0 declares the same.
QUEUE_LOGGERS = ["http-log", "statsd", "datadog"]
QUEUE_NOTE = "config: a Lua entity check over retry_count, queue_size, flush_timeout"
undeclared(QUEUE_LOGGERS, "config.retry_count", "3.3",
                 "it no longer has an effect; use config.queue.max_retry_time instead", 10, QUEUE_NOTE)
undeclared(QUEUE_LOGGERS, "config.queue_size", "3.3",
                 "use config.queue.max_batch_size instead", 1, QUEUE_NOTE)
undeclared(QUEUE_LOGGERS, "config.flush_timeout", "3.3",
                 "use config.queue.max_coalescing_delay instead", 2, QUEUE_NOTE)
# kong/plugins/opentelemetry/schema.lua at 3.3.0 to 3.6.0: the same check over its two batching
# fields.
OTEL_NOTE = "config: a Lua entity check over batch_span_count, batch_flush_delay"
undeclared(["opentelemetry"], "config.batch_span_count", "3.3",
                 "use config.queue.max_batch_size instead", 200, OTEL_NOTE)
undeclared(["opentelemetry"], "config.batch_flush_delay", "3.3",
                 "use config.queue.max_coalescing_delay instead", 3, OTEL_NOTE)
# kong/plugins/pre-function/_schema.lua at 2.6.0 (the first release with the plugin in Kong's own
# tree) to 2.8.0: the custom_validator of `functions` logs that it is deprecated for `access` when
# the list is not empty; 3.0.0 removes the field.
undeclared(["pre-function", "post-function"], "config.functions", "2.6",
                 "use config.access instead (3.0 removes it)", [],
                 "config.functions: a Lua validator")
# kong/plugins/aws-lambda/handler.lua at 2.7.2 and 2.8.0 (CHANGELOG 2.7.2, "deprecated the
# `proxy_scheme` config attribute for removal in 3.0"): any value logs a deprecation; the field
# no longer has an effect (the proxy is always reached as proxy_url says).
undeclared(["aws-lambda"], "config.proxy_scheme", "2.7.2",
                 "it has no effect (proxy_url decides how the proxy is reached); 3.0 removes it")

# Kong Gateway Enterprise 3.10.0.0 changelog (Kong/developer.konghq.com at bc1cd742,
# app/_data/changelogs/gateway.json): "Deprecated `preserve` mode in config.route_type. Use
# config.llm_format instead"; 3.11.0.0 says it again for ai-proxy and ai-proxy-advanced.
undeclared(["ai-proxy"], "config.route_type", "3.10",
           "use config.llm_format (and a route_type of the request's kind) instead", value="preserve")


# Fields and entity checks a patch release added to a minor (the dumps are of each minor's .0
# tag): (plugin, minor, the later dump they are copied from) -> the config fields and the
# entity checks whose if_field is one of them. gatehop keeps one definition per minor, so a minor
# stands for its newest patch here: refusing what the current patch of a release accepts would be
# a false error for everyone who runs it. Kong 3.9.1 (git diff 3.9.0 3.9.3 -- kong/plugins,
# and spec/03-plugins/38-ai-proxy/00-config_spec.lua at 3.9.3, "native llm_format can only use
# llm/v1/chat route_type") added llm_format to ai-proxy (with three entity checks), to
# ai-prompt-decorator and to ai-prompt-guard, as 3.10.0 has them.
PATCH_BACKPORTS = {
    ("ai-proxy", "3.9", "3.10"): ["llm_format"],
    ("ai-prompt-decorator", "3.9", "3.10"): ["llm_format"],
    ("ai-prompt-guard", "3.9", "3.10"): ["llm_format"],
}


def with_patch_backports(name, per_ver, vers):
    """per_ver with the PATCH_BACKPORTS rows for plugin NAME copied into the older minor's dump."""
    for (plugin, minor, later), fields in sorted(PATCH_BACKPORTS.items()):
        if plugin != name:
            continue
        i, j = vers.index(minor), vers.index(later)
        old, new = json.loads(json.dumps(per_ver[i])), per_ver[j]
        have = {f["name"] for f in old["config"]["fields"]}
        for f in new["config"]["fields"]:
            if f["name"] in fields and f["name"] not in have:
                old["config"]["fields"].append(f)
        wanted = {"config." + f for f in fields}
        for c in new.get("entity_checks", []):
            cond = c.get("conditional", {})
            if cond.get("if_field") in wanted and c not in old.get("entity_checks", []):
                old.setdefault("entity_checks", []).append(c)
        per_ver[i] = old
    return per_ver


def version_key(v):
    return [int(x) for x in v.split(".")]


def field_at(config, path):
    """The field a dotted path ("config.x.y") names in one release's config record, or None."""
    f = config
    for part in path.split(".")[1:]:
        f = next((x for x in f.get("fields", []) if x["name"] == part), None)
        if f is None:
            return None
    return f


def with_undeclared(name, p, version):
    """One release's plugin dump with the UNDECLARED_DEPRECATIONS rows that hold there written in as
    `deprecation` attributes (`first_warned`: the row's own release)."""
    rows = [(path, row) for (plugin, path), row in sorted(UNDECLARED_DEPRECATIONS.items())
            if plugin == name and version_key(row["since"]) <= version_key(version)]
    if not rows:
        return p
    p = json.loads(json.dumps(p))
    for path, row in rows:
        f = field_at(p["config"], path)
        if f is not None and "value" in row:
            dep = {"since": row["since"], "message": row["message"]}
            f["one_of"] = [{"value": v, "deprecated": dep} if v == row["value"] else v
                           for v in f["one_of"]]
        elif f is not None and "deprecation" not in f:
            f["deprecation"] = {k: v for k, v in row.items() if k in ("message", "old_default")}
            f["deprecation"]["first_warned"] = row["since"]
    return p


def undeclared_note(plugin, line):
    """A "not expressed" line a UNDECLARED_DEPRECATIONS row accounts for is dropped (None)."""
    covered = any(p == plugin and row["note"] == line for (p, _), row in UNDECLARED_DEPRECATIONS.items())
    return None if covered else line


# Defaults (and values) that Kong Gateway Enterprise releases after the last dump changed in
# bundled plugins' fields, from the per-release plugin schemas of Kong's docs source
# (Kong/developer.konghq.com at bc1cd742, app/_schemas/gateway/plugins/3.12 to 3.14) and the
# 3.13.0.0 and 3.14.0.0 changelogs: (plugin, dotted path in config) -> (release, what the
# field's definition changes to from it on, in the Enterprise edition). The upgrade rules
# (schemas/kong/upgrades.yaml, HOP4013 and HOP4012) say what these changes do to a
# configuration that leaves the field out.
ENTERPRISE_CHANGES = {}
for _p in ["basic-auth", "hmac-auth", "key-auth", "ldap-auth", "oauth2"]:
    ENTERPRISE_CHANGES[(_p, "hide_credentials")] = ("3.14", {"default": True})
for _p in ["ai-prompt-decorator", "ai-prompt-guard", "ai-prompt-template", "ai-proxy",
           "ai-request-transformer", "ai-response-transformer"]:
    ENTERPRISE_CHANGES[(_p, "max_request_body_size")] = ("3.13", {"default": 1048576})
ENTERPRISE_CHANGES.update({
    # 3.14: hmac-sha224 is accepted and the default set drops hmac-sha1.
    ("hmac-auth", "algorithms"): ("3.14", {
        "default": ["hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"],
        "elements": {"type": "string", "one_of": ["hmac-sha1", "hmac-sha224", "hmac-sha256",
                                                  "hmac-sha384", "hmac-sha512"]}}),
    # 3.14: TLS verification on by default.
    ("ldap-auth", "verify_ldap_host"): ("3.14", {"default": True}),
    ("azure-functions", "https_verify"): ("3.14", {"default": True}),
    ("rate-limiting", "redis.ssl_verify"): ("3.14", {"default": True}),
    ("response-ratelimiting", "redis.ssl_verify"): ("3.14", {"default": True}),
    ("acme", "storage_config.redis.ssl_verify"): ("3.14", {"default": True}),
})


def newest(definition):
    """The variant of a field definition that holds in the newest release."""
    return definition[-1] if isinstance(definition, list) else definition


def with_enterprise_changes(name, cfg):
    """The config record with ENTERPRISE_CHANGES applied: the field's newest variant ends at
    the release of the change, and a variant for the Enterprise edition starts there."""
    for (plugin, path), (release, changes) in sorted(ENTERPRISE_CHANGES.items()):
        if plugin != name:
            continue
        parts = path.split(".")
        fields = cfg["fields"]
        for part in parts[:-1]:
            fields = newest(fields[part])["fields"]
        old = fields[parts[-1]]
        last = newest(old)
        if "until" in last:
            raise SystemExit("%s.%s: ENTERPRISE_CHANGES on a field that has gone" % (name, path))
        rest = {k: v for k, v in last.items() if k != "since"}
        closed = dict({"since": last["since"]} if "since" in last else {}, until=release, **rest)
        opened = dict(since=release, editions=EE, **dict(rest, **changes))
        fields[parts[-1]] = (old[:-1] if isinstance(old, list) else []) + [closed, opened]
    return cfg


def expressed(plugin, where, what):
    return EXPRESSED.get((plugin, where), {}).get(what, [] if what == "checks" else {})


# Plugin-level fields of the plugins entity that a plugin schema may redefine.
BASE_PROTOCOLS = {"typedef": "protocols"}
HTTP_PROTOCOLS = ["grpc", "grpcs", "http", "https"]  # both typedefs' default
SCOPE_NOUNS = {"consumer": "a consumer", "service": "a service", "route": "a route"}

# Keys copied as they are, in this order (the order the YAML shows them in).
PLAIN_KEYS = ["required", "default", "eq", "ne", "not_one_of", "one_of", "gt", "between",
              "len_eq", "len_min", "len_max", "starts_with", "contains"]
PATTERN_KEYS = ["not_match", "match_none", "match", "match_all", "match_any"]


class NotTranslatable(Exception):
    pass


# ---- Lua patterns -> PCRE2 ---------------------------------------------------------------

LUA_CLASSES = {
    "a": "A-Za-z", "d": "0-9", "l": "a-z", "u": "A-Z", "s": " \\t\\n\\v\\f\\r",
    "w": "A-Za-z0-9", "x": "0-9A-Fa-f", "p": "!-/:-@\\[-`{-~", "c": "\\x00-\\x1f\\x7f",
}
PCRE_META_OUTSIDE = set("\\{}|")  # literal in Lua, special in PCRE2


def lua_class(ch, in_set):
    """A %x escape as PCRE2: a class body inside a set, else a bracketed class or literal."""
    if ch.lower() in LUA_CLASSES:
        body = LUA_CLASSES[ch.lower()]
        if ch.isupper():
            if in_set:
                raise NotTranslatable("negated class %" + ch + " inside a set")
            return "[^" + body + "]"
        return body if in_set else "[" + body + "]"
    if ch.isalnum():
        raise NotTranslatable("%" + ch)
    return "\\" + ch if not ch.isspace() else ch


def lua_set(p, i):
    """Translates the set starting at p[i] == '['; returns (pcre, next index)."""
    out = "["
    i += 1
    if i < len(p) and p[i] == "^":
        out += "^"
        i += 1
    first = True
    while i < len(p):
        c = p[i]
        if c == "]" and not first:
            return out + "]", i + 1
        first = False
        if c == "%":
            if i + 1 >= len(p):
                raise NotTranslatable("trailing %")
            out += lua_class(p[i + 1], True)
            i += 2
            continue
        if c in "\\[]^":
            out += "\\" + c
        else:
            out += c
        i += 1
    raise NotTranslatable("unclosed set")


def lua_to_pcre(p):
    """Kong matches with string.find/match: unanchored unless ^; $ only at the very end."""
    out = ""
    i = 0
    if p.startswith("^"):
        out = "^"
        i = 1
    while i < len(p):
        c = p[i]
        if c == "%":
            if i + 1 >= len(p):
                raise NotTranslatable("trailing %")
            nxt = p[i + 1]
            if nxt in "bf" or nxt.isdigit():
                raise NotTranslatable("%" + nxt)
            item = lua_class(nxt, False)
            i += 2
        elif c == "[":
            item, i = lua_set(p, i)
        elif c == "$" and i == len(p) - 1:
            out += "\\z"
            i += 1
            continue
        elif c == ".":
            item = "[\\s\\S]"
            i += 1
        elif c in PCRE_META_OUTSIDE or c in "^$":
            item = "\\" + c
            i += 1
        elif c in "()":
            item = c
            i += 1
        else:
            item = c
            i += 1
        if i < len(p) and p[i] in "*+?-" and c not in "()":
            item += "*?" if p[i] == "-" else p[i]
            i += 1
        out += item
    re.compile(out.replace("\\z", "$"))  # a sanity check; the loader compiles with PCRE2
    return out


# ---- one release's field -> gatehop's form ------------------------------------------------

class Notes:
    """The 'not expressed' lines of one plugin file, once each."""

    def __init__(self):
        self.lines = []

    def add(self, text):
        if text not in self.lines:
            self.lines.append(text)


def translate_patterns(src, dst, where, notes):
    for key in PATTERN_KEYS:
        if key not in src:
            continue
        try:
            if key in ("match", "not_match"):
                dst[key] = lua_to_pcre(src[key])
            elif key == "match_any":
                dst[key] = {"patterns": [lua_to_pcre(x) for x in src[key]["patterns"]]}
                if "err" in src[key]:
                    dst[key]["err"] = src[key]["err"]
            else:
                dst[key] = [dict(x, pattern=lua_to_pcre(x["pattern"])) for x in src[key]]
        except NotTranslatable as e:
            notes.add("%s: the Lua pattern of %s (%s)" % (where, key, e))


def shallow(f, where, notes, plugin, part_validator=None, secret=False):
    """Everything of a field except what is merged across releases (fields, checks,
    shorthands, deprecation). part_validator: the validator a typedef gives this field as its
    elements, keys or values (TYPEDEF_PART_VALIDATORS). `secret`: the field is a secret in
    some release."""
    out = {}
    if "type" in f:
        out["type"] = f["type"]
    for key in PLAIN_KEYS:
        if key in f and not (key == "required" and f[key] is False):
            if key == "default" and f[key] is None:
                continue
            out[key] = f[key]
    translate_patterns(f, out, where, notes)
    if f.get("is_regex"):
        out["validator"] = "regex"
    typedef = f.get("typedef")
    if typedef in TYPEDEF_VALIDATORS:
        out["validator"] = TYPEDEF_VALIDATORS[typedef]
    elif part_validator:
        out["validator"] = part_validator
    elif "custom_validator" in f and typedef not in TYPEDEFS_WITHOUT_VALIDATOR:
        what = ("the typedef %s's validator" % typedef) if typedef else "a Lua validator"
        notes.add("%s: %s" % (where, what))
    out.update(expressed(plugin, where, "keys"))
    if "err" in f:
        out["err"] = f["err"]
    if f.get("referenceable"):
        out["referenceable"] = True
    if f.get("encrypted") or secret:
        out["secret"] = True
    if f.get("auto"):
        out["auto"] = True
    # `unique` inside a plugin's configuration is not enforced: Kong checks it only on an
    # entity's own fields (declarative_config.lua's flatten, the DAO's unique lookups), so
    # oauth2's provision_key may repeat across plugins.
    for sub in ("elements", "keys", "values"):
        if sub in f:
            part = TYPEDEF_PART_VALIDATORS.get((typedef, sub))
            out[sub] = whole(f[sub], where + "." + sub, notes, plugin, part)
    return out


def whole(f, where, notes, plugin, part_validator=None):
    """A field of one release, records included (used inside elements, keys and values)."""
    out = shallow(f, where, notes, plugin, part_validator)
    if f.get("type") == "record":
        out["fields"] = {x["name"]: whole(x, where + "." + x["name"], notes, plugin)
                         for x in f.get("fields", [])}
        checks = [convert_check(c, "", where, notes) for c in f.get("entity_checks", [])]
        checks = [c for c in checks if c] + expressed(plugin, where, "checks")
        if checks:
            out["checks"] = checks
        sh = {s["name"]: convert_shorthand(s, plugin, where, notes)
              for s in f.get("shorthand_fields", [])}
        if sh:
            out["shorthands"] = sh
    if "deprecation" in f:
        notes.add("%s: a deprecation inside a list or map value" % where)
    return out


def convert_match(m, where, notes):
    out = {}
    for key in PLAIN_KEYS:
        if key in m:
            out[key] = m[key]
    translate_patterns(m, out, where, notes)
    if "elements" in m:
        out["elements"] = convert_match(m["elements"], where, notes)
    unknown = set(m) - set(PLAIN_KEYS) - set(PATTERN_KEYS) - {"elements"}
    if unknown:
        raise SystemExit("%s: check validators not handled: %s" % (where, sorted(unknown)))
    return out


def strip(name, prefix):
    if prefix and not name.startswith(prefix):
        raise SystemExit("check field %s outside %s" % (name, prefix))
    return name[len(prefix):]


def convert_check(c, prefix, where, notes):
    """A Kong entity check; `prefix` is stripped from field names ("config.")."""
    (kind, v), = c.items()
    if kind == "custom_entity_check":
        notes.add("%s: a Lua entity check over %s" % (
            where, ", ".join(x[len(prefix):] if x.startswith(prefix) else x
                             for x in v.get("field_sources", [])) or "the record"))
        return None
    if isinstance(v, list):
        return {kind: [strip(x, prefix) for x in v]}
    if kind == "mutually_exclusive_sets":
        return {kind: {k: [strip(x, prefix) for x in v[k]] for k in ("set1", "set2")}}
    out = {}
    for key, val in v.items():
        if key in ("if_field", "then_field"):
            out[key] = strip(val, prefix)
        elif key in ("then_at_least_one_of", "else_then_at_least_one_of"):
            out[key] = [strip(x, prefix) for x in val]
        elif key in ("if_match", "then_match", "else_match"):
            out[key] = convert_match(val, where, notes)
        elif key in ("then_err", "else_then_err"):
            out[key] = val
        else:
            raise SystemExit("%s: check key not handled: %s" % (where, key))
    return {kind: out}


def convert_shorthand(s, plugin, where, notes):
    out = {"type": s["type"]}
    if "elements" in s:
        out["elements"] = {"type": s["elements"]["type"]}
    probe = s.get("func_probe", {})
    out["sets"] = probe.get("targets", [])
    vmap = VALUE_MAPS.get((plugin, s["name"]))
    if vmap:
        out["map"] = vmap
    if probe.get("output") is not None and probe.get("input") != probe["output"] and len(out["sets"]) == 1:
        got = probe["output"]
        for part in out["sets"][0].split("."):
            got = got.get(part) if isinstance(got, dict) else None
        if got != probe.get("input") and not vmap:
            notes.add("%s.%s: the shorthand changes the value on the way" % (where, s["name"]))
    if "len_min" in s:
        out["len_min"] = s["len_min"]
    message = deprecation_message(s)
    if message:
        out["deprecated"] = {"message": message}
    return out


def deprecation_message(s):
    """3.7 and later declare a shorthand's deprecation; 3.6 logged it from the shorthand's
    function, which the dump's probe recorded."""
    if "deprecation" in s:
        return without_plugin_prefix(s["deprecation"]["message"])
    calls = s.get("func_probe", {}).get("deprecation_calls")
    return without_plugin_prefix(calls[0][0]) if calls else None


def without_plugin_prefix(message):
    """Kong's messages start with "<plugin>: config.x is deprecated, please"; gatehop's say
    which field is deprecated anyway."""
    message = re.sub(r"^[A-Za-z0-9-]+: ", "", message)
    return re.sub(r"^\S+ is deprecated, please ", "", message)


# ---- releases -> variants -----------------------------------------------------------------

def cond_range(vers, a, b, lo, hi):
    cond = {}
    if a > lo:
        cond["since"] = vers[a]
    if b < hi:
        cond["until"] = vers[b + 1]
    return cond


def runs(present, key):
    """Contiguous runs of release indexes with equal key(index)."""
    out = []
    for i in sorted(present):
        if out and out[-1][1] == i - 1 and key(out[-1][0]) == key(i):
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def ordered_names(per_ver, get_list):
    """Names in the newest release's order; a name only older releases have goes after the
    name it followed there."""
    names = []
    for i in sorted(per_ver, reverse=True):
        prev = None
        for x in get_list(per_ver[i]):
            n = x["name"]
            if n not in names:
                names.insert(names.index(prev) + 1 if prev else 0, n)
            prev = n
    return names


def by_release(vers, defs, lo, hi):
    """defs: release index -> a definition; one definition, or variants by release range."""
    sig = {i: json.dumps(d, sort_keys=True) for i, d in defs.items()}
    out = [dict(cond_range(vers, a, b, lo, hi), **defs[a]) for a, b in runs(defs, lambda i: sig[i])]
    return out[0] if len(out) == 1 else out


class Merger:
    def __init__(self, vers, plugin, notes):
        self.vers = vers
        self.plugin = plugin
        self.notes = notes

    def field(self, per_ver, lo, hi, where):
        """per_ver: release index -> Kong field; lo..hi: the range the parent exists in."""
        # Kong marks a secret `encrypted` (an Enterprise keyring feature) from some release on;
        # its value was as secret before, so gatehop keeps it out of reports in every release.
        secret = any(f.get("encrypted") for f in per_ver.values())
        shallow_of = {i: shallow(f, where, self.notes, self.plugin, secret=secret)
                      for i, f in per_ver.items()}
        sig = {i: json.dumps(s, sort_keys=True) for i, s in shallow_of.items()}
        variants = []
        for a, b in runs(per_ver, lambda i: sig[i]):
            d = dict(cond_range(self.vers, a, b, lo, hi))
            d.update(shallow_of[a])
            span = {i: per_ver[i] for i in range(a, b + 1)}
            if d.get("type") == "record":
                self.record_parts(span, a, b, where, d)
            self.deprecation(span, per_ver, d)
            variants.append(d)
        return variants[0] if len(variants) == 1 else variants

    def deprecation(self, span, per_ver, d):
        """The variant's deprecation, dated by the first release of the unbroken run of
        deprecated releases it belongs to (a variant that starts later because something else
        changed keeps the date), or by the release that first warned when a UNDECLARED_DEPRECATIONS
        row says it was before the first dump."""
        first = next((i for i in sorted(span) if "deprecation" in span[i]), None)
        if first is None:
            return
        dep = span[first]["deprecation"]
        start = first
        while start - 1 in per_ver and "deprecation" in per_ver[start - 1]:
            start -= 1
        since = self.vers[start]
        warned = per_ver[start]["deprecation"].get("first_warned")
        if warned and version_key(warned) < version_key(since):
            since = warned
        out = {"since": since, "message": without_plugin_prefix(dep["message"])}
        if "old_default" in dep:
            out["old_default"] = dep["old_default"]
        d["deprecated"] = out

    def record_parts(self, span, a, b, where, d, check_prefix=""):
        names = ordered_names(span, lambda f: f.get("fields", []))
        fields = {}
        for n in names:
            sub = {i: next(x for x in f.get("fields", []) if x["name"] == n)
                   for i, f in span.items() if any(x["name"] == n for x in f.get("fields", []))}
            fields[n] = self.field(sub, a, b, where + "." + n)
        d["fields"] = fields
        checks = self.conditioned(span, a, b, lambda f: [
            c for c in (convert_check(x, check_prefix, where, self.notes)
                        for x in f.get("entity_checks", [])) if c])
        checks += expressed(self.plugin, where, "checks")
        if checks:
            d["checks"] = checks
        shorthands = self.shorthands(span, a, b, where)
        if shorthands:
            d["shorthands"] = shorthands

    def conditioned(self, span, a, b, items_of):
        """Items (checks) of every release, each with the releases it holds in."""
        seen = []  # (json, item, [indexes])
        for i in sorted(span):
            for item in items_of(span[i]):
                key = json.dumps(item, sort_keys=True)
                for entry in seen:
                    if entry[0] == key:
                        entry[2].append(i)
                        break
                else:
                    seen.append((key, item, [i]))
        out = []
        for key, item, idx in seen:
            for ra, rb in runs(idx, lambda i: 0):
                out.append(dict(cond_range(self.vers, ra, rb, a, b), **item))
        return out

    def shorthands(self, span, a, b, where):
        names = ordered_names(span, lambda f: f.get("shorthand_fields", []))
        out = {}
        for n in names:
            per = {i: next(s for s in f.get("shorthand_fields", []) if s["name"] == n)
                   for i, f in span.items() if any(s["name"] == n for s in f.get("shorthand_fields", []))}
            conv = {i: convert_shorthand(s, self.plugin, where, self.notes) for i, s in per.items()}
            sig = {i: json.dumps(c, sort_keys=True) for i, c in conv.items()}
            rs = runs(per, lambda i: sig[i])
            if len(rs) > 1:
                raise SystemExit("%s.%s: a shorthand that changes between releases" % (where, n))
            ra, rb = rs[0]
            d = dict(cond_range(self.vers, ra, rb, a, b), **conv[ra])
            if "deprecated" in d:
                d["deprecated"] = {"since": self.vers[ra], **d["deprecated"]}
            out[n] = d
        return out


# ---- one plugin ---------------------------------------------------------------------------

def with_db_values(off, db, where):
    """rate-limiting's `cluster` policy exists only with a database: a value Kong accepts in a
    database-backed node (db_export dumps, decK state files) but not in a DB-less kong.yml."""
    if off == db:
        return off
    if off.get("type") == "record" and db.get("type") == "record":
        merged = dict(off)
        dbf = {x["name"]: x for x in db.get("fields", [])}
        merged["fields"] = [with_db_values(x, dbf.get(x["name"], x), where + "." + x["name"])
                            for x in off.get("fields", [])]
        return merged
    rest_off = {k: v for k, v in off.items() if k not in ("one_of", "default")}
    rest_db = {k: v for k, v in db.items() if k not in ("one_of", "default")}
    if rest_off != rest_db or not set(off.get("one_of", [])) <= set(db.get("one_of", [])):
        raise SystemExit("%s: differs with a database in a way not handled" % where)
    merged = dict(off)
    merged["one_of"] = [v if v in off["one_of"] else {"value": v, "flavors": ["dbexport", "deck"]}
                        for v in db["one_of"]]
    return merged


def plugin_file(name, per_ver, vers, source_tags):
    notes = Notes()
    m = Merger(vers, name, notes)
    # A plugin's definitions cover the releases from its first dump to its last; product.yaml's
    # plugin list says which releases bundle it. The releases after the last dump keep its
    # definitions.
    lo, hi = min(per_ver), max(per_ver)
    entity = {}
    protocols = by_release(vers, {i: protocols_def(p, name, notes) for i, p in per_ver.items()}, lo, hi)
    if protocols != BASE_PROTOCOLS:
        entity["protocols"] = protocols
    for scope, noun in SCOPE_NOUNS.items():
        bans = {i: {"typedef": "no_" + scope,
                    "err": "the %s plugin cannot be applied to %s" % (name, noun)}
                for i, p in per_ver.items() if scope in p["forbidden"]}
        if bans:
            entity[scope] = by_release(vers, bans, lo, hi)
    config = {i: p["config"] for i, p in per_ver.items()}
    cfg = {"type": "record"}
    for f in config.values():
        shallow(f, "config", notes, name)  # for its notes: Lua validators of the whole config
    m.record_parts(config, lo, hi, "config", cfg)
    if name in ENTERPRISE_FIELDS:
        cfg.setdefault("fields", {}).update(ENTERPRISE_FIELDS[name])
    with_enterprise_changes(name, cfg)
    plugin_checks = m.conditioned(per_ver, lo, hi, lambda p: [
        c for c in (convert_check(x, "config.", "config", notes) for x in p.get("entity_checks", []))
        if c])
    if plugin_checks:
        cfg["checks"] = cfg.get("checks", []) + plugin_checks
    for key in ("fields", "checks", "shorthands"):
        if key in cfg:
            cfg[key] = cfg.pop(key)
    head = ["# Kong plugin %s: written by schemas/tools/kong/make_plugin_files.py from the schemas of Kong"
            % name,
            "# tags %s (dump_plugin_schemas.sh); regenerate rather than edit." % ", ".join(source_tags[lo:hi + 1])]
    for line in notes.lines:
        line = expressed_note(name, line)
        line = line and undeclared_note(name, line)
        if line:
            head.append("# not expressed: " + line)
    doc = {"plugin": name}
    if entity:
        doc["entity"] = entity
    doc["config"] = cfg
    return "\n".join(head) + "\n" + dump_yaml(doc) + "\n"


def expressed_note(plugin, line):
    """A "not expressed" line as EXPRESSED rewrites it (None: the data says it all)."""
    for (p, _), entry in EXPRESSED.items():
        if p == plugin and line in entry.get("notes", {}):
            return entry["notes"][line]
    return line


def protocols_def(p, name, notes):
    """The plugin's `protocols` field: one of Kong's two typedefs, or written out."""
    f = next((x for x in p["fields"] if x["name"] == "protocols"), None)
    if f is None:  # the plugins entity's own definition applies
        return BASE_PROTOCOLS
    if f.get("typedef") in ("protocols", "protocols_http") and f.get("default") == HTTP_PROTOCOLS:
        return {"typedef": f["typedef"]}
    return whole(f, "protocols", notes, name)


# ---- YAML ---------------------------------------------------------------------------------

PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
YAML11 = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
VERSION_KEYS = {"since", "until"}


def scalar(v, key=None):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if v != int(v) or abs(v) >= 1e15 else str(int(v)) + ".0"
    s = str(v)
    if key not in VERSION_KEYS and PLAIN.match(s) and s.lower() not in YAML11:
        return s
    return json.dumps(s, ensure_ascii=False)


def flow(v, key=None):
    if isinstance(v, dict):
        return "{" + ", ".join("%s: %s" % (scalar(k), flow(x, k)) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    return scalar(v, key)


def has_record(v):
    if isinstance(v, dict):
        return "fields" in v or any(has_record(x) for x in v.values())
    if isinstance(v, list):
        return any(has_record(x) for x in v)
    return False


def block(v, indent, out):
    pad = " " * indent
    if isinstance(v, dict):
        for k, x in v.items():
            line = "%s%s:" % (pad, scalar(k))
            if isinstance(x, (dict, list)) and x and (has_record(x) or len(line + flow(x, k)) > 100):
                out.append(line)
                block(x, indent + 2, out)
            else:
                out.append(line + " " + flow(x, k))
    else:
        for x in v:
            if isinstance(x, dict) and x and (has_record(x) or len(pad + "- " + flow(x)) > 100):
                sub = []
                block(x, indent + 2, sub)
                out.append(pad + "- " + sub[0].lstrip())
                out.extend(sub[1:])
            else:
                out.append(pad + "- " + flow(x))


def dump_yaml(doc):
    out = []
    block(doc, 0, out)
    return "\n".join(out)


# ---- main ---------------------------------------------------------------------------------

def product_versions(repo_root, product="kong"):
    text = open(os.path.join(repo_root, "schemas", product, "product.yaml")).read()
    listed = re.search(r"^versions: \[(.*?)\]", text, re.M | re.S).group(1)
    return re.findall(r'"([0-9.]+)"', listed)


def plugin_name(p):
    """Kong names a plugin by its directory (kong/plugins/NAME), whatever its schema says:
    grpc-gateway 0.1.1 and 0.1.2, bundled with Kong 2.1 to 2.4, call themselves "grpc-gatewat"."""
    return p.get("directory", p["name"])


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    off_dir, db_dir, out_dir = sys.argv[1:]
    repo_root = os.path.normpath(os.path.join(os.path.dirname(__file__), "../../.."))
    vers = product_versions(repo_root)
    tags = sorted((f[:-5] for f in os.listdir(off_dir) if f.endswith(".json")),
                  key=lambda t: [int(x) for x in t.split(".")])
    if [".".join(t.split(".")[:2]) for t in tags] != vers[:len(tags)]:
        sys.exit("dumps %s do not match product.yaml versions %s" % (tags, vers))
    per_plugin = {}
    sources = []
    for i, tag in enumerate(tags):
        off = json.load(open(os.path.join(off_dir, tag + ".json")))
        commit = off["kong_version"]
        sources.append(tag if commit == tag else "%s (commit %s)" % (tag, commit))
        db = json.load(open(os.path.join(db_dir, tag + ".json")))
        if off["failures"] or db["failures"]:
            sys.exit("%s: the dump has failures" % tag)
        dbp = {plugin_name(p): p for p in db["plugins"]}
        for p in off["plugins"]:
            name = plugin_name(p)
            p = dict(p, name=name, config=with_db_values(p["config"], dbp[name]["config"],
                                                         name + "@" + tag))
            p = with_undeclared(name, p, vers[i])
            per_plugin.setdefault(name, {})[i] = p
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(per_plugin):
        per_plugin[name] = with_patch_backports(name, per_plugin[name], vers)
        with open(os.path.join(out_dir, name + ".yaml"), "w") as f:
            f.write(plugin_file(name, per_plugin[name], vers, sources))
    print("wrote %d plugin files to %s" % (len(per_plugin), out_dir))


if __name__ == "__main__":
    main()
