"""Pluggable resistive elements placed in the cells' bit-line branches.

A resistive element writes its own netlist lines between two nodes. Two kinds exist: a fixed
resistor and the VCM RRAM compact model (:class:`VcmElement`, physics in ``rram_ber.models.vcm``),
which also brings the definition of its subcircuit. Cells and testbenches only use the
:class:`ResistiveElement` protocol, so a new device model plugs in without touching them.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from rram_ber.circuits.netlist import identifier, resistor, spice_number
from rram_ber.core.validation import ParameterError, check_range, parse_enum
from rram_ber.models.device_temperature import vcm_current_temperature_factor
from rram_ber.models.vcm import (
    FROZEN_SUBCIRCUIT_NAME,
    SUBCIRCUIT_NAME,
    VcmParameters,
    frozen_subcircuit_text,
    subcircuit_text,
)
from rram_ber.models.vcm_reference import resistance

#: Largest resistance accepted anywhere [ohm]; above it a "device" is an open circuit.
MAX_RESISTANCE_OHM = 1e12
#: Voltage at which programmed devices are characterised, V(AE, OE) [V].
READ_VOLTAGE_V = 0.1


@runtime_checkable
class ResistiveElement(Protocol):
    """A two-terminal resistive element that can be written into a netlist."""

    def element_lines(self, name: str, node_a: str, node_b: str) -> list[str]:
        """Netlist lines placing the element between ``node_a`` and ``node_b``.

        ``name`` is a unique lower-case identifier for this instance.
        """
        ...

    def definitions(self) -> tuple[str, ...]:
        """Subcircuit or model definitions the lines need (deduplicated by the testbench)."""
        ...

    def nominal_resistance_ohm(self) -> float:
        """Resistance at a small read voltage [ohm], used to state the expected read value."""
        ...


@dataclass(frozen=True, slots=True)
class FixedResistor:
    """An ideal linear resistor standing for a programmed RRAM device.

    Attributes
    ----------
    resistance_ohm : float
        Resistance [ohm], 0 < R <= 1e12.
    """

    resistance_ohm: float

    def __post_init__(self) -> None:
        check_range(
            "resistance_ohm",
            self.resistance_ohm,
            0.0,
            MAX_RESISTANCE_OHM,
            low_inclusive=False,
            unit="ohm",
        )

    def element_lines(self, name: str, node_a: str, node_b: str) -> list[str]:
        return [resistor(name, node_a, node_b, self.resistance_ohm)]

    def definitions(self) -> tuple[str, ...]:
        return ()

    def nominal_resistance_ohm(self) -> float:
        return self.resistance_ohm


class DeviceOrientation(enum.StrEnum):
    """Which electrode of a VCM device faces the bit line (terminal a of a cell branch).

    In a cell branch ``BL -> device -> access NMOS -> SL`` the read current flows from the bit
    line to the source line.

    * ``OE_ON_BIT_LINE`` (default): OE on the bit line, AE towards the access transistor. A read
      biases the device with ``V(AE, OE) < 0``, the SET polarity. SET drives the bit line with
      the source line grounded, so the access transistor's source is at ground and its
      saturation current is a clean compliance set by the word line (the usual 1T1R scheme).
      RESET drives the source line: the transistor then has the device in its source and needs a
      word line well above the RESET voltage (3.3 V by default).
    * ``AE_ON_BIT_LINE``: AE on the bit line. A read biases the device in the RESET polarity.
      But SET must then drive the source line, and the access transistor works as a source
      follower: before the SET the device sees at most about ``V_WL - V_T``. Measured with the
      default access transistor and pulses: the compliance lookup gives V_WL = 0.88 / 1.14 /
      1.30 V for 50 / 200 / 300 uA and none of them SETs within the pulse (6-11 uA observed,
      R stays ~70 kOhm); the device only SETs from V_WL ~ 1.2-1.4 V, and then the current
      rises to >= 230 uA (LRS at the ~1.7 kOhm series-resistance floor). The low-current,
      compliance-controlled LRS is out of reach.

    Why the default (read in the SET polarity) does not SET a device on a read: a PCSA read at
    VDD = 1.2 V puts up to 0.71 V on the HRS device and 0.57 V on the LRS device for about a
    nanosecond. The HRS state rises by ~1e-9 (relative) per read, while a SET at -0.7 V takes
    0.5 ms (30 ms at -0.6 V); the LRS state rises by ~1.5e-4 per read, towards a lower
    resistance, the safe side of the bit. ``tests/characterization/test_programming.py``
    measures both.
    """

    OE_ON_BIT_LINE = "oe_on_bl"
    AE_ON_BIT_LINE = "ae_on_bl"

    @classmethod
    def parse(cls, value: object, field: str = "orientation") -> DeviceOrientation:
        """The orientation named ``value`` (case-insensitive), else :class:`ParameterError`."""
        return parse_enum(cls, value, field)


@dataclass(frozen=True, slots=True)
class VcmElement:
    """A VCM RRAM device (JART VCM v1b physics, JART-TUD current; :mod:`rram_ber.models.vcm`) in a
    state.

    The element writes one instance of the ``rram_vcm`` subcircuit, with every parameter and
    the state as numbers, and an ``.ic`` line that starts its state node at ``ln(n_init)``. The
    state then evolves during the simulation (a read moves it by a negligible amount; programming
    moves it on purpose). A ``frozen`` element keeps the state fixed.

    Attributes
    ----------
    parameters : VcmParameters
        Device parameters; ``n_init`` is the state the simulation starts from (e.g. the state
        programming left).
    orientation : DeviceOrientation
        Electrode on terminal a (the bit line in a cell); see :class:`DeviceOrientation`.
    frozen : bool
        Write only the model's current at the fixed state ``n_init`` (no state equation, no
        state node): for reads, where the state moves by ~1e-4 relative at most and the frozen
        element is several times cheaper to simulate
        (:func:`rram_ber.models.vcm.frozen_subcircuit_text`).
    temperature_k : float or None
        Cell temperature of a frozen (read) element [K], 200 ... 450: its current is the
        fitted 293 K current times the Schottky contact's thermal factor
        (:func:`rram_ber.models.device_temperature.vcm_current_temperature_factor`, the model's own
        thermally activated conduction) in this orientation's read polarity. None: the fit
        temperature, 293 K. Only for frozen elements (a programming transient carries its
        temperature in the state equation, ``VcmParameters.t_ambient_k``).
    """

    parameters: VcmParameters
    orientation: DeviceOrientation = DeviceOrientation.OE_ON_BIT_LINE
    frozen: bool = False
    temperature_k: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.parameters, VcmParameters):
            raise ParameterError("parameters", self.parameters, "a VcmParameters record")
        object.__setattr__(self, "orientation", DeviceOrientation.parse(self.orientation))
        if not isinstance(self.frozen, bool):
            raise ParameterError("frozen", self.frozen, "True or False")
        if self.temperature_k is not None:
            check_range("temperature_k", self.temperature_k, 200.0, 450.0, unit="K")
            if not self.frozen:
                raise ParameterError(
                    "temperature_k", self.temperature_k, "None unless the element is frozen"
                )

    def with_frozen(self, frozen: bool = True) -> VcmElement:
        """The same device with (or without) a frozen state (a thawed one loses its read
        temperature)."""
        return VcmElement(
            self.parameters, self.orientation, frozen, self.temperature_k if frozen else None
        )

    def at_temperature(self, temp_c: float) -> VcmElement:
        """The frozen read element of this device at cell temperature ``temp_c`` [C]."""
        return VcmElement(self.parameters, self.orientation, True, temp_c + 273.15)

    def current_temperature_factor(self) -> float:
        """``I(T) / I(293 K)`` applied to the fitted current (1 without a temperature)."""
        if self.temperature_k is None:
            return 1.0
        return vcm_current_temperature_factor(
            self.temperature_k, self.parameters.n_init, set_polarity=self.read_polarity() < 0
        )

    @property
    def n_disc(self) -> float:
        """State ``N_disc`` at the start of a simulation [1e26 m^-3]."""
        return self.parameters.n_init

    @staticmethod
    def state_node(name: str) -> str:
        """Node whose voltage is ``ln(N_disc)`` for instance ``name``."""
        return identifier(name + "_lnn")

    def electrodes(self, node_a: str, node_b: str) -> tuple[str, str]:
        """``(AE node, OE node)`` when placed between ``node_a`` and ``node_b``."""
        if self.orientation is DeviceOrientation.AE_ON_BIT_LINE:
            return node_a, node_b
        return node_b, node_a

    def element_lines(self, name: str, node_a: str, node_b: str) -> list[str]:
        ae, oe = self.electrodes(node_a, node_b)
        p = self.parameters
        if self.frozen:
            values = " ".join(
                f"{key}={spice_number(value)}"
                for key, value in (
                    ("n", p.n_init),
                    ("rvar", p.r_filament_m),
                    ("lvar", p.l_disc_nm),
                    ("kt", self.current_temperature_factor()),
                )
            )
            return [
                f"x{identifier(name)} {identifier(ae)} {identifier(oe)}"
                f" {FROZEN_SUBCIRCUIT_NAME} {values}"
            ]
        values = " ".join(f"{key}={spice_number(value)}" for key, value in p.instance_values())
        state = self.state_node(name)
        return [
            f"x{identifier(name)} {identifier(ae)} {identifier(oe)} {state}"
            f" {SUBCIRCUIT_NAME} {values}",
            f".ic v({state})={spice_number(math.log(p.n_init))}",
        ]

    def definitions(self) -> tuple[str, ...]:
        return (frozen_subcircuit_text(),) if self.frozen else (subcircuit_text(),)

    def nominal_resistance_ohm(self) -> float:
        """Resistance seen by a 0.1 V read in this orientation's read polarity [ohm]."""
        return self.read_resistance_ohm(READ_VOLTAGE_V)

    def read_polarity(self) -> float:
        """Sign of ``V(AE, OE)`` during a read (current from the bit line to the source line)."""
        return 1.0 if self.orientation is DeviceOrientation.AE_ON_BIT_LINE else -1.0

    def read_resistance_ohm(self, v_read: float = READ_VOLTAGE_V) -> float:
        """Resistance ``|V / I|`` for a read of ``v_read`` volts across the device [ohm].

        The bias is applied in the read polarity of the orientation (``V(AE, OE) = -v_read``
        for ``OE_ON_BIT_LINE``), and computed from the model's explicit current (no simulator).
        The polarity matters for HRS states, see :func:`rram_ber.models.vcm_reference.resistance`.
        """
        check_range("v_read", v_read, 0.0, 1.0, low_inclusive=False, unit="V")
        v = self.read_polarity() * v_read
        return float(resistance(v, self.parameters.n_init, self.parameters)) / (
            self.current_temperature_factor()
        )
