#!/usr/bin/env python3
"""Writes what each Kong release knows about kong.conf properties, read from Kong's own source.

usage: kong_conf.py KONG_GIT_DIR > out.yaml

For every release tag 2.0.0 to 3.9.3 (every patch tag, not only the first and last of a minor),
it reads at that tag:

- kong.conf.default: every property line `#name = value   # comment` (column 0, `#` then the
  name); the value is what stands between `=` and the first `#`, trimmed. No tag continues a
  value on a following line; a value ending in `,` or `\\` is refused as a possible continuation.
- kong/templates/kong_defaults.lua: the `return [[ ... ]]` text the loader reads with
  pl.config as its defaults. Values are read as the loader reads them: a trailing `# comment`
  is dropped (an escaped `\\#` is kept as `#`), and `NONE`, the loader's placeholder for
  "unset", is written as "". Only names in this file (or under a dynamic prefix such as
  `nginx_http_`) are read from a user's kong.conf; the loader drops every other name.
- the conf loader (kong/conf_loader.lua in 2.0, kong/conf_loader/init.lua from 2.1, the
  tables in kong/conf_loader/constants.lua from 3.6): the type table (CONF_INFERENCES, renamed
  CONF_PARSERS in 3.2), the cipher suites, HEADER_KEY_TO_NAME, UPSTREAM_HEADER_KEY_TO_NAME and
  DYNAMIC_KEY_NAMESPACES, evaluated by luajit: the file's top-level code is run up to the end
  of the last of those tables, with `require` answering kong.constants and kong.meta from the
  tag's tree and everything else (OpenResty, Penlight, other kong.* modules) with permissive
  stand-ins; the tables are then written out as JSON (functions as "<function>"). A stand-in
  that ends up inside a table's data is an error.
- the loader's check function (check_and_infer, renamed check_and_parse in 3.2; in
  kong/conf_loader/parse.lua from 3.6), read as text, for the checks that enumerate allowed
  values: `local allowed = { A = true, ... }` over the entries of an array property, the
  `headers` tokens against HEADER_KEY_TO_NAME, ssl_cipher_suite against the cipher suites table,
  and top-level `if conf.x == "value" then` blocks that reject a value (an error) or deprecate
  it (log.deprecation), with the message Kong prints; and the blocks that refuse a number out
  of bounds (`if conf.x < 0 or conf.x ~= floor(conf.x) then errors[...] = "..."`), at the
  function's top level or under `if conf.x then` only.
- the loader's load function, as text, for two facts the output relies on: user settings are
  read only for the names of kong_defaults.lua (`tablex.pairmap(overrides, defaults, ...)`),
  plus names matching a DYNAMIC_KEY_NAMESPACES prefix (anchored at the start of the name from
  2.3.0; matched anywhere in the name before).

The script exits 1 with a message when a tag lacks one of these or a piece does not have the
expected shape; it never skips a tag. It needs git, tar and luajit; standard library only.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

FIRST = (2, 0, 0)
LAST = (3, 9, 3)
SCRIPT = 'schemas/tools/kong/kong_conf.py'

# Files looked for at each tag (those that exist are extracted).
WANTED_FILES = [
    'kong.conf.default',
    'kong/templates/kong_defaults.lua',
    'kong/conf_loader.lua',
    'kong/conf_loader/init.lua',
    'kong/conf_loader/constants.lua',
    'kong/conf_loader/parse.lua',
    'kong/constants.lua',
    'kong/meta.lua',
]

# Evaluates top-level tables of one Kong Lua file (see the module docstring).
# usage: luajit helper.lua TREE FILE NAME...   (prints one JSON object)
LUA_HELPER = r'''
local tree, file = arg[1], arg[2]
local names = {}
for i = 3, #arg do names[#names + 1] = arg[i] end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

-- Permissive stand-ins for what the file requires but we do not load.
local STUB = {}
local stub_mt = {}
local function stub(name)
  return setmetatable({ [STUB] = name }, stub_mt)
end
local function sname(v)
  if type(v) == "table" and getmetatable(v) == stub_mt then return "<stub:" .. v[STUB] .. ">" end
  return tostring(v)
end
stub_mt.__index = function(t, k)
  local s = stub(rawget(t, STUB) .. "." .. tostring(k))
  rawset(t, k, s)
  return s
end
stub_mt.__call = function(t) return stub(rawget(t, STUB) .. "()") end
stub_mt.__tostring = function(t) return "<stub:" .. rawget(t, STUB) .. ">" end
stub_mt.__concat = function(a, b) return sname(a) .. sname(b) end
for _, mm in ipairs({ "__add", "__sub", "__mul", "__div", "__mod", "__pow", "__unm" }) do
  stub_mt[mm] = function(a) return stub("arith") end
end

-- Modules loaded for real from the tag's tree: pure data that the tables read.
local REAL = { ["kong.constants"] = true, ["kong.meta"] = true }
local loaded = {}
local make_env
local function fake_require(mod)
  if loaded[mod] ~= nil then return loaded[mod] end
  local v
  if REAL[mod] then
    local path = tree .. "/" .. mod:gsub("%.", "/") .. ".lua"
    local chunk = assert(loadstring(read(path), "@" .. path))
    setfenv(chunk, make_env())
    v = chunk()
  else
    v = stub(mod)
  end
  loaded[mod] = v
  return v
end
make_env = function()
  local env = { require = fake_require }
  env._G = env
  return setmetatable(env, { __index = function(_, k)
    local g = _G[k]
    if g ~= nil and k ~= "arg" then return g end
    return stub(k)
  end })
end

-- Lua-aware scan for the closing brace of a table constructor starting at `pos`.
local function table_end(src, pos)
  local i, depth, n = pos, 0, #src
  while i <= n do
    local c = src:sub(i, i)
    if c == "-" and src:sub(i, i + 1) == "--" then
      local lvl = src:match("^%[(=*)%[", i + 2)
      if lvl then
        local close = "]" .. lvl .. "]"
        local e = assert(src:find(close, i + 4 + #lvl, true), "unterminated long comment")
        i = e + #close
      else
        i = (src:find("\n", i, true) or n) + 1
      end
    elseif c == '"' or c == "'" then
      i = i + 1
      while true do
        local d = src:sub(i, i)
        if d == "\\" then i = i + 2
        elseif d == c then i = i + 1 break
        elseif d == "" or d == "\n" then error("unterminated string")
        else i = i + 1 end
      end
    elseif c == "[" and src:match("^%[=*%[", i) then
      local lvl = src:match("^%[(=*)%[", i)
      local close = "]" .. lvl .. "]"
      local e = assert(src:find(close, i + 2 + #lvl, true), "unterminated long string")
      i = e + #close
    elseif c == "{" then
      depth = depth + 1
      i = i + 1
    elseif c == "}" then
      depth = depth - 1
      i = i + 1
      if depth == 0 then return i - 1 end
    else
      i = i + 1
    end
  end
  error("table constructor without end")
end

local src = read(tree .. "/" .. file)
local cut = 0
for _, name in ipairs(names) do
  local s, e = nil, nil
  local init = 1
  local found = 0
  while true do
    local a, b = src:find("\nlocal " .. name .. "%s*=%s*{", init)
    if not a then break end
    found = found + 1
    s, e = a, b
    init = b
  end
  if found ~= 1 then
    io.stderr:write(file .. ": " .. found .. " top-level definitions of " .. name .. "\n")
    os.exit(2)
  end
  local stop = table_end(src, e)
  if stop > cut then cut = stop end
end

local code = src:sub(1, cut) .. "\nreturn {"
for _, name in ipairs(names) do code = code .. name .. " = " .. name .. ", " end
code = code .. "}\n"
local chunk, err = loadstring(code, "@" .. file)
if not chunk then
  io.stderr:write(tostring(err) .. "\n")
  os.exit(2)
end
setfenv(chunk, make_env())
local ok, res = pcall(chunk)
if not ok then
  io.stderr:write("running " .. file .. " up to its tables: " .. tostring(res) .. "\n")
  os.exit(2)
end

-- JSON out. Functions become "<function>", stand-ins "<stub:name>".
local function esc(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\"
    elseif c == "\n" then return "\\n" elseif c == "\t" then return "\\t"
    else return string.format("\\u%04x", c:byte()) end
  end) .. '"'
end
local function enc(v, seen)
  local t = type(v)
  if t == "string" then return esc(v)
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return esc(tostring(v)) end
    return string.format("%.17g", v)
  elseif t == "boolean" then return tostring(v)
  elseif t == "nil" then return "null"
  elseif t == "function" then return '"<function>"'
  elseif t == "table" then
    if getmetatable(v) == stub_mt then return esc(sname(v)) end
    if seen[v] then return '"<cycle>"' end
    seen[v] = true
    local n, count = #v, 0
    for _ in pairs(v) do count = count + 1 end
    local out = {}
    if count == n and n > 0 then
      for i = 1, n do out[i] = enc(v[i], seen) end
      seen[v] = nil
      return "[" .. table.concat(out, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do
      keys[#keys + 1] = k
    end
    table.sort(keys, function(a, b) return sname(a) < sname(b) end)
    for _, k in ipairs(keys) do
      out[#out + 1] = esc(sname(k)) .. ":" .. enc(v[k], seen)
    end
    seen[v] = nil
    return "{" .. table.concat(out, ",") .. "}"
  else
    return esc("<" .. t .. ">")
  end
end
io.write(enc(res, {}), "\n")
'''

PROPERTY_LINE = re.compile(r'^#([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(.*)$')
DEFAULTS_LINE = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(.*)$')


def die(msg):
    print(f'kong_conf.py: {msg}', file=sys.stderr)
    sys.exit(1)


def version_key(tag):
    return tuple(int(p) for p in tag.split('.'))


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, **kw)
    if p.returncode != 0:
        err = p.stderr.decode('utf-8', 'replace') if isinstance(p.stderr, bytes) else p.stderr
        die(f'{" ".join(cmd[:6])}...: exit {p.returncode}: {err.strip()}')
    return p.stdout


def release_tags(git_dir):
    out = run(['git', '-C', git_dir, 'tag', '--list']).decode()
    tags = [t for t in out.split() if re.fullmatch(r'\d+\.\d+\.\d+', t)
            and FIRST <= version_key(t) <= LAST]
    tags.sort(key=version_key)
    if not tags or tags[0] != '.'.join(map(str, FIRST)) or tags[-1] != '.'.join(map(str, LAST)):
        die(f'{git_dir}: release tags {FIRST} to {LAST} not found (have {tags[:1]} ... {tags[-1:]})')
    return tags


def extract(git_dir, tag, dest):
    listed = run(['git', '-C', git_dir, 'ls-tree', '-r', '--name-only', tag, '--']
                 + WANTED_FILES).decode().split()
    present = [f for f in WANTED_FILES if f in listed]
    for need in ('kong.conf.default', 'kong/templates/kong_defaults.lua', 'kong/constants.lua',
                 'kong/meta.lua'):
        if need not in present:
            die(f'{tag}: no {need}')
    tar = run(['git', '-C', git_dir, 'archive', '--format=tar', tag, '--'] + present)
    run(['tar', '-x', '-C', dest], input=tar)
    return present


def read_text(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def parse_conf_default(text, tag):
    """kong.conf.default -> ({name: value}, [odd notes])."""
    props, odd = {}, []
    lines = text.split('\n')
    for i, line in enumerate(lines):
        m = PROPERTY_LINE.match(line)
        if not m:
            continue
        name, rest = m.group(1), m.group(2)
        value = rest.split('#', 1)[0].strip()
        if value.endswith(',') or value.endswith('\\'):
            die(f'{tag}: kong.conf.default line {i + 1}: value of {name} may continue on the '
                f'next line: {line!r}')
        nxt = lines[i + 1] if i + 1 < len(lines) else ''
        if nxt.startswith('#') and not nxt.startswith('# ') and nxt.strip() != '#' \
                and not PROPERTY_LINE.match(nxt) and not nxt.startswith('#-'):
            die(f'{tag}: kong.conf.default line {i + 2}: unexpected line after {name}: {nxt!r}')
        if name in props:
            if props[name] != value:
                die(f'{tag}: kong.conf.default lists {name} twice with different values')
            odd.append(f'{tag}: kong.conf.default lists {name} twice')
            continue
        props[name] = value
    if not props:
        die(f'{tag}: no property in kong.conf.default')
    return props, odd


def loader_value(raw):
    """A kong_defaults.lua value as the loader sees it (strip_comments, then NONE = unset)."""
    v = re.sub(r'\s*(?<!\\)#.*$', '', raw).replace('\\#', '#').strip()
    return '' if v == 'NONE' else v


def parse_kong_defaults(text, tag):
    """kong/templates/kong_defaults.lua -> ({name: value as the loader sees it}, {name: raw})."""
    m = re.fullmatch(r'return \[\[\n(.*)\]\]\n?', text, re.S)
    if not m:
        die(f'{tag}: kong_defaults.lua is not `return [[ ... ]]`')
    props, raw = {}, {}
    for n, line in enumerate(m.group(1).split('\n'), start=2):
        if not line.strip():
            continue
        lm = DEFAULTS_LINE.match(line)
        if not lm:
            die(f'{tag}: kong_defaults.lua line {n}: not `name = value`: {line!r}')
        name, value = lm.group(1), lm.group(2).strip()
        if value.endswith('\\'):
            die(f'{tag}: kong_defaults.lua line {n}: continuation line not handled')
        if name in props:
            die(f'{tag}: kong_defaults.lua sets {name} twice')
        props[name] = loader_value(value)
        raw[name] = value
    return props, raw


def lua_tables(helper, tree, file, names, tag):
    p = subprocess.run(['luajit', helper, tree, file] + names, capture_output=True, text=True)
    if p.returncode != 0:
        die(f'{tag}: luajit could not read {", ".join(names)} from {file}: {p.stderr.strip()}')
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        die(f'{tag}: luajit output for {file} is not JSON: {e}')


def find_stubs(value, path, out):
    if isinstance(value, str) and value.startswith('<stub:'):
        out.append(f'{path} = {value}')
    elif isinstance(value, dict):
        for k, v in value.items():
            if k.startswith('<stub:'):
                out.append(f'{path} key {k}')
            find_stubs(v, f'{path}.{k}', out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            find_stubs(v, f'{path}[{i + 1}]', out)


LUA_STRING = r'"(?:[^"\\\n]|\\.)*"'


def lua_string_concat(expr, tag, what):
    """The value of `"a" .. "b"` (string literals joined by ..), or die."""
    parts = re.findall(LUA_STRING, expr)
    rest = re.sub(LUA_STRING, '', expr)
    if not parts or re.sub(r'[\s.]', '', rest):
        die(f'{tag}: {what}: not a concatenation of string literals: {expr!r}')
    out = ''
    for p in parts:
        s = p[1:-1]
        s = re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t'}.get(m.group(1), m.group(1)), s)
        out += s
    return out


def key_true_table(body, tag, what):
    """`{ A = true, ["B"] = true }` -> its keys in source order, or die."""
    inner = body.strip()[1:-1]
    keys = []
    for item in [x.strip() for x in inner.split(',')]:
        if not item:
            continue
        m = re.fullmatch(r'(?:([A-Za-z_][A-Za-z0-9_]*)|\[\s*"([^"]*)"\s*\])\s*=\s*true', item)
        if not m:
            die(f'{tag}: {what}: unexpected table entry {item!r}')
        keys.append(m.group(1) or m.group(2))
    return keys


def check_function(tree, files, tag):
    """(file, body text) of the loader's check function."""
    found = []
    for f in ('kong/conf_loader.lua', 'kong/conf_loader/init.lua', 'kong/conf_loader/parse.lua'):
        if f not in files:
            continue
        text = read_text(os.path.join(tree, f))
        for m in re.finditer(r'^local function (check_and_infer|check_and_parse)\(.*$', text, re.M):
            end = re.search(r'^end\s*$', text[m.end():], re.M)
            if not end:
                die(f'{tag}: {f}: no end of {m.group(1)}')
            found.append((f, m.group(1), text[m.start():m.end() + end.end()]))
    if len(found) != 1:
        die(f'{tag}: expected one check_and_infer/check_and_parse, found {len(found)}')
    return found[0]


