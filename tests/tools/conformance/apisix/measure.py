#!/usr/bin/env python3
"""Measures how far gatehop agrees with APISIX's own tests, and writes them as golden cases.

usage: measure.py [--apisix GIT_DIR] [--gatehop BIN] [--tag TAG ...]
                  [--suite check_schema|standalone|cli]
                  [--cases DIR] [--show N]

Three suites, each at the tags given (default 2.15.3 3.2.0 3.9.0 3.18.0):

check_schema: every t/plugin/*.t block whose Lua hands a configuration to a plugin's
  check_schema, run by schemas/tools/apisix/check_schema_tests.py's machinery (t_blocks.lua
  records each call; the block's expected response_body settles which calls APISIX rejects).
  Each settled call becomes a plugin on its own route (consumer, stream route or
  plugin_metadata entry) of one standalone file per test file, and gatehop rejects it when it
  reports an error inside that item.
standalone: every t/config-center-yaml/*.t block with an `apisix_yaml` section. APISIX refuses
  the file's item when the block expects a check failure in the error log ("validation failed",
  "failed to check ..."); it accepts it when the block expects a normal response or no [error]
  line. Other blocks are left out, and so are files without #END (APISIX skips them with a
  warning, config_yaml.lua "missing valid end flag", so the test asserts nothing of them). gatehop rejects it when it reports any error.

cli: the apisix.yaml files t/cli/*.sh scripts write before they start a node and check that
  it serves: APISIX loads each (with the environment variables the script sets).

--cases DIR writes one golden case per tag and test file (conformance-apisixXY-<file>), each
input commented with the source test and APISIX's outcome; `GATEHOP_UPDATE=1 ctest -R
case/conformance-apisix` then writes the expectations.

Needs: python3, luajit, git, a built gatehop.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "schemas", "tools", "apisix"))
sys.path.insert(0, os.path.join(HERE, "..", "kong"))
import check_schema_tests as cst  # noqa: E402
import kong_yaml  # noqa: E402

DEFAULT_TAGS = ["2.15.3", "3.2.0", "3.9.0", "3.18.0"]
UPSTREAM = {"type": "roundrobin", "nodes": {"127.0.0.1:1980": 1}}

# Error-log lines by which a standalone test says APISIX refused an item of the file.
REFUSED = re.compile(r"validation failed|failed to check|failed to validate|invalid |"
                     r"is required|wrong |failed to parse|additional properties forbidden|"
                     r"expect|should match|must |bad |unknown plugin|not exits|not exist", re.I)


def minor(tag):
    return ".".join(tag.split(".")[:2])


def lint(gatehop, tag, path):
    p = subprocess.run([gatehop, "lint", "--no-config", "-q", "--from", "apisix@" + minor(tag),
                        "--to", "apisix@" + minor(tag), "--format", "json", path],
                       capture_output=True, text=True, timeout=60)
    if p.returncode == 2:
        return None
    return [d for d in json.loads(p.stdout)["diagnostics"] if d["severity"] == "error"]


# --- check_schema ------------------------------------------------------------------------------

def check_schema_items(git_dir, tag):
    """(test file, block title, call number, call, APISIX accepts) for every settled call."""
    for fname, text in cst.t_files(git_dir, tag):
        for title, block in cst.blocks(text):
            body = cst.lua_body(cst.section(block, "config"))
            expected = cst.section(block, "response_body")
            if not body or "check_schema" not in body or expected is None:
                continue
            events = cst.run_block(body)
            if not events:
                continue
            calls = {e["call"]: e for e in events if "call" in e}
            verdicts = cst.outcomes(events, expected)
            # the fields APISIX's error names (`property "x" ...`), when one call is refused
            names = re.findall(r'property "([^"]+)"', expected) \
                if list(verdicts.values()).count(False) == 1 else []
            for num, accepted in sorted(verdicts.items()):
                if isinstance(calls[num]["conf"], dict):
                    yield fname, title, num, calls[num], accepted, names


def place(doc, call, n):
    """Adds CALL's configuration to DOC as item N; returns the item's path, or None when the
    document already holds what the item needs to itself (a second metadata of a plugin)."""
    name, conf, kind, typ = call["plugin"], call["conf"], call["kind"], call["type"]
    ident = "c%d" % n
    if kind == "stream":
        items = doc.setdefault("stream_routes", [])
        items.append({"id": ident, "upstream": UPSTREAM, "plugins": {name: conf}})
        return "/stream_routes/%d/plugins/%s" % (len(items) - 1, name)
    if typ == "consumer":
        items = doc.setdefault("consumers", [])
        items.append({"username": ident, "plugins": {name: conf}})
        return "/consumers/%d/plugins/%s" % (len(items) - 1, name)
    if typ == "metadata":
        items = doc.setdefault("plugin_metadata", [])
        if any(x["id"] == name for x in items):
            return None
        items.append(dict(conf, id=name))
        return "/plugin_metadata/%d" % (len(items) - 1)
    items = doc.setdefault("routes", [])
    items.append({"id": ident, "uri": "/" + ident, "upstream": UPSTREAM, "plugins": {name: conf}})
    return "/routes/%d/plugins/%s" % (len(items) - 1, name)


def yaml_text(doc, notes):
    """DOC as block YAML (what standalone files are written as; every release's YAML reader
    types block scalars alike) with a comment per item, APISIX's #END after it."""
    lines = ["# " + n for n in notes]
    return "\n".join(lines) + "\n" + kong_yaml.dump(doc) + "#END\n"


