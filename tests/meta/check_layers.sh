#!/bin/sh
# Layers under src/ depend one way: a file includes only its own layer and layers before it.
# The CLI sees nothing but the public header. (gatehop.h holds the few types every layer
# shares, so any layer may include it.)
# usage: check_layers.sh ROOT
root=$1
order="util source model diag config reader detect schema rewrite plan db kongconf ruleset check emit report api cli"
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
            if [ "$layer" = cli ] || [ "$theirs" -gt "$mine" ]; then
                echo "${f#$root/}: includes $inc/, a later layer"
                status=1
            fi
        done
    done
done
exit $status
