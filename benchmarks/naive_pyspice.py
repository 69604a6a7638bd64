"""The naive way to run Monte-Carlo reads with PySpice, as the benchmarks' baseline.

A fresh PySpice ``Circuit`` and simulator per sample (PCSA + 2T2R cell with that sample's
mismatch, same sizes, timing and time step as rram-ber's read testbench), then the decision
measured on its outputs.
"""

from __future__ import annotations

import numpy as np

from rram_ber.characterization.measure import decision_at
from rram_ber.circuits.read import ReadConditions
from rram_ber.models.cmos import Polarity, TransistorDeviation, instance_parameters, model_card_text


def naive_pyspice_read(
    conditions: ReadConditions,
    deviations: dict[str, TransistorDeviation],
    r_bl_ohm: float,
    r_blb_ohm: float,
) -> int:
    """One read the naive way: a fresh PySpice Circuit and simulator for this sample."""
    from PySpice.Spice.Netlist import Circuit

    timing, vdd = conditions.timing, conditions.vdd_v
    pcsa, access = conditions.pcsa, conditions.access
    circuit = Circuit("naive read")
    circuit.raw_spice = model_card_text()
    circuit.V("dd", "vdd", circuit.gnd, vdd)
    circuit.PulseVoltageSource(
        "sen",
        "sen",
        circuit.gnd,
        initial_value=0,
        pulsed_value=vdd,
        delay_time=timing.t_sen_s,
        rise_time=timing.t_edge_s,
        fall_time=timing.t_edge_s,
        pulse_width=timing.t_evaluate_s,
        period=1,
    )
    circuit.PulseVoltageSource(
        "wl",
        "wl",
        circuit.gnd,
        initial_value=0,
        pulsed_value=vdd,
        delay_time=timing.t_wl_s,
        rise_time=timing.t_edge_s,
        fall_time=timing.t_edge_s,
        pulse_width=timing.t_sen_s - timing.t_wl_s + timing.t_evaluate_s,
        period=1,
    )
    # name: (drain, gate, source, bulk, model, width, diffusion length)
    devices = {
        "pc1": ("out", "sen", "vdd", "vdd", "p", pcsa.w_precharge_m, pcsa.l_diffusion_m),
        "pc2": ("outb", "sen", "vdd", "vdd", "p", pcsa.w_precharge_m, pcsa.l_diffusion_m),
        "pl1": ("out", "outb", "vdd", "vdd", "p", pcsa.w_latch_p_m, pcsa.l_diffusion_m),
        "pl2": ("outb", "out", "vdd", "vdd", "p", pcsa.w_latch_p_m, pcsa.l_diffusion_m),
        "nl1": ("out", "outb", "bl", circuit.gnd, "n", pcsa.w_latch_n_m, pcsa.l_diffusion_m),
        "nl2": ("outb", "out", "blb", circuit.gnd, "n", pcsa.w_latch_n_m, pcsa.l_diffusion_m),
        "nen": ("sl", "sen", circuit.gnd, circuit.gnd, "n", pcsa.w_enable_m, pcsa.l_diffusion_m),
        "abl": ("bla", "wl", "sl", circuit.gnd, "n", access.w_m, access.l_diffusion_m),
        "ablb": ("blba", "wl", "sl", circuit.gnd, "n", access.w_m, access.l_diffusion_m),
    }
    for name, (d, g, s, b, kind, w, l_diff) in devices.items():
        polarity = Polarity.PMOS if kind == "p" else Polarity.NMOS
        delvto, mulu0 = instance_parameters(
            polarity, conditions.corner, deviations.get(name, TransistorDeviation())
        )
        area, perimeter = w * l_diff, 2 * (w + l_diff)
        circuit.M(
            name,
            d,
            g,
            s,
            b,
            model="ptm130" + kind,
            w=w,
            l=pcsa.l_m,
            raw_spice=f"ad={area} as={area} pd={perimeter} ps={perimeter} "
            f"delvto={delvto} mulu0={mulu0}",
        )
    circuit.R("bl", "bl", "bla", r_bl_ohm)
    circuit.R("blb", "blb", "blba", r_blb_ohm)
    circuit.C("out", "out", circuit.gnd, pcsa.c_out_f)
    circuit.C("outb", "outb", circuit.gnd, pcsa.c_out_f)
    simulator = circuit.simulator(temperature=conditions.temp_c, nominal_temperature=27)
    simulator.options(method="gear")
    from PySpice.Spice.NgSpice.Shared import NgSpiceCommandError

    try:
        analysis = simulator.transient(
            step_time=timing.t_step_s, end_time=timing.t_stop_s, max_time=timing.t_step_s
        )
    except NgSpiceCommandError:
        # PySpice 1.5 fails 'run' on ngspice's informational gmin-stepping notes (PySpice
        # issue #399) although the simulation finished: take the plot it produced.
        shared = simulator._ngspice_shared
        analysis = shared.plot(simulator, shared.last_plot).to_analysis()
    return decision_at(
        np.asarray(analysis.time, dtype=float),
        np.asarray(analysis["out"], dtype=float),
        np.asarray(analysis["outb"], dtype=float),
        timing.t_decision_s,
        vdd,
    )