# A line whose key is quoted and followed directly by ':' and its value ("127.0.0.1:1980":1):
# tinyyaml (APISIX 2.15 to 3.9) reads it, libyaml (and so PyYAML) does not.
TIGHT_KEY = re.compile(r"""^(\s*(?:-\s+)*)("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'):(?=\S)""", re.M)


def tight_keys(body):
    """The keys BODY writes with no space after their colon, and BODY with one added."""
    keys = set()
    for m in TIGHT_KEY.finditer(body):
        try:
            keys.add(yaml.safe_load(m.group(2)))
        except yaml.YAMLError:
            pass
    return keys, TIGHT_KEY.sub(lambda m: m.group(1) + m.group(2) + ": ", body)


def tighten(text, keys):
    """TEXT (our writer's) with each of KEYS written as the test writes it: quoted, and its
    value right after the colon."""
    for k in keys:
        written = kong_yaml._key(k)
        quoted = written if written[:1] in "\"'" else json.dumps(k)
        text = re.sub(r"^(\s*(?:- )*)" + re.escape(written) + r": (?=\S)",
                      lambda m: m.group(1) + quoted + ":", text, flags=re.M)
    return text


def own_text(body):
    """A test's apisix.yaml written again by our writer (the data, not the test's text), with
    #END; None when it cannot be read. A file only tinyyaml reads because its quoted keys have no
    space after their colon ("host:port":1) is read with a space added, and written with those
    keys as the test writes them, so that gatehop reads what APISIX read."""
    keys = set()
    try:
        data = yaml.safe_load(body)
    except yaml.YAMLError:
        keys, spaced = tight_keys(body)
        try:
            data = yaml.safe_load(spaced) if keys else None
        except yaml.YAMLError:
            return None
    if not isinstance(data, dict):
        return None
    return tighten(kong_yaml.dump(data), keys) + "#END\n"


def pack(items):
    """Groups a test file's calls into as few documents as can hold them."""
    docs = []
    for it in items:
        for d in docs:
            path = place(d["doc"], it["call"], len(d["items"]) + 1)
            if path:
                break
        else:
            d = {"doc": {}, "items": []}
            docs.append(d)
            path = place(d["doc"], it["call"], 1)
        it["path"] = path
        d["items"].append(it)
    return docs


# --- standalone --------------------------------------------------------------------------------

def standalone_items(git_dir, tag):
    for fname, text in t_dir_files(git_dir, tag, "t/config-center-yaml"):
        for title, block in cst.blocks(text):
            body = cst.section(block, "apisix_yaml")
            if body is None or not re.search(r"#END\s*$", body):
                continue  # without #END APISIX skips the file: the test asserts nothing of it
            errlog = (cst.section(block, "error_log") or "") + (cst.section(block, "grep_error_log") or "")
            no_err = cst.section(block, "no_error_log") or ""
            yaml_conf = cst.section(block, "yaml_config") or ""
            if "eval" not in yaml_conf.split("\n")[0] and yaml_conf.strip():
                continue  # a node set up differently (its own plugin list, ...)
            if REFUSED.search(errlog):
                yield fname, title, body, False
            elif "[error]" in no_err or (cst.section(block, "response_body") is not None
                                         and not cst.section(block, "error_code")):
                yield fname, title, body, True


