-- Stand-ins for what an APISIX plugin module reaches while it loads besides
-- the tables its schemas are made of: OpenResty (ngx, resty.*), C libraries,
-- the runtime parts of APISIX itself (apisix.core's request, response, config
-- and cache layers, apisix.plugin, apisix.consumer, timers, ...), and the
-- third-party Lua libraries plugins use at request time.
--
-- Built on the Kong dumper's stubs (../kong/stubs.lua): the same `module`,
-- `functions` and `fn` helpers, the same LuaJIT table extras, the same rule.
-- Evaluating a plugin module builds tables; functions it only captures are
-- never run, so a named stand-in is enough for them. A stand-in called while
-- modules load raises an error, so a new load-time dependency shows up instead
-- of producing a wrong table; reading a key that no stand-in lists is recorded
-- as a miss. The few runtime calls APISIX modules do make at load time (a
-- cache or a context variable registered, a shared dict looked up, a
-- batch processor's name given) are listed below, each doing nothing visible
-- to the schemas, with the reason it is enough.
--
-- This file is written for gatehop; no APISIX code is copied into it.

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local S = dofile(here .. "/../kong/stubs.lua")
local module, functions, fn = S.module, S.functions, S.fn

local function noop() end

-- A function check_schema may call while dump.lua probes it (logging helpers,
-- the https warnings of 3.10+, a random session secret): it returns `ret`
-- then, and errors like any stand-in while modules load.
local function during_probe(qualname, ret)
  return function()
    if not S.validated then
      error("stub " .. qualname .. " was called while loading schemas", 2)
    end
    return ret
  end
end
S.during_probe = during_probe

-- Kong's builders stay (the LuaJIT table extras, cjson, Penlight's tablex and
-- stringx are the same libraries here); APISIX's are added.
local M = S.modules

-- apisix.* modules that are loaded from the tree (the schema data, helper
-- modules that build plugin schemas) unless listed here or below.
S.tree_prefix = "apisix"

