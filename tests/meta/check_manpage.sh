#!/bin/sh
# The man page keeps up with the binary: every long option that `lint --help`, `convert --help`,
# `plan --help`, `db --help` and `lsp --help` print appears in docs/gatehop.1 as \-\-name (roff's hyphen), and every
# command `gatehop --help` lists has its entry under COMMANDS.
# usage: check_manpage.sh ROOT GATEHOP
root=$1
bin=$2
page=$root/docs/gatehop.1
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
[ -f "$page" ] || { echo "manpage: $page is missing"; exit 1; }
status=0

# The long options the page names, with roff's \- turned back into -.
grep -o -E '\\-\\-[a-z0-9]+(\\-[a-z0-9]+)*' "$page" | sed 's/\\-/-/g' | sort -u > "$tmp/page"

for command in lint convert plan db lsp; do
    if ! "$bin" "$command" --help > "$tmp/help" 2>&1; then
        echo "manpage: '$command --help' failed"
        status=1
        continue
    fi
    options=$(grep -o -E -- '--[a-z0-9]+(-[a-z0-9]+)*' "$tmp/help" | sort -u)
    [ -n "$options" ] || { echo "manpage: '$command --help' shows no long option"; status=1; }
    for option in $options; do
        grep -qxF -- "$option" "$tmp/page" ||
            { echo "manpage: $option ($command) is not in docs/gatehop.1"; status=1; }
    done
done

# The commands, from the lines after "commands:" up to the first blank line.
"$bin" --help > "$tmp/top" 2>&1 || { echo "manpage: 'gatehop --help' failed"; exit 1; }
commands=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\)  .*/\1/p' "$tmp/top")
[ -n "$commands" ] || { echo "manpage: 'gatehop --help' lists no command"; status=1; }
sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$page" > "$tmp/commands"
for command in $commands; do
    grep -q -E "^\.B[IR]? \"?$command( |\"|\$)" "$tmp/commands" ||
        { echo "manpage: command '$command' has no entry under COMMANDS in docs/gatehop.1"; status=1; }
done
exit $status