def cli_items(git_dir, tag):
    """The apisix.yaml files t/cli/*.sh scripts write (`echo '...' > conf/apisix.yaml`), each
    with the check the script makes next ("passed: ..."): every one runs a node that must
    serve; a check about a failure (a missing variable at start) concerns the environment,
    not the file, and is left out."""
    for fname, text in t_dir_files(git_dir, tag, "t/cli", ".sh"):
        for m in re.finditer(r"echo '\n([^']*)'\s*>\s*conf/apisix\.yaml", text):
            line = text[:m.start()].count("\n") + 1
            nxt = re.search(r'echo "passed: ([^"]*)"', text[m.end():])
            said = nxt.group(1) if nxt else "the script goes on"
            if re.search(r"error|fail|reject|invalid", said, re.I):
                continue
            yield fname, "line %d, then %s" % (line, said), m.group(1), True


def t_dir_files(git_dir, tag, folder, ext=".t"):
    names = subprocess.run(["git", "-C", git_dir, "ls-tree", "--name-only", tag, folder + "/"],
                           capture_output=True, text=True).stdout.split()
    for n in sorted(names):
        if n.endswith(ext):
            yield n, subprocess.run(["git", "-C", git_dir, "show", "%s:%s" % (tag, n)],
                                    capture_output=True, text=True, errors="replace").stdout


# --- driver ------------------------------------------------------------------------------------

def case_name(suite, tag, fname):
    stem = os.path.splitext(os.path.basename(fname))[0]
    short = {"standalone": "standalone-", "cli": "cli-"}.get(suite, "plugin-") + stem
    return re.sub(r"[^a-z0-9-]+", "-", ("conformance-apisix%s-%s" % (
        minor(tag).replace(".", ""), short)).lower()).strip("-")


