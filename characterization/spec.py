"""Campaign specifications: a TOML file validated into typed records, expanded into conditions.

A campaign file has these tables (every key optional unless said otherwise)::

    [campaign]      name, seed, samples, batch_size, method (default "auto"), time_limit_s,
                    target_relative_half_width, resolve_below, resolve_above, rare_samples,
                    max_samples, budget
    [conditions]    cell, vdd_v, temp_c, corner, t_sample_s, compliance_a
                    (each a value or a list of values: lists are swept)
    [device]        model = "fixed" | "lognormal" | "empirical" | "vcm", and its parameters
    [cell]          reference_ohm (1T1R reference resistor)
    [variability]   mismatch, device (on/off), Pelgrom coefficients
    [decode]        resolve_fraction (output separation / VDD that counts as latched)
    [timing]        ReadTiming fields except t_sample_s (which is a condition)
    [pcsa]          PcsaSizing fields
    [access]        AccessSizing fields
    [xnor]          XnorSwitchSizing fields (the XNOR-PCSA's bit-line swap)
    [array]         rows (a value or a swept list), mux_ways, isolated
                    (:mod:`rram_ber.characterization.array_spec`)
    [technology]    name, user model library, user PCSA (see technology_spec)
    [spec]          ber_max, delay_max_s, energy_max_j, accuracy_drop_max (limits the
                    report checks; not part of the fingerprint, see spec_limits)

Validation happens before anything runs. Every problem raises
:class:`~rram_ber.core.validation.ParameterError` naming the key (``table.key``, with ``[i]`` for a
list element), the value and the allowed values; unknown tables and keys are rejected with the
list of allowed ones. The expansion into conditions is the Cartesian product of the swept keys
in the fixed order of :data:`CONDITION_KEYS`, so condition ids are stable for a given file.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from rram_ber.characterization.array_spec import parse_array
from rram_ber.characterization.campaign_settings import (
    MAX_SAMPLES,
    OPTIONAL_CAMPAIGN_KEYS,
    CampaignSettings,
    VariabilitySettings,
)
from rram_ber.characterization.devices import (
    CELSIUS_TO_KELVIN,
    COMPLIANCE_MAX_A,
    COMPLIANCE_MIN_A,
    DEVICE_KEYS,
    RARE_EVENT_MODELS,
    DeviceModel,
    DeviceSettings,
    VcmSettings,
)
from rram_ber.characterization.rare.registry import AUTO, ESTIMATORS, CampaignWork
from rram_ber.characterization.readout import DEFAULT_RESOLVE_FRACTION, CampaignCell, ReadMode
from rram_ber.characterization.spec_limits import SpecLimits
from rram_ber.characterization.spec_tools import (
    as_float,
    boolean,
    build,
    element,
    record_from_table,
    record_keys,
    reject_unknown,
    swept,
    table,
    with_floats,
)
from rram_ber.characterization.technology_spec import (
    TechnologySettings,
    covered_corners,
    parse_technology,
    recorded_table,
)
from rram_ber.circuits.array import ColumnParameters
from rram_ber.circuits.cells import AccessSizing
from rram_ber.circuits.pcsa import PcsaSizing, XnorSwitchSizing
from rram_ber.circuits.read import TEMP_MAX_C, TEMP_MIN_C, ReadConditions, ReadTiming, check_vdd
from rram_ber.core.validation import (
    ParameterError,
    check_fields,
    check_int,
    check_positive,
    check_range,
    parse_enum,
    prefixed_errors,
    ranged,
)
from rram_ber.models.cmos import PelgromCoefficients, ProcessCorner
from rram_ber.models.resistance import reference_1t1r_ohm
from rram_ber.models.technology import Technology, get_technology
from rram_ber.models.vcm import VcmParameters

#: Keys of [conditions], in the order of the Cartesian product (the first varies slowest).
#: The sampling time comes last: conditions that differ only in it are consecutive and form
#: a group that shares its samples and its simulations (see :class:`Condition`).
CONDITION_KEYS = ("cell", "corner", "temp_c", "vdd_v", "compliance_a", "rows", "t_sample_s")

MAX_CONDITIONS = 10_000

S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Condition:
    """One point of the campaign's sweep, fully resolved.

    Attributes
    ----------
    condition_id : int
        Position in the expansion order (0-based).
    group_id : int
        Conditions that differ only in ``t_sample_s`` form a group: they share their random
        draws and one simulation per sample, measured at each sampling time (the sampling time
        is a measurement, not part of the circuit). BER against sampling time is therefore
        measured on common random numbers.
    cell : CampaignCell
        What is read (2t2r, 1t1r, ternary or xnor).
    corner : ProcessCorner
        Process corner.
    temp_c : float
        Temperature [C].
    vdd_v : float
        Supply [V].
    t_sample_s : float
        Sampling time after the sense-enable edge [s].
    compliance_a : float or None
        SET compliance current [A] (VCM devices only).
    rows : int or None
        Rows of the column the cell is read in (``[array] rows``); None: isolated fixture.
    """

    condition_id: int
    group_id: int
    cell: CampaignCell
    corner: ProcessCorner
    temp_c: float
    vdd_v: float
    t_sample_s: float
    compliance_a: float | None = None
    rows: int | None = None

    def settings(self) -> dict[str, Any]:
        """The swept values as plain JSON-able data (for tables and condition files)."""
        values: dict[str, Any] = {
            "cell": self.cell.value,
            "corner": self.corner.value,
            "temp_c": self.temp_c,
            "vdd_v": self.vdd_v,
            "t_sample_s": self.t_sample_s,
        }
        if self.compliance_a is not None:
            values["compliance_a"] = self.compliance_a
        if self.rows is not None:
            values["rows"] = self.rows
        return values

    def label(self) -> str:
        """Short human-readable description, e.g. ``"2t2r tt 27C 1.2V 2ns"``."""
        text = (
            f"{self.cell.value} {self.corner.value} {self.temp_c:g}C {self.vdd_v:g}V"
            f" {self.t_sample_s * 1e9:g}ns"
        )
        if self.compliance_a is not None:
            text += f" Ic={self.compliance_a * 1e6:g}uA"
        if self.rows is not None:
            text += f" {self.rows}rows"
        return text


@dataclass(frozen=True, slots=True)
class CampaignSpec:
    """A validated campaign: settings, sweeps and design records.

    Attributes
    ----------
    campaign, device, variability : records
        The [campaign], [device] and [variability] tables.
    sweeps : mapping
        Condition key -> tuple of values (one value = not swept).
    reference_ohm : float or None
        1T1R reference resistor [ohm]; None = geometric mean of the device's LRS/HRS medians
        (of the measured data for ``empirical`` devices).
    timing : ReadTiming
        Read timing (``t_sample_s`` is replaced per condition).
    pcsa : PcsaSizing
        PCSA sizes.
    access : AccessSizing
        Access transistor sizes.
    xnor : XnorSwitchSizing
        Bit-line swap of the XNOR-PCSA (used by ``xnor`` conditions).
    resolve_fraction : float
        Output separation, as a fraction of VDD, that counts as a resolved (latched) read;
        below it a binary read is unresolved and a ternary read decodes as 0.
    source_dir : str
        Directory of the spec file (relative paths such as ``device.csv`` resolve here).
    column : ColumnParameters or None
        The column every read is simulated in (``rows`` set per condition); None: the isolated
        fixture (ideal pulses, analogue decision by ``resolve_fraction``).
    technology : TechnologySettings
        Transistor technology and user files (default: PTM 130 nm, built-in PCSA).
    limits : SpecLimits
        The [spec] table: limits the report checks results against (not a simulation input).
    """

    campaign: CampaignSettings
    device: DeviceSettings
    variability: VariabilitySettings
    sweeps: Mapping[str, tuple[Any, ...]]
    reference_ohm: float | None
    timing: ReadTiming
    pcsa: PcsaSizing
    access: AccessSizing
    xnor: XnorSwitchSizing = field(default_factory=XnorSwitchSizing)
    resolve_fraction: float = DEFAULT_RESOLVE_FRACTION
    source_dir: str = "."
    column: ColumnParameters | None = field(default_factory=ColumnParameters)
    technology: TechnologySettings = field(default_factory=TechnologySettings)
    limits: SpecLimits = field(default_factory=SpecLimits)

    def with_samples(self, samples: int) -> CampaignSpec:
        """The same campaign with another Monte-Carlo count (``--samples``)."""
        check_int("--samples", samples, 1, MAX_SAMPLES)
        return dataclasses.replace(self, campaign=self.campaign.with_samples(samples))

    def conditions(self) -> list[Condition]:
        """Expand the sweeps into the explicit list of conditions (Cartesian product)."""
        keys = [key for key in CONDITION_KEYS if key in self.sweeps]
        combos = itertools.product(*(self.sweeps[key] for key in keys))
        per_group = len(self.sweeps["t_sample_s"])  # t_sample_s is the last, fastest key
        result = []
        for condition_id, values in enumerate(combos):
            settings = dict(zip(keys, values, strict=True))
            result.append(
                Condition(condition_id=condition_id, group_id=condition_id // per_group, **settings)
            )
        return result

    def read_conditions(self, condition: Condition) -> ReadConditions:
        """The read testbench settings of one condition."""
        return ReadConditions(
            vdd_v=condition.vdd_v,
            temp_c=condition.temp_c,
            corner=condition.corner,
            timing=dataclasses.replace(self.timing, t_sample_s=condition.t_sample_s),
            pcsa=self.pcsa,
            access=self.access,
            xnor=self.xnor if condition.cell.mode.xnor_switch else None,
            column=None
            if self.column is None or condition.rows is None
            else dataclasses.replace(self.column, rows=condition.rows),
            technology=self.technology.technology,
            user_pcsa=self.technology.user_pcsa,
        )

    def reference_resistance_ohm(self) -> float:
        """The 1T1R reference resistor [ohm]."""
        if self.reference_ohm is not None:
            return self.reference_ohm
        return reference_1t1r_ohm(*self.device.nominal_lrs_hrs_ohm())

    def to_dict(self) -> dict[str, Any]:
        """Plain data describing the campaign (``technology`` only when not the default)."""
        technology = self.technology.to_dict()
        extra = {} if technology == {"name": "ptm130"} else {"technology": technology}
        return {
            # Unset optional keys (precision target, resolution floor, rare budget) are left
            # out, so the fingerprint of a campaign that does not use them is what it was
            # before the fields existed.
            "campaign": {
                key: value
                for key, value in dataclasses.asdict(self.campaign).items()
                if not (key in OPTIONAL_CAMPAIGN_KEYS and value is None)
            },
            "device": self.device.to_dict(),
            "variability": {
                "mismatch": self.variability.mismatch,
                "device": self.variability.device,
                **dataclasses.asdict(self.variability.pelgrom),
            },
            # Rows are written under "array", where the file sets them.
            "conditions": {
                key: [_plain(v) for v in values]
                for key, values in self.sweeps.items()
                if key != "rows"
            },
            "cell": {"reference_ohm": self.reference_resistance_ohm()},
            # An unset TRTOL and a device bypass that is off are left out, so campaigns
            # without them are recorded (and fingerprinted) as before the fields existed.
            "timing": {
                key: value
                for key, value in dataclasses.asdict(self.timing).items()
                if value is not None and not (key == "bypass" and value is False)
            },
            "pcsa": dataclasses.asdict(self.pcsa),
            "access": dataclasses.asdict(self.access),
            "xnor": dataclasses.asdict(self.xnor),
            "decode": {"resolve_fraction": self.resolve_fraction},
            "array": {"isolated": True}
            if self.column is None
            else {"rows": list(self.sweeps["rows"]), "mux_ways": self.column.mux_ways},
            **extra,
            # Only when declared, so a campaign without limits is recorded as before.
            **({"spec": self.limits.to_dict()} if self.limits.declared else {}),
        }


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


# --- parsing: one function per table, then the checks that join tables --------------------

_TABLES = (
    "campaign",
    "conditions",
    "device",
    "cell",
    "variability",
    "decode",
    "timing",
    "pcsa",
    "access",
    "xnor",
    "array",
    "technology",
    "spec",
)


@dataclass(frozen=True, slots=True)
class _CellTable:
    """The [cell] table (kept on :class:`CampaignSpec` as ``reference_ohm``)."""

    reference_ohm: float | None = ranged(
        None, 0.0, 1e12, low_inclusive=False, unit="ohm", description="1T1R reference resistor"
    )

    def __post_init__(self) -> None:
        check_fields(self)


@dataclass(frozen=True, slots=True)
class _DecodeTable:
    """The [decode] table (kept on :class:`CampaignSpec` as ``resolve_fraction``)."""

    resolve_fraction: float = ranged(
        DEFAULT_RESOLVE_FRACTION,
        0.0,
        1.0,
        low_inclusive=False,
        description="output separation / VDD that counts as latched",
    )

    def __post_init__(self) -> None:
        check_fields(self)


def parse_spec(
    data: Mapping[str, Any], source_dir: str = ".", read_files: bool = True
) -> CampaignSpec:
    """Validate campaign data (as read from TOML) into a :class:`CampaignSpec`.

    ``read_files`` reads the files the campaign names (``device.csv``): off only for a spec
    read back from a finished campaign, whose results already hold what the files gave.

    Each table is parsed by its own function with the toolkit of
    :mod:`rram_ber.characterization.spec_tools`; the order below is the order of what depends
    on what (the technology gives the default mismatch, supply and sizes; the timing bounds the
    sampling times; the device model decides the compliance sweep and the estimators).

    Raises
    ------
    ParameterError
        For the first problem found, naming the key, the value and what is allowed.
    """
    if not isinstance(data, Mapping):
        raise ParameterError("spec", data, "a TOML document with tables")
    reject_unknown("", data, _TABLES)
    campaign = record_from_table("campaign", CampaignSettings, table(data, "campaign"))
    device = _device(table(data, "device"))
    technology_table = table(data, "technology")
    base = get_technology(technology_table.get("name", "ptm130"), "technology.name")
    variability = _variability(table(data, "variability"), base)
    technology = parse_technology(technology_table, source_dir, variability.pelgrom, read_files)
    cell = record_from_table("cell", _CellTable, table(data, "cell"))
    timing = _timing(table(data, "timing"))

    sweeps = _sweeps(table(data, "conditions"), technology.technology)
    covered_corners(technology, sweeps["corner"])
    column, rows = parse_array(table(data, "array"))
    if column is not None:
        sweeps["rows"] = rows
    _check_sampling_times(sweeps["t_sample_s"], timing)
    _vcm_conditions(device, sweeps)

    decode = record_from_table("decode", _DecodeTable, table(data, "decode"))
    _check_method(campaign, device, sweeps)
    spec = CampaignSpec(
        campaign=campaign,
        device=device,
        variability=variability,
        sweeps=sweeps,
        reference_ohm=cell.reference_ohm,
        timing=timing,
        pcsa=_sized(data, "pcsa", PcsaSizing, technology.technology),
        access=_sized(data, "access", AccessSizing, technology.technology),
        xnor=_sized(data, "xnor", XnorSwitchSizing, technology.technology),
        resolve_fraction=decode.resolve_fraction,
        source_dir=source_dir,
        column=column,
        technology=technology,
        limits=SpecLimits.from_mapping(table(data, "spec")),
    )
    n_conditions = math.prod(len(v) for v in sweeps.values())
    if n_conditions > MAX_CONDITIONS:
        raise ParameterError("conditions", n_conditions, f"at most {MAX_CONDITIONS} combinations")
    if read_files:
        # Last, once everything else is known to be valid: reading a file may be slow. A
        # refusal of what the data cannot carry (a tail fitted to too few devices) names its
        # [device] key.
        with prefixed_errors("device."):
            device = spec.device.load_measured(source_dir)
        spec = dataclasses.replace(spec, device=device)
    return spec


def _device(values: Mapping[str, Any]) -> DeviceSettings:
    """The [device] table with its [device.vcm] record (the measured file is read last)."""
    reject_unknown("device", values, DEVICE_KEYS)
    vcm_table = table(values, "vcm", parent="device")
    if "compliance_a" in vcm_table:
        raise ParameterError(
            "device.vcm.compliance_a",
            vcm_table["compliance_a"],
            "no value here: set conditions.compliance_a",
        )
    vcm = record_from_table("device.vcm", VcmSettings, vcm_table)
    numbers = with_floats(DeviceSettings, {k: v for k, v in values.items() if k != "vcm"})
    return build("device", DeviceSettings, {**numbers, "vcm": vcm})


def _variability(values: Mapping[str, Any], technology: Technology) -> VariabilitySettings:
    """The [variability] table: two switches and the Pelgrom coefficients."""
    pelgrom_keys = record_keys(PelgromCoefficients)
    switch_keys = ("mismatch", "device")
    reject_unknown("variability", values, (*switch_keys, *pelgrom_keys))
    switches = {key: boolean(f"variability.{key}", values.get(key, True)) for key in switch_keys}
    # Each technology's own mismatch is the default; given keys override it.
    pelgrom = record_from_table(
        "variability",
        PelgromCoefficients,
        {k: v for k, v in values.items() if k not in switch_keys},
        defaults=dataclasses.asdict(technology.mismatch),
    )
    return VariabilitySettings(pelgrom=pelgrom, **switches)


def _timing(values: Mapping[str, Any]) -> ReadTiming:
    """The [timing] table; ``t_sample_s`` is a condition (:func:`_check_sampling_times`)."""
    if "t_sample_s" in values:
        raise ParameterError(
            "timing.t_sample_s", values["t_sample_s"], "no value here: set conditions.t_sample_s"
        )
    # The record needs a sampling time: a placeholder that is always valid.
    placeholder = as_float(values.get("t_edge_s", ReadTiming().t_edge_s))
    return record_from_table(
        "timing", ReadTiming, values, defaults={"t_sample_s": placeholder}, without=("t_sample_s",)
    )


def _sized(data: Mapping[str, Any], name: str, record_type: type[S], sizes: Technology) -> S:
    """A sizing table: the technology's default sizes with the table's keys replaced."""
    defaults = dataclasses.asdict(record_type.for_technology(sizes))  # type: ignore[attr-defined]
    return record_from_table(name, record_type, table(data, name), defaults=defaults)


_CONDITION_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "cell": lambda key, v: parse_enum(CampaignCell, v, key),
    "corner": lambda key, v: ProcessCorner.parse(v, key),
    "temp_c": lambda key, v: check_range(key, as_float(v), TEMP_MIN_C, TEMP_MAX_C, unit="C"),
    "vdd_v": lambda key, v: check_vdd(key, as_float(v)),
    "t_sample_s": lambda key, v: check_positive(key, as_float(v), unit="s"),
    "compliance_a": lambda key, v: check_range(key, as_float(v), 1e-6, 1e-3, unit="A"),
}

_CONDITION_DEFAULTS: dict[str, Any] = {
    "cell": "2t2r",
    "corner": "tt",
    "temp_c": 27.0,
    "vdd_v": 1.2,
    "t_sample_s": ReadTiming().t_sample_s,
}


def _sweeps(values: Mapping[str, Any], technology: Technology) -> dict[str, tuple[Any, ...]]:
    """The [conditions] table: every key swept, in the order of :data:`CONDITION_KEYS`."""
    # Rows are swept from [array] (characterization.array_spec), not from [conditions].
    reject_unknown("conditions", values, [k for k in CONDITION_KEYS if k != "rows"])
    defaults = {**_CONDITION_DEFAULTS, "vdd_v": technology.vdd_default_v}
    checks = {
        **_CONDITION_CHECKS,
        "vdd_v": lambda key, v: check_vdd(key, as_float(v), technology),
    }
    return {
        key: swept(f"conditions.{key}", values.get(key, defaults.get(key)), checks[key])
        for key in CONDITION_KEYS
        if key in values or key in defaults
    }


def _check_sampling_times(times: Sequence[float], timing: ReadTiming) -> None:
    """Every swept sampling time lies inside the read's evaluation window."""
    for index, t_sample in enumerate(times):
        if t_sample > timing.t_evaluate_s or t_sample < timing.t_edge_s:
            raise ParameterError(
                element("conditions.t_sample_s", index, len(times)),
                t_sample,
                f"a time between timing.t_edge_s = {timing.t_edge_s:g} s and "
                f"timing.t_evaluate_s = {timing.t_evaluate_s:g} s",
            )


