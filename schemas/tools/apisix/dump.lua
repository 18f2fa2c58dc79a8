-- Dumps the schemas of APISIX's bundled plugins as JSON.
--
-- usage: lua5.1 dump.lua TREE [--version TAG]
--
-- TREE is a directory holding APISIX's `apisix/` source tree at one release.
-- Every plugin module (apisix/plugins/NAME.lua, apisix/plugins/NAME/init.lua
-- when there is no NAME.lua, apisix/stream/plugins/NAME.lua) is loaded the way
-- APISIX loads it, with a `require` that takes apisix.* modules from TREE
-- (schema_def, the core schema and table helpers, the helper modules schemas
-- are built from) and everything else, and the runtime parts of APISIX, from
-- stubs.lua. The module's `schema`, `consumer_schema` and `metadata_schema`
-- are written out as data (functions become "<function>", ngx.null null),
-- with the places where a table of schema_def or of another helper module is
-- used (`shared`), and the text of the module's check_schema function.
--
-- The JSON document goes to stdout; a summary (counts, failures, stub misses)
-- goes to stderr. The exit status is 1 when a plugin failed to load or dump.

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local S = dofile(here .. "/stubs.lua")
local J = dofile(here .. "/../kong/json.lua")
local K = dofile(here .. "/../dumpkit.lua")

------------------------------------------------------------------------------
-- Arguments.

local version
local tree = K.args(arg, { ["--version"] = function(v) version = v end },
                    "luajit dump.lua TREE [--version TAG]")

local file_exists = K.file_exists

