-- Runs one of Kong's busted spec files in a recording sandbox and writes, one
-- JSON object a line, every validation the spec makes and the outcome the
-- spec asserts for it.
--
-- usage: lua5.1 extract.lua SPEC_FILE [--name NAME]
--
-- Nothing of Kong is loaded. The modules a spec requires are stand-ins:
-- a plugin's schema module is a marker naming the plugin, an entity's
-- definition a marker naming the entity, and the validation entry points
-- (spec.helpers' validate_plugin_config_schema, Schema.new(...):validate and
-- its variants, the declarative config's validate, flatten and parse_string)
-- record their input and return two proxies, "ok" and "err". The spec's own
-- assertions on those proxies tell the expected outcome: `assert.truthy(ok)`
-- or `assert.is_nil(err)` mean accepted, `assert.falsy(ok)` or
-- `assert.same({config = {x = "..."}}, err)` mean refused (and name config.x).
-- No assertion ever fails here, so every validation in a test is reached.
--
-- Anything the spec computes from a stand-in (a mock, the database, a module
-- not modelled here) is a "blackhole" value; an input holding one is written
-- with a taint instead of a value, and the driver skips it and says why.
--
-- Busted's order is kept: a describe block's body runs when the block is
-- reached, registering its children, which then run in order with the
-- before_each functions of every enclosing block. pending(...) blocks do not
-- run, as in busted.

local spec_path = arg[1]
local spec_name = spec_path
for i = 2, #arg do
  if arg[i] == "--name" then spec_name = arg[i + 1] end
end
if not spec_path then
  io.stderr:write("usage: lua5.1 extract.lua SPEC_FILE [--name NAME]\n")
  os.exit(2)
end

local real_assert, real_require, real_tostring = assert, require, tostring
local real_type, real_pairs, real_ipairs = type, pairs, ipairs
local real_pcall, real_error, real_select = pcall, error, select
local real_getmetatable, real_setmetatable = getmetatable, setmetatable

------------------------------------------------------------------------------
-- Blackholes: values computed from stand-ins. Every operation gives another.

local BLACKHOLE = {}
local blackholes = setmetatable({}, { __mode = "k" })

local function blackhole(why)
  local b = {}
  blackholes[b] = why or "computed"
  return real_setmetatable(b, BLACKHOLE)
end

local function bh_op() return blackhole() end
BLACKHOLE.__index = function(self) return blackhole(blackholes[self]) end
BLACKHOLE.__newindex = function() end
BLACKHOLE.__call = function(self) return blackhole(blackholes[self]) end
BLACKHOLE.__concat = bh_op
BLACKHOLE.__add, BLACKHOLE.__sub, BLACKHOLE.__mul = bh_op, bh_op, bh_op
BLACKHOLE.__div, BLACKHOLE.__mod, BLACKHOLE.__unm = bh_op, bh_op, bh_op
BLACKHOLE.__tostring = function() return "<blackhole>" end

local function is_blackhole(v) return real_type(v) == "table" and blackholes[v] ~= nil end

------------------------------------------------------------------------------
-- Stand-in values of the runtime.

local NULL = real_setmetatable({}, { __tostring = function() return "null" end })
local EMPTY_ARRAY = real_setmetatable({}, { __tostring = function() return "[]" end })
local array_mt = {} -- cjson's array metatable: an empty table meant as an array

local plugin_markers = {}  -- plugin schema module table -> plugin name
local entity_markers = {}  -- entity definition table -> entity name
local yaml_markers = setmetatable({}, { __mode = "k" }) -- lyaml.load result -> text
local yaml_touched = setmetatable({}, { __mode = "k" })
local auto_fields = setmetatable({}, { __mode = "k" }) -- process_auto_fields output -> context

local function plugin_marker(name)
  local m = real_setmetatable({ name = name }, {
    __index = function(_, k) return blackhole("plugin schema read: " .. real_tostring(k)) end,
  })
  plugin_markers[m] = name
  return m
end

local function entity_marker(name)
  local m = real_setmetatable({ name = name }, {
    __index = function(_, k) return blackhole("entity definition read: " .. real_tostring(k)) end,
  })
  entity_markers[m] = name
  return m
end

local function yaml_marker(text)
  local m = {}
  yaml_markers[m] = text
  return real_setmetatable(m, {
    __index = function(_, k)
      yaml_touched[m] = true
      return blackhole("loaded YAML read: " .. real_tostring(k))
    end,
    __newindex = function() yaml_touched[m] = true end,
  })
end

------------------------------------------------------------------------------
-- The record of the run.

local records = {}        -- validation calls, in order
local current_test = nil  -- { name, line }
local harness_errors = {} -- tests that raised, with the error

local function spec_line()
  for level = 3, 30 do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if info.source == "@" .. spec_path and info.currentline and info.currentline > 0 then
      return info.currentline
    end
  end
  return 0
end

-- A deep copy of a validation input, made when the call happens (specs
-- change their tables afterwards). Values that cannot be written as data are
-- replaced by a taint: {["$taint"] = why}.
local function valid_utf8(s)
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    local len = c < 0x80 and 1 or (c >= 0xC2 and c <= 0xDF) and 2 or (c >= 0xE0 and c <= 0xEF) and 3
      or (c >= 0xF0 and c <= 0xF4) and 4 or nil
    if not len then return false end
    for j = i + 1, i + len - 1 do
      local d = s:byte(j)
      if not d or d < 0x80 or d > 0xBF then return false end
    end
    i = i + len
  end
  return true
end

local function snapshot(v, seen)
  seen = seen or {}
  local t = real_type(v)
  if t == "string" then
    if not valid_utf8(v) then return { ["$taint"] = "bytes that are not UTF-8" } end
    return v
  end
  if t == "boolean" then return v end
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return { ["$taint"] = "non-finite number" } end
    return v
  end
  if t == "nil" then return nil end
  if v == NULL then return NULL end
  if v == EMPTY_ARRAY then return { ["$array"] = true } end
  if t ~= "table" then return { ["$taint"] = "a " .. t .. " value" } end
  if blackholes[v] then return { ["$taint"] = "computed: " .. blackholes[v] } end
  if yaml_markers[v] then
    if yaml_touched[v] then return { ["$taint"] = "loaded YAML changed or read in Lua" } end
    return { ["$yaml"] = yaml_markers[v] }
  end
  if plugin_markers[v] or entity_markers[v] then return { ["$taint"] = "a schema as a value" } end
  if seen[v] then return { ["$taint"] = "a cycle" } end
  seen[v] = true
  local out = {}
  if real_getmetatable(v) == array_mt then out["$array"] = true end
  for k, x in real_pairs(v) do
    local kt = real_type(k)
    if kt ~= "string" and kt ~= "number" then return { ["$taint"] = "a " .. kt .. " key" } end
    out[k] = snapshot(x, seen)
  end
  seen[v] = nil
  return out
end

local next_call = 0

-- Proxies for what a validation returns. Indexing one gives a proxy for the
-- value at that path; assertions on proxies are what the record is made of.
local PROXY = {}
local proxies = setmetatable({}, { __mode = "k" })

local function make_proxy(rec, role, path)
  local p = {}
  proxies[p] = { rec = rec, role = role, path = path }
  return real_setmetatable(p, PROXY)
end

PROXY.__index = function(self, k)
  local info = proxies[self]
  local path = {}
  for i, x in real_ipairs(info.path) do path[i] = x end
  path[#path + 1] = k
  return make_proxy(info.rec, info.role, path)
end
PROXY.__newindex = function() end
PROXY.__tostring = function() return "<validation result>" end
PROXY.__concat = function(a, b)
  local sa = proxies[a] and "<result>" or real_tostring(a)
  local sb = proxies[b] and "<result>" or real_tostring(b)
  return sa .. sb
end
PROXY.__call = function() return blackhole("validation result called") end

local function record_call(kind, target, method, input, extra)
  next_call = next_call + 1
  local rec = {
    id = next_call,
    test = current_test and current_test.name or "(outside a test)",
    test_line = current_test and current_test.line or 0,
    line = spec_line(),
    kind = kind,
    target = target,
    method = method,
    input = snapshot(input),
    extra = extra and snapshot(extra) or nil,
    auto = real_type(input) == "table" and auto_fields[input] or nil,
    flavor = _G.kong and real_type(_G.kong) == "table" and real_type(_G.kong.configuration) == "table"
      and real_type(_G.kong.configuration.router_flavor) == "string" and _G.kong.configuration.router_flavor or nil,
    verdicts = {},
    fields = {},
    notes = {},
  }
  records[#records + 1] = rec
  return make_proxy(rec, "ok", {}), make_proxy(rec, "err", {})
end

------------------------------------------------------------------------------
-- What an assertion on a proxy says.

-- Paths of the leaves of an expected error table, each with its message.
local function error_leaves(t, prefix, out)
  if real_type(t) ~= "table" or is_blackhole(t) or proxies[t] then
    out[#out + 1] = { path = prefix, message = real_type(t) == "string" and t or nil }
    return out
  end
  local any = false
  for k, v in real_pairs(t) do
    any = true
    local p = {}
    for i, x in real_ipairs(prefix) do p[i] = x end
    p[#p + 1] = k
    error_leaves(v, p, out)
  end
  if not any then out[#out + 1] = { path = prefix } end
  return out
end

-- state: "set" (the value is there), "unset" (nil), or nil (unknown).
local function note_state(p, state, expected)
  local info = proxies[p]
  local rec = info.rec
  local root = #info.path == 0
  if info.role == "ok" then
    if root and state == "set" then rec.verdicts[#rec.verdicts + 1] = "accept"
    elseif root and state == "unset" then rec.verdicts[#rec.verdicts + 1] = "refuse"
    elseif not root then rec.notes.output_checked = true end
    return
  end
  -- err
  if state == "set" then
    rec.verdicts[#rec.verdicts + 1] = "refuse"
    local leaves = real_type(expected) == "table" and error_leaves(expected, info.path, {})
      or { { path = info.path, message = real_type(expected) == "string" and expected or nil } }
    for _, leaf in real_ipairs(leaves) do
      local parts = {}
      for i, x in real_ipairs(leaf.path) do parts[i] = real_tostring(x) end
      rec.fields[#rec.fields + 1] = { path = parts, message = leaf.message }
    end
  elseif state == "unset" then
    if root then rec.verdicts[#rec.verdicts + 1] = "accept"
    else rec.notes.field_without_error = true end
  end
end

local function first_proxy(...)
  for i = 1, real_select("#", ...) do
    local v = real_select(i, ...)
    if real_type(v) == "table" and proxies[v] then return v, i end
  end
end

-- Assertion words: the last word that names a check, and the negations.
local checks = {
  truthy = "set", ["true"] = "set", table = "set", string = "set", number = "set",
  falsy = "unset", ["false"] = "unset", ["nil"] = "unset",
  same = "same", equal = "same", equals = "same", unique = "none",
  match = "match", matches = "match", near = "none",
  error = "error", errors = "error", error_matches = "error", error_match = "error",
  returned_arguments = "none", called = "none", called_with = "none",
  spy = "none", stub = "none", ["function"] = "none", userdata = "none",
  boolean = "none", returned_with = "none", has_property = "none", property = "none",
}

local function apply_assertion(words, ...)
  local negate, check = false, nil
  for _, w in real_ipairs(words) do
    if w == "not" or w == "no" then negate = not negate
    elseif checks[w] then check = checks[w] end
  end
  if check == "error" then
    local f = ...
    if real_type(f) == "function" then real_pcall(f) end
    return
  end
  if check == nil or check == "none" then return end
  local p, pos = first_proxy(...)
  if not p then return end
  if check == "set" or check == "unset" then
    local state = check
    if negate then state = (state == "set") and "unset" or "set" end
    note_state(p, state)
  elseif check == "match" then
    if not negate then note_state(p, "set", (real_select(1, ...))) end
  elseif check == "same" then
    local other = real_select(pos == 1 and 2 or 1, ...)
    if other == nil then
      note_state(p, negate and "set" or "unset")
    elseif not negate then
      note_state(p, "set", other)
    end
  end
end

local function chain(words)
  return real_setmetatable({}, {
    __index = function(_, k)
      local w = {}
      for i, x in real_ipairs(words) do w[i] = x end
      for part in real_tostring(k):gmatch("[^_]+") do w[#w + 1] = part:lower() end
      return chain(w)
    end,
    __call = function(self, ...)
      local first = ...
      if first == _G.assert or first == self then -- assert:method(...)
        return apply_assertion(words, real_select(2, ...))
      end
      apply_assertion(words, ...)
      return ...
    end,
  })
end

local assert_object = real_setmetatable({}, {
  __index = function(_, k)
    local w = {}
    for part in real_tostring(k):gmatch("[^_]+") do w[#w + 1] = part:lower() end
    return chain(w)
  end,
  __call = function(_, ...)
    local p = first_proxy(...)
    if p and p == (...) then note_state(p, "set") end
    return ...
  end,
})

------------------------------------------------------------------------------
-- Schema objects: what Schema.new and Entity.new make.

local SchemaObj = {}
SchemaObj.__index = function(self, k)
  local m = rawget(SchemaObj, k)
  if m then return m end
  return blackhole("schema object field: " .. real_tostring(k))
end

local function new_schema(def)
  local target
  if plugin_markers[def] then target = { kind = "plugin_schema", name = plugin_markers[def] }
  elseif entity_markers[def] then target = { kind = "entity", name = entity_markers[def] }
  else target = { kind = "custom", name = real_type(def) == "table" and rawget(def, "name") or nil } end
  return real_setmetatable({ __target = target }, SchemaObj), nil
end

local function schema_call(method)
  return function(self, input, ...)
    local t = rawget(self, "__target")
    local kind = t.kind
    if kind == "entity" and t.name == "plugins" then kind = "plugin_entity" end
    if kind == "entity" and t.name == "declarative_config" then kind = "declarative" end
    return record_call(kind, t.name, method, input, (...))
  end
end

SchemaObj.validate = schema_call("validate")
SchemaObj.validate_insert = schema_call("validate_insert")
SchemaObj.validate_upsert = schema_call("validate_upsert")
SchemaObj.validate_update = schema_call("validate_update")
SchemaObj.flatten = schema_call("flatten")

local function deep_copy(v, seen)
  if real_type(v) ~= "table" or blackholes[v] or yaml_markers[v] or v == NULL or v == EMPTY_ARRAY
    or plugin_markers[v] or entity_markers[v] or proxies[v] then
    return v
  end
  seen = seen or {}
  if seen[v] then return seen[v] end
  local out = {}
  seen[v] = out
  for k, x in real_pairs(v) do out[deep_copy(k, seen)] = deep_copy(x, seen) end
  return real_setmetatable(out, real_getmetatable(v))
end

function SchemaObj.process_auto_fields(_, input, ctx)
  if real_type(input) ~= "table" or blackholes[input] then return input end
  local copy = deep_copy(input)
  auto_fields[copy] = ctx or "select"
  return copy
end
function SchemaObj.new_subschema() return true end
function SchemaObj.validate_primary_key() return blackhole("validate_primary_key") end

------------------------------------------------------------------------------
-- Modules.

local uuid_count = 0
local function fake_uuid()
  uuid_count = uuid_count + 1
  return string.format("00000000-0000-4000-8000-%012d", uuid_count)
end

local function module_table(t, why)
  return real_setmetatable(t, {
    __index = function(_, k) return blackhole((why or "module") .. "." .. real_tostring(k)) end,
  })
end

-- A dedent like pl.text.dedent / helpers.unindent: remove the common indent.
local function dedent(s)
  local indent
  for line in (s .. "\n"):gmatch("([^\n]*)\n") do
    if line:find("%S") then
      local ws = line:match("^[ \t]*")
      if not indent or #ws < #indent then indent = ws end
    end
  end
  if not indent or indent == "" then return s end
  local out = {}
  for line in (s .. "\n"):gmatch("([^\n]*)\n") do
    out[#out + 1] = line:sub(1, #indent) == indent and line:sub(#indent + 1) or line:gsub("^%s+$", "")
  end
  return table.concat(out, "\n")
end

local function validate_plugin_config_schema(config, schema_def, extra_fields)
  local name = plugin_markers[schema_def]
  local kind = name and "plugin" or "custom"
  return record_call(kind, name, "validate_plugin_config_schema", config, extra_fields)
end

local helpers = module_table({
  validate_plugin_config_schema = validate_plugin_config_schema,
  unindent = function(s) return dedent(s) end,
  test_conf = module_table({}, "helpers.test_conf"),
  deep_sort = function(t) return t end,
  -- one database strategy: the validations do not depend on it
  each_strategy = function() return real_ipairs({ "postgres" }) end,
  all_strategies = function() return real_ipairs({ "postgres" }) end,
  -- the blueprints and the database: stand-ins (what a spec reads from them is computed)
  get_db_utils = function() return blackhole("blueprints"), blackhole("database") end,
}, "spec.helpers")

local declarative_config_module = module_table({
  load = function()
    local dc = real_setmetatable({ __target = { kind = "declarative", name = "declarative_config" } }, SchemaObj)
    return dc, nil, blackhole("declarative config definition")
  end,
}, "declarative_config")

local ConfigObj = {}
ConfigObj.__index = function(_, k)
  if k == "parse_string" then
    return function(_, text)
      return record_call("declarative", "declarative_config", "parse_string", yaml_marker(text))
    end
  elseif k == "parse_table" then
    return function(_, t) return record_call("declarative", "declarative_config", "parse_table", t) end
  end
  return blackhole("declarative object: " .. real_tostring(k))
end

local declarative_module = module_table({
  new_config = function() return real_setmetatable({}, ConfigObj) end,
}, "kong.db.declarative")

local function json_encode(v)
  local t = real_type(v)
  if t == "string" then
    return '"' .. v:gsub('[%c"\\]', function(c)
      local map = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
      return map[c] or string.format("\\u%04x", c:byte())
    end) .. '"'
  elseif t == "number" then
    if v == math.floor(v) and math.abs(v) < 1e15 then return string.format("%d", v) end
    return string.format("%.17g", v)
  elseif t == "boolean" then return real_tostring(v)
  elseif v == nil or v == NULL then return "null"
  elseif t == "table" and not blackholes[v] then
    if v == EMPTY_ARRAY or real_getmetatable(v) == array_mt or (#v > 0) then
      local parts = {}
      for i = 1, #v do parts[i] = json_encode(v[i]) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in real_pairs(v) do keys[#keys + 1] = real_tostring(k) end
    table.sort(keys)
    local parts = {}
    for _, k in real_ipairs(keys) do parts[#parts + 1] = json_encode(k) .. ":" .. json_encode(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return blackhole("json of a computed value")
end

local cjson = module_table({
  null = NULL,
  empty_array = EMPTY_ARRAY,
  array_mt = array_mt,
  encode = json_encode,
  decode = function() return blackhole("cjson.decode") end,
}, "cjson")

local function keys_of(t)
  local out = {}
  if real_type(t) == "table" and not blackholes[t] and not proxies[t] then
    for k in real_pairs(t) do out[#out + 1] = k end
  end
  return out
end

local function values_of(t)
  local out = {}
  if real_type(t) == "table" and not blackholes[t] and not proxies[t] then
    for _, v in real_pairs(t) do out[#out + 1] = v end
  end
  return out
end

local tablex = module_table({
  keys = keys_of,
  values = values_of,
  deepcopy = function(t) return deep_copy(t) end,
  copy = function(t)
    local out = {}
    for k, v in real_pairs(t) do out[k] = v end
    return out
  end,
  merge = function(a, b, dup)
    local out = {}
    for k, v in real_pairs(a) do if dup or b[k] ~= nil then out[k] = v end end
    if dup then for k, v in real_pairs(b) do out[k] = v end end
    return out
  end,
}, "pl.tablex")

local function cycle_aware_copy(t) return deep_copy(t) end

local stand_ins = {
  ["spec.helpers"] = helpers,
  ["kong.db.schema"] = module_table({ new = new_schema, define = function(t) return t end }, "kong.db.schema"),
  ["kong.db.schema.entity"] = module_table({ new = new_schema }, "kong.db.schema.entity"),
  ["kong.db.schema.others.declarative_config"] = declarative_config_module,
  ["kong.db.declarative"] = declarative_module,
  ["lyaml"] = module_table({ load = function(text) return yaml_marker(text) end, null = NULL }, "lyaml"),
  ["cjson"] = cjson,
  ["cjson.safe"] = cjson,
  ["pl.tablex"] = tablex,
  ["kong.tools.uuid"] = module_table({ uuid = fake_uuid }, "kong.tools.uuid"),
  ["kong.tools.utils"] = module_table({ uuid = fake_uuid, deep_copy = deep_copy,
    cycle_aware_deep_copy = cycle_aware_copy }, "kong.tools.utils"),
  ["kong.tools.table"] = module_table({ deep_copy = deep_copy, cycle_aware_deep_copy = cycle_aware_copy },
    "kong.tools.table"),
  ["pl.utils"] = module_table({ unpack = unpack }, "pl.utils"),
  ["pl.text"] = module_table({ dedent = dedent }, "pl.text"),
  ["spec.fixtures.mocker"] = module_table({
    setup = function(f) if real_type(f) == "function" then f(function() end) end end,
  }, "mocker"),
}

local function stand_in_require(name)
  if stand_ins[name] then return stand_ins[name] end
  local plugin = name:match("^kong%.plugins%.([%w%-_]+)%.schema$")
  if plugin then
    stand_ins[name] = plugin_marker(plugin)
    return stand_ins[name]
  end
  local entity = name:match("^kong%.db%.schema%.entities%.([%w_]+)$")
  if entity then
    stand_ins[name] = entity_marker(entity)
    return stand_ins[name]
  end
  stand_ins[name] = blackhole("module " .. name)
  return stand_ins[name]
end

------------------------------------------------------------------------------
-- Busted.

local function new_block(name, parent)
  return { name = name, parent = parent, children = {}, before_each = {}, after_each = {},
           setup = {}, teardown = {} }
end

local root = new_block(nil, nil)
local collecting = root

local function full_name(block, leaf)
  local parts = {}
  local b = block
  while b do
    if b.name then table.insert(parts, 1, b.name) end
    b = b.parent
  end
  parts[#parts + 1] = leaf
  return table.concat(parts, " ")
end

-- A loop over a stand-in value never ends by itself: each test, block body
-- and the file's own chunk get a budget of instructions and memory.
local function guarded_pcall(fn, ...)
  local budget = 0
  debug.sethook(function()
    budget = budget + 1
    if budget > 50 or collectgarbage("count") > 512 * 1024 then
      real_error("instruction or memory budget exceeded (a loop on a stand-in value?)")
    end
  end, "", 100000)
  local ok, err = real_pcall(fn, ...)
  debug.sethook()
  return ok, err
end

local function run_each(list, ...)
  for _, f in real_ipairs(list) do
    local ok, err = guarded_pcall(f, ...)
    if not ok then harness_errors[#harness_errors + 1] = { test = current_test and current_test.name, error = real_tostring(err) } end
  end
end

local run_block

local function run_children(block)
  run_each(block.setup)
  for _, child in real_ipairs(block.children) do
    if child.kind == "describe" then
      run_block(child, block)
    elseif child.kind == "it" then
      current_test = { name = full_name(block, child.name), line = child.line }
      local chain_b, befores = {}, {}
      local b = block
      while b do table.insert(chain_b, 1, b); b = b.parent end
      for _, x in real_ipairs(chain_b) do for _, f in real_ipairs(x.before_each) do befores[#befores + 1] = f end end
      run_each(befores)
      local ok, err = guarded_pcall(child.fn)
      if not ok then harness_errors[#harness_errors + 1] = { test = current_test.name, error = real_tostring(err) } end
      for i = #chain_b, 1, -1 do run_each(chain_b[i].after_each) end
      current_test = nil
    end
  end
  run_each(block.teardown)
end

function run_block(child, parent)
  local block = new_block(child.name, parent)
  local saved = collecting
  collecting = block
  local ok, err = guarded_pcall(child.fn)
  collecting = saved
  if not ok then harness_errors[#harness_errors + 1] = { test = full_name(block, ""), error = real_tostring(err) } end
  run_children(block)
end

local function describe(name, fn)
  collecting.children[#collecting.children + 1] = { kind = "describe", name = real_tostring(name), fn = fn }
end

local function it(name, fn)
  local line = real_type(fn) == "function" and debug.getinfo(fn, "S").linedefined or 0
  collecting.children[#collecting.children + 1] = { kind = "it", name = real_tostring(name), fn = fn, line = line }
end

local pending_count = 0
local function pending() pending_count = pending_count + 1 end

local function adder(key)
  return function(fn) local l = collecting[key]; l[#l + 1] = fn end
end

------------------------------------------------------------------------------
-- Globals, then the spec.

_G.describe, _G.context, _G.insulate, _G.expose = describe, describe, describe, describe
_G.it, _G.test, _G.spec = it, it, it
_G.pending = pending
_G.before_each, _G.after_each = adder("before_each"), adder("after_each")
_G.setup, _G.lazy_setup, _G.strict_setup = adder("setup"), adder("setup"), adder("setup")
_G.teardown, _G.lazy_teardown, _G.strict_teardown = adder("teardown"), adder("teardown"), adder("teardown")
_G.finally = function() end
_G.randomize = function() end
_G.spy = blackhole("spy")
_G.stub = blackhole("stub")
_G.mock = blackhole("mock")
_G.match = blackhole("luassert.match")
_G.assert = assert_object
_G.require = stand_in_require
_G.ngx = module_table({
  null = NULL,
  log = function() end,
  ctx = {},
  shared = blackhole("ngx.shared"),
  DEBUG = 8, INFO = 7, NOTICE = 6, WARN = 5, ERR = 4, CRIT = 3,
  re = blackhole("ngx.re"),
  encode_base64 = function() return blackhole("ngx.encode_base64") end,
  now = function() return 1700000000 end,
  time = function() return 1700000000 end,
}, "ngx")
-- The PDK global: specs spy on its logger (serverless-functions' deprecation warnings); a spec
-- that sets kong.configuration (the router flavour) replaces the whole table.
_G.kong = { log = blackhole("kong.log") }
table.unpack = table.unpack or unpack

local chunk, load_err = loadfile(spec_path)
if not chunk then
  io.stderr:write("extract.lua: ", real_tostring(load_err), "\n")
  os.exit(1)
end
local ok, err = guarded_pcall(chunk)
if not ok then harness_errors[#harness_errors + 1] = { test = "(file)", error = real_tostring(err) } end
run_children(root)

------------------------------------------------------------------------------
-- Output.

local function jstr(s) return json_encode(s) end

-- A snapshot as JSON: taints, YAML texts, arrays and null keep their markers.
local function snap_json(v)
  if v == nil then return "null" end
  if v == NULL then return '{"$null":true}' end
  local t = real_type(v)
  if t ~= "table" then return json_encode(v) end
  if v["$taint"] then return '{"$taint":' .. jstr(v["$taint"]) .. "}" end
  if v["$yaml"] then return '{"$yaml":' .. jstr(v["$yaml"]) .. "}" end
  local n, count = 0, 0
  for k in real_pairs(v) do
    count = count + 1
    if real_type(k) == "number" then n = n + 1 end
  end
  if v["$array"] then count = count - 1 end
  if count > 0 and n == count then
    -- an array; holes become "$hole" (Lua sequences cannot have them, JSON can)
    local max = 0
    for k in real_pairs(v) do if real_type(k) == "number" and k > max then max = k end end
    local parts = {}
    for i = 1, max do
      local ki = v[i]
      if ki == nil then return '{"$taint":"an array with holes or non-integer keys"}' end
      parts[i] = snap_json(ki)
    end
    if max ~= n then return '{"$taint":"an array with holes or non-integer keys"}' end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  if n > 0 then return '{"$taint":"a table mixing array items and keys"}' end
  if count == 0 then return v["$array"] and '{"$empty":"array"}' or '{"$empty":"table"}' end
  local keys = {}
  for k in real_pairs(v) do if k ~= "$array" then keys[#keys + 1] = k end end
  table.sort(keys)
  local parts = {}
  for _, k in real_ipairs(keys) do parts[#parts + 1] = jstr(k) .. ":" .. snap_json(v[k]) end
  return "{" .. table.concat(parts, ",") .. "}"
end

local out = {}
for _, rec in real_ipairs(records) do
  local fields = {}
  for _, f in real_ipairs(rec.fields) do
    local parts = {}
    for i, x in real_ipairs(f.path) do parts[i] = jstr(x) end
    fields[#fields + 1] = '{"path":[' .. table.concat(parts, ",") .. '],"message":'
      .. (f.message and jstr(f.message) or "null") .. "}"
  end
  local verdicts = {}
  for i, x in real_ipairs(rec.verdicts) do verdicts[i] = jstr(x) end
  local notes = {}
  for k in real_pairs(rec.notes) do notes[#notes + 1] = jstr(k) end
  table.sort(notes)
  out[#out + 1] = "{" .. table.concat({
    '"spec":' .. jstr(spec_name),
    '"id":' .. rec.id,
    '"test":' .. jstr(rec.test),
    '"test_line":' .. rec.test_line,
    '"line":' .. rec.line,
    '"kind":' .. jstr(rec.kind),
    '"target":' .. (rec.target and jstr(rec.target) or "null"),
    '"method":' .. jstr(rec.method),
    '"auto":' .. (rec.auto and jstr(real_tostring(rec.auto)) or "null"),
    '"flavor":' .. (rec.flavor and jstr(rec.flavor) or "null"),
    '"verdicts":[' .. table.concat(verdicts, ",") .. "]",
    '"fields":[' .. table.concat(fields, ",") .. "]",
    '"notes":[' .. table.concat(notes, ",") .. "]",
    '"input":' .. snap_json(rec.input),
    '"extra":' .. snap_json(rec.extra),
  }, ",") .. "}"
end
for _, e in real_ipairs(harness_errors) do
  out[#out + 1] = '{"spec":' .. jstr(spec_name) .. ',"harness_error":' .. jstr(e.error)
    .. ',"test":' .. jstr(e.test or "") .. "}"
end
out[#out + 1] = '{"spec":' .. jstr(spec_name) .. ',"pending":' .. pending_count .. "}"
io.write(table.concat(out, "\n"), "\n")
