#!/usr/bin/env bash
# Regenerates the FFM bindings of native/include/rfsq.h with jextract 22+ (https://jdk.java.net/jextract/;
# no package registry carries it). Where jextract is not installed, this falls back to emit_bindings.py, which
# writes the same classes in jextract's shape from the header's plain-C subset (python3 only).
# HeaderConformanceTest checks the bindings against the header either way.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
header=$here/../native/include/rfsq.h
package_dir=$here/src/main/java/dev/rfsq4j/bindings
check="  JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -ntp -pl bindings -am verify && git diff --stat bindings/"

if ! command -v jextract >/dev/null; then
    echo "jextract.sh: jextract is not on PATH (get jextract 22+ from https://jdk.java.net/jextract/); using emit_bindings.py." >&2
    python3 "$here/emit_bindings.py" "$header" "$package_dir"
    echo "Now check them against the header (HeaderConformanceTest) and review the diff:" >&2
    echo "$check" >&2
    exit 0
fi

# Only the header's own declarations, not <stdint.h>'s typedefs.
includes=()
for name in $(sed -n 's/^#define \(RFSQ_[A-Z0-9_]*\) .*/\1/p' "$header"); do includes+=(--include-constant "$name"); done
for name in $(sed -n 's/^typedef struct \([a-z0-9_]*\) {.*/\1/p' "$header"); do includes+=(--include-struct "$name"); done
for name in $(sed -n 's/^[^#(]*[ *]\(rfsq_[a-z0-9_]*\)(.*);$/\1/p' "$header"); do includes+=(--include-function "$name"); done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
jextract --output "$out" --target-package dev.rfsq4j.bindings --header-class-name rfsq_h -l rfsq \
    "${includes[@]}" "$header"

# rfsq_h resolves symbols through RfsqLibrary (class path or RFSQ_LIBRARY, errors that say how to fix),
# not through -l's library-path lookup.
perl -0pi -e '
    s/\n[ \t]*static final Arena LIBRARY_ARENA = [^;]*;//;
    s/static final SymbolLookup SYMBOL_LOOKUP\s*=[^;]*;/\/\/ Loads librfsq on the first symbol lookup, not when a constant is read.\n    static final SymbolLookup SYMBOL_LOOKUP = RfsqLibrary::find;/;
    s/new UnsatisfiedLinkError\("unresolved symbol: " \+ symbol\)/RfsqLibrary.unresolved(symbol)/;
' "$out/dev/rfsq4j/bindings/rfsq_h.java"

# Some jextract versions index array fields from the struct's start (base 0L) instead of the field's offset,
# so rfsq_levels.levels(seg, i, v) would overwrite count: index from the field's offset.
perl -pi -e 's/(\w+)\$ELEM_HANDLE\.(get|set)\(struct, 0L, /$1\$ELEM_HANDLE.$2(struct, $1\$OFFSET, /' "$out"/dev/rfsq4j/bindings/*.java

find "$package_dir" -name '*.java' ! -name RfsqLibrary.java -delete
cp "$out"/dev/rfsq4j/bindings/*.java "$package_dir"/
echo "jextract.sh: regenerated $(ls "$out"/dev/rfsq4j/bindings | wc -l) files in $package_dir." >&2
echo "Now check them against the header (HeaderConformanceTest) and review the diff:" >&2
echo "$check" >&2
