"""The model card: test accuracy, per-class accuracy, confusion matrix, curves, misclassified digits."""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, classes: int = 10) -> np.ndarray:
    """Rows are true labels, columns predictions."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def write_report(
    folder: Path,
    probabilities: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    history: dict[str, list[float]],
    summary: dict[str, object],
) -> dict[str, object]:
    """Write report.json and the PNGs into `folder`; return the report."""
    folder.mkdir(parents=True, exist_ok=True)
    y_pred = probabilities.argmax(axis=1)
    matrix = confusion_matrix(y_test, y_pred)
    per_class = (np.diag(matrix) / matrix.sum(axis=1)).round(5).tolist()
    report = {
        **summary,
        "test_accuracy": round(float((y_pred == y_test).mean()), 5),
        "test_errors": int((y_pred != y_test).sum()),
        "per_class_accuracy": per_class,
        "confusion_matrix": matrix.tolist(),
        "history": history,
    }
    (folder / "report.json").write_text(json.dumps(report, indent=2))
    _plot_confusion(matrix, folder / "confusion_matrix.png")
    _plot_curves(history, folder / "curves.png")
    _plot_misclassified(x_test, y_test, y_pred, probabilities, folder / "misclassified.png")
    return report


def _plot_confusion(matrix: np.ndarray, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 5.5))
    shown = np.log1p(matrix)
    ax.imshow(shown, cmap="Blues")
    for (i, j), n in np.ndenumerate(matrix):
        ax.text(j, i, str(n), ha="center", va="center", fontsize=7, color="white" if shown[i, j] > shown.max() / 2 else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true", title="MNIST test confusion matrix")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_curves(history: dict[str, list[float]], path: Path) -> None:
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 4))
    epochs = np.arange(1, len(history.get("loss", [])) + 1)
    for key, ax in (("loss", loss_ax), ("accuracy", acc_ax)):
        for prefix, label in (("", "train (augmented)"), ("val_", "validation")):
            if prefix + key in history:
                ax.plot(epochs, history[prefix + key], marker=".", label=label)
        ax.set(xlabel="epoch", title=key)
        ax.grid(alpha=0.3)
        ax.legend()
    acc_ax.set_ylim(0.97, 1.0)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_misclassified(x: np.ndarray, y: np.ndarray, y_pred: np.ndarray, probabilities: np.ndarray, path: Path, limit: int = 100) -> None:
    wrong = np.flatnonzero(y_pred != y)[:limit]
    cols = 10
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.1, rows * 1.25), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(x[i], cmap="gray_r")
        ax.set_title(f"{y[i]}→{y_pred[i]} {probabilities[i].max():.0%}", fontsize=7)
    fig.suptitle(f"Misclassified test digits (true→predicted, confidence): {len(np.flatnonzero(y_pred != y))}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
