"""The built-in data sets (the ``DATASETS`` table): five tables shipped with scikit-learn and six
seeded 2-D generators (``make_spiral``, ``make_xor`` and ``make_gaussians`` are written here; moons,
circles and blobs are scikit-learn's).

An entry's factory is ``load(seed, **options) -> RawData``; its keyword-only parameters are its
options, with their defaults. ``n_samples`` and ``noise`` are registry Options (so ``mlplab train
--n-samples/--noise`` reach them); other generator options (``factor``, ``centers`` ...) are for the
Python API. To add a data set: a loader here and one ``DATASETS.add`` line.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..registry import Option, Registry
from .cache import cached
from .raw import RawData


def names() -> list[str]:
    """The built-in data set names."""
    return DATASETS.names()


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


PANEL = "Data"
N_SAMPLES = Option("n_samples", "int", "samples of a synthetic data set", low=1, panel=PANEL)
NOISE = Option("noise", "float", "noise of a synthetic data set", low=0, panel=PANEL)


def _sklearn_table(name: str) -> RawData:
    """One of scikit-learn's tables, through the on-disk cache (:mod:`.cache`): the arrays
    scikit-learn's loader gave, without importing scikit-learn once they are cached."""
    a = cached("table", {"name": name}, lambda: _load_sklearn_table(name))
    features = [str(f) for f in a["feature_names"]]
    if name == "diabetes":
        return RawData(name, "regression", a["X"], a["y"], features)
    return RawData(name, "classification", a["X"], a["y"], features, [str(c) for c in a["target_names"]])


def _load_sklearn_table(name: str) -> dict[str, np.ndarray]:
    from sklearn import datasets as skd

    if name == "diabetes":
        b = skd.load_diabetes(scaled=False)
        return {
            "X": b.data.astype(np.float64),
            "y": b.target.astype(np.float64),
            "feature_names": np.array([str(f) for f in b.feature_names]),
        }
    b = getattr(skd, f"load_{name}")()
    return {
        "X": b.data.astype(np.float64),
        "y": b.target.astype(np.int64),
        "feature_names": np.array([str(f) for f in b.feature_names]),
        "target_names": np.array([str(c) for c in b.target_names]),
    }


def _two_d(name: str, X: np.ndarray, y: np.ndarray) -> RawData:
    k = int(y.max()) + 1
    return RawData(
        name,
        "classification",
        X.astype(np.float64),
        y.astype(np.int64),
        ["x1", "x2"],
        [str(i) for i in range(k)],
    )


def moons(seed: int = 0, *, n_samples: int = 1000, noise: float = 0.2) -> RawData:
    from sklearn.datasets import make_moons

    return _two_d("moons", *make_moons(n_samples=n_samples, noise=noise, random_state=seed))


def circles(seed: int = 0, *, n_samples: int = 1000, noise: float = 0.1, factor: float = 0.5) -> RawData:
    from sklearn.datasets import make_circles

    return _two_d(
        "circles", *make_circles(n_samples=n_samples, noise=noise, factor=factor, random_state=seed)
    )


def blobs(seed: int = 0, *, n_samples: int = 1000, centers: int = 3, cluster_std: float = 1.0) -> RawData:
    from sklearn.datasets import make_blobs

    X, y = make_blobs(
        n_samples=n_samples, centers=centers, n_features=2, cluster_std=cluster_std, random_state=seed
    )
    return _two_d("blobs", X, y)


def spiral(seed: int = 0, *, n_samples: int = 1000, n_classes: int = 3, noise: float = 0.2) -> RawData:
    return _two_d("spiral", *make_spiral(n_samples, n_classes, noise, seed))


