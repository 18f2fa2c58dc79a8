#!/bin/sh
# The C sources are formatted with the repository's .clang-format (clang-format 14).
# Exit 77 (skipped) when clang-format is not installed.
root=$1
fmt=$(command -v clang-format-14 || command -v clang-format) || exit 77
cd "$root" || exit 1
files=$(find src tests -name '*.[ch]' | sort)
# shellcheck disable=SC2086
"$fmt" --dry-run --Werror $files
