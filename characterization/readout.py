"""Read modes: what a campaign cell stores, which input it gets and how its output decodes.

A campaign condition's ``cell`` names a :class:`CampaignCell`; its :attr:`CampaignCell.mode` is
the :class:`ReadMode` every layer asks instead of comparing strings: the sampler (stored values
and inputs), the row builder (expected value; whether outputs not separated at the sampling
time are a value, :mod:`rram_ber.characterization.outcome`), the spec (which device options and
estimators a mode supports) and the reports (binary or ternary tables).
Nothing here loads the simulator, so ``analysis`` imports it freely.

Adding a read mode: a member of :class:`CampaignCell` and its entry in :data:`READ_MODES`
(this file); a new circuit (``circuits/``) only if the sense amplifier changes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from rram_ber.circuits.cells import CellKind

#: Output separation, as a fraction of VDD, that counts as a resolved (latched) read.
DEFAULT_RESOLVE_FRACTION = 0.9


@dataclass(frozen=True, slots=True)
class ReadMode:
    """How one kind of campaign cell is written and read.

    Attributes
    ----------
    physical_cell : CellKind
        The memory cell in the netlist (2T2R or 1T1R).
    stored_values : tuple of int
        Values the cell stores, in the order samples cycle through them (every value is stored
        by the same share of samples).
    activations : tuple of int
        Input activations cycled against the stored values (XNOR-PCSA); empty = no input.
    unresolved_is_zero : bool
        Whether outputs not separated at the sampling time decode as 0 (ternary read in one
        sense, Laborieux et al., arXiv:2007.14234, 2020) instead of an unresolved read.
    xnor_switch : bool
        Whether the read uses the XNOR-PCSA's bit-line swap (Hirtzlin et al., Front. Neurosci.
        13:1383, 2020).
    vcm_programmable : bool
        Whether VCM devices can be programmed into it (a ternary 0 would need two RESET devices).
    rare_events : bool
        Whether the rare-event limit state (:mod:`~rram_ber.characterization.limit_states`)
        reads this mode, so the rare-event estimators apply.
    """

    physical_cell: CellKind
    stored_values: tuple[int, ...]
    activations: tuple[int, ...] = ()
    unresolved_is_zero: bool = False
    xnor_switch: bool = False
    vcm_programmable: bool = True
    rare_events: bool = False

    @property
    def ternary(self) -> bool:
        """Whether the cell stores ternary weights (+1, 0, -1)."""
        return 0 in self.stored_values

    def stored(self, sample_index: int) -> int:
        """The weight stored by sample ``sample_index``."""
        return self.stored_values[sample_index % len(self.stored_values)]

    def activation(self, sample_index: int) -> int | None:
        """The input activation of sample ``sample_index`` (None without input)."""
        if not self.activations:
            return None
        return self.activations[sample_index % len(self.activations)]

    @staticmethod
    def expected(stored: int, activation: int | None) -> int:
        """What a perfect read returns: the weight, or weight x input (XNOR)."""
        return stored if activation is None else stored * activation

    def device_states(self, stored: int) -> tuple[bool, bool]:
        """Whether the BL and BLB devices are in LRS for a stored value.

        2T2R encoding (Bocquet et al., IEDM 2018; Laborieux et al. 2020 for ternary):
        +1 = (LRS, HRS), -1 = (HRS, LRS), 0 = (HRS, HRS). For 1T1R only the BL entry is used.
        """
        if stored == 0:
            if not self.ternary:
                raise ValueError("only ternary cells store 0")
            return False, False
        return stored == 1, stored == -1


class CampaignCell(enum.StrEnum):
    """What a campaign condition reads (``conditions.cell``).

    * ``2t2r``: binary weight in a 2T2R cell, +1 = (LRS on BL, HRS on BLB).
    * ``1t1r``: binary weight in one device read against the reference resistor.
    * ``ternary``: ternary weight in a 2T2R cell, 0 = (HRS, HRS), decoded from one sense:
      outputs not separated at the sampling time read as 0.
    * ``xnor``: binary weight in a 2T2R cell read by the XNOR-PCSA with an input activation;
      the expected output is ``w * x``.
    """

    TWO_T_TWO_R = "2t2r"
    ONE_T_ONE_R = "1t1r"
    TERNARY = "ternary"
    XNOR = "xnor"

    @property
    def mode(self) -> ReadMode:
        """How this cell is written and read."""
        return READ_MODES[self]

    @property
    def physical_cell(self) -> CellKind:
        """The memory cell in the netlist."""
        return self.mode.physical_cell


#: Input activations of XNOR reads, cycled with period 4 against the period-2 weights, so
#: samples go through the four (weight, input) pairs: (+1, +1), (-1, +1), (+1, -1), (-1, -1).
XNOR_ACTIVATIONS = (1, 1, -1, -1)

READ_MODES: dict[CampaignCell, ReadMode] = {
    CampaignCell.TWO_T_TWO_R: ReadMode(CellKind.TWO_T_TWO_R, (1, -1), rare_events=True),
    CampaignCell.ONE_T_ONE_R: ReadMode(CellKind.ONE_T_ONE_R, (1, -1), rare_events=True),
    CampaignCell.TERNARY: ReadMode(
        CellKind.TWO_T_TWO_R,
        (1, 0, -1),
        unresolved_is_zero=True,
        vcm_programmable=False,
        rare_events=True,
    ),
    CampaignCell.XNOR: ReadMode(
        CellKind.TWO_T_TWO_R,
        (1, -1),
        activations=XNOR_ACTIVATIONS,
        xnor_switch=True,
        rare_events=True,
    ),
}


def read_mode(cell: str) -> ReadMode:
    """The read mode of a ``cell`` value as written in a table (e.g. ``"ternary"``)."""
    return CampaignCell(cell).mode
