#!/usr/bin/env python3
"""Write schemas/kong/plugins/<name>.yaml from per-release dumps of Kong's plugin schemas.

Usage:
    make_plugin_files.py DUMPS_OFF DUMPS_DB OUT_DIR

DUMPS_OFF holds one dump per release (TAG.json, written by dump_plugin_schemas.sh with the
database `off`), DUMPS_DB the same releases dumped with `postgres`. The dumps' minor releases
(3.6.0 -> "3.6") must be the first of schemas/kong/product.yaml's `versions`, in order; the
releases after the last dump (Kong Gateway Enterprise 3.11 to 3.14, which have no open-source
source) keep the last dump's definitions. A dump of a commit rather than a tag is named by the
release it stands for (3.10.0.json for the master commit whose kong/meta.lua says 3.10.0) and
says its commit in `kong_version`. One file per plugin is written to OUT_DIR, holding every
release at once: a definition that changed between releases becomes variants with
`since`/`until` (docs/schema-format.md).

What the dumps cannot say is written here, each with its source:
- ENTERPRISE_FIELDS: fields Kong Gateway Enterprise releases added to bundled plugins.
- VALUE_MAPS: shorthands that change the value on the way (the dump's probe only sees that a
  value arrives, not how it is mapped).
- TYPEDEF_VALIDATORS: which of Kong's typedefs carry a custom validator gatehop has in C.
Everything else Kong checks in Lua functions (custom_validator, custom_entity_check) is listed
in the file's header as "not expressed".
"""

import json
import os
import re
import sys

# Kong typedefs whose Lua validator gatehop implements as a named validator (src/schema/schema_named.c).
TYPEDEF_VALIDATORS = {
    "host": "host",
    "redis_host": "host",
    "sni": "sni",
    "redis_server_name": "sni",
    "ip_or_cidr": "ip_or_cidr",
    "url": "url",
    "header_name": "header_name",
    "path": "path",
}

# Typedefs whose validator is a constraint the dump already carries (or none at all).
TYPEDEFS_WITHOUT_VALIDATOR = {"port", "timeout", "http_method", "ttl", "queue", "propagation"}

# kong/plugins/session/schema.lua (3.2.0 and later): cookie_samesite "off" becomes "Lax".
VALUE_MAPS = {("session", "cookie_samesite"): {"off": "Lax"}}

# What Kong checks in Lua that gatehop's data expresses, by (plugin, path), each with the Lua
# it stands for; `notes` rewrites (or, with None, drops) the "not expressed" line it covers.
PERIODS = ["second", "minute", "hour", "day", "month", "year"]
EXPRESSED = {
    # validate_periods_order, every release 2.8.0 to 3.10.0: a limit per longer period must not
    # be lower than one per shorter period. From 3.4.0 the same validator says sync_rate other
    # than -1 needs the redis policy (a conditional); its other sync_rate rule, -1 or at least
    # 0.02 with redis, has no check kind and stays in the note.
    ("rate-limiting", "config"): {
        "checks": [{"ordered": PERIODS},
                   {"since": "3.4",
                    "conditional": {"if_field": "policy", "if_match": {"ne": "redis"},
                                    "then_field": "sync_rate", "then_match": {"eq": -1},
                                    "then_err": "sync_rate can only be used with the redis policy"}}],
        "notes": {"config: a Lua validator":
                  "config: a Lua validator (in part: the period order is the `ordered` check, and "
                  "sync_rate outside the redis policy a conditional; not: with redis, sync_rate is "
                  "-1 or at least 0.02)"}},
    ("response-ratelimiting", "config.limits.values"): {
        "checks": [{"ordered": PERIODS}],
        "notes": {"config.limits.values: a Lua validator": None}},
    # The entity check on proxy_url, every release: a URL with a scheme must use http.
    ("aws-lambda", "config"): {
        "checks": [{"conditional": {"if_field": "proxy_url", "if_match": {"match": "^[^:]+://"},
                                    "then_field": "proxy_url", "then_match": {"match": "^http://"},
                                    "then_err": "proxy_url scheme must be http"}}],
        "notes": {"config: a Lua entity check over proxy_url": None}},
    # validate_asterisk_or_regex, every release: an origin is "*" or a regex PCRE compiles.
    ("cors", "config.origins.elements"): {
        "keys": {"validator": "asterisk_or_regex"},
        "notes": {"config.origins.elements: a Lua validator": None}},
}


