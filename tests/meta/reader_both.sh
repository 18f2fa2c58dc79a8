# Shared by the fast readers' checks (check_json_reader.sh, check_yaml_reader.sh), sourced with
# src, bin, work, shard, shards, status, compared and job set, and force_var naming the variable
# that makes gatehop read with libyaml alone.

mine() {
    job=$((job + 1))
    [ $((job % shards)) -eq "$shard" ]
}

# both DIR STDIN ARGS...: runs gatehop in two copies of DIR, one per reader, and compares
# (with copy=no, twice in DIR itself: a lint of many inputs, which writes no files).
copy=yes
both() {
    dir=$1 input=$2
    shift 2
    for reader in fast libyaml; do
        rm -rf "$work/$reader"
        if [ $copy = yes ]; then cp -r "$dir" "$work/$reader"; else mkdir "$work/$reader"; fi
        (
            [ $copy = yes ] && dir=$work/$reader
            cd "$dir" || exit 2
            [ $reader = libyaml ] && export "$force_var=libyaml"
            "$bin" "$@" < "$input" > "$work/$reader.out" 2> "$work/$reader.err"
            echo $? > "$work/$reader.rc"
        )
    done
    compared=$((compared + 1))
    for kind in out err rc; do
        if ! cmp -s "$work/fast.$kind" "$work/libyaml.$kind"; then
            echo "=== $dir: $* : standard $kind differs (libyaml, then the fast reader) ==="
            diff -u "$work/libyaml.$kind" "$work/fast.$kind" | head -30
            status=1
        fi
    done
    if ! diff -r "$work/libyaml" "$work/fast" > "$work/files.diff"; then
        echo "=== $dir: $* : files left differ ==="
        head -30 "$work/files.diff"
        status=1
    fi
}

# The arguments of a case, one per line, into "$work/args".
case_args() {
    if [ -f "$1/args" ]; then grep -v '^$' "$1/args"; else printf 'lint\ninput.yaml\n'; fi > "$work/args"
}

run_with_args() {
    dir=$1 input=$2
    set --
    while IFS= read -r a; do set -- "$@" "$a"; done < "$work/args"
    both "$dir" "$input" "$@"
}

