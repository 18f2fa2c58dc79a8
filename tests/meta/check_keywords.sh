#!/bin/sh
# The schema loader accepts a field keyword only if it is in its table (schema_load.c); the
# compiler acts on a keyword only if it is in its own (schema_compile.c). A keyword in the first
# and not the second would load and then be silently ignored, so every one must be in both,
# except those that choose between definitions rather than shape the compiled field.
# usage: check_keywords.sh ROOT
root=$1
choice_only="typedef replaced_by description"
# The quoted names inside one `static const struct ... NAME[] = { ... };` table.
table_names() {
    sed -n "/$2\[\] = {/,/^};/p" "$1" | grep -o '"[a-z_]*"' | tr -d '"' | sort -u
}
loaded=$(table_names "$root/src/schema/schema_load.c" field_keywords)
compiled=$(table_names "$root/src/schema/schema_compile.c" keyword_actions)
[ -n "$loaded" ] && [ -n "$compiled" ] || { echo "keyword tables not found"; exit 1; }
status=0
for k in $loaded; do
    case " $choice_only " in *" $k "*) continue ;; esac
    if ! echo "$compiled" | grep -qx "$k"; then
        echo "field keyword '$k' loads but is never compiled"
        status=1
    fi
done
for k in $compiled; do
    if ! echo "$loaded" | grep -qx "$k"; then
        echo "field keyword '$k' is compiled but the loader rejects it"
        status=1
    fi
done
exit $status
