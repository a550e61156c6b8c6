#!/bin/sh
# Writes the git commit of the work tree into Sources/CTrennwandBuildInfo/buildinfo.generated.h for
# `trennwand --version` (called by make before every build). Rewrites the header, and touches
# BuildInfo.c so SwiftPM recompiles it, only when the commit changed: an unchanged tree rebuilds
# nothing. Outside a git checkout (a source tarball) the commit stays "unknown".
set -eu
dir=$(dirname "$0")/../Sources/CTrennwandBuildInfo
header=$dir/buildinfo.generated.h
commit=unknown
if command -v git >/dev/null 2>&1 && git -C "$dir" rev-parse --git-dir >/dev/null 2>&1; then
    commit=$(git -C "$dir" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
    if [ "$commit" != unknown ] && ! git -C "$dir" diff --quiet HEAD -- 2>/dev/null; then
        commit="$commit-dirty"
    fi
fi
line="#define TRENNWAND_BUILD_COMMIT \"$commit\""
if [ ! -f "$header" ] || [ "$(cat "$header")" != "$line" ]; then
    printf '%s\n' "$line" > "$header"
    touch "$dir/BuildInfo.c"
fi
