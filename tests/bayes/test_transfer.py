"""The transfer mapping (weights -> compliances -> conductances) on a table of known relations."""

from __future__ import annotations

import numpy as np
import pytest

from rram_ber.analysis.bayes.devices import ConductanceMapping
from rram_ber.analysis.bayes.study import StudySettings
from rram_ber.characterization.conductance_table import (
    ConductanceRelation,
    read_table,
    write_table,
)
from rram_ber.core.validation import ParameterError

from .conftest import POINTS, synthetic_table


def test_the_median_relation_inverts_within_the_range(relation):
    targets = np.linspace(relation.g_min_s, relation.g_max_s, 101)
    compliance, clipped = relation.compliance_for(targets)
    assert clipped == 0
    assert np.all((compliance >= 40e-6 * (1 - 1e-12)) & (compliance <= 300e-6 * (1 + 1e-12)))
    np.testing.assert_allclose(relation.median_s(compliance), targets, rtol=1e-12)
    # On the measured points the inverse gives the measured compliance.
    measured, _ = relation.compliance_for([p[1] * 1e-6 for p in POINTS])
    np.testing.assert_allclose(measured, [p[0] * 1e-6 for p in POINTS], rtol=1e-12)


def test_weights_map_to_both_devices_and_back(relation):
    mapping = ConductanceMapping(relation)
    weights = np.array([[-1.0, -0.4, 0.0], [0.25, 0.7, 1.0]])
    transfer = mapping.to_compliances(weights)
    assert transfer.n_clipped == 0
    g_plus = relation.median_s(transfer.compliance_plus_a)
    g_minus = relation.median_s(transfer.compliance_minus_a)
    np.testing.assert_allclose(
        mapping.weights_from_conductances(g_plus, g_minus), weights, atol=1e-12
    )
    # The unused device of each pair sits at the lowest compliance.
    np.testing.assert_allclose(
        np.minimum(transfer.compliance_plus_a, transfer.compliance_minus_a), 40e-6
    )


def test_out_of_range_weights_are_clipped_and_counted(relation):
    mapping = ConductanceMapping(relation)
    weights = np.array([-3.0, -1.0, 0.5, 1.0 + 1e-9, 2.0])
    transfer = mapping.to_compliances(weights)
    assert transfer.n_clipped == 3
    g_plus = relation.median_s(transfer.compliance_plus_a)
    g_minus = relation.median_s(transfer.compliance_minus_a)
    np.testing.assert_allclose(
        mapping.weights_from_conductances(g_plus, g_minus), [-1, -1, 0.5, 1, 1], atol=1e-12
    )
    assert relation.compliance_for([1e-6, 1e-3])[1] == 2


def test_programmed_pairs_have_the_relation_s_spread(relation):
    mapping = ConductanceMapping(relation)
    weights = np.array([-0.8, 0.0, 0.3, 0.9])
    samples = mapping.transferred_weights(
        mapping.to_compliances(weights), np.random.default_rng(3), 40_000
    )
    # Log-normal devices: E[G] = G_med exp(s^2 / 2) with s = sigma_G / G_med.
    g_plus, g_minus, _ = mapping.medians(weights)

    def mean_g(g):
        return g * np.exp((relation.sigma_s(g) / g) ** 2 / 2)

    expected_mean = (mean_g(g_plus) - mean_g(g_minus)) / mapping.g_range_s
    np.testing.assert_allclose(samples.mean(axis=0), expected_mean, atol=2e-4)
    np.testing.assert_allclose(expected_mean, weights, atol=1e-3)
    np.testing.assert_allclose(samples.std(axis=0), mapping.weight_sigma(weights), rtol=0.03)
    # The spread follows the fitted relation: sigma at G_min + 0.3 range, with G- at G_min.
    g = relation.g_min_s + 0.3 * mapping.g_range_s
    expected = np.hypot(relation.sigma_s(g), relation.sigma_s(relation.g_min_s)) / mapping.g_range_s
    assert mapping.weight_sigma(0.3) == pytest.approx(expected)
    # Twice the spread, twice the sigma; zero spread, the medians exactly.
    assert ConductanceMapping(relation, 2.0).weight_sigma(0.3) == pytest.approx(2 * expected)
    exact = ConductanceMapping(relation, 0.0)
    np.testing.assert_allclose(
        exact.transferred_weights(exact.to_compliances(weights), np.random.default_rng(0), 3)[2],
        weights,
        atol=1e-12,
    )


def test_the_spread_fit_describes_a_quadratic_exactly():
    table = synthetic_table()
    g = table["g_median_s"] * 1e6
    table["g_std_s"] = (2.0 + 0.04 * g - 5e-5 * g**2) * 1e-6
    relation = ConductanceRelation.fit(table)
    np.testing.assert_allclose(relation.spread_coefficients_us, [-5e-5, 0.04, 2.0], rtol=1e-8)
    assert relation.spread_chi2_reduced < 1e-10


def test_the_table_round_trips_and_bad_tables_are_refused(tmp_path, relation):
    path = write_table(synthetic_table().to_dict(orient="records"), tmp_path / "t.csv")
    again = ConductanceRelation.fit(read_table(path))
    np.testing.assert_allclose(
        again.spread_coefficients_us, relation.spread_coefficients_us, rtol=1e-5
    )
    decreasing = synthetic_table()
    decreasing.loc[2, "g_median_s"] = 1e-6
    with pytest.raises(ParameterError, match=r"g_median_s.*increasing"):
        ConductanceRelation.fit(decreasing)
    with pytest.raises(ParameterError, match="conductance_table"):
        read_table(tmp_path / "missing.csv")
    synthetic_table().drop(columns="g_std_s").to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ParameterError, match=r"columns \['g_std_s'\]"):
        read_table(tmp_path / "bad.csv")


def test_bad_settings_name_the_field(relation):
    with pytest.raises(ParameterError, match="spread_scale"):
        ConductanceMapping(relation, 9.0)
    with pytest.raises(ParameterError, match=r"devices_per_weight.*even"):
        StudySettings(devices_per_weight=7)
    with pytest.raises(ParameterError, match="draws"):
        StudySettings(draws=0)
