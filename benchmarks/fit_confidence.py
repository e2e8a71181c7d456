"""Fit the confidence model (``CONFIDENCE_MODEL`` in ``index.answering.answer``) on the dev sets.

For every question of the question sets (``bench_answers.SETS``: the seed sets and the grown
ones, less the held-out ones, ``bench_answers.HELD_OUT``) the answerer's evidence about its
best quote (``index.answering.answer.signals``) is paired with whether that quote is right (an
unanswerable question's quote never is). A logistic regression with a small L2 penalty
(Newton's method, numpy only) is fitted on all of them and its rounded coefficients printed,
ready to paste, with the threshold (``ANSWER_CONFIDENCE``): the lowest that keeps
``TARGET_PRECISION`` on the grown-coverage questions when each set is scored by the model
fitted without it (leave one set out). A set written apart from the others (a new author, new
documents) is what held-out questions look like; leaving out one question at a time flattered
the threshold: extra_grown_qa kept 82% that way, while blind_grown_qa, written afterwards by a
session that never saw the bot, got 1 of 4 stated answers right at the threshold it gave.

Run: ``.venv/bin/python benchmarks/fit_confidence.py [--cache DIR]``
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from bench_answers import HELD_OUT, SETS, _right, coverages
from numpy.typing import NDArray

from index.answering.answer import ANSWER_CONFIDENCE, answer, signals
from index.storage.coverage import Coverage

#: L2 penalty on the coefficients (not the bias): keeps them small and readable.
PENALTY = 0.5
#: Answered-precision the threshold must keep on grown-coverage question sets it was not
#: fitted on (leave one set out): the issue's floor.
TARGET_PRECISION = 0.8
#: Thresholds tried, lowest first.
THRESHOLDS = tuple(round(0.4 + 0.01 * i, 2) for i in range(41))


def examples(coverage: Coverage, path: Path) -> tuple[list[dict[str, float]], list[bool]]:
    """Each question's signals and whether its first quote is right (questions with a quote)."""
    rows, labels = [], []
    for line in path.open():
        if not line.strip():
            continue
        item: dict[str, Any] = json.loads(line)
        found = signals(coverage, item["q"])
        if not found:
            continue  # declined before any quote was scored, or answered from metadata
        result = answer(coverage, item["q"])
        doc = {"answer": result.answer, "citations": [asdict(c) for c in result.citations]}
        answerable = item.get("kind", "answer") in ("answer", "meta")
        right = answerable and bool(doc["citations"]) and _right(item, doc["citations"][0], doc)
        rows.append(found)
        labels.append(right)
    return rows, labels


def fit(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Logistic regression by Newton's method; column 0 is the bias (not penalised)."""
    beta = np.zeros(x.shape[1])
    ridge = PENALTY * np.eye(x.shape[1])
    ridge[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ beta))
        gradient = x.T @ (p - y) + ridge @ beta
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + ridge
        beta -= np.linalg.solve(hessian, gradient)
    return beta


def threshold(
    x: NDArray[np.float64], y: NDArray[np.float64], grown: NDArray[np.bool_], sets: list[str]
) -> float:
    """The lowest threshold keeping ``TARGET_PRECISION`` on grown questions, one set left out.

    Each set is scored by the model fitted on the others, so the precision is the one a new
    set of questions can expect, not the one the fit flatters.
    """
    left_out = np.empty(len(y))
    for name in dict.fromkeys(sets):
        out = np.array([s == name for s in sets])
        beta = fit(x[~out], y[~out])
        left_out[out] = 1 / (1 + np.exp(-(x[out] @ beta)))
    for value in THRESHOLDS:
        stated = grown & (left_out >= value)
        right = int((stated & (y == 1)).sum())
        if stated.any() and right / int(stated.sum()) >= TARGET_PRECISION:
            print(f"threshold {value}: left-out grown sets stated {stated.sum()}, right {right}")
            return value
    return THRESHOLDS[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "coverage-bot-bench-answers"
    )
    args = parser.parse_args()
    cov = coverages(args.cache)
    data = {name: examples(cov[where], path) for name, path, where in SETS if name not in HELD_OUT}
    names = list(next(iter(data.values()))[0][0])
    where = {name: coverage for name, _, coverage in SETS}
    train = [
        (row, label, name)
        for name, (rows, labels) in data.items()
        for row, label in zip(rows, labels, strict=True)
    ]
    x = np.array([[1.0, *(row[n] for n in names)] for row, _, _ in train])
    y = np.array([float(label) for _, label, _ in train])
    beta = np.round(fit(x, y), 2)
    model = {"bias": float(beta[0])} | {n: float(b) for n, b in zip(names, beta[1:], strict=True)}
    print("CONFIDENCE_MODEL =", json.dumps(model, indent=1))
    sets = [name for _, _, name in train]
    grown = np.array([where[name] == "grown" for name in sets])
    print("ANSWER_CONFIDENCE =", threshold(x, y, grown, sets))
    for name, (rows, labels) in data.items():
        z = [model["bias"] + sum(model[n] * row[n] for n in names) for row in rows]
        stated = [
            label
            for value, label in zip(z, labels, strict=True)
            if 1 / (1 + math.exp(-value)) >= ANSWER_CONFIDENCE
        ]
        print(
            f"{name:<16} quoted {len(rows):>3}  right {sum(labels):>3}  "
            f"stated {len(stated):>3}  stated and right {sum(stated):>3}"
        )


if __name__ == "__main__":
    main()
