#!/bin/sh
# Dumps the schemas of APISIX's bundled plugins at one release.
#
# usage: dump_plugin_schemas.sh APISIX_GIT_DIR TAG > out.json
#
# APISIX_GIT_DIR is an apache/apisix git directory (bare or not), TAG a tag or commit in it. The
# apisix/ tree at TAG is extracted to a temporary directory and read by dump.lua with LuaJIT
# (APISIX's own runtime: its modules use LuaJIT's `goto` and `bit`).
set -eu

if [ $# -ne 2 ]; then
  echo "usage: $0 APISIX_GIT_DIR TAG > out.json" >&2
  exit 2
fi
git_dir=$1
tag=$2
here=$(cd "$(dirname "$0")" && pwd)

command -v luajit >/dev/null 2>&1 || { echo "$0: luajit not found (apt-get install luajit)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/apisix-tree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

git -C "$git_dir" archive "$tag" apisix | tar -x -C "$tmp"
luajit "$here/dump.lua" "$tmp" --version "$tag"
