"""``inference_mode`` / ``is_inference_mode_enabled``: the grad-mode effects match torch 2.13."""

import pytest
import torch

import mlplab


@pytest.mark.parametrize("lib", [torch, mlplab], ids=["torch", "mlplab"])
def test_inference_mode_as_context_and_decorators(lib):
    w = lib.ones(3, requires_grad=True)
    seen = []

    def probe():
        seen.append(((w * 2).requires_grad, lib.is_grad_enabled(), lib.is_inference_mode_enabled()))

    probe()
    with lib.inference_mode():
        probe()
        with lib.inference_mode(False):
            probe()
    with lib.inference_mode(mode=False):
        probe()
    lib.inference_mode()(probe)()
    lib.inference_mode(probe)()  # bare @inference_mode
    with lib.no_grad(), lib.inference_mode(False):
        probe()
    probe()
    on, off = (False, False, True), (True, True, False)
    assert seen == [off, on, off, off, on, on, off, off]


@pytest.mark.parametrize("lib", [torch, mlplab], ids=["torch", "mlplab"])
def test_inference_mode_false_turns_recording_on_and_both_states_come_back(lib):
    w = lib.ones(2, requires_grad=True)
    with lib.no_grad():
        with lib.inference_mode():
            assert not (w + 1).requires_grad
            with lib.inference_mode(False):
                assert (w + 1).requires_grad and not lib.is_inference_mode_enabled()
            assert lib.is_inference_mode_enabled()
        assert not lib.is_grad_enabled() and not lib.is_inference_mode_enabled()


def test_inference_mode_restores_the_state_after_an_error():
    with pytest.raises(ValueError), mlplab.inference_mode():
        raise ValueError("boom")
    assert mlplab.is_grad_enabled() and not mlplab.is_inference_mode_enabled()
