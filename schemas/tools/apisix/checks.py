"""What APISIX's plugins check in Lua on top of their JSON schemas (check_schema and the helpers
it calls), and the little the dumps cannot say otherwise (deprecations APISIX marks only in
comments and logs). make_plugin_files.py applies these rows to each release's translated schema.

PLUGINS maps a plugin name to:
- `read`: the digests (make_plugin_files.digest) of every check_schema body of the plugin that
  does more than run its JSON schema, at every release: each was read in full. A new release
  whose body is not listed stops the generator until it is read.
- `rows`: what those bodies (and their helpers) check, each row with the releases it holds in
  (`since`/`until`, as product.yaml's versions), the scope (`config` unless said) and a path to
  a field: names joined by dots, `[]` for a list's elements, `{key}` / `{value}` for a map's keys
  and values ("" is the scope's record). One action per row:
    set: {keyword: value}     merged into the field's definition
    check: {...}              added to the record's checks
    amend_checks: {...}       merged into every check of the record (unless_metadata)
    field: {...}              the field's whole definition (added when the schema lacks it)
    deprecated: message       the field is deprecated from the row's `since`
    optional: True            skip the row where the field is absent
    note: text                a "not expressed" line (validators not yet written say
                              "(needs validator NAME)"), announced as HOP9005 (ANNOUNCE)
    drop_note: text           a translator note the rows make moot (its text, from the start)
  `src` names the source: file (at the tags the row holds in) and what in it.

Rows that are only warnings in APISIX (3.10+'s check_https / check_tls_bool, log lines) are not
rows: the digest in `read` says the body was read.
"""

import copy

from translate import BIG

# Header names as core.utils.validate_header_field accepts them (printable ASCII except ':'
# and space), values as validate_header_value (printable ASCII and space; numbers pass).
HEADER_NAME = "^[!-9;-~]+$"
HEADER_VALUE = "^[ -~]*$"


def row(path, **kw):
    kw["path"] = path
    return kw


def old_style_headers(plugin, since):
    """check_set_headers, for a `headers` written the old way (a map of names to values, not
    add/set/remove): every name a non-empty header name, every value printable or a number."""
    src = "apisix/plugins/%s.lua check_set_headers" % plugin
    return [
        row("headers{key}", since=since, set={"len_min": 1, "match": HEADER_NAME,
                                               "err": "invalid field character in header"},
            src=src),
        row("headers{value}", since=since, field={"any_of": [
            {"type": "string", "len_min": 0, "match": HEADER_VALUE}, {"type": "number"}]},
            src=src),
        row("", since=since, drop_note="config.headers: APISIX checks only the values", src=src)]


def vkey(v):
    return [int(x) for x in v.split(".")]


def expr_rows(path, src, since=None, until=None, scope="config", **more):
    """expr.new (lua-resty-expr) run on the value at path: 1.3.1 in 2.15, 1.3.2 (with
    `ipmatch`) from 3.0 (rockspec/apisix-*.rockspec at the tags)."""
    out = []
    for lo, hi, name in ((None, "3.0", "apisix_vars_no_ipmatch"), ("3.0", None, "apisix_vars")):
        a = max((v for v in (since, lo) if v), key=vkey, default=None)
        b = min((v for v in (until, hi) if v), key=vkey, default=None)
        if a and b and vkey(a) >= vkey(b):
            continue
        kw = {k: v for k, v in (("since", a), ("until", b)) if v}
        kw.update(more)
        out.append(row(path, scope=scope, set={"validator": name}, src=src, **kw))
    return out


LOG_EXPR_SRC = "apisix/utils/log-util.lua check_log_schema: expr.new"
# Where a release's schema does not declare the field (http-logger before 3.10), the row is
# skipped: gatehop reports the undeclared key already.
LOG_EXPR = (expr_rows("include_req_body_expr", LOG_EXPR_SRC, optional=True)
            + expr_rows("include_resp_body_expr", LOG_EXPR_SRC, optional=True))

# apisix/plugins/serverless/init.lua check_schema: loadstring(code), then pcall of the chunk,
# whose result must be a function. The load is checked; running the chunk is not: announced.
SERVERLESS = [
    row("functions[]", set={"validator": "lua_chunk", "unchecked": "APISIX runs this code when "
        "it checks the plugin: it must run without an error and return a function"},
        src="apisix/plugins/serverless/init.lua check_schema: loadstring, pcall"),
]

def provider_requirements(path):
    """ai-proxy's validate_provider_requirements (3.17+), for a config or an instance: vertex-ai
    needs provider_conf.project_id and .region, or override.endpoint; bedrock needs
    provider_conf.region and auth.aws (Lua truthiness: an empty string counts there, not here)."""
    src = "apisix/plugins/ai-proxy/schema.lua validate_provider_requirements"
    vertex = "vertex-ai requires either provider_conf (project_id + region) or override.endpoint"
    out = [row(path, since="3.17", check={"conditional_at_least_one_of": {
        "if_field": "provider", "if_match": {"one_of": ["vertex-ai"]},
        "then_at_least_one_of": [part, "override.endpoint"], "then_err": vertex}}, src=src)
        for part in ("provider_conf.project_id", "provider_conf.region")]
    out += [row(path, since="3.17", check={"conditional": {
        "if_field": "provider", "if_match": {"one_of": ["bedrock"]},
        "then_field": field, "then_match": {"required": True},
        "then_err": "bedrock requires " + field}}, src=src)
        for field in ("provider_conf.region", "auth.aws")]
    return out


