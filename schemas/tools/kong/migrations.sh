#!/bin/sh
# Lists the database migrations of every Kong release tag given (or of each release's first
# and last tag, 2.0 to 3.9), as `TAG <tab> SUBSYSTEM <tab> NAME <tab> teardown|-` lines, for
# make_migrations.py. Needs luajit (Kong's migrations use goto), git and tar.
# usage: schemas/tools/kong/migrations.sh KONG_GIT_DIR [TAG...] > /tmp/migrations.tsv
set -eu
git_dir=${1:?usage: migrations.sh KONG_GIT_DIR [TAG...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
    tags=$(git -C "$git_dir" tag | grep -E '^(2|3)\.[0-9]+\.[0-9]+$' | sort -V |
        awk -F. '{ m = $1 "." $2; if (!(m in first)) { first[m] = $0; order[++n] = m } last[m] = $0 }
                 END { for (i = 1; i <= n; i++) { print first[order[i]]; if (last[order[i]] != first[order[i]]) print last[order[i]] } }')
    set -- $tags
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for tag in "$@"; do
    rm -rf "$tmp/tree"
    mkdir "$tmp/tree"
    git -C "$git_dir" archive "$tag" kong | tar -x -C "$tmp/tree"
    luajit "$here/migrations.lua" "$tmp/tree" | sed "s/^/$tag	/"
done