def _cells_where(condition: Callable[[ReadMode], bool]) -> str:
    """The cells whose read mode satisfies ``condition``, for an error message."""
    return "one of " + ", ".join(repr(c.value) for c in CampaignCell if condition(c.mode))


def _vcm_conditions(device: DeviceSettings, sweeps: dict[str, tuple[Any, ...]]) -> None:
    """The compliance sweep (VCM devices only, 100 uA by default); cells, compliances and
    temperatures a VCM campaign can program, before anything runs."""
    if device.model is not DeviceModel.VCM:
        if "compliance_a" in sweeps:
            raise ParameterError(
                "conditions.compliance_a",
                list(sweeps["compliance_a"]),
                "no value unless device.model = 'vcm'",
            )
        return
    sweeps.setdefault("compliance_a", (100e-6,))
    for index, cell in enumerate(sweeps["cell"]):
        if not cell.mode.vcm_programmable:
            raise ParameterError(
                element("conditions.cell", index, len(sweeps["cell"])),
                cell.value,
                _cells_where(lambda mode: mode.vcm_programmable) + " with device.model = 'vcm'",
            )
    for index, compliance in enumerate(sweeps["compliance_a"]):
        check_range(
            element("conditions.compliance_a", index, len(sweeps["compliance_a"])),
            compliance,
            COMPLIANCE_MIN_A,
            COMPLIANCE_MAX_A,
            unit="A",
        )
    for temp in sweeps["temp_c"]:
        try:
            VcmParameters(t_ambient_k=temp + CELSIUS_TO_KELVIN)
        except ParameterError:
            raise ParameterError(
                "conditions.temp_c", temp, "-23.15 ... 126.85 C (VCM model box 250-400 K)"
            ) from None