def semantic_balancer():
    """ai-proxy-multi 3.18's check_schema with balancer.algorithm semantic."""
    src = "apisix/plugins/ai-proxy-multi.lua check_schema: algo == \"semantic\""
    semantic = {"if_field": "balancer.algorithm", "if_match": {"one_of": ["semantic"]}}
    azure = dict(semantic, and_if=[{"field": "semantic_opts.embeddings.provider",
                                    "match": {"one_of": ["azure-openai"]}}])
    endpoint = "semantic_opts.embeddings.endpoint"

    def then(cond, field, err=None, **what):
        check = dict(cond, then_field=field, **what)
        if err:
            check["then_err"] = err
        return row("", since="3.18", check={"conditional": check}, src=src)
    return [
        then(semantic, "semantic_opts.embeddings", then_match={"required": True},
             err="must configure `semantic_opts.embeddings` when balancer algorithm is semantic"),
        # endpoint_regex, as for the instances' override.endpoint
        then(semantic, endpoint, then_match={"match": "^https?://[^:/]", "len_min": 0},
             err="invalid `semantic_opts.embeddings.endpoint`"),
        then(azure, endpoint, then_match={"required": True},
             err="must configure `semantic_opts.embeddings.endpoint` when embeddings provider "
                 "is azure-openai"),
        # socket.url.parse: the authority runs to the first '/', the path stops at '?' or ';'
        # (and '#' ends the URL); a path that is empty or "/" is refused
        then(azure, endpoint, then_match={"match": "^[^#]*?//[^/#]*/[^?;#]", "len_min": 0},
             err="`semantic_opts.embeddings.endpoint` for azure-openai must include the full "
                 "deployment path"),
        # examples' items are non-empty strings, at least one: a present list has one
        then(semantic, "instances", then_def={
            "type": "array", "elements": {"type": "record", "open": True, "fields": {
                "examples": {"type": "any", "required": True}}}}),
        row("", since="3.18", check={"names_item": dict(
            semantic, field="semantic_opts.fallback", list="instances", by="name",
            err="`semantic_opts.fallback` names unknown instance %s")}, src=src)]


# limit-count's check_schema (limit-count/init.lua; graphql-limit-count calls it). Once the schema
# has filled in the defaults, a redis policy's sync_interval other than -1 (NO_DELAYED_SYNC, the
# default) is checked.
REDIS_SYNC = {"if_field": "policy", "if_match": {"one_of": ["redis", "redis-cluster",
                                                             "redis-sentinel"]},
              "and_if": [{"field": "sync_interval", "match": {"ne": -1}}]}
LIMIT_COUNT = [
    row("group", note="configs sharing one group must have the same settings (\"group conf "
        "mismatched\", compared across routes)",
        src="apisix/plugins/limit-count/init.lua check_schema"),
    row("rules", since="3.16", set={"unique_items": {
        "by": "key", "err": "duplicate key '%s' in rules"}},
        src="apisix/plugins/limit-count/init.lua check_schema: keys[rule.key]"),
    row("", since="3.18", check={"mutually_exclusive": ["count", "rules"]},
        src="apisix/plugins/limit-count/init.lua check_schema"),
    row("", since="3.18", check={"mutually_exclusive": ["time_window", "rules"]},
        src="apisix/plugins/limit-count/init.lua check_schema"),
    row("", since="3.18", check={"mutually_exclusive": ["group", "rules"]},
        src="apisix/plugins/limit-count/init.lua check_schema"),
    row("", since="3.18", drop_note="config: the oneOf also rejects",
        src="the mutually_exclusive checks above"),
    row("", since="3.18", check={"conditional": dict(
        REDIS_SYNC, then_field="sync_interval", then_match={"between": [0.1, BIG]},
        then_err="sync_interval should not be smaller than 0.1")},
        src="apisix/plugins/limit-count/init.lua check_schema: NO_DELAYED_SYNC"),
    # time_window may be a string (a variable) from 3.16: compared only when a number
    row("", since="3.18", check={"ordered": dict(
        REDIS_SYNC, fields=["sync_interval", "time_window"], strict=True,
        err="sync_interval should be smaller than time_window")},
        src="apisix/plugins/limit-count/init.lua check_schema: NO_DELAYED_SYNC")]


def auth_plugin_item(names_only=False):
    """An item of multi-auth's auth_plugins: auth plugin name -> its configuration."""
    entries = {"form": "keys", "scope": "config", "plugin_type": "auth"}
    if names_only:
        entries["names_only"] = True
    entries.update({"extras": {"typedef": "plugin_extras"}, "err": "%s plugin is not supported"})
    return {"type": "any", "plugin_entries": entries}


# workflow's actions: [name, conf]. `return` has its own schema (return_schema, every release);
# limit-count is built in until 3.12 and registers itself from 3.12, limit-conn from 3.14 (each
# module's workflow_handler); both check the conf against the plugin's schema (limit-conn's
# plain JSON schema, which is all its check_schema runs). workflow sets conf._vid first, and
# limit-count refuses a group then.
WORKFLOW_ACTIONS = {
    "form": "pair", "scope": "config",
    "names": [
        {"value": "return", "definition": {"type": "record", "open": True, "fields": {
            "code": {"type": "integer", "required": True, "between": [100, 599]}}}},
        {"value": "limit-count", "fields": {"group": {"eq": None, "err": "group is not supported"}}},
        {"value": "limit-conn", "since": "3.14"}],
    "extras": {"typedef": "plugin_extras"}, "err": "unsupported action: %s"}


