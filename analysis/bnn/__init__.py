"""NumPy evaluator of binarized / ternary neural networks under RRAM bit errors.

Inference needs NumPy only (SciPy for confidence intervals); nothing here loads the
simulator, PyTorch or ONNX (training, ``from_torch`` and the ONNX importer are optional
extras). Main entry points:

* :func:`load_shipped` / :func:`shipped_models`: the trained models of ``weights/``;
  :func:`load_model`: a shipped name, a ``.npz`` or an ONNX/QONNX file;
* :class:`ErrorModel`, :class:`TransitionMatrix`: error injection (static or per read);
* :func:`read_ber_table`: transition matrices from a campaign's ``ber.csv``;
* :func:`evaluate_with_errors`, :func:`evaluate_conditions`, :func:`accuracy_curve`: accuracy
  with 95 % intervals;
* :func:`load_test_split`: the test split a model was trained for.
"""

from rram_ber.analysis.bnn.ber_table import Condition, read_ber_table, select_condition
from rram_ber.analysis.bnn.curves import (
    AccuracyEstimate,
    CurvePoint,
    accuracy_curve,
    evaluate_conditions,
    evaluate_with_errors,
    load_test_split,
)
from rram_ber.analysis.bnn.errors import ErrorMode, ErrorModel, TransitionMatrix
from rram_ber.analysis.bnn.layers import Network
from rram_ber.analysis.bnn.model_io import (
    load_model,
    load_network,
    load_shipped,
    save_network,
    shipped_models,
)

__all__ = [
    "AccuracyEstimate",
    "Condition",
    "CurvePoint",
    "ErrorMode",
    "ErrorModel",
    "Network",
    "TransitionMatrix",
    "accuracy_curve",
    "evaluate_conditions",
    "evaluate_with_errors",
    "load_model",
    "load_network",
    "load_shipped",
    "load_test_split",
    "read_ber_table",
    "save_network",
    "select_condition",
    "shipped_models",
]
