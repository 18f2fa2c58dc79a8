#!/bin/sh
# Prints the `plugins:` and `stream_plugins:` lists of schemas/apisix/product.yaml from an
# apache/apisix git directory: every plugin file (apisix/plugins/*.lua and
# apisix/stream/plugins/*.lua, and apisix/plugins/NAME/init.lua for a plugin without NAME.lua;
# the second list only the stream ones) at each release tag, with
# `since`/`until` where the set of files changed between releases.
#
#   sh schemas/tools/apisix_plugin_names.sh /path/to/apisix.git > /tmp/plugins.yaml
#
# A plugin file that exists in a release is a plugin gatehop knows for it; whether a config
# may use it is then a question of the gateway's own plugin list (config.yaml), which gatehop
# cannot see. The releases and their tags are listed below, oldest first, as in product.yaml.
set -eu
repo=${1:?usage: apisix_plugin_names.sh APISIX_GIT_DIR}
releases="2.15:2.15.3 3.0:3.0.0 3.1:3.1.0 3.2:3.2.0 3.3:3.3.0 3.4:3.4.0 3.5:3.5.0 3.6:3.6.0
3.7:3.7.0 3.8:3.8.0 3.9:3.9.0 3.10:3.10.0 3.11:3.11.0 3.12:3.12.0 3.13:3.13.0 3.14:3.14.0
3.15:3.15.0 3.16:3.16.0 3.17:3.17.0 3.18:3.18.0"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "$releases" | tr ' ' '\n' | sed 's/:.*//' | grep . > "$work/order"

# Plugins that are a directory with an init.lua and no file of their own (proxy-cache): an
# init.lua that declares a literal priority is a plugin (ext-plugin/init.lua and
# serverless/init.lua are helpers of other plugins and declare none).
plugin_dirs() {
    tag=$1
    shift
    for dir in "$@"; do
        git -C "$repo" ls-tree --name-only "$tag" "$dir" | while read -r sub; do
            name=${sub##*/}
            case $name in *.lua) continue ;; esac
            git -C "$repo" cat-file -e "$tag:$dir$name.lua" 2>/dev/null && continue
            git -C "$repo" show "$tag:$dir$name/init.lua" 2>/dev/null |
                grep -Eq '^[[:space:]]*priority[[:space:]]*=[[:space:]]*[0-9]+' && echo "$name"
        done
    done
}

# The list items for the plugin files under the given directories: one line "plugin release" per
# file and release, then for each plugin the first release it is in and the first after that it
# is not.
list_for() {
    for pair in $releases; do
        release=${pair%%:*}
        tag=${pair#*:}
        {
            git -C "$repo" ls-tree --name-only "$tag" "$@" |
                sed -n 's|.*/\([^/]*\)\.lua$|\1|p'
            plugin_dirs "$tag" "$@"
        } | sort -u | sed "s/\$/ $release/"
    done > "$work/seen"
    awk 'NR == FNR { order[++n] = $1; next }
         { seen[$1 " " $2] = 1; names[$1] = 1 }
         END {
             for (name in names) {
                 first = 0; gone = 0
                 for (i = 1; i <= n; i++) {
                     if (seen[name " " order[i]]) { if (!first) first = i; if (gone) gone = -1 }
                     else if (first && !gone) gone = i
                 }
                 if (gone == -1) { print "plugin " name " comes back after a removal" > "/dev/stderr"; exit 1 }
                 line = "  - "
                 if (first == 1 && !gone) line = line name
                 else {
                     line = line "{value: " name
                     if (first > 1) line = line ", since: \"" order[first] "\""
                     if (gone) line = line ", until: \"" order[gone] "\""
                     line = line "}"
                 }
                 print name "\t" line
             }
         }' "$work/order" "$work/seen" | sort | cut -f2
}

echo "plugins:"
list_for apisix/plugins/ apisix/stream/plugins/
echo "stream_plugins:"
list_for apisix/stream/plugins/
