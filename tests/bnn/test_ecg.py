"""ECG: WFDB loader and beat segmentation on records the test writes; synthetic beats."""

import numpy as np
import pytest

from rram_ber.analysis.bnn import ecg
from rram_ber.core.validation import ParameterError
from tests.support import write_ecg_record as _write_record


@pytest.mark.parametrize("fs", [360, 250])
def test_beats_are_cut_around_r_peaks_and_labelled_aami(tmp_path, fs):
    peaks = [int(0.2 * fs), int(1.0 * fs), int(1.8 * fs), int(2.1 * fs), int(2.9 * fs),
             int(3.9 * fs)]  # fmt: skip
    symbols = ["N", "V", "+", "A", "F", "L"]  # first and last windows leave the record
    amplitudes = [1.0, 1.5, 0.0, 0.8, 1.2, 1.0]
    _write_record(tmp_path, "r1", fs, peaks, symbols, amplitudes, int(4.0 * fs))
    beats = ecg.load_mitbih_beats(["r1"], directory=tmp_path)
    assert beats.symbols == ("V", "A", "F")
    assert beats.labels.tolist() == [ecg.AAMI_CLASSES.index(c) for c in ("V", "S", "F")]
    assert beats.records == ("r1",) * 3
    assert beats.windows_mv.shape == (3, ecg.BEAT_SAMPLES)
    r_index = round(ecg.BEFORE_S * ecg.SOURCE_FS_HZ) // ecg.DECIMATION
    assert np.all(np.abs(np.argmax(beats.windows_mv, axis=1) - r_index) <= 1)
    # The decimated peak keeps most of the amplitude (plus the 0.2 mV offset).
    assert np.allclose(beats.windows_mv.max(axis=1), [1.7, 1.0, 1.4], atol=0.1)
    codes = ecg.beats_to_codes(beats.windows_mv)
    assert codes.shape == (3, ecg.BEAT_SAMPLES, 1) and codes.dtype == np.uint8
    # Baseline removed: the window's median maps to mid-scale.
    assert np.all(np.abs(np.median(codes[:, :, 0], axis=1) - 127.5) <= 1)


def test_missing_lead_names_the_option(tmp_path):
    _write_record(tmp_path, "r2", 360, [400], ["N"], [1.0], 1000)
    with pytest.raises(ParameterError, match="lead = 'V5'"):
        ecg.load_mitbih_beats(["r2"], directory=tmp_path, lead="V5")


def test_mitbih_dataset_from_local_records(tmp_path):
    _write_record(tmp_path, "a", 360, [200, 500, 800], ["N", "V", "N"], [1, 1.4, 1], 1100)
    _write_record(tmp_path, "b", 360, [300, 700], ["A", "N"], [0.9, 1], 1000)
    data = ecg.load_mitbih_dataset(tmp_path, train_records=["a"], test_records=["b"])
    assert data.x_train.shape == (3, ecg.BEAT_SAMPLES, 1)
    assert data.y_test.tolist() == [1, 0]
    assert data.classes == ecg.AAMI_CLASSES


def test_synthetic_beats_are_seeded_and_class_dependent():
    first = ecg.synthetic_dataset(seed=3, train_per_class=50, test_per_class=40)
    again = ecg.synthetic_dataset(seed=3, train_per_class=50, test_per_class=40)
    assert np.array_equal(first.x_train, again.x_train)
    assert np.array_equal(first.x_test, again.x_test)
    assert not np.array_equal(first.x_train[:40], first.x_test[:40])
    assert first.classes == ecg.SYNTHETIC_CLASSES
    rng = np.random.default_rng(0)
    normal = ecg.synthetic_beats("N", 200, rng)
    ventricular = ecg.synthetic_beats("V", 200, rng)

    # Ventricular beats have a wide QRS: more samples above half their peak.
    def width(beats):
        return np.mean(np.sum(beats > 0.5 * beats.max(axis=1, keepdims=True), axis=1))

    assert width(ventricular) > 1.5 * width(normal)
    with pytest.raises(ParameterError, match="label"):
        ecg.synthetic_beats("Q", 1, rng)
