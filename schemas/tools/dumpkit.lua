-- What the plugin schema dumpers (kong/dump.lua, apisix/dump.lua) share: their command line,
-- loading a gateway's modules from an extracted source tree, and the summary they print.
--
-- This file is written for gatehop; no gateway code is copied into it.

local K = {}

-- LOADING marks a module being loaded, so that a require loop is an error, not a hang.
K.LOADING = {}

-- The command line: TREE and options taking one value each. `options` maps "--name" to a
-- function given the value. Unknown options and extra arguments exit with status 2.
function K.args(argv, options, usage)
  local tree
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if options[a] then
      options[a](argv[i + 1])
      i = i + 1
    elseif a:sub(1, 2) == "--" then
      io.stderr:write("dump.lua: unknown option ", a, "\n"); os.exit(2)
    elseif not tree then
      tree = a
    else
      io.stderr:write("dump.lua: unexpected argument ", a, "\n"); os.exit(2)
    end
    i = i + 1
  end
  if not tree then
    io.stderr:write("usage: ", usage, "\n")
    os.exit(2)
  end
  return tree
end

function K.file_exists(path)
  local f = io.open(path, "r")
  if f then f:close() return true end
  return false
end

-- Whether a module name is one of `list`: "x." stands for every module below x, "x" for x
-- itself and every module below it.
function K.matches_prefix(name, list)
  for _, p in ipairs(list) do
    if p:sub(-1) == "." then
      if name:sub(1, #p) == p then return true end
    elseif name == p or name:sub(1, #p + 1) == p .. "." then
      return true
    end
  end
  return false
end

function K.is_sequence(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n > 0 and n == #t
end

-- A value that is written as it is, not walked: JSON null for the null marker, [] for the
-- empty-array marker, "<function>" for a function, strings, numbers and booleans as they are,
-- "<type>" for anything else that is not a table. Returns nil for a table to walk.
function K.leaf(v, null, empty_array, J)
  local tv = type(v)
  if v == null then return J.null end
  if v == empty_array then return J.array() end
  if tv == "function" then return "<function>" end
  if tv == "string" or tv == "number" or tv == "boolean" then return v end
  if tv ~= "table" then return "<" .. tv .. ">" end
  return nil
end

-- Loads modules from `tree` as the gateway does (a.b.c is a/b/c.lua or a/b/c/init.lua);
-- `loaded` lists the ones loaded, in load order. load(name) returns nil when the tree has no
-- such file; a module that fails to load raises its error.
function K.tree_loader(tree)
  local l = { loaded = {} }
  function l.path(name)
    local rel = name:gsub("%.", "/")
    local path = tree .. "/" .. rel .. ".lua"
    if not K.file_exists(path) then path = tree .. "/" .. rel .. "/init.lua" end
    if not K.file_exists(path) then return nil end
    return path
  end
  function l.load(name)
    local path = l.path(name)
    if not path then return nil end
    local chunk, err = loadfile(path)
    if not chunk then error(err, 0) end
    package.loaded[name] = K.LOADING
    local ok, res = pcall(chunk, name)
    if not ok then
      package.loaded[name] = nil
      error(res, 0)
    end
    if res == nil then res = true end
    l.loaded[#l.loaded + 1] = name
    return res
  end
  return l
end

-- Installs `require`: modules already loaded come from package.loaded; `resolve(name)` gives
-- the others (a stand-in, a module of the tree) or raises why it cannot.
function K.install_require(resolve)
  _G.require = function(name)
    local m = package.loaded[name]
    if m == K.LOADING then error("require loop on module '" .. name .. "'", 2) end
    if m ~= nil then return m end
    m = resolve(name)
    package.loaded[name] = m
    return m
  end
  return _G.require
end

-- The end of the summary on stderr: stand-in keys read that stubs.lua does not list, and (with
-- DUMP_VERBOSE set) the modules taken from the tree.
function K.report_misses(err, misses, loaded, what)
  local list = {}
  for k in pairs(misses) do list[#list + 1] = k end
  table.sort(list)
  if #list > 0 then
    err:write("  stub keys read that stubs.lua does not list: ", table.concat(list, ", "), "\n")
  end
  if os.getenv("DUMP_VERBOSE") then
    err:write("  ", what, " modules loaded from the tree: ", table.concat(loaded, ", "), "\n")
  end
end

return K
