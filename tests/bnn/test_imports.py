"""The evaluator runs without PyTorch or ONNX installed: importing it never loads them (that no
analysis module loads the simulator is checked by ``tests/test_layering.py``)."""

import subprocess
import sys


def test_evaluator_never_imports_torch_or_onnx():
    code = (
        "import sys, rram_ber.analysis.bnn, rram_ber.commands.evaluate\n"
        "from rram_ber.analysis.bnn import convert, curves, model_io, onnx_import, user_data\n"
        "model_io.load_model('digits-cnn-bnn')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'onnx', 'onnxruntime')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
