#!/usr/bin/env bash
# Regenerates the FFM bindings of librfsq's headers with jextract 22+ (https://jdk.java.net/jextract/; no package
# registry carries it): native/include/rfsq.h -> rfsq_h and its structs (dev.rfsq4j.bindings, the bindings jar);
# native/include/rfsq_testing.h -> rfsq_testing_h, the entry points only tests call (dev.rfsq4j.bindings.testing,
# the bindings module's test-jar). Where jextract is not installed, this falls back to emit_bindings.py, which
# writes the same classes in jextract's shape from the headers' plain-C subset (python3 only).
# HeaderConformanceTest checks the bindings against the headers either way.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check="  JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -ntp -pl bindings -am verify && git diff --stat bindings/"

if ! command -v jextract >/dev/null; then
    echo "jextract.sh: jextract is not on PATH (get jextract 22+ from https://jdk.java.net/jextract/); using emit_bindings.py." >&2
    python3 "$here/emit_bindings.py"
    echo "Now check them against the headers (HeaderConformanceTest) and review the diff:" >&2
    echo "$check" >&2
    exit 0
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# extract HEADER PACKAGE CLASS DIR: only the header's own declarations (not <stdint.h>'s typedefs), into DIR.
extract() {
    local header=$1 package=$2 class=$3 dir=$4 pkg_path=${2//.//}
    local includes=()
    for name in $(sed -n 's/^#define \(RFSQ_[A-Z0-9_]*\) .*/\1/p' "$header"); do includes+=(--include-constant "$name"); done
    # rfsq.h's structs also for rfsq_testing.h, whose functions take pointers to them (only its header class is kept).
    for name in $(sed -n 's/^typedef struct \([a-z0-9_]*\) {.*/\1/p' "$here/../native/include/rfsq.h"); do
        includes+=(--include-struct "$name")
    done
    for name in $(sed -n 's/^[^#(]*[ *]\(rfsq_[a-z0-9_]*\)(.*);$/\1/p' "$header"); do includes+=(--include-function "$name"); done

    jextract --output "$out" --target-package "$package" --header-class-name "$class" -l rfsq \
        -I "$here/../native/include" "${includes[@]}" "$header"

    # The header class resolves symbols through RfsqLibrary (class path or RFSQ_LIBRARY, errors that say how to
    # fix), not through -l's library-path lookup.
    perl -0pi -e '
        s/\n[ \t]*static final Arena LIBRARY_ARENA = [^;]*;//;
        s/static final SymbolLookup SYMBOL_LOOKUP\s*=[^;]*;/\/\/ Loads librfsq on the first symbol lookup, not when a constant is read.\n    static final SymbolLookup SYMBOL_LOOKUP = RfsqLibrary::find;/;
        s/new UnsatisfiedLinkError\("unresolved symbol: " \+ symbol\)/RfsqLibrary.unresolved(symbol)/;
    ' "$out/$pkg_path/$class.java"
    if [ "$package" != dev.rfsq4j.bindings ]; then
        perl -0pi -e 's/\nimport java\.lang\.invoke\.\*;/\nimport dev.rfsq4j.bindings.RfsqLibrary;\nimport java.lang.invoke.*;/' \
            "$out/$pkg_path/$class.java"
    fi

    mkdir -p "$dir"
    if [ "$package" = dev.rfsq4j.bindings ]; then
        # Some jextract versions index array fields from the struct's start (base 0L) instead of the field's
        # offset, so rfsq_levels.levels(seg, i, v) would overwrite count: index from the field's offset.
        perl -pi -e 's/(\w+)\$ELEM_HANDLE\.(get|set)\(struct, 0L, /$1\$ELEM_HANDLE.$2(struct, $1\$OFFSET, /' "$out/$pkg_path"/*.java
        # Remove the previous generated classes (a struct may be gone), not the hand-written ones (RfsqLibrary, ...).
        for f in "$dir"/*.java; do head -n 1 "$f" | grep -q jextract && rm "$f"; done
        cp "$out/$pkg_path"/*.java "$dir"/
    else
        cp "$out/$pkg_path/$class.java" "$dir"/
    fi
    echo "jextract.sh: regenerated $class and its companions in $dir." >&2
}

extract "$here/../native/include/rfsq.h" dev.rfsq4j.bindings rfsq_h "$here/src/main/java/dev/rfsq4j/bindings"
extract "$here/../native/include/rfsq_testing.h" dev.rfsq4j.bindings.testing rfsq_testing_h \
    "$here/src/test/java/dev/rfsq4j/bindings/testing"
echo "Now check them against the headers (HeaderConformanceTest) and review the diff:" >&2
echo "$check" >&2
