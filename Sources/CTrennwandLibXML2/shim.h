// Shim over the system libxml2 (Debian libxml2-dev). Only the SAX2 push parser is used.
#ifndef TRENNWAND_LIBXML2_SHIM_H
#define TRENNWAND_LIBXML2_SHIM_H
// Debian builds libxml2 with ICU, so <libxml/encoding.h> would include the system's
// <unicode/ucnv.h>. Foundation ships its own ICU module with a different UErrorCode, and the two
// clash in any Swift module that imports both. We never touch libxml2's ICU converter fields
// (only pointers to xmlCharEncodingHandler, never the struct by value), so the ICU part of the
// headers is switched off here; the library itself is unchanged.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>
#endif
