"""Fit the confidence model (``CONFIDENCE_MODEL`` in ``index.answering.answer``) on the dev sets.

For every question of the dev sets (``bench_answers.SETS``: the seed sets and the grown ones)
the answerer's evidence about its best quote (``index.answering.answer.signals``) is paired
with whether that quote is right (an unanswerable question's quote never is). A logistic
regression with a small L2 penalty (Newton's method, numpy only) is fitted on them and its
rounded coefficients printed, ready to paste, with the threshold (``ANSWER_CONFIDENCE``): the
lowest that keeps ``TARGET_PRECISION`` on the grown-coverage questions, each scored by the
model fitted without it. The grown sets fitted on are the shared dev set and ours written for
the fit (``tests/data/fit_grown_qa.jsonl``). Our other grown-coverage questions
(``tests/data/extra_grown_qa.jsonl``, ``bench_answers.HELD_OUT``) are not fitted on: they
are scored with the fitted model, as a held-out check that the threshold keeps its precision
on questions it never saw.

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
#: Answered-precision the threshold must keep on grown-coverage questions it was not fitted
#: on (leave-one-out): above the issue's 80% floor, with room for new questions.
TARGET_PRECISION = 0.85
#: Thresholds tried, lowest first.
THRESHOLDS = tuple(round(0.4 + 0.05 * i, 2) for i in range(9))


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


def threshold(x: NDArray[np.float64], y: NDArray[np.float64], grown: NDArray[np.bool_]) -> float:
    """The lowest threshold keeping ``TARGET_PRECISION`` on grown questions, left out in turn.

    Each question is scored by the model fitted without it, so the precision is the one a
    new question can expect, not the one the fit flatters.
    """
    left_out = np.empty(len(y))
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        left_out[i] = 1 / (1 + math.exp(-float(x[i] @ fit(x[keep], y[keep]))))
    for value in THRESHOLDS:
        stated = grown & (left_out >= value)
        right = int((stated & (y == 1)).sum())
        if stated.any() and right / int(stated.sum()) >= TARGET_PRECISION:
            print(
                f"threshold {value}: left-out grown questions stated {stated.sum()}, right {right}"
            )
            return value
    return THRESHOLDS[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "coverage-bot-bench-answers"
    )
    args = parser.parse_args()
    cov = coverages(args.cache)
    data = {name: examples(cov[where], path) for name, path, where in SETS}
    names = list(next(iter(data.values()))[0][0])
    where = {name: coverage for name, _, coverage in SETS}
    train = [
        (row, label, where[name] == "grown")
        for name, (rows, labels) in data.items()
        if name != HELD_OUT
        for row, label in zip(rows, labels, strict=True)
    ]
    x = np.array([[1.0, *(row[n] for n in names)] for row, _, _ in train])
    y = np.array([float(label) for _, label, _ in train])
    beta = np.round(fit(x, y), 2)
    model = {"bias": float(beta[0])} | {n: float(b) for n, b in zip(names, beta[1:], strict=True)}
    print("CONFIDENCE_MODEL =", json.dumps(model, indent=1))
    print("ANSWER_CONFIDENCE =", threshold(x, y, np.array([grown for _, _, grown in train])))
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
