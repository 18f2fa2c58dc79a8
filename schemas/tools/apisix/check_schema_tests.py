#!/usr/bin/env python3
"""Runs the configurations APISIX's own tests hand to plugins' check_schema through gatehop and
says how often the two agree.

Usage:
    check_schema_tests.py APISIX_GIT_DIR GATEHOP [TAG ...] [--schema-dir DIR] [--show N]

For each tag (default 2.15.3 3.2.0 3.9.0 3.18.0), every t/plugin/*.t block whose Lua calls a
plugin's check_schema is run by t_blocks.lua (luajit) with stand-ins that record each
configuration. The block's expected `response_body` says which calls APISIX rejects: a line
the block prints only when check_schema fails (an error text) where the stand-in run printed
nothing, or printed something else. Calls whose outcome the expected output does not settle
(the block prints the configuration back, or uses its result otherwise) are left out. Each
remaining configuration becomes a standalone file (a route's, consumer's, stream route's plugin
or a plugin_metadata entry) linted with `gatehop lint --from apisix@MINOR`: gatehop rejects it
when it reports an error at that plugin. The summary counts agreements per release; --show
lists the disagreements.
"""

import difflib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import io

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TAGS = ["2.15.3", "3.2.0", "3.9.0", "3.18.0"]
ERROR_LIKE = re.compile(
    r"property|fail|invalid|wrong|value should|expect|object matches|not |should|must|"
    r"required|error|err:|unsupported|only one|mismatch|missing|duplicate|bad |cannot|can not|"
    r"allowed|too |unknown|match", re.I)


def blocks(text):
    for part in re.split(r"\n=== ", "\n" + text)[1:]:
        title = part.split("\n", 1)[0]
        yield title, part


def section(block, name):
    m = re.search(r"\n--- %s\n(.*?)(?=\n--- |\Z)" % re.escape(name), block, re.S)
    return m.group(1) if m else None


def lua_body(config):
    m = re.search(r"content_by_lua_block\s*\{", config or "")
    if not m:
        return None
    body = config[m.end():].rstrip()
    for _ in range(2):  # the content block's and the location's closing braces
        if not body.endswith("}"):
            return None
        body = body[:-1].rstrip()
    return body


def run_block(body):
    p = subprocess.run(["luajit", os.path.join(HERE, "t_blocks.lua")], input=body,
                       capture_output=True, text=True, timeout=20)
    events = []
    for line in p.stdout.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            return None
    if any("unsupported" in e for e in events) or p.returncode != 0:
        return None
    return events


