"""Plots of training histories (matplotlib, an optional extra imported only when drawing).

>>> from mlcore.plotting import plot_history
>>> # ax = plot_history(net.history_)          # loss and val_loss; accuracy on a second axis
"""

from __future__ import annotations

__all__ = ["plot_history", "save_history_plot"]


def _pyplot():
    try:
        import matplotlib

        if not _has_display():
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install matplotlib (or pip install 'mlcore-core[plots]')") \
            from None
    return plt


def _has_display() -> bool:
    import os
    import sys

    return sys.platform in ("win32", "darwin") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def plot_history(history, ax=None):
    """Draw a training history: one line per metric against the epoch (or iteration).

    Parameters
    ----------
    history : dict of str -> sequence of float
        For example ``Sequential.history_``: ``loss``, ``accuracy``, ``val_loss``,
        ``val_accuracy``. Keys containing "loss" go on the left axis; other metrics on a
        second axis at the right (dashed). Validation series share their training
        series' colour.
    ax : matplotlib Axes, optional
        Drawn into; a new figure's axes when None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes holding the losses.
    """
    if not isinstance(history, dict) or not history or not any(len(v) for v in history.values()):
        raise ValueError("history is empty: fit a model that records one (history_, e.g. sequential) first")
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    losses = {k: v for k, v in history.items() if "loss" in k}
    others = {k: v for k, v in history.items() if "loss" not in k}
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    base_names = sorted({k.removeprefix("val_") for k in history})
    colour = {k: colours[base_names.index(k.removeprefix("val_")) % len(colours)] for k in history}

    def draw(axis, series, dashed):
        for k, v in series.items():
            x = range(1, len(v) + 1)
            style = ":" if k.startswith("val_") else ("--" if dashed else "-")
            axis.plot(x, list(v), style, color=colour[k], marker="o" if len(v) <= 30 else None, ms=3, label=k)

    draw(ax, losses or others, False)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss" if losses else "value")
    handles, labels = ax.get_legend_handles_labels()
    if losses and others:
        ax2 = ax.twinx()
        draw(ax2, others, True)
        ax2.set_ylabel("metric")
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, loc="best", fontsize="small")
    ax.grid(True, alpha=0.3)
    return ax


def save_history_plot(history, path, title: str | None = None) -> str:
    """Draw ``history`` with :func:`plot_history` and write the figure to ``path`` (PNG, SVG, PDF)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    try:
        plot_history(history, ax=ax)
        if title:
            ax.set_title(title)
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path