# Fields Kong Gateway Enterprise releases added to bundled plugins after the last open-source
# source, from each plugin's published changelog and the per-release schemas of Kong's docs
# source (Kong/developer.konghq.com at bc1cd742): written into the plugin's config record for
# the Enterprise edition only.
EE = ["enterprise"]
ENTERPRISE_FIELDS = {
    # http-log and tcp-log, 3.13.0.0: an ssl_verify flag (http-log without a default, tcp-log
    # false); 3.14.0.0 makes both default to true. aws-lambda gains one in 3.14.0.0, true.
    "http-log": {"ssl_verify": [
        {"since": "3.13", "until": "3.14", "editions": EE, "type": "boolean"},
        {"since": "3.14", "editions": EE, "type": "boolean", "default": True}]},
    "tcp-log": {"ssl_verify": [
        {"since": "3.13", "until": "3.14", "editions": EE, "type": "boolean", "default": False},
        {"since": "3.14", "editions": EE, "type": "boolean", "default": True}]},
    "aws-lambda": {"ssl_verify": {"since": "3.14", "editions": EE, "type": "boolean",
                                  "default": True}},
}


def expressed(plugin, where, what):
    return EXPRESSED.get((plugin, where), {}).get(what, [] if what == "checks" else {})


# Plugin-level fields of the plugins entity that a plugin schema may redefine.
BASE_PROTOCOLS = {"typedef": "protocols"}
HTTP_PROTOCOLS = ["grpc", "grpcs", "http", "https"]  # both typedefs' default
SCOPE_NOUNS = {"consumer": "a consumer", "service": "a service", "route": "a route"}

# Keys copied as they are, in this order (the order the YAML shows them in).
PLAIN_KEYS = ["required", "default", "eq", "ne", "not_one_of", "one_of", "gt", "between",
              "len_eq", "len_min", "len_max", "starts_with", "contains"]
PATTERN_KEYS = ["not_match", "match_none", "match", "match_all", "match_any"]


class NotTranslatable(Exception):
    pass


# ---- Lua patterns -> PCRE2 ---------------------------------------------------------------

LUA_CLASSES = {
    "a": "A-Za-z", "d": "0-9", "l": "a-z", "u": "A-Z", "s": " \\t\\n\\v\\f\\r",
    "w": "A-Za-z0-9", "x": "0-9A-Fa-f", "p": "!-/:-@\\[-`{-~", "c": "\\x00-\\x1f\\x7f",
}
PCRE_META_OUTSIDE = set("\\{}|")  # literal in Lua, special in PCRE2


def lua_class(ch, in_set):
    """A %x escape as PCRE2: a class body inside a set, else a bracketed class or literal."""
    if ch.lower() in LUA_CLASSES:
        body = LUA_CLASSES[ch.lower()]
        if ch.isupper():
            if in_set:
                raise NotTranslatable("negated class %" + ch + " inside a set")
            return "[^" + body + "]"
        return body if in_set else "[" + body + "]"
    if ch.isalnum():
        raise NotTranslatable("%" + ch)
    return "\\" + ch if not ch.isspace() else ch


def lua_set(p, i):
    """Translates the set starting at p[i] == '['; returns (pcre, next index)."""
    out = "["
    i += 1
    if i < len(p) and p[i] == "^":
        out += "^"
        i += 1
    first = True
    while i < len(p):
        c = p[i]
        if c == "]" and not first:
            return out + "]", i + 1
        first = False
        if c == "%":
            if i + 1 >= len(p):
                raise NotTranslatable("trailing %")
            out += lua_class(p[i + 1], True)
            i += 2
            continue
        if c in "\\[]^":
            out += "\\" + c
        else:
            out += c
        i += 1
    raise NotTranslatable("unclosed set")