def read_checks(body, tables, tag):
    """Checks in the check function that enumerate allowed values -> {prop: [check]}, messages."""
    checks = {}

    def add(prop, check):
        checks.setdefault(prop, []).append(check)

    # Type and enum errors of the generic loop.
    m = re.search(r'fmt\(("%s is not a %s[^"]*")', body)
    type_error = lua_string_concat(m.group(1), tag, 'type error') if m else None
    m = re.search(r'fmt\(("%s has an invalid value[^"]*")', body)
    if not m:
        die(f'{tag}: no enum error message in the check function')
    enum_error = lua_string_concat(m.group(1), tag, 'enum error')

    # local allowed = { ... } over the entries of an array property.
    n_allowed = len(re.findall(r'local allowed\s*=', body))
    pat = re.compile(
        r'local allowed\s*=\s*(\{[^}]*\})\s*'
        r'for _, (\w+) in ipairs\(conf\.(\w+)\) do\s*'
        r'if not allowed\[(?:upper\((\w+)\)|(\w+):upper\(\)|(\w+))\] then\s*'
        r'errors\[#errors \+ 1\] = fmt\(("[^"]*")', re.S)
    hits = list(pat.finditer(body))
    if len(hits) != n_allowed:
        die(f'{tag}: {n_allowed} `local allowed` tables in the check function, '
            f'{len(hits)} of the expected shape')
    for h in hits:
        var = h.group(2)
        if var not in (h.group(4), h.group(5), h.group(6)):
            die(f'{tag}: allowed check of {h.group(3)} does not test its loop variable')
        add(h.group(3), {
            'kind': 'entries',
            'values': sorted(key_true_table(h.group(1), tag, f'allowed values of {h.group(3)}')),
            'case_insensitive': h.group(6) is None,
            'message': lua_string_concat(h.group(7), tag, f'{h.group(3)} message'),
        })

    # headers (and headers_upstream): tokens looked up, lower-cased, in a table, or "off".
    n_tokens = len(re.findall(r'for _, token in ipairs\(conf\.', body))
    pat = re.compile(
        r'for _, token in ipairs\(conf\.(\w+)\) do\s*'
        r'if token ~= "off" and not (?:conf_constants\.)?(\w+)\[(?:string\.)?lower\(token\)\] then\s*'
        r'errors\[#errors \+ 1\] = fmt\(("[^"]*")', re.S)
    hits = list(pat.finditer(body))
    if len(hits) != n_tokens:
        die(f'{tag}: {n_tokens} token checks in the check function, {len(hits)} of the expected shape')
    for h in hits:
        table = tables.get(h.group(2))
        if not isinstance(table, dict):
            die(f'{tag}: {h.group(1)} is checked against {h.group(2)}, which was not read')
        add(h.group(1), {
            'kind': 'entries',
            'values': sorted(table) + ['off'],
            'case_insensitive': True,
            'message': lua_string_concat(h.group(3), tag, f'{h.group(1)} message'),
        })

    # ssl_cipher_suite: "custom" or a key of the cipher suites table.
    m = re.search(r'if conf\.ssl_cipher_suite ~= "custom" then\s*'
                  r'local suite = (?:conf_constants\.)?(\w+)\[conf\.ssl_cipher_suite\]', body)
    if not m:
        die(f'{tag}: ssl_cipher_suite check not found')
    suites = tables.get(m.group(1))
    if not isinstance(suites, dict):
        die(f'{tag}: ssl_cipher_suite is checked against {m.group(1)}, which was not read')
    mm = re.search(r'errors\[#errors \+ 1\] = ("Undefined cipher suite "[^\n]*?)\s*\.\.\s*'
                   r'tostring\(conf\.ssl_cipher_suite\)', body)
    if not mm:
        die(f'{tag}: ssl_cipher_suite error message not found')
    add('ssl_cipher_suite', {
        'kind': 'value',
        'values': sorted(list(suites) + ['custom']),
        'case_insensitive': False,
        'message': lua_string_concat(mm.group(1), tag, 'ssl_cipher_suite message') + '%s',
    })

    # Top-level `if conf.x == "v" then` blocks that reject or deprecate one value.
    for h in re.finditer(r'\n  if conf\.(\w+) == "([^"]*)" then\n(.*?)\n  end\n', body, re.S):
        prop, value, block = h.group(1), h.group(2), h.group(3)
        first = block.strip()
        m1 = re.match(r'errors\[#errors \+ 1\] = (.*?)\s*$', first, re.S)
        m2 = re.match(r'log\.deprecation\((.*?),\s*\{', first, re.S)
        if m1 and '\n' not in first.split('\n')[0] and first.count('errors[') == 1:
            add(prop, {'kind': 'rejected_value', 'value': value,
                       'message': lua_string_concat(m1.group(1), tag, f'{prop} = {value}')})
        elif m2:
            add(prop, {'kind': 'deprecated_value', 'value': value,
                       'message': lua_string_concat(m2.group(1), tag, f'{prop} = {value}')})
    for prop, check in read_number_checks(body, tag):
        add(prop, check)
    return checks, type_error, enum_error


