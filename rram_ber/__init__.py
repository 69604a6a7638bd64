"""rram-ber: the distribution's own package (version, shared validation, command line).

:mod:`rram_ber.api` is the Python API for notebooks and scripts; :mod:`rram_ber.cli` the
command line.
"""

__version__ = "0.1.0"