def lua_to_pcre(p):
    """Kong matches with string.find/match: unanchored unless ^; $ only at the very end."""
    out = ""
    i = 0
    if p.startswith("^"):
        out = "^"
        i = 1
    while i < len(p):
        c = p[i]
        if c == "%":
            if i + 1 >= len(p):
                raise NotTranslatable("trailing %")
            nxt = p[i + 1]
            if nxt in "bf" or nxt.isdigit():
                raise NotTranslatable("%" + nxt)
            item = lua_class(nxt, False)
            i += 2
        elif c == "[":
            item, i = lua_set(p, i)
        elif c == "$" and i == len(p) - 1:
            out += "\\z"
            i += 1
            continue
        elif c == ".":
            item = "[\\s\\S]"
            i += 1
        elif c in PCRE_META_OUTSIDE or c in "^$":
            item = "\\" + c
            i += 1
        elif c in "()":
            item = c
            i += 1
        else:
            item = c
            i += 1
        if i < len(p) and p[i] in "*+?-" and c not in "()":
            item += "*?" if p[i] == "-" else p[i]
            i += 1
        out += item
    re.compile(out.replace("\\z", "$"))  # a sanity check; the loader compiles with PCRE2
    return out


# ---- one release's field -> gatehop's form ------------------------------------------------

class Notes:
    """The 'not expressed' lines of one plugin file, once each."""

    def __init__(self):
        self.lines = []

    def add(self, text):
        if text not in self.lines:
            self.lines.append(text)


def translate_patterns(src, dst, where, notes):
    for key in PATTERN_KEYS:
        if key not in src:
            continue
        try:
            if key in ("match", "not_match"):
                dst[key] = lua_to_pcre(src[key])
            elif key == "match_any":
                dst[key] = {"patterns": [lua_to_pcre(x) for x in src[key]["patterns"]]}
                if "err" in src[key]:
                    dst[key]["err"] = src[key]["err"]
            else:
                dst[key] = [dict(x, pattern=lua_to_pcre(x["pattern"])) for x in src[key]]
        except NotTranslatable as e:
            notes.add("%s: the Lua pattern of %s (%s)" % (where, key, e))


def shallow(f, where, notes, plugin):
    """Everything of a field except what is merged across releases (fields, checks,
    shorthands, deprecation)."""
    out = {}
    if "type" in f:
        out["type"] = f["type"]
    for key in PLAIN_KEYS:
        if key in f and not (key == "required" and f[key] is False):
            if key == "default" and f[key] is None:
                continue
            out[key] = f[key]
    translate_patterns(f, out, where, notes)
    if f.get("is_regex"):
        out["validator"] = "regex"
    typedef = f.get("typedef")
    if typedef in TYPEDEF_VALIDATORS:
        out["validator"] = TYPEDEF_VALIDATORS[typedef]
    elif "custom_validator" in f and typedef not in TYPEDEFS_WITHOUT_VALIDATOR:
        what = ("the typedef %s's validator" % typedef) if typedef else "a Lua validator"
        notes.add("%s: %s" % (where, what))
    out.update(expressed(plugin, where, "keys"))
    if "err" in f:
        out["err"] = f["err"]
    if f.get("referenceable"):
        out["referenceable"] = True
    if f.get("encrypted"):
        out["secret"] = True
    if f.get("auto"):
        out["auto"] = True
    if f.get("unique"):
        notes.add("%s: unique across plugins" % where)
    for sub in ("elements", "keys", "values"):
        if sub in f:
            out[sub] = whole(f[sub], where + "." + sub, notes, plugin)
    return out


def whole(f, where, notes, plugin):
    """A field of one release, records included (used inside elements, keys and values)."""
    out = shallow(f, where, notes, plugin)
    if f.get("type") == "record":
        out["fields"] = {x["name"]: whole(x, where + "." + x["name"], notes, plugin)
                         for x in f.get("fields", [])}
        checks = [convert_check(c, "", where, notes) for c in f.get("entity_checks", [])]
        checks = [c for c in checks if c] + expressed(plugin, where, "checks")
        if checks:
            out["checks"] = checks
        sh = {s["name"]: convert_shorthand(s, plugin, where, notes)
              for s in f.get("shorthand_fields", [])}
        if sh:
            out["shorthands"] = sh
    if "deprecation" in f:
        notes.add("%s: a deprecation inside a list or map value" % where)
    return out


