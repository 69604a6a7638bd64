"""rram-ber: the distribution's own package (version, shared validation, command line)."""

__version__ = "0.1.0"