PLUGINS = {
    "acl": dict(read=["b6ead39b"], rows=[
        row("external_user_label_field", note="must parse as a JSONPath expression (needs "
            "validator jsonpath)", src="apisix/plugins/acl.lua check_schema")]),
    "ai-cache": dict(read=["6c8fcdd5"]),
    "ai-lakera-guard": dict(read=["755af5f5"]),   # ai-lakera-guard/schema.lua: the schema only
    "ai-prompt-guard": dict(read=["4d295e5b"], rows=[
        row("allow_patterns[]", set={"validator": "regex"},
            src="apisix/plugins/ai-prompt-guard.lua check_schema: re_compile"),
        row("deny_patterns[]", set={"validator": "regex"},
            src="apisix/plugins/ai-prompt-guard.lua check_schema: re_compile")]),
    "ai-proxy": dict(read=["d07d7e30", "77b67a69", "18b98233", "1640dc70"], rows=[
        row("auth.gcp.service_account_json", since="3.15", set={
            "validator": "json_text", "err": "invalid gcp service_account_json"},
            src="apisix/plugins/ai-proxy.lua check_schema: core.json.decode; from 3.17 not for "
                "a secret reference (secret_references: skip_checks)"),
        *provider_requirements("")]),
    "ai-proxy-multi": dict(read=["7ede1a7e", "216111dc", "a1d84e9b", "349cd824", "a3a3cc54"], rows=[
        # hash_on has a default (vars), so "must configure `hash_on`" never fires; the key
        # schemas are schema_def's upstream_hash_*_schema (get_chash_key_schema)
        *[row("balancer", check={"conditional": dict({
            "if_field": "algorithm", "if_match": {"one_of": ["chash"]},
            "and_if": [{"field": "hash_on", "match": hash_on}], "then_field": "key"}, **then)},
            src="apisix/plugins/ai-proxy-multi.lua check_schema: chash key")
          for hash_on, then in [
            ({"not_one_of": ["consumer"]}, {"then_match": {"required": True}, "then_err":
                "must configure `hash_key` when balancer `hash_on` is not set to cookie"}),
            ({"one_of": ["vars"]}, {"then_match": {"match":
                "^((uri|server_name|server_addr|request_uri|remote_port|remote_addr|query_string"
                "|host|hostname|mqtt_client_id)|arg_[0-9a-zA-z_-]+)$"},
                "then_err": "invalid configuration: key does not name a variable (upstream_hash_"
                            "vars_schema)"}),
            ({"one_of": ["header", "cookie"]}, {"then_match": {"match": "^[a-zA-Z0-9-_]+$"},
                "then_err": "invalid configuration: key is not a header or cookie name "
                            "(upstream_hash_header_schema)"})]],
        # the Lua pattern ^(https?)://([^:/]+):?(%d*)/?.*$ holds when this start does
        row("instances[].override.endpoint", since="3.14", set={
            "match": "^https?://[^:/]", "err": "invalid endpoint"},
            src="apisix/plugins/ai-proxy-multi.lua check_schema: endpoint_regex"),
        row("instances[].auth.gcp.service_account_json", since="3.15", set={
            "validator": "json_text", "err": "invalid gcp service_account_json"},
            src="apisix/plugins/ai-proxy-multi.lua check_schema: core.json.decode; from 3.17 "
                "not for a secret reference (secret_references: skip_checks)"),
        *provider_requirements("instances[]"),
        *semantic_balancer()]),
    "ai-rate-limiting": dict(read=["19f31c08"], rows=[
        # the schema's oneOf (3.16+): {(limit and time_window) or instances} | {rules}
        row("", since="3.16", check={"mutually_exclusive": ["rules", "instances"]},
            src="apisix/plugins/ai-rate-limiting.lua schema: oneOf"),
        row("", since="3.16", check={"conditional": {
            "if_field": "rules", "if_match": {"required": True},
            "and_if": [{"field": "limit", "match": {"required": True}}],
            "then_field": "time_window", "then_match": {"eq": None},
            "then_err": "only one of {limit, time_window} and {rules} may be given (oneOf)"}},
            src="apisix/plugins/ai-rate-limiting.lua schema: oneOf"),
        row("", since="3.16", drop_note="config: the oneOf also rejects", src="the rows above"),
        row("", since="3.17", check={"conditional": {
            "if_field": "limit_strategy", "if_match": {"one_of": ["expression"]},
            "then_field": "cost_expr", "then_match": {"required": True},
            "then_err": "cost_expr is required when limit_strategy is 'expression'"}},
            src="apisix/plugins/ai-rate-limiting.lua check_schema"),
        row("cost_expr", since="3.17", note="must compile as a cost expression",
            src="apisix/plugins/ai-rate-limiting.lua check_schema: compile_cost_expr")]),
    "ai-request-rewrite": dict(read=["180a9aa0"], rows=[
        row("", check={"conditional": {
            "if_field": "provider", "if_match": {"one_of": ["openai-compatible"]},
            "then_field": "override.endpoint", "then_match": {"required": True},
            "then_err": "override.endpoint is required for openai-compatible provider"}},
            src="apisix/plugins/ai-request-rewrite.lua check_schema")]),
    # The schema's oneOf wants model_path + policy_path or model + policy; when it fails,
    # check_schema accepts the config anyway if the plugin has metadata (metadata_schema
    # requires model and policy, and metadata failing it is not loaded) and `username` is set
    # (every release 2.15.3 to 3.18.0). The oneOf's checks hold unless the file's metadata
    # sets both. Not modelled: with that metadata APISIX excuses any other failure of the
    # config too (a wrong type), which gatehop still reports.
    "authz-casbin": dict(read=["18bb05c2"], rows=[
        row("", drop_note="config: the oneOf also rejects",
            src="apisix/plugins/authz-casbin.lua check_schema"),
        row("", amend_checks={"unless_metadata": {"sets": ["model", "policy"]}},
            src="apisix/plugins/authz-casbin.lua check_schema: plugin.plugin_metadata")]),
    "authz-keycloak": dict(read=["2caa7f20"]),
    "cas-auth": dict(read=["040c504f"], rows=[
        row("cookie", since="3.17", check={"conditional": {
            "if_field": "samesite", "if_match": {"one_of": ["None"]},
            "then_field": "secure", "then_match": {"one_of": [True]},
            "then_err": "cookie.secure must be true when cookie.samesite is \"None\""}},
            src="apisix/plugins/cas-auth.lua check_schema")]),
    "chaitin-waf": dict(read=["99be5f8d"], rows=expr_rows(
        "match[].vars", "apisix/plugins/chaitin-waf.lua check_schema: expr.new(m.vars)")),
    "cors": dict(read=["c7188255", "4989739e"], rows=[
        row("", check=c, src="apisix/plugins/cors.lua check_schema")
        for c in [{"conditional": {"if_field": "allow_credential", "if_match": {"one_of": [True]},
                                   "then_field": f, "then_match": {"not_one_of": ["*"]}}}
                  for f in ("allow_origins", "allow_methods", "allow_headers", "expose_headers")]
    ] + [
        row("", since="3.8", check={"conditional": {
            "if_field": "allow_credential", "if_match": {"one_of": [True]},
            "then_field": "timing_allow_origins", "then_match": {"not_one_of": ["*"]}}},
            src="apisix/plugins/cors.lua check_schema"),
        row("allow_origins_by_regex[]", set={"validator": "regex"},
            src="apisix/plugins/cors.lua check_schema: re_compile"),
        row("timing_allow_origins_by_regex[]", since="3.8", set={"validator": "regex"},
            src="apisix/plugins/cors.lua check_schema: re_compile")]),
    "degraphql": dict(read=["9e9748fe"], rows=[
        row("query", note="must parse as GraphQL; with several operations operation_name is "
            "required (needs validator graphql)", src="apisix/plugins/degraphql.lua check_schema")]),
    "error-log-logger": dict(read=["917791ca"]),
    "exit-transformer": dict(read=["2e3df34b"], rows=[
        row("functions[]", set={"validator": "lua_chunk"},
            src="apisix/plugins/exit-transformer.lua check_schema: load(code)")]),
    "fault-injection": dict(read=["2a077e06"], rows=[
        r for part in ("abort", "delay") for r in expr_rows(
            part + ".vars[]", "apisix/plugins/fault-injection.lua check_schema: expr.new of "
            "each item")]),
    "file-logger": dict(read=["4beb2bc0", "228e0425"], rows=[
        *expr_rows("match", "apisix/plugins/file-logger.lua check_schema: expr.new(conf.match)",
                   since="3.5"),
        row("", since="3.15", check={
            "at_least_one_of": ["path"], "unless_metadata": {"sets": ["path"], "err":
                "property \"path\" is not set in either the plugin conf or the metadata"}},
            src="apisix/plugins/file-logger.lua check_schema: get_configured_path")]),
    # check_schema is limit-count's, on limit-count's schema
    "graphql-limit-count": dict(read=["6e1b724f"], rows=LIMIT_COUNT),
    "graphql-proxy-cache": dict(read=["ceddae78"], rows=[
        row("cache_zone", note="must name a proxy_cache zone of config.yaml",
            src="apisix/plugins/graphql-proxy-cache.lua check_schema")]),
    "http-logger": dict(read=["e521fc4f", "2ba76aa9"], rows=LOG_EXPR),
    "ip-restriction": dict(read=["e36068a2"]),   # core.ip.validate_cidr_or_ip: ip_or_cidr
    "jwe-decrypt": dict(read=["70ca3d43", "e7ce4d9a"], rows=[
        row("is_base64_encoded", scope="consumer", set={"default": False},
            src="apisix/plugins/jwe-decrypt.lua check_schema: an absent is_base64_encoded "
                "reads as false"),
        row("", scope="consumer", check={"conditional": {
            "if_field": "is_base64_encoded", "if_match": {"one_of": [False]},
            "then_field": "secret", "then_match": {"len_eq": 32},
            "then_err": "the secret length should be 32 chars"}},
            src="apisix/plugins/jwe-decrypt.lua check_schema"),
        # ngx.base64.decode_base64url decodes the url alphabet up to the first '=' (ngx's
        # ngx_decode_base64url): 32 bytes are 43 such characters; anything else fails.
        row("", scope="consumer", check={"conditional": {
            "if_field": "is_base64_encoded", "if_match": {"one_of": [True]},
            "then_field": "secret", "then_match": {"match": "^[A-Za-z0-9_-]{43}(?:=[\\s\\S]*)?\\z"},
            "then_err": "the secret length after base64 decode should be 32 chars"}},
            src="apisix/plugins/jwe-decrypt.lua check_schema: #base64.decode_base64url(secret)")]),
    "jwt-auth": dict(read=["f27b34a7", "527d3722", "adbcf2e0", "263a028f", "332872bb",
                           "0e218c06", "e59d4814"], rows=[
        row("", scope="consumer", since="3.14", until="3.16", check={"conditional": {
            "if_field": "algorithm", "if_match": {"one_of": ["HS256", "HS512"]},
            "then_field": "secret", "then_match": {"required": True}}},
            src="apisix/plugins/jwt-auth.lua check_schema"),
        row("", scope="consumer", since="3.16", check={"conditional": {
            "if_field": "algorithm", "if_match": {"one_of": ["HS256", "HS384", "HS512"]},
            "then_field": "secret", "then_match": {"required": True}}},
            src="apisix/plugins/jwt-auth.lua check_schema"),
        row("", scope="consumer", since="3.16", check={"conditional": {
            "if_field": "algorithm", "if_match": {"not_one_of": ["HS256", "HS384", "HS512"]},
            "then_field": "public_key", "then_match": {"required": True},
            "then_err": "missing valid public key"}},
            src="apisix/plugins/jwt-auth.lua check_schema"),
        # From 3.17 only when secret is no secret reference: product.yaml's secret_references
        # (skip_checks from 3.17) lets a reference pass the conditional's validator.
        row("", scope="consumer", check={"conditional": {
            "if_field": "base64_secret", "if_match": {"one_of": [True]},
            "then_field": "secret", "then_match": {"validator": "base64"},
            "then_err": "base64_secret required but the secret is not in base64 format"}},
            src="apisix/plugins/jwt-auth.lua check_schema: ngx.decode_base64(conf.secret)")]),
    "kafka-logger": dict(read=["e521fc4f", "584708f1"], rows=LOG_EXPR + [
        row("broker_list", since="3.0", deprecated="write the brokers as "
            "'brokers: [{host: HOST, port: PORT}]'",
            src="apisix/plugins/kafka-logger.lua (\"deprecated, use brokers instead\")")]),
    "ldap-auth": dict(read=["79b7343c", "46ed094a"]),
    "ldap-auth-advanced": dict(read=["00fc8523"], rows=[
        row("", check={"conditional": {
            "if_field": "use_ldaps", "if_match": {"one_of": [True]},
            "then_field": "use_starttls", "then_match": {"not_one_of": [True]},
            "then_err": "use_ldaps and use_starttls are mutually exclusive"}},
            src="apisix/plugins/ldap-auth-advanced.lua check_schema"),
        row("", check={"conditional": {
            "if_field": "bind_dn", "if_match": {"required": True},
            "then_field": "ldap_password", "then_match": {"required": True},
            "then_err": "ldap_password is required when bind_dn is set"}},
            src="apisix/plugins/ldap-auth-advanced.lua check_schema")]),
    "limit-count": dict(read=["23fa3af4", "6e1b724f", "05cb6ed9"], rows=LIMIT_COUNT),
    "loggly": dict(read=["c5bc1471"], rows=LOG_EXPR),
    "loki-logger": dict(read=["e521fc4f", "06369db5"], rows=LOG_EXPR),
    "mocking": dict(read=["70148aff"], rows=[
        row("content_type", set={
            "match": "^(application/xml|application/json|text/plain|text/html|text/xml)"
                     "(;[ -:<-~]*)?$", "err": "unsupported content type!"},
            src="apisix/plugins/mocking.lua check_schema: support_content_type, "
                "parse_content_type")]),
    # Each item is walked with pairs(): every key names a plugin whose module says type 'auth'
    # (require() until 3.12, plugin.get() from 3.12: either way an unknown name is refused),
    # and from 3.10 that plugin's check_schema checks its value against the plugin's schema
    # (the second argument, a table, is no consumer or metadata type). A non-table item
    # raises a Lua error; an empty one has no key.
    "multi-auth": dict(read=["f21cd9c9", "84639a3c", "3727858a"], rows=[
        row("auth_plugins[]", until="3.10", field=auth_plugin_item(names_only=True),
            src="apisix/plugins/multi-auth.lua check_schema: require, auth.type"),
        row("auth_plugins[]", since="3.10", field=auth_plugin_item(),
            src="apisix/plugins/multi-auth.lua check_schema: auth.check_schema")]),
    "oas-validator": dict(read=["266381bf"], rows=[
        # the plugin is bundled from 3.17, where a secret reference skips the field's checks
        row("spec", set={"validator": "json_text", "err": "invalid JSON string provided"},
            src="apisix/plugins/oas-validator.lua check_schema: core.json.decode")]),
    "openid-connect": dict(read=["d7e23d65", "04e9ce6f", "b64fa2ba", "27463f62", "f89d23f4",
                                 "604df8e8"], rows=[
        # check_schema turns the old spelling "no" into false before validating
        row("ssl_verify", replace_type={"any_of": [{"type": "boolean"},
                                                   {"type": "string", "one_of": ["no"]}]},
            src="apisix/plugins/openid-connect.lua check_schema"),
        row("", since="3.14", check={"conditional": {
            "if_field": "bearer_only", "if_match": {"one_of": [False]},
            "then_field": "session", "then_match": {"required": True},
            "then_err": "property \"session.secret\" is required when \"bearer_only\" is false"}},
            src="apisix/plugins/openid-connect.lua check_schema"),
        row("claim_schema", since="3.14", note="must compile as a JSON schema (from 3.17 not "
            "when a secret reference)", src="apisix/plugins/openid-connect.lua check_schema"),
        # client_secret_optional, both halves. check_schema reads them before the schema fills
        # in defaults; the defaults (false, client_secret_basic) read as absent ones do.
        row("", since="3.17", check={"conditional": {
            "if_field": "bearer_only", "if_match": {"one_of": [False]},
            "and_if": [{"field": "token_endpoint_auth_method",
                        "match": {"not_one_of": ["private_key_jwt"]}},
                       {"field": "use_pkce", "match": {"one_of": [False]}}],
            "then_field": "client_secret", "then_match": {"required": True},
            "then_err": "property \"client_secret\" is required"}},
            src="apisix/plugins/openid-connect.lua check_schema: client_secret_optional"),
        row("", since="3.17", check={"conditional": {
            "if_field": "bearer_only", "if_match": {"one_of": [True]},
            "and_if": [{"field": "use_jwks", "match": {"one_of": [False]}},
                       {"field": "introspection_endpoint_auth_method",
                        "match": {"not_one_of": ["private_key_jwt"]}}],
            "unless_set": "public_key",
            "then_field": "client_secret", "then_match": {"required": True},
            "then_err": "property \"client_secret\" is required"}},
            src="apisix/plugins/openid-connect.lua check_schema: client_secret_optional")] + [
        row(name, since="3.18", field={"type": "any", "eq": None, "err":
            "property \"%s\" is not allowed, use \"%s\" instead" % (name, owner)},
            src="apisix/plugins/openid-connect.lua check_schema: reserved_flat_opts")
        for name, owner in [("use_par", "par.enabled"),
                            ("pushed_authorization_request_endpoint", "par.endpoint"),
                            ("pushed_authorization_request_endpoint_auth_method",
                             "par.endpoint_auth_method"),
                            ("use_dpop", "dpop.enabled"), ("dpop_signing_alg", "dpop.signing_alg"),
                            ("dpop_private_key", "dpop.private_key"),
                            ("dpop_public_jwk", "dpop.public_jwk")]] + [
        row("dpop", since="3.18", note="with enabled, public_jwk must be an EC (crv, x, y) or "
            "RSA (e, n) key whose kty/crv fit signing_alg and that is the public half of "
            "private_key", src="apisix/plugins/openid-connect.lua check_dpop_key"),
        row("client_jwt_assertion_alg", since="3.18", note="must fit the auth methods in use "
            "(HS* with client_secret_jwt, RS*/ES* with private_key_jwt, the key's type and "
            "curve); par.endpoint_auth_method private_key_jwt / client_secret_jwt needs "
            "client_rsa_private_key / client_secret",
            src="apisix/plugins/openid-connect.lua check_client_jwt_assertion_alg, "
                "check_par_auth_method")]),
    "opentelemetry": dict(read=["9d4da34c"]),
    "proxy-cache": dict(read=["b5328874", "80a862ca"], rows=[
        row("cache_key[]", set={"not_one_of": ["$request_method"],
                                "err": "cache_key variable $request_method unsupported"},
            src="apisix/plugins/proxy-cache/init.lua check_schema"),
        row("cache_zone", note="must name a proxy_cache zone of config.yaml (from 3.6 one of "
            "the cache_strategy's kind: disk or memory)",
            src="apisix/plugins/proxy-cache/init.lua check_schema")]),
    "proxy-rewrite": dict(read=["84eb4233", "0a319f41", "35bd3eea", "62d6d2e7"], rows=[
        row("headers", until="3.1", field={
            "type": "map", "len_min": 1, "keys": {"type": "string", "match": HEADER_NAME},
            "values": {"any_of": [{"type": "string", "len_min": 0, "match": HEADER_VALUE},
                                  {"type": "number"}]}},
            src="apisix/plugins/proxy-rewrite.lua check_schema: every header a non-empty name "
                "of header characters and a string or number value of printable characters"),
        # before 3.4 only the first pair is compiled, but the schema allows only two items
        row("regex_uri", set={"validator": "apisix_regex_pairs"},
            src="apisix/plugins/proxy-rewrite.lua check_schema: re_sub of each pair, the even "
                "length from 3.4"),
    ] + old_style_headers("proxy-rewrite", "3.1")),
    "real-ip": dict(read=["0ed96721"]),   # core.ip.validate_cidr_or_ip: ip_or_cidr (ip_def)
    "redirect": dict(read=["44458aa5", "cbcd3f07", "2644b7fe"], rows=[
        # 2.15's oneOf: {uri} | {regex_uri} | {http_to_https, without append_query_string};
        # uri and regex_uri are mutually exclusive already: with http_to_https present (true
        # or false), append_query_string must be too, so the third branch does not fit
        *[row("", until="3.0", check={"conditional": {
            "if_field": "http_to_https", "if_match": {"required": True},
            "and_if": [{"field": f, "match": {"required": True}}],
            "then_field": "append_query_string", "then_match": {"required": True},
            "then_err": "only one of uri, regex_uri and http_to_https (without "
                        "append_query_string) may be given (oneOf)"}},
            src="apisix/plugins/redirect.lua schema: oneOf (2.15.3)") for f in ("uri", "regex_uri")],
        row("", until="3.0", drop_note="config: the oneOf also rejects", src="the rows above"),
        row("regex_uri", set={"validator": "apisix_regex_pairs"},
            src="apisix/plugins/redirect.lua check_schema: re_sub (the schema allows two items)"),
        row("", since="3.0", check={"conditional": {
            "if_field": "http_to_https", "if_match": {"one_of": [True]},
            "then_field": "append_query_string", "then_match": {"not_one_of": [True]},
            "then_err": "only one of `http_to_https` and `append_query_string` can be "
                        "configured."}},
            src="apisix/plugins/redirect.lua check_schema")]),
    "request-validation": dict(read=["dd89e86f", "9039f5a1"], rows=[
        row("body_schema", note="body_schema and header_schema must compile as JSON schemas "
            "(from 3.17 not when secret references)",
            src="apisix/plugins/request-validation.lua check_schema")]),
    "response-rewrite": dict(read=["3fcd6eae", "f7ff44e2", "922b52ec"], rows=[
        row("headers", until="3.0", field={
            "type": "map", "len_min": 1, "keys": {"type": "string"},
            "values": {"any_of": [{"type": "string", "len_min": 0}, {"type": "number"}]}},
            src="apisix/plugins/response-rewrite.lua check_schema: every header a non-empty "
                "name and a string or number value"),
    ] + old_style_headers("response-rewrite", "3.0") + [
        row("", check={"conditional": {
            "if_field": "body_base64", "if_match": {"one_of": [True]},
            "then_field": "body", "then_match": {"required": True, "len_min": 1,
                                                 "validator": "base64"},
            "then_err": "invalid base64 content"}},
            src="apisix/plugins/response-rewrite.lua check_schema: ngx.decode_base64(conf.body); "
                "from 3.17 not for a secret reference (secret_references: skip_checks)"),

        *expr_rows("vars", "apisix/plugins/response-rewrite.lua check_schema: expr.new"),
        row("filters[].regex", set={"validator": "regex"},
            src="apisix/plugins/response-rewrite.lua check_schema: re_compile"),
        row("filters[].options", set={"match": "^[adDijJmosuUx]*$"},
            src="apisix/plugins/response-rewrite.lua check_schema: re_compile's options "
                "(ngx.re's option letters)")]),
    "rocketmq-logger": dict(read=["e521fc4f", "a2050ec0"], rows=LOG_EXPR),
    "saml-auth": dict(read=["9614b30a"]),
    "serverless-post-function": dict(read=["867fe695"], rows=SERVERLESS),
    "serverless-pre-function": dict(read=["867fe695"], rows=SERVERLESS),
    "sls-logger": dict(read=["93195adc"]),
    "syslog": dict(read=["8d32b895"]),
    "tencent-cloud-cls": dict(read=["e521fc4f"], rows=LOG_EXPR),
    "traffic-label": dict(read=["739a1c42"], rows=[
        *expr_rows("rules[].match", "apisix/plugins/traffic-label.lua check_schema: "
                   "expr.new(rule.match or {})"),
        # every key but weight names an action of support_action (set_headers only), whose
        # check wraps the value as proxy-rewrite's `headers`
        row("rules[].actions[]", set={"plugin_entries": {
            "form": "keys", "scope": "config", "skip": ["weight"],
            "names": [{"value": "set_headers", "plugin": "proxy-rewrite", "field": "headers"}],
            "err": "not supported action: %s"}},
            src="apisix/plugins/traffic-label.lua check_schema: support_action, "
                "check_set_headers_schema")]),
    "traffic-split": dict(read=["dfbc2e0b"], rows=[
        # apisix/stream/plugins/traffic-split.lua (from 3.14) takes the HTTP check_schema
        r for scope in ("config", "stream") for r in expr_rows(
            "rules[].match[].vars", "apisix/plugins/traffic-split.lua check_schema: "
            "expr.new(m.vars)", scope=scope)]),
    "ua-restriction": dict(read=["a4957e96"], rows=[
        row("allowlist[]", set={"validator": "regex"},
            src="apisix/plugins/ua-restriction.lua check_schema: re_compile"),
        row("denylist[]", set={"validator": "regex"},
            src="apisix/plugins/ua-restriction.lua check_schema: re_compile")]),
    "uri-blocker": dict(read=["74273453"], rows=[
        row("block_rules[]", set={"validator": "regex"},
            src="apisix/plugins/uri-blocker.lua check_schema: re_compile")]),
    "workflow": dict(read=["68fdcd44", "eb20f3b9", "ad3a66f1"], rows=[
        # From 3.14 check_schema tests the wrong variable after expr.new (`if not ok`, the
        # schema check's result): a case lua-resty-expr refuses passes.
        *expr_rows("rules[].case", "apisix/plugins/workflow.lua check_schema: expr.new(rule.case)",
                   until="3.14"),
        row("rules[].actions[]", set={"plugin_entries": WORKFLOW_ACTIONS},
            src="apisix/plugins/workflow.lua check_schema: support_action; limit-count and "
                "limit-conn register themselves (workflow_handler) from 3.12")]),
}

