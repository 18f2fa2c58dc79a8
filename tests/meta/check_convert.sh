#!/bin/sh
# What convert promises beyond the golden cases:
#  - every Kong config in corpus/kong/<release>/ converts from its release to the next LTS
#    releases, kong@3.4 and kong@3.10 (when older), and to the newest Kong release, and each
#    result lints with no error against its target and converts again to itself;
#  - -o and --in-place replace the target only with a complete result, keep its mode, and
#    leave no temporary file behind; a file that cannot be converted is left as it was.
# usage: check_convert.sh ROOT GATEHOP
root=$1
bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() {
    echo "$1"
    status=1
}

# FILE, written for release FROM, converted to TO: no error left, and stable.
convert_to() {
    f=$1 from=$2 to=$3
    out="$tmp/$(basename "$f")"
    "$bin" convert -q --no-excerpts --from "kong@$from" --to "kong@$to" "$f" > "$out" 2> "$tmp/log" ||
        { fail "${f#$root/}: convert --to kong@$to failed"; head -20 "$tmp/log"; return; }
    "$bin" lint -q --no-excerpts --from "kong@$to" "$out" > "$tmp/lint" 2>&1
    grep -q ': error: ' "$tmp/lint" &&
        { fail "${f#$root/}: the converted file has errors on $to"; head -20 "$tmp/lint"; }
    "$bin" convert -q --from "kong@$to" --to "kong@$to" "$out" > "$tmp/again" 2> /dev/null
    cmp -s "$out" "$tmp/again" || fail "${f#$root/}: converting the result to $to again changes it"
}
newest=$("$bin" versions | awk '$1 == "kong:" {print $NF}')
[ -n "$newest" ] || fail "gatehop versions kong names no release"
for f in "$root"/corpus/kong/*/*; do
    [ -f "$f" ] || continue
    from=$(basename "$(dirname "$f")")
    case $from in 2.[0-8] | 3.[0-3]) convert_to "$f" "$from" 3.4 ;; esac
    case $from in 2.[0-8] | 3.[0-9]) convert_to "$f" "$from" 3.10 ;; esac
    convert_to "$f" "$from" "$newest"
done

# -o and --in-place
cat > "$tmp/kong.yml" << 'YAML'
_format_version: "2.1"
services:
- name: a
  host: a.internal
  routes:
  - name: r
    paths: [/x/\d+]
YAML
chmod 640 "$tmp/kong.yml"
"$bin" convert -q --to kong@3.4 -o "$tmp/out.yml" "$tmp/kong.yml" 2> /dev/null ||
    fail "-o: convert failed"
grep -q '~/x/' "$tmp/out.yml" || fail "-o: the output file does not hold the converted text"
cp "$tmp/out.yml" "$tmp/expected.yml"
"$bin" convert -q --to kong@3.4 --in-place "$tmp/kong.yml" 2> /dev/null ||
    fail "--in-place: convert failed"
cmp -s "$tmp/kong.yml" "$tmp/expected.yml" || fail "--in-place: the file differs from -o's output"
[ "$(stat -c %a "$tmp/kong.yml")" = 640 ] || fail "--in-place: the file's mode was not kept"
printf '_format_version: "2.1"\nservices: [\n' > "$tmp/broken.yml"
cp "$tmp/broken.yml" "$tmp/broken.orig"
"$bin" convert -q --to kong@3.4 --in-place "$tmp/broken.yml" > /dev/null 2>&1
[ $? = 1 ] || fail "--in-place on a broken file: expected exit 1"
cmp -s "$tmp/broken.yml" "$tmp/broken.orig" || fail "--in-place changed a file it could not convert"
"$bin" convert -q --to kong@3.4 -o "$tmp/none.yml" "$tmp/broken.yml" > /dev/null 2>&1
[ -e "$tmp/none.yml" ] && fail "-o wrote a file for an input it could not convert"
# -o naming something that is not a regular file (a FIFO here; /dev/null alike) writes into
# it: renaming a finished file over it would replace the pipe or device itself.
# (The reader gives up after 10 s: when convert replaces the FIFO, nothing ever writes to it.)
mkfifo "$tmp/out.fifo"
timeout 10 cat "$tmp/out.fifo" > "$tmp/from-fifo.yml" &
reader=$!
"$bin" convert -q --to kong@3.4 -o "$tmp/out.fifo" "$tmp/expected.yml" 2> /dev/null ||
    fail "-o into a FIFO: convert failed"
[ -p "$tmp/out.fifo" ] || fail "-o replaced a FIFO with a regular file"
wait $reader
grep -q '~/x/' "$tmp/from-fifo.yml" || fail "-o into a FIFO: the converted text did not come through"
leftovers=$(find "$tmp" -name '*.yml.*' -o -name '*.fifo.*' | wc -l)
[ "$leftovers" = 0 ] || fail "temporary files were left behind"
exit $status
