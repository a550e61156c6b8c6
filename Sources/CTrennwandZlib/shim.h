// Shim over the system zlib (Debian zlib1g-dev). Only raw and gzip inflate and crc32 are used
// (compressed exports: `.gz` files and deflate members of `.zip` archives).
#ifndef TRENNWAND_ZLIB_SHIM_H
#define TRENNWAND_ZLIB_SHIM_H
#include <zlib.h>

// `inflateInit2` is a macro in zlib.h; Swift cannot call macros with arguments.
static inline int trennwand_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