------------------------------------------------------------------------------
-- ngx: load time reads constants (log levels, HTTP methods and statuses that
-- build enums such as proxy-rewrite's `method`), ngx.null, and the subsystem;
-- the rest is captured for request time.

local HTTP_METHODS = {
  GET = 2, HEAD = 4, POST = 8, PUT = 16, DELETE = 32, MKCOL = 64, COPY = 128,
  MOVE = 256, OPTIONS = 512, PROPFIND = 1024, PROPPATCH = 2048, LOCK = 4096,
  UNLOCK = 8192, PATCH = 16384, TRACE = 32768,
}

local function make_ngx()
  local t = {
    null = S.NULL,
    STDERR = 0, EMERG = 1, ALERT = 2, CRIT = 3, ERR = 4, WARN = 5, NOTICE = 6,
    INFO = 7, DEBUG = 8,
    OK = 0, ERROR = -1, AGAIN = -2, DONE = -4, DECLINED = -5,
    log = noop,
    say = fn("ngx.say"), print = fn("ngx.print"), exit = fn("ngx.exit"),
    re = functions("ngx.re", { "find", "match", "gmatch", "sub", "gsub", "split", "opt" }),
    req = functions("ngx.req", {
      "get_headers", "set_header", "clear_header", "get_method", "set_method",
      "get_uri_args", "set_uri_args", "set_uri", "read_body", "get_body_data",
      "get_body_file", "set_body_data", "get_post_args", "http_version",
      "start_time", "raw_header", "init_body", "append_body", "finish_body",
      "discard_body", "socket", "is_internal",
    }),
    resp = functions("ngx.resp", { "get_headers" }),
    header = {}, var = {}, ctx = {}, arg = {}, status = 0,
    -- shared dicts: several plugins look theirs up at load and refuse to load
    -- without it (api-breaker, the prometheus exporter); any name gives a
    -- stand-in dict, used only per request
    shared = setmetatable({}, { __index = function(t, k)
      local d = functions("ngx.shared." .. tostring(k), {
        "get", "get_stale", "set", "safe_set", "add", "safe_add", "replace", "delete",
        "incr", "lpush", "rpush", "lpop", "rpop", "llen", "ttl", "expire",
        "flush_all", "flush_expired", "get_keys", "capacity", "free_space",
      })
      rawset(t, k, d)
      return d
    end }),
    config = module("ngx.config", {
      subsystem = "http", ngx_lua_version = 10025, nginx_version = 1025003,
      prefix = fn("ngx.config.prefix"), is_console = false,
      nginx_configure = fn("ngx.config.nginx_configure"), debug = false,
    }),
    worker = functions("ngx.worker", { "id", "pid", "count", "exiting", "pids" }),
    timer = functions("ngx.timer", { "at", "every", "running_count", "pending_count" }),
    location = functions("ngx.location", { "capture", "capture_multi" }),
    thread = functions("ngx.thread", { "spawn", "wait", "kill" }),
    socket = functions("ngx.socket", { "tcp", "udp", "stream", "connect" }),
    now = fn("ngx.now"), time = fn("ngx.time"), update_time = fn("ngx.update_time"),
    today = fn("ngx.today"), localtime = fn("ngx.localtime"), utctime = fn("ngx.utctime"),
    http_time = fn("ngx.http_time"), cookie_time = fn("ngx.cookie_time"),
    parse_http_time = fn("ngx.parse_http_time"),
    md5 = fn("ngx.md5"), md5_bin = fn("ngx.md5_bin"),
    -- the redis rate limiters hash their Lua scripts at load (a script digest,
    -- no schema data)
    sha1_bin = function(s) return "<sha1 of a script>" end,
    crc32_short = fn("ngx.crc32_short"), crc32_long = fn("ngx.crc32_long"),
    hmac_sha1 = fn("ngx.hmac_sha1"),
    encode_base64 = during_probe("ngx.encode_base64", "<base64>"),
    decode_base64 = fn("ngx.decode_base64"),
    decode_base64mime = fn("ngx.decode_base64mime"),
    escape_uri = fn("ngx.escape_uri"), unescape_uri = fn("ngx.unescape_uri"),
    encode_args = fn("ngx.encode_args"), decode_args = fn("ngx.decode_args"),
    quote_sql_str = fn("ngx.quote_sql_str"),
    sleep = fn("ngx.sleep"), flush = fn("ngx.flush"), eof = fn("ngx.eof"),
    redirect = fn("ngx.redirect"), exec = fn("ngx.exec"), on_abort = fn("ngx.on_abort"),
    send_headers = fn("ngx.send_headers"), headers_sent = false,
    is_subrequest = false,
    get_phase = function() return "init" end,  -- modules load in the init phase
  }
  for k, v in pairs(HTTP_METHODS) do t["HTTP_" .. k] = v end
  for _, code in ipairs({ 100, 101, 200, 201, 202, 204, 206, 300, 301, 302, 303,
                          304, 307, 308, 400, 401, 402, 403, 404, 405, 406, 408,
                          409, 410, 411, 412, 413, 414, 415, 416, 429, 444, 494,
                          495, 496, 497, 499, 500, 501, 502, 503, 504, 505, 507 }) do
    t["HTTP_" .. code] = code
  end
  local named = {
    HTTP_CONTINUE = 100, HTTP_SWITCHING_PROTOCOLS = 101, HTTP_OK = 200,
    HTTP_CREATED = 201, HTTP_ACCEPTED = 202, HTTP_NO_CONTENT = 204,
    HTTP_PARTIAL_CONTENT = 206, HTTP_SPECIAL_RESPONSE = 300,
    HTTP_MOVED_PERMANENTLY = 301, HTTP_MOVED_TEMPORARILY = 302, HTTP_SEE_OTHER = 303,
    HTTP_NOT_MODIFIED = 304, HTTP_TEMPORARY_REDIRECT = 307,
    HTTP_PERMANENT_REDIRECT = 308, HTTP_BAD_REQUEST = 400, HTTP_UNAUTHORIZED = 401,
    HTTP_PAYMENT_REQUIRED = 402, HTTP_FORBIDDEN = 403, HTTP_NOT_FOUND = 404,
    HTTP_NOT_ALLOWED = 405, HTTP_NOT_ACCEPTABLE = 406, HTTP_REQUEST_TIMEOUT = 408,
    HTTP_CONFLICT = 409, HTTP_GONE = 410, HTTP_UPGRADE_REQUIRED = 426,
    HTTP_TOO_MANY_REQUESTS = 429, HTTP_CLOSE = 444, HTTP_ILLEGAL = 451,
    HTTP_INTERNAL_SERVER_ERROR = 500, HTTP_METHOD_NOT_IMPLEMENTED = 501,
    HTTP_BAD_GATEWAY = 502, HTTP_SERVICE_UNAVAILABLE = 503,
    HTTP_GATEWAY_TIMEOUT = 504, HTTP_VERSION_NOT_SUPPORTED = 505,
    HTTP_INSUFFICIENT_STORAGE = 507,
  }
  for k, v in pairs(named) do t[k] = v end
  return module("ngx", t)
end

S.ngx = make_ngx()

------------------------------------------------------------------------------
-- apisix.core: the facade every plugin requires. Its schema part is real (the
-- module core.lua names, loaded from the tree: apisix.schema_def in 2.15,
-- apisix.core.schema, which reads through to schema_def, in 3.x) and so is
-- its table part (copies and merges build schemas); the rest is runtime.

-- A cache constructor: plugins build their caches at load time. A cache is a
-- memo: calling it runs the function that makes the value (core.schema's
-- validator cache does so when dump.lua probes check_schema, below).
local function memo(_, _, create, ...)
  return create(...)
end

local function lrucache_module(name)
  return functions(name, {}, {
    new = function() return memo end,
    plugin_ctx = fn(name .. ".plugin_ctx"),
    plugin_ctx_id = fn(name .. ".plugin_ctx_id"),
    global = fn(name .. ".global"),
  })
end

local function log_module(name)
  local t = {}
  for _, lvl in ipairs({ "stderr", "emerg", "alert", "crit", "error", "warn",
                         "notice", "info", "debug" }) do
    t[lvl] = noop
  end
  t.new = function() return t end
  t.delay_exec = fn(name .. ".delay_exec")
  t.levels = { stderr = 0, emerg = 1, alert = 2, crit = 3, error = 4, warn = 5,
               notice = 6, info = 7, debug = 8 }
  return module(name, t)
end

-- core.ctx.register_var: plugins register request variables at load time; the
-- getter only runs per request.
local function ctx_module(name)
  return functions(name, { "set_vars_meta", "release_vars", "get_var" }, {
    register_var = noop,
  })
end

-- The json facade: null and the empty-array markers are read at load time.
local function json_module(name)
  return functions(name, { "decode", "stably_encode", "get_json_field" }, {
    encode = during_probe(name .. ".encode", "<json>"),
    delay_encode = during_probe(name .. ".delay_encode", "<json>"),
    null = S.NULL, array_mt = S.ARRAY_MT, empty_array = S.EMPTY_ARRAY,
  })
end

S.core_parts = {
  log = log_module, lrucache = lrucache_module, ctx = ctx_module, json = json_module,
}

-- The facade, given the module names core.lua lists for each part. A part
-- core.lua does not name by a require (`utils = utils`) is a stand-in.
function S.make_core(parts, req)
  local t = {}
  parts.utils = parts.utils or "apisix.core.utils"
  parts.log = parts.log or "apisix.core.log"
  for key, modname in pairs(parts) do
    local make = S.core_parts[key]
    if make then
      t[key] = make("apisix.core." .. key)
    elseif key == "schema" or key == "table" or key == "string" or key == "utils"
        or key == "id" then
      t[key] = req(modname)
    else
      t[key] = module("apisix.core." .. key)
    end
  end
  t.sleep = fn("apisix.core.sleep")
  return module("apisix.core", t)
end

-- apisix.core.string: FFI declarations at load; its helpers run per request,
-- except compress_script, which limit-req's redis helper calls at load to
-- shrink a Redis script (the script is no schema data: returned as given).
M["apisix.core.string"] = function(name)
  return functions(name, {
    "has_prefix", "has_suffix", "rfind_char", "split", "find", "rfind", "trim", "format",
    "get_uri",
  }, { compress_script = function(s) return s end })
end

-- apisix.core.id: node-status reads the node's id at load (shown per request).
M["apisix.core.id"] = function(name)
  return functions(name, { "init", "gen_uuid_v4", "set" }, {
    get = function() return "<node id>" end,
  })
end

-- Objects that plugins construct at load from third-party libraries and use
-- per request: a cipher (jwe-decrypt), a JSON codec (zipkin), a flatbuffers
-- builder (ext-plugin), an OpenTelemetry context (opentelemetry). Each
-- constructor returns a stand-in object whose methods error when called.
local function object(name)
  return setmetatable({}, { __index = function(t, k)
    local f = fn(name .. ":" .. tostring(k))
    rawset(t, k, f)
    return f
  end })
end
local function constructors(name, list, extra)
  local t = extra or {}
  for _, k in ipairs(list) do
    t[k] = function() return object(name .. "." .. k .. "()") end
  end
  return functions(name, {}, t)
end
M["resty.aes"] = function(name) return constructors(name, { "cipher", "new" }) end
M["flatbuffers"] = function(name) return constructors(name, { "Builder" }) end
M["opentelemetry.context"] = function(name) return constructors(name, { "new" }) end
M["opentelemetry.trace.propagation.text_map.trace_context_propagator"] = function(name)
  return constructors(name, { "new" })
end
M["protoc"] = function(name) return constructors(name, { "new" }) end  -- tencent-cloud-cls

-- luasocket: tencent-cloud-cls's SDK (3.0 to 3.4) resolves the node's own
-- host name at load (sent with each log batch): one made-up address.
M["socket"] = function(name)
  return functions(name, {}, {
    dns = functions(name .. ".dns", {}, {
      toip = function() return "<ip>", { ip = { "<ip>" } } end,
    }),
  })
end

-- resty.random: openid-connect's check_schema (3.0 to 3.13) makes a random
-- session secret when none is given.
M["resty.random"] = function(name)
  return functions(name, {}, { bytes = during_probe(name .. ".bytes", "<random bytes>") })
end

-- resty.string.to_hex: the script digests above, in hex, at load.
M["resty.string"] = function(name)
  return functions(name, { "atoi" }, { to_hex = function() return "<hex>" end })
end

-- resty.ldap.protocol: ldap-auth-advanced reads the library's error texts at
-- load to match them per request.
M["resty.ldap.protocol"] = function(name)
  return functions(name, {}, {
    ERROR_MSG = setmetatable({}, { __index = function(_, k)
      return "<ldap error " .. tostring(k) .. ">"
    end }),
  })
end
M["cjson.safe"] = function(name)
  local base = S.modules["cjson"](name)
  base.new = function()
    local o = object(name .. ".new()")
    o.encode_number_precision = noop     -- a codec setting, applied at load
    o.encode_empty_table_as_object = noop
    return o
  end
  return base
end

-- ffi: C declarations at load (gm, apisix.core.string) and a buffer made at
-- load (ext-plugin's frame header); C calls per request.
M["ffi"] = function(name)
  return functions(name, { "cast", "typeof", "string", "copy", "fill",
                           "metatype", "gc", "load", "sizeof", "istype", "errno" }, {
    cdef = noop, C = module("ffi.C"), os = "Linux", arch = "x64",
    new = function() return object("ffi.new()") end,
  })
end

-- The runtime facade parts that helper modules also require directly.
M["apisix.core.log"] = function(name) return log_module(name) end
M["apisix.core.lrucache"] = function(name) return lrucache_module(name) end
M["apisix.core.json"] = function(name) return json_module(name) end
-- apisix.core.utils: validators and request helpers, captured; the host name
-- is read at load by tencent-cloud-cls's SDK (sent with each log batch).
M["apisix.core.utils"] = function(name)
  return functions(name, {
    "parse_addr", "validate_header_field", "validate_header_value", "resolve_var",
    "uri_safe_encode", "split_uri", "dns_parse", "sleep", "generate_uuid_v7",
    "resolve_var_with_captures",
  }, {
    gethostname = function() return "<hostname>" end,
    -- 3.10+: warnings logged by check_schema, never a failure
    check_https = during_probe(name .. ".check_https"),
    check_tls_bool = during_probe(name .. ".check_tls_bool"),
  })
end

S.NO_SCHEMA = {}

-- jsonschema: the validator compiler, called by core.schema.check. dump.lua
-- calls each plugin's check_schema once per scope to see which schema table
-- it validates against: the compiler records the table it is given (while
-- S.validated is a list) and returns a validator that accepts everything.
M["jsonschema"] = function(name)
  return functions(name, { "generate_validator_code" }, {
    generate_validator = function(schema)
      if not S.validated then
        error("stub jsonschema.generate_validator was called while loading schemas", 2)
      end
      -- a missing schema (aws-lambda's metadata_schema) fails in the real compiler:
      -- recorded as a marker
      S.validated[#S.validated + 1] = schema == nil and S.NO_SCHEMA or schema
      return function() return true end
    end,
  })
end

-- apisix.plugin: plugins capture its helpers for request time. plugin_attr
-- reads a plugin's attributes from config.yaml (plugin_attr); zipkin reads
-- them at load. The dump has no config.yaml: nil, as for a node without them.
M["apisix.plugin"] = function(name)
  return functions(name, {
    "plugin_metadata", "get", "get_stream", "merge_service_route",
    "conf_version", "load", "run_plugin", "filter", "stream_filter",
    "set_plugins_meta_parent", "check_schema", "stream_check_schema",
    "plugin_checker", "decrypt_conf", "encrypt_conf", "get_all", "enable_gde",
    "api_routes", "run_global_rules", "merge_consumer_route",
  }, { plugin_attr = function() return nil end })
end

-- Runtime parts of APISIX that plugins capture for request time. Each is a
-- stand-in whose keys are reported if read at load.
S.runtime_apisix = {
  "apisix", "apisix.consumer", "apisix.upstream", "apisix.router", "apisix.timers",
  "apisix.secret", "apisix.events", "apisix.ssl", "apisix.ssl.router.radixtree_sni",
  "apisix.global_rules", "apisix.http.service", "apisix.plugin_config",
  "apisix.resource", "apisix.healthcheck_manager", "apisix.inspect",
  "apisix.core.config_etcd", "apisix.core.config_local", "apisix.core.event",
  "apisix.core.vault", "apisix.core.etcd", "apisix.constants", "apisix.balancer",
  "apisix.balancer.", "apisix.utils.redis", "apisix.utils.rediscluster",
  "apisix.utils.upstream", "apisix.utils.google-cloud-oauth", "apisix.api_router",
  "apisix.discovery.", "apisix.admin.", "apisix.control.", "apisix.debug",
  "apisix.core.io", "apisix.core.os", "apisix.core.request", "apisix.core.response",
  "apisix.core.ip", "apisix.core.dns.client", "apisix.core.resolver",
  "apisix.core.config_util", "apisix.core.id", "apisix.core.version",
  "apisix.core.timer", "apisix.core.env", "apisix.core.math", "apisix.core.pubsub",
  "apisix.core.data_encryption", "apisix.core.profile", "apisix.core.config_yaml",
  "apisix.core.config_xds", "apisix.wasm", "apisix.tracer",
  "apisix.patch", "apisix.pubsub.", "apisix.cli.",
}

-- Everything that is not APISIX: OpenResty and resty.* libraries, the
-- tracing, messaging, cloud and parsing libraries plugins talk to at request
-- time (kafka, rocketmq, skywalking, opentelemetry, casbin, graphql, ...).
-- Schemas never read from them while being built.
S.foreign_prefixes = {
  "ngx.", "resty.", "openssl.", "pl.", "socket.", "ffi", "bit", "lfs", "string.buffer",
  "net.url", "cjson", "tablepool", "skywalking.", "opentracing.", "opentelemetry.",
  "casbin", "graphql", "xml2lua", "xmlhandler.", "flatbuffers", "A6.", "nanoid",
  "snowflake", "multipart", "lua-utf8", "jsonpath", "lualdap", "ffi-zlib",
  "prometheus", "lyaml", "tinyyaml", "jit.", "process", "kafka.", "base64",
  "lua_pack", "utf8", "posix", "luasocket", "etcd.", "mime", "ltn12", "md5",
  "lrandom", "pb", "grpc", "ldap.", "http", "api7.", "argparse", "socket", "rapidjson",
}

return S
