"""Netlist text from validated records: PCSA, XNOR-PCSA, cells, read and programming
testbenches; no randomness (see ``ARCHITECTURE.md``)."""
