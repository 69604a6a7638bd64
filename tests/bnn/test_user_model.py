"""The user's own network in the report's accuracy section and ``--ber 0`` evaluated once."""

import numpy as np

from rram_ber.analysis.accuracy import accuracy_study
from rram_ber.analysis.bnn.curves import evaluate_with_errors, load_test_split
from rram_ber.analysis.bnn.errors import ErrorModel
from rram_ber.analysis.bnn.layers import Network
from rram_ber.analysis.bnn.model_io import load_shipped, save_network
from tests.support import binary_row, write_ber_table


def test_report_accuracy_uses_the_users_model_and_data(tmp_path):
    shipped = load_shipped("digits-mlp-bnn")
    mine = Network("my-net", shipped.layers, shipped.input_shape, shipped.input_bits, {})
    path = save_network(mine, tmp_path / "my-net.npz")
    x, y = load_test_split(shipped, limit=60)
    np.savez(tmp_path / "data.npz", x=x, y=y)
    table = write_ber_table(tmp_path, [binary_row(1, 1e-2, 1e-2, 1e-2)])
    study = accuracy_study(table, repeats=2, test_limit=60, model=path, data=tmp_path / "data.npz")
    assert "my-net" in {c["model"] for c in study.curves}
    assert set(study.points["model"]) == {"my-net"}
    assert study.curves[0]["mean"][0] == shipped.accuracy(x, y)


def test_ber_zero_evaluates_once(monkeypatch):
    network = load_shipped("digits-mlp-bnn")
    x, y = load_test_split(network, limit=100)
    from rram_ber.analysis.bnn import curves

    # A pass is a Network.forward or, for static errors on an MLP, one chip's update of the
    # error-free first layer (_SparseFirstLayer.logits).
    calls = []
    original = Network.forward
    original_sparse = curves._SparseFirstLayer.logits

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    def counting_sparse(self, *args, **kwargs):
        logits = original_sparse(self, *args, **kwargs)
        calls.extend([] if logits is None else [1])
        return logits

    monkeypatch.setattr(Network, "forward", counting)
    monkeypatch.setattr(curves._SparseFirstLayer, "logits", counting_sparse)
    estimate = evaluate_with_errors(network, x, y, ErrorModel.uniform(network, 0.0), 20, 1)
    assert len(calls) == 1 and estimate.accuracies == (estimate.accuracies[0],) * 20
    assert estimate.accuracies[0] == network.accuracy(x, y)
    calls.clear()
    evaluate_with_errors(network, x, y, ErrorModel.uniform(network, 1e-3), 3, 1)
    assert len(calls) == 3
