#!/bin/sh
# Layers under src/ depend one way: a file includes only its own layer and layers before it.
# The front ends see nothing but the public header: the CLI includes only the language server's
# header (lsp/lsp.h), and the language server only itself and util/. (gatehop.h holds the few
# types every layer shares, so any layer may include it.)
# usage: check_layers.sh ROOT
root=$1
order="util source model diag config reader detect schema rewrite plan db kongconf ruleset check emit report api lsp cli"
status=0
rank() {
    i=0
    for l in $order; do
        [ "$l" = "$1" ] && { echo $i; return; }
        i=$((i + 1))
    done
    echo 99
}
for layer in $order; do
    mine=$(rank "$layer")
    for f in "$root"/src/"$layer"/*.c "$root"/src/"$layer"/*.h; do
        [ -f "$f" ] || continue
        for inc in $(sed -n 's/^#include "\([a-z_]*\)\/.*"/\1/p' "$f"); do
            theirs=$(rank "$inc")
            case "$layer:$inc" in
            cli:lsp | lsp:lsp | lsp:util) continue ;;
            cli:* | lsp:*)
                echo "${f#$root/}: includes $inc/; a front end sees the public header only"
                status=1
                continue
                ;;
            esac
            if [ "$theirs" -gt "$mine" ]; then
                echo "${f#$root/}: includes $inc/, a later layer"
                status=1
            fi
        done
    done
done
exit $status