def convert_match(m, where, notes):
    out = {}
    for key in PLAIN_KEYS:
        if key in m:
            out[key] = m[key]
    translate_patterns(m, out, where, notes)
    if "elements" in m:
        out["elements"] = convert_match(m["elements"], where, notes)
    unknown = set(m) - set(PLAIN_KEYS) - set(PATTERN_KEYS) - {"elements"}
    if unknown:
        raise SystemExit("%s: check validators not handled: %s" % (where, sorted(unknown)))
    return out


def strip(name, prefix):
    if prefix and not name.startswith(prefix):
        raise SystemExit("check field %s outside %s" % (name, prefix))
    return name[len(prefix):]


def convert_check(c, prefix, where, notes):
    """A Kong entity check; `prefix` is stripped from field names ("config.")."""
    (kind, v), = c.items()
    if kind == "custom_entity_check":
        notes.add("%s: a Lua entity check over %s" % (
            where, ", ".join(x[len(prefix):] if x.startswith(prefix) else x
                             for x in v.get("field_sources", [])) or "the record"))
        return None
    if isinstance(v, list):
        return {kind: [strip(x, prefix) for x in v]}
    if kind == "mutually_exclusive_sets":
        return {kind: {k: [strip(x, prefix) for x in v[k]] for k in ("set1", "set2")}}
    out = {}
    for key, val in v.items():
        if key in ("if_field", "then_field"):
            out[key] = strip(val, prefix)
        elif key in ("then_at_least_one_of", "else_then_at_least_one_of"):
            out[key] = [strip(x, prefix) for x in val]
        elif key in ("if_match", "then_match", "else_match"):
            out[key] = convert_match(val, where, notes)
        elif key in ("then_err", "else_then_err"):
            out[key] = val
        else:
            raise SystemExit("%s: check key not handled: %s" % (where, key))
    return {kind: out}


def convert_shorthand(s, plugin, where, notes):
    out = {"type": s["type"]}
    if "elements" in s:
        out["elements"] = {"type": s["elements"]["type"]}
    probe = s.get("func_probe", {})
    out["sets"] = probe.get("targets", [])
    vmap = VALUE_MAPS.get((plugin, s["name"]))
    if vmap:
        out["map"] = vmap
    if probe.get("output") is not None and probe.get("input") != probe["output"] and len(out["sets"]) == 1:
        got = probe["output"]
        for part in out["sets"][0].split("."):
            got = got.get(part) if isinstance(got, dict) else None
        if got != probe.get("input") and not vmap:
            notes.add("%s.%s: the shorthand changes the value on the way" % (where, s["name"]))
    if "len_min" in s:
        out["len_min"] = s["len_min"]
    message = deprecation_message(s)
    if message:
        out["deprecated"] = {"message": message}
    return out


def deprecation_message(s):
    """3.7 and later declare a shorthand's deprecation; 3.6 logged it from the shorthand's
    function, which the dump's probe recorded."""
    if "deprecation" in s:
        return without_plugin_prefix(s["deprecation"]["message"])
    calls = s.get("func_probe", {}).get("deprecation_calls")
    return without_plugin_prefix(calls[0][0]) if calls else None


def without_plugin_prefix(message):
    """Kong's messages start with "<plugin>: config.x is deprecated, please"; gatehop's say
    which field is deprecated anyway."""
    message = re.sub(r"^[A-Za-z0-9-]+: ", "", message)
    return re.sub(r"^\S+ is deprecated, please ", "", message)


# ---- releases -> variants -----------------------------------------------------------------

def cond_range(vers, a, b, lo, hi):
    cond = {}
    if a > lo:
        cond["since"] = vers[a]
    if b < hi:
        cond["until"] = vers[b + 1]
    return cond


