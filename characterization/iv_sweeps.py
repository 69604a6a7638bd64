"""Quasi-static I-V sweeps of bare VCM devices (the butterfly curves of ``rram-ber program
--plots`` and of the model's validation tests), all devices in one netlist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rram_ber.characterization.session import Simulator
from rram_ber.circuits.elements import VcmElement
from rram_ber.circuits.programming import iv_sweep_netlist
from rram_ber.models.vcm import VcmParameters

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class IvCurves:
    """Quasi-static I-V sweeps of several devices on one time axis.

    Attributes
    ----------
    v : numpy.ndarray
        ``V(AE, OE)`` [V] at each time point.
    current_a : numpy.ndarray, shape (n_devices, n_points)
        Current from AE to OE [A].
    n_disc : numpy.ndarray, shape (n_devices, n_points)
        State [1e26 m^-3].
    time_s : numpy.ndarray
        Time points [s].
    """

    v: FloatArray
    current_a: FloatArray
    n_disc: FloatArray
    time_s: FloatArray


def simulate_iv_sweeps(
    simulator: Simulator,
    devices: Sequence[VcmParameters],
    amplitude_v: float = 1.3,
    rate_v_per_s: float = 1.0,
) -> IvCurves:
    """Sweep ``V(AE, OE)`` 0 -> -A -> 0 -> +A -> 0 on bare devices, all in one netlist."""
    elements = [VcmElement(d) for d in devices]
    netlist = iv_sweep_netlist(elements, amplitude_v, rate_v_per_s)
    vectors = ["ae"]
    for k in range(len(elements)):
        vectors += [f"vs_{k}#branch", f"dev_{k}_lnn"]
    t_stop = 4 * amplitude_v / rate_v_per_s
    waveforms = simulator.run_transient(netlist, vectors, t_stop)
    return IvCurves(
        v=waveforms["ae"],
        current_a=np.array([waveforms[f"vs_{k}#branch"] for k in range(len(elements))]),
        n_disc=np.exp(np.array([waveforms[f"dev_{k}_lnn"] for k in range(len(elements))])),
        time_s=waveforms.time_s,
    )
