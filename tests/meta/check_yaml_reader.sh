#!/bin/sh
# The block reader (src/reader/reader_block.h) against libyaml, on every YAML input we have.
# yaml_diff compares the two readers' events on each file: each event the block reader hands out
# must be libyaml's, up to where it hands over. gatehop runs commands twice, with the block reader
# and with GATEHOP_YAML_READER=libyaml, and standard output, standard error, the exit status and
# every file left behind must be the same bytes. The inputs: the YAML files of the cases, the
# corpus, the fuzz seeds and tests/yaml (events); every third case's command (GATEHOP_YAML_ALL=1:
# every case's); the corpus (lint, and convert for Kong); tests/yaml (ok-* must be read whole by
# the block reader, hand-* must be handed over); and files made here from gen_kong's output
# with something the block reader leaves to libyaml put in late (a tab, a CR, a non-ASCII
# character, a control character, a scalar over two lines, deep nesting, a literal block scalar
# at the very end), so that it hands over after thousands of events; and an entry of more
# values than the reader takes, where the reader stops with the block reader still reading.
#
# usage: check_yaml_reader.sh SRC GATEHOP YAML_DIFF GEN_KONG [SHARD SHARDS]
set -u
src=$1 bin=$2 yaml_diff=$3 gen_kong=$4
shard=${5:-0} shards=${6:-1}
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
status=0 compared=0 job=0

# shellcheck source=tests/meta/reader_both.sh
force_var=GATEHOP_YAML_READER
. "$src/tests/meta/reader_both.sh"

events() {
    if ! out=$("$yaml_diff" "$@" 2>&1); then
        echo "=== events differ ==="
        echo "$out" | head -10
        status=1
    fi
}

# 1. The events of every YAML file we have, this part's share of them.
find "$src/tests/cases" "$src/corpus" "$src/tests/fuzz/seeds" "$src/tests/yaml" -type f \
    \( -name '*.yaml' -o -name '*.yml' \) | sort |
    awk -v s="$shard" -v n="$shards" 'NR % n == s' > "$work/files"
while IFS= read -r f; do events "$f"; done < "$work/files"

# 2. The cases' commands: every third case (GATEHOP_YAML_ALL=1: every case).
k=0
for dir in "$src"/tests/cases/*/; do
    k=$((k + 1))
    [ "${GATEHOP_YAML_ALL:-0}" = 1 ] || [ $((k % 3)) = 0 ] || continue
    mine || continue
    case_args "$dir"
    input=/dev/null
    [ -f "$dir/stdin" ] && input="$dir/stdin"
    run_with_args "$dir" "$input"
done

# 3. The corpus: lint, and a conversion to 3.4 of the Kong files.
for f in $(find "$src/corpus" -name '*.yml' -o -name '*.yaml' | sort); do
    mine || continue
    rm -rf "$work/corpus"
    mkdir "$work/corpus"
    cp "$f" "$work/corpus/in.yaml"
    both "$work/corpus" /dev/null lint in.yaml
    case $f in */kong/*) both "$work/corpus" /dev/null convert --to kong@3.4 -o out.yaml in.yaml ;; esac
done

# 4. tests/yaml: what the block reader must read to the end itself (ok-*), and what it must
# leave to libyaml (hand-*).
for f in "$src"/tests/yaml/*.yaml; do
    mine || continue
    case $(basename "$f") in
    ok-*) "$yaml_diff" --expect-whole "$f" > /dev/null || { echo "=== $f: not read whole by the block reader ==="; status=1; } ;;
    hand-*) "$yaml_diff" "$f" 2>&1 | grep -q 'whole 0' || { echo "=== $f: read whole by the block reader ==="; status=1; } ;;
    esac
    rm -rf "$work/one"
    mkdir "$work/one"
    cp "$f" "$work/one/in.yaml"
    both "$work/one" /dev/null lint in.yaml
done

# 5. gen_kong's files, whole and with something for libyaml put in near their end.
made=$work/made
mkdir -p "$made"
"$gen_kong" 300 > "$made/base.yml" && "$gen_kong" 300 2.1 > "$made/base21.yml" || exit 2
last=$(wc -l < "$made/base.yml")
at=$((last - 20))
late() { # NAME SED-SCRIPT: base.yml with the script applied at line $at
    sed "${at}$2" "$made/base.yml" > "$made/$1.yml"
}
late tab 's/^\(  *\)/\1\t/'
late cr 's/$/\r/'
late latin 's/$/ # caf\xc3\xa9/'
late control 's/$/\x01/'
late badutf8 's/$/ # \xe9t\xe9/'
late twolines 's/$/\n        continued/'
late deep 's/$/\n  x: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]/'
# An entry of more values than the reader takes (2,000,000): it stops with the block reader
# active, and libyaml must have read to the same event by then.
{
    printf '_format_version: "3.0"\nservices:\n- name: a\n  url: http://a\n  tags:\n'
    seq 1 2000100 | sed 's/^/  - t/'
    printf -- '- name: b\n  url: http://b\n'
} > "$made/too-many-values.yml"
# Literal blocks whose first line holds UTF-8, many of them, so that they cross the reads.
{
    printf 'certificates:\n'
    for i in $(seq 500); do
        printf -- '- key: k%d\n  cert: |   # cl\303\251 %d\n    -----BEGIN-----\n    \303\251t\303\251\n' $i $i
    done
} > "$made/utf8-literals.yml"
cp "$made/base.yml" "$made/literal-at-end.yml"
printf 'custom_plugins:\n- name: x\n  schema: |\n    return {}' >> "$made/literal-at-end.yml"
for f in "$made"/*.yml; do
    mine || continue
    events "$f"
    rm -rf "$work/one"
    mkdir "$work/one"
    cp "$f" "$work/one/in.yml"
    both "$work/one" /dev/null lint in.yml
    both "$work/one" /dev/null lint --format json in.yml
    both "$work/one" "$work/one/in.yml" lint --stdin-filename in.yml -
done
if mine; then
    rm -rf "$work/one"
    mkdir "$work/one"
    cp "$made/base21.yml" "$work/one/in.yml"
    both "$work/one" /dev/null convert --to kong@3.4 -o out.yml in.yml
fi

echo "$compared commands compared, $(wc -l < "$work/files") files' events"
exit $status