def runs(present, key):
    """Contiguous runs of release indexes with equal key(index)."""
    out = []
    for i in sorted(present):
        if out and out[-1][1] == i - 1 and key(out[-1][0]) == key(i):
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def ordered_names(per_ver, get_list):
    """Names in the newest release's order; a name only older releases have goes after the
    name it followed there."""
    names = []
    for i in sorted(per_ver, reverse=True):
        prev = None
        for x in get_list(per_ver[i]):
            n = x["name"]
            if n not in names:
                names.insert(names.index(prev) + 1 if prev else 0, n)
            prev = n
    return names


def by_release(vers, defs, lo, hi):
    """defs: release index -> a definition; one definition, or variants by release range."""
    sig = {i: json.dumps(d, sort_keys=True) for i, d in defs.items()}
    out = [dict(cond_range(vers, a, b, lo, hi), **defs[a]) for a, b in runs(defs, lambda i: sig[i])]
    return out[0] if len(out) == 1 else out


class Merger:
    def __init__(self, vers, plugin, notes):
        self.vers = vers
        self.plugin = plugin
        self.notes = notes

    def field(self, per_ver, lo, hi, where):
        """per_ver: release index -> Kong field; lo..hi: the range the parent exists in."""
        shallow_of = {i: shallow(f, where, self.notes, self.plugin) for i, f in per_ver.items()}
        sig = {i: json.dumps(s, sort_keys=True) for i, s in shallow_of.items()}
        variants = []
        for a, b in runs(per_ver, lambda i: sig[i]):
            d = dict(cond_range(self.vers, a, b, lo, hi))
            d.update(shallow_of[a])
            span = {i: per_ver[i] for i in range(a, b + 1)}
            if d.get("type") == "record":
                self.record_parts(span, a, b, where, d)
            self.deprecation(span, a, where, d)
            variants.append(d)
        return variants[0] if len(variants) == 1 else variants

    def deprecation(self, span, a, where, d):
        first = next((i for i in sorted(span) if "deprecation" in span[i]), None)
        if first is None:
            return
        dep = span[first]["deprecation"]
        out = {"since": self.vers[first], "message": without_plugin_prefix(dep["message"])}
        if "old_default" in dep:
            out["old_default"] = dep["old_default"]
        d["deprecated"] = out

    def record_parts(self, span, a, b, where, d, check_prefix=""):
        names = ordered_names(span, lambda f: f.get("fields", []))
        fields = {}
        for n in names:
            sub = {i: next(x for x in f.get("fields", []) if x["name"] == n)
                   for i, f in span.items() if any(x["name"] == n for x in f.get("fields", []))}
            fields[n] = self.field(sub, a, b, where + "." + n)
        d["fields"] = fields
        checks = self.conditioned(span, a, b, lambda f: [
            c for c in (convert_check(x, check_prefix, where, self.notes)
                        for x in f.get("entity_checks", [])) if c])
        checks += expressed(self.plugin, where, "checks")
        if checks:
            d["checks"] = checks
        shorthands = self.shorthands(span, a, b, where)
        if shorthands:
            d["shorthands"] = shorthands

    def conditioned(self, span, a, b, items_of):
        """Items (checks) of every release, each with the releases it holds in."""
        seen = []  # (json, item, [indexes])
        for i in sorted(span):
            for item in items_of(span[i]):
                key = json.dumps(item, sort_keys=True)
                for entry in seen:
                    if entry[0] == key:
                        entry[2].append(i)
                        break
                else:
                    seen.append((key, item, [i]))
        out = []
        for key, item, idx in seen:
            for ra, rb in runs(idx, lambda i: 0):
                out.append(dict(cond_range(self.vers, ra, rb, a, b), **item))
        return out

    def shorthands(self, span, a, b, where):
        names = ordered_names(span, lambda f: f.get("shorthand_fields", []))
        out = {}
        for n in names:
            per = {i: next(s for s in f.get("shorthand_fields", []) if s["name"] == n)
                   for i, f in span.items() if any(s["name"] == n for s in f.get("shorthand_fields", []))}
            conv = {i: convert_shorthand(s, self.plugin, where, self.notes) for i, s in per.items()}
            sig = {i: json.dumps(c, sort_keys=True) for i, c in conv.items()}
            rs = runs(per, lambda i: sig[i])
            if len(rs) > 1:
                raise SystemExit("%s.%s: a shorthand that changes between releases" % (where, n))
            ra, rb = rs[0]
            d = dict(cond_range(self.vers, ra, rb, a, b), **conv[ra])
            if "deprecated" in d:
                d["deprecated"] = {"since": self.vers[ra], **d["deprecated"]}
            out[n] = d
        return out


