"""One release's APISIX plugin schema (JSON schema as api7/jsonschema reads it) as gatehop's
field definitions (docs/schema-format.md).

api7/jsonschema, the validator APISIX uses (0.9.8 to 0.9.13 over 2.15 to 3.18):
- `type` may be a list; `integer` accepts 1.0; an empty table is both an object and an array.
- An object's `properties` are checked one by one: a property listed in `required` and absent is
  an error before its `default` is filled in, so a required field's default never applies. The
  defaults of the other properties are filled in before `anyOf`, `oneOf`, `allOf`, `not`,
  `dependencies` of absent properties and `if`/`then`/`else` run, so there a default counts as
  present (gatehop's checks read missing fields at their default: the same).
- `pattern` is PCRE, unanchored (ngx.re.find with "jo"); minLength/maxLength count UTF-8
  characters.
- `exclusiveMinimum`/`exclusiveMaximum` are numbers (draft 6 style).
- Keywords it does not know (and misplaced tables, such as a definition at a list index) are
  ignored.
"""

import json
import re

BIG = 9007199254740991          # "unbounded" for integers, as the hand-written files wrote it
MAX_CLAUSES = 16                # the most at_least_one_of checks a required-set rule may become

# The order keys are written in (every key a definition may have).
KEY_ORDER = ["since", "until", "typedef", "type", "required", "default", "secret", "eq",
             "not_one_of", "one_of", "gt", "between", "len_min", "len_max", "match",
             "match_any", "validator", "err", "unchecked", "any_of", "open", "deprecated",
             "unique_items", "plugin_entries", "elements", "keys_matching", "keys",
             "values", "fields", "checks"]

# schema_def tables gatehop has as typedefs (schemas/apisix/typedefs.yaml), by the name the
# dump gives them. They change with the release exactly as the typedefs do.
SHARED_TYPEDEFS = {
    "apisix.schema_def.id_schema": "id",
    "apisix.schema_def.host_def": "host",
    "apisix.schema_def.upstream": "upstream",
    "apisix.schema_def.label_value_def": "label_value",
    "apisix.schema_def.method_schema": "method",
}

# schema_def.ip_def (used as `anyOf = ip_def`): an IPv4 or IPv6 address or CIDR range.
IP_DEF = "apisix.schema_def.ip_def"

IGNORED = {"description", "title", "$comment", "examples", "encrypt_fields", "default"}
OBJECT_KEYS = {"properties", "required", "additionalProperties", "patternProperties",
               "minProperties", "maxProperties", "dependencies"}
STRING_KEYS = {"minLength", "maxLength", "pattern", "format"}
NUMBER_KEYS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
ARRAY_KEYS = {"items", "minItems", "maxItems", "uniqueItems"}
COMBINATORS = {"anyOf", "oneOf", "allOf", "not", "if", "then", "else"}
TYPE_KEYS = {"object": OBJECT_KEYS, "string": STRING_KEYS, "number": NUMBER_KEYS,
             "integer": NUMBER_KEYS, "array": ARRAY_KEYS, "boolean": set(), "null": set()}
KNOWN = (OBJECT_KEYS | STRING_KEYS | NUMBER_KEYS | ARRAY_KEYS | COMBINATORS | IGNORED
         | {"type", "enum", "const"})

# Field names whose values are secrets (reports print <redacted>) besides encrypt_fields.
SECRET_NAME = re.compile(r"(^|_)(password|passwd|secret|secret_key|private_key|passphrase|token)$")


class Notes:
    """The "not expressed" lines of one plugin, each with the releases it holds in."""

    def __init__(self):
        self.by_text = {}

    def release(self, i):
        notes = self

        class One:
            def add(self, text):
                notes.by_text.setdefault(text, set()).add(i)

            def drop(self, prefix):
                for text, idx in list(notes.by_text.items()):
                    if text.startswith(prefix):
                        idx.discard(i)
                        if not idx:
                            del notes.by_text[text]
        return One()

    def lines(self):
        return sorted(self.by_text.items(), key=lambda kv: (min(kv[1]), kv[0]))


JSON_TYPE = {"record": "object", "map": "object", "set": "array"}


PY_TYPES = [("boolean", bool), ("integer", int), ("number", float), ("string", str),
            ("array", list), ("object", dict)]   # bool before int: True is an int in Python


def jtype(v):
    return next((name for name, py in PY_TYPES if isinstance(v, py)), "null")