def outcomes(events, expected):
    """call number -> True (APISIX accepts) / False (rejects), for the calls the expected
    output settles. The stand-in run printed `said` (every call accepted); lines the expected
    output has instead or in addition are error texts of the calls made since the previous
    printed line: as many lines as calls there means each was rejected, none means each was
    accepted, anything else leaves them unsettled."""
    calls = [e["call"] for e in events if "call" in e]
    says = [e for e in events if "say" in e]
    said = [s["say"] for s in says]
    exp = expected.rstrip("\n").split("\n") if expected.strip() else []
    # window k holds the calls made after say k-1 and before say k (the last: after every say)
    bounds = [s["after"] for s in says] + [calls[-1] if calls else 0]
    extra = [[] for _ in bounds]
    sm = difflib.SequenceMatcher(a=said, b=exp, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        if op == "delete":
            return {}
        extra[i1].extend(exp[j1:j2])
        if op == "replace" and i2 - i1 > 1:
            return {}
    verdict = {}
    lo = 0
    for k, hi in enumerate(bounds):
        window = [c for c in calls if lo < c <= hi]
        lo = max(lo, hi)
        lines = extra[k]
        if not window:
            if lines:
                return {}
            continue
        if any(not ERROR_LIKE.search(x) or x.lstrip().startswith(("{", "[")) for x in lines):
            continue
        if not lines:
            verdict.update({c: True for c in window})
        elif len(lines) == len(window):
            verdict.update({c: False for c in window})
    return verdict


def document(call):
    name, conf, kind, typ = call["plugin"], call["conf"], call["kind"], call["type"]
    if not isinstance(conf, dict):
        return None, None
    upstream = {"type": "roundrobin", "nodes": {"127.0.0.1:1980": 1}}
    if kind == "stream":
        doc = {"stream_routes": [{"id": "t", "upstream": upstream, "plugins": {name: conf}}]}
        path = "/stream_routes/0/plugins/" + name
    elif typ == "consumer":
        doc = {"consumers": [{"username": "t", "plugins": {name: conf}}]}
        path = "/consumers/0/plugins/" + name
    elif typ == "metadata":
        item = dict(conf)
        item["id"] = name
        doc = {"plugin_metadata": [item]}
        path = "/plugin_metadata/0"
    else:
        doc = {"routes": [{"id": "t", "uri": "/t", "upstream": upstream, "plugins": {name: conf}}]}
        path = "/routes/0/plugins/" + name
    return json.dumps(doc, indent=1) + "\n#END\n", path


def gatehop_rejects(gatehop, minor, text, path, schema_dir):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(text)
        name = f.name
    try:
        args = [gatehop, "lint", "--from", "apisix@" + minor, "--format", "json", name]
        if schema_dir:
            args[2:2] = ["--schema-dir", schema_dir]
        p = subprocess.run(args, capture_output=True, text=True, timeout=20)
        if p.returncode == 2:
            return None, p.stderr.strip()
        report = json.loads(p.stdout)
        errs = [d for d in report["diagnostics"] if d["severity"] == "error"
                and (d["path"] == path or d["path"].startswith(path + "/"))]
        return bool(errs), "; ".join("%s %s" % (d["code"], d["message"]) for d in errs)
    finally:
        os.unlink(name)


def t_files(git_dir, tag):
    data = subprocess.run(["git", "-C", git_dir, "archive", tag, "t/plugin"],
                          capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if m.isfile() and m.name.endswith(".t"):
                yield m.name, tar.extractfile(m).read().decode("utf-8", "replace")


def main():
    args = sys.argv[1:]
    show = 0
    schema_dir = None
    if "--show" in args:
        k = args.index("--show")
        show = int(args[k + 1])
        del args[k:k + 2]
    if "--schema-dir" in args:
        k = args.index("--schema-dir")
        schema_dir = args[k + 1]
        del args[k:k + 2]
    if len(args) < 2:
        sys.exit(__doc__)
    git_dir, gatehop = args[0], args[1]
    tags = args[2:] or DEFAULT_TAGS
    total = agree = 0
    misses = []
    for tag in tags:
        minor = ".".join(tag.split(".")[:2])
        n = ok = 0
        for fname, text in t_files(git_dir, tag):
            for title, block in blocks(text):
                body = lua_body(section(block, "config"))
                expected = section(block, "response_body")
                if not body or "check_schema" not in body or expected is None:
                    continue
                events = run_block(body)
                if not events:
                    continue
                calls = {e["call"]: e for e in events if "call" in e}
                for num, accepted in sorted(outcomes(events, expected).items()):
                    text_doc, path = document(calls[num])
                    if text_doc is None:
                        continue
                    rejects, why = gatehop_rejects(gatehop, minor, text_doc, path, schema_dir)
                    if rejects is None:
                        continue
                    n += 1
                    if rejects != accepted:
                        ok += 1
                    else:
                        misses.append((tag, fname, title, num, calls[num], accepted, why))
        print("%s: %d of %d agree (%.1f%%)" % (tag, ok, n, 100.0 * ok / n if n else 0))
        total += n
        agree += ok
    print("all: %d of %d agree (%.1f%%)" % (agree, total, 100.0 * agree / total if total else 0))
    for m in misses[:show]:
        tag, fname, title, num, call, accepted, why = m
        print("- %s %s [%s] call %d %s: APISIX %s, gatehop %s %s" % (
            tag, fname, title, num, json.dumps(call["conf"])[:200],
            "accepts" if accepted else "rejects", "rejects:" if why else "accepts", why[:200]))


if __name__ == "__main__":
    main()
