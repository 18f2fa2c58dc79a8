-- A small deterministic JSON writer for the dump.
--
-- Values are built by dump.lua as: strings, numbers, booleans, J.null, and
-- tables made with J.array{...} or J.object{...}. Object keys are written in
-- sorted order, arrays in their own order, two spaces of indentation.

local J = {}

J.null = setmetatable({}, { __tostring = function() return "null" end })

local ARRAY = {}
local OBJECT = {}

function J.array(t) return setmetatable(t or {}, ARRAY) end
function J.object(t) return setmetatable(t or {}, OBJECT) end
function J.is_array(t) return getmetatable(t) == ARRAY end
function J.is_object(t) return getmetatable(t) == OBJECT end

-- True when s is well-formed UTF-8 (JSON text must be).
local function valid_utf8(s)
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    local len
    if c < 0x80 then len = 1
    elseif c >= 0xC2 and c <= 0xDF then len = 2
    elseif c >= 0xE0 and c <= 0xEF then len = 3
    elseif c >= 0xF0 and c <= 0xF4 then len = 4
    else return false end
    for j = i + 1, i + len - 1 do
      local d = s:byte(j)
      if not d or d < 0x80 or d > 0xBF then return false end
    end
    if len == 3 then
      local d = s:byte(i + 1)
      if (c == 0xE0 and d < 0xA0) or (c == 0xED and d > 0x9F) then return false end
    elseif len == 4 then
      local d = s:byte(i + 1)
      if (c == 0xF0 and d < 0x90) or (c == 0xF4 and d > 0x8F) then return false end
    end
    i = i + len
  end
  return true
end
J.valid_utf8 = valid_utf8

local escapes = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

-- Writes a string; bytes >= 0x80 are written as \u00XX only when `bytes` is
-- set (the caller has already decided the string is not UTF-8).
local function quote(s, bytes)
  local pat = bytes and '[%z\1-\31"\\\128-\255]' or '[%z\1-\31"\\]'
  return '"' .. s:gsub(pat, function(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function number(x)
  if x ~= x then return '"<nan>"' end
  if x == math.huge then return '"<+inf>"' end
  if x == -math.huge then return '"<-inf>"' end
  if x % 1 == 0 and math.abs(x) < 2^53 then return string.format("%.0f", x) end
  -- the shortest form that reads back as the same number
  for prec = 15, 17 do
    local s = string.format("%." .. prec .. "g", x)
    if tonumber(s) == x then return s end
  end
  return string.format("%.17g", x)
end

local function write(v, indent, out)
  local tv = type(v)
  if v == J.null then out[#out + 1] = "null"
  elseif tv == "boolean" then out[#out + 1] = tostring(v)
  elseif tv == "number" then out[#out + 1] = number(v)
  elseif tv == "string" then
    if valid_utf8(v) then
      out[#out + 1] = quote(v)
    else
      -- not UTF-8 (a Lua pattern with raw bytes): one char per byte, wrapped
      out[#out + 1] = '{"latin1_bytes": ' .. quote(v, true) .. '}'
    end
  elseif J.is_array(v) then
    if #v == 0 then out[#out + 1] = "[]" return end
    local inner = indent .. "  "
    out[#out + 1] = "[\n"
    for i = 1, #v do
      out[#out + 1] = inner
      write(v[i], inner, out)
      out[#out + 1] = i < #v and ",\n" or "\n"
    end
    out[#out + 1] = indent .. "]"
  elseif J.is_object(v) then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    if #keys == 0 then out[#out + 1] = "{}" return end
    table.sort(keys)
    local inner = indent .. "  "
    out[#out + 1] = "{\n"
    for i, k in ipairs(keys) do
      out[#out + 1] = inner .. quote(k) .. ": "
      write(v[k], inner, out)
      out[#out + 1] = i < #keys and ",\n" or "\n"
    end
    out[#out + 1] = indent .. "}"
  else
    error("json: cannot write a " .. tv)
  end
end

function J.encode(v)
  local out = {}
  write(v, "", out)
  out[#out + 1] = "\n"
  return table.concat(out)
end

return J
