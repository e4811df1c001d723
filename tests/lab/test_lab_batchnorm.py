"""``batchnorm``: BN trains across lr x init scale; train mode uses batch statistics."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab import manual_seed, no_grad, tensor
from mlplab.lab import run_experiment
from mlplab.lab.experiments import batchnorm


@pytest.mark.slow
def test_every_claim_holds_and_the_figure_is_written(tmp_path):
    result = run_experiment("batchnorm", tmp_path, quick=True, seed=0)
    assert [c.text for c in result.claims if not c.passed] == []
    assert all(p.exists() and p.stat().st_size > 10_000 for p in result.figures)
    assert len(result.tables["grid"]) == 2 * len(batchnorm.LRS) * len(batchnorm.SCALES)


def test_bn_output_ignores_the_init_scale():
    # BN(a z) = BN(z) for a > 0 (up to eps): the first BN layer's output is the same at scale 1 and 10
    x = tensor(np.random.default_rng(0).normal(size=(32, 64)).astype(np.float32))
    outs = []
    for scale in (1.0, 10.0):
        manual_seed(0)
        model = batchnorm.deep_mlp(True, scale)
        with no_grad():
            outs.append(model[1](model[0](x)).numpy())
    assert np.max(np.abs(outs[0] - outs[1])) < 1e-3
