// Shim over the system Vectorscan (Debian libvectorscan-dev, pkg-config name libhs).
#ifndef TRENNWAND_VECTORSCAN_SHIM_H
#define TRENNWAND_VECTORSCAN_SHIM_H
#include <hs/hs.h>
#endif
