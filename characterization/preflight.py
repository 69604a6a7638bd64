"""Pre-flight of a campaign's user files: read by ngspice once before the first sample.

:func:`rram_ber.models.user_files.scan_user_file` checks what a user file may *contain*; whether
ngspice can *use* it (a model name that no section defines, a typo in the amplifier's
subcircuit) is known only to ngspice. Without a pre-flight such a mistake failed every sample
of the campaign, which then ended with "no resolved reads" and exit status 0. So before the
output directory is touched, :func:`preflight`

1. checks that the ``nmos_model`` and ``pmos_model`` the spec names are defined (``.model name``
   or binned ``.model name.N``) in every corner section of the user's library, and
2. simulates one nominal read per process corner the campaign uses (the first condition of
   the corner, one copy, nominal devices, no mismatch) in ``ngspice -b``
   (:class:`~characterization.session.NgspiceSubprocess`: a separate process, so this
   process's own ngspice session, if any, is not disturbed),

and stops with a :class:`~rram_ber.core.validation.ParameterError` (exit status 2) naming the
files and quoting ngspice's own error line. Only a netlist ngspice cannot parse stops the run:
a read that does not converge at one operating point is a result of the campaign, not a
mistake in the files. Campaigns without user files skip the pre-flight.
"""

from __future__ import annotations

import re

from rram_ber.characterization.read import simulate_reads
from rram_ber.characterization.session import NgspiceSubprocess, SimulationError
from rram_ber.characterization.spec import CampaignSpec, Condition
from rram_ber.circuits.cells import Cell, Cell1T1R, Cell2T2R, CellKind
from rram_ber.circuits.elements import FixedResistor
from rram_ber.circuits.read import ReadCopy
from rram_ber.core.validation import ParameterError
from rram_ber.models.cmos import ProcessCorner
from rram_ber.models.technology import Technology
from rram_ber.models.user_files import library_section

#: Nominal resistances of the pre-flight cell [ohm]: any valid values parse alike.
_LOW_OHM, _HIGH_OHM = 5e3, 20e3
#: Reason of a failed parse (:func:`rram_ber.characterization.session._failure_reason`).
_NOT_PARSED = "netlist could not be parsed"


def defined_models(text: str) -> set[str]:
    """Lower-case names of the ``.model`` cards in ``text`` (binned ``name.N`` as ``name``)."""
    names = set()
    for match in re.finditer(r"^\s*\.model\s+(\S+)", text, re.IGNORECASE | re.MULTILINE):
        name = match.group(1).lower()
        names.add(name)
        binned = re.fullmatch(r"(.+)\.\d+", name)
        if binned:
            names.add(binned.group(1))
    return names


def missing_models(technology: Technology) -> list[tuple[str, str, ProcessCorner, str]]:
    """``(key, model, corner, section)`` of every spec model name a corner section lacks."""
    if technology.library is None:
        return []
    missing = []
    for corner, section in technology.corner_sections:
        names = defined_models(library_section(technology.library, section))
        for key, model in (("nmos_model", technology.nmos_model),
                           ("pmos_model", technology.pmos_model)):  # fmt: skip
            if model not in names:
                missing.append((key, model, corner, section))
    return missing


def _nominal_cell(condition: Condition) -> Cell:
    if condition.cell.physical_cell is CellKind.TWO_T_TWO_R:
        return Cell2T2R(FixedResistor(_LOW_OHM), FixedResistor(_HIGH_OHM))
    return Cell1T1R(FixedResistor(_LOW_OHM), FixedResistor((_LOW_OHM * _HIGH_OHM) ** 0.5))


def _files(spec: CampaignSpec, corner: ProcessCorner) -> str:
    """The user files a read at ``corner`` uses, as the spec names them."""
    table, technology = spec.technology.table, spec.technology.technology
    files = []
    if technology.library is not None:
        files.append(f"{table['library']} (section {dict(technology.corner_sections)[corner]})")
    if spec.technology.user_pcsa is not None:
        files.append(f"{table['pcsa']} (subcircuit {spec.technology.user_pcsa.name})")
    return ", ".join(files)


def preflight(spec: CampaignSpec) -> None:
    """Check the campaign's user files with ngspice (see the module docstring).

    Raises
    ------
    ParameterError
        A spec model name missing from a corner section (naming the key, the section and the
        models it defines), or a read at some corner that ngspice cannot parse (naming the
        files and quoting ngspice's error).
    """
    if not spec.technology.scanned():
        return
    technology = spec.technology.technology
    missing = missing_models(technology)
    first: dict[ProcessCorner, Condition] = {}
    for condition in spec.conditions():
        first.setdefault(condition.corner, condition)
    with NgspiceSubprocess() as simulator:
        for corner, condition in first.items():
            copy = ReadCopy(_nominal_cell(condition), {}, condition.cell.mode.activation(0))
            try:
                simulate_reads(simulator, spec.read_conditions(condition), [copy])
            except SimulationError as error:
                if not error.reason.startswith(_NOT_PARSED):
                    continue  # not a mistake in the files: the campaign reports it
                said = f"ngspice at corner {corner.value} said: {error.reason}"
                if missing:
                    raise _missing_error(technology, missing, said) from None
                raise ParameterError(
                    "technology (user files)",
                    _files(spec, corner),
                    f"files ngspice can read; {said}",
                ) from None
    if missing:
        raise _missing_error(technology, missing, "")


def _missing_error(
    technology: Technology, missing: list[tuple[str, str, ProcessCorner, str]], said: str
) -> ParameterError:
    key, model, corner, section = missing[0]
    assert technology.library is not None  # missing_models returns [] without a library
    defined = sorted(defined_models(library_section(technology.library, section)))
    return ParameterError(
        f"technology.{key}",
        model,
        f"a model defined in every corner section of {technology.library.path.name}; section "
        f"{section!r} (corner {corner.value}) defines: {', '.join(defined) or 'no .model'}"
        + (f"; {said}" if said else ""),
    )
