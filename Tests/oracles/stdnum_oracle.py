#!/usr/bin/env python3
"""Differential-test oracle: python-stdnum (LGPL, test-time only, installed with pip).

Reads lines "<kind>\t<input>" from the file named in argv[1] (kind: idnr or iban) and writes
one line per input to stdout: 1 when stdnum says valid, 0 otherwise.
"""
import sys

from stdnum import iban
from stdnum.de import idnr

checks = {"idnr": idnr.is_valid, "iban": iban.is_valid}
out = []
with open(sys.argv[1], encoding="utf-8", newline="\n") as f:
    for line in f:
        kind, _, value = line.rstrip("\n").partition("\t")
        out.append("1" if checks[kind](value) else "0")
sys.stdout.write("\n".join(out) + "\n")
