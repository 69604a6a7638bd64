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

from rram_ber.characterization.spec import CampaignSpec, spec_from_record
from rram_ber.characterization.store import read_samples
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
        Every sample row.
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
    missing = [
        n for n in ("campaign.json", "ber.csv", "confusion.csv") if not (folder / n).is_file()
    ]
    if missing:
        raise ParameterError(
            "DIR",
            str(folder),
            f"a finished campaign's output directory (missing {', '.join(missing)})",
        )
    manifest = json.loads((folder / "campaign.json").read_text(encoding="utf-8"))
    spec_from_record(manifest.get("spec"))  # a damaged or foreign campaign.json stops here
    ber = pd.read_csv(folder / "ber.csv")
    confusion = pd.read_csv(folder / "confusion.csv")
    return CampaignData(folder, manifest, ber, confusion, read_samples(folder))
