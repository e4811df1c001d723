"""The run's figures place their axes from measured text (not ``tight_layout``): every label,
tick label and title must still lie inside the figure, and none may run into another axes or
into the other titles. Checked on the drawn figures (the extents matplotlib itself reports after
``savefig``), for the default run's shapes and for the wide labels that stretch each margin."""

from __future__ import annotations

import numpy as np
import pytest

from mlplab.train import figures


class Keep:
    """Captures the Figure a plot function saves (the function itself keeps no reference)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.figs: list = []
        make = figures._figure

        def keep(figsize):
            fig = make(figsize)
            self.figs.append(fig)
            return fig

        monkeypatch.setattr(figures, "_figure", keep)


def _drawn(fig):
    """Draw the figure at its own dpi (``savefig`` drew it at 110) and return the renderer."""
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _inside(fig, renderer, tol=1.0):
    """Everything drawn (``get_tightbbox``: the drawn tick labels, labels, titles, legends, the
    colorbar) lies inside the figure."""
    b = fig.get_tightbbox(renderer)  # inches
    W, H = fig.get_size_inches()
    t = tol / fig.dpi
    assert b.x0 >= -t and b.y0 >= -t and b.x1 <= W + t and b.y1 <= H + t, (
        f"drawn extent {np.round(b.extents, 3)} in is outside the {W}x{H} in figure"
    )


def _overlap(a, b, what):
    assert not a.overlaps(b), f"{what} overlap: {np.round(a.extents, 1)} and {np.round(b.extents, 1)}"


def _history(n, big=False, regression=False):
    rows = []
    for i in range(1, n + 1):
        r = {
            "epoch": i,
            "train_loss": (123456.0 if big else 2.3) / i,
            "val_loss": (110000.0 if big else 2.4) / i,
        }
        if regression:
            r["val_r2"] = -3.0 + 4 * i / n
        else:
            r["train_acc"], r["val_acc"] = 1 - 1 / (i + 1), 1 - 1.2 / (i + 1.5)
        rows.append(r)
    return rows


@pytest.mark.parametrize(
    "history,task",
    [
        (_history(20), "classification"),
        (_history(1), "classification"),
        (_history(300, big=True, regression=True), "regression"),
        ([{"epoch": 1, "train_loss": 1e-7, "val_loss": 3e-7, "val_r2": 0.999999}], "regression"),
    ],
    ids=["digits", "one-epoch", "large-loss", "tiny-loss"],
)
def test_curves_fit_in_the_figure(monkeypatch, tmp_path, history, task):
    keep = Keep(monkeypatch)
    figures.plot_curves(history, tmp_path / "curves.png", task, title="a rather long title: adam, lr 0.001")
    (fig,) = keep.figs
    assert (tmp_path / "curves.png").stat().st_size > 0
    r = _drawn(fig)
    _inside(fig, r)
    left, right = fig.axes
    # the right panel's y tick labels and y label stay clear of the left panel
    _overlap(right.yaxis.get_tightbbox(r), left.get_window_extent(r), "right y axis labels / left axes")
    _overlap(right.yaxis.get_tightbbox(r), left.xaxis.get_tightbbox(r), "right y axis / left x axis")
    # the suptitle clears both panels' titles, which clear their axes' y offset text ("1e5")
    sup = fig.get_suptitle() and fig._suptitle.get_window_extent(r)
    assert sup is not None
    for ax in fig.axes:
        _overlap(sup, ax.title.get_window_extent(r), "suptitle / axes title")
        if ax.yaxis.get_offset_text().get_text():
            _overlap(ax.yaxis.get_offset_text().get_window_extent(r), sup, "offset text / suptitle")


@pytest.mark.parametrize(
    "names",
    [
        [str(i) for i in range(10)],
        ["Iris-setosa", "Iris-versicolor", "Iris-virginica"],
        [f"a fairly long class name {i}" for i in range(15)],
        ["yes", "no"],
        ["a long name for class zero", "and one for class one", "two"],
    ],
    ids=["digits", "iris", "15-long-rotated", "binary", "3-long"],
)
def test_confusion_fits_in_the_figure(monkeypatch, tmp_path, names):
    keep = Keep(monkeypatch)
    n = len(names)
    cm = np.random.default_rng(n).integers(0, 5000, size=(n, n))
    figures.plot_confusion(None, None, names, tmp_path / "confusion.png", cm=cm)
    (fig,) = keep.figs
    r = _drawn(fig)
    _inside(fig, r)
    ax, cax = fig.axes
    box, cbox = ax.get_window_extent(r), cax.get_window_extent(r)
    assert abs(box.width - box.height) < 1.5, "the matrix's cells are square and fill its axes"
    _overlap(box, cbox, "matrix / colorbar")
    assert abs(box.y0 - cbox.y0) < 1.5 and abs(box.y1 - cbox.y1) < 1.5, "colorbar as tall as the matrix"
    _overlap(ax.xaxis.get_tightbbox(r), cbox, "class names / colorbar")
    _overlap(ax.xaxis.get_tightbbox(r), cax.yaxis.get_tightbbox(r), "class names / colorbar labels")
    labels = ax.get_xticklabels()
    assert len(labels) == n
    boxes = [t.get_window_extent(r) for t in labels]
    turn = labels[0].get_rotation()
    if turn:  # parallel turned labels: the gap across them is the tick spacing times sin(angle)
        height = max(
            r.get_text_width_height_descent(t.get_text(), t.get_fontproperties(), False)[1] for t in labels
        )
        spacing = (ax.transData.transform((1, 0)) - ax.transData.transform((0, 0)))[0]
        assert spacing * np.sin(np.deg2rad(turn)) > height, "turned class names run into each other"
    else:  # neighbouring class names stay apart
        for a, b in zip(boxes, boxes[1:]):
            _overlap(a, b, "neighbouring x tick labels")
    assert bool(turn) == (n > 10 or names[0].startswith("a ")), "turned exactly where names are many or wide"


@pytest.mark.parametrize("centre,spread", [(250000.0, 90000.0), (1e6, 3.0)], ids=["wide", "offset-text"])
def test_pred_vs_true_fits_in_the_figure(monkeypatch, tmp_path, centre, spread):
    keep = Keep(monkeypatch)
    rng = np.random.default_rng(0)
    t = rng.normal(centre, spread, 200)
    figures.plot_pred_vs_true(t, t + rng.normal(0, spread / 4, 200), tmp_path / "pred_vs_true.png")
    (fig,) = keep.figs
    r = _drawn(fig)
    _inside(fig, r)
    (ax,) = fig.axes
    # an offset text ("+1e6") below the x tick labels and above the y axis stays clear of the labels
    for axis in (ax.xaxis, ax.yaxis):
        off = axis.get_offset_text()
        if off.get_text():
            _overlap(off.get_window_extent(r), axis.label.get_window_extent(r), "offset text / axis label")
            _overlap(off.get_window_extent(r), ax.title.get_window_extent(r), "offset text / title")
