"""ECG heartbeats: a MIT-BIH arrhythmia loader (through ``wfdb``) and a synthetic generator.

The medical task of Penkovsky et al. (DATE 2020, arXiv 2006.11595) classifies single
heartbeats. Both data sources here produce the same model input:

1. a window of 0.25 s before to 0.40 s after the annotated R peak, resampled to 360 Hz
   (MIT-BIH's rate) if needed: 234 samples;
2. decimated by 2 (mean of sample pairs) to 180 Hz: :data:`BEAT_SAMPLES` = 117 samples;
3. baseline removed (median of the window subtracted) and quantised like an 8-bit ADC:
   ``code = clip(round(v / FULL_SCALE_MV * 127.5 + 127.5), 0, 255)`` over +-3 mV
   (:func:`beats_to_codes`).

Beat labels follow the AAMI EC57 grouping of MIT-BIH annotation symbols (N: N L R e j;
S: A a J S; V: V E; F: F; Q: / f Q), as used by de Chazal, O'Dwyer and Reilly (IEEE Trans.
Biomed. Eng. 51(7), 2004), whose inter-patient record split DS1 (train) / DS2 (test) is
:data:`MITBIH_DS1` / :data:`MITBIH_DS2`.

**MIT-BIH records are not shipped with any package checked** (PyPI ``wfdb``,
``mitbih-processor``, Debian), and this project's build machines reach no PhysioNet server, so
the shipped ECG models are trained on :func:`synthetic_dataset`: heartbeats drawn from a
sum-of-Gaussian-waves model (P, Q, R, S, T waves as Gaussians in time, the wave shapes of
McSharry et al., IEEE Trans. Biomed. Eng. 50(3), 2003) with class-dependent morphology and
rhythm. Its accuracies say nothing about real ECG: they only exercise the pipeline and the
binarization strategies. :func:`load_mitbih_beats` reads real records wherever they exist
(a local directory, or PhysioNet when the user has a network).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rram_ber.analysis.bnn.splits import Dataset
from rram_ber.core.validation import ParameterError, check_int

#: Sampling rate of the beat windows before decimation [Hz] (that of MIT-BIH).
SOURCE_FS_HZ = 360.0
#: Window around the R peak [s].
BEFORE_S = 0.25
AFTER_S = 0.40
_BEFORE = round(BEFORE_S * SOURCE_FS_HZ)  # 90 samples
_AFTER = round(AFTER_S * SOURCE_FS_HZ)  # 144 samples
#: Decimation factor applied to the 360 Hz window.
DECIMATION = 2
#: Samples per beat given to the networks (180 Hz, 0.65 s).
BEAT_SAMPLES = (_BEFORE + _AFTER) // DECIMATION
#: ADC full scale of the 8-bit input codes [mV] (+- this value).
FULL_SCALE_MV = 3.0

AAMI_CLASSES = ("N", "S", "V", "F", "Q")
#: MIT-BIH beat annotation symbol -> AAMI class (EC57; de Chazal et al. 2004).
SYMBOL_TO_AAMI = {
    **dict.fromkeys(("N", "L", "R", "e", "j"), "N"),
    **dict.fromkeys(("A", "a", "J", "S"), "S"),
    **dict.fromkeys(("V", "E"), "V"),
    "F": "F",
    **dict.fromkeys(("/", "f", "Q"), "Q"),
}
#: Inter-patient split of de Chazal et al. (2004); records 102, 104, 107, 217 (paced) excluded.
MITBIH_DS1 = (
    "101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122",
    "124", "201", "203", "205", "207", "208", "209", "215", "220", "223", "230",
)  # fmt: skip
MITBIH_DS2 = (
    "100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210",
    "212", "213", "214", "219", "221", "222", "228", "231", "232", "233", "234",
)  # fmt: skip

#: Classes of the synthetic generator (no Q: unclassifiable beats have no morphology model).
SYNTHETIC_CLASSES = ("N", "S", "V", "F")
#: Defaults of the shipped synthetic data set: root seed and beats per class.
SYNTHETIC_SEED = 20200309
SYNTHETIC_TRAIN_PER_CLASS = 2000
SYNTHETIC_TEST_PER_CLASS = 500


@contextlib.contextmanager
def wfdb_quiet() -> Iterator[None]:
    """Silence the pandas deprecation warnings that ``wfdb`` itself triggers.

    wfdb 4.3.1 calls pandas methods with ``inplace=True`` (at import and when reading or
    writing annotations), which pandas >= 3.1 reports as deprecated: wfdb's business, not a
    problem of this code or of the records.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The inplace keyword")
        yield


