"""The progress bar of every long command: one look, on stderr, off with ``--quiet``."""

from __future__ import annotations

import sys
from typing import IO, Any


def progress_bar(
    total: int,
    unit: str,
    desc: str,
    enabled: bool = True,
    initial: int = 0,
    file: IO[str] | None = None,
) -> Any:
    """A tqdm bar on stderr (``file``) that follows the terminal's width.

    Parameters
    ----------
    total : int
        Steps of the whole run.
    unit : str
        What one step is (``sample``, ``repeat``, ``pulse``...).
    desc : str
        Label in front of the bar.
    enabled : bool
        False (``--quiet``, or a library call without progress) shows nothing.
    initial : int
        Steps already done (a resumed run).
    file : text stream, optional
        Where the bar goes (default: standard error, so standard output stays for results).
    """
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit=unit,
        desc=desc,
        disable=not enabled,
        file=sys.stderr if file is None else file,
        dynamic_ncols=True,
    )
