// Build facts the Makefile knows and Swift cannot ask for: the git commit the binary was built
// from. Read by `trennwand --version`.
#ifndef C_TRENNWAND_BUILD_INFO_H
#define C_TRENNWAND_BUILD_INFO_H

/// The commit (12 hex digits, `-dirty` for a tree with uncommitted changes) written by `make`
/// into `buildinfo.generated.h`; "unknown" for a plain `swift build` without that file.
const char *trennwand_build_commit(void);

#endif
