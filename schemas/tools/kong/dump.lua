-- Dumps the configuration schemas of Kong's bundled plugins as JSON.
--
-- usage: lua5.1 dump.lua TREE [--version TAG] [--database off|postgres]
--                            [--role traditional|control_plane|data_plane]
--
-- TREE is a directory holding Kong's `kong/` source tree at one release.
-- Every kong/plugins/NAME/schema.lua is loaded the way Kong loads it (as the
-- module kong.plugins.NAME.schema), with a `require` that takes kong.* modules
-- from TREE and everything else (and the runtime-only kong.* helpers) from
-- stubs.lua. The tables the schemas evaluate to are written out as data:
-- functions become "<function>", ngx.null becomes JSON null.
--
-- The JSON document goes to stdout; a summary (counts, failures, stub misses)
-- goes to stderr. The exit status is 1 when a schema failed to load or dump.

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local S = dofile(here .. "/stubs.lua")
local J = dofile(here .. "/json.lua")
local K = dofile(here .. "/../dumpkit.lua")

------------------------------------------------------------------------------
-- Arguments.

local version
local tree = K.args(arg, {
  ["--version"] = function(v) version = v end,
  ["--database"] = function(v) S.config.database = v end,
  ["--role"] = function(v) S.config.role = v end,
}, "lua5.1 dump.lua TREE [--version TAG] [--database off|postgres] [--role ROLE]")

local file_exists = K.file_exists

------------------------------------------------------------------------------
-- The module loader.

S.luajit_compat()
_G.ngx = S.ngx
_G.kong = S.make_kong_global()

local from_tree = K.tree_loader(tree)   -- kong.* modules loaded from TREE

local kong_require = K.install_require(function(name)
  if S.modules[name] then
    return S.modules[name](name)
  elseif K.matches_prefix(name, S.prefix_modules) then
    return S.module(name)
  elseif name == "kong" or name:match("^kong%.") then
    local m = from_tree.load(name)
    if m == nil then
      error("module '" .. name .. "' is neither in the tree nor stubbed", 3)
    end
    return m
  end
  error("module '" .. name .. "' has no stand-in in stubs.lua", 3)
end)

------------------------------------------------------------------------------
-- Turning schema tables into JSON values.

local typedef_names = {}    -- Schema.define id -> typedef name

local function name_typedefs()
  local typedefs = package.loaded["kong.db.schema.typedefs"]
  if type(typedefs) ~= "table" then return end
  for k, v in next, typedefs do
    if type(v) == "table" then
      local id = rawget(v, S.DEFINE_MARK)
      if id then
        local old = typedef_names[id]
        -- an alias (typedefs.cidr = typedefs.cidr_v4): keep the longer name
        if not old or #k > #old or (#k == #old and k < old) then
          typedef_names[id] = k
        end
      end
    end
  end
end

local is_sequence = K.is_sequence

local generic

local function object_of(t, seen, each)
  local out = J.object()
  for k, v in pairs(t) do
    if k == S.DEFINE_MARK then
      if typedef_names[v] then out.typedef = typedef_names[v] end
    else
      local key = type(k) == "string" and k or ("<" .. type(k) .. " key " .. tostring(k) .. ">")
      out[key] = each(k, v)
    end
  end
  return out
end

-- Any Lua value as data: tables with keys 1..n are arrays, other tables
-- objects (an empty table is written as {}).
function generic(v, seen)
  local leaf = K.leaf(v, S.NULL, S.EMPTY_ARRAY, J)
  if leaf ~= nil then return leaf end
  seen = seen or {}
  if seen[v] then return "<cycle>" end
  seen[v] = true
  local out
  if is_sequence(v) then
    out = J.array()
    for i = 1, #v do out[i] = generic(v[i], seen) end
  elseif next(v) == nil and getmetatable(v) == S.ARRAY_MT then
    out = J.array()
  else
    out = object_of(v, seen, function(_, x) return generic(x, seen) end)
  end
  seen[v] = nil
  return out
end

local dump_field

local function field_of_record(def, name)
  if type(def) ~= "table" or type(def.fields) ~= "table" then return nil end
  for _, item in ipairs(def.fields) do
    if type(item) == "table" and item[name] ~= nil then return item[name] end
  end
end

