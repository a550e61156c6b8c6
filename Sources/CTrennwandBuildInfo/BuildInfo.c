// The commit comes from `buildinfo.generated.h`, which `make` (target `buildinfo`, run before every
// build) writes beside this file when the commit changes, touching this file so it is recompiled.
// The generated header is not in git; without it (`swift build` alone) the commit is "unknown".
// Only this C file depends on it: a new commit recompiles one C file and relinks, nothing else.
#include "CTrennwandBuildInfo.h"
#if __has_include("buildinfo.generated.h")
#include "buildinfo.generated.h"
#endif
#ifndef TRENNWAND_BUILD_COMMIT
#define TRENNWAND_BUILD_COMMIT "unknown"
#endif

const char *trennwand_build_commit(void) { return TRENNWAND_BUILD_COMMIT; }