# ---- one plugin ---------------------------------------------------------------------------

def with_db_values(off, db, where):
    """rate-limiting's `cluster` policy exists only with a database: a value Kong accepts in a
    database-backed node (db_export dumps, decK state files) but not in a DB-less kong.yml."""
    if off == db:
        return off
    if off.get("type") == "record" and db.get("type") == "record":
        merged = dict(off)
        dbf = {x["name"]: x for x in db.get("fields", [])}
        merged["fields"] = [with_db_values(x, dbf.get(x["name"], x), where + "." + x["name"])
                            for x in off.get("fields", [])]
        return merged
    rest_off = {k: v for k, v in off.items() if k not in ("one_of", "default")}
    rest_db = {k: v for k, v in db.items() if k not in ("one_of", "default")}
    if rest_off != rest_db or not set(off.get("one_of", [])) <= set(db.get("one_of", [])):
        raise SystemExit("%s: differs with a database in a way not handled" % where)
    merged = dict(off)
    merged["one_of"] = [v if v in off["one_of"] else {"value": v, "flavors": ["dbexport", "deck"]}
                        for v in db["one_of"]]
    return merged


def plugin_file(name, per_ver, vers, source_tags):
    notes = Notes()
    m = Merger(vers, name, notes)
    lo = min(per_ver)
    hi = len(source_tags) - 1  # the releases after the last dump keep its definitions
    if max(per_ver) != hi:
        raise SystemExit("%s: a plugin removed before %s" % (name, vers[hi]))
    entity = {}
    protocols = by_release(vers, {i: protocols_def(p, name, notes) for i, p in per_ver.items()}, lo, hi)
    if protocols != BASE_PROTOCOLS:
        entity["protocols"] = protocols
    for scope, noun in SCOPE_NOUNS.items():
        bans = {i: {"typedef": "no_" + scope,
                    "err": "the %s plugin cannot be applied to %s" % (name, noun)}
                for i, p in per_ver.items() if scope in p["forbidden"]}
        if bans:
            entity[scope] = by_release(vers, bans, lo, hi)
    config = {i: p["config"] for i, p in per_ver.items()}
    cfg = {"type": "record"}
    for f in config.values():
        shallow(f, "config", notes, name)  # for its notes: Lua validators of the whole config
    m.record_parts(config, lo, hi, "config", cfg)
    if name in ENTERPRISE_FIELDS:
        cfg.setdefault("fields", {}).update(ENTERPRISE_FIELDS[name])
    plugin_checks = m.conditioned(per_ver, lo, hi, lambda p: [
        c for c in (convert_check(x, "config.", "config", notes) for x in p.get("entity_checks", []))
        if c])
    if plugin_checks:
        cfg["checks"] = cfg.get("checks", []) + plugin_checks
    for key in ("fields", "checks", "shorthands"):
        if key in cfg:
            cfg[key] = cfg.pop(key)
    head = ["# Kong plugin %s: written by schemas/tools/kong/make_plugin_files.py from the schemas of Kong"
            % name,
            "# tags %s (dump_plugin_schemas.sh); regenerate rather than edit." % ", ".join(source_tags[lo:])]
    for line in notes.lines:
        line = expressed_note(name, line)
        if line:
            head.append("# not expressed: " + line)
    doc = {"plugin": name}
    if entity:
        doc["entity"] = entity
    doc["config"] = cfg
    return "\n".join(head) + "\n" + dump_yaml(doc) + "\n"


def expressed_note(plugin, line):
    """A "not expressed" line as EXPRESSED rewrites it (None: the data says it all)."""
    for (p, _), entry in EXPRESSED.items():
        if p == plugin and line in entry.get("notes", {}):
            return entry["notes"][line]
    return line