NUMBER_TERM = re.compile(r'conf\.(\w+)\s*(<=|<|>=|>)\s*(-?\d+(?:\.\d+)?)$')
INTEGER_TERM = re.compile(r'conf\.(\w+)\s*~=\s*(?:math\.)?floor\(conf\.(\w+)\)$')


def number_terms(cond):
    """(property, ["< 0", "not_integer", ...]) of a condition made only of one
    property's comparisons with number literals and floor() tests joined by `or`; None
    for any other condition (left unmodelled)."""
    prop, when = None, []
    for term in re.split(r'\s+or\s+', cond.strip()):
        term = term.strip()
        m, i = NUMBER_TERM.match(term), INTEGER_TERM.match(term)
        if m:
            name, check = m.group(1), f'{m.group(2)} {m.group(3)}'
        elif i and i.group(1) == i.group(2):
            name, check = i.group(1), 'not_integer'
        else:
            return None
        if prop not in (None, name):
            return None
        prop = name
        when.append(check)
    return prop, when


def read_number_checks(body, tag):
    """The check function's `if <bounds of conf.x> then errors[...] = "..." end` blocks: at
    its top level, or inside `if conf.x then` (only when x is set) for the same x. A block
    under any other guard (tracing_sampling_rate's, under tracing_instrumentations) is not
    read: it would need that other property's value."""
    found = []
    block = re.compile(r'\n( {2}| {4})if ((?:(?!\bthen\b)[^\n]|\n\s*or\b)*?)\s*\n?\s*then\n'
                       r'\s*errors\[#errors \+ 1\] = ("[^"\n]*")\n\s*end\n')
    for m in block.finditer(body):
        terms = number_terms(m.group(2))
        if not terms:
            continue
        prop, when = terms
        if m.group(1) == '    ':
            guards = list(re.finditer(r'\n  if ([^\n]*) then\n', body[:m.start() + 1]))
            if not guards or guards[-1].group(1).strip() != f'conf.{prop}':
                continue
            if re.search(r'\n  (end|else|elseif)\b', body[guards[-1].end() - 1:m.start() + 1]):
                continue
        found.append((prop, {'kind': 'reject_number', 'when': when,
                             'message': lua_string_concat(m.group(3), tag, f'{prop} bounds')}))
    return found


