"""A small generated coverage with a dated story, for timeline tests (CLI and Discord).

The pipeline story: a call on 2022-01-10 reported by the White House that day and by the
Kremlin the next (one event), a halt stated as "On February 3" in a later article, and a freeze
"on Tuesday" in an article of Thursday 2022-03-17 (so 2022-03-15); plus ``extra`` inspections on
distinct later days, for paging; two undated articles, one stating a full date ("On April 30,
2022", ``INSOLVENCY``) and one stating none; and an article about something else.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

CALL = date(2022, 1, 10)
HALT = date(2022, 2, 3)
FREEZE = date(2022, 3, 15)
INSOLVENCY = date(2022, 4, 30)
ARTICLES = [
    (
        "2022-01-10",
        "whitehouse.gov",
        "Readout of President Biden's Call with President Putin",
        "President Biden spoke today with President Putin about the pipeline and gas supplies "
        "to Europe. The leaders agreed to keep talking.",
    ),
    (
        "2022-01-11",
        "kremlin.ru",
        "Telephone conversation with Joseph Biden",
        "Vladimir Putin and Joseph Biden discussed the pipeline, gas deliveries and European "
        "energy security in a long telephone conversation.",
    ),
    (
        "2022-02-20",
        "whitehouse.gov",
        "Statement on energy security",
        "On February 3, the pipeline consortium halted construction work in the Baltic Sea. "
        "Officials welcomed the decision.",
    ),
    (
        "2022-03-17",
        "whitehouse.gov",
        "Remarks on sanctions",
        "Germany froze the pipeline certification on Tuesday after the invasion began. Markets "
        "reacted calmly.",
    ),
    (
        None,
        "energy.example",
        "Undated dossier",
        "On April 30, 2022, the pipeline operator filed for insolvency in Zug. Nobody was "
        "surprised.",
    ),
    (
        None,
        "energy.example",
        "Undated opinion",
        "The pipeline was never popular with the neighbours of Germany, whatever officials said.",
    ),
    (
        "2022-03-20",
        "president.gov.ua",
        "Harvest report",
        "Farmers harvested wheat in the fields near Odesa despite the shelling.",
    ),
]


def write_coverage(folder: Path, extra: int = 0) -> Path:
    """Write the story (and ``extra`` inspection articles) as one JSON Lines file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "title": title,
            "outlet": outlet,
            "date": published,
            "url": f"https://{outlet}/{i}",
            "body": body,
        }
        for i, (published, outlet, title, body) in enumerate(ARTICLES)
    ]
    for i in range(extra):
        day = date(2022, 4, 1) + timedelta(days=2 * i)
        rows.append(
            {
                "title": f"Inspection report {i}",
                "outlet": "inspectors.example",
                "date": day.isoformat(),
                "url": f"https://inspectors.example/{i}",
                "body": f"Engineers inspected the pipeline valves at station number {i} today "
                "and found them sound.",
            }
        )
    path = folder / "story.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path
