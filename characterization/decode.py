"""Decode a read from the logic levels of the PCSA outputs (pure functions on arrays).

In an array read (:mod:`rram_ber.circuits.array`) each PCSA output drives the input inverter of the
flip-flop that samples it at the sampling time. The flip-flop stores the *logic level of its
input* at the clock edge: low when the output is below the inverter's switching threshold
``V_M`` by more than half the undecided band, high when above it by as much, *undecided*
(metastable) in between. ``V_M`` is that of the decode inverter at the read's corner and
temperature: the netlist holds a self-biased replica of it (input tied to output), whose
voltage is ``V_M``. The band is 0.3 VDD wide, the width between V_IL = 0.35 VDD and V_IH =
0.65 VDD of the JEDEC JESD8 CMOS interface levels (e.g. JESD8-12A, 1.2 V logic).

Decoded value, from the levels of ``(OUT, OUTB)``:

======  ======  =========================================================
OUT     OUTB    value
======  ======  =========================================================
low     high    +1: OUT fell (the BL branch had the lower resistance)
high    low     -1: OUTB fell
high    high    0: both outputs still high (ternary 0; for a binary cell a
                read that had not resolved by the sampling time)
low     low     undecided: both outputs low is no valid latch state
======  ======  =========================================================

A read is *undecided* only when the logic is: one of the levels is undecided, or both
outputs are low. Laborieux et al. (2020) read a ternary 0 as "both outputs still high", which
is the ``(high, high)`` row.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Width of the undecided band around the switching threshold, as a fraction of VDD.
UNDECIDED_BAND_FRACTION = 0.30

#: Codes of the logic levels.
LOW = 0
HIGH = 1
UNDECIDED = -1


def logic_levels(
    voltage_v: npt.ArrayLike, switching_v: float, vdd_v: float
) -> npt.NDArray[np.int8]:
    """Logic level of each voltage: :data:`HIGH`, :data:`LOW` or :data:`UNDECIDED`.

    Parameters
    ----------
    voltage_v : array_like
        Sampled node voltages [V].
    switching_v : float
        Switching threshold ``V_M`` of the gate that reads them [V].
    vdd_v : float
        Supply of the logic [V]; the undecided band is ``V_M +- 0.15 VDD``.
    """
    v = np.asarray(voltage_v, dtype=float)
    half_band = 0.5 * UNDECIDED_BAND_FRACTION * vdd_v
    levels = np.full(v.shape, UNDECIDED, dtype=np.int8)
    levels[v >= switching_v + half_band] = HIGH
    levels[v <= switching_v - half_band] = LOW
    return levels


def decode_levels(
    level_out: npt.ArrayLike, level_outb: npt.ArrayLike
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.bool_]]:
    """Decoded values and whether the logic decided, from the levels of OUT and OUTB.

    Returns
    -------
    value : numpy.ndarray of int8
        +1, -1 or 0 (see the module table); 0 also where undecided.
    decided : numpy.ndarray of bool
        False where a level is undecided or both outputs are low.
    """
    a = np.asarray(level_out, dtype=np.int8)
    b = np.asarray(level_outb, dtype=np.int8)
    decided = (a != UNDECIDED) & (b != UNDECIDED) & ~((a == LOW) & (b == LOW))
    value = np.zeros(np.broadcast(a, b).shape, dtype=np.int8)
    value[decided & (a == LOW) & (b == HIGH)] = 1
    value[decided & (a == HIGH) & (b == LOW)] = -1
    return value, decided


def decode_outputs(
    v_out: npt.ArrayLike, v_outb: npt.ArrayLike, switching_v: float, vdd_v: float
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.bool_]]:
    """Decode sampled PCSA outputs ``V(OUT)``, ``V(OUTB)`` [V].

    ``switching_v`` is the reading gate's threshold [V]: the replica's voltage in an array
    read; ``VDD / 2`` re-decodes stored outputs of reads made without decode logic.
    """
    return decode_levels(
        logic_levels(v_out, switching_v, vdd_v), logic_levels(v_outb, switching_v, vdd_v)
    )
