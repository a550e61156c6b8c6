#!/bin/sh
# Builds trennwand_VERSION_amd64.deb with dpkg-deb from an already built binary (no debhelper, no
# source package: the product is one static-stdlib executable plus data files).
#
#   packaging/build-deb.sh --bin .build/release/trennwand --version 0.1.0 --out out [--fast]
#
# Layout (Debian paths):
#   /usr/bin/trennwand                                  the binary (stripped unless --fast)
#   /usr/share/trennwand/Rules/                         built-in rules (found via ../share from the binary)
#   /usr/share/doc/trennwand/                           README, docs/*.md, docs/ci/, docs/systemd/, copyright
#   /usr/share/doc/trennwand/examples/                  synthetic export + audit.yaml (packaging/examples/)
#   /usr/share/man/man1/trennwand.1.gz (en), /usr/share/man/de/man1/trennwand.1.gz (de)
#   /usr/share/bash-completion/completions/trennwand, /usr/share/zsh/vendor-completions/_trennwand,
#   /usr/share/fish/vendor_completions.d/trennwand.fish
#   /lib/systemd/system/trennwand-audit.{service,timer}  from docs/systemd/, not enabled
# Depends: the Debian packages that provide every shared library the binary names (readelf NEEDED,
# resolved with dpkg -S on this machine), plus passwd for the postinst's useradd. A NEEDED library
# no Debian package provides (the Swift toolchain's, in a binary built without
# --static-swift-stdlib) stops the build; --allow-toolchain-libs tolerates it for the test package
# made from the debug binary on a machine that has the toolchain.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
bin='' version='' out=out fast=0 allow_toolchain=0
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) bin=$2; shift 2 ;;
        --version) version=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --fast) fast=1; shift ;;
        --allow-toolchain-libs) allow_toolchain=1; shift ;;
        *) echo "build-deb.sh: unknown argument $1" >&2; exit 64 ;;
    esac
done
[ -x "$bin" ] || { echo "build-deb.sh: no executable binary at '$bin' (make release first)" >&2; exit 66; }
[ -n "$version" ] || { echo "build-deb.sh: --version missing" >&2; exit 64; }

work=$(mktemp -d "${TMPDIR:-/tmp}/trennwand-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
umask 022

# Binary and rules.
install -d "$root/usr/bin" "$root/usr/share/trennwand"
if [ "$fast" = 1 ]; then install -m 0755 "$bin" "$root/usr/bin/trennwand"
else install -m 0755 -s "$bin" "$root/usr/bin/trennwand"; fi
cp -R "$top/Rules" "$root/usr/share/trennwand/Rules"
find "$root/usr/share/trennwand" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +

# Documentation and the example.
doc=$root/usr/share/doc/trennwand
install -d "$doc/examples/Stammdaten" "$doc/systemd" "$doc/ci"
install -m 0644 "$top/README.md" "$top"/docs/*.md "$top/docs/rules.html" "$doc/"
install -m 0644 "$top"/docs/systemd/* "$doc/systemd/"
install -m 0644 "$top"/docs/ci/* "$doc/ci/"
install -m 0644 "$here/debian/copyright" "$doc/copyright"
install -m 0644 "$here/examples/audit.yaml" "$top/Samples/Jobcenter-Zugriffe.csv" \
    "$top/Samples/Plattform-Datenfluesse.csv" "$doc/examples/"
install -m 0644 "$top"/Samples/Stammdaten/*.csv "$doc/examples/Stammdaten/"

# Man pages (English at the default place, German under de/), from the binary's own help.
install -d "$root/usr/share/man/man1" "$root/usr/share/man/de/man1"
python3 "$here/manpage.py" "$bin" en "$version" | gzip -9n > "$root/usr/share/man/man1/trennwand.1.gz"
python3 "$here/manpage.py" "$bin" de "$version" | gzip -9n > "$root/usr/share/man/de/man1/trennwand.1.gz"

# Shell completions (ArgumentParser), in the folders the shells' Debian packages read.
install -d "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
    "$root/usr/share/fish/vendor_completions.d"
"$bin" --generate-completion-script bash > "$root/usr/share/bash-completion/completions/trennwand"
"$bin" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_trennwand"
"$bin" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/trennwand.fish"

# systemd units: the files docs/operations.md shows.
install -d "$root/lib/systemd/system"
install -m 0644 "$top/docs/systemd/trennwand-audit.service" "$top/docs/systemd/trennwand-audit.timer" \
    "$root/lib/systemd/system/"

# Depends from the libraries the binary links.
depends='' toolchain_libs=''
for lib in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    pkg=$(dpkg -S "*/$lib" 2>/dev/null | sed -n 's/^\([^:]*\):[^ ]* .*/\1/p' | grep -v -- '-dev$' | sort -u | head -1)
    if [ -z "$pkg" ]; then
        if [ "$allow_toolchain" = 1 ]; then toolchain_libs="$toolchain_libs $lib"; continue; fi
        echo "build-deb.sh: $lib (NEEDED by $bin) comes from no Debian package; build with --static-swift-stdlib" >&2
        exit 1
    fi
    case " $depends " in *" $pkg "*) ;; *) depends="$depends $pkg" ;; esac
done
[ -z "$toolchain_libs" ] || echo "build-deb.sh: note: test package; toolchain libraries not in Depends:$toolchain_libs" >&2
glibc=$(dpkg-query -W -f='${Version}' libc6 | sed 's/-.*//')
list=''
for pkg in $depends passwd; do
    case "$pkg" in libc6) entry="libc6 (>= $glibc)" ;; *) entry=$pkg ;; esac
    list="${list:+$list, }$entry"
done
for required in libxml2 libvectorscan5 libsqlite3-0 zlib1g; do
    case " $depends " in *" $required "*) ;; *) echo "build-deb.sh: expected Depends on $required, got:$depends" >&2; exit 1 ;; esac
done

# Control files.
install -d -m 0755 "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$list/" "$here/debian/control.in" > "$root/DEBIAN/control"
for script in postinst prerm postrm; do install -m 0755 "$here/debian/$script" "$root/DEBIAN/$script"; done
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort | xargs md5sum > DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/trennwand_${version}_amd64.deb
if [ "$fast" = 1 ]; then compress='-Zgzip -z1'; else compress='-Zxz'; fi
# shellcheck disable=SC2086
dpkg-deb --root-owner-group $compress --build "$root" "$deb" >/dev/null
echo "$deb"
