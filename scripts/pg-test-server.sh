#!/bin/bash
# A throwaway PostgreSQL server for the parity tests: `pg-test-server.sh start DIR` runs initdb in
# DIR/data and starts postgres listening only on a Unix socket in DIR (no TCP port at all);
# `pg-test-server.sh stop DIR` stops it (fast shutdown) and removes DIR/data. Clients connect with
# `psql -h DIR -U trennwand -d postgres`. Uses Debian's `postgresql` (the version under
# /usr/lib/postgresql/*/bin, or PG_BINDIR; `make test` installs the package).
#
# As root the server runs as `nobody` (initdb and postgres refuse root; nobody owns nothing else on
# the machine, so no user is created); DIR is then handed to nobody. Otherwise it runs as the caller.
# Authentication is `trust`: only local processes that may open the socket in DIR can connect.
set -eu
usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1; dir=$2
bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "PostgreSQL nicht gefunden (/usr/lib/postgresql/*/bin): apt-get install postgresql / PostgreSQL not found" >&2
  exit 3
fi
as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
case $cmd in
start)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" = "0" ] && chown nobody "$dir"
  chmod 700 "$dir"
  as_owner test -w "$dir" || { echo "$dir: für den Server-Benutzer nicht erreichbar (Elternverzeichnisse) / not reachable for the server user (parent directories)" >&2; exit 3; }
  # C collation and UTF-8: byte order and no locale on the machine needed; lower() of the rule
  # language is ICU's (the renderer asks for it), not the database locale's.
  as_owner "$bindir/initdb" -D "$dir/data" -U trennwand --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2; exit 3; }
  # The server outlives this script: it must not keep the caller's descriptors open (Foundation's
  # Process on Linux notices a child's end only when every holder of its hidden socket has gone).
  for fd in /proc/$$/fd/*; do
    n=${fd##*/}
    [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-" 2>/dev/null || true
  done
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null || {
    cat "$dir/server.log" >&2; exit 3; }
  ;;
stop)
  [ -d "$dir/data" ] || exit 0
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || { cat "$dir/server.log" >&2; exit 3; }
  rm -rf "$dir/data"
  ;;
*) usage ;;
esac
