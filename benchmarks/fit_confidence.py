"""Fit the confidence model (``CONFIDENCE_MODEL`` in ``index.answering.answer``) on the dev sets.

For every question of the dev sets (``bench_answers.SETS``: the seed sets and the grown ones)
the answerer's evidence about its best quote (``index.answering.answer.signals``) is paired
with whether that quote is right (an unanswerable question's quote never is). A logistic
regression with a small L2 penalty (Newton's method, numpy only) is fitted on them and its
rounded coefficients printed, ready to paste. Our own grown-coverage questions
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "coverage-bot-bench-answers"
    )
    args = parser.parse_args()
    cov = coverages(args.cache)
    data = {name: examples(cov[where], path) for name, path, where in SETS}
    names = list(next(iter(data.values()))[0][0])
    train = [
        (row, label)
        for name, (rows, labels) in data.items()
        if name != HELD_OUT
        for row, label in zip(rows, labels, strict=True)
    ]
    x = np.array([[1.0, *(row[n] for n in names)] for row, _ in train])
    y = np.array([float(label) for _, label in train])
    beta = np.round(fit(x, y), 2)
    model = {"bias": float(beta[0])} | {n: float(b) for n, b in zip(names, beta[1:], strict=True)}
    print("CONFIDENCE_MODEL =", json.dumps(model, indent=1))
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
