#!/bin/sh
# `gatehop lsp` with a real editor: Neovim's built-in LSP client (0.7 or later, headless, no user
# configuration) runs nvim_test.lua on a Kong 2.1-format file with a `.gatehop.yml` that says
# `to: kong@3.4`. The file has three findings convert rewrites; the script takes the quick fix
# of one (http-log's retry_count), checks the buffer against the text expected and that the
# finding is gone, then takes the "convert this file" source action and checks the buffer against
# what `gatehop convert` writes for the same file, and that no finding is left. The server must
# exit with 0 after shutdown and exit, and write nothing of a sanitizer to its standard error.
# Without Neovim the test is skipped (exit 77), unless GATEHOP_REQUIRE_NVIM=1 (CI), when it
# fails.
# usage: nvim_test.sh GATEHOP
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
nvim=${GATEHOP_NVIM:-$(command -v nvim || true)}
if [ -z "$nvim" ] || [ ! -x "$nvim" ]; then
    if [ "${GATEHOP_REQUIRE_NVIM:-0}" = 1 ]; then
        echo "nvim_test: Neovim is not installed (GATEHOP_NVIM='${GATEHOP_NVIM:-}')"
        exit 1
    fi
    echo "nvim_test: Neovim is not installed; skipped (set GATEHOP_NVIM)"
    exit 77
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
"$nvim" --version | head -1

mkdir "$tmp/project" "$tmp/home"
cat > "$tmp/project/kong.yml" << 'EOF'
# orders API, as exported from Kong 2.8
_format_version: "2.1"
services:
- name: orders
  url: http://orders.internal:8080
  routes:
  - name: order-by-id
    paths:
    - /orders/\d+$
    methods: [GET]
  plugins:
  - name: http-log
    config:
      http_endpoint: http://logs.internal:9000/kong
      retry_count: 5
EOF
printf 'to: kong@3.4\n' > "$tmp/project/.gatehop.yml"

# After the quick fix of HOP4007: the line of retry_count gone, nothing else touched.
grep -v '^      retry_count: 5$' "$tmp/project/kong.yml" > "$tmp/fixed.yml"
# After the source action: what convert writes (the project config gives the target).
if ! "$bin" convert -o "$tmp/converted.yml" "$tmp/project/kong.yml" 2> "$tmp/convert.err"; then
    echo "nvim_test: gatehop convert failed:"
    cat "$tmp/convert.err"
    exit 1
fi

# Neovim reads and writes nothing of the user's: no configuration (--clean), no shada, no swap
# file, and its own folders (the LSP log among them) in the temporary one.
status=0
XDG_CONFIG_HOME=$tmp/home XDG_DATA_HOME=$tmp/home XDG_STATE_HOME=$tmp/home \
    XDG_CACHE_HOME=$tmp/home NVIM_LOG_FILE=$tmp/home/nvim.log \
    GATEHOP_NVIM_BIN=$bin GATEHOP_NVIM_FILE=$tmp/project/kong.yml \
    GATEHOP_NVIM_FIXED=$tmp/fixed.yml GATEHOP_NVIM_CONVERTED=$tmp/converted.yml \
    GATEHOP_NVIM_LOG=$tmp/server.log GATEHOP_NVIM_ERR=$tmp/server.err \
    GATEHOP_NVIM_OUT=$tmp/out.txt \
    timeout 120 "$nvim" --headless --clean -n -i NONE \
    -c "luafile $here/nvim_test.lua" -c "cquit 3" < /dev/null > "$tmp/nvim.out" 2>&1 ||
    status=$?

[ -f "$tmp/out.txt" ] && cat "$tmp/out.txt"
if [ $status = 124 ]; then
    echo "nvim_test: Neovim did not finish within 120 s"
elif [ $status = 3 ]; then
    echo "nvim_test: nvim_test.lua did not run to its end"
fi
if [ -s "$tmp/nvim.out" ]; then
    echo "-- Neovim's own output:"
    cat "$tmp/nvim.out"
    echo
fi
# A sanitizer's report fails the test even where the exit status would not show it.
if [ -s "$tmp/server.err" ]; then
    echo "-- the server's standard error:"
    cat "$tmp/server.err"
    if grep -q "Sanitizer\|runtime error" "$tmp/server.err"; then
        echo "nvim_test: the server's standard error holds a sanitizer report"
        status=1
    fi
fi
if [ $status != 0 ]; then
    echo "-- the server's log:"
    [ -f "$tmp/server.log" ] && tail -n 40 "$tmp/server.log"
    echo "nvim_test: FAIL ($status)"
    exit 1
fi
grep -q '^PASS$' "$tmp/out.txt" || { echo "nvim_test: no PASS in the transcript"; exit 1; }
exit 0
