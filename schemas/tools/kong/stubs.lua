-- Stand-ins for what a Kong plugin schema can reach besides Kong's own schema
-- data: OpenResty (ngx, resty.*), C libraries (cjson, openssl, lfs, ffi),
-- Penlight, and the kong.* modules that hold only runtime behaviour.
--
-- Principle: evaluating a schema file only builds tables. Functions it captures
-- (validators, helpers) are never run by the dumper, so a stand-in function is
-- enough for them; it is recorded as "<function>" like any other. What a schema
-- does call while it is being built (copies of tables, Schema.define, random
-- defaults) is implemented here for real, or with an explicit marker value.
-- A stand-in function that is called while schemas load raises an error, so a
-- new load-time dependency shows up instead of passing silently. Reading a key
-- that no stand-in lists is recorded ("misses", printed by dump.lua) and yields
-- such an erroring function.
--
-- This file is written for gatehop; no Kong code is copied into it.

local S = {}

-- ngx.null / cjson.null: OpenResty's null is a unique light userdata; a fresh
-- userdata is just as unique and compares only to itself.
S.NULL = newproxy(false)

-- cjson.empty_array: only its identity matters (the encoder writes it as []).
S.EMPTY_ARRAY = setmetatable({}, { __tostring = function() return "empty_array" end })
S.ARRAY_MT = {}

-- What a random source returns: session's secret default is built from random
-- bytes at load time; the dump shows "<random>" instead of a throwaway value.
S.RANDOM_BYTES = "\0<random bytes>\0"
S.RANDOM = "<random>"

-- The key under which Schema.define tags a table (see kong.db.schema below).
S.DEFINE_MARK = "\0gatehop_define_id"
S.defined = {}          -- id -> the table Schema.define was given

-- Settings the schemas read from the `kong` global (kong.configuration).
S.config = { database = "off", role = "traditional" }

-- Filled while a shorthand's func is probed: calls to kong.deprecation.
S.deprecation_calls = nil

S.misses = {}           -- "module.key" -> true

local placeholders = {}

-- A named stand-in function. Calling it while schemas load is an error.
local function fn(qualname)
  local f = placeholders[qualname]
  if not f then
    f = function()
      error("stub " .. qualname .. " was called while loading schemas", 2)
    end
    placeholders[qualname] = f
  end
  return f
end

-- A stand-in function that may be called and does nothing (logging).
local function noop() end

-- A stand-in module: `known` holds what it offers on purpose; any other key
-- read is recorded as a miss and gets an erroring function.
local function module(name, known)
  known = known or {}
  return setmetatable(known, {
    __index = function(t, k)
      S.misses[name .. "." .. tostring(k)] = true
      local f = fn(name .. "." .. tostring(k))
      rawset(t, k, f)
      return f
    end,
  })
end

-- Names of functions a module offers that schemas only capture (as validators
-- or for use at request time). Listing them keeps them out of the miss report.
local function functions(name, list, extra)
  local t = extra or {}
  for _, k in ipairs(list) do
    if t[k] == nil then t[k] = fn(name .. "." .. k) end
  end
  return module(name, t)
end

S.fn, S.module, S.functions = fn, module, functions

------------------------------------------------------------------------------
-- Plain table helpers, done for real: schemas copy tables while being built.

local function shallow_copy(t)
  if type(t) ~= "table" then return t end
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- Deep copy keeping metatables and shared sub-tables shared (as Kong's own
-- helpers do); functions and userdata are kept by reference.
local function deep_copy(t, remove_metatables, copy_keys, seen)
  if type(t) ~= "table" then return t end
  seen = seen or {}
  if seen[t] then return seen[t] end
  local c = {}
  seen[t] = c
  for k, v in pairs(t) do
    if copy_keys then k = deep_copy(k, remove_metatables, copy_keys, seen) end
    c[k] = deep_copy(v, remove_metatables, copy_keys, seen)
  end
  if not remove_metatables then setmetatable(c, getmetatable(t)) end
  return c
end

S.shallow_copy, S.deep_copy = shallow_copy, deep_copy

------------------------------------------------------------------------------
-- LuaJIT, which Kong runs on, has a few Lua 5.2 functions that Lua 5.1 lacks;
-- schemas use them while being built (one_of = { "x", table.unpack(list) }).

function S.luajit_compat()
  table.unpack = table.unpack or unpack
  table.pack = table.pack or function(...) return { n = select("#", ...), ... } end
end

------------------------------------------------------------------------------
-- Globals.

