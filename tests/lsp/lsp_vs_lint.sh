#!/bin/sh
# The server's diagnostics against `gatehop lint`'s, on every YAML and JSON file of the corpus
# and of the golden cases (tests/lsp/lsp_vs_lint.c says what is compared).
# usage: lsp_vs_lint.sh ROOT LSP_VS_LINT GATEHOP
root=$1
tool=$2
bin=$3
find "$root/corpus" "$root/tests/cases" -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.json' \) \
    ! -name '.gatehop.*' | LC_ALL=C sort | xargs "$tool" "$bin"
