"""Device physics and statistics: CMOS cards and mismatch, the VCM RRAM model, resistance
distributions (see ``ARCHITECTURE.md``)."""
