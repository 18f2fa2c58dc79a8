#!/bin/sh
# The folder search behind `gatehop lint DIR`: regular files with a config name, in sub-folders
# too; a link to a file is an input, a link to a folder is not followed, a dangling link and a
# hidden entry are skipped. The search takes what readdir says an entry is and stats only links
# and entries of unknown type, so each kind is made here and the files linted are compared
# with the list expected.
# usage: check_search.sh ROOT GATEHOP
root=$1
bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
file='_format_version: "3.0"
services:
  - name: s
    url: http://example.com
'
mkdir -p tree/sub/deeper tree/.hidden elsewhere
printf '%s' "$file" > tree/a.yaml
printf '%s' "$file" > tree/sub/b.yml
printf '%s' "$file" > tree/sub/deeper/c.json.yaml
printf '%s' "$file" > tree/.hidden/h.yaml
printf '%s' "$file" > tree/.dot.yaml
printf '%s' "$file" > tree/notes.txt
printf '%s' "$file" > elsewhere/e.yaml
ln -s ../elsewhere/e.yaml tree/link-to-file.yaml
ln -s ../elsewhere tree/link-to-folder
ln -s nowhere.yaml tree/dangling.yaml
mkfifo tree/pipe.yaml 2> /dev/null || true

"$bin" lint --separate-files tree > out 2> err
rc=$?
grep -o '^gatehop: tree/[^:]*' err | sed 's/^gatehop: //' | sort > got
printf '%s\n' tree/a.yaml tree/link-to-file.yaml tree/sub/b.yml tree/sub/deeper/c.json.yaml > want
status=0
[ "$rc" = 0 ] || { echo "search: lint exited $rc"; cat err; status=1; }
cmp -s want got || { echo "search: the files linted differ (expected, then found)"; cat want; echo ---; cat got; status=1; }
exit $status
