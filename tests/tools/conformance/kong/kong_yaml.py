"""Plain data to block YAML, written so that Kong (YAML 1.1) reads back
exactly the values given: strings that a YAML 1.1 reader could take for
anything else are double-quoted, integral numbers are integers, multi-line
strings are literal blocks when that is exact."""

import json
import math
import re

_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./@+-]*$")
_YAML11_WORDS = {
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~",
}


def _scalar_str(s):
    if s == "":
        return '""'
    if _PLAIN.match(s) and s.lower() not in _YAML11_WORDS and not s.endswith(":") and \
            not re.match(r"^[0-9+.-]", s):
        return s
    return json.dumps(s, ensure_ascii=False)


def _block_ok(s):
    """A literal block keeps S exactly: lines without tabs or control
    characters, no leading blank on the first line, no trailing blanks."""
    if "\n" not in s or re.search(r"[\x00-\x08\x0b-\x1f\x7f]", s) or "\t" in s:
        return False
    body = s.rstrip("\n")
    lines = body.split("\n")
    if not lines[0] or lines[0][0] == " ":
        return False
    return all(line == line.rstrip(" ") for line in lines)


def _key(k):
    return _scalar_str(str(k))


def _scalar(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    return _scalar_str(v)


def _block_scalar(s, indent):
    trailing = len(s) - len(s.rstrip("\n"))
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    body = s.rstrip("\n") if chomp != "+" else s[:-1]
    pad = " " * indent
    lines = [pad + line if line else "" for line in body.split("\n")]
    return "|" + chomp + "\n" + "\n".join(lines)


def _emit(v, col, out, lead):
    """Appends V after LEAD (the text already on its line: "key:" or "-");
    what V holds on further lines starts at column COL."""
    pad = " " * col
    if isinstance(v, dict) and v:
        items = list(v.items())
        if lead.endswith("-"):
            k, x = items[0]
            _emit(x, col + 2, out, lead + " " + _key(k) + ":")
            items = items[1:]
        else:
            out.append(lead)
        for k, x in items:
            _emit(x, col + 2, out, pad + _key(k) + ":")
        return
    if isinstance(v, list) and v:
        out.append(lead)
        for x in v:
            _emit(x, col + 2, out, pad + "-")
        return
    if isinstance(v, dict):
        out.append(lead + " {}")
    elif isinstance(v, list):
        out.append(lead + " []")
    elif isinstance(v, str) and _block_ok(v):
        out.append(lead + " " + _block_scalar(v, col))
    else:
        out.append(lead + " " + _scalar(v))


def dump(doc):
    out = []
    for k, v in doc.items():
        _emit(v, 2, out, _key(k) + ":")
    return "\n".join(out) + "\n"


def dedent(text):
    """TEXT without the indentation its non-blank lines share."""
    lines = text.split("\n")
    widths = [len(x) - len(x.lstrip(" ")) for x in lines if x.strip()]
    cut = min(widths) if widths else 0
    return "\n".join(x[cut:] if x.strip() else "" for x in lines).strip("\n") + "\n"


_CERT = None


def stand_in_certificate():
    """A certificate and key that load, for entities that reference one."""
    global _CERT
    if _CERT is None:
        import os
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stand_in_certificate.json")
        with open(path) as f:
            _CERT = json.load(f)
    return _CERT
