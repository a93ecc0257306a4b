"""Honest confidence: temperature scaling and the unsure threshold, both chosen on validation writers.

A network trained with cross-entropy is over-confident on writing unlike its training data.
Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017) divides the
logits by one number T fitted to minimise the validation set's negative log-likelihood; it never
changes which class is on top. The exported model has T folded into its last layer, so the app
runs no extra step. The unsure threshold is then the highest digit probability under which a
reading is shown as unsure while at most MAX_DIGITS_REJECTED of the validation digits are
rejected (shown as unsure or "not a digit"). Pure numpy, and core.recognizer's own `read` decides,
so training measures exactly the rule the app applies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from handwriting_recognizer.core.contract import NOT_A_DIGIT_CLASS
from handwriting_recognizer.core.recognizer import read

MAX_DIGITS_REJECTED = 0.01  # of real digits, at most this share may be shown as unsure or not a digit
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.0, 1.0, 0.05))  # the trade-off curve's points
TEMPERATURE_RANGE = (0.2, 10.0)


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The T that minimises the NLL of softmax(log(p) / T) on these labels (golden-section search
    on log T, which the NLL is unimodal in)."""
    log_p = np.log(np.clip(probabilities, 1e-12, 1.0))
    rows = np.arange(len(labels))

    def nll(log_t: float) -> float:
        z = log_p / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[rows, labels]))

    low, high = np.log(TEMPERATURE_RANGE[0]), np.log(TEMPERATURE_RANGE[1])
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if nll(a) < nll(b):
            high = b
        else:
            low = a
    return float(np.exp((low + high) / 2))


def scaled(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log(p) / T): what the model answers once T is folded into it."""
    z = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Decisions:
    """What `read` makes of each input at threshold 0: the digit shown (-1 for none) and its probability."""

    shown: np.ndarray
    confidence: np.ndarray

    @classmethod
    def of(cls, probabilities: np.ndarray) -> Decisions:
        readings = [read(p, blank=False, threshold=0.0) for p in probabilities]
        return cls(
            np.array([-1 if r.label is None else r.label for r in readings]),
            np.array([r.confidence for r in readings]),
        )

    def at(self, threshold: float) -> np.ndarray:
        """The digit shown at `threshold`, -1 where none is."""
        return np.where(self.confidence >= threshold, self.shown, -1)


def tradeoff(decisions: Decisions, labels: np.ndarray) -> list[dict[str, float]]:
    """For each threshold: the share of digits rejected, of digits misread, of non-digits shown as a digit."""
    digit = labels != NOT_A_DIGIT_CLASS
    curve = []
    for t in THRESHOLDS:
        shown = decisions.at(t)
        curve.append(
            {
                "threshold": t,
                "digits_rejected": _share(shown[digit] == -1),
                "digits_misread": _share((shown[digit] != -1) & (shown[digit] != labels[digit])),
                "non_digits_shown": _share(shown[~digit] != -1),
            }
        )
    return curve


def choose_threshold(curve: list[dict[str, float]]) -> float:
    """The highest threshold that rejects at most MAX_DIGITS_REJECTED of the digits (0 if none does)."""
    allowed = [p["threshold"] for p in curve if p["digits_rejected"] <= MAX_DIGITS_REJECTED]
    return max(allowed, default=0.0)


def _share(flags: np.ndarray) -> float:
    return round(float(flags.mean()), 5) if len(flags) else 0.0
