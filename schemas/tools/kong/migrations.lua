-- Lists the database migrations of one Kong source tree: for the core subsystem and for every
-- plugin that has a migrations index, each migration's name in the order Kong runs them, and
-- whether its postgres part has a teardown step (then `kong migrations up` leaves it pending
-- until `kong migrations finish`).
--
-- usage: lua5.1 migrations.lua TREE
-- TREE holds Kong's kong/ directory at one release. Prints one line per migration:
--   SUBSYSTEM <tab> NAME <tab> teardown|-
-- A migration file is run with every `require` answered by a stand-in, so that loading it
-- never needs Kong's runtime: only the shape of the table it returns matters here.
--
-- This file is written for gatehop; no Kong code is copied into it.

local tree = arg[1]
if not tree then
  io.stderr:write("usage: lua5.1 migrations.lua TREE\n")
  os.exit(2)
end

-- A value that stands for any module or global: indexing, calling and concatenating it give
-- stand-ins again, so top-level code that builds SQL from helpers still runs.
local standin
local standin_mt = {}
standin_mt.__index = function() return standin end
standin_mt.__call = function() return standin end
standin_mt.__concat = function() return "" end
standin_mt.__tostring = function() return "" end
standin = setmetatable({}, standin_mt)

local function read_index(path)
  local chunk = loadfile(path)
  if not chunk then return nil end
  setfenv(chunk, {})
  local ok, list = pcall(chunk)
  if not ok or type(list) ~= "table" then
    io.stderr:write("migrations.lua: cannot read the index ", path, "\n")
    os.exit(1)
  end
  return list
end

local function migration_env()
  local env = setmetatable({}, { __index = function(_, k)
    local real = _G[k]
    if real ~= nil and k ~= "require" then return real end
    return standin
  end })
  env.require = function() return standin end
  return env
end

local function has_teardown(path)
  local chunk, err = loadfile(path)
  if not chunk then
    io.stderr:write("migrations.lua: ", err, "\n")
    os.exit(1)
  end
  setfenv(chunk, migration_env())
  local ok, m = pcall(chunk)
  if not ok or type(m) ~= "table" or type(m.postgres) ~= "table" then
    io.stderr:write("migrations.lua: ", path, " gives no postgres migration: ", tostring(m), "\n")
    os.exit(1)
  end
  return type(m.postgres.teardown) == "function"
end

local function list(subsystem, dir)
  local index = read_index(dir .. "/init.lua")
  if not index then return end
  for _, name in ipairs(index) do
    local teardown = has_teardown(dir .. "/" .. name .. ".lua")
    io.write(subsystem, "\t", name, "\t", teardown and "teardown" or "-", "\n")
  end
end

list("core", tree .. "/kong/db/migrations/core")
local plugins = {}
local p = io.popen("ls '" .. tree .. "/kong/plugins'")
for name in p:lines() do plugins[#plugins + 1] = name end
p:close()
table.sort(plugins)
for _, name in ipairs(plugins) do
  list(name, tree .. "/kong/plugins/" .. name .. "/migrations")
end