-- A default value, written according to the type of the field it belongs to
-- (so that an empty default is [] for an array and {} for a record or map).
local function typed_value(v, def)
  if v == S.NULL then return J.null end
  if type(v) ~= "table" or v == S.EMPTY_ARRAY or type(def) ~= "table" then
    return generic(v)
  end
  local t = def.type
  if (t == "array" or t == "set") and (next(v) == nil or is_sequence(v)) then
    local out = J.array()
    for i = 1, #v do out[i] = typed_value(v[i], def.elements) end
    return out
  elseif t == "map" then
    return object_of(v, nil, function(_, x) return typed_value(x, def.values) end)
  elseif t == "record" then
    return object_of(v, nil, function(k, x) return typed_value(x, field_of_record(def, k)) end)
  end
  return generic(v)
end

-- Walks a list of single-key tables { {name = def}, ... } in order.
local function each_named(list, f)
  local out = J.array()
  if type(list) ~= "table" then return generic(list) end
  for i, item in ipairs(list) do
    local n, d
    if type(item) == "table" then
      for k, v in pairs(item) do
        if n ~= nil then
          error(("entry %d of a field list has more than one key"):format(i))
        end
        n, d = k, v
      end
    end
    if type(n) ~= "string" or type(d) ~= "table" then
      error(("entry %d of a field list is not {name = definition}"):format(i))
    end
    out[#out + 1] = f(n, d)
  end
  return out
end

local PROBES = {
  string = "<probe>", integer = 4242, number = 4242.5, boolean = true,
  array = { "<probe>" }, set = { "<probe>" }, map = { ["<probe-key>"] = "<probe>" },
  record = {}, foreign = { id = "<probe>" },
}

-- The dotted paths of the leaves of a shorthand func's result.
local function leaf_paths(v, prefix, out)
  if type(v) == "table" and v ~= S.NULL and not is_sequence(v) and next(v) ~= nil then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    for _, k in ipairs(keys) do
      leaf_paths(v[k], prefix and (prefix .. "." .. k) or k, out)
    end
  elseif prefix then
    out[#out + 1] = prefix
  end
  return out
end

-- A shorthand's func is Kong code that maps the shorthand's value onto real
-- fields. It is called once with a probe value of the shorthand's type; the
-- result (and any deprecation notices it raises) is recorded next to it.
local function probe_shorthand(def)
  local input = PROBES[def.type]
  if input == nil then return J.object({ error = "no probe for type " .. tostring(def.type) }) end
  input = S.deep_copy(input)
  local shown = generic(input)
  S.deprecation_calls = {}
  local ok, res = pcall(def.func, input)
  local calls = S.deprecation_calls
  S.deprecation_calls = nil
  local out = J.object({ input = shown })
  if ok then
    out.output = res == nil and J.null or generic(res)
    out.targets = J.array(leaf_paths(res, nil, {}))
  else
    out.error = tostring(res)
  end
  if #calls > 0 then out.deprecation_calls = generic(calls) end
  return out
end

local function dump_shorthands(list)
  return each_named(list, function(name, def)
    local out = dump_field(def, name)
    if type(def.func) == "function" then out.func_probe = probe_shorthand(def) end
    return out
  end)
end

-- 2.1 still declares a record's shorthands the older way, { {name = func}, ... },
-- without a type: Kong hands any value to func and then validates the fields
-- it set. They are written as shorthand_fields marked `legacy`, with the type
-- (and element type) of the field a probe shows they set, since that is what
-- the value ends up checked as.
local function legacy_shorthands(list, record)
  local out = J.array()
  for i, item in ipairs(list) do
    local name, func = next(item)
    if type(name) ~= "string" or type(func) ~= "function" or next(item, name) ~= nil then
      error(("entry %d of legacy shorthands is not {name = function}"):format(i))
    end
    local ok, res = pcall(func, "<probe>")
    local targets = ok and leaf_paths(res, nil, {}) or {}
    local target = #targets == 1 and field_of_record(record, targets[1]) or nil
    if type(target) ~= "table" then
      error(("legacy shorthand %s: no single field it sets"):format(name))
    end
    local def = { type = target.type, func = func }
    if type(target.elements) == "table" then def.elements = { type = target.elements.type } end
    local entry = dump_field(def, name)
    entry.legacy = true
    entry.func_probe = probe_shorthand(def)
    out[#out + 1] = entry
  end
  return out
end

local FIELD_VALUED = { elements = true, keys = true, values = true }

-- One field definition; `name` is nil for elements/keys/values.
function dump_field(def, name)
  local out = J.object()
  for k, v in pairs(def) do
    if k == S.DEFINE_MARK then
      if typedef_names[v] then out.typedef = typedef_names[v] end
    elseif type(k) ~= "string" then
      out["<" .. type(k) .. " key " .. tostring(k) .. ">"] = generic(v)
    elseif FIELD_VALUED[k] and type(v) == "table" then
      out[k] = dump_field(v)
    elseif k == "fields" and type(v) == "table" then
      out.fields = each_named(v, function(n, d) return dump_field(d, n) end)
    elseif k == "default" then
      out.default = typed_value(v, def)
    elseif k == "shorthand_fields" and type(v) == "table" then
      out.shorthand_fields = dump_shorthands(v)
    elseif k == "shorthands" and type(v) == "table" and def.shorthand_fields == nil then
      out.shorthand_fields = legacy_shorthands(v, def)
    else
      out[k] = generic(v)
    end
  end
  if name ~= nil then out.name = name end
  return out
end

local SCOPES = { consumer = true, service = true, route = true, consumer_group = true }

local function dump_plugin(dir, schema)
  local p = J.object({ name = schema.name, fields = J.array(), forbidden = J.array() })
  if schema.name ~= dir then p.directory = dir end
  each_named(schema.fields, function(fname, fdef)
    if fname == "config" then
      p.config = dump_field(fdef)
    else
      p.fields[#p.fields + 1] = dump_field(fdef, fname)
      if SCOPES[fname] and fdef.type == "foreign" and rawequal(fdef.eq, S.NULL) then
        p.forbidden[#p.forbidden + 1] = fname
      end
    end
    return true
  end)
  for k, v in pairs(schema) do
    if k == "entity_checks" then p.entity_checks = generic(v)
    elseif k == "shorthand_fields" then p.shorthand_fields = dump_shorthands(v)
    elseif k ~= "name" and k ~= "fields" and k ~= S.DEFINE_MARK then
      p.schema_extra = p.schema_extra or J.object()
      p.schema_extra[tostring(k)] = generic(v)
    end
  end
  return p
end

------------------------------------------------------------------------------
-- Main.

local dirs = {}
do
  local ls = io.popen('ls -1 "' .. tree .. '/kong/plugins" 2>/dev/null')
  for line in ls:lines() do
    if file_exists(tree .. "/kong/plugins/" .. line .. "/schema.lua") then
      dirs[#dirs + 1] = line
    end
  end
  ls:close()
  table.sort(dirs)
end
if #dirs == 0 then
  io.stderr:write("dump.lua: no kong/plugins/*/schema.lua under ", tree, "\n")
  os.exit(2)
end

if not version then
  local ok, meta = pcall(kong_require, "kong.meta")
  version = ok and type(meta) == "table" and meta._VERSION or "unknown"
end

local loaded, failures = {}, J.array()
for _, dir in ipairs(dirs) do
  local ok, res = pcall(kong_require, "kong.plugins." .. dir .. ".schema")
  if ok and type(res) ~= "table" then
    ok, res = false, "schema.lua returned a " .. type(res)
  end
  if ok then
    loaded[#loaded + 1] = { dir = dir, schema = res }
  else
    failures[#failures + 1] = J.object({ name = dir, stage = "load", error = tostring(res) })
  end
end

name_typedefs()

local plugins = J.array()
for _, l in ipairs(loaded) do
  local ok, res = pcall(dump_plugin, l.dir, l.schema)
  if ok then
    plugins[#plugins + 1] = res
  else
    failures[#failures + 1] = J.object({ name = l.dir, stage = "dump", error = tostring(res) })
  end
end

local doc = J.object({
  kong_version = version,
  kong_configuration = J.object({ database = S.config.database, role = S.config.role }),
  plugins = plugins,
  failures = failures,
})

-- Kong's own set of bundled plugins (kong.constants), to compare with the
-- plugin directories.
local okc, constants = pcall(kong_require, "kong.constants")
if okc and type(constants) == "table" and type(constants.BUNDLED_PLUGINS) == "table" then
  local names = {}
  for k in pairs(constants.BUNDLED_PLUGINS) do names[#names + 1] = k end
  table.sort(names)
  doc.bundled_plugins = J.array(names)
end

io.stdout:write(J.encode(doc))

-- Summary.
local err = io.stderr
err:write(("%s: %d schema.lua files, %d dumped, %d failed\n"):format(
  version, #dirs, #plugins, #failures))
for _, f in ipairs(failures) do
  err:write(("  FAIL %s (%s): %s\n"):format(f.name, f.stage, f.error))
end
K.report_misses(err, S.misses, from_tree.loaded, "kong.*")
os.exit(#failures == 0 and 0 or 1)
