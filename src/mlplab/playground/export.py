"""A playground run as the ``mlplab train`` command and the ``import mlplab as torch`` script that
reproduce it: the same data split, weights, batches and steps, hence the same final loss.

Both stop after the epochs the page finished (a partly done epoch is left out). The command lists
the options that differ from ``mlplab train``'s defaults, plus ``--val-size 0`` and ``--epochs``.
"""

from __future__ import annotations

from typing import Any

from ..datasets.builtin import DATASETS
from ..registry import Option
from ..train.config import RunConfig, all_options
from ..train.losses import LOSSES
from ..train.optimizers import OPTIMIZERS
from ..train.schedulers import SCHEDULERS

_SKIP = {"data", "target", "task", "grad", "early_stopping", "histograms", "epochs", "val_size"}


def _text(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ",".join(_text(x) for x in v)
    return repr(v) if isinstance(v, float) else str(v)


def _flag(o: Option, v: Any) -> str:
    if o.kind == "bool":
        return o.flag if v else f"--no-{o.flag[2:]}"
    return f"{o.flag} {_text(v)}"


def _schedule_fixed(cfg: RunConfig) -> dict[str, Any]:
    """Options that pin a schedule to the page's planned epochs (cosine's period)."""
    if cfg.scheduler == "cosine" and cfg.t_max is None:
        return {"t_max": cfg.epochs}
    return {}


def command(cfg: RunConfig, epochs: int) -> str:
    """The ``mlplab train`` command line for ``epochs`` epochs of this run."""
    entries = cfg.entries()
    chosen = {o.name: e for e in entries.values() for o in e.options}
    values = {**cfg.to_dict(), **_schedule_fixed(cfg)}
    defaults = RunConfig()
    parts = ["mlplab train"]
    for o in all_options():
        v = values.get(o.name)
        if not o.cli or o.name in _SKIP or v is None:
            continue
        if o.name in chosen:
            if v == chosen[o.name].default(o) and o.name not in _schedule_fixed(cfg):
                continue
        elif v == getattr(defaults, o.name) and o.name != "dataset":
            continue
        elif o.name == "loss" and v == "cross_entropy":
            continue
        parts.append(_flag(o, v))
    parts += ["--val-size 0", f"--epochs {epochs}"]
    return " ".join(parts)


def _kwargs(entry: Any, values: dict[str, Any]) -> str:
    args = entry.arguments(values)
    same = lambda k, v: (list(v) if isinstance(v, tuple) else v) == entry.default(k)  # noqa: E731
    return ", ".join(f"{k}={v!r}" for k, v in args.items() if not same(k, v))


def script(cfg: RunConfig, epochs: int) -> str:
    """A short Python script, ``import mlplab as torch``, training this run for ``epochs`` epochs."""
    values = {**cfg.to_dict(), **_schedule_fixed(cfg)}
    ds = DATASETS.get(cfg.dataset)
    data_opts = "".join(f", {k}={v!r}" for k, v in ds.arguments(values).items())
    opt = OPTIMIZERS.get(cfg.optimizer)
    opt_args = ", " + _kwargs(opt, values) if _kwargs(opt, values) else ""
    drop = ",\n                    drop_last=len(x_train) % batch_size == 1" if cfg.batchnorm else ""
    batch = "len(x_train)" if cfg.batch_size == "full" else f"min({cfg.batch_size}, len(x_train))"
    loss = {
        "cross_entropy": "F.cross_entropy(out, y)",
        "mse": "F.mse_loss(F.softmax(out, dim=1), F.one_hot(y, n_classes).float())",
    }.get(cfg.loss, "spec.loss(out, y)")
    binary = bool(LOSSES.get(cfg.loss).properties.get("binary"))
    penalty = ""
    if cfg.l1:
        penalty += f" + {cfg.l1!r} * l1_penalty(model.parameters())"
    if cfg.l2:
        penalty += f" + {cfg.l2!r} * l2_penalty(model.parameters())"
    sched = SCHEDULERS.get(cfg.scheduler)
    scheduled = cfg.scheduler != "none"
    sched_args = ", " + _kwargs(sched, values) if _kwargs(sched, values) else ""
    lines = [
        f"# the playground's run: {cfg.dataset}, hidden {cfg.hidden}, {cfg.activation}, {cfg.optimizer}",
        "import mlplab as torch",
        "import mlplab.nn.functional as F",
        "from mlplab import datasets",
        *(["from mlplab.optim.penalties import l1_penalty, l2_penalty"] if penalty else []),
        "from mlplab.train import build_mlp",
        *(["from mlplab.train.losses import LossSpec"] if "spec" in loss else []),
        *(["from mlplab.train.schedulers import SCHEDULERS, ScheduleContext"] if scheduled else []),
        "from mlplab.utils.data import DataLoader, TensorDataset",
        "",
        f"torch.manual_seed({cfg.seed})",
        f"data = datasets.load({cfg.dataset!r}, seed={cfg.seed}, test_size={cfg.test_size!r}, val_size=0.0"
        f"{data_opts if ds.options else ''})",
        "x_train, y_train = torch.tensor(data.X_train), torch.tensor(data.y_train)",
        "x_test, y_test = torch.tensor(data.X_test), torch.tensor(data.y_test)",
        "n_classes = data.n_classes",
        *(
            [f"spec = LossSpec({cfg.loss!r}, 'classification', n_classes)  # mlplab train's loss table"]
            if "spec" in loss
            else []
        ),
        f"model = build_mlp(data.n_features, {list(cfg.hidden)}, {'1' if binary else 'n_classes'}, "
        f"activation={cfg.activation!r},",
        f"                  init={cfg.init!r}, batchnorm={cfg.batchnorm}, dropout={cfg.dropout!r}, "
        f"init_value={cfg.init_value!r})",
        f"optimizer = torch.optim.{opt.factory.__name__}(model.parameters(){opt_args})",
        f"batch_size = {batch}",
        "loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True,",
        f"                    generator=torch.Generator().manual_seed({cfg.seed}){drop})",
        *(
            [
                f"scheduler = SCHEDULERS.get({cfg.scheduler!r}).factory("
                f"optimizer, ScheduleContext({cfg.epochs}, len(loader)){sched_args})"
            ]
            if scheduled
            else []
        ),
        "",
        "",
        "def criterion(out, y):",
        f"    return {loss}",
        "",
        "",
        f"for epoch in range({epochs}):",
        "    model.train()",
        "    total = 0.0",
        "    for x, y in loader:",
        "        def closure():",
        "            optimizer.zero_grad()",
        f"            loss = criterion(model(x), y){penalty}",
        "            loss.backward()",
        "            return loss",
        "",
        "        loss = optimizer.step(closure)"
        if opt.properties.get("needs_closure")
        else "        loss = closure()",
        *(["        optimizer.step()"] if not opt.properties.get("needs_closure") else []),
        "        total += loss.item() * len(y)",
        *(["        scheduler.step()"] if sched.properties.get("interval") == "batch" else []),
        *(
            [
                "    scheduler.step(total / len(x_train))"
                if sched.properties.get("steps_on_metric")
                else "    scheduler.step()"
            ]
            if cfg.scheduler != "none" and sched.properties.get("interval", "epoch") == "epoch"
            else []
        ),
        "",
        "model.eval()",
        "with torch.no_grad():",
        "    out = model(x_test)",
        "    test_loss = criterion(out, y_test).item()",
        "    test_acc = ((out[:, 0] > 0).long() == y_test).float().mean()"
        if binary
        else "    test_acc = (out.argmax(dim=1) == y_test).float().mean()",
        f'print(f"epochs {epochs}: test loss {{test_loss!r}}, test accuracy {{test_acc.item():.4f}}")',
    ]
    return "\n".join(lines) + "\n"


def export(cfg: RunConfig, epochs: int) -> dict[str, Any]:
    """The page's Export: the command, the script, the epochs they cover and a caveat, if any."""
    note = ""
    if cfg.scheduler == "onecycle" and epochs != cfg.epochs:
        note = (
            f"onecycle spreads its cycle over --epochs: the command reproduces this run only once it has "
            f"finished all {cfg.epochs} epochs (the script follows the page's plan already)"
        )
    return {"command": command(cfg, epochs), "script": script(cfg, epochs), "epochs": epochs, "note": note}