# When a scope-level "not expressed" line (or one whose field-level announcement would say too
# little) is announced (HOP9005): plugin -> [(the note's text from its start, path of the
# record the check goes in, [conditions: {if_field, if_match, and_if?}])]. Every other line
# with a field path is announced when that field is set (the field's `unchecked`).
ANNOUNCE = {}


def announcements(name, text):
    """(path, conditions) for a note announced otherwise than on its field, or None."""
    for prefix, path, conds in ANNOUNCE.get(name, []):
        if text.startswith(prefix):
            return path, conds
    return None


# Deprecations APISIX writes only in comments or logs (the schema still accepts the field).
DEPRECATED = {
    "clickhouse-logger": [row("endpoint_addr", since="3.0", deprecated="write 'endpoint_addrs: [URI]'",
                              src="apisix/plugins/clickhouse-logger.lua (\"deprecated, use "
                                  "endpoint_addrs instead\")")],
    "elasticsearch-logger": [row("endpoint_addr", since="3.2",
                                 deprecated="write 'endpoint_addrs: [URI]'",
                                 src="apisix/plugins/elasticsearch-logger.lua (\"deprecated, use "
                                     "endpoint_addrs instead\")")],
    "openid-connect": [row("session.cookie.lifetime", since="3.17",
                           deprecated="write 'session.absolute_timeout'",
                           src="apisix/plugins/openid-connect.lua (session.cookie.lifetime is "
                               "deprecated, mapped to absolute_timeout)")],
}