def import_wfdb() -> Any:
    """Import ``wfdb`` (optional extra ``ecg``) without its pandas deprecation warning."""
    try:
        with wfdb_quiet():
            import wfdb
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        raise ImportError("reading WFDB records needs: pip install 'rram-ber[ecg]'") from error
    return wfdb


def segment_beats(
    signal_mv: npt.ArrayLike, fs_hz: float, r_peaks: npt.ArrayLike
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Cut beat windows around R peaks and bring them to :data:`BEAT_SAMPLES` at 180 Hz.

    Parameters
    ----------
    signal_mv : array_like, shape (n,)
        One ECG lead [mV].
    fs_hz : float
        Its sampling rate [Hz]; other rates than 360 Hz are linearly resampled to 360 Hz.
    r_peaks : array_like of int
        R-peak sample indices in ``signal_mv``.

    Returns
    -------
    windows : ndarray of float32, shape (m, BEAT_SAMPLES)
        Beats whose whole window lies inside the signal [mV].
    kept : ndarray of int64, shape (m,)
        Indices into ``r_peaks`` of the beats returned.
    """
    signal = np.asarray(signal_mv, dtype=np.float64)
    peaks = np.asarray(r_peaks, dtype=np.int64)
    fs = float(fs_hz)
    if fs != SOURCE_FS_HZ:
        times = np.arange(round(signal.size * SOURCE_FS_HZ / fs)) / SOURCE_FS_HZ
        signal = np.interp(times, np.arange(signal.size) / fs, signal)
        peaks = np.round(peaks * SOURCE_FS_HZ / fs).astype(np.int64)
    inside = (peaks - _BEFORE >= 0) & (peaks + _AFTER <= signal.size)
    kept = np.flatnonzero(inside)
    offsets = np.arange(-_BEFORE, _AFTER)
    windows = signal[peaks[kept, None] + offsets[None, :]]
    decimated = windows.reshape(kept.size, -1, DECIMATION).mean(axis=2)
    return decimated.astype(np.float32), kept


def beats_to_codes(windows_mv: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """8-bit input codes (m, BEAT_SAMPLES, 1) of beat windows [mV] (module docstring, step 3)."""
    windows = np.asarray(windows_mv, dtype=np.float64)
    centred = windows - np.median(windows, axis=-1, keepdims=True)
    codes = np.clip(np.round(centred / FULL_SCALE_MV * 127.5 + 127.5), 0, 255)
    return codes.astype(np.uint8)[..., None]


@dataclass(frozen=True, eq=False)
class MitbihBeats:
    """Beats of MIT-BIH records: windows [mV], AAMI labels, record and symbol of each beat."""

    windows_mv: npt.NDArray[np.float32]
    labels: npt.NDArray[np.int64]
    records: tuple[str, ...]
    symbols: tuple[str, ...]


def load_mitbih_beats(
    records: Sequence[str],
    directory: str | Path | None = None,
    lead: str = "MLII",
    pn_dir: str = "mitdb",
) -> MitbihBeats:
    """Read MIT-BIH (or any WFDB) records with their ``atr`` annotations and cut the beats.

    Parameters
    ----------
    records : sequence of str
        Record names, e.g. :data:`MITBIH_DS1`.
    directory : path or None
        Local directory holding ``<record>.hea``, ``.dat`` and ``.atr``; None reads from
        PhysioNet's ``pn_dir`` database through ``wfdb`` (needs a network).
    lead : str
        Signal name to use (MIT-BIH's upper lead is the modified limb lead ``MLII``).
    pn_dir : str
        PhysioNet database directory when ``directory`` is None.

    Returns
    -------
    MitbihBeats
        Labels index :data:`AAMI_CLASSES`; non-beat annotations (rhythm changes, noise, ...)
        are skipped, as are beats too close to either end of a record.

    Raises
    ------
    ParameterError
        If a record lacks the lead.
    """
    wfdb = import_wfdb()
    windows: list[npt.NDArray[np.float32]] = []
    labels: list[npt.NDArray[np.int64]] = []
    names: list[str] = []
    symbols: list[str] = []
    for record_name in records:
        with wfdb_quiet():
            if directory is None:
                record = wfdb.rdrecord(record_name, pn_dir=pn_dir)
                annotation = wfdb.rdann(record_name, "atr", pn_dir=pn_dir)
            else:
                path = str(Path(directory) / record_name)
                record = wfdb.rdrecord(path)
                annotation = wfdb.rdann(path, "atr")
        if lead not in record.sig_name:
            raise ParameterError("lead", lead, f"one of {record.sig_name} (record {record_name})")
        signal = record.p_signal[:, record.sig_name.index(lead)]
        beat_symbols = [s for s in annotation.symbol if s in SYMBOL_TO_AAMI]
        peaks = np.array(
            [
                p
                for p, s in zip(annotation.sample, annotation.symbol, strict=True)
                if s in SYMBOL_TO_AAMI
            ],
            dtype=np.int64,
        )
        cut, kept = segment_beats(signal, float(record.fs), peaks)
        windows.append(cut)
        kept_symbols = [beat_symbols[i] for i in kept]
        labels.append(
            np.array([AAMI_CLASSES.index(SYMBOL_TO_AAMI[s]) for s in kept_symbols], dtype=np.int64)
        )
        names.extend([record_name] * kept.size)
        symbols.extend(kept_symbols)
    return MitbihBeats(
        windows_mv=np.concatenate(windows) if windows else np.zeros((0, BEAT_SAMPLES), np.float32),
        labels=np.concatenate(labels) if labels else np.zeros(0, np.int64),
        records=tuple(names),
        symbols=tuple(symbols),
    )


def load_mitbih_dataset(
    directory: str | Path | None = None,
    train_records: Sequence[str] = MITBIH_DS1,
    test_records: Sequence[str] = MITBIH_DS2,
) -> Dataset:
    """MIT-BIH beats as a :class:`Dataset` (inter-patient DS1/DS2 split by default).

    Parameters
    ----------
    directory : path or None
        Directory of the records; None reads them from PhysioNet (needs a network).
    train_records, test_records : sequence of str
        Record names of each split.
    """
    train = load_mitbih_beats(train_records, directory)
    test = load_mitbih_beats(test_records, directory)
    return Dataset(
        name="mitbih",
        x_train=beats_to_codes(train.windows_mv),
        y_train=train.labels,
        x_test=beats_to_codes(test.windows_mv),
        y_test=test.labels,
        classes=AAMI_CLASSES,
        max_code=255,
        info={
            "source": "MIT-BIH Arrhythmia Database (PhysioNet), lead MLII",
            "train_records": list(train_records),
            "test_records": list(test_records),
        },
    )


# --- synthetic heartbeats ------------------------------------------------------------------

#: Nominal waves of a normal beat: (amplitude [mV], centre relative to R [s], width [s]).
_NORMAL_WAVES = {
    "P": (0.15, -0.20, 0.025),
    "Q": (-0.10, -0.025, 0.010),
    "R": (1.00, 0.0, 0.010),
    "S": (-0.20, 0.025, 0.010),
    "T": (0.30, 0.25, 0.045),
}
#: Nominal waves of a premature ventricular beat: no P, wide QRS, discordant T.
_VENTRICULAR_WAVES = {
    "P": (0.0, -0.20, 0.025),
    "Q": (-0.15, -0.05, 0.020),
    "R": (1.30, 0.0, 0.032),
    "S": (-0.45, 0.06, 0.030),
    "T": (-0.40, 0.30, 0.070),
}


def _waves(label: str, rng: np.random.Generator) -> dict[str, tuple[float, float, float]]:
    """Class-dependent wave parameters of one beat, with beat-to-beat variability."""
    waves = dict(_NORMAL_WAVES)
    if label == "S":
        # Atrial premature beat: ectopic P wave (early, small, often inverted), normal QRS.
        waves["P"] = (rng.uniform(-0.12, 0.10), rng.uniform(-0.17, -0.11), 0.02)
    elif label == "V":
        waves = dict(_VENTRICULAR_WAVES)
    elif label == "F":
        # Fusion: a ventricular and a normal activation merge; mix the two morphologies.
        mix = rng.uniform(0.3, 0.7)
        for key, normal in _NORMAL_WAVES.items():
            ventricular = _VENTRICULAR_WAVES[key]
            waves[key] = (
                (1 - mix) * normal[0] + mix * ventricular[0],
                (1 - mix) * normal[1] + mix * ventricular[1],
                (1 - mix) * normal[2] + mix * ventricular[2],
            )
    scale = rng.uniform(0.6, 1.4)
    return {
        key: (
            a * scale * rng.uniform(0.8, 1.2),
            c * rng.uniform(0.9, 1.1),
            w * rng.uniform(0.8, 1.25),
        )
        for key, (a, c, w) in waves.items()
    }


def _rr_intervals(label: str, rng: np.random.Generator) -> tuple[float, float]:
    """(previous, next) RR intervals [s]: premature beats come early, V beats before a pause."""
    base = rng.uniform(0.65, 1.05)
    if label in ("S", "V"):
        previous = base * rng.uniform(0.55, 0.85)
        following = base * (rng.uniform(1.2, 1.6) if label == "V" else rng.uniform(0.9, 1.2))
    else:
        previous = base * rng.uniform(0.9, 1.1)
        following = base * rng.uniform(0.9, 1.1)
    return previous, following


def synthetic_beats(label: str, n: int, rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """``n`` synthetic beat windows of class ``label`` [mV], shape (n, BEAT_SAMPLES).

    Each window is the sum of Gaussian waves ``a exp(-(t - c)^2 / (2 w^2))`` (McSharry et al.
    2003 wave shapes) of the beat itself and of its normal neighbours at the previous and next
    RR interval, plus baseline offset and drift, and white noise (sigma 0.03 mV). Generated at
    360 Hz then decimated exactly like recorded beats (:func:`segment_beats`).

    Parameters
    ----------
    label : str
        One of :data:`SYNTHETIC_CLASSES`.
    n : int
        Number of beats.
    rng : numpy.random.Generator
        Source of randomness.
    """
    if label not in SYNTHETIC_CLASSES:
        raise ParameterError("label", label, "one of " + ", ".join(SYNTHETIC_CLASSES))
    count = check_int("n", n, 0)
    t = np.arange(-_BEFORE, _AFTER) / SOURCE_FS_HZ
    out = np.empty((count, t.size), dtype=np.float64)
    for i in range(count):
        previous, following = _rr_intervals(label, rng)
        beat = np.zeros_like(t)
        for shift, kind in ((0.0, label), (-previous, "N"), (following, "N")):
            for amplitude, centre, width in _waves(kind, rng).values():
                beat += amplitude * np.exp(-((t - shift - centre) ** 2) / (2 * width**2))
        beat += rng.normal(0, 0.1) + rng.normal(0, 0.15) * t
        beat += rng.normal(0, 0.03, t.size)
        out[i] = beat
    return out.reshape(count, -1, DECIMATION).mean(axis=2).astype(np.float32)


def synthetic_dataset(
    seed: int = SYNTHETIC_SEED,
    train_per_class: int = SYNTHETIC_TRAIN_PER_CLASS,
    test_per_class: int = SYNTHETIC_TEST_PER_CLASS,
) -> Dataset:
    """Balanced synthetic heartbeat data set (classes :data:`SYNTHETIC_CLASSES`).

    Deterministic for a given seed: ``SeedSequence(seed).spawn(2)`` gives the train and test
    generators, so train and test beats are independent draws.
    """
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    parts: dict[str, Any] = {}
    for split, rng, per_class in (
        ("train", train_rng, train_per_class),
        ("test", test_rng, test_per_class),
    ):
        windows = np.concatenate([synthetic_beats(c, per_class, rng) for c in SYNTHETIC_CLASSES])
        labels = np.repeat(np.arange(len(SYNTHETIC_CLASSES)), per_class)
        parts[split] = (beats_to_codes(windows), labels.astype(np.int64))
    return Dataset(
        name="ecg-synthetic",
        x_train=parts["train"][0],
        y_train=parts["train"][1],
        x_test=parts["test"][0],
        y_test=parts["test"][1],
        classes=SYNTHETIC_CLASSES,
        max_code=255,
        info={
            "source": "synthetic sum-of-Gaussian-waves heartbeats (not recordings)",
            "seed": seed,
            "train_per_class": train_per_class,
            "test_per_class": test_per_class,
        },
    )
