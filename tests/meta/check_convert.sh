#!/bin/sh
# What convert promises beyond the golden cases:
#  - every Kong config in corpus/ converts to kong@3.4, and the result lints with no error
#    against 3.4 and converts again to itself;
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

for f in "$root"/corpus/kong/*/*; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    out="$tmp/$name"
    "$bin" convert -q --no-excerpts --to kong@3.4 "$f" > "$out" 2> "$tmp/log" ||
        { fail "${f#$root/}: convert --to kong@3.4 failed"; head -20 "$tmp/log"; continue; }
    "$bin" lint -q --no-excerpts --from kong@3.4 "$out" > "$tmp/lint" 2>&1
    grep -q ': error: ' "$tmp/lint" &&
        { fail "${f#$root/}: the converted file has errors on 3.4"; head -20 "$tmp/lint"; }
    "$bin" convert -q --to kong@3.4 "$out" > "$tmp/again" 2> /dev/null
    cmp -s "$out" "$tmp/again" || fail "${f#$root/}: converting the result again changes it"
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
leftovers=$(find "$tmp" -name '*.yml.*' | wc -l)
[ "$leftovers" = 0 ] || fail "temporary files were left behind"
exit $status
