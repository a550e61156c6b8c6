// Shim over the system libxml2 (Debian libxml2-dev). Only the SAX2 push parser is used.
#ifndef TRENNWAND_LIBXML2_SHIM_H
#define TRENNWAND_LIBXML2_SHIM_H
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>
#endif
