"""The parameters (names, order, kinds, defaults) of the nn functions and modules added for
PyTorch compatibility equal torch 2.13's, so keyword and positional calls port unchanged."""

from __future__ import annotations

import inspect

import pytest
import torch

import mlplab.nn as nn
import mlplab.nn.functional as F

FUNCTIONS = (
    "relu6 selu celu mish hardtanh softsign hardswish hardsigmoid tanhshrink softmin threshold glu "
    "layer_norm embedding margin_ranking_loss cosine_embedding_loss soft_margin_loss "
    "multilabel_soft_margin_loss poisson_nll_loss gaussian_nll_loss triplet_margin_loss normalize pad "
    "alpha_dropout"
).split()
MODULES = (
    "ReLU6 SELU CELU Mish Hardtanh LogSigmoid Softsign Hardswish Hardsigmoid Tanhshrink Softmin "
    "Threshold GLU LayerNorm Embedding MarginRankingLoss CosineEmbeddingLoss SoftMarginLoss "
    "MultiLabelSoftMarginLoss PoissonNLLLoss GaussianNLLLoss TripletMarginLoss Unflatten ParameterList "
    "ParameterDict AlphaDropout"
).split()
UTILS = (
    "clip_grad_norm_ clip_grad_norm clip_grad_value_ get_total_norm clip_grads_with_norm_ "
    "parameters_to_vector vector_to_parameters"
).split()


def _sig(f):
    return [
        (p.name, p.kind, None if p.default is inspect.Parameter.empty else repr(p.default))
        for p in inspect.signature(f).parameters.values()
    ]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functional_signature(name):
    assert _sig(getattr(F, name)) == _sig(getattr(torch.nn.functional, name))


@pytest.mark.parametrize("name", MODULES)
def test_module_signature(name):
    assert _sig(getattr(nn, name).__init__) == _sig(getattr(torch.nn, name).__init__)
    if name not in ("ParameterList", "ParameterDict"):  # not callable in either library
        assert _sig(getattr(nn, name).forward) == _sig(getattr(torch.nn, name).forward)


@pytest.mark.parametrize("name", UTILS)
def test_utils_signature(name):
    assert _sig(getattr(nn.utils, name)) == _sig(getattr(torch.nn.utils, name))


def test_from_pretrained_signature():
    assert _sig(nn.Embedding.from_pretrained) == _sig(torch.nn.Embedding.from_pretrained)
