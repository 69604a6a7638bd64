"""The progress bar of every long command: one look, on stderr, off with ``--quiet``."""

from __future__ import annotations

import sys
from types import TracebackType
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


class ProgressBar:
    """A :data:`rram_ber.core.reporting.ProgressCallback` that draws a :func:`progress_bar`.

    The bar opens at the first report (which says how many steps are already done) and closes
    when the ``with`` block ends.

    Parameters
    ----------
    desc : str
        Label in front of the bar.
    enabled : bool
        False shows nothing.
    file : text stream, optional
        Where the bar goes (default: standard error).
    """

    def __init__(self, desc: str, enabled: bool = True, file: IO[str] | None = None) -> None:
        self.desc = desc
        self.enabled = enabled
        self.file = file
        self._bar: Any = None
        self._stage: tuple[str, int] = ("", 0)

    def __call__(self, done: int, total: int, unit: str) -> None:
        if self._bar is not None and (unit, total) != self._stage:
            # A new stage of other work (an auto campaign's top-up rounds and estimates after
            # its first samples): a new bar.
            self._bar.close()
            self._bar = None
        if self._bar is None:
            self._stage = (unit, total)
            self._bar = progress_bar(total, unit, self.desc, self.enabled, done, self.file)
        else:
            self._bar.update(done - self._bar.n)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.close()