def make_xor(n_samples: int = 1000, noise: float = 0.1, seed: int = 0) -> tuple:
    """The XOR pattern: points uniform in [-1, 1]^2, label 1 where x1 * x2 < 0; then
    ``noise * N(0, 1)`` is added to each coordinate (labels keep the noiseless quadrant)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    return X + noise * rng.standard_normal((n_samples, 2)), y


def make_gaussians(n_samples: int = 1000, noise: float = 0.5, seed: int = 0) -> tuple:
    """Two Gaussian clouds, centres (-1, -1) and (1, 1), standard deviation ``noise``; the first
    n // 2 points are class 0, the rest class 1."""
    rng = np.random.default_rng(seed)
    y = (np.arange(n_samples) >= n_samples // 2).astype(np.int64)
    centres = np.where(y[:, None] == 1, 1.0, -1.0)
    return centres + noise * rng.standard_normal((n_samples, 2)), y


def xor(seed: int = 0, *, n_samples: int = 1000, noise: float = 0.1) -> RawData:
    return _two_d("xor", *make_xor(n_samples, noise, seed))


def gaussians(seed: int = 0, *, n_samples: int = 1000, noise: float = 0.5) -> RawData:
    return _two_d("gaussians", *make_gaussians(n_samples, noise, seed))


def _table(name: str) -> Any:
    def load(seed: int = 0) -> RawData:
        return _sklearn_table(name)

    return load


DATASETS = Registry("dataset", "built-in data (or --data FILE.csv)")
DATASETS.add(
    "digits", _table("digits"), "8x8 handwritten digits, 1797 samples, 64 features, 10 classes (scikit-learn)"
)
DATASETS.add("iris", _table("iris"), "iris flowers, 150 samples, 4 features, 3 classes (scikit-learn)")
DATASETS.add("wine", _table("wine"), "wine cultivars, 178 samples, 13 features, 3 classes (scikit-learn)")
DATASETS.add(
    "breast_cancer",
    _table("breast_cancer"),
    "breast cancer diagnosis, 569 samples, 30 features, 2 classes (scikit-learn)",
)
DATASETS.add(
    "diabetes",
    _table("diabetes"),
    "diabetes progression, 442 samples, 10 features, regression (scikit-learn)",
    task="regression",
)
DATASETS.add(
    "moons",
    moons,
    "two interleaving half circles, 2-D, 2 classes (synthetic)",
    (N_SAMPLES, NOISE),
    synthetic=True,
)
DATASETS.add(
    "circles",
    circles,
    "a circle inside a circle, 2-D, 2 classes (synthetic)",
    (N_SAMPLES, NOISE),
    synthetic=True,
)
DATASETS.add("blobs", blobs, "Gaussian blobs, 2-D, 3 classes (synthetic)", (N_SAMPLES,), synthetic=True)
DATASETS.add(
    "spiral",
    spiral,
    "intertwined spiral arms, 2-D, 3 classes (synthetic)",
    (N_SAMPLES, NOISE),
    synthetic=True,
)

DATASETS.add("xor", xor, "XOR quadrants, 2-D, 2 classes (synthetic)", (N_SAMPLES, NOISE), synthetic=True)
DATASETS.add(
    "gaussians",
    gaussians,
    "two Gaussian clouds (noise = their std), 2-D, 2 classes (synthetic)",
    (N_SAMPLES, NOISE),
    synthetic=True,
)


def generator_options(name: str) -> dict[str, Any]:
    """The options a built-in data set accepts, with their defaults (empty for the tables)."""
    params = inspect.signature(DATASETS.get(name).factory).parameters.values()
    return {p.name: p.default for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}


def load_builtin(name: str, seed: int = 0, **options: Any) -> RawData:
    """One of ``DATASETS``; synthetic ones accept their generator's options (``n_samples``, ``noise`` ...)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)} (or a .csv file)")
    allowed = generator_options(name)
    if not allowed and options:
        raise TypeError(f"dataset {name!r} takes no options (got {', '.join(sorted(options))})")
    bad = sorted(set(options) - set(allowed))
    if bad:
        raise TypeError(f"dataset {name!r} has no option {', '.join(bad)}; its options: {', '.join(allowed)}")
    return DATASETS.get(name).factory(seed, **options)