NUMERIC_KEYS = {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
                "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}


def numeric(k, v):
    """A bound written as a numeric string ("1"): the generated validator formats it with %d,
    so Lua reads it as the number."""
    if k in NUMERIC_KEYS and isinstance(v, str) and re.fullmatch(r"-?[0-9]+", v):
        return int(v)
    return v


PLAIN_WORD = re.compile(r"^[A-Za-z0-9_-]+$")


def plain_patterns_as_properties(s):
    """patternProperties whose patterns are plain words (ai-proxy's auth: header, query, gcp,
    aws) are named properties in all but name: a key is read as the property it spells (a key
    that merely contains the word matches too; nobody writes one)."""
    pp = s.get("patternProperties")
    if not pp or len(pp) < 2 or not all(PLAIN_WORD.match(k) for k in pp):
        return s
    s = dict(s)
    props = dict(s.get("properties") or {})
    for k, v in pp.items():
        props.setdefault(k, v)
    s["properties"] = props
    del s["patternProperties"]
    return s


def set_required(d):
    """Required, so the default (which api7/jsonschema never reaches) is dropped."""
    d = dict(d)
    d.pop("default", None)
    if "any_of" in d or "typedef" in d or d.get("type"):
        d["required"] = True
    else:
        d.update(type="any", required=True)
    return d


class Translator:
    def __init__(self, plugin, version, notes, secrets):
        self.plugin = plugin
        self.version = version
        self.notes = notes
        self.secrets = secrets      # dotted paths of secret fields, every release together

    def note(self, text):
        self.notes.add(text)

    # ---- entry ------------------------------------------------------------------------------

    def root(self, schema, scope):
        if schema == {}:
            return {"type": "record", "open": True, "fields": {}}
        d = self.field(schema, scope, shared=None)
        if d.get("type") != "record":
            # a plugin schema that is not an object record (none today): accepted as any object
            self.note("%s: the schema is not an object with properties" % scope)
            d = {"type": "record", "open": True, "fields": {}}
        return d

    # ---- one value --------------------------------------------------------------------------

    def field(self, s, where, shared=None):
        if s is True or s == {} or s is None:
            return {"type": "any"}
        if not isinstance(s, dict):
            # the validator reads no keyword from a non-table (ai-rag 3.12-3.16 wrote a
            # property's type in the properties): any value passes
            return {"type": "any"}
        name = s.get("$shared")
        if name in SHARED_TYPEDEFS:
            return {"typedef": SHARED_TYPEDEFS[name]}
        unknown = [k for k in s if k not in KNOWN and not k.startswith("$")]
        # keys the validator ignores: a misplaced table at a list index (error-log-logger),
        # typos (one_of), properties written beside `properties` (basic-auth 3.12-3.17)
        s = {k: numeric(k, v) for k, v in s.items() if k in KNOWN or k.startswith("$")}
        s = plain_patterns_as_properties(s)
        t = s.get("type")
        if isinstance(t, list):
            return self.type_union(s, t, where)
        if t is None:
            t = self.infer_type(s, where)
            if t is None:
                return self.untyped(s, where)
        d = self.typed(s, t, where)
        return d

    def infer_type(self, s, where):
        if s.get("$anyOf_shared") == IP_DEF:
            return "string"
        if "anyOf" in s or "oneOf" in s:
            return None
        if "enum" in s:
            types = {jtype(v) for v in s["enum"]}
            if types == {"integer", "number"}:
                return "number"
            return types.pop() if len(types) == 1 else None
        if "const" in s:
            return jtype(s["const"])
        return None

    def untyped(self, s, where):
        if "anyOf" in s or "oneOf" in s:
            return self.alternatives(s, None, where)
        for t, keys in (("object", OBJECT_KEYS), ("string", STRING_KEYS), ("array", ARRAY_KEYS),
                        ("number", NUMBER_KEYS)):
            if keys & set(s):
                # JSON schema applies these keywords only to values of their type; any other
                # value passes
                typed = self.typed(dict(s, type=t), t, where)
                d = {"any_of": [typed, {"type": "any"}]}
                if "default" in typed:
                    d["default"] = typed.pop("default")
                return d
        d = {"type": "any"}
        if "enum" in s:
            d["one_of"] = s["enum"]
        if "const" in s:
            d["eq"] = s["const"]
        self.default(s, d)
        return d

    def type_union(self, s, types, where):
        alts = []
        for t in types:
            if t == "null":
                self.note("%s: null is accepted as a value" % where)
                continue
            keep = {k: v for k, v in s.items()
                    if k not in set().union(*TYPE_KEYS.values()) or k in TYPE_KEYS.get(t, set())}
            keep["type"] = t
            keep.pop("default", None)
            alts.append(self.typed(keep, t, where))
        d = {"any_of": alts} if len(alts) > 1 else alts[0]
        self.default(s, d)
        return d

    def default(self, s, d):
        if "default" in s and s["default"] is not None:
            d["default"] = s["default"]

    def typed(self, s, t, where):
        if t == "object":
            d = self.object(s, where)
        elif t == "array":
            d = self.array(s, where)
        elif t == "string":
            d = self.string(s, where)
        elif t in ("integer", "number"):
            d = self.number(s, t, where)
        elif t == "boolean":
            d = {"type": "boolean"}
        else:
            self.note("%s: type %s" % (where, t))
            d = {"type": "any"}
        if "enum" in s:
            d["one_of"] = s["enum"]
            if t == "string" and "" not in s["enum"] and d.get("len_min") == 0:
                del d["len_min"]
        if "const" in s:
            d["eq"] = s["const"]
        self.default(s, d)
        if t != "object":
            self.value_combinators(s, t, d, where)
        return d

    # ---- scalars and arrays -----------------------------------------------------------------

    def string(self, s, where):
        d = {"type": "string", "len_min": s.get("minLength", 0)}
        if "maxLength" in s:
            d["len_max"] = s["maxLength"]
        if "pattern" in s:
            d["match"] = s["pattern"]
        if s.get("$anyOf_shared") == IP_DEF:
            d["validator"] = "ip_or_cidr"
        elif "format" in s:
            self.note("%s: format %s" % (where, s["format"]))
        return d

    def number(self, s, t, where):
        d = {"type": t}
        lo, hi = s.get("minimum"), s.get("maximum")
        if lo is not None or hi is not None:
            d["between"] = [lo if lo is not None else -BIG, hi if hi is not None else BIG]
        if "exclusiveMinimum" in s:
            if isinstance(s["exclusiveMinimum"], bool):
                self.note("%s: exclusiveMinimum written as a boolean" % where)
            else:
                d["gt"] = s["exclusiveMinimum"]
        if "exclusiveMaximum" in s:
            self.note("%s: smaller than %s (exclusiveMaximum)" % (where, s["exclusiveMaximum"]))
        if "multipleOf" in s:
            self.note("%s: a multiple of %s" % (where, s["multipleOf"]))
        return d

    def array(self, s, where):
        d = {"type": "set" if s.get("uniqueItems") else "array"}
        if "minItems" in s:
            d["len_min"] = s["minItems"]
        if "maxItems" in s:
            d["len_max"] = s["maxItems"]
        items = s.get("items")
        if isinstance(items, list):
            self.note("%s: the items of a tuple" % where)
            d["elements"] = {"type": "any"}
        else:
            d["elements"] = self.field(items, where + "[]")
        return d

    # ---- combinators on a value -------------------------------------------------------------

    def value_combinators(self, s, t, d, where):
        if "anyOf" in s or "oneOf" in s:
            if s.get("$anyOf_shared") == IP_DEF:
                pass
            else:
                merged = self.alternatives(s, t, where)
                d.clear()
                d.update(merged)
        if "allOf" in s:
            for sub in s["allOf"]:
                extra = self.field(dict(sub, type=sub.get("type", t)), where)
                self.narrow(d, extra, where)
        if "not" in s:
            n = s["not"]
            if isinstance(n, dict) and set(n) <= {"enum"} and t != "object":
                d["not_one_of"] = n["enum"]
            elif isinstance(n, dict) and set(n) <= {"const"}:
                d["not_one_of"] = [n["const"]]
            else:
                self.note("%s: a `not` rule" % where)
        for k in ("if", "then", "else"):
            if k in s:
                self.note("%s: if/then/else on a value" % where)
                break

    def narrow(self, d, extra, where):
        """allOf on a value: the extra constraints of the same type."""
        for k, v in extra.items():
            if k in ("type", "len_min") and d.get(k) == v:
                continue
            if k not in d:
                d[k] = v
            elif d[k] != v:
                self.note("%s: two constraints on the same keyword (allOf)" % where)

    def alternatives(self, s, t, where):
        """anyOf/oneOf among values: a type union, or one type whose alternatives differ only
        in what one validator keyword can union (patterns, enums)."""
        kind = "oneOf" if "oneOf" in s else "anyOf"
        base = {k: v for k, v in s.items() if k not in ("anyOf", "oneOf")}
        alts = []
        for alt in s[kind]:
            a = dict(base)
            a.update(alt if isinstance(alt, dict) else {})
            if t and "type" not in (alt or {}):
                a["type"] = t
            elif "type" not in a:
                # an alternative without a type that only has one type's keywords: read as that
                # type (values of other types pass it in JSON schema, and then fail in the Lua
                # that reads them)
                fams = [ty for ty, keys in (("object", OBJECT_KEYS), ("string", STRING_KEYS),
                                            ("array", ARRAY_KEYS), ("number", NUMBER_KEYS))
                        if keys & set(a)]
                if len(fams) == 1:
                    a["type"] = fams[0]
            a.pop("default", None)
            alts.append(self.field(a, where))
        # gatehop tells alternatives apart by the value's type, and a record and a map are
        # both a mapping
        types = [JSON_TYPE.get(a.get("type", "any"), a.get("type", "any")) for a in alts]
        if "any" in types or "typedef" in "".join(json.dumps(a) for a in alts):
            out = self.loosest(alts, where, kind)
        elif len(set(types)) == len(types):
            out = {"any_of": alts} if len(alts) > 1 else alts[0]
        else:
            groups = {}
            for a, t in zip(alts, types):
                groups.setdefault(t, []).append(a)
            merged = [self.same_type(g, where, kind) for g in groups.values()]
            out = {"any_of": merged} if len(merged) > 1 else merged[0]
        self.default(s, out)
        return out

    def same_type(self, alts, where, kind):
        if len(alts) == 1:
            return alts[0]
        if all(a["type"] == "string" for a in alts):
            rest = [{k: v for k, v in a.items() if k not in ("match", "one_of", "len_min", "len_max")}
                    for a in alts]
            if all(r == rest[0] for r in rest):
                out = dict(rest[0])
                out["len_min"] = min(a.get("len_min", 1) for a in alts)
                if all("len_max" in a for a in alts):
                    out["len_max"] = max(a["len_max"] for a in alts)
                if all("one_of" in a for a in alts):
                    vals = []
                    for a in alts:
                        vals += [v for v in a["one_of"] if v not in vals]
                    out["one_of"] = vals
                    if "" not in vals:
                        out.pop("len_min", None)
                elif all("match" in a for a in alts):
                    out["match_any"] = {"patterns": [a["match"] for a in alts]}
                if kind == "oneOf":
                    pass  # exclusive alternatives of strings: the patterns do not overlap in use
                return out
        return self.loosest(alts, where, kind)

    def loosest(self, alts, where, kind):
        """Alternatives gatehop cannot tell apart: checked as the least strict of them."""
        types = {a.get("type") for a in alts}
        if len(alts) == 2 and types == {"map", "record"}:
            # a map or a record of named parts (headers old and new style): the record's
            # fields, with the map's keys and values for the keys it does not declare
            m, r = sorted(alts, key=lambda a: a["type"])
            out = {"type": "record", "fields": {n: {k: v for k, v in f.items() if k != "required"}
                                                for n, f in r.get("fields", {}).items()}}
            for k in ("keys", "values"):
                if k in m:
                    out[k] = m[k]
            if "len_min" in m and "len_min" in r:
                out["len_min"] = min(m["len_min"], r["len_min"])
            if kind == "oneOf":
                # the record closes once one of its parts is a table: both forms together fit
                # neither alternative
                out["checks"] = [{"closed_if_any": sorted(out["fields"])}]
            # A part written as a scalar (`set: x`) would be a map entry to APISIX and is a wrong
            # type here: no configuration means that, so it is not announced.
            return out
        self.note("%s: one of %d shapes (%s), checked loosely" % (where, len(alts), kind))
        if len(types) == 1 and "record" in types:
            fields = {}
            for a in alts:
                for n, f in a.get("fields", {}).items():
                    f = dict(f)
                    f.pop("required", None)
                    fields.setdefault(n, f)
            return {"type": "record", "open": True, "fields": fields}
        return {"type": "any"}

    # ---- objects ----------------------------------------------------------------------------

    def object(self, s, where):
        props = s.get("properties") or {}
        ap = s.get("additionalProperties")
        pp = s.get("patternProperties")
        recordish = props or s.get("required") or any(k in s for k in (
            "anyOf", "oneOf", "allOf", "if", "dependencies", "not"))
        if not recordish:
            return self.map_or_free(s, where)
        d = {"type": "record"}
        if ap is not False:
            d["open"] = True
        self.undeclared(s, d, where)
        fields = {}
        for n in sorted(props):
            fields[n] = self.field(props[n], where + "." + n)
        for n in s.get("required", []):
            fields[n] = set_required(fields.get(n, {"type": "any"}))
        # api7/jsonschema counts the keys after filling in defaults: with as many defaults as
        # minProperties, the count is always reached
        defaults = sum(1 for f in fields.values() if "default" in f)
        if "minProperties" in s and defaults < s["minProperties"]:
            d["len_min"] = s["minProperties"]
        if "maxProperties" in s:
            d["len_max"] = s["maxProperties"]
        checks = []
        rules = Rules(self, where, fields, checks)
        rules.object_rules(s)
        rules.finish()
        self.mark_secrets(s, fields, where)
        d["fields"] = fields
        if checks:
            d["checks"] = checks
        return d

    def mark_secrets(self, s, fields, where):
        scope_path = where.split(".", 1)[1] if "." in where else ""
        for n, f in fields.items():
            path = (scope_path + "." + n) if scope_path else n
            if path in self.secrets or SECRET_NAME.search(n):
                if f.get("type") in ("string", "map", "record", "any") or "any_of" in f:
                    f["secret"] = True

    def undeclared(self, s, d, where):
        """The keys an object does not declare: `keys`/`values` from its patternProperties or
        additionalProperties schema (a map when it declares none)."""
        ap = s.get("additionalProperties")
        pp = s.get("patternProperties") or {}
        if len(pp) == 1:
            (pat, sub), = pp.items()
            d["keys"] = {"type": "string", "len_min": 0}
            d["values"] = self.field(sub, where + ".*")
            if pat not in ("", ".*", "^.*$", "^.*"):
                if ap is False:
                    d["keys"]["match"] = pat
                elif ap is None or ap is True or ap == {}:
                    d["keys_matching"] = pat   # the other keys are free
                else:
                    self.note("%s: APISIX checks only the values of keys matching %s; here "
                              "every key's" % (where, pat))
        elif len(pp) > 1:
            self.note("%s: keys matching %s must fit schemas (unchecked)"
                      % (where, " or ".join(sorted(pp))))
        elif isinstance(ap, dict) and ap:
            d["keys"] = {"type": "string", "len_min": 0}
            d["values"] = self.field(ap, where + ".*")

    def map_or_free(self, s, where):
        ap = s.get("additionalProperties")
        d = {}
        self.undeclared(s, d, where)
        if "values" in d:
            d["type"] = "map"
        else:
            d = {"type": "record", "fields": {}}
            if ap is not False or s.get("patternProperties"):
                d["open"] = True
        if "minProperties" in s:
            d["len_min"] = s["minProperties"]
        if "maxProperties" in s:
            d["len_max"] = s["maxProperties"]
        return d


class Rules:
    """What an object's combinators say about its fields, as checks (and, where a branch types a
    property the object does not declare, as fields)."""

    def __init__(self, tr, where, fields, checks):
        self.tr = tr
        self.where = where
        self.fields = fields
        self.checks = checks

    def note(self, text):
        self.tr.note(text)

    def add(self, check):
        kind, = check
        if kind == "mutually_exclusive" and any(
                kind in c and sorted(c[kind]) == sorted(check[kind]) for c in self.checks):
            return
        if check not in self.checks:
            self.checks.append(check)

    def has_default(self, n):
        f = self.fields.get(n)
        return isinstance(f, dict) and ("default" in f or f.get("required"))

    def object_rules(self, s):
        for key in ("dependencies", "anyOf", "oneOf", "allOf", "not", "if"):
            if key in s:
                getattr(self, "rule_" + key.lower())(s)
        if ("then" in s or "else" in s) and "if" not in s:
            pass  # ignored without `if`

    # dependencies: {A: [B, ...]} or {A: schema}
    def rule_dependencies(self, s):
        for a, dep in sorted(s["dependencies"].items()):
            if isinstance(dep, list):
                for b in dep:
                    self.add({"conditional": {"if_field": a, "if_match": {"required": True},
                                              "then_field": b, "then_match": {"required": True}}})
                    self.declare(b)
                self.declare(a)
            elif isinstance(dep, dict) and set(dep) <= {"not"} and self.not_required(dep["not"]):
                for b in self.not_required(dep["not"]):
                    self.add({"mutually_exclusive": [a, b]})
                    self.declare(b)
            elif isinstance(dep, dict) and set(dep) <= {"required"}:
                for b in dep["required"]:
                    self.add({"conditional": {"if_field": a, "if_match": {"required": True},
                                              "then_field": b, "then_match": {"required": True}}})
                    self.declare(b)
            elif isinstance(dep, dict) and self.has_default(a):
                # the property is always there (a default or required): the rule always applies
                self.object_rules(dep)
                self.branch_fields(dep, "when `%s` is set" % a)
            else:
                self.note("%s: a rule that applies when `%s` is set" % (self.where, a))

    def declare(self, n):
        if n not in self.fields:
            self.fields[n] = {"type": "any"}

    @staticmethod
    def not_required(n):
        """`not: {required: [x]}` or `not: {anyOf: [{required: [x]}, ...]}`: the names."""
        if isinstance(n, dict) and set(n) == {"required"}:
            return n["required"]
        if isinstance(n, dict) and set(n) == {"anyOf"} and all(
                isinstance(b, dict) and set(b) == {"required"} and len(b["required"]) == 1
                for b in n["anyOf"]):
            return [b["required"][0] for b in n["anyOf"]]
        return None

    def rule_not(self, s):
        n = s["not"]
        if isinstance(n, dict) and set(n) == {"required"} and len(n["required"]) == 2:
            self.add({"mutually_exclusive": n["required"]})
        elif isinstance(n, dict) and set(n) == {"required"} and len(n["required"]) == 1:
            self.forbid(n["required"][0])
        elif self.not_required(n) and "anyOf" in n:
            for x in self.not_required(n):
                self.forbid(x)
        else:
            self.note("%s: a `not` rule" % self.where)

    def forbid(self, x):
        f = dict(self.fields.get(x, {"type": "any"}))
        f.pop("default", None)
        f["eq"] = None
        self.fields[x] = f

    def rule_allof(self, s):
        for sub in s["allOf"]:
            if not isinstance(sub, dict):
                continue
            for n in sub.get("required", []):
                self.fields[n] = set_required(self.fields.get(n, {"type": "any"}))
            self.object_rules(sub)
            self.branch_fields(sub, "(allOf)")

    def rule_anyof(self, s):
        self.branches("anyOf", s["anyOf"])

    def rule_oneof(self, s):
        self.branches("oneOf", s["oneOf"])

    # ---- anyOf / oneOf of branches ----------------------------------------------------------

    def branches(self, kind, brs):
        brs = [b for b in brs if isinstance(b, dict)]
        disc = self.discriminator(brs)
        if disc:
            self.by_value(kind, disc, brs)
            return
        dnf = [self.dnf(b) for b in brs]
        if any(d is None for d in dnf):
            self.note("%s: a %s of %d branches" % (self.where, kind, len(brs)))
            return
        for b in brs:
            if "properties" in b:
                self.branch_fields(b, "in one branch of the %s" % kind)
        simple = [b for b in brs if set(b) <= {"required", "properties"}]
        if len(simple) == len(brs):
            self.required_sets(kind, [list(b.get("required", [])) for b in brs])
            return
        # nested alternatives, or a branch that also wants a key absent: at least one of the
        # sets the branches allow; exclusivity only between branches of single keys
        self.at_least_one_set([x for d in dnf for x in d])
        if kind == "oneOf":
            singles = [b["required"][0] for b in simple if len(b.get("required", [])) == 1]
            if len(singles) > 1:
                self.add({"mutually_exclusive": singles})
            self.note("%s: the oneOf also rejects a config that fits more than one of %s" % (
                self.where, " | ".join(self.describe(b) for b in brs)))

    def dnf(self, b):
        """The key sets a branch accepts (present keys only; a `not required` part is left to
        the note), or None for a branch of another kind."""
        if not isinstance(b, dict) or set(b) - {"required", "properties", "anyOf", "oneOf", "not"}:
            return None
        if "not" in b and not self.not_required(b["not"]):
            return None
        out = [list(b.get("required", []))]
        for key in ("anyOf", "oneOf"):
            if key in b:
                alts = []
                for sub in b[key]:
                    d = self.dnf(sub)
                    if d is None:
                        return None
                    alts += d
                out = [x + [n for n in a if n not in x] for x in out for a in alts]
        return out

    def describe(self, b):
        parts = []
        if b.get("required"):
            parts.append(", ".join(b["required"]))
        for key in ("anyOf", "oneOf"):
            if key in b:
                parts.append("(" + " or ".join(self.describe(x) for x in b[key]) + ")")
        if "not" in b:
            parts.append("without " + ", ".join(self.not_required(b["not"])))
        return "{" + " and ".join(parts) + "}"

    def at_least_one_set(self, sets):
        """At least one of the sets fully present, as at_least_one_of checks."""
        if any(not x for x in sets):
            return
        clauses = clauses_of(sets)
        if not clauses:
            self.note("%s: at least one of %s" % (self.where, " | ".join(
                "{" + ", ".join(r) + "}" for r in sets)))
        for c in clauses:
            for n in c:
                self.declare(n)
            self.add({"at_least_one_of": c})

    def required_sets(self, kind, sets):
        if len(sets) == 1:
            for n in sets[0]:
                self.fields[n] = set_required_late(self.fields.get(n, {"type": "any"}))
            return
        if any(not x for x in sets):
            if kind == "oneOf":
                self.note("%s: a oneOf with a branch that requires nothing" % self.where)
            return
        common = set(sets[0]).intersection(*sets[1:])
        for n in sorted(common):
            self.fields[n] = set_required_late(self.fields.get(n, {"type": "any"}))
        rests = [[n for n in x if n not in common] for x in sets]
        if any(not r for r in rests):
            if kind == "oneOf":
                self.note("%s: a oneOf whose branches overlap" % self.where)
            return
        singles = [r[0] for r in rests if len(r) == 1]
        if len(singles) == len(rests):
            for n in singles:
                self.declare(n)
            if len(singles) > 1:
                self.add({("only_one_of" if kind == "oneOf" else "at_least_one_of"): singles})
            return
        self.at_least_one_set(rests)
        if kind == "oneOf":
            if len(singles) > 1:
                self.add({"mutually_exclusive": singles})
            if any(self.has_default(n) for r in rests for n in r):
                # checks read a missing field at its default: the pairs below would misfire
                multi = ["{" + ", ".join(r) + "}" for r in rests if len(r) > 1]
                self.note("%s: the oneOf also rejects a config that holds all of %s together "
                          "with another branch" % (self.where, " or ".join(multi)))
                return
            self.no_two_sets(rests)

    def no_two_sets(self, rests, when=()):
        """A oneOf of key sets: no two sets all present (pairs of single keys are left to the
        mutually_exclusive above unless `when` conditions apply), as conditionals: all of one
        set and all but the last key of the other set present (and `when`: [{field, match}]
        holding) -> the last key must be absent."""
        for i, a in enumerate(rests):
            for b in rests[i + 1:]:
                if len(a) == 1 and len(b) == 1 and not when:
                    continue
                keys = a + b[:-1]
                conds = list(when) + [{"field": k, "match": {"required": True}} for k in keys]
                cond = {"if_field": conds[0]["field"], "if_match": conds[0]["match"]}
                if len(conds) > 1:
                    cond["and_if"] = conds[1:]
                cond.update({"then_field": b[-1], "then_match": {"eq": None},
                             "then_err": "only one of {%s} and {%s} may be given (oneOf)"
                                         % (", ".join(a), ", ".join(b))})
                self.add({"conditional": cond})

    # ---- branches told apart by one property's value ----------------------------------------

    @staticmethod
    def values_of(prop):
        if not isinstance(prop, dict):
            return None
        if "enum" in prop:
            return list(prop["enum"])
        if "const" in prop:
            return [prop["const"]]
        return None

    def discriminator(self, brs):
        """The property whose enum/const every branch restricts, if there is one."""
        cands = None
        for b in brs:
            props = b.get("properties") or {}
            names = {n for n, p in props.items() if self.values_of(p) is not None}
            cands = names if cands is None else cands & names
        if not cands:
            return None
        return sorted(cands)[0]

    def by_value(self, kind, disc, brs):
        groups = {}
        for b in brs:
            vals = self.values_of(b["properties"][disc])
            groups.setdefault(json.dumps(vals), (vals, []))[1].append(b)
        for vals, group in groups.values():
            what = "`%s` is %s" % (disc, "/".join(map(str, vals)))
            if len(group) == 1:
                self.when(disc, {"one_of": vals}, group[0], what)
            else:
                self.alternatives_when(kind, disc, vals, group, what)

    def alternatives_when(self, kind, f, vals, group, what):
        """Several branches for one value: at least one of their required sets (as checks on
        the value), each branch's properties typed loosely."""
        sets = [[n for n in b.get("required", []) if n != f] for b in group]
        clauses = clauses_of(sets)
        if any(set(b) - {"required", "properties"} for b in group) or not clauses:
            self.note("%s: when %s, one of %d branches" % (self.where, what, len(group)))
            return
        for c in clauses:
            for n in c:
                self.declare(n)
            self.add({"conditional_at_least_one_of": {
                "if_field": f, "if_match": {"one_of": vals}, "then_at_least_one_of": c}})
        if kind == "oneOf":
            if any(self.has_default(n) for x in sets for n in x):
                self.note("%s: when %s, also at most one of %s" % (self.where, what, " or ".join(
                    "{" + ", ".join(x) + "}" for x in sets)))
            else:
                self.no_two_sets(sets, [{"field": f, "match": {"one_of": vals}}])
        for b in group:
            for n, p in sorted((b.get("properties") or {}).items()):
                if n != f:
                    self.narrowed(f, {"one_of": vals}, n, p, what)

    def when(self, f, match, b, what):
        """The requirements of branch b, where the field f matches `match`."""
        for n in b.get("required", []):
            if n == f:
                continue
            self.add({"conditional": {"if_field": f, "if_match": match, "then_field": n,
                                      "then_match": {"required": True}}})
            self.declare(n)
        for key in ("anyOf", "oneOf"):
            sub = b.get(key)
            if not sub:
                continue
            if all(isinstance(x, dict) and set(x) == {"required"} and len(x["required"]) == 1
                   for x in sub):
                names = [x["required"][0] for x in sub]
                for n in names:
                    self.declare(n)
                self.add({"conditional_at_least_one_of": {
                    "if_field": f, "if_match": match, "then_at_least_one_of": names}})
                if key == "oneOf" and any(self.has_default(n) for n in names):
                    self.note("%s: when %s, at most one of %s" % (self.where, what, ", ".join(names)))
                elif key == "oneOf":
                    self.no_two_sets([[n] for n in names], [{"field": f, "match": match}])
            else:
                self.note("%s: when %s, a %s of %d branches" % (self.where, what, key, len(sub)))
        for key in ("allOf", "not", "if", "dependencies"):
            if key in b:
                self.note("%s: when %s, a further `%s` rule" % (self.where, what, key))
        props = {n: p for n, p in (b.get("properties") or {}).items() if n != f}
        for n, p in sorted(props.items()):
            self.narrowed(f, match, n, p, what)

    def narrowed(self, f, match, n, p, what):
        """A property a branch types: kept until finish() sees every branch."""
        sub = self.tr.field(p, self.where + "." + n)
        self.pending.setdefault(n, []).append((f, match, sub, what))

    @property
    def if_fields(self):
        if not hasattr(self, "_if_fields"):
            self._if_fields = set()
        return self._if_fields

    @property
    def pending(self):
        if not hasattr(self, "_pending"):
            self._pending = {}
        return self._pending

    def finish(self):
        """Properties typed in branches: a field the object does not declare becomes the
        loosest of its branch definitions; each branch's stricter bounds become a conditional
        on the branch's value."""
        branch_only = {}
        for n, defs in sorted(self.pending.items()):
            declared = n in self.fields and self.fields[n] != {"type": "any"}
            if not declared and self.only_in_branches(n, defs):
                continue
            for f in sorted({g for g, _, _, _ in defs} & self.if_fields):
                if not declared:
                    branch_only.setdefault(f, []).append(n)
            base = self.fields[n] if declared else loosest_of([d for _, _, d, _ in defs])
            if not declared:
                if self.fields.get(n, {}).get("required"):
                    base = set_required_late(base)
                self.fields[n] = base
            for f, match, sub, what in defs:
                if base.get("type") != sub.get("type") and sub.get("type") not in (None, "any") \
                        and base.get("type") != "any":
                    self.note("%s.%s: typed differently when %s" % (self.where, n, what))
                    continue
                extra = {k: v for k, v in sub.items()
                         if k in NARROWING and base.get(k) != v}
                if extra:
                    self.add({"conditional": {"if_field": f, "if_match": match, "then_field": n,
                                              "then_match": extra}})
        for f, names in sorted(branch_only.items()):
            self.note("%s: the lists and records the branches on `%s` declare are checked "
                      "whatever `%s` is; APISIX checks each only in its branch (plain values "
                      "are checked in their branch)" % (self.where, f, f))
            for n in names:
                self.announce_outside_branch(f, n)

    def branch_fields(self, b, what):
        """Properties typed in a branch: fields when the object lacks them."""
        for n, p in sorted((b.get("properties") or {}).items()):
            sub = self.tr.field(p, self.where + "." + n)
            if n not in self.fields or self.fields[n] == {"type": "any"}:
                self.fields[n] = sub
            elif self.fields[n] != sub and self.values_of(p) is None:
                self.note("%s.%s: typed differently %s" % (self.where, n, what))

    # ---- if / then / else -------------------------------------------------------------------

    def rule_if(self, s):
        cond = s["if"]
        props = (cond or {}).get("properties") or {}
        if len(props) != 1 or set(cond) - {"properties", "required"}:
            self.note("%s: an if/then/else rule" % self.where)
            return
        (f, p), = props.items()
        vals = self.values_of(p)
        contains = self.values_of((p or {}).get("contains")) if isinstance(p, dict) else None
        if vals is None and contains and len(contains) == 1 and set(p) == {"contains"}:
            # if the list holds a value, then ...: checks on that (gatehop's `contains`)
            self.declare(f)
            what = "`%s` holds %s" % (f, contains[0])
            if isinstance(s.get("then"), dict):
                self.when(f, {"contains": contains[0]}, s["then"], what)
            if "else" in s:
                self.note("%s: an else rule when %s" % (self.where, what))
            if f not in (cond.get("required") or []) and not self.has_default(f):
                pass  # an absent list holds nothing: the `then` part does not apply
            return
        if vals is None:
            self.note("%s: an if/then/else rule on `%s`" % (self.where, f))
            return
        self.declare(f)
        if f not in (cond.get("required") or []) and not self.has_default(f):
            self.note("%s: when `%s` is absent, APISIX applies the `then` rules" % (self.where, f))
        what = "`%s` is %s" % (f, "/".join(map(str, vals)))
        if isinstance(s.get("then"), dict):
            self.when(f, {"one_of": vals}, s["then"], what)
        if isinstance(s.get("else"), dict):
            e = s["else"]
            if "if" in e:
                self.when(f, {"not_one_of": vals}, {k: v for k, v in e.items() if k not in
                                                    ("if", "then", "else")}, "`%s` is not %s"
                          % (f, "/".join(map(str, vals))))
                self.rule_if(e)
            else:
                self.when(f, {"not_one_of": vals}, e, "`%s` is not %s" % (f, "/".join(map(str, vals))))
        self.if_fields.add(f)   # finish() announces the fields only its branches declare

    def only_in_branches(self, n, defs):
        """A property only the branches of if/then/else rules declare: checked only where its
        branch applies, as APISIX does, by conditionals on the branch's value (a plain value's
        bounds as then_match, a list's or record's whole definition as then_def); the field
        itself takes any value (keeping its default and secrecy). False when that cannot be
        done (a branch of another rule declares it too): the field is then the loosest of the
        branches' definitions, checked whatever branch applies."""
        if not {g for g, _, _, _ in defs} <= self.if_fields:
            return False
        loose = loosest_of([d for _, _, d, _ in defs])
        base = {"type": "any"}
        base.update({k: v for k, v in loose.items() if k in ("default", "secret")})
        if self.fields.get(n, {}).get("required"):
            base = set_required_late(base)
        self.fields[n] = base
        for f, match, sub, _ in defs:
            then = {k: v for k, v in sub.items() if k not in ("default", "secret", "required")}
            if set(then) & set(NESTED):
                self.add({"conditional": {"if_field": f, "if_match": match, "then_field": n,
                                          "then_def": then}})
            elif then:
                self.add({"conditional": {"if_field": f, "if_match": match, "then_field": n,
                                          "then_match": then}})
        return True

    def announce_outside_branch(self, f, n):
        """A field a branch on f declares, set where no such branch applies: gatehop checks it
        there, APISIX does not; announced (HOP9005). A value equal to the field's default is
        left out: checks read an absent field at its default, and the default passes anyway."""
        matches = [m for g, m, _, _ in self.pending.get(n, []) if g == f]
        ones = sorted({json.dumps(v) for m in matches for v in m.get("one_of", [])})
        ones = [json.loads(v) for v in ones]
        nots = [m["not_one_of"] for m in matches if "not_one_of" in m]
        if not nots:
            where, branch = {"not_one_of": ones}, "/".join(map(str, ones))
        elif len(nots) == 1 and [v for v in nots[0] if v not in ones]:
            rest = [v for v in nots[0] if v not in ones]
            where, branch = {"one_of": rest}, "not " + "/".join(map(str, rest))
        else:
            return
        field = self.fields.get(n, {})
        if "default" in field:
            if_match = {"not_one_of": [field["default"]]}
        else:
            if_match = {"required": True}
        self.add({"unchecked": {
            "if_field": n, "if_match": if_match, "and_if": [{"field": f, "match": where}],
            "text": "APISIX checks it only when `%s` is %s (the branch that declares it): a "
                    "finding on it here may be one APISIX does not make" % (f, branch)}})


def clauses_of(sets):
    """"At least one of these key sets is fully present" as clauses "at least one of these
    keys" (a product: one key from each set); [] when there would be more than MAX_CLAUSES, or
    when a set is empty (always true)."""
    if any(not x for x in sets):
        return []
    clauses = [[]]
    for r in sets:
        clauses = [c + [n] for c in clauses for n in r]
        if len(clauses) > MAX_CLAUSES:
            return []
    out = []
    for c in clauses:
        uniq = []
        for n in c:
            if n not in uniq:
                uniq.append(n)
        if uniq not in out:
            out.append(uniq)
    return out


NARROWING = ("one_of", "eq", "between", "gt", "len_min", "len_max", "match")

# Keys that hold definitions of what lies inside a value: a validator set (then_match) cannot
# check them, a whole definition (then_def) can.
NESTED = ("fields", "elements", "keys", "values", "any_of", "typedef", "checks", "open",
          "keys_matching", "json")


def loosest_of(defs):
    """The least strict of several definitions of one property (one per branch)."""
    first = defs[0]
    if all(d == first for d in defs):
        return first
    if len({d.get("type") for d in defs}) > 1:
        return {"type": "any"}
    out = {"type": first["type"]}
    for k in set().union(*defs):
        vals = [d.get(k) for d in defs]
        if k == "type" or any(k not in d for d in defs):
            continue
        if all(v == vals[0] for v in vals):
            out[k] = vals[0]
        elif k == "between":
            out[k] = [min(v[0] for v in vals), max(v[1] for v in vals)]
        elif k in ("len_min", "gt"):
            out[k] = min(vals)
        elif k == "len_max":
            out[k] = max(vals)
        elif k == "one_of":
            merged = []
            for v in vals:
                merged += [x for x in v if x not in merged]
            out[k] = merged
        elif k == "fields":
            names = set().union(*vals)
            out[k] = {n: loosest_of([v[n] for v in vals if n in v]) for n in sorted(names)}
    if first["type"] == "string" and "len_min" not in out:
        out["len_min"] = 0
    return out


def set_required_late(d):
    """Required by a combinator, which runs after the defaults are filled in: a default
    satisfies it (as gatehop's `required`)."""
    d = dict(d)
    if "any_of" in d or "typedef" in d or d.get("type"):
        d["required"] = True
    else:
        d.update(type="any", required=True)
    return d
