"""The shipped campaigns cut to a few samples: the recipe of the reference tables.

``python tests/data/reference_tables/cut.py OUT [NAME ...]`` writes each cut campaign's output
into ``OUT/NAME``. The ``ber.csv`` and ``confusion.csv`` committed next to this file were
written so before the consolidation of issue 12 (one read model, typed end to end), and
``tests/test_reference_tables.py`` checks that the code still writes them byte for byte.
All of them were written again in issue 28, a behaviour change: one definition of a read's
outcome, the BER over all reads (undecided reads and failed simulations count) and the new
columns of ``ber.csv`` and ``confusion.csv``; then ``empirical`` once more, whose 1T1R
reference resistor became the geometric mean of the measured medians. In issue 26 the read's
default timing became 30 ps steps with TRTOL 1 (a behaviour change): ``default`` (one ternary
read at 0.25 ns moved from wrong to undecided) and ``importance`` (estimates within 1 %) were
written again; the study files that pin their old timing, and the cuts whose decisions did not
move, came out byte for byte. Then ``1t1r_vs_2t2r``, whose study file now samples at 2 and 4 ns
with a 4.5 ns evaluation phase (issue 28).
"""

from __future__ import annotations

import copy
import sys
import tomllib
from pathlib import Path
from typing import Any

from rram_ber.characterization.campaign_settings import OPTIONAL_CAMPAIGN_KEYS

HERE = Path(__file__).resolve().parent
CAMPAIGN_DIR = HERE.parents[2] / "characterization" / "campaigns"

#: Per shipped campaign: the sweep values kept, the samples per condition and any other key
#: overridden, so that all of them together simulate in well under two minutes on one core.
CUTS: dict[str, dict[str, Any]] = {
    "default": {
        "samples": 40,
        "batch_size": 10,
        "conditions": {"corner": ["tt", "ss"], "temp_c": [27]},
        # The shipped campaign became an auto campaign (issue 26); its Monte-Carlo stage is a
        # monte-carlo campaign's, which this reference keeps.
        "method": "monte-carlo",
    },
    "ternary_window": {
        "samples": 30,
        "batch_size": 10,
        "conditions": {"corner": ["tt"], "vdd_v": [0.5, 0.8, 1.2]},
    },
    "xnor_pcsa": {
        "samples": 24,
        "batch_size": 8,
        "conditions": {"corner": ["ff", "ss"], "temp_c": [27]},
    },
    "1t1r_vs_2t2r": {
        "samples": 6,
        "batch_size": 3,
        "conditions": {"compliance_a": [40e-6, 100e-6]},
        "vcm": {"pilot_devices": 10},
    },
}


#: Campaigns that are not shipped but exercise code paths the shipped ones do not: resistances
#: resampled from a measured CSV, fixed resistors in a 1T1R cell without mismatch, and the
#: importance-sampling estimator (slow: about 110 s on one idle core). Its tables were written
#: again in issue 14, a behaviour change: the search explores until failures stop revealing
#: new directions, ber.csv carries the estimators' own intervals, and the campaign minimum
#: (hence this cut's budget) rose from 1500 to 2000 simulations. The first two name
#: ``method = "monte-carlo"``: they ran it by default before ``auto`` became the default
#: (issue 26), and their tables are those runs'.
EXTRA: dict[str, dict[str, Any]] = {
    "empirical": {
        "campaign": {"seed": 11, "samples": 30, "batch_size": 10, "method": "monte-carlo"},
        "conditions": {"cell": ["2t2r", "ternary", "1t1r"], "vdd_v": [1.2, 0.6]},
        "device": {"model": "empirical", "csv": "measured.csv"},
    },
    "fixed_1t1r": {
        "campaign": {"seed": 12, "samples": 20, "batch_size": 10, "method": "monte-carlo"},
        "conditions": {"cell": ["1t1r", "xnor"], "corner": ["fs", "sf"], "vdd_v": 0.8},
        "device": {"model": "fixed", "lrs_ohm": 8e3, "hrs_ohm": 20e3},
        "cell": {"reference_ohm": 12e3},
        "variability": {"device": False},
    },
    "importance": {
        "campaign": {"seed": 4, "samples": 2000, "batch_size": 50, "method": "importance"},
        "conditions": {"cell": ["2t2r", "1t1r"], "vdd_v": 1.0},
        # The isolated fixture (TT, 27 C: untouched by issue 13's corner and device
        # temperature changes, so its table is the one written before); in a column each of
        # its 3000 reads costs 1.5-2.6x as much.
        "array": {"isolated": True},
        "device": {
            "model": "lognormal",
            "lrs_median_ohm": 5e3,
            "lrs_sigma_ln": 0.3,
            "hrs_median_ohm": 40e3,
            "hrs_sigma_ln": 0.8,
        },
    },
}
#: In the slow tier: every cut but ``fixed_1t1r``, the fast tier's (``pytest -m "not slow"``)
#: byte check of the whole campaign path (1T1R and XNOR reads, two corners).
SLOW = {"importance", "default", "ternary_window", "xnor_pcsa", "1t1r_vs_2t2r", "empirical"}
NAMES = (*CUTS, *EXTRA)


def cut_data(name: str) -> dict[str, Any]:
    """The campaign file's data with the cut applied (or an extra campaign's data)."""
    if name in EXTRA:
        return copy.deepcopy(EXTRA[name])
    data = tomllib.loads((CAMPAIGN_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    cut = CUTS[name]
    data["campaign"]["samples"] = cut["samples"]
    data["campaign"]["batch_size"] = cut["batch_size"]
    data["conditions"].update(cut["conditions"])
    if "method" in cut:
        data["campaign"]["method"] = cut["method"]
        for key in OPTIONAL_CAMPAIGN_KEYS:  # auto only
            data["campaign"].pop(key, None)
    if "vcm" in cut:
        data["device"]["vcm"].update(cut["vcm"])
    return data


def run_cut(name: str, out: Path) -> Path:
    """Run one cut campaign on one local worker; returns its output directory."""
    from rram_ber.characterization.campaign import run_campaign
    from rram_ber.characterization.executors import LocalExecutor
    from rram_ber.characterization.spec import parse_spec

    source = CAMPAIGN_DIR if name in CUTS else HERE
    spec = parse_spec(cut_data(name), source_dir=str(source))
    target = out / name
    with LocalExecutor(1) as executor:
        run_campaign(spec, target, executor)
    return target


if __name__ == "__main__":
    destination = Path(sys.argv[1])
    for campaign in sys.argv[2:] or NAMES:
        run_cut(campaign, destination)
