#!/bin/sh
# Builds the libFuzzer targets into .build-fuzz/ (never touches .build/ or the normal SwiftPM build).
# The library modules are built by SwiftPM with --sanitize fuzzer,address (coverage + ASan, no
# libFuzzer main); each target in Fuzz/Targets/ is then compiled and linked by swiftc against them.
set -eu
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
SCRATCH=.build-fuzz
lib() { $SWIFT build --scratch-path $SCRATCH --sanitize fuzzer --sanitize address --target TrennwandReaders -q &&
        $SWIFT build --scratch-path $SCRATCH --sanitize fuzzer --sanitize address --target TrennwandEngine -q; }
# A first clean build sometimes stops on an ICU enum clash between _FoundationICU and the libxml2
# headers (module cache race, not specific to fuzzing); the second run passes.
lib || lib
BIN=$($SWIFT build --scratch-path $SCRATCH --show-bin-path)
# Cross-target API is `package`: the targets must be compiled into the same package as the
# modules, whose name SwiftPM derives from the checkout's folder (read back from its build plan).
PACKAGE=$(grep '"-module-name","TrennwandRecords"' $SCRATCH/debug.yaml | grep -o '"-package-name","[^"]*"' | head -1 | cut -d'"' -f4)
CHECKOUTS=$SCRATCH/checkouts
# The project's objects are named from its current sources, not found by `find`: a renamed source
# leaves its old object in $SCRATCH, and linking both gave duplicate symbols.
project_objs() {
  for t in "$@"; do
    find "Sources/$t" -name '*.swift' | while read -r f; do echo "$BIN/$t.build/$(basename "$f").o"; done
  done | sort
}
OBJS="$(project_objs TrennwandRecords TrennwandYAML TrennwandReaders)
$(find "$BIN/Yams.build" "$BIN/CYaml.build" -name '*.o' | sort)"
# The rule-expression target also links the engine, the findings layer (swift-crypto) and Vectorscan.
ENGINE_OBJS="$(project_objs TrennwandEngine TrennwandFindings)
$(find "$BIN/Crypto.build" "$BIN/CCryptoBoringSSL.build" "$BIN/CCryptoBoringSSLShims.build" "$BIN/CryptoBoringWrapper.build" \
                   -name '*.o' 2>/dev/null | sort)"
for target in csv xml jsonl profile normalise expression archive; do
  extra=""; libs="-lxml2 -lz"
  case $target in
    csv) src=FuzzCSV ;; xml) src=FuzzXML ;; jsonl) src=FuzzJSONL ;; profile) src=FuzzProfile ;; normalise) src=FuzzNormalise ;;
    archive) src=FuzzArchive ;;
    expression) src=FuzzExpression; extra="$ENGINE_OBJS"; libs="-lxml2 -lz -lhs -lstdc++" ;;
  esac
  ${SWIFTC:-swiftc} -sanitize=fuzzer,address -parse-as-library -g -Onone -swift-version 6 -use-ld=lld \
    -module-name "$src" -package-name "$PACKAGE" -I "$BIN/Modules" \
    -Xcc -fmodule-map-file="$PWD/Sources/CTrennwandLibXML2/module.modulemap" \
    -Xcc -fmodule-map-file="$PWD/Sources/CTrennwandVectorscan/module.modulemap" \
    -Xcc -fmodule-map-file="$PWD/Sources/CTrennwandZlib/module.modulemap" \
    -Xcc -fmodule-map-file="$PWD/$CHECKOUTS/Yams/Sources/CYaml/include/module.modulemap" \
    -Xcc -fmodule-map-file="$PWD/$CHECKOUTS/swift-crypto/Sources/CCryptoBoringSSL/include/module.modulemap" \
    -Xcc -fmodule-map-file="$PWD/$CHECKOUTS/swift-crypto/Sources/CCryptoBoringSSLShims/include/module.modulemap" \
    -Xcc -I/usr/include/libxml2 -Xcc -I/usr/include/hs -I "$CHECKOUTS/Yams/Sources/CYaml/include" \
    "Fuzz/Targets/$src.swift" $OBJS $extra $libs -o "$SCRATCH/fuzz-$target"
  echo "built $SCRATCH/fuzz-$target"
done