def protocols_def(p, name, notes):
    """The plugin's `protocols` field: one of Kong's two typedefs, or written out."""
    f = next((x for x in p["fields"] if x["name"] == "protocols"), None)
    if f is None:  # the plugins entity's own definition applies
        return BASE_PROTOCOLS
    if f.get("typedef") in ("protocols", "protocols_http") and f.get("default") == HTTP_PROTOCOLS:
        return {"typedef": f["typedef"]}
    return whole(f, "protocols", notes, name)


# ---- YAML ---------------------------------------------------------------------------------

PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
YAML11 = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
VERSION_KEYS = {"since", "until"}


def scalar(v, key=None):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if v != int(v) or abs(v) >= 1e15 else str(int(v)) + ".0"
    s = str(v)
    if key not in VERSION_KEYS and PLAIN.match(s) and s.lower() not in YAML11:
        return s
    return json.dumps(s, ensure_ascii=False)


def flow(v, key=None):
    if isinstance(v, dict):
        return "{" + ", ".join("%s: %s" % (scalar(k), flow(x, k)) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    return scalar(v, key)


def has_record(v):
    if isinstance(v, dict):
        return "fields" in v or any(has_record(x) for x in v.values())
    if isinstance(v, list):
        return any(has_record(x) for x in v)
    return False


def block(v, indent, out):
    pad = " " * indent
    if isinstance(v, dict):
        for k, x in v.items():
            line = "%s%s:" % (pad, scalar(k))
            if isinstance(x, (dict, list)) and x and (has_record(x) or len(line + flow(x, k)) > 100):
                out.append(line)
                block(x, indent + 2, out)
            else:
                out.append(line + " " + flow(x, k))
    else:
        for x in v:
            if isinstance(x, dict) and x and (has_record(x) or len(pad + "- " + flow(x)) > 100):
                sub = []
                block(x, indent + 2, sub)
                out.append(pad + "- " + sub[0].lstrip())
                out.extend(sub[1:])
            else:
                out.append(pad + "- " + flow(x))


def dump_yaml(doc):
    out = []
    block(doc, 0, out)
    return "\n".join(out)


# ---- main ---------------------------------------------------------------------------------

def product_versions(repo_root, product="kong"):
    text = open(os.path.join(repo_root, "schemas", product, "product.yaml")).read()
    listed = re.search(r"^versions: \[(.*?)\]", text, re.M | re.S).group(1)
    return re.findall(r'"([0-9.]+)"', listed)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    off_dir, db_dir, out_dir = sys.argv[1:]
    repo_root = os.path.normpath(os.path.join(os.path.dirname(__file__), "../../.."))
    vers = product_versions(repo_root)
    tags = sorted((f[:-5] for f in os.listdir(off_dir) if f.endswith(".json")),
                  key=lambda t: [int(x) for x in t.split(".")])
    if [".".join(t.split(".")[:2]) for t in tags] != vers[:len(tags)]:
        sys.exit("dumps %s do not match product.yaml versions %s" % (tags, vers))
    per_plugin = {}
    sources = []
    for i, tag in enumerate(tags):
        off = json.load(open(os.path.join(off_dir, tag + ".json")))
        commit = off["kong_version"]
        sources.append(tag if commit == tag else "%s (commit %s)" % (tag, commit))
        db = json.load(open(os.path.join(db_dir, tag + ".json")))
        if off["failures"] or db["failures"]:
            sys.exit("%s: the dump has failures" % tag)
        dbp = {p["name"]: p for p in db["plugins"]}
        for p in off["plugins"]:
            p = dict(p, config=with_db_values(p["config"], dbp[p["name"]]["config"],
                                              p["name"] + "@" + tag))
            per_plugin.setdefault(p["name"], {})[i] = p
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(per_plugin):
        with open(os.path.join(out_dir, name + ".yaml"), "w") as f:
            f.write(plugin_file(name, per_plugin[name], vers, sources))
    print("wrote %d plugin files to %s" % (len(per_plugin), out_dir))


if __name__ == "__main__":
    main()