# The hybrid-mode checks, which read settings together: the role's block of the check function
# (its `if` line), a test inside it (as Kong writes it at some tag), and what the test asks in
# gatehop's terms. At each tag the block is found, then the test as the first statement at the
# block's own depth with the error right after it; a tag without both does not have the rule.
# Terms: "<name> = <value>", "<name> != <value>", "<name> in <value> <value>...", "<name> unset"
# (no value, nor a default), "<name> off" (a listener list that is empty or begins with off),
# "<name> true" (a boolean Kong reads as true: on or true), "<name> nonempty" (a list with an
# entry); terms joined by " | " hold when either does. The first term's setting must be in the
# file, and the finding is reported at its line.
ROLE_BLOCKS = {
    'control_plane': r'\n  if conf\.role == "control_plane" then\n',
    'data_plane': r'\n  elseif conf\.role == "data_plane" then\n',
    'hybrid': r'\n  if conf\.role == "control_plane" or conf\.role == "data_plane" then\n',
}
LISTEN_OFF = r'if #conf\.{0} < 1 or (?:pl_stringx\.)?strip\(conf\.{0}\[1\]\) == "off" then'
ROLE_RULES = [
    ('control_plane', LISTEN_OFF.format('admin_listen'), ['role = control_plane', 'admin_listen off']),
    ('control_plane', r'if conf\.cluster_mtls == "pki" and not conf\.cluster_ca_cert then',
     ['role = control_plane', 'cluster_mtls = pki', 'cluster_ca_cert unset']),
    ('control_plane', LISTEN_OFF.format('cluster_listen'),
     ['role = control_plane', 'cluster_listen off']),
    ('control_plane', r'if conf\.database == "off" then', ['role = control_plane', 'database = off']),
    ('data_plane', LISTEN_OFF.format('proxy_listen'), ['role = data_plane', 'proxy_listen off']),
    ('data_plane', r'if conf\.database ~= "off" then', ['role = data_plane', 'database != off']),
    ('hybrid', r'if not (?:conf\.)?cluster_cert or not (?:conf\.)?cluster_cert_key then',
     ['role in control_plane data_plane', 'cluster_cert unset | cluster_cert_key unset']),
    ('control_plane', r'if conf\.cluster_use_proxy then',
     ['role = control_plane', 'cluster_use_proxy true']),
    ('control_plane', r'if conf\.cluster_dp_labels and #conf\.cluster_dp_labels > 0 then',
     ['role = control_plane', 'cluster_dp_labels nonempty']),
    ('data_plane', r'if conf\.cluster_use_proxy and not conf\.proxy_server then',
     ['role = data_plane', 'cluster_use_proxy true', 'proxy_server unset']),
    ('other', r'if conf\.cluster_dp_labels and #conf\.cluster_dp_labels > 0 then',
     ['cluster_dp_labels nonempty', 'role != control_plane', 'role != data_plane']),
]


