"""How long computations report progress to whoever shows it.

The engine (``characterization``) calls a :data:`ProgressCallback`; the command line and the
API pass one that draws a progress bar (:class:`rram_ber.progress.ProgressBar`), a script may
pass its own. The engine never imports a user interface.
"""

from __future__ import annotations

from collections.abc import Callable

#: ``report(done, total, unit)``: ``done`` of ``total`` steps are finished, each step being one
#: ``unit`` (``"sample"``, ``"estimate"``...). The first call comes before any work, with the
#: steps already done (non-zero for a resumed run); later calls follow each finished piece.
ProgressCallback = Callable[[int, int, str], None]
