"""The PCSA read of a cell whose VCM devices are programmed in SPICE, as a limit state.

:class:`VcmReadLimitState` is the rare-event counterpart of the Monte-Carlo VCM samples of
:mod:`rram_ber.characterization.vcm_cells`: every row of ``u`` is a cell whose devices are drawn,
SET at the compliance (the device that must hold the HRS SET then RESET), and then read by the PCSA.
Its independent standard-normal variables, in column order:

* ``u_dvt_<t>``, ``u_dbeta_<t>``: transistor mismatch of the read, as in
  :class:`~characterization.limit_states.ReadLimitState` (and, for an XNOR read, its input
  ``u_x``);
* ``u_d2d_<side>_<q>``: device-to-device variability of the device on ``side`` (``bl``, and
  ``blb`` for 2T2R) for each ``q`` of :data:`~models.variability.D2D_FIELDS`, mapped by
  :func:`~models.variability.d2d_from_standard_normal` (inverse CDF of the truncated Gaussians
  of Bengel et al., IEEE TCAS-I 67(12) 4618, 2020), the very map of the Monte-Carlo path;
* ``u_c2c_set_<side>_<q>``: the cycle-to-cycle step of the SET pulse of each device, and
  ``u_c2c_reset_<side>_<q>``: that of the RESET pulse of the device that holds the HRS,
  mapped by :func:`~models.variability.c2c_step_from_standard_normal` (the distribution of the
  Monte-Carlo path's random walk, not its values for a given seed).

The d2d and c2c variables exist only when the programming conditions have that variability.
A batch of rows is programmed pulse by pulse (one device per programming netlist, as in the
Monte-Carlo path, where batching does not pay, see
:class:`~characterization.programming.ProgramConditions`) and read in batched netlists of
``copies_per_netlist`` copies. A row whose programming fails counts as a failure (a cell that
could not be shown to work is not counted as working), with its reason in the row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from rram_ber.characterization.limit_states import _DEVIATIONS, ReadLimitState, ReadVariation
from rram_ber.characterization.programming import (
    Operation,
    ProgramConditions,
    apply_pulse,
    compliance_word_line_voltage,
    fresh_devices,
    program_2t2r_cells,
)
from rram_ber.characterization.simulator import Simulator
from rram_ber.circuits.cells import Cell1T1R, CellKind
from rram_ber.circuits.elements import FixedResistor, VcmElement
from rram_ber.circuits.read import ReadConditions, ReadCopy
from rram_ber.core.validation import ParameterError
from rram_ber.models.variability import D2D_FIELDS

#: Why a row has no read: its programming failed.
PROGRAMMING_FAILED = "programming simulation failed"


class VcmReadLimitState(ReadLimitState):
    """Failure of the read of a SPICE-programmed VCM cell, as a function of standard normals.

    Parameters
    ----------
    simulator : Simulator
        An open simulator.
    conditions : ReadConditions
        The read's supply, temperature, corner, timing and sizes.
    variation : ReadVariation
        Cell, stored value, mismatch and the failure rule; its resistor devices must not vary
        (the devices come from programming), and a 1T1R cell needs its ``reference_ohm``.
    program : ProgramConditions
        Compliance, pulses, bench and d2d / c2c variability of the programming.
    copies_per_netlist : int
        Largest number of read copies in one netlist.
    """

    def __init__(
        self,
        simulator: Simulator,
        conditions: ReadConditions,
        variation: ReadVariation,
        program: ProgramConditions,
        copies_per_netlist: int = 100,
        also_at: Sequence[ReadConditions] = (),
    ) -> None:
        if not isinstance(variation, ReadVariation):
            raise ParameterError("variation", variation, "ReadVariation")
        if variation.vary_devices and (
            variation.devices.lrs.sigma_ln > 0 or variation.devices.hrs.sigma_ln > 0
        ):
            raise ParameterError(
                "variation.devices",
                variation.devices,
                "fixed devices, or vary_devices off (VCM devices vary through their programming)",
            )
        if variation.cell is CellKind.ONE_T_ONE_R and variation.reference_ohm is None:
            raise ParameterError("variation.reference_ohm", None, "a reference for a 1T1R cell")
        if not isinstance(program, ProgramConditions):
            raise ParameterError("program", program, "ProgramConditions")
        super().__init__(simulator, conditions, variation, copies_per_netlist, also_at)
        self.program = program
        two = variation.cell is CellKind.TWO_T_TWO_R
        self.sides: tuple[str, ...] = ("bl", "blb") if two else ("bl",)
        # The device that holds the HRS is the one cycled SET then RESET.
        if two:
            self.reset_sides: tuple[str, ...] = ("blb",) if variation.stored == 1 else ("bl",)
        else:
            self.reset_sides = ("bl",) if variation.stored == -1 else ()
        names = list(self.variable_names)
        self._n_mismatch = len(names)
        if program.d2d is not None:
            names += [f"u_d2d_{side}_{q}" for side in self.sides for q in D2D_FIELDS]
        if program.c2c is not None:
            names += [f"u_c2c_set_{side}_{q}" for side in self.sides for q in D2D_FIELDS]
            names += [f"u_c2c_reset_{side}_{q}" for side in self.reset_sides for q in D2D_FIELDS]
        self.variable_names = tuple(names)

    def copies(self, u: np.ndarray) -> tuple[list[ReadCopy], list[dict[str, object]]]:
        """Not available: the copies of a VCM cell need the programming simulations (the limit
        state itself, ``state(u)``, programs and reads)."""
        raise TypeError("VcmReadLimitState programs its devices in SPICE; call the state itself")

    def _device_u(self, u: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray]:
        """d2d values (one row per device), SET and RESET c2c values (one row per pulse)."""
        n = len(u)
        n_q = len(D2D_FIELDS)
        start = self._n_mismatch
        d2d = None
        if self.program.d2d is not None:
            width = len(self.sides) * n_q
            d2d = u[:, start : start + width].reshape(n * len(self.sides), n_q)
            start += width
        set_u = None
        reset_u = np.empty((0, n_q))
        if self.program.c2c is not None:
            width = len(self.sides) * n_q
            set_u = u[:, start : start + width].reshape(n * len(self.sides), n_q)
            start += width
            width = len(self.reset_sides) * n_q
            reset_u = u[:, start : start + width].reshape(n * len(self.reset_sides), n_q)
        return d2d, set_u, reset_u

    def _plan(self, u: np.ndarray) -> tuple[list[ReadCopy | str], list[dict[str, object]]]:
        u = self._check_u(u)
        records = self._mismatch_records(u)
        deviations = [record.pop(_DEVIATIONS) for record in records]
        d2d, set_u, reset_u = self._device_u(u)
        # Every draw comes from u; the generator is required by the programming API only.
        rng = np.random.default_rng(0)
        planned: list[ReadCopy | str] = []
        if self.variation.cell is CellKind.TWO_T_TWO_R:
            cells = program_2t2r_cells(
                self.simulator,
                [self.variation.stored] * len(u),
                self.program,
                rng,
                d2d_u=d2d,
                read_temp_c=self.conditions.temp_c,
                c2c_u=None if set_u is None else (set_u, reset_u),
            )
            for i, (record, sample, dev) in enumerate(zip(records, cells, deviations, strict=True)):
                record.update(sample.row)
                record["r_bl_ohm"] = sample.row["bl_r_read_ohm"]
                record["r_blb_ohm"] = sample.row["blb_r_read_ohm"]
                assert isinstance(dev, dict)
                planned.append(
                    PROGRAMMING_FAILED
                    if sample.cell is None
                    else ReadCopy(sample.cell, dev, self._activation(u[i]))
                )
            return planned, records
        return self._plan_1t1r(records, deviations, d2d, set_u, reset_u, rng)

    def _plan_1t1r(
        self,
        records: list[dict[str, object]],
        deviations: list[object],
        d2d: np.ndarray | None,
        set_u: np.ndarray | None,
        reset_u: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[list[ReadCopy | str], list[dict[str, object]]]:
        """One device per row: SET at the compliance, RESET too when it must hold the HRS (as
        :func:`rram_ber.characterization.vcm_cells.plan_vcm_samples`)."""
        n = len(records)
        reference = self.variation.reference_resistance_ohm()
        drawn = fresh_devices(rng, n, self.program, d2d)
        v_wl = compliance_word_line_voltage(self.simulator, self.program)
        set_out = apply_pulse(
            self.simulator, drawn, Operation.SET, self.program, rng, v_wl, c2c_u=set_u
        )
        final = [o.device for o in set_out]
        failed = [o.failed for o in set_out]
        if self.reset_sides:
            reset_out = apply_pulse(
                self.simulator,
                final,
                Operation.RESET,
                self.program,
                rng,
                c2c_u=None if set_u is None else reset_u,
            )
            final = [o.device for o in reset_out]
            failed = [f or o.failed for f, o in zip(failed, reset_out, strict=True)]
        planned: list[ReadCopy | str] = []
        orientation = self.program.bench.orientation
        for k, record in enumerate(records):
            record["v_wl_set_v"] = v_wl
            record["bl_compliance_a"] = set_out[k].current_end_a
            for name in D2D_FIELDS:
                record[f"bl_{name}"] = float(getattr(drawn[k], name))
            record["r_blb_ohm"] = reference
            if failed[k]:
                record["bl_n_disc"] = math.nan
                record["r_bl_ohm"] = math.nan
                planned.append(PROGRAMMING_FAILED)
                continue
            element = VcmElement(final[k], orientation, frozen=True)
            record["bl_n_disc"] = final[k].n_init
            record["r_bl_ohm"] = element.nominal_resistance_ohm()
            dev = deviations[k]
            assert isinstance(dev, dict)
            # Read at the cell temperature (the VCM model's thermal factor), as the
            # Monte-Carlo path (characterization.vcm_cells) does.
            hot = element.at_temperature(self.conditions.temp_c)
            planned.append(ReadCopy(Cell1T1R(hot, FixedResistor(reference)), dev))
        return planned, records


__all__ = ["PROGRAMMING_FAILED", "VcmReadLimitState"]
