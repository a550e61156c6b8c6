#!/bin/sh
# Installs the Debian packages given as arguments when they are missing. As root it runs apt-get;
# otherwise it prints the exact command to run and fails, so nothing is installed behind anyone's back.
set -eu
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ]; then
  echo "Installiere fehlende Pakete:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$missing
else
  echo "Fehlende Systempakete. Bitte als root ausführen:"
  echo "  apt-get update && apt-get install -y$missing"
  exit 1
fi