def role_block(body, role):
    """The text of the role's block of the check function (to its `elseif`, `else` or `end`
    at the same depth), or None. 'other' is the `else` after the data plane's block."""
    if role == 'other':
        m = re.search(ROLE_BLOCKS['data_plane'], body)
        dp = role_block(body, 'data_plane')
        if not m or dp is None:
            return None
        rest = body[m.end() - 1 + len(dp) - 1:]
        if not rest.startswith('\n  else\n'):
            return None
        end = re.search(r'\n  end\b', rest[1:])
        return rest[:end.start() + 2] if end else None
    m = re.search(ROLE_BLOCKS[role], body)
    if not m:
        return None
    end = re.search(r'\n  (?:elseif|else|end)\b', body[m.end() - 1:])
    return body[m.end() - 1:m.end() - 1 + end.start() + 1] if end else None


def read_role_rules(body, tag):
    """The hybrid-mode rules at this tag: [{when, message}]."""
    found = []
    for role, test, when in ROLE_RULES:
        block = role_block(body, role)
        if block is None:
            continue
        m = re.search(r'\n    ' + test + r'\n\s*errors\[#errors \+ 1\] = ('
                      r'(?:"(?:[^"\\\n]|\\.)*"\s*\.\.\s*)*"(?:[^"\\\n]|\\.)*")', block)
        if m:
            found.append({'when': when, 'message': lua_string_concat(m.group(1), tag, role)})
    return found