local function read_file(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("*a")
  f:close()
  return s
end

------------------------------------------------------------------------------
-- The module loader.

S.luajit_compat()
_G.ngx = S.ngx

-- Lua promises no order for pairs(), and LuaJIT's differs from run to run (its string hashes
-- are seeded). A few schemas are built by iterating a table (proxy-rewrite's `method` enum
-- from a table of nginx constants), so keys are visited in sorted order: one of the orders
-- APISIX may see, and the same every run.
do
  local real_next = next
  local function key_less(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "number" or ta == "string" then return a < b end
    return tostring(a) < tostring(b)
  end
  _G.pairs = function(t)
    local mt = getmetatable(t)
    if mt and mt.__pairs then return mt.__pairs(t) end
    local keys = {}
    for k in real_next, t do keys[#keys + 1] = k end
    table.sort(keys, key_less)
    local i = 0
    return function()
      i = i + 1
      local k = keys[i]
      if k == nil then return nil end
      return k, rawget(t, k)
    end, t, nil
  end
end

local from_tree = K.tree_loader(tree)   -- apisix.* modules loaded from TREE
local STDLIB = { string = string, table = table, math = math, os = os, io = io,
                 coroutine = coroutine, debug = debug }
-- LuaJIT's bit library is pure arithmetic; plugins compute constants with it.
do
  local ok, bit = pcall(require, "bit")
  if ok then STDLIB.bit = bit end
end

-- A name in `list` exactly, or below an entry ending in ".".
local function exact_or_dotted(name, list)
  for _, p in ipairs(list) do
    if name == p or (p:sub(-1) == "." and name:sub(1, #p) == p) then return true end
  end
  return false
end

-- The parts of the apisix.core facade and the module each comes from, as
-- core.lua lists them (`schema = require("apisix.schema_def")` in 2.15).
local function core_parts()
  local parts = {}
  local text = read_file(tree .. "/apisix/core.lua")
  for key, mod in text:gmatch("\n%s*([%w_]+)%s*=%s*require%(%s*[\"']([^\"']+)[\"']%s*%)") do
    parts[key] = mod
  end
  return parts
end

local apisix_require
apisix_require = K.install_require(function(name)
  if STDLIB[name] then
    return STDLIB[name]
  elseif S.modules[name] then
    return S.modules[name](name)
  elseif name == "apisix.core" then
    return S.make_core(core_parts(), apisix_require)
  elseif exact_or_dotted(name, S.runtime_apisix) then
    return S.module(name)
  elseif name == S.tree_prefix or name:sub(1, #S.tree_prefix + 1) == S.tree_prefix .. "." then
    local m = from_tree.load(name)
    if m == nil then error("module '" .. name .. "' is neither in the tree nor stubbed", 3) end
    return m
  elseif K.matches_prefix(name, S.foreign_prefixes) then
    return S.module(name)
  end
  error("module '" .. name .. "' has no stand-in in stubs.lua", 3)
end)

------------------------------------------------------------------------------
-- Turning schema tables into JSON values.

local is_sequence = K.is_sequence

-- Tables exported by schema_def and by the helper modules loaded from the
-- tree (redis-schema, batch-processor, ...): where a plugin schema uses one
-- of them as it is, the dump says so, as the source shares a definition.
local shared_names = {}

local function index_shared()
  for _, modname in ipairs(from_tree.loaded) do
    local m = package.loaded[modname]
    if type(m) == "table" and not modname:match("^apisix%.plugins%.[^.]+$")
        and not modname:match("^apisix%.stream%.plugins%.") then
      for k, v in pairs(m) do
        if type(k) == "string" and type(v) == "table" and not shared_names[v] then
          shared_names[v] = modname .. "." .. k
        end
      end
    end
  end
end

local function escape_pointer(k)
  return (tostring(k):gsub("~", "~0"):gsub("/", "~1"))
end

-- Any Lua value as data; `path` is the JSON pointer of `v`, `shared` collects
-- pointer -> name of a shared table (not for the root itself).
local function generic(v, path, shared, seen, parent_type)
  local leaf = K.leaf(v, S.NULL, S.EMPTY_ARRAY, J)
  if leaf ~= nil then return leaf end
  if seen[v] then return "<cycle>" end
  if path ~= "" and shared_names[v] then shared[path] = shared_names[v] end
  seen[v] = true
  local out
  if is_sequence(v) then
    out = J.array()
    for i = 1, #v do out[i] = generic(v[i], path .. "/" .. (i - 1), shared, seen) end
  elseif next(v) == nil then
    -- an empty table: [] when the schema around it says array (a default),
    -- or when it is marked as one
    if parent_type == "array" or getmetatable(v) == S.ARRAY_MT then
      out = J.array()
    else
      out = J.object()
    end
  else
    out = J.object()
    for k, x in pairs(v) do
      local key = type(k) == "string" and k or ("<" .. type(k) .. " key " .. tostring(k) .. ">")
      local ptype = (k == "default" and type(v.type) == "string") and v.type or nil
      out[key] = generic(x, path .. "/" .. escape_pointer(key), shared, seen, ptype)
    end
  end
  seen[v] = nil
  return out
end

-- The text of a function, from the file and lines the debug info gives.
local function function_text(f)
  local info = debug.getinfo(f, "S")
  local src = info.source
  if type(src) ~= "string" or src:sub(1, 1) ~= "@" then return nil end
  local path = src:sub(2)
  local lines, i = {}, 0
  for line in io.lines(path) do
    i = i + 1
    if i >= info.linedefined and i <= info.lastlinedefined then lines[#lines + 1] = line end
  end
  local rel = path:sub(1, #tree + 1) == tree .. "/" and path:sub(#tree + 2) or path
  return J.object({ file = rel, first_line = info.linedefined, text = table.concat(lines, "\n") })
end

local SCHEMA_KEYS = { "schema", "consumer_schema", "metadata_schema" }

-- APISIX calls check_schema(conf, schema_type) with schema_type nil for a
-- route's (or a stream route's) plugin, TYPE_CONSUMER for a consumer's and
-- TYPE_METADATA for plugin_metadata. Each is called once with an empty conf:
-- the first schema table it hands to core.schema.check says which schema
-- applies there ("schema", "consumer_schema", "metadata_schema", a shared
-- table's name, "no schema" when it hands over nil, which the real compiler
-- refuses, or "other"); "none" when it accepted the conf without
-- validating it, "refused: ..." when it refused it before validating (a Lua
-- rule on the empty conf), "error: ..." when it failed (a stand-in called, a
-- field read from the empty conf).
local PROBES = { { "config" }, { "consumer", "TYPE_CONSUMER" }, { "metadata", "TYPE_METADATA" } }

local function schema_used(m, cs, type_key)
  local core_schema = package.loaded["apisix.core"].schema
  local stype = type_key and core_schema[type_key] or nil
  S.validated = {}
  local ok, accepted, why = pcall(cs, {}, stype)
  local seen = S.validated
  S.validated = nil
  local first = seen[1]
  if first == nil then
    if not ok then return "error: " .. tostring(accepted) end
    return accepted and "none" or ("refused: " .. tostring(why))
  end
  if first == S.NO_SCHEMA then return "no schema" end
  for _, k in ipairs(SCHEMA_KEYS) do
    if rawequal(rawget(m, k), first) then return k end
  end
  return shared_names[first] or "other"
end

local SCALAR_KEYS = { "name", "version", "priority", "type", "run_policy" }

local function dump_plugin(p)
  local out = J.object({ name = p.name, file = p.file, kind = p.kind })
  local m = p.module
  for _, k in ipairs(SCALAR_KEYS) do
    local v = rawget(m, k)
    if type(v) == "string" or type(v) == "number" then
      out[k == "name" and "declared_name" or k] = v
    end
  end
  local shared = J.object()
  for _, k in ipairs(SCHEMA_KEYS) do
    local v = rawget(m, k)
    if v ~= nil then
      local s = J.object()
      out[k] = generic(v, "", s, {})
      if next(s) then shared[k] = s end
      if shared_names[v] then out[k .. "_is"] = shared_names[v] end
    end
  end
  if next(shared) then out.shared = shared end
  local cs = rawget(m, "check_schema")
  out.has_check_schema = type(cs) == "function"
  if type(cs) == "function" then
    out.check_schema = function_text(cs)
    local used = J.object()
    for _, probe in ipairs(PROBES) do
      if p.kind == "http" or probe[1] == "config" then
        used[probe[1]] = schema_used(m, cs, probe[2])
      end
    end
    out.schema_used = used
  end
  return out
end

------------------------------------------------------------------------------
-- Main.

local function list_dir(dir)
  local names = {}
  local ls = io.popen('ls -1 "' .. dir .. '" 2>/dev/null')
  for line in ls:lines() do names[#names + 1] = line end
  ls:close()
  table.sort(names)
  return names
end

-- Plugin modules: files, and directories with an init.lua and no file of the
-- same name (proxy-cache). A module that returns no table with a `name` and
-- a `schema` (ext-plugin/init.lua, serverless/init.lua, ai-protocols/init.lua:
-- helpers of other plugins) is listed as a helper, not a plugin.
local candidates = {}
do
  local base = tree .. "/apisix/plugins"
  local files = {}
  for _, f in ipairs(list_dir(base)) do
    local n = f:match("^(.+)%.lua$")
    if n then files[n] = true end
  end
  for _, f in ipairs(list_dir(base)) do
    local n = f:match("^(.+)%.lua$")
    if n then
      candidates[#candidates + 1] = { name = n, kind = "http", module = "apisix.plugins." .. n,
                                      file = "apisix/plugins/" .. f }
    elseif not files[f] and file_exists(base .. "/" .. f .. "/init.lua") then
      candidates[#candidates + 1] = { name = f, kind = "http", module = "apisix.plugins." .. f,
                                      file = "apisix/plugins/" .. f .. "/init.lua" }
    end
  end
  for _, f in ipairs(list_dir(tree .. "/apisix/stream/plugins")) do
    local n = f:match("^(.+)%.lua$")
    if n then
      candidates[#candidates + 1] = { name = n, kind = "stream",
                                      module = "apisix.stream.plugins." .. n,
                                      file = "apisix/stream/plugins/" .. f }
    end
  end
end
if #candidates == 0 then
  io.stderr:write("dump.lua: no apisix/plugins/*.lua under ", tree, "\n")
  os.exit(2)
end

local loaded, helpers, failures = {}, J.array(), J.array()
for _, c in ipairs(candidates) do
  local ok, res = pcall(apisix_require, c.module)
  if ok and (type(res) ~= "table" or rawget(res, "schema") == nil
             or rawget(res, "name") == nil) then
    helpers[#helpers + 1] = c.file
  elseif ok then
    c.module = res
    loaded[#loaded + 1] = c
  else
    failures[#failures + 1] = J.object({ name = c.name, kind = c.kind, stage = "load",
                                         error = tostring(res) })
  end
end

local ok_def, schema_def = pcall(apisix_require, "apisix.schema_def")
index_shared()

local plugins = J.array()
for _, p in ipairs(loaded) do
  local ok, res = pcall(dump_plugin, p)
  if ok then
    plugins[#plugins + 1] = res
  else
    failures[#failures + 1] = J.object({ name = p.name, kind = p.kind, stage = "dump",
                                         error = tostring(res) })
  end
end

local doc = J.object({
  apisix_version = version or "unknown",
  plugins = plugins,
  helpers = helpers,
  failures = failures,
})

-- What APISIX injects into every plugin's `schema` (apisix/plugin.lua).
if ok_def and type(schema_def) == "table" then
  local injected = rawget(schema_def, "plugin_injected_schema")
  if injected == nil then
    local core_schema = package.loaded["apisix.core.schema"]
    injected = type(core_schema) == "table" and core_schema.plugin_injected_schema
  end
  if type(injected) == "table" then
    doc.plugin_injected_schema = generic(injected, "", J.object(), {})
  end
end

io.stdout:write(J.encode(doc))

-- Summary.
local err = io.stderr
err:write(("%s: %d plugin modules, %d dumped, %d helpers, %d failed\n"):format(
  version or "?", #candidates, #plugins, #helpers, #failures))
for _, f in ipairs(failures) do
  err:write(("  FAIL %s %s (%s): %s\n"):format(f.kind, f.name, f.stage, f.error))
end
K.report_misses(err, S.misses, from_tree.loaded, "apisix.*")
os.exit(#failures == 0 and 0 or 1)
