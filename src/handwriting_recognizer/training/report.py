"""The model card: test accuracy, per-class accuracy, confusion matrix, curves, misclassified digits."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from handwriting_recognizer.core.contract import (  # noqa: E402
    CLASSES,
    LABELS,
    MODEL_FILE,
    NOT_A_DIGIT_LABEL,
    PREPROCESSING_KEY,
    UNSURE_BELOW_KEY,
    int8_path_for,
)

REAL_WRITING_FILE = "REAL_WRITING.md"  # benchmarks/real_writing.py's tables, beside the card


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, classes: int = len(CLASSES)) -> np.ndarray:
    """Rows are true labels, columns predictions (the last column: "not a digit")."""
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
    matrix = confusion_matrix(y_test, y_pred, probabilities.shape[1])
    digits = len(LABELS)
    per_class = (np.diag(matrix)[:digits] / np.maximum(matrix.sum(axis=1)[:digits], 1)).round(5).tolist()
    report = {
        **summary,
        "test_accuracy": round(float((y_pred == y_test).mean()), 5),
        "test_errors": int((y_pred != y_test).sum()),
        "per_class_accuracy": per_class,
        "test_rejected_as_not_a_digit": int((y_pred == len(LABELS)).sum()),
        "confusion_matrix": matrix[:digits].tolist(),
        "history": history,
    }
    (folder / "report.json").write_text(json.dumps(report, indent=2))
    (folder / "MODEL_CARD.md").write_text(model_card(report))
    _plot_confusion(matrix[:digits], folder / "confusion_matrix.png")
    _plot_curves(history, folder / "curves.png")
    _plot_misclassified(x_test, y_test, y_pred, probabilities, folder / "misclassified.png")
    return report


def model_card(report: dict) -> str:
    """A short human-readable card: what the model is, how it was trained, how well it does."""
    recipe = report.get("recipe", {})
    per_class = " | ".join(f"{acc:.2%}" for acc in report["per_class_accuracy"])
    lines = [
        "# Model card: handwritten digit CNN",
        "",
        f"- **MNIST test accuracy: {report['test_accuracy']:.2%}** ({report['test_errors']} errors of "
        f"{sum(map(sum, report['confusion_matrix']))}); validation accuracy {report['val_accuracy']:.2%} "
        f"({_checkpoint(report)}).",
        f"- Parameters: {report.get('parameters'):,}; width {recipe.get('width')}; ONNX opset 17; "
        f"onnxruntime vs Keras max abs difference {report.get('parity_max_abs_diff', float('nan')):.1e}.",
        *_data_lines(report),
        f"- Confidence: temperature {report.get('temperature')} (fitted on validation writers), unsure below "
        f"{report.get(UNSURE_BELOW_KEY)}; {report.get('test_rejected_as_not_a_digit', 0)} MNIST test digits "
        f"read as {NOT_A_DIGIT_LABEL}. Held-out writers per group and per style, and the rejection "
        f"trade-off on them: [{REAL_WRITING_FILE}]({REAL_WRITING_FILE}) (`benchmarks/real_writing.py`).",
        *_rejection_lines(report.get("rejection_on_validation"), report.get(UNSURE_BELOW_KEY)),
        _how_made(report),
        f"- Input: {report[PREPROCESSING_KEY]['description']}",
        f"- Reproduce: `{_command(report)}` ({_reproduces(report)}).",
        *_int8_line(report.get("int8")),
        "",
        "| digit | " + " | ".join(LABELS) + " |",
        "|---|" + "---|" * len(LABELS),
        f"| test accuracy | {per_class} |",
        "",
        "![confusion matrix](confusion_matrix.png)" + (" ![training curves](curves.png)" * bool(report.get("epochs"))),
        "",
        "![misclassified test digits](misclassified.png)",
        "",
    ]
    return "\n".join(lines)


def _data_lines(report: dict) -> list[str]:
    """What the run trained on; after --epochs 0, what the export calibrated and checked on."""
    data = report.get("training_data", {})
    if not report.get("epochs"):
        return [
            f"- Data: none trained on in this run; the temperature and the unsure threshold were fitted on "
            f"{data.get('validation_images')} validation images (MNIST from {data.get('source')}"
            f"{', and pen writing' if data.get('pen_data') else ''})."
        ]
    return [
        f"- Data: {data.get('train_images')} MNIST training images, {data.get('validation_images')} held out for "
        f"validation, {data.get('own_samples', 0)} own samples; source {data.get('source')}.",
        f"- Pen writing: {data.get('pen_images', 0)} rendered images from {data.get('pen_data') or 'no pen data'}; "
        f"{data.get('not_a_digit_images', 0)} of them are not digits (letters, symbols, scribbles, half digits, "
        "pairs of digits).",
    ]


def _how_made(report: dict) -> str:
    """When, where and with which recipe the weights were trained; or that they were only exported."""
    recipe = report.get("recipe", {})
    if not report.get("epochs"):
        return (
            f"- Exported {report.get('date')} in {report.get('seconds')} s from weights trained elsewhere "
            f"({Path(recipe.get('init') or '?').name}); how those were trained is not recorded here."
        )
    return (
        f"- Trained {report.get('date')}, {report.get('seconds')} s, {report.get('device')}; batch "
        f"{recipe.get('batch_size')}, initial learning rate {recipe.get('learning_rate')}, "
        f"elastic distortion {recipe.get('elastic')} px, seed {recipe.get('seed')}."
    )


def _reproduces(report: dict) -> str:
    if not report.get("epochs"):
        return "exports those weights again"
    return "on the CPU, the same number of cores gives the same weights"


def _checkpoint(report: dict) -> str:
    """How the weights were chosen: the best validation epoch, or not here (`--epochs 0`)."""
    if not report.get("epochs"):
        return "no training in this run: the --init weights, exported as they are"
    return f"checkpoint chosen on validation, best epoch {report.get('best_epoch')} of {report.get('epochs')}"


def _command(report: dict) -> str:
    """The training command that makes this model again; a fine-tune names the weights it started
    from by their file name (where they live is the reader's)."""
    recipe, data = report.get("recipe", {}), report.get("training_data", {})
    words = ["./dev train --data MNIST.npz"]
    if data.get("pen_data"):
        words.append("--unipen train_r01_v07")
    if recipe.get("init"):
        words.append(f"--init {Path(recipe['init']).name}")
    if recipe.get("max_epochs") is not None:
        words.append(f"--epochs {recipe['max_epochs']}")
    if recipe.get("seed"):
        words.append(f"--seed {recipe['seed']}")
    return " ".join(words)


def _rejection_lines(curve: list[dict] | None, chosen: float | None) -> list[str]:
    """The validation writers' trade-off at a few thresholds, the chosen one marked."""
    if not curve:
        return []
    rows = [p for p in curve if round(p["threshold"] * 10) == p["threshold"] * 10 or p["threshold"] == chosen]
    return [
        "",
        "| unsure below (validation writers) | digits rejected | digits misread | non-digits shown as a digit |",
        "|---|---:|---:|---:|",
        *(
            f"| {p['threshold']:.2f}{' (chosen)' if p['threshold'] == chosen else ''} | {p['digits_rejected']:.2%} | "
            f"{p['digits_misread']:.2%} | {p['non_digits_shown']:.1%} |"
            for p in rows
        ),
        "",
    ]


def _int8_line(int8: dict | None) -> list[str]:
    if not int8:
        return ["- No int8 model: the app runs the float32 model."]
    return [
        f"- int8 model (`{int8_path_for(Path(MODEL_FILE)).name}`, what the app runs on a CPU): "
        f"MNIST test accuracy {int8['test_accuracy']:.2%}; same top digit as the float32 model on "
        f"{int8['agreement']:.2%} of the test set, probabilities within {int8['max_abs_diff']:.3f}."
    ]


def _plot_confusion(matrix: np.ndarray, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 5.5))
    shown = np.log1p(matrix)
    ax.imshow(shown, cmap="Blues")
    for (i, j), n in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            str(n),
            ha="center",
            va="center",
            fontsize=7,
            color="white" if shown[i, j] > shown.max() / 2 else "black",
        )
    ax.set(
        xticks=range(matrix.shape[1]),
        xticklabels=[*LABELS, "none"][: matrix.shape[1]],
        yticks=range(matrix.shape[0]),
        xlabel="predicted",
        ylabel="true",
        title="MNIST test confusion matrix",
    )
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
        if ax.lines:  # none after --epochs 0
            ax.legend()
    acc_ax.set_ylim(0.97, 1.0)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_misclassified(
    x: np.ndarray, y: np.ndarray, y_pred: np.ndarray, probabilities: np.ndarray, path: Path, limit: int = 100
) -> None:
    wrong = np.flatnonzero(y_pred != y)[:limit]
    cols = 10
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.1, rows * 1.25), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong, strict=False):
        ax.imshow(x[i], cmap="gray_r")
        ax.set_title(f"{y[i]}→{y_pred[i]} {probabilities[i].max():.0%}", fontsize=7)
    fig.suptitle(
        f"Misclassified test digits (true→predicted, confidence): {len(np.flatnonzero(y_pred != y))}", fontsize=9
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