def _check_method(
    campaign: CampaignSettings, device: DeviceSettings, sweeps: Mapping[str, tuple[Any, ...]]
) -> None:
    """The rare-event estimators work on the Gaussian variables of the reads their limit
    state covers (every read mode whose ``rare_events`` is set; resistor and VCM devices)."""
    method = campaign.method
    if method == AUTO:
        # Auto runs Monte-Carlo everywhere and switches only the conditions whose read mode
        # and devices the rare-event limit state supports; its keys are checked by
        # CampaignSettings, its budget against the condition groups here.
        campaign.check_first_round(
            math.prod(len(v) for k, v in sweeps.items() if k != "t_sample_s")
        )
        return
    estimator = ESTIMATORS[method]
    if campaign.target_relative_half_width is not None and not estimator.precision_target:
        stopping = [name for name, entry in ESTIMATORS.items() if entry.precision_target]
        raise ParameterError(
            "campaign.target_relative_half_width",
            campaign.target_relative_half_width,
            f"no value with campaign.method = {method!r} (only {', '.join(stopping)} can stop at a"
            " precision)",
        )
    if estimator.campaign_work is CampaignWork.SAMPLE_CHUNKS:
        return
    if not device.rare_events:
        raise ParameterError(
            "device.model",
            device.model.value,
            "one of "
            + ", ".join(repr(m.value) for m in RARE_EVENT_MODELS)
            + f" with campaign.method = {method!r}",
        )
    for cell in sweeps["cell"]:
        if not cell.mode.rare_events:
            raise ParameterError(
                "conditions.cell",
                cell.value,
                _cells_where(lambda mode: mode.rare_events) + f" with campaign.method = {method!r}",
            )
    minimum = estimator.campaign_min_samples
    if campaign.samples < minimum:
        raise ParameterError(
            "campaign.samples",
            campaign.samples,
            f"at least {minimum} (the simulation budget of one {method} estimate)",
        )


