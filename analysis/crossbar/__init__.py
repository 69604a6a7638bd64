"""Crossbar tiles without SPICE: the fast model and its check against SPICE."""
