"""The notes' nn snippets, verbatim, run once with real torch and once after ``import mlplab as torch``:
the deterministic ones must print exactly the same text."""

from __future__ import annotations

import contextlib
import io
import sys

import pytest
import torch
import torch.nn

import mlplab
import mlplab.nn  # noqa: F401 - until mlplab/__init__ imports nn, this makes ``torch.nn`` reachable

L1_MSE = """
import torch
import torch.nn as nn

# 初始化MAE损失函数
mae_loss = nn.L1Loss()

# 假设 y_true 是真实值, y_pred 是预测值
y_true = torch.tensor([3.0, 5.0, 2.5])
y_pred = torch.tensor([2.5, 5.0, 3.0])

# 计算MAE
loss = mae_loss(y_pred, y_true)
print(f'MAE Loss: {loss.item()}')

# 初始化MSE损失函数
mse_loss = nn.MSELoss()

# 计算MSE
loss = mse_loss(y_pred, y_true)
print(f'MSE Loss: {loss.item()}')
"""

CROSS_ENTROPY = """
import torch
import torch.nn as nn

# 假设有三个类别,模型输出是未经softmax的logits
logits = torch.tensor([[1.5, 2.0, 0.5], [0.5, 1.0, 1.5]])

# 真实的标签
labels = torch.tensor([1, 2])  # 第一个样本的真实类别为1,第二个样本的真实类别为2

# 初始化CrossEntropyLoss
# 参数:reduction:mean-平均值,sum-总和
criterion = nn.CrossEntropyLoss()

# 计算损失
loss = criterion(logits, labels)
print(f'Cross Entropy Loss: {loss.item()}')
print(torch.log_softmax(logits, dim=1))
"""

BCE = """
import torch
import torch.nn as nn

# y 是模型的输出,已经被sigmoid处理过,确保其值域在(0,1)
y = torch.tensor([[0.7], [0.2], [0.9], [0.7]])
# targets 是真实的标签,0或1
t = torch.tensor([[1], [0], [1], [0]], dtype=torch.float)

# 计算损失方式一:
bceLoss = nn.BCELoss()
loss1 = bceLoss(y, t)

#计算损失方式二: 两种方式结果相同
loss2 = nn.functional.binary_cross_entropy(y, t)

print(loss1, loss2)
"""

CONSTANT_INIT = """
import torch
import torch.nn as nn


def test002():# 2. 固定值参数初始化
    linear = nn.Linear(in_features=6, out_features=4)# 初始化权重参数
    nn.init.constant_(linear.weight, 0.63)# 打印权重参数
    print(linear.weight)
    nn.init.zeros_(linear.weight)
    print(linear.weight)
    nn.init.ones_(linear.weight)
    print(linear.weight)
    pass


test002()
"""

WEIGHT_DATA = """
import torch
import torch.nn as nn

net = nn.Linear(2, 2, bias=True)# 假设一个数值
x = torch.tensor([[0.1, 0.95]])
# 初始化权重参数
net.weight.data = torch.tensor([[0.1, 0.2], [0.3, 0.4]])
nn.init.zeros_(net.bias)
# 输出什么:权重参数会转置
output = net(x)
print(output, net.bias)
"""

RANDOM_INIT = """
import torch
import torch.nn as nn

linear = nn.Linear(in_features=6, out_features=4)
nn.init.uniform_(linear.weight)
nn.init.normal_(linear.weight, mean=0, std=1)
nn.init.xavier_normal_(linear.weight)
nn.init.xavier_uniform_(linear.weight)
nn.init.kaiming_normal_(linear.weight, nonlinearity="relu", mode='fan_in')
nn.init.kaiming_uniform_(linear.weight, nonlinearity="relu", mode='fan_out')
print(linear.weight.shape)
"""

MODEL = """
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(64, 50), nn.Tanh(), nn.Linear(50, 10))
print(model)
model.eval()
print(model.training, model[0].training)
d = nn.Sequential(nn.Linear(5, 5), nn.Dropout(0.3), nn.BatchNorm1d(5))
print(d)
print([name for name, _ in d.named_parameters()])
print(list(d.state_dict().keys()))
"""

SNIPPETS = {
    "l1_mse": L1_MSE,
    "cross_entropy": CROSS_ENTROPY,
    "bce": BCE,
    "constant_init": CONSTANT_INIT,
    "weight_data": WEIGHT_DATA,
    "random_init": RANDOM_INIT,
    "model": MODEL,
}


def _run(src: str, use_mlplab: bool) -> str:
    out = io.StringIO()
    saved = torch, torch.nn
    if use_mlplab:
        # ``import torch`` / ``import torch.nn as nn`` inside the snippet resolve to mlplab
        sys.modules["torch"], sys.modules["torch.nn"] = mlplab, mlplab.nn
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(src, "<notes>", "exec"), {"__name__": "__notes__"})
    finally:
        if use_mlplab:
            sys.modules["torch"], sys.modules["torch.nn"] = saved
    return out.getvalue()


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_snippet_prints_what_torch_prints(name):
    ours = _run(SNIPPETS[name], True)
    theirs = _run(SNIPPETS[name], False)
    assert ours.replace("mlplab.Size", "torch.Size") == theirs


def test_notes_printed_values():
    assert "MAE Loss: 0.3333333432674408" in _run(L1_MSE, True)
    out = _run(CROSS_ENTROPY, True)
    assert "-0.6041" in out and "-0.6803" in out
    assert _run(BCE, True).startswith("tensor(0.4723) tensor(0.4723)")
    out = _run(WEIGHT_DATA, True)
    assert out.startswith("tensor([[0.2000, 0.4100]], grad_fn=<AddmmBackward0>)")


def test_import_mlplab_as_torch_reaches_nn():
    import mlplab as mtorch

    assert mtorch.nn.Linear is mlplab.nn.Linear
    assert mtorch.nn.functional.softmax is mlplab.nn.functional.softmax
    assert mtorch.nn.init.constant_ is mlplab.nn.init.constant_
