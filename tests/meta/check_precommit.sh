#!/bin/sh
# The pre-commit hook in .pre-commit-hooks.yaml works: its `files` pattern picks YAML and JSON
# files, and its entry and args, run as pre-commit runs them (entry, args, then the file
# names, from the repository's root), pass a clean Kong file, fail one with an unknown field,
# and skip a GitHub workflow. The hook's `gatehop` is replaced by the binary under test.
# usage: check_precommit.sh ROOT GATEHOP
root=$1
bin=$2
# The hook runs from the test repository's root: a relative path to the binary would break.
case $bin in
    /*) ;;
    */*) bin=$(pwd)/$bin ;;
esac
hooks=$root/.pre-commit-hooks.yaml
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "precommit: $*"; status=1; }

[ -f "$hooks" ] || { echo "precommit: $hooks is missing"; exit 1; }
# The hook's own lines: from its "- id:" to the next hook's.
sed -n '/^- id: gatehop-lint *$/,$p' "$hooks" | sed '1!{/^- /,$d;}' > "$tmp/hook"
[ -s "$tmp/hook" ] || { echo "precommit: no hook with id gatehop-lint in .pre-commit-hooks.yaml"; exit 1; }

# A key's value on its own line, without YAML quotes.
value() {
    sed -n "s/^  $1: *//p" "$tmp/hook" | head -n 1 | sed "s/^'\(.*\)'\$/\1/; s/^\"\(.*\)\"\$/\1/"
}
entry=$(value entry)
files=$(value files)
language=$(value language)
args=$(value args)
[ "$language" = system ] || fail "language is '$language'; gatehop is installed by the user, so 'system'"
case $entry in
    gatehop | "gatehop "*) ;;
    *) echo "precommit: the entry '$entry' does not start with gatehop"; exit 1 ;;
esac
[ -n "$files" ] || fail "the hook has no files pattern"

# args, a flow list "[a, b]" or a block list of "    - a" lines, one per line in $tmp/args.
if [ -n "$args" ]; then
    printf '%s\n' "$args" | sed 's/^\[//; s/\]$//' | tr ',' '\n'
else
    sed -n '/^  args: *$/,/^  [a-z]/s/^    - //p' "$tmp/hook"
fi | sed "s/^ *//; s/ *\$//; s/^'\(.*\)'\$/\1/; s/^\"\(.*\)\"\$/\1/" | sed '/^$/d' > "$tmp/args"

# pre-commit picks files with Python's re.search; these patterns read the same in grep -E.
for name in a.yml b.yaml c.json kong/d.yaml; do
    printf '%s\n' "$name" | grep -qE -- "$files" || fail "files '$files' does not select $name"
done
for name in d.txt e.yml.bak f.jsonl; do
    printf '%s\n' "$name" | grep -qE -- "$files" && fail "files '$files' selects $name"
done

# Runs the hook on the files named, from the repository root; its output lands in $tmp/out.
# The command is built as pre-commit builds it: entry (its gatehop replaced), args, files.
run_hook() {
    printf '%s\n' "$@" > "$tmp/names"
    set -- "$bin"
    for word in ${entry#gatehop}; do set -- "$@" "$word"; done
    while IFS= read -r arg; do set -- "$@" "$arg"; done < "$tmp/args"
    while IFS= read -r name; do set -- "$@" "$name"; done < "$tmp/names"
    (cd "$tmp/repo" && "$@") > "$tmp/out" 2>&1
}

mkdir -p "$tmp/repo/kong" "$tmp/repo/.github/workflows"
# An empty project config sets nothing and keeps one that may sit above the temporary
# directory from applying.
: > "$tmp/repo/.gatehop.yml"
cat > "$tmp/repo/kong/clean.yaml" <<'YAML'
_format_version: "3.0"
services:
- name: orders
  url: http://orders.internal:8080
YAML
cat > "$tmp/repo/kong/unknown-field.yaml" <<'YAML'
_format_version: "3.0"
services:
- name: orders
  url: http://orders.internal:8080
  bogus: 1
YAML
cat > "$tmp/repo/.github/workflows/ci.yml" <<'YAML'
name: ci
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
    - run: make test
YAML

# One case: the exit status expected, a pattern the output must hold, then the files.
expect() {
    want=$1
    pattern=$2
    shift 2
    run_hook "$@"
    rc=$?
    problem=
    [ $rc = "$want" ] || problem="exit $rc, expected $want"
    grep -q -- "$pattern" "$tmp/out" || problem="${problem:+$problem; }no '$pattern' in the output"
    grep -q 'HOP9002' "$tmp/out" && problem="${problem:+$problem; }a file was reported as unrecognised (HOP9002)"
    if [ -n "$problem" ]; then
        fail "the hook on $*: $problem; its output begins:"
        head -n 8 "$tmp/out" | sed 's/^/    /'
    fi
}

expect 0 'kong/clean.yaml: Kong' kong/clean.yaml
expect 1 'unknown field.*HOP2001' kong/unknown-field.yaml
expect 0 'ci.yml: skipped' .github/workflows/ci.yml
# All at once, as pre-commit passes a commit's files.
expect 1 'HOP2001' .github/workflows/ci.yml kong/clean.yaml kong/unknown-field.yaml
exit $status
