"""A finished campaign's output directory, loaded for analysis (no simulator involved).

Reads what :mod:`rram_ber.characterization.campaign` writes (layout and columns in
:mod:`rram_ber.characterization.schema`): ``campaign.json``, ``ber.csv``, ``confusion.csv`` and the
Parquet sample rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rram_ber.characterization.ber import upgrade_ber_table
from rram_ber.characterization.chunks import chunk_tasks
from rram_ber.characterization.rare.registry import AUTO
from rram_ber.characterization.spec import CampaignSpec, spec_from_record
from rram_ber.characterization.store import chunk_path, read_samples
from rram_ber.core.validation import ParameterError


@dataclass(frozen=True)
class CampaignData:
    """The tables of one campaign.

    Attributes
    ----------
    out : Path
        The campaign's output directory.
    manifest : dict
        ``campaign.json``: the validated specification and the software versions.
    ber : pandas.DataFrame
        ``ber.csv``, one row per condition.
    confusion : pandas.DataFrame
        ``confusion.csv``, P(read | expected) per condition.
    samples : pandas.DataFrame
        The sample rows of the campaign's planned chunks (the rows ``ber.csv`` counts).
    """

    out: Path
    manifest: dict[str, Any]
    ber: pd.DataFrame
    confusion: pd.DataFrame
    samples: pd.DataFrame

    @property
    def spec(self) -> dict[str, Any]:
        """The campaign specification as written in ``campaign.json`` (plain data)."""
        return dict(self.manifest.get("spec", {}))

    @property
    def campaign(self) -> CampaignSpec:
        """The campaign specification as the typed record the campaign ran with."""
        return spec_from_record(self.spec)

    @property
    def versions(self) -> dict[str, str]:
        """Software versions that produced the results."""
        return dict(self.manifest.get("versions", {}))


def load_campaign(out: str | Path) -> CampaignData:
    """Load a campaign output directory.

    Raises
    ------
    ParameterError
        If the directory does not hold a finished campaign (no ``ber.csv``).
    """
    folder = Path(out)
    if not folder.is_dir():
        what = "it is a file" if folder.exists() else "no such directory"
        raise ParameterError("DIR", str(folder), f"a campaign output directory ({what})")
    missing = [
        n for n in ("campaign.json", "ber.csv", "confusion.csv") if not (folder / n).is_file()
    ]
    if missing:
        raise ParameterError(
            "DIR",
            str(folder),
            f"a finished campaign's output directory (missing {', '.join(missing)})",
        )
    try:
        manifest = json.loads((folder / "campaign.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # ValueError: not UTF-8, not JSON
        raise ParameterError(
            "DIR", str(folder), f"a readable campaign.json ({type(error).__name__})"
        ) from None
    if not isinstance(manifest, dict):
        raise ParameterError("DIR", str(folder), "a campaign.json holding a JSON object")
    # A damaged or foreign campaign.json stops here.
    record: Any = manifest.get("spec")
    spec = spec_from_record(record)
    tables = []
    for name in ("ber.csv", "confusion.csv"):
        try:
            tables.append(pd.read_csv(folder / name))
        except (OSError, ValueError) as error:  # pandas' parser errors are ValueErrors
            raise ParameterError(
                "DIR",
                str(folder),
                f"a readable {name} ({type(error).__name__}; rerun 'rram-ber run' to rewrite it)",
            ) from None
    # Exactly the chunks the campaign planned, as ber.csv counted them: a stray or leftover
    # chunk file (a copy, or one of a run with more samples) is not part of the campaign. An
    # auto campaign's first Monte-Carlo round is a monte-carlo campaign's chunks (its top-up
    # rounds, planned from the rows, are not read here: the delay and energy statistics come
    # from the first round).
    planned = (
        {
            chunk_path(folder, task.group_id, task.chunk): [
                (c.condition_id, s) for c in task.conditions for s in range(task.first, task.stop)
            ]
            for task in chunk_tasks(spec, spec.conditions())
        }
        if spec.campaign.method in ("monte-carlo", AUTO)
        else {}
    )
    samples = read_samples(folder, planned, expected_rows=planned)
    # A ber.csv written before the read-outcome definition is read into today's columns.
    return CampaignData(folder, manifest, upgrade_ber_table(tables[0]), tables[1], samples)