# Where a plugin module's `schema` is not the schema itself: ai-proxy 3.11 exports its schema
# module, whose `plugin_schema` is what check_schema validates against (apisix/plugins/ai-proxy.lua
# and ai-proxy/schema.lua at 3.11.0).
SCHEMA_AT = {("ai-proxy", "3.11", "schema"): "plugin_schema"}


def holds(r, version):
    if "since" in r and vkey(version) < vkey(r["since"]):
        return False
    if "until" in r and vkey(version) >= vkey(r["until"]):
        return False
    return True


def schema_at(name, version, key):
    return SCHEMA_AT.get((name, version, key))


def schema_used(name, version, scope, mod):
    """Which schema check_schema validates a consumer's or plugin metadata's configuration
    against: the probe's answer, or, where check_schema failed or refused the empty probe
    before it reached its JSON schema, the schema of that scope if the module has one and
    check_schema names its type (else the config schema)."""
    used = (mod.get("schema_used") or {}).get(scope, "schema")
    if used.startswith(("error", "refused")) or used == "other":
        key = scope + "_schema"
        text = (mod.get("check_schema") or {}).get("text", "")
        return key if key in mod and ("TYPE_" + scope.upper()) in text else "schema"
    return used


def secret_paths(plugin):
    """Dotted paths (scope-relative) APISIX encrypts at rest in any release: secrets always."""
    out = set()
    for table in (plugin.http, plugin.stream):
        for mod in table.values():
            for key in ("schema", "consumer_schema", "metadata_schema"):
                s = mod.get(key)
                if isinstance(s, dict):
                    for f in s.get("encrypt_fields", []) or []:
                        out.add(f)
    return out


