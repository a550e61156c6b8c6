#!/bin/sh
# Generates the seed corpora into .build-fuzz/corpus/{csv,xml,profile}/ from the Samples, the
# shipped profiles and the shared suites in ../shared/testsuites/ (read in place, never committed).
# The first byte of each CSV/XML seed is the target's knob byte (block size / dialect / spec).
set -eu
cd "$(dirname "$0")/.."
OUT=.build-fuzz/corpus
SUITES=../shared/testsuites
mkdir -p "$OUT/csv" "$OUT/xml" "$OUT/jsonl" "$OUT/profile" "$OUT/normalise" "$OUT/expression"
n=0
seed() {  # seed <dir> <knob-octal> <file>
  n=$((n + 1))
  { printf "\\$2"; head -c 65536 "$3"; } > "$1/seed-$n"
}
for f in Samples/*.csv Samples/Stammdaten/*.csv; do
  for knob in 000 002 041 101 200; do seed "$OUT/csv" $knob "$f"; done
done
if [ -d "$SUITES/csv-spectrum/csvs" ]; then
  for f in "$SUITES"/csv-spectrum/csvs/*.csv; do
    for knob in 000 003 200; do seed "$OUT/csv" $knob "$f"; done
  done
fi
for f in Samples/*.xml; do
  for knob in 000 002 004; do seed "$OUT/xml" $knob "$f"; done
done
if [ -d "$SUITES/xml-attacks" ]; then
  for f in "$SUITES"/xml-attacks/*; do seed "$OUT/xml" 010 "$f"; done
fi
if [ -d "$SUITES/xmlconf-w3c" ]; then
  # A bounded, deterministic sample of the W3C conformance documents (well-formed and not).
  find "$SUITES/xmlconf-w3c" -name '*.xml' -size -16k | sort | awk 'NR % 8 == 1' | head -400 |
    while read -r f; do seed "$OUT/xml" 010 "$f"; done
fi
for f in Examples/jsonl/*.jsonl; do
  for knob in 000 001 002 003; do seed "$OUT/jsonl" $knob "$f"; done
done
printf '\000{"id":"D-1","ts":"2025-01-02","user":{"name":"M"},"tags":["a",null,1],"gone":true,"a.b":"x"}\n{"id":"D-2","msg":"\\u00e4\\ud83d\\ude00"}\r\n\n[1]\n{"id":1,"id":2}\n' > "$OUT/jsonl/seed-own"
# fuzz-normalise: knob = index of the sample in FuzzNormalise.swift; CSV seeds without header line.
k=0
for f in Samples/Traeger-Zugriffe.csv Samples/Jobcenter-Zugriffe.csv Samples/Plattform-Datenfluesse.csv \
         Samples/Traeger-Dokumentation.xml Samples/Stammdaten/Abordnungen.csv Samples/Stammdaten/Angebote.csv \
         Samples/Stammdaten/Einwilligungen.csv Samples/Stammdaten/Mitarbeitende.csv \
         Samples/Stammdaten/Teilnehmende.csv Samples/Stammdaten/Vereinbarungen.csv; do
  case $f in
    *.xml) { printf "\\$(printf %03o $k)"; cat "$f"; } > "$OUT/normalise/seed-$k" ;;
    *) { printf "\\$(printf %03o $k)"; tail -n +2 "$f"; } > "$OUT/normalise/seed-$k" ;;
  esac
  k=$((k + 1))
done
# fuzz-archive: knob bit 0 = zip (1) or gzip (0); gzip files and zip archives of the samples.
mkdir -p "$OUT/archive"
for f in Samples/Traeger-Zugriffe.csv Samples/Traeger-Dokumentation.xml Samples/Stammdaten/Angebote.csv; do
  { printf '\000'; gzip -n -c "$f"; } > "$OUT/archive/gz-$(basename "$f")"
done
python3 - "$OUT/archive" <<'PY'
import io, sys, zipfile
for name, method in (("deflate", zipfile.ZIP_DEFLATED), ("stored", zipfile.ZIP_STORED)):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        z.write("Samples/Traeger-Zugriffe.csv", "a/Traeger-Zugriffe.csv")
        z.write("Samples/Traeger-Dokumentation.xml", "Traeger-Dokumentation.xml")
        z.writestr("leer/", b"")
    open(f"{sys.argv[1]}/zip-{name}", "wb").write(b"\x01" + b.getvalue())
PY
for f in Rules/profiles/*.yaml; do cp "$f" "$OUT/profile/$(basename "$f")"; done
echo "corpus: csv $(ls "$OUT/csv" | wc -l), xml $(ls "$OUT/xml" | wc -l), profile $(ls "$OUT/profile" | wc -l), normalise $(ls "$OUT/normalise" | wc -l) seeds in $OUT"
# Rule conditions of the shipped rule pack (and aggregate filters) as seeds for the expression target.
mkdir -p "$OUT/expression"
python3 - "$OUT/expression" <<'PY'
import glob, os, sys
try:
    import yaml
except ImportError:  # seeds are a help, not a requirement: the fuzzer then starts from nothing
    sys.exit(0)
out = sys.argv[1]
n = 0
for path in sorted(glob.glob("Rules/*/TW*.yaml")):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    for text in [doc.get("condition"), (doc.get("aggregate") or {}).get("filter")]:
        if isinstance(text, str):
            n += 1
            open(os.path.join(out, "seed-%d" % n), "w", encoding="utf-8").write(text)
PY
# Long inputs for the expression target's long pass (issue #12, B7; run.sh: expression-long): flat
# and mixed and/or chains, big lists, deep brackets and a condition past the 1 MiB limit.
# Generated here, never committed.
mkdir -p "$OUT/expression-long"
python3 - "$OUT/expression-long" <<'PY'
import os, sys
out = sys.argv[1]
def chain(n, op="or", field="system", prefix="X"):
    return (" %s " % op).join('%s == "%s%d"' % (field, prefix, i) for i in range(1, n + 1))
seeds = {
    "long-or-1000": chain(1000),
    "long-or-10000": chain(10000),
    "long-or-40000": chain(40000),
    "long-and-1000": 'actor != "nobody" and ' + chain(999, "and", "system", "Y").replace("==", "!="),
    "long-mixed": " or ".join("(%s and actor != \"a%d\")" % (chain(20, "or", "system", "M%d-" % k), k) for k in range(500)),
    "long-list-100000": "system in [" + ",".join('"%d"' % i for i in range(1, 100001)) + "]",
    "long-compact-55000": " or ".join(['system == "a"'] * 55000),
    "long-arith": "time + " + " + ".join(["1d"] * 150) + " > now()",
    "long-nested": "(" * 99 + 'system == "x"' + ")" * 99 + " or " + chain(2000),
    "long-contains": " or ".join('purpose contains "p%d"' % i for i in range(1001)),
    "long-over-limit": chain(50000),
}
for name, text in seeds.items():
    open(os.path.join(out, name), "w", encoding="utf-8").write(text)
PY
echo "expression: $(ls "$OUT/expression" | wc -l) seeds, expression-long: $(ls "$OUT/expression-long" | wc -l) seeds in $OUT"