def spec_from_record(record: Mapping[str, Any]) -> CampaignSpec:
    """The campaign a ``campaign.json`` describes (the output of :meth:`CampaignSpec.to_dict`).

    The measured-resistance file is not read again (the results hold its draws).

    Raises
    ------
    ParameterError
        If the record is not a valid campaign.
    """
    if not isinstance(record, Mapping):
        raise ParameterError("campaign.json spec", record, "a campaign record")
    data = {
        key: (dict(value) if isinstance(value, Mapping) else value) for key, value in record.items()
    }
    timing = data.get("timing")
    if isinstance(timing, dict):
        timing.pop("t_sample_s", None)  # written for the record; a condition, not a setting
    if isinstance(data.get("technology"), dict):
        data["technology"] = recorded_table(data["technology"])
    spec = parse_spec(data, read_files=False)
    if isinstance(timing, dict) and "trtol" not in timing:
        # Written before TRTOL had a default of its own (issue 26): such a campaign ran with
        # the netlist free of the option, at ngspice's own TRTOL.
        spec = dataclasses.replace(spec, timing=dataclasses.replace(spec.timing, trtol=None))
    return spec


def load_spec(path: str | Path) -> CampaignSpec:
    """Read and validate a campaign TOML file.

    Raises
    ------
    ParameterError
        If the file is missing, is not valid TOML, or holds an invalid campaign.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ParameterError(
            "SPEC", str(path), f"a readable campaign file ({error.strerror})"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ParameterError("SPEC", str(path), f"valid TOML ({error})") from None
    if "conditions" not in data:
        # Every key has a default, so an empty or truncated file would otherwise run a
        # 1000-sample campaign of a default read without saying so.
        raise ParameterError(
            "SPEC",
            str(path),
            "a campaign file with a [conditions] table (e.g. vdd_v = [1.2, 0.9]); see the "
            "shipped campaigns in characterization/campaigns/",
        )
    return parse_spec(data, source_dir=str(path.parent))
