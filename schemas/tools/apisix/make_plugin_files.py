#!/usr/bin/env python3
"""Write schemas/apisix/plugins/<name>.yaml from per-release dumps of APISIX's plugin schemas.

Usage:
    make_plugin_files.py DUMPS OUT_DIR

DUMPS holds one dump per release (TAG.json, written by dump_plugin_schemas.sh), one for each
release of schemas/apisix/product.yaml's `versions` (2.15 is tag 2.15.3, the others X.Y.0). One
file per plugin is written to OUT_DIR, holding every release at once: a definition that changed
between releases becomes variants with `since`/`until` (docs/schema-format.md).

APISIX's schemas are JSON schema (draft 4 as api7/jsonschema reads it) kept as Lua tables; they
are translated here keyword by keyword (translate.py). What a plugin's check_schema does in Lua
on top of its JSON schema is in checks.py: each row names its source, and every check_schema
body of every release must have been read (its digest is listed there), else the script says
which to read. What neither can express is written in the file's header as "not expressed",
and announced (HOP9005) when a configuration meets it.
"""

import hashlib
import importlib.util
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def load_kong_tool():
    """Kong's generator, for what the two share: release runs, conditions, the YAML writer."""
    path = os.path.join(HERE, "..", "kong", "make_plugin_files.py")
    spec = importlib.util.spec_from_file_location("kong_make_plugin_files", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


kong = load_kong_tool()
from translate import Translator, Notes, KEY_ORDER, SHARED_TYPEDEFS, IP_DEF  # noqa: E402
import checks as rules  # noqa: E402

SCOPES = [("schema", "config"), ("consumer_schema", "consumer"), ("metadata_schema", "metadata")]

# check_schema validating a scope against a schema the plugin does not have (aws-lambda and the
# other serverless upstreams' metadata): api7/jsonschema cannot compile nil, so APISIX refuses
# every configuration there. A closed record refuses every key (but not an empty entry).
NO_SCHEMA = {"type": "object", "additionalProperties": False, "properties": {}}


# ---- check_schema bodies --------------------------------------------------------------------

def normalized_body(text):
    text = re.sub(r"--[^\n]*", "", text)
    return re.sub(r"\s+", " ", text).strip()


def digest(text):
    return hashlib.sha1(normalized_body(text).encode()).hexdigest()[:8]


CALL = r"\((?:[^()]|\([^()]*\))*\)"  # an argument list, one level of nested calls
TRIVIAL_PARTS = [
    r"function [\w.:]+\(conf(, schema_type)?\)",
    # logging, and the warnings 3.10+ log for plain http or disabled TLS verification
    r"(core\.)?log\.\w+" + CALL,
    r"local check = \{[^{}]*\}",
    r"core\.utils\.check_(https|tls_bool)" + CALL,
    r"(local )?ok, err = core\.schema\.check\([\w.]+, conf\)",
    r"local ok, err\b",
    r"if not ok then return (false|nil), err end",
    r"if (schema_type|type) == core\.schema\.TYPE_(CONSUMER|METADATA) then",
    r"elseif (schema_type|type) == core\.schema\.TYPE_(CONSUMER|METADATA) then",
    r"return core\.schema\.check\([\w.]+, conf\)",
    r"return (ok|true)\b",
    r"\bend\b", r"\belse\b",
]


def trivial(text):
    """A check_schema that only runs the JSON schema for the scope."""
    s = normalized_body(text)
    for p in TRIVIAL_PARTS:
        s = re.sub(p, "", s)
    return s.strip() == ""


# ---- shared tables -------------------------------------------------------------------------

def annotate(schema, shared):
    """Marks where the dump saw a table of schema_def or of a helper module: "$shared" on the
    table itself, or "$anyOf_shared" on the table whose anyOf it is."""
    schema = json.loads(json.dumps(schema))
    for pointer, name in (shared or {}).items():
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        node = schema
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        last = parts[-1]
        target = node[int(last)] if isinstance(node, list) else node[last]
        if name not in SHARED_TYPEDEFS and name != IP_DEF:
            continue  # other shared tables are translated where they are used
        if isinstance(target, dict):
            target["$shared"] = name
        elif isinstance(node, dict):
            node["$%s_shared" % last] = name
    return schema


# ---- checks on strings that may be empty -----------------------------------------------------

def empty_strings_match(d):
    """A check's validator set on a field that may hold "" (len_min 0) must let "" through as
    the field does: gatehop's string validators want a non-empty string unless told."""
    if not isinstance(d, dict):
        return
    for k in ("elements", "keys", "values"):
        empty_strings_match(d.get(k))
    for a in d.get("any_of", []):
        empty_strings_match(a)
    fields = d.get("fields") or {}
    for f in fields.values():
        empty_strings_match(f)
    for c in d.get("checks", []):
        cond = c.get("conditional")
        if not cond:
            continue
        empty_strings_match(cond.get("then_def"))
        for fk, mk in (("if_field", "if_match"), ("then_field", "then_match")):
            f = fields.get(cond[fk])
            m = cond.get(mk)
            if (f and m is not None and f.get("type") == "string" and f.get("len_min") == 0
                    and "len_min" not in m and "required" not in m):
                m["len_min"] = 0


# ---- releases -> variants -------------------------------------------------------------------

NESTED = ("elements", "keys", "values")


def ordered(d):
    """A definition's keys in KEY_ORDER, nested definitions too."""
    if isinstance(d, list):
        return [ordered(x) for x in d]
    if not isinstance(d, dict):
        return d
    out = {}
    for k in KEY_ORDER:
        if k in d:
            v = d[k]
            if k in ("any_of",) + NESTED:
                v = ordered(v)
            elif k == "fields":
                v = {n: ordered(f) for n, f in v.items()}
            elif k == "checks":
                v = [ordered_check(c) for c in v]
            out[k] = v
    for k in d:
        if k not in out:
            raise SystemExit("key %r has no place in KEY_ORDER" % k)
    return out


def ordered_check(c):
    """A check as written, with a conditional's then_def (a whole definition) in KEY_ORDER."""
    cond = c.get("conditional")
    if not isinstance(cond, dict) or "then_def" not in cond:
        return c
    c = dict(c)
    c["conditional"] = dict(cond, then_def=ordered(cond["then_def"]))
    return c


def shallow(d):
    """What decides a variant: everything but the nested parts merged on their own. An enum is
    compared as a set (some are built by iterating a Lua table, in no fixed order)."""
    out = {k: v for k, v in d.items() if k not in ("fields", "checks") + NESTED}
    if isinstance(out.get("one_of"), list):
        out["one_of"] = sorted(json.dumps(x, sort_keys=True) for x in out["one_of"])
    for k in NESTED:
        if k in d:
            out[k] = "<nested>"
    if "fields" in d:
        out["fields"] = "<record>"
    return out


class Merger(kong.Merger):
    """Kong's merger, for its `conditioned` (checks with the releases they hold in); fields are
    merged here, over translated definitions rather than Kong's dumps."""

    def __init__(self, vers):
        super().__init__(vers, None, None)

    def cond(self, a, b, lo, hi):
        return kong.cond_range(self.vers, a, b, lo, hi)

    def field(self, per, lo, hi):
        """per: release index -> one release's definition; lo..hi: where the parent exists."""
        sig = {i: json.dumps(shallow(d), sort_keys=True) for i, d in per.items()}
        variants = []
        for a, b in kong.runs(per, lambda i: sig[i]):
            span = {i: per[i] for i in range(a, b + 1)}
            d = dict(self.cond(a, b, lo, hi))
            d.update({k: v for k, v in per[a].items() if k not in ("fields", "checks") + NESTED})
            for k in NESTED:
                if k in per[a]:
                    d[k] = self.field({i: x[k] for i, x in span.items()}, a, b)
            if "fields" in per[a]:
                d["fields"] = self.fields(span, a, b)
                checks = self.conditioned(span, a, b, lambda x: x.get("checks", []))
                if checks:
                    d["checks"] = checks
            variants.append(ordered(d))
        return variants[0] if len(variants) == 1 else variants

    def fields(self, span, a, b):
        names = []
        for i in sorted(span, reverse=True):
            for n in span[i]["fields"]:
                if n not in names:
                    names.append(n)
        names.sort()
        return {n: self.field({i: d["fields"][n] for i, d in span.items() if n in d["fields"]}, a, b)
                for n in names}


# ---- one plugin -----------------------------------------------------------------------------

def release_span(vers, idx):
    """'3.2-3.8' style text for a set of release indexes (for the notes)."""
    idx = sorted(idx)
    parts = []
    for a, b in kong.runs(idx, lambda i: 0):
        if a == b:
            parts.append(vers[a])
        elif b == len(vers) - 1:
            parts.append("from " + vers[a])
        elif a == 0:
            parts.append("until " + vers[b + 1])
        else:
            parts.append("%s to %s" % (vers[a], vers[b]))
    return ", ".join(parts)


class Plugin:
    def __init__(self, name, vers):
        self.name = name
        self.vers = vers
        self.http = {}      # release index -> dumped http module
        self.stream = {}    # release index -> dumped stream module

    def releases(self):
        return sorted(set(self.http) | set(self.stream))

    def translate(self):
        """scope -> release index -> definition; and the notes of every release."""
        notes = Notes()
        secrets = rules.secret_paths(self)
        per_scope = {}
        same_stream = set()
        for i in self.releases():
            tr = Translator(self.name, self.vers[i], notes.release(i), secrets)
            for scope, schema in self.schemas(i):
                d = tr.root(schema, scope)
                d = rules.apply(self.name, scope, self.vers[i], d, notes.release(i))
                per_scope.setdefault(scope, {})[i] = d
            if i in per_scope.get("stream", {}) and per_scope["stream"][i] == \
                    per_scope.get("config", {}).get(i):
                same_stream.add(i)
            self.announce(i, notes, per_scope)
            for scope in per_scope:
                if i in per_scope[scope]:
                    empty_strings_match(per_scope[scope][i])
        # A stream plugin that reuses the HTTP schema needs no `stream` of its own.
        if "stream" in per_scope and "config" in per_scope:
            st = per_scope["stream"]
            for i in list(st):
                if i in same_stream:
                    del st[i]
            if not st:
                del per_scope["stream"]
        return per_scope, notes

    def announce(self, i, notes, per_scope):
        """Every "not expressed" line of release i is reported when a configuration meets it
        (HOP9005): as a check where checks.ANNOUNCE says how, else as the `unchecked` of the
        field the line names, reported when the field is set. The translator announces the
        fields of if/then/else branches itself."""
        for text in sorted(t for t, idx in notes.by_text.items() if i in idx):
            head, _, what = text.partition(": ")
            scope, _, path = head.partition(".")
            d = per_scope.get(scope, {}).get(i)
            if d is None:
                raise SystemExit("%s: a note for scope %s at %s: %s" % (self.name, scope,
                                                                      self.vers[i], text))
            if "the branches on" in what:
                continue
            how = rules.announcements(self.name, text)
            if how is not None:
                at, conds = how
                target = rules.locate(d, at) if at else d
                if target is None:
                    raise SystemExit("%s: no record %s for %r" % (self.name, at, text))
                for c in conds:
                    check = {"unchecked": dict(c, text=what)}
                    target.setdefault("checks", [])
                    if check not in target["checks"]:
                        target["checks"].append(check)
                continue
            if not path:
                raise SystemExit("%s: say in checks.ANNOUNCE when to announce %r" % (self.name, text))
            target = rules.locate(d, path)
            if target is None:
                raise SystemExit("%s: no field %s for %r at %s" % (self.name, path, text,
                                                                   self.vers[i]))
            target["unchecked"] = target["unchecked"] + "; " + what if "unchecked" in target else what

    def schemas(self, i):
        """(scope, JSON schema) at release i. check_schema decides which schema a consumer and
        plugin metadata are validated against (dump.lua's probe, `schema_used`): its own
        consumer_schema / metadata_schema, the config schema (then nothing is written: gatehop
        falls back to `config` as APISIX does), or nothing at all (an open record)."""
        out = []
        http, stream = self.http.get(i), self.stream.get(i)
        if http:
            out.append(("config", self.schema_of(http, "schema", i)))
            for scope, key in (("consumer", "consumer_schema"), ("metadata", "metadata_schema")):
                used = rules.schema_used(self.name, self.vers[i], scope, http)
                if used == key:
                    out.append((scope, self.schema_of(http, key, i)))
                elif used == "none":
                    out.append((scope, {}))
                elif used == "no schema":
                    out.append((scope, NO_SCHEMA))
        if stream:
            out.append(("stream", self.schema_of(stream, "schema", i)))
            if not http and "metadata_schema" in stream:
                out.append(("metadata", self.schema_of(stream, "metadata_schema", i)))
        return out

    def schema_of(self, mod, key, i):
        at = rules.schema_at(self.name, self.vers[i], key)
        schema = annotate(mod[key], mod.get("shared", {}).get(key))
        return schema[at] if at else schema

    def plugin_type(self, lo, hi):
        """The module's `type` (`auth` for the auth plugins multi-auth takes): one value, or
        variants where it changed; None when no release has one."""
        per = {i: mod.get("type") for i, mod in self.http.items()}
        if not any(per.values()):
            return None
        found = [(a, b, per[a]) for a, b in kong.runs(per, lambda i: per[i]) if per[a]]
        if len(found) == 1 and found[0][0] == lo and found[0][1] == hi:
            return found[0][2]
        return [dict(value=t, **kong.cond_range(self.vers, a, b, lo, hi)) for a, b, t in found]

    def review(self):
        """Every check_schema body that does more than run the JSON schema must have been read."""
        unread = {}
        for table in (self.http, self.stream):
            for i, mod in table.items():
                cs = mod.get("check_schema")
                if not cs or trivial(cs["text"]):
                    continue
                dg = digest(cs["text"])
                if not rules.reviewed(self.name, dg):
                    unread.setdefault((cs["file"], dg), []).append(i)
        return unread

    def file_text(self, tags):
        per_scope, notes = self.translate()
        m = Merger(self.vers)
        lo, hi = self.releases()[0], len(self.vers) - 1
        if self.releases()[-1] != hi:
            raise SystemExit("%s: a plugin removed before %s" % (self.name, self.vers[hi]))
        doc = {"plugin": self.name}
        ptype = self.plugin_type(lo, hi)
        if ptype is not None:
            doc["plugin_type"] = ptype
        for scope in ("config", "consumer", "metadata", "stream"):
            if scope in per_scope:
                doc[scope] = m.field(per_scope[scope], lo, hi)
        span = tags[lo] if lo == hi else "%s to %s" % (tags[lo], tags[hi])
        head = ["# APISIX plugin %s: written by schemas/tools/apisix/make_plugin_files.py from its schemas"
                % self.name,
                "# at tags %s (dump_plugin_schemas.sh); regenerate rather than edit." % span]
        all_rel = set(self.releases())
        for text, idx in notes.lines():
            when = "" if set(idx) == all_rel else " (%s)" % release_span(self.vers, idx)
            head.append("# not expressed: %s%s" % (text, when))
        return "\n".join(head) + "\n" + kong.dump_yaml(doc) + "\n"


# ---- what APISIX injects into every plugin's schema ------------------------------------------

# schema_def.plugin_injected_schema (apisix/plugin.lua adds it to each plugin's `schema`), by the
# digest of its JSON without descriptions: each is written by hand as a variant of typedefs.yaml's
# `plugin_meta` (and, in 2.15, the `disable` beside `_meta` in the plugins typedefs' `values`).
INJECTED = {
    "9053265b": "2.15: _meta with error_response, priority, filter (at most 20); disable beside it",
    "a251b959": "3.0 to 3.11: _meta with disable, error_response, priority, filter",
    "d55119e0": "from 3.12: _meta closed, with pre_function",
}


def injected_digest(schema):
    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k != "description"}
        return x
    return hashlib.sha1(json.dumps(strip(schema), sort_keys=True).encode()).hexdigest()[:8]


