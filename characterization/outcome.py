"""What a read's outcome is, for every read mode: the one definition behind every BER table.

Every simulated read has exactly one :class:`ReadOutcome`:

* **correct**: the read delivered, at the sampling time, the value a perfect read returns
  (the stored weight, or ``w * x`` for the XNOR-PCSA);
* **wrong**: it delivered a valid value, but another one;
* **undecided**: it delivered no valid value at the sampling time. For a binary read (2T2R,
  1T1R, XNOR) that is outputs not separated yet (both still high: 0 is no binary value),
  or decode logic that is itself undecided (an output in the undecided band, or both low).
  A ternary read decodes "both outputs still high" as its value 0 (Laborieux et al.,
  arXiv:2007.14234, 2020), so it is undecided only when the decode logic is; its 0 is
  *correct* for a stored 0 and *wrong* for a stored +1 or -1;
* **failed**: the read could not be simulated (its reason is in the sample row).

The bit-error rate of a condition is over **all** its reads, failed simulations included::

    ber = (n_wrong + n_undecided + n_failed) / n_samples

An undecided read gives the next stage no valid bit, and a read that could not be shown to work
is not counted as working: this is what the rare-event limit states count as a failure
(``ReadVariation(unresolved_is_failure=True)`` in ``characterization/limit_states.py``, failed
simulations included), so a Monte-Carlo row and a rare-event row of ``ber.csv`` estimate the
same quantity and an ``auto`` campaign may mix them. The undecided and failed shares are written
beside the BER (``undecided_share``, ``failed_share``), so a reader sees how much of it is not
a wrong value.

In a sample row the outcome is stored as ``status`` (failed or not), ``resolved`` (a valid
value was delivered: correct or wrong) and ``error`` (wrong); :func:`row_outcomes` reads it
back. Tables written before this definition stored a binary column read with both outputs
still high as a resolved error and a metastable ternary read as unresolved: their BER
numerator (every read that was not correct) is the same, only the split between wrong and
undecided differs.
"""

from __future__ import annotations

import enum

import numpy as np
import numpy.typing as npt

from rram_ber.characterization.readout import ReadMode


class ReadOutcome(enum.StrEnum):
    """The outcome of one read (see the module docstring)."""

    CORRECT = "correct"
    WRONG = "wrong"
    UNDECIDED = "undecided"
    FAILED = "failed"

    @property
    def delivered_value(self) -> bool:
        """Whether the read delivered a valid value (correct or wrong)."""
        return self in (ReadOutcome.CORRECT, ReadOutcome.WRONG)

    @property
    def is_bit_error(self) -> bool:
        """Whether the read counts in the BER's numerator (every outcome but correct)."""
        return self is not ReadOutcome.CORRECT


def read_outcome(mode: ReadMode, value: int, decided: bool, expected: int) -> ReadOutcome:
    """The outcome of a simulated read.

    Parameters
    ----------
    mode : ReadMode
        How the cell is read: whether outputs not separated at the sampling time are the
        value 0 (``mode.unresolved_is_zero``, ternary) or no value at all (binary).
    value : int
        The decoded value at the sampling time: +1, -1, or 0 when both outputs are still
        high (or not separated by the resolve fraction in the isolated fixture).
    decided : bool
        Whether the decoding gave a valid logic state (False when the array's decode logic is
        undecided: an output in the undecided band, or both outputs low). The isolated
        fixture compares the output separation with a threshold, which always decides.
    expected : int
        What a perfect read returns.
    """
    if not decided or (value == 0 and not mode.unresolved_is_zero):
        return ReadOutcome.UNDECIDED
    return ReadOutcome.CORRECT if value == expected else ReadOutcome.WRONG


def row_outcomes(
    ok: npt.ArrayLike, resolved: npt.ArrayLike, error: npt.ArrayLike
) -> npt.NDArray[np.str_]:
    """The outcome of each stored sample row, from its ``status == "ok"``, ``resolved`` and
    ``error`` columns: an array of :class:`ReadOutcome` values (strings, which compare equal
    to the members)."""
    ok_, resolved_, error_ = (np.asarray(a, dtype=bool) for a in (ok, resolved, error))
    return np.select(
        [~ok_, ~resolved_, error_],
        [str(ReadOutcome.FAILED), str(ReadOutcome.UNDECIDED), str(ReadOutcome.WRONG)],
        str(ReadOutcome.CORRECT),
    )
