#!/usr/bin/env python3
"""Measures how far gatehop agrees with Kong's own schema specs.

usage: measure.py [--kong GIT_DIR] [--gatehop BIN] [--release 2.8|3.4|3.9 ...]
                  [--spec SUBSTRING] [--keep DIR] [--json OUT] [--show disagree|skip|all]
                  [--cases DIR]

--cases DIR writes the translated validations as golden cases under DIR (tests/cases): one
case per release, spec file and router flavour, named conformance-kongXY-<spec>, one input
file per validation whose comment names the source assertion and Kong's outcome. The
expectations are then written by `GATEHOP_UPDATE=1 ctest -R case/conformance-kong`.

For each release (Kong tags 2.8.5, 3.4.2, 3.9.3) the spec files below are read
from Kong's git directory at that tag and run by extract.lua, which records
every validation they make and the outcome they assert:

  spec/03-plugins/*/*schema_spec.lua, *config_spec.lua and any other plugin
  spec that calls validate_plugin_config_schema   (plugin configurations)
  spec/01-unit/01-db/01-schema/*_spec.lua          (core entities)
  spec/01-unit/01-db/10-declarative_spec.lua and
  spec/01-unit/01-db/01-schema/11-declarative_config/*_spec.lua (declarative)

Each validation becomes a Kong declarative file (a plugin alone in `plugins:`,
an entity in its collection with stand-ins for what it references, a
declarative spec's YAML data written again by our writer), linted with
`gatehop lint --from kong@X --format json`. gatehop refuses a file when it
reports an error. A validation agrees when the outcomes are the same and, when
Kong's expected error names fields, gatehop's errors name them too (by path,
or by the field's name quoted in the message). Validations the harness cannot
turn into a file are counted as skipped, by reason.

Needs: python3, lua5.1, git, a built gatehop. Nothing from the network.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
sys.path.insert(0, HERE)
import kong_yaml  # noqa: E402

RELEASES = {"2.8": "2.8.5", "3.4": "3.4.2", "3.9": "3.9.3"}
FORMAT_VERSION = {"2.8": "2.1", "3.4": "3.0", "3.9": "3.0"}
DEFAULT_FLAVOR = {"2.8": None, "3.4": "traditional_compatible", "3.9": "traditional_compatible"}

# Entities a declarative file holds, by Kong's schema name.
COLLECTIONS = {
    "routes", "services", "upstreams", "targets", "consumers", "certificates",
    "ca_certificates", "snis", "plugins", "keys", "key_sets", "vaults",
}
# Foreign keys of those entities: field -> referenced collection.
FOREIGN = {
    "routes": {"service": "services"},
    "targets": {"upstream": "upstreams"},
    "snis": {"certificate": "certificates"},
    "plugins": {"service": "services", "route": "routes", "consumer": "consumers"},
    "keys": {"set": "key_sets"},
    "upstreams": {"client_certificate": "certificates"},
    "services": {"client_certificate": "certificates"},
}
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")



def git_show(kong, tag, path):
    return subprocess.run(["git", "-C", kong, "show", f"{tag}:{path}"], check=True,
                          capture_output=True).stdout


def list_specs(kong, tag):
    names = subprocess.run(["git", "-C", kong, "ls-tree", "-r", "--name-only", tag, "--", "spec"],
                           check=True, capture_output=True, text=True).stdout.split()
    out = []
    for n in names:
        if not n.endswith("_spec.lua"):
            continue
        if n.startswith("spec/03-plugins/"):
            if re.search(r"(schema|config)_spec\.lua$", n):
                out.append(("plugin", n))
            else:
                text = git_show(kong, tag, n).decode("utf-8", "replace")
                if "validate_plugin_config_schema" in text:
                    out.append(("plugin", n))
        elif n.startswith("spec/01-unit/01-db/01-schema/11-declarative_config/") or \
                n == "spec/01-unit/01-db/10-declarative_spec.lua":
            out.append(("declarative", n))
        elif n.startswith("spec/01-unit/01-db/01-schema/"):
            out.append(("entity", n))
    return out


def _limit_memory():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def extract(kong, tag, spec, workdir):
    local = os.path.join(workdir, spec.replace("/", "__"))
    with open(local, "wb") as f:
        f.write(git_show(kong, tag, spec))
    p = subprocess.run(["lua5.1", os.path.join(HERE, "extract.lua"), local, "--name", spec],
                       capture_output=True, text=True, errors="replace", timeout=300,
                       preexec_fn=_limit_memory)
    if p.returncode != 0:
        return [{"spec": spec, "harness_error": p.stderr.strip(), "test": "(file)"}]
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


# --- inputs ------------------------------------------------------------------

def taint_of(v):
    """The first taint inside a snapshot, or None."""
    if isinstance(v, dict):
        if "$taint" in v:
            return v["$taint"]
        for x in v.values():
            t = taint_of(x)
            if t:
                return t
    elif isinstance(v, list):
        for x in v:
            t = taint_of(x)
            if t:
                return t
    return None


def plain(v):
    """A snapshot as plain data: null, empty tables, arrays."""
    if isinstance(v, dict):
        if v.get("$null"):
            return None
        if "$empty" in v:
            return [] if v["$empty"] == "array" else {}
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


class Skip(Exception):
    pass


def stand_in(collection, ident, release):
    """A minimal entity of COLLECTION with id IDENT."""
    if collection == "services":
        return {"id": ident, "host": "stand-in.test"}
    if collection == "routes":
        return {"id": ident, "paths": ["/stand-in"]}
    if collection == "consumers":
        return {"id": ident, "username": "stand-in-" + ident[:8]}
    if collection == "upstreams":
        return {"id": ident, "name": "stand-in-" + ident[:8]}
    if collection in ("certificates",):
        c = dict(kong_yaml.stand_in_certificate())
        c["id"] = ident
        return c
    if collection == "key_sets":
        return {"id": ident, "name": "stand-in-" + ident[:8]}
    raise Skip(f"reference to a {collection} entity")


def place_entity(collection, entity, release):
    """A document holding ENTITY in COLLECTION, with stand-ins for what it
    references. Returns (document, JSON-pointer prefix of the entity,
    {foreign field: JSON-pointer prefix of the stand-in})."""
    doc = {"_format_version": FORMAT_VERSION[release]}
    entity = dict(entity)
    remap = {}
    extra_collections = collections.OrderedDict()
    for field, target in FOREIGN.get(collection, {}).items():
        if field not in entity:
            continue
        ref = entity[field]
        if ref is None:
            del entity[field]          # no reference: the same as not set
            continue
        if isinstance(ref, dict) and set(ref) == {"id"} and isinstance(ref["id"], str):
            ident = ref["id"]
            if target == collection:
                raise Skip("an entity referencing its own kind")
            extra_collections.setdefault(target, []).append(stand_in(target, ident, release))
            entity[field] = ident
            remap[field] = f"/{target}/{len(extra_collections[target]) - 1}"
            continue
        raise Skip("a foreign key that is not {id = <string>} (the entity API's shape; "
                   "a declarative file references by id or name)")
    for target, items in extra_collections.items():
        doc[target] = items
    doc.setdefault(collection, []).append(entity)
    return doc, f"/{collection}/{len(doc[collection]) - 1}", remap


def check_bundled(name, bundled):
    if name not in bundled:
        raise Skip("a plugin the spec defines itself (not bundled)")


def bundled_plugins(kong, tag):
    names = subprocess.run(["git", "-C", kong, "ls-tree", "--name-only", f"{tag}:kong/plugins"],
                           check=True, capture_output=True, text=True).stdout.split()
    return set(names)


def build(rec, release, bundled):
    """(document text, item pointer, remap, item value) for a record, or
    raise Skip."""
    kind, method = rec["kind"], rec["method"]
    inp = rec["input"]
    if kind == "custom":
        raise Skip("a schema made in the spec (schema engine tests, not a Kong entity or plugin)")
    if method == "validate_update":
        raise Skip("a partial update (validate_update), no declarative form")
    t = taint_of(inp) or taint_of(rec.get("extra"))
    if t:
        raise Skip("input computed at run time: " + t.split(":")[0])
    if kind == "declarative":
        if isinstance(inp, dict) and "$yaml" in inp:
            # the data the spec's YAML holds, written again by our writer (not the spec's text)
            import yaml
            try:
                value = yaml.safe_load(kong_yaml.dedent(inp["$yaml"]))
            except yaml.YAMLError:
                raise Skip("YAML text that does not parse (the spec's parser is under test)")
            if not isinstance(value, dict):
                raise Skip("declarative YAML that is not a table")
            return kong_yaml.dump(value), "", {}, value
        if not isinstance(inp, dict):
            raise Skip("declarative input that is not a table")
        return kong_yaml.dump(plain(inp)), "", {}, plain(inp)
    if kind == "plugin":
        plugin = {"name": rec["target"]}
        cfg = plain(inp) if inp is not None else None
        if cfg is not None:
            plugin["config"] = cfg
        extra = plain(rec.get("extra")) or {}
        for k, v in extra.items():
            plugin[k] = v
        check_bundled(rec["target"], bundled)
        doc, ptr, remap = place_entity("plugins", plugin, release)
        return kong_yaml.dump(doc), ptr, remap, plugin
    if kind == "plugin_schema":
        entity = plain(inp)
        if not isinstance(entity, dict):
            raise Skip("plugin entity that is not a table")
        entity = dict(entity)
        entity.setdefault("name", rec["target"])
        check_bundled(entity["name"], bundled)
        doc, ptr, remap = place_entity("plugins", entity, release)
        return kong_yaml.dump(doc), ptr, remap, entity
    if kind in ("entity", "plugin_entity"):
        name = rec["target"]
        if name not in COLLECTIONS:
            raise Skip(f"entity '{name}' has no collection in a declarative file")
        entity = plain(inp)
        if not isinstance(entity, dict):
            raise Skip("entity that is not a table")
        if name == "plugins":
            check_bundled(entity.get("name"), bundled)
        doc, ptr, remap = place_entity(name, entity, release)
        return kong_yaml.dump(doc), ptr, remap, entity
    raise Skip(f"unknown kind {kind}")


def expectation(rec):
    v = set(rec["verdicts"])
    if not v:
        return None
    if len(v) > 1:
        return "conflict"
    return v.pop()


# --- comparing ---------------------------------------------------------------

def kong_fields(rec):
    """Kong's named fields as lists of names without array indexes, each with
    its message. An entity check ("@entity") names the record it checks."""
    out = []
    for f in rec["fields"]:
        parts = []
        for p in f["path"]:
            if p == "@entity":
                break
            if not re.fullmatch(r"\d+", p):
                parts.append(p)
        if parts:
            out.append((parts, f.get("message") or ""))
    return out


def written(value, parts):
    """Whether the input VALUE holds the field at PARTS (map keys and array
    items skipped as the names are)."""
    if not parts:
        return True
    if isinstance(value, list):
        return any(written(x, parts) for x in value)
    if isinstance(value, dict):
        if parts[0] in value:
            return written(value[parts[0]], parts[1:])
        return any(written(x, parts) for x in value.values() if isinstance(x, (dict, list)))
    return False


def is_subsequence(parts, rel):
    it = iter(rel)
    return all(p in it for p in parts)


def field_found(parts, message, errors, ptr, remap, item_value):
    """Whether one of gatehop's errors names the field PARTS of the item at
    PTR: its path is the field or lies inside it (map keys, which Kong leaves
    out of its error paths, skipped), or its path is a record holding the
    field and the field is not written there (nothing else to point at) or
    the message names it."""
    if message.startswith("invalid reference"):
        return any(d["code"] == "HOP3001" for d in errors)
    for d in errors:
        path = d.get("path") or ""
        if parts[0] in remap:
            base = remap[parts[0]]
            if path == base or path.startswith(base + "/"):
                return True  # an error in the stand-in a foreign key points to
        if not (ptr == "" or path == ptr or path.startswith(ptr + "/")):
            continue
        rel = [p for p in path[len(ptr):].split("/") if p and not re.fullmatch(r"\d+", p)]
        if rel and rel[0] == parts[0] and is_subsequence(parts, rel):
            return True
        if is_subsequence(rel, parts[:-1]) and (len(rel) == 0 or rel[0] == parts[0] or ptr == ""):
            if not written(item_value, parts):
                return True
            if re.search(r"\b%s\b" % re.escape(parts[-1]), d.get("message", "")):
                return True
    return False


def run_gatehop(gatehop, release, flavor, directory):
    # Each file is one spec's whole configuration: references resolve in it alone.
    args = [gatehop, "lint", "--no-config", "-q", "--separate-files", "--from", f"kong@{release}",
            "--format", "json"]
    if flavor:
        args += ["--router-flavor", flavor]
    args.append(directory)
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"gatehop failed ({p.returncode}): {p.stderr}")
    report = json.loads(p.stdout)
    by_file = collections.defaultdict(list)
    for d in report["diagnostics"]:
        by_file[os.path.basename(d["file"])].append(d)
    return by_file


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kong", default="/work/.mirror/Kong+kong/repo")
    ap.add_argument("--gatehop", default=os.path.join(ROOT, "build", "gatehop"))
    ap.add_argument("--release", action="append")
    ap.add_argument("--spec", action="append", help="only specs whose path contains this")
    ap.add_argument("--keep", help="write the generated files under this directory")
    ap.add_argument("--json", help="write every item with its outcome here")
    ap.add_argument("--cases", help="write golden cases under this directory (tests/cases)")
    ap.add_argument("--show", choices=["disagree", "skip", "all", "messages"], action="append",
                    default=[])
    a = ap.parse_args()

    releases = a.release or list(RELEASES)
    work = a.keep or tempfile.mkdtemp(prefix="kong-conformance.")
    all_items = []
    for rel in releases:
        tag = RELEASES[rel]
        specdir = os.path.join(work, rel, "specs")
        os.makedirs(specdir, exist_ok=True)
        specs = list_specs(a.kong, tag)
        bundled = bundled_plugins(a.kong, tag)
        if a.spec:
            specs = [s for s in specs if any(x in s[1] for x in a.spec)]
        items = []
        for group, spec in specs:
            for rec in extract(a.kong, tag, spec, specdir):
                rec["release"], rec["group"] = rel, group
                items.append(rec)
        # documents, by router flavour
        n = 0
        flavors = collections.defaultdict(list)
        for rec in items:
            if "harness_error" in rec or "pending" in rec:
                continue
            exp = expectation(rec)
            rec["expect"] = exp
            if exp is None:
                rec["skip"] = "outcome not asserted"
                continue
            if exp == "conflict":
                rec["skip"] = "the spec asserts both outcomes (a harness limit)"
                continue
            try:
                text, ptr, remap, value = build(rec, rel, bundled)
            except Skip as e:
                rec["skip"] = str(e)
                continue
            n += 1
            flavor = rec.get("flavor") or DEFAULT_FLAVOR[rel]
            if rel == "2.8":
                flavor = None
            fdir = os.path.join(work, rel, flavor or "default")
            os.makedirs(fdir, exist_ok=True)
            fname = f"{n:05d}.yaml"
            with open(os.path.join(fdir, fname), "w") as f:
                f.write(text)
            rec["file"], rec["ptr"], rec["remap"], rec["text"] = fname, ptr, remap, text
            rec["item_value"] = value
            rec["flavor_used"] = flavor
            flavors[flavor].append(rec)
        for flavor, recs in flavors.items():
            by_file = run_gatehop(a.gatehop, rel, flavor, os.path.join(work, rel, flavor or "default"))
            for rec in recs:
                diags = by_file.get(rec["file"], [])
                errors = [d for d in diags if d["severity"] == "error"]
                rec["gatehop"] = "refuse" if errors else "accept"
                rec["diagnostics"] = [{k: d[k] for k in ("code", "severity", "message", "path")} for d in diags]
                rec["info_9005"] = any(d["code"] == "HOP9005" for d in diags)
                if rec["kind"] == "declarative" and rec["method"] == "validate" and \
                        rec["expect"] == "accept" and errors and all(d["code"] == "HOP3001" for d in errors):
                    rec["skip"] = ("DeclarativeConfig:validate() alone does not resolve references; "
                                   "Kong's loader (flatten) refuses what gatehop refuses")
                    continue
                agree = rec["gatehop"] == rec["expect"]
                missing = []
                if agree and rec["expect"] == "refuse":
                    for parts, message in kong_fields(rec):
                        if not field_found(parts, message, errors, rec["ptr"], rec["remap"],
                                           rec["item_value"]):
                            missing.append(".".join(parts))
                rec["missing_fields"] = missing
                rec["agree"] = agree and not missing
        all_items.extend(items)

    report(all_items, a.show)
    suite_summary(all_items)
    if "messages" in a.show:
        show_messages(all_items)
    if a.cases:
        ncases, nvalid, nfiles = write_cases(all_items, a.cases)
        print(f"\nwrote {ncases} cases ({nvalid} validations in {nfiles} files) under {a.cases}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(all_items, f, indent=1)
    bad = [r for r in all_items if r.get("agree") is False]
    return 1 if bad else 0


SUITES = {"plugin": "Kong plugin specs", "entity": "Kong core-entity specs",
          "declarative": "Kong declarative specs"}


def suite_summary(items):
    """Agreement per suite (plugin specs per release; entity and declarative specs)."""
    rows = collections.OrderedDict()
    for r in items:
        if "pending" in r or "harness_error" in r:
            continue
        key = (SUITES[r["group"]], r["release"])
        row = rows.setdefault(key, collections.Counter())
        row["asserted"] += 1
        if "skip" in r:
            row["skipped"] += 1
        elif r["agree"]:
            row["agree"] += 1
        else:
            row["disagree"] += 1
        if r.get("agree") and r["expect"] == "refuse":
            for _, found in kong_messages(r):
                row["messages"] += 1
                row["worded"] += found
    print("\nper suite: validations asserted, translated (checked), agreeing; of the refusals'")
    print("messages the spec asserts as text, how many one of gatehop's errors holds word for word")
    for (suite, rel), row in sorted(rows.items()):
        checked = row["agree"] + row["disagree"]
        pct = 100.0 * row["agree"] / checked if checked else 100.0
        print(f"  {suite:26} {rel:4} asserted {row['asserted']:5}  translated {checked:5}  "
              f"agree {row['agree']:5}  ({pct:.2f}%)  messages {row['worded']:4}/{row['messages']:<4}")


def kong_messages(rec):
    """Each message the spec asserts as text for a refused validation, with whether one of
    gatehop's errors holds it word for word. gatehop may say more (the field, the value in
    quotes, why), so a miss is a wording to read, not a disagreement."""
    said = [d["message"] for d in rec.get("diagnostics", []) if d["severity"] == "error"]
    return [(f["message"], any(f["message"] in m for m in said))
            for f in rec["fields"] if isinstance(f.get("message"), str) and f["message"]]


def show_messages(items):
    """Kong's messages no gatehop error holds word for word, most frequent first, each with
    one example of what gatehop said instead."""
    missed = collections.Counter()
    example = {}
    for r in items:
        if not r.get("agree") or r["expect"] != "refuse":
            continue
        for message, found in kong_messages(r):
            if not found:
                missed[message] += 1
                said = [d["message"] for d in r["diagnostics"] if d["severity"] == "error"]
                example.setdefault(message, (r["release"], r["spec"], said[:2]))
    print("\nKong's messages not held word for word (count, Kong, gatehop)")
    for message, count in missed.most_common():
        rel, spec, said = example[message]
        print(f"  {count:3}  {message[:100]!r}\n       {rel} {spec}: {' | '.join(said)[:160]}")


def case_name(rel, spec, flavor):
    """conformance-kong39-<spec>[-<flavor>] for a spec path."""
    parts = spec[:-len("_spec.lua")].split("/")
    if parts[1] == "03-plugins":
        short = "plugin-" + "-".join(parts[2:])
    elif parts[-1] == "10-declarative" or "11-declarative_config" in parts:
        short = "declarative-" + parts[-1]
    else:
        short = "entity-" + parts[-1]
    name = f"conformance-kong{rel.replace('.', '')}-{short}"
    if flavor and flavor != DEFAULT_FLAVOR[rel]:
        name += "-" + flavor
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")


def outcome_words(r):
    if r["expect"] == "accept":
        return "Kong accepts it"
    named = [".".join(p) for p, _ in kong_fields(r)]
    return "Kong refuses it" + (" (naming %s)" % ", ".join(named) if named else "")


def write_cases(items, out_dir):
    """One golden case per release, spec and flavour; returns how many cases and files."""
    groups = collections.OrderedDict()
    for r in items:
        if "agree" not in r:
            continue
        key = case_name(r["release"], r["spec"], r["flavor_used"])
        groups.setdefault(key, []).append(r)
    nfiles = nvalid = 0
    for name, recs in groups.items():
        d = os.path.join(out_dir, name)
        if os.path.isdir(d):
            for f in os.listdir(d):
                os.unlink(os.path.join(d, f))
        os.makedirs(d, exist_ok=True)
        rel = recs[0]["release"]
        by_text = collections.OrderedDict()  # the same input asserted again shares a file
        for r in recs:
            by_text.setdefault(r["text"], []).append(r)
        files = []
        for i, (text, same) in enumerate(by_text.items(), 1):
            fname = f"{i:03d}.yaml"
            head = ""
            for r in same:
                title = re.sub(r"\s+", " ", r["test"]).strip()
                agree = "gatehop agrees" if r["agree"] else \
                    "gatehop DISAGREES (" + r["gatehop"] + "s it)"
                head += (f"# Kong {RELEASES[rel]}, {r['spec']} line {r['line']},\n"
                         f"# test: {title}\n# {outcome_words(r)}; {agree}\n")
            with open(os.path.join(d, fname), "w") as f:
                f.write(head + text)
            files.append(fname)
        nvalid += len(recs)
        args = ["lint", "--no-config", "-q", "--no-excerpts", "--separate-files",
                "--from", f"kong@{rel}", "--to", f"kong@{rel}"]
        if recs[0]["flavor_used"]:
            args += ["--router-flavor", recs[0]["flavor_used"]]
        with open(os.path.join(d, "args"), "w") as f:
            f.write("\n".join(args + files) + "\n")
        nfiles += len(files)
    return len(groups), nvalid, nfiles


def report(items, show):
    table = collections.OrderedDict()
    skips = collections.Counter()
    errors = collections.Counter()
    for r in items:
        if "pending" in r:
            continue
        key = (r["release"], r["spec"])
        row = table.setdefault(key, collections.Counter())
        if "harness_error" in r:
            errors[(r["release"], r["spec"])] += 1
            continue
        row["total"] += 1
        if "skip" in r:
            row["skipped"] += 1
            skips[r["skip"]] += 1
        elif r["agree"]:
            row["agree"] += 1
            if r["expect"] == "accept" and r.get("info_9005"):
                row["agree_9005"] += 1
        else:
            row["disagree"] += 1
    print(f"{'release':7} {'spec':78} {'total':>5} {'agree':>5} {'(9005)':>6} {'disagr':>6} {'skip':>5}")
    tot = collections.defaultdict(collections.Counter)
    for (rel, spec), row in table.items():
        print(f"{rel:7} {spec:78} {row['total']:5} {row['agree']:5} {row['agree_9005']:6} "
              f"{row['disagree']:6} {row['skipped']:5}")
        tot[rel].update(row)
        tot["all"].update(row)
    for rel, row in tot.items():
        checked = row["agree"] + row["disagree"]
        pct = 100.0 * row["agree"] / checked if checked else 100.0
        print(f"{rel:7} {'TOTAL':78} {row['total']:5} {row['agree']:5} {row['agree_9005']:6} "
              f"{row['disagree']:6} {row['skipped']:5}   agreement {pct:.2f}%")
    print("\nskipped, by reason:")
    for reason, n in skips.most_common():
        print(f"  {n:5}  {reason}")
    if errors:
        print("\nharness errors (tests that raised in the sandbox), by spec:")
        for (rel, spec), n in sorted(errors.items()):
            print(f"  {rel} {spec}: {n}")
    for r in items:
        if "pending" in r or "harness_error" in r:
            if "harness_error" in r and "all" in show:
                print(f"\nHARNESS {r['release']} {r['spec']} {r['test']}: {r['harness_error'][:300]}")
            continue
        sel = ("all" in show) or ("disagree" in show and r.get("agree") is False) or \
              ("skip" in show and "skip" in r)
        if not sel:
            continue
        print(f"\n=== {r['release']} {r['spec']}:{r['line']} [{r['test']}]")
        if "skip" in r:
            print(f"  skipped: {r['skip']}")
            continue
        print(f"  kong: {r['expect']} {[('.'.join(f['path']), f['message']) for f in r['fields']]}")
        print(f"  gatehop: {r['gatehop']} missing fields: {r['missing_fields']} flavor: {r.get('flavor_used')}")
        for d in r["diagnostics"]:
            print(f"    {d['code']} {d['severity']} {d['path']}: {d['message']}")
        print("  " + r["text"].replace("\n", "\n  "))


if __name__ == "__main__":
    sys.exit(main())
