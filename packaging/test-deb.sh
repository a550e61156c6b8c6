#!/bin/sh
# Tests a built trennwand .deb as an operator would use it.
#
#   packaging/test-deb.sh out/trennwand_0.1.0_amd64.deb            # unpacked into a scratch root
#   DEB_INSTALL=1 packaging/test-deb.sh out/trennwand_0.1.0_amd64.deb  # dpkg -i on this machine (root)
#
# Default: `dpkg -x` into a scratch root. It needs no root and changes nothing on the machine, so it
# runs in `make test` (on the package made from the debug binary) and on a developer's machine. The
# binary finds its rules through ../share/trennwand/Rules, so the scratch root behaves like /.
# With DEB_INSTALL=1 (root only; meant for a throwaway CI container or VM): `dpkg -i`, the same
# checks on the real paths, plus the maintainer scripts (system user, /var/lib/trennwand 0700, timer
# not enabled), then `dpkg --purge` must remove user and state again.
# Checks: the files in place; `trennwand --version` names the installed rules; `trennwand scan
# --config /usr/share/doc/trennwand/examples/audit.yaml` run from `/` finds the planted violations
# (exit 1); both man pages render without groff warnings; the bash completion parses; the unit and
# timer pass `systemd-analyze verify` without a single warning (skipped with a reason when
# systemd-analyze is missing). Prints "N passed, M failed".
set -u
deb=$1
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { what=$1; shift; if "$@" >/dev/null 2>&1; then ok; else fail "$what"; fi; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/trennwand-debtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ "${DEB_INSTALL:-0}" = 1 ]; then
    [ "$(id -u)" = 0 ] || { echo "test-deb.sh: DEB_INSTALL=1 needs root" >&2; exit 2; }
    dpkg -i "$deb" >/dev/null || { echo "FAIL: dpkg -i"; exit 1; }
    root=''
else
    root=$tmp/root
    dpkg-deb -x "$deb" "$root" || { echo "FAIL: dpkg-deb -x"; exit 1; }
fi
bin=$root/usr/bin/trennwand
doc=$root/usr/share/doc/trennwand

for f in usr/bin/trennwand usr/share/trennwand/Rules/profiles usr/share/trennwand/Rules/policy/matrix.yaml \
    usr/share/doc/trennwand/README.md usr/share/doc/trennwand/operations.md usr/share/doc/trennwand/copyright \
    usr/share/doc/trennwand/examples/audit.yaml usr/share/man/man1/trennwand.1.gz usr/share/man/de/man1/trennwand.1.gz \
    usr/share/bash-completion/completions/trennwand usr/share/zsh/vendor-completions/_trennwand \
    usr/share/fish/vendor_completions.d/trennwand.fish \
    lib/systemd/system/trennwand-audit.service lib/systemd/system/trennwand-audit.timer; do
    check "missing /$f" test -e "$root/$f"
done
control=$(dpkg-deb --field "$deb" Depends)
for dep in libxml2 libvectorscan5 libsqlite3-0 zlib1g passwd; do
    case ", $control," in *", $dep"[,\ ]*) ok ;; *) fail "Depends lacks $dep: $control" ;; esac
done

# --version names version, commit and the installed rule pack.
version=$(cd / && HOME=$tmp/home "$bin" --version 2>&1)
case "$version" in *"$root/usr/share/trennwand/Rules)"*) ok ;; *) fail "--version does not name the installed rules: $version" ;; esac
case "$version" in *"Commit: "*) ok ;; *) fail "--version without commit: $version" ;; esac

# The example, from /, as the README shows it.
out=$(cd / && HOME=$tmp/home TRENNWAND_KEY= "$bin" scan --config "$doc/examples/audit.yaml" 2>"$tmp/scan.err"); rc=$?
[ "$rc" = 1 ] && ok || fail "example scan: exit $rc, expected 1 (planted violations): $(cat "$tmp/scan.err")"
case "$out" in *TW10*) ok ;; *) fail "example scan names no finding: $out" ;; esac
out_en=$(cd / && HOME=$tmp/home "$bin" scan --lang en --config "$doc/examples/audit.yaml" --format junit=$tmp/ex.xml 2>/dev/null)
case "$out_en" in *"Records: read"*|*"records"*) ok ;; *) fail "English example summary: $out_en" ;; esac

# Man pages: render, no groff warnings, the sections an operator looks for.
for page in "$root/usr/share/man/man1/trennwand.1.gz" "$root/usr/share/man/de/man1/trennwand.1.gz"; do
    warn=$(zcat "$page" | LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z 2>&1)
    [ -z "$warn" ] && ok || fail "groff warnings in $page: $warn"
    text=$(LC_ALL=C.UTF-8 MANPAGER=cat MANWIDTH=80 man -l "$page" 2>&1)
    case "$text" in *"trennwand gate"*) ok ;; *) fail "man page $page lacks the gate command" ;; esac
done
text=$(LC_ALL=C.UTF-8 MANPAGER=cat man -l "$root/usr/share/man/man1/trennwand.1.gz" 2>&1)
for section in "EXIT STATUS" ENVIRONMENT FILES "--baseline-optional"; do
    case "$text" in *"$section"*) ok ;; *) fail "man page lacks $section" ;; esac
done
de=$(LC_ALL=C.UTF-8 MANPAGER=cat man -l "$root/usr/share/man/de/man1/trennwand.1.gz" 2>&1)
case "$de" in *"Prüfauftrag"*) ok ;; *) fail "German man page lost its umlauts" ;; esac

# Completions.
check "bash completion does not parse" bash -n "$root/usr/share/bash-completion/completions/trennwand"
check "bash completion lacks the subcommands" grep -q "gate" "$root/usr/share/bash-completion/completions/trennwand"

# systemd units: verify as installed. In a scratch root, ExecStart points to the unpacked binary in a
# copy (the only line changed) and MANPATH to the unpacked pages, so `Documentation=man:trennwand(1)`
# is checked against the page the package ships.
if command -v systemd-analyze >/dev/null 2>&1; then
    units=$tmp/units
    mkdir -p "$units"
    sed "s|^ExecStart=/usr/bin/trennwand|ExecStart=$bin|" "$root/lib/systemd/system/trennwand-audit.service" > "$units/trennwand-audit.service"
    cp "$root/lib/systemd/system/trennwand-audit.timer" "$units/"
    msg=$(cd "$units" && MANPATH=$root/usr/share/man systemd-analyze verify ./trennwand-audit.service ./trennwand-audit.timer 2>&1); rc=$?
    [ "$rc" = 0 ] && [ -z "$msg" ] && ok || fail "systemd-analyze verify (exit $rc): $msg"
else
    echo "skip: systemd-analyze not installed (package systemd); unit files not verified"
fi

if [ "${DEB_INSTALL:-0}" = 1 ]; then
    check "no trennwand system user" getent passwd trennwand
    check "/var/lib/trennwand not 0700 trennwand" test "$(stat -c '%a %U' /var/lib/trennwand)" = "700 trennwand"
    check "timer enabled by the package" test ! -e /etc/systemd/system/timers.target.wants/trennwand-audit.timer
    check "man trennwand does not render" sh -c 'MANPAGER=cat man trennwand | grep -q "trennwand gate"'
    dpkg --purge trennwand >/dev/null || fail "dpkg --purge"
    check "purge left the user" sh -c '! getent passwd trennwand'
    check "purge left /var/lib/trennwand" test ! -e /var/lib/trennwand
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
