-- Runs the Lua of one APISIX test block (t/plugin/*.t, `content_by_lua_block`) with stand-ins,
-- to collect the configurations it hands to a plugin's check_schema.
--
-- usage: luajit t_blocks.lua < block.lua  -> JSON lines on stdout:
--   {"call": N, "plugin": NAME, "kind": "http"|"stream", "type": nil|"consumer"|"metadata",
--    "conf": {...}}     one per check_schema call, in order
--   {"say": TEXT, "after": N}   one per ngx.say, N = the calls made before it
-- Every check_schema call answers true (the block's own branches on the answer are not
-- followed); what the block prints afterwards is matched by check_schema_tests.py. A block that
-- needs anything else (a request, the admin API, a shared dict) stops with "unsupported".

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local J = dofile(here .. "/../kong/json.lua")

local calls = 0
local NULL = setmetatable({}, { __tostring = function() return "null" end })
local TYPES = { [1] = "consumer", [2] = "metadata" }

local function unsupported(what)
  error({ unsupported = what }, 0)
end

local function to_json(v, seen)
  seen = seen or {}
  if v == NULL then return J.null end
  local t = type(v)
  if t ~= "table" then
    if t == "function" or t == "userdata" then unsupported("a " .. t .. " in a conf") end
    return v
  end
  if seen[v] then unsupported("a cycle") end
  seen[v] = true
  local n, count = #v, 0
  for _ in pairs(v) do count = count + 1 end
  local out
  if count > 0 and count == n then
    out = J.array()
    for i = 1, n do out[i] = to_json(v[i], seen) end
  elseif count == 0 and getmetatable(v) and getmetatable(v).__array then
    out = J.array()
  else
    out = J.object()
    for k, x in pairs(v) do
      if type(k) ~= "string" then unsupported("a non-string key") end
      out[k] = to_json(x, seen)
    end
  end
  seen[v] = nil
  return out
end

local function emit(obj)
  io.stdout:write(J.encode(obj):gsub("\n%s*", " "), "\n")
end

local function plugin_proxy(name, kind)
  return setmetatable({ name = name }, {
    __index = function(t, k)
      if k == "check_schema" then
        return function(conf, stype)
          calls = calls + 1
          emit(J.object({ call = calls, plugin = name, kind = kind,
                          type = TYPES[stype] or J.null, conf = to_json(conf) }))
          return true
        end
      end
      unsupported("plugin field " .. tostring(k))
    end,
  })
end

local json = {
  encode = function(v) return J.encode(to_json(v)):gsub("\n%s*", "") end,
  null = NULL,
}

local core = setmetatable({
  schema = { TYPE_CONSUMER = 1, TYPE_METADATA = 2 },
  json = setmetatable(json, { __index = function(_, k) unsupported("core.json." .. k) end }),
  log = setmetatable({}, { __index = function() return function() end end }),
  table = {
    insert = table.insert, concat = table.concat,
    deepcopy = function(t)
      local function dc(x)
        if type(x) ~= "table" then return x end
        local c = {}
        for k, v in pairs(x) do c[k] = dc(v) end
        return setmetatable(c, getmetatable(x))
      end
      return dc(t)
    end,
    new = function() return {} end,
    nkeys = function(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end,
  },
}, { __index = function(_, k) unsupported("core." .. k) end })

local modules = {
  ["apisix.core"] = core,
  ["toolkit.json"] = json, ["cjson"] = json, ["cjson.safe"] = json,
}

local real_require = require
_G.require = function(name)
  if modules[name] then return modules[name] end
  local p = name:match("^apisix%.plugins%.([%w_-]+)$")
  if p then return plugin_proxy(p, "http") end
  p = name:match("^apisix%.stream%.plugins%.([%w_-]+)$")
  if p then return plugin_proxy(p, "stream") end
  unsupported("require " .. name)
end

_G.ngx = setmetatable({
  null = NULL,
  say = function(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[#parts + 1] = tostring((select(i, ...))) end
    emit(J.object({ say = table.concat(parts), after = calls }))
  end,
  print = function(...) _G.ngx.say(...) end,
  log = function() end, ERR = 4, WARN = 5, INFO = 7, DEBUG = 8,
  HTTP_OK = 200, HTTP_BAD_REQUEST = 400,
  encode_base64 = function(s) return s end,
}, { __index = function(_, k) unsupported("ngx." .. k) end })

local code = io.read("*a")
local chunk, err = loadstring(code, "=block")
if not chunk then
  emit(J.object({ unsupported = "syntax: " .. tostring(err) }))
  os.exit(0)
end
local ok, e = pcall(chunk)
if not ok then
  local what = type(e) == "table" and e.unsupported or tostring(e)
  emit(J.object({ unsupported = what }))
end