def read_tag(git_dir, tag, helper, work):
    tree = os.path.join(work, tag)
    os.mkdir(tree)
    files = extract(git_dir, tag, tree)
    documented, odd = parse_conf_default(read_text(os.path.join(tree, 'kong.conf.default')), tag)
    defaults, raw_defaults = parse_kong_defaults(
        read_text(os.path.join(tree, 'kong/templates/kong_defaults.lua')), tag)

    # Where the type table is.
    table_file = None
    for f in ('kong/conf_loader/constants.lua', 'kong/conf_loader/init.lua', 'kong/conf_loader.lua'):
        if f in files and re.search(r'^local (CONF_PARSERS|CONF_INFERENCES)\s*=\s*\{',
                                    read_text(os.path.join(tree, f)), re.M):
            table_file = f
            break
    if not table_file:
        die(f'{tag}: no CONF_PARSERS or CONF_INFERENCES table in the conf loader')
    text = read_text(os.path.join(tree, table_file))
    names = [n for n in ('CONF_PARSERS', 'CONF_INFERENCES', 'cipher_suites', 'CIPHER_SUITES',
                         'HEADER_KEY_TO_NAME', 'UPSTREAM_HEADER_KEY_TO_NAME',
                         'DYNAMIC_KEY_NAMESPACES')
             if re.search(r'^local ' + n + r'\s*=\s*\{', text, re.M)]
    conf_name = 'CONF_PARSERS' if 'CONF_PARSERS' in names else 'CONF_INFERENCES'
    if ('CONF_PARSERS' in names) == ('CONF_INFERENCES' in names):
        die(f'{tag}: {table_file}: expected one of CONF_PARSERS and CONF_INFERENCES')
    tables = lua_tables(helper, tree, table_file, names, tag)
    stubs = []
    for tname, tvalue in tables.items():
        if tname == 'DYNAMIC_KEY_NAMESPACES' and isinstance(tvalue, list):
            # only the prefixes are used; `ignore` may be kong.tools.table's EMPTY (a stand-in)
            tvalue = [ns.get('prefix') if isinstance(ns, dict) else ns for ns in tvalue]
        find_stubs(tvalue, f'{tag} {tname}', stubs)
    if stubs:
        die(f'{tag}: stand-ins inside the loader tables: {"; ".join(stubs[:5])}')
    parsers = tables[conf_name]
    if not isinstance(parsers, dict) or not parsers:
        die(f'{tag}: {conf_name} is empty or not a table')

    check_file, check_name, body = check_function(tree, files, tag)
    checks, type_error, enum_error = read_checks(body, tables, tag)

    loader_file = 'kong/conf_loader/init.lua' if 'kong/conf_loader/init.lua' in files \
        else 'kong/conf_loader.lua'
    if loader_file not in files:
        die(f'{tag}: no conf loader')
    loader_text = read_text(os.path.join(tree, loader_file))
    if len(re.findall(r'tablex\.pairmap\(overrides, defaults,', loader_text)) != 2:
        die(f'{tag}: {loader_file}: load() does not merge over the defaults\' names as expected')
    anchors = set(re.findall(r'match\(k, "(\^?)\(" \.\. dyn_prefix', loader_text))
    if len(anchors) != 1:
        die(f'{tag}: {loader_file}: dynamic key match not found or ambiguous')
    anchored = anchors == {'^'}
    # Defaults are read through load_config (which strips trailing comments) from 3.2; before,
    # with pl.config alone. Refuse a `#` in a default where the loader would keep it.
    if any(re.search(r'(?<!\\)#', v) for v in raw_defaults.values()) and not (
            'load_config(kong_default_conf)' in loader_text and 'strip_comments' in loader_text):
        die(f'{tag}: a kong_defaults.lua value holds `#` and the loader does not strip comments')

    prefixes = []
    for ns in tables.get('DYNAMIC_KEY_NAMESPACES') or die(f'{tag}: no DYNAMIC_KEY_NAMESPACES'):
        if not isinstance(ns, dict) or not isinstance(ns.get('prefix'), str):
            die(f'{tag}: DYNAMIC_KEY_NAMESPACES entry without a prefix')
        prefixes.append(ns['prefix'])

    return {
        'documented': documented, 'defaults': defaults, 'raw_defaults': raw_defaults,
        'parsers': parsers, 'checks': checks, 'type_error': type_error,
        'enum_error': enum_error, 'prefixes': prefixes, 'anchored': anchored, 'odd': odd,
        'sources': {'table': f'{table_file} {conf_name}', 'check': f'{check_file} {check_name}'},
        'role_rules': read_role_rules(body, tag),
    }


def entry_info(entry, tag, name):
    """One CONF_PARSERS/CONF_INFERENCES entry -> (typ, enum, deprecated, alias)."""
    if not isinstance(entry, dict):
        die(f'{tag}: loader entry {name} is not a table')
    known = {'typ', 'enum', 'deprecated', 'alias', 'directives'}
    extra = set(entry) - known
    if extra:
        die(f'{tag}: loader entry {name} has unknown keys {sorted(extra)}')
    typ = entry.get('typ', 'string')
    enum = entry.get('enum')
    if enum is not None and not (isinstance(enum, list) and all(isinstance(v, str) for v in enum)):
        die(f'{tag}: enum of {name} is not a list of strings')
    dep = None
    if 'deprecated' in entry:
        d = entry['deprecated']
        if not isinstance(d, dict) or set(d) - {'replacement', 'alias', 'value'}:
            die(f'{tag}: deprecated of {name} has an unexpected shape: {d!r}')
        dep = {}
        if isinstance(d.get('replacement'), str):
            dep['replacement'] = d['replacement']
        elif d.get('replacement') not in (None, False):
            die(f'{tag}: deprecated.replacement of {name} is {d["replacement"]!r}')
        if 'value' in d:
            dep['value'] = d['value']
        # The value still takes effect when the loader copies it to the replacement: a
        # deprecated.alias function, or an alias table (which aliased_properties applies).
        if 'value' not in d:
            dep['alias'] = d.get('alias') == '<function>' or 'alias' in entry
    alias = None
    if 'alias' in entry:
        a = entry['alias']
        if not isinstance(a, dict) or not isinstance(a.get('replacement'), str) \
                or set(a) - {'replacement', 'alias'}:
            die(f'{tag}: alias of {name} has an unexpected shape: {a!r}')
        alias = a['replacement']
    return typ, enum, dep, alias


def runs(tags, per_tag):
    """per_tag: {tag: value} over the tags that have one -> [(value, since, until or None)]."""
    out = []
    prev_index = None
    for i, tag in enumerate(tags):
        if tag not in per_tag:
            continue
        v = per_tag[tag]
        if out and out[-1][0] == v and prev_index == i - 1 and out[-1][2] is None:
            pass
        else:
            if out and out[-1][2] is None:
                out[-1] = (out[-1][0], out[-1][1], tags[prev_index + 1])
            out.append((v, tag, None))
        prev_index = i
    if out and prev_index is not None and prev_index + 1 < len(tags):
        out[-1] = (out[-1][0], out[-1][1], tags[prev_index + 1])
    return out


