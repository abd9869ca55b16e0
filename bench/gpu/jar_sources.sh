#!/usr/bin/env bash
# Prints the hash of the sources .gpu/'s jars are built from: prepare.sh records it in .gpu/MANIFEST.txt and
# round.sh refuses to run Java steps on jars of other sources (a library of another ABI fails every test).
cd "$(dirname "$0")/../.." || exit 1
find native bindings/src java/src bench/src CMakeLists.txt pom.xml bindings/pom.xml java/pom.xml bench/pom.xml \
    -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
