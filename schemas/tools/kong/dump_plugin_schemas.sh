#!/bin/sh
# Dumps the configuration schemas of Kong's bundled plugins at one release.
#
# usage: dump_plugin_schemas.sh KONG_GIT_DIR TAG [DATABASE] [--with GIT_DIR TAG]... > out.json
#
# KONG_GIT_DIR is a Kong git directory (bare or not), TAG a tag or commit in
# it. DATABASE is what kong.configuration.database reports to the schemas
# (default "off", DB-less, the mode declarative configs are loaded in; give
# "postgres" for the DB-mode variants). The kong/ tree at TAG is extracted to a
# temporary directory and read by dump.lua with lua5.1.
#
# Each --with adds the kong/ tree of another git directory at its tag: Kong 2.0
# to 2.6 bundled some plugins from their own repositories (kong-plugin-session,
# ...), installed beside Kong's tree (external_plugins.txt lists them).
set -eu

usage() {
  echo "usage: $0 KONG_GIT_DIR TAG [DATABASE] [--with GIT_DIR TAG]... > out.json" >&2
  exit 2
}
[ $# -ge 2 ] || usage
git_dir=$1
tag=$2
shift 2
database=off
if [ $# -gt 0 ] && [ "$1" != --with ]; then
  database=$1
  shift
fi
here=$(cd "$(dirname "$0")" && pwd)

command -v lua5.1 >/dev/null 2>&1 || { echo "$0: lua5.1 not found (apt-get install lua5.1)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kong-tree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

git -C "$git_dir" archive "$tag" kong | tar -x -C "$tmp"
while [ $# -gt 0 ]; do
  [ "$1" = --with ] && [ $# -ge 3 ] || usage
  git -C "$2" archive "$3" kong | tar -x -C "$tmp"
  shift 3
done
lua5.1 "$here/dump.lua" "$tmp" --version "$tag" --database "$database"
