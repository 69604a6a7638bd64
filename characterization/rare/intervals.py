"""The exact binomial interval, shared by the BER tables and the rare-event estimators.

It lives in the estimators' package, not in :mod:`rram_ber.characterization.ber`, because the
BER tables read the estimators' results (:mod:`rram_ber.characterization.rare.results`) and
the estimators need this interval: here neither imports the other's module back.
"""

from __future__ import annotations

# scipy.special, not scipy.stats: the same Boost quantiles (beta.ppf is betaincinv; identical
# on 92,000 (k, n) pairs checked), and 2-3x less import time, which every
# campaign pays.
from scipy.special import betaincinv

#: Confidence level of every interval of the project.
CONFIDENCE = 0.95


def clopper_pearson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Clopper-Pearson) two-sided interval of a binomial proportion.

    ``low = B(alpha/2; k, n-k+1)`` and ``high = B(1-alpha/2; k+1, n-k)`` with ``B`` the beta
    quantile function, ``low = 0`` when ``k = 0`` and ``high = 1`` when ``k = n``
    (C. J. Clopper, E. S. Pearson, "The use of confidence or fiducial limits illustrated in the
    case of the binomial", Biometrika 26(4):404-413, 1934). The coverage is at least
    ``confidence`` for every true proportion.

    Parameters
    ----------
    k : int
        Observed events (errors), 0 <= k <= n.
    n : int
        Trials (resolved reads); with n = 0 the interval is (0, 1).
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    tuple of float
        ``(low, high)``.
    """
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    alpha = 1.0 - confidence
    low = 0.0 if k == 0 else float(betaincinv(k, n - k + 1, alpha / 2))
    high = 1.0 if k == n else float(betaincinv(k + 1, n - k, 1 - alpha / 2))
    return low, high