def reviewed(name, dg):
    return dg in PLUGINS.get(name, {}).get("read", ())


# ---- applying rows --------------------------------------------------------------------------

def steps(path):
    out = []
    for part in path.split(".") if path else []:
        while part:
            if part.endswith("[]"):
                out.append(("field", part[:-2]) if part[:-2] else None)
                out.append(("elements",))
                part = ""
            elif part.endswith("{key}") or part.endswith("{value}"):
                brace = part.index("{")
                if part[:brace]:
                    out.append(("field", part[:brace]))
                out.append(("keys",) if part.endswith("{key}") else ("values",))
                part = ""
            else:
                out.append(("field", part))
                part = ""
    return [s for s in out if s]


def locate(d, path, create=False):
    """The definition at path inside d (a record), or None."""
    node = d
    parts = steps(path)
    for i, st in enumerate(parts):
        if node is None:
            return None
        if st[0] == "field":
            fields = node.get("fields")
            if fields is None:
                return None
            if st[1] not in fields:
                if create and i == len(parts) - 1:
                    fields[st[1]] = {}
                else:
                    return None
            node = fields[st[1]]
        else:
            node = node.get(st[0])
    return node


def apply(name, scope, version, d, notes):
    """One release's translated definition of one scope, with the plugin's rows applied."""
    rows = PLUGINS.get(name, {}).get("rows", []) + DEPRECATED.get(name, [])
    d = copy.deepcopy(d)
    for r in rows:
        if r.get("scope", "config") != scope or not holds(r, version):
            continue
        where = scope + ("." + r["path"] if r["path"] else "")
        if "note" in r:
            notes.add("%s: %s" % (where, r["note"]))
            continue
        if "drop_note" in r:
            notes.drop(r["drop_note"])
            continue
        target = locate(d, r["path"], create="field" in r)
        if target is None and r.get("optional"):
            continue
        if target is None:
            raise SystemExit("%s %s: no field %s at %s" % (name, scope, r["path"], version))
        if "set" in r:
            target.update(r["set"])
        elif "replace_type" in r:
            keep = {k: v for k, v in target.items() if k in ("default", "required", "secret")}
            target.clear()
            target.update(r["replace_type"])
            target.update(keep)
        elif "field" in r:
            target.clear()
            target.update(r["field"])
        elif "amend_checks" in r:
            for chk in target.get("checks", []):
                chk.update(copy.deepcopy(r["amend_checks"]))
        elif "check" in r:
            target.setdefault("checks", [])
            if r["check"] not in target["checks"]:
                target["checks"].append(r["check"])
        elif "deprecated" in r:
            target["deprecated"] = {"since": r["since"], "message": r["deprecated"]}
        else:
            raise SystemExit("%s: a row without an action: %r" % (name, r))
    return d
