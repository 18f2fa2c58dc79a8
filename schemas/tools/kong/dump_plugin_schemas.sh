#!/bin/sh
# Dumps the configuration schemas of Kong's bundled plugins at one release.
#
# usage: dump_plugin_schemas.sh KONG_GIT_DIR TAG [DATABASE] > out.json
#
# KONG_GIT_DIR is a Kong git directory (bare or not), TAG a tag or commit in
# it. DATABASE is what kong.configuration.database reports to the schemas
# (default "off", DB-less, the mode declarative configs are loaded in; give
# "postgres" for the DB-mode variants). The kong/ tree at TAG is extracted to a
# temporary directory and read by dump.lua with lua5.1.
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 KONG_GIT_DIR TAG [DATABASE] > out.json" >&2
  exit 2
fi
git_dir=$1
tag=$2
database=${3:-off}
here=$(cd "$(dirname "$0")" && pwd)

command -v lua5.1 >/dev/null 2>&1 || { echo "$0: lua5.1 not found (apt-get install lua5.1)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kong-tree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

git -C "$git_dir" archive "$tag" kong | tar -x -C "$tmp"
lua5.1 "$here/dump.lua" "$tmp" --version "$tag" --database "$database"
