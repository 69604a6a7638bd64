"""Time per programmed-then-read 2T2R sample with the VCM device model.

Prints, from one run on this machine (side by side, so that machine load affects all rows
alike):

1. time per programmed device: SET at the compliance and RESET, one device per netlist
   (the default) and in batches of 5 (abrupt SET events of any device force small time steps
   on all devices of a netlist, so batching does not pay);
2. time per 2T2R sample programmed (one device SET, the other SET then RESET) and then read by
   the PCSA, with frozen-state read elements (the default), with the full state equation in
   the read, and, for comparison, with fixed resistors drawn from log-normal distributions
   (no programming simulation).

It also checks that every read returns the stored value.

Run: ``python benchmarks/program_read.py [--cells N] [--compliance A]``.
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import replace

import numpy as np

from rram_ber.characterization.programming import (
    ProgramConditions,
    apply_pulse,
    fresh_devices,
    program_2t2r_cells,
)
from rram_ber.characterization.read import simulate_reads
from rram_ber.characterization.session import NgspiceSession
from rram_ber.circuits.cells import Cell2T2R
from rram_ber.circuits.elements import FixedResistor
from rram_ber.circuits.programming import Operation
from rram_ber.circuits.read import ReadConditions, ReadCopy
from rram_ber.models.resistance import LogNormalResistance, ResistanceStates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=40, help="2T2R samples per measurement")
    parser.add_argument("--compliance", type=float, default=50e-6, help="SET compliance [A]")
    args = parser.parse_args()
    logging.getLogger("PySpice").setLevel(logging.CRITICAL)
    conditions = ProgramConditions(compliance_a=args.compliance)
    read = ReadConditions()
    stored = [1 if k % 2 == 0 else -1 for k in range(args.cells)]

    with NgspiceSession() as session:
        # Warm-up: the compliance lookup (cached afterwards) and the first library calls.
        program_2t2r_cells(session, [1], conditions, np.random.default_rng(0))

        print(
            f"compliance {args.compliance * 1e6:g} uA,"
            f" {args.cells} cells / {2 * args.cells} devices"
        )
        print("1. programming, seconds per device")
        for batch in (1, 5):
            batched = replace(conditions, batch_size=batch)
            devices = fresh_devices(np.random.default_rng(1), 2 * args.cells, batched)
            start = time.perf_counter()
            after = apply_pulse(session, devices, Operation.SET, batched, np.random.default_rng(2))
            t_set = (time.perf_counter() - start) / len(devices)
            start = time.perf_counter()
            apply_pulse(
                session,
                [o.device for o in after],
                Operation.RESET,
                batched,
                np.random.default_rng(3),
            )
            t_reset = (time.perf_counter() - start) / len(devices)
            print(f"   batch {batch}: SET {t_set:.3f} s, RESET {t_reset:.3f} s")

        print("2. 2T2R sample programmed then read, seconds per sample")
        for label, frozen in (("VCM, frozen-state read", True), ("VCM, dynamic read", False)):
            start = time.perf_counter()
            samples = program_2t2r_cells(
                session, stored, conditions, np.random.default_rng(4), frozen=frozen
            )
            t_program = time.perf_counter() - start
            cells = [s.cell for s in samples if isinstance(s.cell, Cell2T2R)]
            start = time.perf_counter()
            reads = simulate_reads(session, read, [ReadCopy(c) for c in cells])
            t_read = time.perf_counter() - start
            ok = [m.decision for m in reads] == [s.stored for s in samples if s.cell is not None]
            n = len(stored)
            print(
                f"   {label:<24} program {t_program / n:.3f} + read {t_read / n:.3f}"
                f" = {(t_program + t_read) / n:.3f} s  (reads correct: {ok})"
            )
        states = ResistanceStates(LogNormalResistance(8.5e3, 0.08), LogNormalResistance(110e3, 0.5))
        start = time.perf_counter()
        r_bl, r_blb = states.sample_2t2r(np.random.default_rng(5), stored)
        cells = [
            Cell2T2R(FixedResistor(a), FixedResistor(b)) for a, b in zip(r_bl, r_blb, strict=True)
        ]
        reads = simulate_reads(session, read, [ReadCopy(cell) for cell in cells])
        t_total = time.perf_counter() - start
        ok = [m.decision for m in reads] == stored
        print(
            f"   {'log-normal resistors':<24} read {t_total / len(stored):.3f} s"
            f"  (reads correct: {ok})"
        )


if __name__ == "__main__":
    main()
