"""Throughput of the NumPy BNN evaluator: a whole accuracy-vs-BER curve of a shipped model.

Default workload (issue target: at most 20 s on 2 cores): the shipped Fashion-MNIST binary MLP
(``fashion-mlp-bnn``, 784-512-512-10), 10 bit-error rates x 20 static error draws (one chip
each), every draw evaluated on the 10,000 test images; i.e. 200 forward passes of 10k images
plus 200 error draws.

Compared in the same run (ratios are what to read; absolute figures depend on the load):

* **float NumPy**: a plain float32 forward pass of the same shapes (real weights, ReLU), no
  error injection, no quantized weights -- what one forward pass of a float MLP costs;
* **PyTorch CPU** (only when ``torch`` is installed): the same +-1 network (same weights and
  thresholds) as a ``torch`` float32 forward pass, without error injection;
* **popcount reference**: the evaluator's bit-exact XNOR-popcount path on the same model.

Run: ``python benchmarks/evaluator_throughput.py [--model NAME|PATH] [--repeats R]
[--compare MODEL]`` (``--compare fashion-mlp-tnn`` also prints the ternary curve at the same
BERs, for a binary-versus-ternary comparison). ``--model fashion-cnn-bnn`` benchmarks the CNN
curve and prints, for 1,000 test images, the cost of each layer (im2col, GEMM, pooling and
threshold) and the pass side by side with the evaluator's earlier im2col (copy of a
transposed sliding-window view) and max pooling (``max`` over reshaped window axes), with a
check that both give the same logits; the float and PyTorch comparisons are for MLPs only.
The BER-0 point is evaluated once (every draw would be the stored network), so a curve
costs ``(n_bers - 1) * repeats + 1`` passes.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from rram_ber.analysis.bnn import layers
from rram_ber.analysis.bnn.curves import accuracy_curve, load_test_split
from rram_ber.analysis.bnn.geometry import PoolKind, pad
from rram_ber.analysis.bnn.layers import Affine, Conv2D, Dense, Network
from rram_ber.analysis.bnn.model_io import load_model

BERS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5)


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def float_numpy_pass_seconds(network: Network, x: np.ndarray, passes: int) -> float:
    """Seconds per float32 forward pass of an MLP/CNN-free network of the same dense shapes."""
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(layer.weights.values.shape).astype(np.float32) * 0.05
               for layer in network.layers]  # fmt: skip
    data = x.reshape(x.shape[0], -1)

    def forward() -> np.ndarray:
        h = data.astype(np.float32) / np.float32(255)
        for i, w in enumerate(weights):
            h = h @ w.T
            if i < len(weights) - 1:
                h = np.maximum(h, np.float32(0))
        return h.argmax(axis=1)

    forward()
    _, seconds = _timed(lambda: [forward() for _ in range(passes)])
    return seconds / passes


def torch_pass_seconds(network: Network, x: np.ndarray, passes: int) -> float | None:
    """Seconds per torch CPU forward pass of the same +-1 network (None without torch)."""
    try:
        import torch
    except ImportError:
        return None
    data = torch.from_numpy(x.reshape(x.shape[0], -1).astype(np.float32))
    layers = []
    for layer in network.layers:
        out = layer.output
        w = torch.from_numpy(layer.weights.values)
        if isinstance(out, Affine):
            layers.append((w, torch.from_numpy(out.scale), torch.from_numpy(out.bias), None))
        else:
            layers.append((w, torch.from_numpy(out.threshold), None,
                           torch.from_numpy(out.direction.astype(np.float32))))  # fmt: skip

    def forward() -> torch.Tensor:
        h = data
        with torch.no_grad():
            for w, a, b, direction in layers:
                z = h @ w.T
                if direction is None:
                    h = z * a + b
                else:
                    positive = torch.where(direction > 0, z >= a, z <= a)
                    h = torch.where(positive, 1.0, -1.0)
        return h.argmax(dim=1)

    forward()
    _, seconds = _timed(lambda: [forward() for _ in range(passes)])
    return seconds / passes


def _sliding_window_forward(layer, h: np.ndarray) -> np.ndarray:
    """One layer as the evaluator computed it before its im2col/pooling rewrite.

    im2col by copying a transposed sliding-window view, max pooling by ``max`` over the
    window axes of a reshaped array: the reference for the side-by-side timing and for the
    bit-identity check of the current code.
    """
    if not isinstance(layer, Conv2D):
        return layer.forward(h)
    x = pad(h, layer.padding, 2)
    windows = np.lib.stride_tricks.sliding_window_view(x, layer.kernel, axis=(1, 2))
    windows = windows[:, :: layer.stride, :: layer.stride]
    batch, rows, cols = windows.shape[:3]
    pats = windows.transpose(0, 1, 2, 4, 5, 3).reshape(batch, rows, cols, -1)
    a = pats.reshape(-1, pats.shape[-1]).astype(np.float32) @ layer.weights.values.T
    a = a.reshape(batch, rows, cols, -1)
    if layer.pool_size == 1 or layer.pools_output or layer.pool_kind is not PoolKind.MAX:
        return layer.finish(a)
    size = layer.pool_size
    hp, wp = rows // size, cols // size
    pooled = a[:, : hp * size, : wp * size].reshape(batch, hp, size, wp, size, -1)
    return layer.output.apply(pooled.max(axis=(2, 4)))


def conv_breakdown(network: Network, sample: np.ndarray) -> None:
    """Per-layer cost of one error-free pass, and the pass before/after the im2col rewrite."""
    prepared = network.prepare(sample)
    n = sample.shape[0]
    # Per layer, summed over the evaluator's own batches of an error-free pass.
    step = network._batch_size(layers._EXACT_PATCH_BYTES)
    print(f"\nper layer, {n} images in batches of {step}, no errors: im2col | GEMM | "
          "pool + threshold [ms]")  # fmt: skip
    costs = np.zeros((len(network.layers), 3))
    for begin in range(0, n, step):
        h = prepared.values[begin : begin + step]
        for i, layer in enumerate(network.layers):
            w = layer.weights.values
            t0 = time.perf_counter()
            pats = layer.patches(h).astype(np.float32, copy=False)
            t1 = time.perf_counter()
            a = (pats.reshape(-1, pats.shape[-1]) @ w.T).reshape(*pats.shape[:-1], -1)
            t2 = time.perf_counter()
            h = layer.finish(a)
            costs[i] += (t1 - t0, t2 - t1, time.perf_counter() - t2)
    for layer, (im2col_s, gemm_s, finish_s) in zip(network.layers, costs, strict=True):
        w = layer.weights.values
        print(f"  {type(layer).__name__:<6} {layer.name:<4} fan-in {w.shape[1]:>5} out "
              f"{w.shape[0]:>4}: {1e3 * im2col_s:8.1f} | {1e3 * gemm_s:8.1f} | "
              f"{1e3 * finish_s:8.1f}")  # fmt: skip

    def before() -> np.ndarray:
        step = network._batch_size()  # the evaluator's earlier batch (64 MB of patches)
        chunks = []
        for start in range(0, n, step):
            g = prepared.values[start : start + step]
            for layer in network.layers:
                g = _sliding_window_forward(layer, g)
            chunks.append(g)
        return np.concatenate(chunks)

    # Interleaved repeats and medians: on a shared machine one timing of each says little.
    now_s, before_s, identical = [], [], True
    for _ in range(5):
        logits_now, seconds = _timed(network.forward, prepared)
        now_s.append(seconds)
        logits_before, seconds = _timed(before)
        before_s.append(seconds)
        identical &= bool(np.array_equal(logits_now, logits_before))
    now, earlier = float(np.median(now_s)), float(np.median(before_s))
    same = "bit-identical" if identical else "DIFFER"
    print(f"pass of {n} images (median of 5, interleaved): now {now:.2f} s, with the "
          f"sliding-window im2col, reshape max-pool and 64 MB batches {earlier:.2f} s "
          f"({earlier / now:.2f}x); logits {same}")  # fmt: skip


def print_curve(name: str, points) -> None:
    print(f"\n{name}: accuracy [%] vs BER (mean and Student-t 95 % CI over the draws)")
    for point in points:
        e = point.estimate
        interval = f"[{100 * e.ci_low:6.2f}, {100 * e.ci_high:6.2f}]" if e.repeats > 1 else ""
        print(f"  ber {point.ber:<8.0e} {100 * e.mean:6.2f} {interval}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="fashion-mlp-bnn")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--compare", default=None, help="second model for the same curve")
    args = parser.parse_args()

    print("NOTE: figures from a shared 2-core machine where other jobs run; absolute times")
    print("vary with the load, compare the ratios of this one run.")
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, numpy {np.__version__}")

    (network, (x, y)), load_s = _timed(lambda: (m := load_model(args.model), load_test_split(m)))
    n_images = y.size
    draws = len(BERS) * args.repeats
    print(f"\nmodel {args.model}: {n_images} test images, {len(BERS)} BERs x {args.repeats} "
          f"static draws = {draws} evaluations (load {load_s:.2f} s)")  # fmt: skip

    points, curve_s = _timed(accuracy_curve, network, x, y, BERS, args.repeats, 0)
    draws = (len(BERS) - 1) * args.repeats + 1  # the error-free point is one pass
    images_per_s = draws * n_images / curve_s
    verdict = "met" if curve_s <= 20 else "NOT met"
    print(f"evaluator curve: {curve_s:.2f} s total, {images_per_s:,.0f} images/s "
          f"({1e3 * curve_s / draws:.1f} ms per draw incl. error sampling); "
          f"target <= 20 s: {verdict}")  # fmt: skip
    print(f"one {n_images}-image pass with errors: {curve_s / draws:.2f} s")
    if not all(isinstance(layer, Dense) for layer in network.layers):
        conv_breakdown(network, x[:1000])
        print_curve(args.model, points)
        return

    float_s = float_numpy_pass_seconds(network, x, passes=10)
    print(f"float32 NumPy forward (same shapes): {n_images / float_s:,.0f} images/s; "
          f"evaluator / float = {images_per_s / (n_images / float_s):.2f}")  # fmt: skip

    torch_s = torch_pass_seconds(network, x, passes=10)
    if torch_s is None:
        print("PyTorch CPU: not installed (pip install torch==2.13.0 for the comparison)")
    else:
        import torch

        print(f"PyTorch {torch.__version__} CPU forward of the same +-1 network "
              f"({torch.get_num_threads()} threads): {n_images / torch_s:,.0f} images/s; "
              f"evaluator / torch = {images_per_s / (n_images / torch_s):.2f}")  # fmt: skip

    sample = x[:1000]
    _, popcount_s = _timed(network.forward_popcount, sample)
    _, gemm_s = _timed(network.forward, sample)
    print(f"popcount reference: {sample.shape[0] / popcount_s:,.0f} images/s; the float32 "
          f"GEMM path is {popcount_s / gemm_s:.1f}x faster (1,000 images, no errors)")  # fmt: skip

    print_curve(args.model, points)
    if args.compare:
        other = load_model(args.compare)
        ox, oy = load_test_split(other)
        other_points, other_s = _timed(accuracy_curve, other, ox, oy, BERS, args.repeats, 0)
        print_curve(f"{args.compare} ({other_s:.1f} s)", other_points)


if __name__ == "__main__":
    main()
