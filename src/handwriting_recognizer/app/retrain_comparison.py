"""The end of a retraining: the current and the new model side by side (the Done summary's
`comparison`), and whether to keep the new one.

The rule (`recommend`): a retrained model is for reading *your* handwriting better without
forgetting MNIST. Keep it when it reads more of your held-out samples right and loses at most
MNIST_TOLERANCE on MNIST, or, with no samples to tell, when it reads MNIST better; discard it when
it loses more than that on MNIST, reads fewer of your samples right, or is simply no better.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TypeGuard

from handwriting_recognizer.core.progress import MAX_COUNT

COMPARED = (("mnist_test", "MNIST test set"), ("own_held_out", "Your held-out samples"))
MODELS = (("old", "current model"), ("new", "new model"))
MNIST_TOLERANCE = 0.005  # half a point of MNIST accuracy: what reading your samples better may cost


def is_number(value: object) -> TypeGuard[float]:
    """A finite int or float (JSON gives no other numbers; a bool is none)."""
    try:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    except OverflowError:  # an int too big for a float
        return False


def number(value: object, spec: str) -> str:
    """A metric for the status line or the comparison; a missing (non-finite) one shows as a dash."""
    return format(value, spec) if is_number(value) else "–"


def _scores(comparison: object, key: str) -> dict:
    scores = comparison.get(key) if isinstance(comparison, dict) else None
    return scores if isinstance(scores, dict) else {}


def comparison_table(comparison: object) -> str:
    """The Done summary's comparison of the current and new model, as an HTML table: each model as
    the app runs it (its int8 copy on the CPU, where it has one: the accuracy the status bar shows)."""
    precision = _scores(comparison, "precision")
    heads = "".join(f"<th>{name}{_precision(precision.get(key))}</th>" for key, name in MODELS)
    rows = []
    for key, title in COMPARED:
        scores = _scores(comparison, key)
        old, new = scores.get("old"), scores.get("new")
        better = _better(old, new)
        rows.append(
            f"<tr><td>{title} ({html.escape(str(scores.get('images', 0)))})</td>"
            + "".join(
                f"<td align=right>{_bold(number(value, '.2%'), better == key)}</td>"
                for value, key in ((old, "old"), (new, "new"))
            )
            + "</tr>"
        )
        why = _why_none(scores) if key == "own_held_out" else None
        if why:
            rows.append(f"<tr><td colspan=3><i>{html.escape(why, quote=False)}</i></td></tr>")
    return f"<table cellspacing=6><tr><th></th>{heads}</tr>" + "".join(rows) + "</table>"


def _better(old: object, new: object) -> str | None:
    """Which model reads more of a set right ("old", "new"), as the figures shown say; None when
    they show the same, or one is missing."""
    if not (is_number(old) and is_number(new)) or format(old, ".2%") == format(new, ".2%"):
        return None
    return "new" if new > old else "old"


def _bold(text: str, bold: bool) -> str:
    return f"<b>{text}</b>" if bold else text


def _precision(value: object) -> str:
    """The header's note of a model whose int8 copy was compared; none for float32 or a value not known."""
    return " (int8)" if value == "int8" else ""


def _why_none(scores: dict) -> str | None:
    """Why the held-out samples are none: not part of the run, or no digit has enough samples for
    one to be held out (the run says how often one is: "held_out_every")."""
    if scores.get("images") != 0:
        return None
    every = scores.get("held_out_every")
    if not isinstance(every, int) or isinstance(every, bool) or every < 1:
        return "none held out: your samples were not part of this run"
    return (
        f"none held out: 1 in {every} of each digit's samples is held out to compare on, and no digit has {every} yet"
    )


@dataclass(frozen=True)
class Recommendation:
    keep: bool
    text: str  # the comparison in a sentence, ending with "keep it" or "discard it"


def _accuracies(comparison: object, key: str) -> tuple[float, float, int] | None:
    """Old and new accuracy and the image count of one comparison, when all are usable: accuracies
    in 0..1 and a count a progress bar could show (the summary may come from a file, `summary.json`)."""
    scores = _scores(comparison, key)
    old, new, images = scores.get("old"), scores.get("new"), scores.get("images")
    if is_number(old) and is_number(new) and 0 <= old <= 1 and 0 <= new <= 1 and _is_count(images) and images > 0:
        return float(old), float(new), images
    return None


def _is_count(value: object) -> TypeGuard[int]:
    return type(value) is int and 0 <= value <= MAX_COUNT  # bool is no count


def recommend(comparison: object) -> Recommendation | None:
    """Keep or discard the new model, and why, from the Done summary's comparison (see the module's
    rule); None when it has no usable MNIST scores to judge by."""
    mnist = _accuracies(comparison, "mnist_test")
    if mnist is None:
        return None
    old, new, _ = mnist
    change = new - old
    points = abs(change) * 100
    if points < 0.005:
        said = ["The new model is as good on MNIST"]
    else:
        said = [f"The new model is {points:.2f} points {'better' if change > 0 else 'worse'} on MNIST"]
    own = _accuracies(comparison, "own_held_out")
    own_gain = 0
    if own is not None:
        own_old, own_new, count = round(own[0] * own[2]), round(own[1] * own[2]), own[2]
        own_gain = own_new - own_old
        said.append(f"it reads {own_new} of your {count} held-out samples right, the current model {own_old}")
    if change < -MNIST_TOLERANCE:
        keep = False
    elif own_gain != 0:
        keep = own_gain > 0
    else:
        keep = change > 0
    return Recommendation(keep, "; ".join(said) + (": keep it." if keep else ": discard it."))