-- ngx: schemas read ngx.null at load time; the rest are functions captured
-- for validators (ngx.re.*, unescape_uri) or called only at request time.
S.ngx = module("ngx", {
  null = S.NULL,
  -- log levels are plain numbers in OpenResty; nothing compares them here
  STDERR = 0, EMERG = 1, ALERT = 2, CRIT = 3, ERR = 4, WARN = 5, NOTICE = 6,
  INFO = 7, DEBUG = 8,
  log = noop,
  -- only session's random secret default encodes at load time (see RANDOM)
  encode_base64 = function(s)
    if s == S.RANDOM_BYTES then return S.RANDOM end
    error("stub ngx.encode_base64 called with real data while loading schemas", 2)
  end,
  decode_base64 = fn("ngx.decode_base64"),
  unescape_uri = fn("ngx.unescape_uri"),
  escape_uri = fn("ngx.escape_uri"),
  re = functions("ngx.re", { "find", "match", "gmatch", "sub", "gsub", "split" }),
  req = module("ngx.req"),
  shared = {},          -- shared dicts only exist in a running node
  config = module("ngx.config", { subsystem = "http", prefix = fn("ngx.config.prefix") }),
  worker = module("ngx.worker"),
  ctx = {},
  var = {},
  now = fn("ngx.now"),
  time = fn("ngx.time"),
  get_phase = function() return "init" end,  -- schemas load in the init phase
})

