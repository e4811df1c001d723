"""The built-in data sets: five tables shipped with scikit-learn and four seeded 2-D generators
(``make_spiral`` is written here; moons, circles and blobs are scikit-learn's)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .raw import RawData

DATASETS: dict[str, str] = {
    "digits": "8x8 handwritten digits, 1797 samples, 64 features, 10 classes (scikit-learn)",
    "iris": "iris flowers, 150 samples, 4 features, 3 classes (scikit-learn)",
    "wine": "wine cultivars, 178 samples, 13 features, 3 classes (scikit-learn)",
    "breast_cancer": "breast cancer diagnosis, 569 samples, 30 features, 2 classes (scikit-learn)",
    "diabetes": "diabetes progression, 442 samples, 10 features, regression (scikit-learn)",
    "moons": "two interleaving half circles, 2-D, 2 classes (synthetic)",
    "circles": "a circle inside a circle, 2-D, 2 classes (synthetic)",
    "blobs": "Gaussian blobs, 2-D, 3 classes (synthetic)",
    "spiral": "intertwined spiral arms, 2-D, 3 classes (synthetic)",
}

# Options each synthetic generator accepts, with their defaults.
_SYNTHETIC_DEFAULTS: dict[str, dict[str, Any]] = {
    "moons": {"n_samples": 1000, "noise": 0.2},
    "circles": {"n_samples": 1000, "noise": 0.1, "factor": 0.5},
    "blobs": {"n_samples": 1000, "centers": 3, "cluster_std": 1.0},
    "spiral": {"n_samples": 1000, "n_classes": 3, "noise": 0.2},
}


def names() -> list[str]:
    """The built-in data set names."""
    return list(DATASETS)


def make_spiral(n_samples: int = 1000, n_classes: int = 3, noise: float = 0.2, seed: int = 0) -> tuple:
    """``n_classes`` spiral arms in 2-D (the classic example a linear model cannot separate).

    Point i of arm k, with radius r_i evenly spaced in [0, 1]::

        theta = 2*pi*k / K + 4*r_i + noise * N(0, 1)        x = (r_i * sin(theta), r_i * cos(theta))

    Returns ``(X, y)``: X float64 (n_samples, 2), y int64 arm labels; arms get n // K points each
    (the first n % K arms one more).
    """
    if n_classes < 1 or n_samples < n_classes:
        raise ValueError(
            f"make_spiral: need n_classes >= 1 and n_samples >= n_classes, got {n_samples}, {n_classes}"
        )
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k in range(n_classes):
        m = n_samples // n_classes + (1 if k < n_samples % n_classes else 0)
        r = np.linspace(0.0, 1.0, m)
        theta = 2 * np.pi * k / n_classes + 4.0 * r + noise * rng.standard_normal(m)
        X.append(np.column_stack([r * np.sin(theta), r * np.cos(theta)]))
        y.append(np.full(m, k, dtype=np.int64))
    return np.concatenate(X), np.concatenate(y)


def load_builtin(name: str, seed: int = 0, **options: Any) -> RawData:
    """One of ``DATASETS``; synthetic ones accept their generator's options (``n_samples``, ``noise`` ...)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)} (or a .csv file)")
    if name in _SYNTHETIC_DEFAULTS:
        allowed = _SYNTHETIC_DEFAULTS[name]
        bad = sorted(set(options) - set(allowed))
        if bad:
            raise TypeError(
                f"dataset {name!r} has no option {', '.join(bad)}; its options: {', '.join(allowed)}"
            )
        return _synthetic(name, seed, {**allowed, **options})
    if options:
        raise TypeError(f"dataset {name!r} takes no options (got {', '.join(sorted(options))})")
    from sklearn import datasets as skd

    if name == "diabetes":
        b = skd.load_diabetes(scaled=False)
        return RawData(
            name, "regression", b.data.astype(np.float64), b.target.astype(np.float64), list(b.feature_names)
        )
    loader = {
        "digits": skd.load_digits,
        "iris": skd.load_iris,
        "wine": skd.load_wine,
        "breast_cancer": skd.load_breast_cancer,
    }[name]
    b = loader()
    return RawData(
        name,
        "classification",
        b.data.astype(np.float64),
        b.target.astype(np.int64),
        [str(f) for f in b.feature_names],
        [str(c) for c in b.target_names],
    )


def _synthetic(name: str, seed: int, opts: dict[str, Any]) -> RawData:
    from sklearn import datasets as skd

    if name == "moons":
        X, y = skd.make_moons(n_samples=opts["n_samples"], noise=opts["noise"], random_state=seed)
    elif name == "circles":
        X, y = skd.make_circles(
            n_samples=opts["n_samples"], noise=opts["noise"], factor=opts["factor"], random_state=seed
        )
    elif name == "blobs":
        X, y = skd.make_blobs(
            n_samples=opts["n_samples"],
            centers=opts["centers"],
            n_features=2,
            cluster_std=opts["cluster_std"],
            random_state=seed,
        )
    else:
        X, y = make_spiral(opts["n_samples"], opts["n_classes"], opts["noise"], seed)
    k = int(y.max()) + 1
    return RawData(
        name,
        "classification",
        X.astype(np.float64),
        y.astype(np.int64),
        ["x1", "x2"],
        [str(i) for i in range(k)],
    )
