#!/bin/sh
# The JSON reader (src/reader/reader_json.h) against libyaml, on every JSON input we have:
# gatehop runs each command twice, with the JSON reader and with GATEHOP_JSON_READER=libyaml,
# and standard output, standard error, the exit status and every file left behind must be the
# same bytes. The inputs: the cases' JSON files (with the cases' arguments), the cases' YAML
# inputs turned into JSON (pretty, compact or with CRLF line ends) with their arguments, the
# corpus as JSON, the files in tests/json (JSON the reader takes, and malformed JSON it leaves
# to libyaml), a few large generated files, and gen_kong's file as JSON (lint and convert).
# json_diff also compares the two readers' events on each input, and says which inputs the JSON
# reader took: tests/json/ok-* must be taken, bad-* left to libyaml.
#
# usage: check_json_reader.sh SRC GATEHOP JSON_DIFF YAML2JSON GEN_KONG [SHARD SHARDS]
# (the work is split into SHARDS parts by input; this run does part SHARD)
set -u
src=$1 bin=$2 json_diff=$3 yaml2json=$4 gen_kong=$5
shard=${6:-0} shards=${7:-1}
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
status=0 compared=0 taken=0 job=0

# shellcheck source=tests/meta/reader_both.sh
force_var=GATEHOP_JSON_READER
. "$src/tests/meta/reader_both.sh"

# Events of one file, both readers; true when the JSON reader takes the file.
events() {
    if ! out=$("$json_diff" "$1" 2>&1); then
        echo "=== events differ: $1 ==="
        echo "$out" | head -5
        status=1
    fi
    case $out in *"accepted 1"*) taken=$((taken + 1)) && return 0 ;; esac
    return 1
}

# 1. The cases that hold JSON, as they are.
for dir in $(ls -d "$src"/tests/cases/*/*.json | sed 's|/[^/]*$||' | uniq); do
    mine || continue
    case_args "$dir"
    input=/dev/null
    [ -f "$dir/stdin" ] && input="$dir/stdin"
    for f in "$dir"/*.json; do events "$f"; done
    run_with_args "$dir" "$input"
done

# 2. The cases' YAML inputs as JSON, the arguments naming the JSON files instead: every third
# case (GATEHOP_JSON_ALL=1: every case). A lint whose only file argument is its input, last,
# runs in one gatehop with the other cases that have the same options (each input in a copy of
# its case's folder, so its .gatehop.yml holds).
n=0 k=0
mkdir "$work/batch"
: > "$work/groups"
for dir in "$src"/tests/cases/*/; do
    [ -f "$dir/stdin" ] && continue
    k=$((k + 1))
    [ "${GATEHOP_JSON_ALL:-0}" = 1 ] || [ $((k % 3)) = 0 ] || continue
    mine || continue
    n=$((n + 1))
    name=$(basename "$dir")
    case_args "$dir"
    style=
    [ $((n % 3)) = 1 ] && style=--compact
    [ $((n % 3)) = 2 ] && style=--crlf
    rm -rf "$work/case"
    cp -r "$dir" "$work/case"
    converted=0 files=0 last=
    : > "$work/args2"
    while IFS= read -r a; do
        [ -e "$work/case/$a" ] && files=$((files + 1))
        last=$a
        case $a in
        *.yaml | *.yml)
            if [ -f "$work/case/$a" ] && "$yaml2json" $style "$work/case/$a" > "$work/case/$a.json" 2> /dev/null; then
                # What the JSON reader leaves to libyaml is read the same way twice: skipped.
                events "$work/case/$a.json" && converted=1
                a=$a.json
            fi
            ;;
        esac
        printf '%s\n' "$a" >> "$work/args2"
    done < "$work/args"
    [ $converted = 1 ] || continue
    if [ "$(head -n 1 "$work/args")" = lint ] && [ $files = 1 ] && [ -f "$work/case/$last.json" ] &&
        ! grep -qx -e -o -e --output -e -i -e --in-place "$work/args"; then
        mv "$work/case" "$work/batch/$name"
        printf '%s\t%s\n' "$(sed '$d' "$work/args2" | tr '\n' ' ')" "$name/$last.json" >> "$work/groups"
        continue
    fi
    mv "$work/args2" "$work/args"
    run_with_args "$work/case" /dev/null
