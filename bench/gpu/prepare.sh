#!/usr/bin/env bash
# Prepares .gpu/ (git-ignored) for a GPU round (bench/gpu/round.sh A, then B): the GPU machine has no Java and no
# network, so it gets a jlink'ed Java 25 runtime, the built jars, the java module's test classes with their
# test dependencies and the JUnit console launcher, the benchmarks jar, and oneDNN for the native build (its
# headers, libdnnl.so.3 and the OpenCL ICD loader that build links). Run here, then carry ".gpu".
#
#   bash bench/gpu/prepare.sh        (runs `mvn -DskipTests package` first; about a minute)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
export JAVA_HOME=${RFSQ_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export MAVEN_OPTS=${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}
JUNIT_PLATFORM=1.14.4  # the platform of junit-bom 5.14.4 (root pom)
LIMIT_MIB=58           # the working tree is ~1 MiB: what travels must stay under the device tool's 64 MiB
G=.gpu

mvn -B -q -DskipTests package
rm -rf "$G"
mkdir -p "$G/app" "$G/test/lib"
cp java/target/rfsq4j.jar "$G/app/"
cp -r java/target/lib "$G/app/lib"
cp -r java/target/test-classes "$G/test/classes"
cp bench/target/benchmarks.jar "$G/"
# Test-scope dependencies beyond the runtime ones and beyond JUnit, which the console launcher jar contains.
# (test-compile lets the reactor resolve rfsq4j-bindings without installing it, and stops before the package
# phase, whose own copy-dependencies execution these -D options would otherwise reach.)
mvn -B -q -pl java -am test-compile dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$ROOT/$G/test/lib" \
    -DexcludeGroupIds=dev.rfsq4j,org.junit.jupiter,org.junit.platform,org.junit,org.opentest4j,org.apiguardian
for jar in "$G"/app/lib/*.jar; do rm -f "$G/test/lib/$(basename "$jar")"; done
# The bindings' test-jar (excluded above with its group): rfsq_testing_h, for the entry points only tests call.
cp bindings/target/rfsq4j-bindings-*-tests.jar "$G/test/lib/"
mvn -B -q -N dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_PLATFORM \
    -DoutputDirectory="$ROOT/$G/test"

# The round builds and loads its own librfsq (RFSQ_LIBRARY), so the jars travel without their native libraries
# (libdnnl.so.3 alone is 90 MB); the build there gets oneDNN's headers, libdnnl.so.3 and libOpenCL.so.1 (which
# the build copies next to librfsq.so) from onednn.tar.xz. Lucene leaves too: only VectorCodecBench, a CPU
# comparison the round does not run, needs it.
python3 - "$G"/app/lib/rfsq4j-bindings-*.jar "$G/benchmarks.jar" <<'PY'
import shutil, sys, zipfile
for path in sys.argv[1:]:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(path + ".tmp", "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if not item.filename.startswith(("native/", "org/apache/lucene/", "META-INF/services/org.apache.lucene")):
                dst.writestr(item, src.read(item))
    shutil.move(path + ".tmp", path)
PY
test -f bindings/target/onednn/libOpenCL.so.1 || { echo "prepare.sh: bindings/target/onednn lacks libOpenCL.so.1" >&2; exit 1; }
tar -C bindings/target -cf - onednn | xz -T2 -6 > "$G/onednn.tar.xz"

# A runtime with the modules our jars and tests need (jdeps), plus those JUnit's console launcher and JMH use
# (TOOLCHAIN.md). Not jdeps of those two jars: they reach java.sql and java.desktop only from bundled code
# that is never loaded here (a CSV parser, a geometry class). -q: JFreeChart's split packages are not our concern.
MODS=$( ("$JAVA_HOME/bin/jdeps" -q --ignore-missing-deps --print-module-deps --multi-release 25 --module-path "$G/app/lib" \
    "$G"/app/*.jar "$G"/app/lib/*.jar "$G/test/classes" $(ls "$G"/test/lib/*.jar 2>/dev/null) | tr , '\n';
    printf '%s\n' java.base java.logging java.management jdk.unsupported) | sort -u | paste -sd, -)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Uncompressed modules image, then xz over all of it: 20 MB against 34 MB for jlink's own zip-9 then xz.
"$JAVA_HOME/bin/jlink" --add-modules "$MODS" --strip-debug --no-header-files --no-man-pages --compress zip-0 \
    --output "$TMP/rt"
strip --strip-unneeded "$TMP/rt/lib/server/libjvm.so"
tar -C "$TMP" -cf - rt | xz -T2 -9 > "$G/rt.tar.xz"

{
    echo "prepared: $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname)"
    echo "commit: $(git rev-parse -q --verify HEAD || echo none) ($(git status --porcelain 2>/dev/null | wc -l) paths changed or untracked)"
    echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); modules: $MODS"
    echo "jar sources: $(bash bench/gpu/jar_sources.sh)"
    (cd "$G" && find . -type f ! -path './test/classes/*' -printf '%s\t%p\n' | sort -k2)
    echo "test classes: $(find "$G/test/classes" -name '*Test.class' | wc -l) test classes"
} > "$G/MANIFEST.txt"
cat "$G/MANIFEST.txt"
size=$(du -sm "$G" | cut -f1)
echo "$G: $size MiB"
if [ "$size" -gt "$LIMIT_MIB" ]; then
    echo "$G is over $LIMIT_MIB MiB: carry less" >&2
    exit 1
fi