def run_suite(a, suite, tag, workdir, results):
    by_file = collections.OrderedDict()
    if suite == "check_schema":
        for fname, title, num, call, accepted, names in check_schema_items(a.apisix, tag):
            by_file.setdefault(fname, []).append(
                {"title": title, "num": num, "call": call, "accepted": accepted,
                 "names": [] if accepted else names})
    else:
        items = standalone_items if suite == "standalone" else cli_items
        for fname, title, body, accepted in items(a.apisix, tag):
            by_file.setdefault(fname, []).append({"title": title, "body": body, "accepted": accepted})
    for fname, items in by_file.items():
        name = case_name(suite, tag, fname)
        d = os.path.join(workdir, name)
        os.makedirs(d, exist_ok=True)
        files = []
        if suite == "check_schema":
            for k, doc in enumerate(pack(items), 1):
                notes = ["APISIX %s, %s: each item is one check_schema call of a test," % (tag, fname),
                         "with APISIX's outcome (the block's expected response_body):"]
                for n, it in enumerate(doc["items"], 1):
                    notes.append("%s: %s, call %d: APISIX %s" % (
                        it["path"], re.sub(r"\s+", " ", it["title"]), it["num"],
                        "accepts it" if it["accepted"] else "rejects it"))
                fn = "%03d.yaml" % k
                with open(os.path.join(d, fn), "w") as f:
                    f.write(yaml_text(doc["doc"], notes))
                files.append(fn)
                errors = lint(a.gatehop, tag, os.path.join(d, fn)) or []
                for n, it in enumerate(doc["items"], 1):
                    p = it["path"]
                    mine = [e for e in errors if e["path"] == p or e["path"].startswith(p + "/")]
                    rej = bool(mine)
                    named = None
                    if rej and it["names"]:
                        named = any(x in e["path"].split("/") or "'%s'" % x in e["message"] or
                                    '"%s"' % x in e["message"] for x in it["names"] for e in mine)
                    results.append(dict(it, suite=suite, tag=tag, file=fname, case=name,
                                        gatehop_rejects=rej, named=named,
                                        why=[e["message"] for e in mine]))
                    if rej == it["accepted"]:
                        notes[n + 1] += " (gatehop DISAGREES)"
                with open(os.path.join(d, fn), "w") as f:
                    f.write(yaml_text(doc["doc"], notes))
        else:
            for k, it in enumerate(items, 1):
                fn = "%03d.yaml" % k
                head = "# APISIX %s, %s, %s: APISIX %s\n" % (
                    tag, fname, re.sub(r"\s+", " ", it["title"]),
                    "loads it" if it["accepted"] else "refuses an item of it (error log)")
                body = own_text(it["body"])
                if body is None:  # not YAML that PyYAML or tinyyaml reads: not written
                    results.append(dict(it, suite=suite, tag=tag, file=fname, case=name,
                                        gatehop_rejects=None, why=["unreadable (not written)"]))
                    continue
                it = dict(it, body=body)
                with open(os.path.join(d, fn), "w") as f:
                    f.write(head + it["body"].rstrip("\n") + "\n")
                files.append(fn)
                errors = lint(a.gatehop, tag, os.path.join(d, fn))
                if errors is None:
                    results.append(dict(it, suite=suite, tag=tag, file=fname, case=name,
                                        gatehop_rejects=None, why=["gatehop exit 2"]))
                    continue
                results.append(dict(it, suite=suite, tag=tag, file=fname, case=name,
                                    gatehop_rejects=bool(errors), why=[e["message"] for e in errors]))
                if bool(errors) == it["accepted"]:
                    with open(os.path.join(d, fn), "w") as f:
                        f.write(head.rstrip("\n") + " (gatehop DISAGREES)\n" +
                                it["body"].rstrip("\n") + "\n")
        if not files:  # every block was one no case is written for
            shutil.rmtree(d)
            continue
        with open(os.path.join(d, "args"), "w") as f:
            f.write("\n".join(["lint", "--no-config", "-q", "--no-excerpts", "--from",
                               "apisix@" + minor(tag), "--to", "apisix@" + minor(tag)] + files) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--apisix", default="/work/.mirror/apache+apisix/repo")
    ap.add_argument("--gatehop", default=os.path.join(ROOT, "build", "gatehop"))
    ap.add_argument("--tag", action="append")
    ap.add_argument("--suite", action="append", choices=["check_schema", "standalone", "cli"])
    ap.add_argument("--cases", help="write golden cases under this directory (tests/cases)")
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args()
    work = a.cases or os.path.join("/tmp", "apisix-conformance.%d" % os.getpid())
    results = []
    for suite in a.suite or ["check_schema", "standalone", "cli"]:
        for tag in a.tag or DEFAULT_TAGS:
            run_suite(a, suite, tag, work, results)
    rows = collections.OrderedDict()
    for r in results:
        row = rows.setdefault((r["suite"], r["tag"]), collections.Counter())
        if r["gatehop_rejects"] is None:
            row["unread"] += 1
            continue
        row["n"] += 1
        row["agree"] += r["gatehop_rejects"] != r["accepted"]
    fields = collections.Counter()
    for r in results:
        if r.get("named") is not None:
            fields["named"] += 1
            fields["found"] += r["named"]
    if fields["named"]:
        print("check_schema refusals whose error names a field (property \"x\"), and gatehop "
              "refuses: %d; gatehop names the field: %d (%.2f%%)" % (
                  fields["named"], fields["found"], 100.0 * fields["found"] / fields["named"]))
        for r in results:
            if r.get("named") is False and a.show:
                print("  field not named: %s %s [%s] %s: %s" % (
                    r["tag"], r["file"], re.sub(r"\s+", " ", r["title"]), r["names"],
                    "; ".join(r["why"])[:200]))
    print("suite         tag      translated  agree")
    tot = collections.defaultdict(collections.Counter)
    for (suite, tag), row in rows.items():
        tot[suite].update(row)
        print("%-13s %-8s %10d %6d  (%.2f%%)%s" % (suite, tag, row["n"], row["agree"],
              100.0 * row["agree"] / row["n"] if row["n"] else 100.0,
              "  gatehop could not read %d" % row["unread"] if row["unread"] else ""))
    for suite, row in tot.items():
        print("%-13s %-8s %10d %6d  (%.2f%%)" % (suite, "all", row["n"], row["agree"],
              100.0 * row["agree"] / row["n"] if row["n"] else 100.0))
    shown = 0
    for r in results:
        if r["gatehop_rejects"] is not None and r["gatehop_rejects"] == r["accepted"] and shown < a.show:
            shown += 1
            conf = json.dumps(r["call"]["conf"])[:240] if "call" in r else r["body"][:400]
            print("- %s %s %s [%s]: APISIX %s, gatehop %s\n    %s\n    %s" % (
                r["suite"], r["tag"], r["file"], re.sub(r"\s+", " ", r["title"]),
                "accepts" if r["accepted"] else "rejects",
                "rejects" if r["gatehop_rejects"] else "accepts", conf, "; ".join(r["why"])[:300]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