done
for options in $(cut -f1 "$work/groups" | sort -u | tr ' ' '\001'); do
    options=$(printf '%s' "$options" | tr '\001' ' ')
    # shellcheck disable=SC2086 # the options are words without blanks
    set -- $options
    for f in $(awk -F'\t' -v o="$options" '$1 == o { print $2 }' "$work/groups"); do
        set -- "$@" "$f"
    done
    copy=no
    both "$work/batch" /dev/null "$@"
    copy=yes
done

# 3. The corpus as JSON.
for f in $(find "$src/corpus" -name '*.yml' -o -name '*.yaml' -o -name '*.json' | sort); do
    mine || continue
    rm -rf "$work/corpus"
    mkdir "$work/corpus"
    case $f in
    *.json) cp "$f" "$work/corpus/in.json" ;;
    *) "$yaml2json" "$f" > "$work/corpus/in.json" 2> /dev/null || continue ;;
    esac
    events "$work/corpus/in.json"
    both "$work/corpus" /dev/null lint in.json
    case $f in */kong/*) both "$work/corpus" /dev/null convert --to kong@3.4 -o out.json in.json ;; esac
done

# 4. tests/json, and large files made here (a long string, a long run of blanks).
mkdir -p "$work/made"
long() { head -c "$1" /dev/zero | tr '\0' "$2"; }
for n in 400000 600000 5000000; do
    printf '{"_format_version": "3.0", "services": [{"name": "a", "url": "http://a/x", "tags": ["%s"]}]}\n' \
        "$(long $n x)" > "$work/made/string-$n.json"
done
printf '{"_format_version": "3.0", "services":%s[]}\n' "$(long 600000 ' ')" > "$work/made/blanks.json"
for f in "$src"/tests/json/*.json "$work"/made/*.json; do
    mine || continue
    case $(basename "$f") in
    ok-*) "$json_diff" --expect-accepted "$f" > /dev/null || { echo "=== $f: not taken by the JSON reader ==="; status=1; } ;;
    bad-*) "$json_diff" "$f" 2>&1 | grep -q 'accepted 0' || { echo "=== $f: taken by the JSON reader ==="; status=1; } ;;
    esac
    events "$f"
    rm -rf "$work/one"
    mkdir "$work/one"
    cp "$f" "$work/one/in.json"
    both "$work/one" /dev/null lint in.json
    both "$work/one" /dev/null lint --format json in.json
    both "$work/one" /dev/null convert --to kong@3.4 in.json
done

# 5. The benchmark's file as JSON, lint and a 2.x to 3.4 conversion; and from standard input.
if mine; then
    rm -rf "$work/gen"
    mkdir "$work/gen"
    "$gen_kong" 100 > "$work/gen/kong.yml" && "$yaml2json" "$work/gen/kong.yml" > "$work/gen/kong.json"
    "$gen_kong" 100 2.1 > "$work/gen/kong21.yml" && "$yaml2json" "$work/gen/kong21.yml" > "$work/gen/kong21.json"
    rm "$work/gen/kong.yml" "$work/gen/kong21.yml"
    events "$work/gen/kong.json"
    events "$work/gen/kong21.json"
    both "$work/gen" /dev/null lint kong.json
    both "$work/gen" /dev/null convert --to kong@3.4 --output-format yaml -o out.yml kong21.json
    both "$work/gen" /dev/null convert --to kong@3.4 -o out.json kong21.json
    both "$work/gen" "$work/gen/kong.json" lint --stdin-filename kong.json -
fi

echo "shard $shard/$shards: $compared runs compared, $taken inputs taken by the JSON reader"
[ $compared -gt 0 ] && [ $taken -gt 0 ] || { echo "nothing was compared"; status=1; }
exit $status