-- kong: the rate-limiting schemas ask kong.configuration whether the node is
-- DB-less (that changes the `policy` choices); acme asks at validation time.
local function kong_log()
  return module("kong.log", {
    debug = noop, info = noop, notice = noop, warn = noop, err = noop,
    crit = noop, alert = noop, emerg = noop,
    deprecation = function(...)
      if S.deprecation_calls then
        S.deprecation_calls[#S.deprecation_calls + 1] = { ... }
      end
    end,
  })
end

function S.make_kong_global()
  return module("kong", {
    configuration = module("kong.configuration", {
      database = S.config.database,
      role = S.config.role,
      -- aws-lambda (its own repository, and Kong's tree up to 2.6) marks its
      -- AWS keys `encrypted` when Kong Gateway Enterprise's keyring is on; from
      -- 2.7 it says `encrypted = true` in every edition. True gives the 2.7
      -- reading to the older releases too: gatehop takes `encrypted` to mean
      -- "a secret, never printed", which the keys are in either edition.
      keyring_enabled = true,
    }),
    log = kong_log(),
  })
end

------------------------------------------------------------------------------
-- Modules. Each entry is a builder, called once on first require.

local M = {}
S.modules = M

-- kong.db.schema is the validation engine. Plugin schemas use only
-- Schema.define (a callable template: calling it fills the argument's missing
-- keys from the template) and Schema.validators (captured in validators).
-- define also tags the template so that dump.lua can name the typedef a field
-- was made from; the tag is a string, so it survives deep copies and is copied
-- along by the call itself.
M["kong.db.schema"] = function()
  local next_id = 0
  local template_mt = {
    __call = function(t, arg)
      arg = arg or {}
      for k, v in pairs(t) do
        if arg[k] == nil then arg[k] = v end
      end
      return arg
    end,
  }
  return module("kong.db.schema", {
    define = function(tbl)
      next_id = next_id + 1
      local id = "define#" .. next_id
      tbl[S.DEFINE_MARK] = id
      S.defined[id] = tbl
      return setmetatable(tbl, template_mt)
    end,
    validators = functions("kong.db.schema.validators", { "is_regex" }),
  })
end

-- kong.tools.utils (2.8 to 3.5 still hold everything here): typedefs and
-- schemas capture its validators (header names, UTF-8, IPs), which are never
-- run. Called while schemas are built: the deep copies (request-transformer,
-- ai-proxy copy a record before changing it), done for real, and the random
-- bytes of session's secret default, which return the RANDOM marker.
M["kong.tools.utils"] = function()
  return functions("kong.tools.utils", {
    "validate_header_name", "validate_cookie_name", "validate_utf8",
    "normalize_ip", "hostname_type", "format_host", "normalize_ipv4",
    "normalize_ipv6", "split", "strip", "is_valid_uuid", "uuid", "load_module_if_exists",
  }, {
    deep_copy = function(t) return deep_copy(t) end,
    cycle_aware_deep_copy = deep_copy,
    shallow_copy = shallow_copy,
    get_rand_bytes = function() return S.RANDOM_BYTES end,
    random_string = function() return S.RANDOM end,
  })
end

-- 3.x home of the random helpers: same markers as above.
M["kong.tools.rand"] = function()
  return functions("kong.tools.rand", {}, {
    get_rand_bytes = function() return S.RANDOM_BYTES end,
    random_string = function() return S.RANDOM end,
  })
end

-- The split-out helpers of 3.x (string, http, ip, uri, uuid, sandbox,
-- yield): typedefs and schemas only capture these functions as validators or
-- use them at request time, so named stand-in functions are enough.
M["kong.tools.string"] = function()
  return functions("kong.tools.string", {
    "validate_utf8", "strip", "split", "join", "replace_dashes",
    "replace_dashes_lower", "validate_cookie_name", "bytes_to_str",
  })
end
M["kong.tools.http"] = function()
  return functions("kong.tools.http", { "validate_header_name", "validate_cookie_name" })
end
M["kong.tools.ip"] = function()
  return functions("kong.tools.ip", {
    "normalize_ip", "hostname_type", "is_valid_ip", "is_valid_ip_or_cidr",
    "is_valid_ip_or_cidr_v4", "is_valid_ipv4", "is_valid_ipv6",
  })
end
M["kong.tools.uri"] = function()
  return functions("kong.tools.uri", { "normalize", "escape", "unescape" })
end
M["kong.tools.uuid"] = function()
  return functions("kong.tools.uuid", { "uuid", "is_valid_uuid" })
end
M["kong.tools.sandbox"] = function()      -- lua_code validator only
  return functions("kong.tools.sandbox", { "validate_safe", "validate" })
end
M["kong.tools.yield"] = function()
  return functions("kong.tools.yield", { "yield" })
end

-- kong.deprecation logs at request time; some shorthand funcs call it.
-- The calls are collected while dump.lua probes a shorthand.
M["kong.deprecation"] = function()
  local d = { raise = function(...)
    if S.deprecation_calls then
      S.deprecation_calls[#S.deprecation_calls + 1] = { ... }
    end
  end }
  return setmetatable(d, { __call = function(_, ...) return d.raise(...) end })
end

-- The vault PDK: the engine asks it whether a value is a vault reference,
-- at validation time only; schemas never reach it while being built.
M["kong.pdk.vault"] = function()
  return functions("kong.pdk.vault", { "is_reference", "new" })
end

-- The AI plugins' request-time driver code (HTTP clients, cloud SDKs); the
-- schema tables of kong.llm do not read from it.
M["kong.llm.drivers.shared"] = function()
  return module("kong.llm.drivers.shared")
end

-- cjson: schemas and helpers read its null and empty-array sentinels at load
-- time (given the same identities as ngx.null); encode/decode are request-time.
M["cjson"] = function()
  return functions("cjson", { "encode", "decode", "new", "encode_empty_table_as_object" }, {
    null = S.NULL, empty_array = S.EMPTY_ARRAY,
    array_mt = S.ARRAY_MT, empty_array_mt = S.ARRAY_MT,
  })
end
M["cjson.safe"] = M["cjson"]

-- LuaJIT table extensions: helpers loaded from the tree (kong.tools.table)
-- call or capture them; each is a few lines, done for real.
M["table.new"] = function() return function() return {} end end
M["table.clear"] = function() return function(t) for k in pairs(t) do t[k] = nil end end end
M["table.nkeys"] = function()
  return function(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end
end
M["table.clone"] = function() return shallow_copy end
M["table.isarray"] = function()
  return function(t)
    if type(t) ~= "table" then return false end
    local n = 0
    for k in pairs(t) do
      if type(k) ~= "number" or k < 1 or k % 1 ~= 0 then return false end
      n = n + 1
    end
    for i = 1, n do if t[i] == nil then return false end end
    return true
  end
end
M["table.isempty"] = function() return function(t) return next(t) == nil end end

-- Penlight tablex: acme copies the shared redis field list (copy) and
-- kong.tools.table makes a read-only empty table (readonly: read-only-ness is
-- not schema data). These, and the equally small deepcopy/keys/values, are
-- done for real; the comparison helpers are only used at validation time.
M["pl.tablex"] = function()
  return functions("pl.tablex", { "compare_no_order", "deepcompare", "map", "merge" }, {
    copy = shallow_copy,
    deepcopy = function(t) return deep_copy(t) end,
    keys = function(t)
      local r = {}
      for k in pairs(t) do r[#r + 1] = k end
      return r
    end,
    values = function(t)
      local r = {}
      for _, v in pairs(t) do r[#r + 1] = v end
      return r
    end,
    readonly = function(t) return t end,   -- read-only-ness is not schema data
  })
end

-- pl.stringx: request-size-limiting's handler (loaded for its size_units
-- list) captures strip for request time.
M["pl.stringx"] = function()
  return functions("pl.stringx", { "strip", "split", "startswith", "endswith" })
end

-- Everything matching one of these prefixes is a stand-in module with nothing
-- in it on purpose: OpenResty/ngx.* and resty.* libraries, OpenSSL bindings,
-- socket.url (http-log parses URLs in a validator), the rest of Penlight
-- (pl.template compiles templates in request-transformer's validator), FFI,
-- bit ops, lfs and Kong's PDK. Schemas only capture their functions, so any
-- key read while loading is reported as a miss and would need a look.
S.prefix_modules = {
  "ngx.", "resty.", "openssl.", "pl.", "socket.", "ffi", "bit", "lfs",
  "string.buffer", "lua_system_constants", "kong.pdk.",
}

return S