def q(s):
    """A YAML double-quoted string."""
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == '\\':
            out.append('\\\\')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\t':
            out.append('\\t')
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append('\\x%02x' % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def flow(d):
    """A flow mapping of strings, booleans and lists of strings."""
    parts = []
    for k, v in d.items():
        if isinstance(v, bool):
            parts.append(f'{k}: {"true" if v else "false"}')
        elif isinstance(v, list):
            parts.append(f'{k}: [' + ', '.join(q(x) for x in v) + ']')
        else:
            parts.append(f'{k}: {q(v)}')
    return '{' + ', '.join(parts) + '}'


def span(since, until):
    d = {'since': since}
    if until:
        d['until'] = until
    return d


def main():
    if len(sys.argv) != 2:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        sys.exit(2)
    git_dir = sys.argv[1]
    tags = release_tags(git_dir)
    data = {}
    with tempfile.TemporaryDirectory(prefix='kong_conf.') as work:
        helper = os.path.join(work, 'tables.lua')
        with open(helper, 'w') as f:
            f.write(LUA_HELPER)
        for tag in tags:
            data[tag] = read_tag(git_dir, tag, helper, work)

    names = set()
    for d in data.values():
        names |= set(d['documented']) | set(d['defaults']) | set(d['parsers'])

    lines = [
        f'# kong.conf properties of Kong {tags[0]} to {tags[-1]}, every release tag.',
        f'# Generated by {SCRIPT} from Kong/kong tags {tags[0]} to {tags[-1]}',
        '# (kong.conf.default, kong/templates/kong_defaults.lua, the conf loader\'s type table',
        '# CONF_INFERENCES/CONF_PARSERS and check function); do not edit.',
        '#',
        '# A property is a name in any of: kong.conf.default (`#name = value`), kong_defaults.lua',
        '# (the defaults the loader uses; only these names, and names under a dynamic prefix, are',
        '# read from a user\'s kong.conf), the loader\'s type table.',
        '# since/until: first tag that has it / first later tag that no longer has it.',
        '# type: the loader\'s typ at the newest tag that has the property ("string" when it gives',
        '#   none); types: [{since, value}] only when it changed.',
        '# defaults: the loader\'s default (kong_defaults.lua; its NONE placeholder, meaning unset,',
        '#   is written as ""), each distinct value with the first tag it appears in (and until,',
        '#   when kong_defaults.lua drops the name while another source still has it).',
        '# conf_default: kong.conf.default\'s value, written only when at some tag it differs from',
        '#   the loader\'s default or one file lacks the property. A missing value is null.',
        '# in_defaults / in_conf_default / in_loader_table: written only when not true for the',
        '#   whole life of the property: the spans ({since, until}) where the name is in',
        '#   kong_defaults.lua / kong.conf.default / the type table.',
        '# enum: the type table\'s allowed values; a plain list when the set never changed,',
        '#   otherwise [{value, since, until}] per value (until: first tag without it);',
        '#   enum_span: {since, until} when the type table enumerates values for only part of',
        '#   the property\'s life.',
        '# alias: the loader copies the value to `replacement` when that is unset (no warning).',
        '# deprecated: the type table marks it deprecated (a warning when set); replacement: the',
        '#   name it points to; alias: true when the value still takes effect (copied to the',
        '#   replacement), false when it is ignored; value: only that enum value is deprecated.',
        '#   A list of spans when it changed.',
        '# checks: what the loader\'s check function enforces beyond the type table, each with',
        '#   since/until: entries (every element of the array must be one of values), value',
        '#   (the value must be one of values), rejected_value / deprecated_value (that value is',
        '#   an error / logs a deprecation), reject_number (a number is an error when any of',
        '#   `when` holds: "<op> <number>" with op <, <=, > or >=, or "not_integer"), with the',
        '#   message Kong prints.',
        '# template: the name holds a placeholder (XXX) and is read through a dynamic prefix.',
        '# not_read: spans where the loader drops the name from a user\'s kong.conf and KONG_*',
        '#   variables: it reads only names in kong_defaults.lua and names under a dynamic prefix',
        '#   (so a type table entry, alias or deprecation of such a name has no effect there).',
        '# read_by_prefix: spans where the name is not in kong_defaults.lua but is read through a',
        '#   dynamic prefix (as an Nginx directive for nginx_* prefixes).',
        '# A since of the first release means "already so in the first release read".',
        'releases: [' + ', '.join(q(t) for t in tags) + ']',
    ]

    # Loader-wide messages and dynamic prefixes.
    lines.append('type_error:')
    for v, s, u in runs(tags, {t: d['type_error'] for t, d in data.items()}):
        lines.append('  - ' + flow({**span(s, u), 'value': v}))
    lines.append('enum_error:')
    for v, s, u in runs(tags, {t: d['enum_error'] for t, d in data.items()}):
        lines.append('  - ' + flow({**span(s, u), 'value': v}))
    lines.append('# prefixes of DYNAMIC_KEY_NAMESPACES: a name starting with one is read (nginx_* names')
    lines.append('# become Nginx directives)')
    for _, s, u in runs(tags, {t: True for t, d in data.items() if not d['anchored']}):
        lines.append(f'# {s} to before {u or "-"}: the loader matches the prefix anywhere in the name')
    lines.append('dynamic_prefixes:')
    pref_tags = {}
    for t, d in data.items():
        for p in d['prefixes']:
            pref_tags.setdefault(p, {})[t] = True
    for p in sorted(pref_tags):
        for _, s, u in runs(tags, pref_tags[p]):
            lines.append(f'  - ' + flow({'prefix': p, **span(s, u)}))
    lines.append('sources:')
    for v, s, u in runs(tags, {t: (d['sources']['table'], d['sources']['check'])
                               for t, d in data.items()}):
        lines.append('  - ' + flow({**span(s, u), 'type_table': v[0], 'check_function': v[1]}))

    lines.append('# hybrid-mode checks of the check function that read settings together: an error')
    lines.append('# when every term of `when` holds on the values in effect (the file\'s, else the')
    lines.append('# release\'s defaults); terms as ROLE_RULES in kong_conf.py writes them')
    lines.append('role_rules:')
    rules = {}
    for t, d in data.items():
        for r in d['role_rules']:
            rules.setdefault(json.dumps(r, sort_keys=False), {})[t] = True
    items = []
    for r, per in rules.items():
        for _, s, u in runs(tags, per):
            items.append((version_key(s), s, u, json.loads(r)))
    for _, s, u, r in sorted(items, key=lambda x: (x[0], json.dumps(x[3]))):
        lines.append('  - ' + flow({**span(s, u), **r}))
    lines.append('properties:')
    for name in sorted(names):
        present = {t: True for t, d in data.items()
                   if name in d['documented'] or name in d['defaults'] or name in d['parsers']}
        pr = runs(tags, present)
        if len(pr) != 1:
            die(f'{name}: comes and goes ({[(s, u) for _, s, u in pr]}); not representable')
        _, since, until = pr[0]
        life = [t for t in tags if t in present]
        lines.append(f'  {name}:')

        infos = {}
        for t in life:
            entry = data[t]['parsers'].get(name)
            infos[t] = entry_info(entry, t, name) if entry is not None else ('string', None, None, None)
        type_runs = runs(tags, {t: infos[t][0] for t in life})
        lines.append(f'    type: {q(type_runs[-1][0])}')
        if len(type_runs) > 1:
            lines.append('    types: [' + ', '.join(flow({'since': s, 'value': v})
                                                  for v, s, u in type_runs) + ']')
        lines.append(f'    since: {q(since)}')
        if until:
            lines.append(f'    until: {q(until)}')
        if re.search(r'[A-Z]', name):
            lines.append('    template: true')

        # Presence in each source, when not whole-life.
        for key, field in (('in_defaults', 'defaults'), ('in_conf_default', 'documented'),
                           ('in_loader_table', 'parsers')):
            have = {t: True for t in life if name in data[t][field]}
            rr = runs(tags, have)
            whole = len(rr) == 1 and rr[0][1] == since and rr[0][2] == until
            if whole:
                continue
            if key == 'in_loader_table' and not have:
                continue  # most properties have no entry: their type is string
            if not rr:
                lines.append(f'    {key}: []')
            else:
                lines.append(f'    {key}: [' + ', '.join(flow(span(s, u)) for _, s, u in rr) + ']')

        # Whether the loader reads the name from a user's kong.conf / KONG_* at all.
        def by_prefix(t):
            d = data[t]
            for p in d['prefixes']:
                if (name.startswith(p) if d['anchored'] else p in name) and len(name) > len(p):
                    return p
            return None
        read = {t: name in data[t]['defaults'] or by_prefix(t) is not None for t in life}
        if not all(read.values()):
            rr = runs(tags, {t: True for t in life if not read[t]})
            lines.append('    not_read: [' + ', '.join(flow(span(s, u)) for _, s, u in rr) + ']')
        pref = {t: by_prefix(t) for t in life if name not in data[t]['defaults'] and by_prefix(t)}
        if pref:
            rr = runs(tags, pref)
            lines.append('    read_by_prefix: [' + ', '.join(flow({**span(s, u), 'prefix': v})
                                                      for v, s, u in rr) + ']')

        # Defaults.
        dflt = {t: data[t]['defaults'][name] for t in life if name in data[t]['defaults']}
        if dflt:
            lines.append('    defaults:')
            dr = runs(tags, dflt)
            for i, (v, s, u) in enumerate(dr):
                # until only where kong_defaults.lua drops the name (not where the value changes,
                # nor where the property goes)
                nxt = dr[i + 1][1] if i + 1 < len(dr) else until
                lines.append('      - ' + flow({**span(s, u if u != nxt else None), 'value': v}))
        doc = {t: data[t]['documented'].get(name) for t in life}
        differs = any(doc[t] != dflt.get(t) for t in life)
        if differs:
            lines.append('    conf_default:')
            for v, s, u in runs(tags, doc):
                lines.append('      - {since: ' + q(s) + ', value: ' + ('null' if v is None else q(v)) + '}')

        # Enum.
        enums = {t: infos[t][1] for t in life if infos[t][1] is not None}
        if enums:
            er = runs(tags, {t: tuple(v) for t, v in enums.items()})
            if len(er) == 1:
                lines.append('    enum: [' + ', '.join(q(v) for v in er[0][0]) + ']')
                if er[0][1] != since or er[0][2] != until:
                    lines.append(f'    enum_span: {flow(span(er[0][1], er[0][2]))}')
            else:
                order = []
                for v in enums[life[-1]] if life[-1] in enums else []:
                    order.append(v)
                for t in life:
                    for v in enums.get(t, []):
                        if v not in order:
                            order.append(v)
                lines.append('    enum:')
                for v in order:
                    for _, s, u in runs(tags, {t: True for t, e in enums.items() if v in e}):
                        lines.append('      - ' + flow({'value': v, **span(s, u)}))

        # Alias and deprecation.
        al = {t: infos[t][3] for t in life if infos[t][3] is not None}
        if al:
            ar = runs(tags, al)
            if len(ar) == 1:
                lines.append('    alias: ' + flow({**span(ar[0][1], ar[0][2]), 'replacement': ar[0][0]}))
            else:
                lines.append('    alias:')
                for v, s, u in ar:
                    lines.append('      - ' + flow({**span(s, u), 'replacement': v}))
        dep = {t: json.dumps(infos[t][2], sort_keys=True) for t in life if infos[t][2] is not None}
        if dep:
            dr = runs(tags, dep)
            if len(dr) == 1:
                lines.append('    deprecated: ' + flow({**span(dr[0][1], dr[0][2]), **json.loads(dr[0][0])}))
            else:
                lines.append('    deprecated:')
                for v, s, u in dr:
                    lines.append('      - ' + flow({**span(s, u), **json.loads(v)}))

        # Checks of the check function.
        chk = {}
        for t in life:
            for c in data[t]['checks'].get(name, []):
                chk.setdefault(json.dumps(c, sort_keys=False), {})[t] = True
        if chk:
            lines.append('    checks:')
            items = []
            for c, per in chk.items():
                for _, s, u in runs(tags, per):
                    items.append((version_key(s), s, u, json.loads(c)))
            items.sort(key=lambda x: (x[0], json.dumps(x[3])))
            for _, s, u, c in items:
                lines.append('      - ' + flow({**span(s, u), **c}))

    odd = [o for d in data.values() for o in d['odd']]
    if odd:
        print('\n'.join(odd), file=sys.stderr)
    sys.stdout.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
