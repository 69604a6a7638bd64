"""The simulator owner: errors, lifecycle, memory."""

import threading

import numpy as np
import pytest

from rram_ber.characterization.session import (
    NgspiceSession,
    NgspiceSubprocess,
    SimulationError,
    has_fatal_message,
)

pytestmark = pytest.mark.ngspice

RC = """* rc
v1 in 0 pulse(0 1 0 10p 10p 1n 2n)
r1 in out 1k
c1 out 0 100f
.tran 10p 1n
.end
"""
BAD_MODEL = """* bad
v1 a 0 dc 1
m1 a a 0 0 nosuchmodel w=1u l=1u
.tran 1n 2n
.end
"""


def test_rc_step_follows_the_analytic_charging_curve(session):
    waveforms = session.run_transient(RC, ["out", "in"], t_stop_s=1e-9)
    t = waveforms.time_s
    tau = 1e3 * 100e-15
    mask = t > 0.2e-9
    expected = 1 - np.exp(-(t[mask] - 5e-12) / tau)
    assert np.max(np.abs(waveforms["out"][mask] - expected)) < 0.02


@pytest.mark.parametrize("backend", ["shared", "subprocess"])
def test_bad_netlist_raises_simulation_error_with_ngspice_messages(session, backend):
    simulator = session if backend == "shared" else NgspiceSubprocess()
    with pytest.raises(SimulationError) as caught:
        simulator.run_transient(BAD_MODEL, ["a"], t_stop_s=2e-9)
    error = caught.value
    # The reason (the sample rows' column) carries ngspice's own error line.
    assert error.reason.startswith("netlist could not be parsed: ")
    assert "nosuchmodel" in error.reason
    assert "nosuchmodel" in error.ngspice_output
    assert "nosuchmodel" in error.netlist_excerpt()
    assert "ngspice failed" in str(error)


def test_session_recovers_after_a_failure(session):
    with pytest.raises(SimulationError):
        session.run_transient(BAD_MODEL, ["a"], t_stop_s=2e-9)
    assert session.run_transient(RC, ["out"], t_stop_s=1e-9).time_s[-1] == pytest.approx(1e-9)


def test_missing_vector_is_reported(session):
    with pytest.raises(SimulationError, match="requested vector missing: nowhere"):
        session.run_transient(RC, ["nowhere"], t_stop_s=1e-9)


def test_transient_that_stops_early_is_a_failure(session):
    with pytest.raises(SimulationError, match="stopped at"):
        session.run_transient(RC, ["out"], t_stop_s=2e-9)


def test_only_one_session_per_process(session):
    with pytest.raises(RuntimeError, match="already open"):
        NgspiceSession().open()


def test_session_refuses_other_threads(session):
    errors: list[BaseException] = []

    def use() -> None:
        try:
            session.run_transient(RC, ["out"], t_stop_s=1e-9)
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    worker = threading.Thread(target=use)
    worker.start()
    worker.join()
    assert len(errors) == 1 and "thread" in str(errors[0])


def test_informational_notes_are_not_fatal():
    assert not has_fatal_message(
        "Note: Starting dynamic gmin stepping\nTrying gmin =   1.0E-03 Note: ok\nWarning: x"
    )
    assert has_fatal_message("Error on line 3 or its substitute:")
    assert has_fatal_message("doAnalyses: TRAN:  Timestep too small")


def _rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096


def test_memory_does_not_grow_over_many_runs(session):
    for _ in range(50):  # warm up allocator pools
        session.run_transient(RC, ["out"], t_stop_s=1e-9)
    before = _rss_bytes()
    for _ in range(1000):
        session.run_transient(RC, ["out"], t_stop_s=1e-9)
    growth = _rss_bytes() - before
    assert growth < 8 * 2**20, f"RSS grew by {growth / 2**20:.1f} MiB over 1000 runs"
