"""Campaigns with a technology: SKY130 determinism across workers, a user library and PCSA."""

import json

import pandas as pd
import pytest

from rram_ber.characterization import store
from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.executors import LocalExecutor
from rram_ber.characterization.spec import load_spec
from rram_ber.circuits.user_pcsa import builtin_pcsa_subcircuit
from rram_ber.models.cmos import model_card_text
from rram_ber.models.technology import sky130_installed
from tests.support import LOGNORMAL_DEVICE_TOML

pytestmark = pytest.mark.ngspice

BASE = (
    """
[campaign]
seed = 11
samples = 6
batch_size = 3
method = "monte-carlo"

[conditions]
cell = "2t2r"
corner = {corners}
vdd_v = {vdd}
"""
    + LOGNORMAL_DEVICE_TOML
)


def run(spec_path, out, workers):
    with LocalExecutor(workers) as executor:
        run_campaign(load_spec(spec_path), out, executor)
    return store.read_samples(out)


@pytest.mark.slow
@pytest.mark.skipif(not sky130_installed(), reason="SKY130 models not installed")
def test_a_sky130_campaign_gives_the_same_table_with_one_and_two_workers(tmp_path):
    spec = tmp_path / "sky.toml"
    spec.write_text(
        BASE.format(corners='["tt", "ss"]', vdd=1.8) + '[technology]\nname = "sky130"\n'
    )
    one = run(spec, tmp_path / "one", 1)
    two = run(spec, tmp_path / "two", 2)
    pd.testing.assert_frame_equal(one, two)
    assert len(one) == 12 and one["delay_s"].notna().any()
    # The PDK's own mismatch is drawn: threshold deviations differ from sample to sample.
    assert one["dvt_nl1"].std() > 0
    record = json.loads((tmp_path / "one" / "campaign.json").read_text())
    assert record["spec"]["technology"]["name"] == "sky130"
    assert record["spec"]["pcsa"]["l_m"] == pytest.approx(0.15e-6)


def test_the_ptm_cards_as_a_user_library_with_the_pcsa_as_a_user_file(tmp_path):
    """Same transistors, same draws: the user-file route reproduces the built-in table at tt."""
    card = model_card_text()
    (tmp_path / "mine.lib").write_text(f".lib tt\n{card}\n.endl tt\n")
    (tmp_path / "sa.sp").write_text(builtin_pcsa_subcircuit("sa"))
    reference_spec = tmp_path / "builtin.toml"
    reference_spec.write_text(
        BASE.format(corners='"tt"', vdd=1.0) + "[variability]\nmismatch = false\n"
    )
    user_spec = tmp_path / "user.toml"
    user_spec.write_text(
        BASE.format(corners='"tt"', vdd=1.0)
        + "[variability]\nmismatch = false\n"
        + "[technology]\n"
        + 'library = "mine.lib"\ncorners = { tt = "tt" }\n'
        + 'nmos_model = "ptm130n"\npmos_model = "ptm130p"\n'
        + 'pcsa = "sa.sp"\npcsa_subckt = "sa"\n'
        + 'pcsa_ports = ["vdd", "sen", "out", "outb", "bl", "blb", "sl"]\n'
    )
    builtin = run(reference_spec, tmp_path / "builtin", 1)
    user = run(user_spec, tmp_path / "user", 1)
    columns = ["decision", "delay_s", "r_bl_ohm", "r_blb_ohm"]
    pd.testing.assert_frame_equal(builtin[columns], user[columns], rtol=1e-3)
    record = json.loads((tmp_path / "user" / "campaign.json").read_text())
    files = record["spec"]["technology"]["files"]
    assert set(files) == {"mine.lib", "sa.sp"}
    copied = tmp_path / "user" / "user_files"
    assert (copied / "mine.lib").read_text() == (tmp_path / "mine.lib").read_text()
    assert (copied / "sa.sp").is_file()
    assert any(k.startswith("spec.technology.files") for k in record["fingerprint"]["keys"])
