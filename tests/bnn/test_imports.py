"""The evaluator runs without ngspice: importing it never loads PySpice or the session."""

import subprocess
import sys


def test_analysis_does_not_import_the_simulator():
    code = (
        "import sys, analysis, analysis.bnn, analysis.bnn.train, analysis.bnn.ecg, "
        "rram_ber.commands.evaluate\n"
        "from rram_ber.analysis.bnn import ber_table, curves, datasets, errors, model_io\n"
        "bad = [m for m in sys.modules if m.startswith('PySpice') "
        "or m == 'rram_ber.characterization.session']\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_evaluator_never_imports_torch_or_onnx():
    code = (
        "import sys, analysis.bnn, rram_ber.commands.evaluate\n"
        "from rram_ber.analysis.bnn import convert, curves, model_io, onnx_import, user_data\n"
        "model_io.load_model('digits-cnn-bnn')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'onnx', 'onnxruntime')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
