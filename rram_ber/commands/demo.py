"""``rram-ber demo``: the main job (nominal read characterisation table for now)."""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path
from typing import Any

from circuits.cells import Cell2T2R
from circuits.elements import FixedResistor
from circuits.read import ReadConditions, ReadCopy
from models.cmos import ProcessCorner


def register(subparsers: Any) -> None:
    """Add the ``demo`` subcommand."""
    parser = subparsers.add_parser(
        "demo", help="run the default characterisation and write its results to --out"
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Nominal 2T2R read at every corner, 1.2 and 0.8 V, both stored values (27 C)."""
    from characterization.read import simulate_reads
    from characterization.session import NgspiceSession

    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    with NgspiceSession() as session:
        for corner in ProcessCorner:
            for vdd in (1.2, 0.8):
                conditions = ReadConditions(vdd_v=vdd, corner=corner)
                copies = [
                    ReadCopy(Cell2T2R(FixedResistor(5e3), FixedResistor(50e3))),
                    ReadCopy(Cell2T2R(FixedResistor(50e3), FixedResistor(5e3))),
                ]
                for stored, m in zip(
                    (1, -1), simulate_reads(session, conditions, copies), strict=True
                ):
                    rows.append(
                        {
                            "corner": corner.value,
                            "vdd_v": vdd,
                            "stored": stored,
                            "decision": m.decision,
                            "delay_ps": round(m.delay_s * 1e12, 2)
                            if not math.isnan(m.delay_s)
                            else math.nan,
                            "energy_fj": round(m.energy_j * 1e15, 3),
                        }
                    )
    path = args.out / "nominal_reads.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{'corner':6} {'VDD':>5} {'stored':>6} {'read':>5} {'delay ps':>9} {'energy fJ':>9}")
    for r in rows:
        print(
            f"{r['corner']:6} {r['vdd_v']:5.2f} {r['stored']:+6d} {r['decision']:+5d}"
            f" {r['delay_ps']:9.1f} {r['energy_fj']:9.2f}"
        )
    print(f"wrote {path}")
    return 0