# ---- main -----------------------------------------------------------------------------------

def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    dump_dir, out_dir = sys.argv[1:]
    repo_root = os.path.normpath(os.path.join(HERE, "../../.."))
    vers = kong.product_versions(repo_root, "apisix")
    tags = sorted((f[:-5] for f in os.listdir(dump_dir) if f.endswith(".json")),
                  key=lambda t: [int(x) for x in t.split(".")])
    if [".".join(t.split(".")[:2]) for t in tags] != vers:
        sys.exit("dumps %s do not match product.yaml versions %s" % (tags, vers))
    plugins = {}
    for i, tag in enumerate(tags):
        d = json.load(open(os.path.join(dump_dir, tag + ".json")))
        if d["failures"]:
            sys.exit("%s: the dump has failures" % tag)
        dg = injected_digest(d.get("plugin_injected_schema"))
        if dg not in INJECTED:
            sys.exit("%s: plugin_injected_schema %s is new: update typedefs.yaml's plugin_meta "
                     "and INJECTED" % (tag, dg))
        for p in d["plugins"]:
            pl = plugins.setdefault(p["name"], Plugin(p["name"], vers))
            (pl.http if p["kind"] == "http" else pl.stream)[i] = p
    unread = {}
    for name in sorted(plugins):
        for (f, dg), idx in plugins[name].review().items():
            unread.setdefault(name, []).append("%s %s (%s)" % (f, dg, release_span(vers, idx)))
    if unread:
        for name, items in sorted(unread.items()):
            for it in items:
                print("check_schema not reviewed: %s: %s" % (name, it), file=sys.stderr)
        if not os.environ.get("ALLOW_UNREVIEWED"):
            sys.exit("read those check_schema functions and list their digests in checks.py")
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(plugins):
        with open(os.path.join(out_dir, name + ".yaml"), "w") as f:
            f.write(plugins[name].file_text(tags))
    print("wrote %d plugin files to %s" % (len(plugins), out_dir))


if __name__ == "__main__":
    main()
