"""Programs written the way public PyTorch tutorials and courses write them (``progs/``), each run
unchanged with torch 2.13 and with mlplab standing in for torch, from the same random numbers
(``program_runner``), and compared number by number.

Tolerances: the float32 programs use rtol=1e-4, atol=1e-6. Both libraries run the same float32
operations, but their reductions and matrix products add in different orders (NumPy's pairwise
sums and OpenBLAS vs torch's kernels), which puts a difference of a few float32 ulps
(eps = 1.2e-7) into every step; a training run of tens to hundreds of steps carries such
differences forward, and printed values are rounded to 6 decimals by ``:.6f``-style formats
(atol=1e-6 is that rounding unit). The largest deviation measured for each program is in
``docs/compatibility.md``. micrograd's float64 checks use 1e-12; the float64 L-BFGS fit has its
own reason below.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
import sklearn.datasets  # noqa: F401 - loaded at collection, like torch: no test's time includes start-up
import torch
from program_runner import compare_outputs, run_program, split_numbers

F32 = (1e-4, 1e-6)
F64 = (1e-12, 1e-12)
# float64, but 3 outer L-BFGS steps of up to 20 iterations each with strong-Wolfe line searches: the
# 1e-16 summation-order differences of each step pass through the two-loop recursion's divisions
# and the line search's cubic interpolation 60 times (largest measured: 8.5e-8 relative)
LBFGS64 = (1e-6, 1e-9)

PROGRAMS = {
    "quickstart_mlp": F32,
    "tensors_polynomial": F32,
    "autograd_polynomial": F32,
    "legendre_function": F32,
    "nn_polynomial": F32,
    "dynamic_net": F32,
    "autograd_basics": F32,
    "optimization_loop": F32,
    "d2l_mlp_scratch": F32,
    "d2l_weight_decay": F32,
    "d2l_dropout": F32,
    "d2l_optimizers": F32,
    "checkpoint_resume": F32,
    "dataloader_scheduler": F32,
    "custom_functions": F32,
    "gradient_penalty": F32,
    "tabular_embedding": F32,
    "swa_training": F32,
    "micrograd_checks": F64,
    "regression_early_stopping": F32,
    "moons_binary": F32,
    "freeze_and_hooks": F32,
    "lbfgs_fit": LBFGS64,
    "hessian_vector": F32,
    "digits_classifier": F32,
    "imbalanced_classes": F32,
    "feedforward_basics": F32,
    "streaming_tags": F32,
    "preallocated_outputs": F32,
}


# torch warns about d2l's float(l.sum()) on a tensor that requires grad; the program is d2l's idiom
@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True:UserWarning")
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_prints_what_torch_prints(name, tmp_path):
    rtol, atol = PROGRAMS[name]
    expected = run_program(name, "torch", tmp_path / "torch")
    actual = run_program(name, "mlplab", tmp_path / "mlplab")
    compare_outputs(expected, actual, rtol=rtol, atol=atol)


def test_the_program_sees_mlplab_as_torch_and_torch_comes_back(tmp_path):
    import mlplab.nn
    import mlplab.random
    import mlplab.utils.data

    rng_fn, rand_fn = mlplab.random.rng, torch.rand
    before = {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}
    assert run_program("whoami", "mlplab", tmp_path / "m").split() == ["mlplab", "mlplab.nn", "mlplab"]
    assert run_program("whoami", "torch", tmp_path / "t").split() == ["torch", "torch.nn", "torch"]
    after = {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}
    assert after == before
    assert mlplab.random.rng is rng_fn and torch.rand is rand_fn
    assert mlplab.nn.__spec__.name == "mlplab.nn" and mlplab.utils.data.__spec__.name == "mlplab.utils.data"
    assert "uniform_" not in vars(torch.Tensor) and "normal_" not in vars(torch.Tensor)


def test_both_libraries_draw_the_same_initial_weights(tmp_path):
    # the runner's shared random source: nn.Linear's default init gives identical weights
    out_t = run_program("nn_polynomial", "torch", tmp_path / "t", seed=7)
    out_m = run_program("nn_polynomial", "mlplab", tmp_path / "m", seed=7)
    assert split_numbers(out_t)[1][:2] == pytest.approx(split_numbers(out_m)[1][:2], rel=1e-5)
    out_other = run_program("nn_polynomial", "mlplab", tmp_path / "o", seed=8)
    assert split_numbers(out_other)[1][1] != pytest.approx(split_numbers(out_m)[1][1], rel=1e-3)


def test_the_comparison_fails_on_a_different_number_or_text():
    compare_outputs("loss 0.5 [32/256]", "loss 0.50001 [32/256]", rtol=1e-4, atol=1e-6)
    with pytest.raises(AssertionError, match="number 0"):
        compare_outputs("loss 0.5 [32/256]", "loss 0.5001 [32/256]", rtol=1e-4, atol=1e-6)
    with pytest.raises(AssertionError, match="text"):
        compare_outputs("loss 0.5", "acc 0.5", rtol=1e-4, atol=1e-6)
    with pytest.raises(AssertionError, match="text"):
        compare_outputs("loss 0.5", "loss 0.5 0.5", rtol=1e-4, atol=1e-6)
    with pytest.raises(AssertionError, match="number 0"):
        compare_outputs("loss nan", "loss 1.0", rtol=1e-4, atol=1e-6)
    assert split_numbers("torch.Size([32, 4]) 1e-3 -2.5")[1] == [32, 4, 1e-3, -2.5]
    assert np.isnan(split_numbers("x nan")[1][0])


def test_saving_a_whole_module_is_refused_with_a_pointer_to_state_dict(tmp_path):
    assert run_program("save_whole_model", "torch", tmp_path / "t").strip() == "saved"
    with pytest.raises(TypeError, match=r"state_dict\(\)"):
        run_program("save_whole_model", "mlplab", tmp_path / "m")
    assert not (tmp_path / "m" / "model.pth").exists()
