"""Article files in: the seed formats, front matter, JSON Lines, and every kind of bad input."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from index.ingest.files import list_folder, parse_date, read_files, read_folder, slugify
from tests.conftest import SEEDS, SHARED

CORPORA = SHARED / "corpora"


@pytest.fixture(scope="module")
def seeds() -> dict[str, object]:
    return {a.author: a for a in read_folder(SEEDS).articles}


def test_the_moscow_times_piece(seeds: dict[str, object]) -> None:
    article = seeds["Mark Galeotti"]
    assert article.title == "What Good Could the Putin/Biden Conversation Really Do?"  # type: ignore[attr-defined]
    assert article.outlet == "The Moscow Times" and article.published == "2021-12-08"  # type: ignore[attr-defined]
    assert article.url == (  # type: ignore[attr-defined]
        "https://www.themoscowtimes.com/2021/12/08/what-good-could-the-putinbiden-conversation-really-do-a75769"
    )
    body: str = article.body  # type: ignore[attr-defined]
    assert (
        "and called for de-escalation and a return to diplomacy,”" in body
    )  # broken paragraph joined
    assert "at once dominated by intractable global processes" in body
    assert "Washington's brief readout struck" in body  # [readout](#) reduced to its text
    for boilerplate in (
        "Related article",
        "It’s good to talk",
        "The Kremlin\n",
        "Original url",
        "By Mark",
    ):
        assert boilerplate not in body
    for markup in ("**", "](#)", "[", "<http", "#"):
        assert markup not in body
    assert body.startswith("While no big results came out of the Putin-Biden talks")


def test_the_puck_piece_with_its_sidecar(seeds: dict[str, object]) -> None:
    article = seeds["Julia Ioffe"]
    assert article.title == "Putin’s Talk Therapy"  # type: ignore[attr-defined]
    assert (article.outlet, article.published) == ("Puck", "2021-12-31")  # type: ignore[attr-defined]
    assert article.url == "https://puck.news/putins-talk-therapy/"  # type: ignore[attr-defined]
    assert "Photo by" not in article.body  # type: ignore[attr-defined]
    assert article.body.startswith("When I first heard")  # type: ignore[attr-defined]


def test_seed_files_are_kept_byte_for_byte() -> None:
    for name, copy in (
        ("000_ef60f498323a16e9.txt", "galeotti-putin-biden-conversation.txt"),
        ("003_69cf9da481337a60.txt", "ioffe-putins-talk-therapy.txt"),
    ):
        original = SHARED / "seeds" / name
        if original.exists():
            assert (SEEDS / copy).read_bytes() == original.read_bytes()


def test_front_matter_and_json_lines(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "---\ntitle: Talks in *Geneva*\nauthor: Jane Roe\noutlet: Wire\ndate: 2022-01-10\n"
        "url: https://wire.example/a\n---\n\n# Heading dropped\n\nFirst [linked](https://x) paragraph.\n"
    )
    records = [
        {
            "title": "One",
            "url": "https://x.example/1",
            "date": "2022-02-01",
            "body": "Body one.\n\nMore.",
        },
        {
            "title": "Two",
            "url": "https://x.example/2",
            "published_time": "2022-02-02 10:00:00-04:00",
            "body": "Two.",
        },
    ]
    (tmp_path / "b.jsonl.gz").write_bytes(
        gzip.compress("\n".join(map(json.dumps, records)).encode())
    )
    ingest = read_folder(tmp_path)
    assert not ingest.problems
    by_title = {a.title: a for a in ingest.articles}
    first = by_title["Talks in Geneva"]
    assert (first.author, first.outlet, first.published, first.url) == (
        "Jane Roe", "Wire", "2022-01-10", "https://wire.example/a",
    )  # fmt: skip
    assert first.body == "First linked paragraph."
    assert (
        by_title["Two"].published == "2022-02-02" and by_title["One"].body == "Body one.\n\nMore."
    )
    assert by_title["One"].source == "b.jsonl.gz:1"


def test_bad_input_is_reported_with_path_and_line_and_the_rest_is_read(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "title": "Good",
                "url": "https://x.example/g",
                "date": "2022-01-01",
                "body": "Fine text.",
            }
        ),
        "{not json",
        "[1, 2]",
        json.dumps({"title": "Empty", "body": "   "}),
    ]
    (tmp_path / "mixed.jsonl").write_text("\n".join(lines))
    (tmp_path / "latin.txt").write_bytes("Caf\xe9\n\nMore text here.".encode("latin-1"))
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody text here.\n")
    (tmp_path / "good.txt").write_text(
        "A Title\n\nA body paragraph that is long enough to be prose, really.\n"
    )
    (tmp_path / "good.meta.yaml").write_text("outlet: Wire\nsection: nope\n")
    (tmp_path / "truncated.jsonl.gz").write_bytes(
        gzip.compress(b'{"title": "x", "body": "y"}\n')[:20]
    )
    ingest = read_folder(tmp_path)
    problems = {(p.path, p.line): p.reason for p in ingest.problems}
    assert "not valid JSON" in problems[("mixed.jsonl", 2)]
    assert problems[("mixed.jsonl", 3)] == "expected a JSON object"
    assert problems[("mixed.jsonl", 4)] == "no body text"
    assert "not UTF-8" in problems[("latin.txt", None)]
    assert "unknown format" in problems[("notes.pdf", None)]
    assert "front matter is not valid YAML" in problems[("broken.md", None)]
    assert "unknown metadata key 'section'" in problems[("good.meta.yaml", None)]
    assert "compressed data ends early" in problems[("truncated.jsonl.gz", None)]
    titles = {a.title: a for a in ingest.articles}
    assert set(titles) == {"Good", "A Title"} and titles["A Title"].outlet == "Wire"


def test_the_same_article_twice_is_indexed_once_with_a_warning(tmp_path: Path) -> None:
    records = [
        {"title": "A", "url": "http://www.x.example/a", "body": "Original text."},
        {"title": "A again", "url": "https://x.example/a/", "body": "Other words."},  # same URL
        {
            "title": "A copy",
            "url": "https://x.example/c",
            "body": "  ORIGINAL   text. ",
        },  # same body
        {"title": "B", "url": "https://x.example/b", "body": "Different."},
    ]
    (tmp_path / "x.jsonl").write_text("\n".join(map(json.dumps, records)))
    ingest = read_folder(tmp_path)
    assert [a.title for a in ingest.articles] == ["A", "B"]
    assert [(d.line, d.reason) for d in ingest.duplicates] == [
        (2, "skipped, a duplicate of a: kept x.jsonl:1 (it comes first)"),
        (3, "skipped, a duplicate of a: kept x.jsonl:1 (it comes first)"),
    ]


def test_of_two_copies_the_one_with_sidecar_metadata_is_kept(tmp_path: Path) -> None:
    text = "Talks in Geneva\n\nThe talks in Geneva ended without a deal, officials said.\n"
    (tmp_path / "a-copy.txt").write_text(text)  # sorts first, but has no sidecar
    (tmp_path / "original.txt").write_text(text)
    (tmp_path / "original.meta.yaml").write_text("author: Jane Roe\noutlet: Wire\n")
    ingest = read_folder(tmp_path)
    [article] = ingest.articles
    assert (article.source, article.author, article.outlet) == ("original.txt", "Jane Roe", "Wire")
    [duplicate] = ingest.duplicates
    assert str(duplicate) == (
        f"a-copy.txt: skipped, a duplicate of {article.id}: kept original.txt "
        "(it has sidecar metadata)"
    )


def test_without_sidecars_the_copy_whose_path_sorts_first_is_kept(tmp_path: Path) -> None:
    text = "Talks in Geneva\n\nThe talks in Geneva ended without a deal, officials said.\n"
    for name in ("b.txt", "a.txt", "c.txt"):
        (tmp_path / name).write_text(text)
    given_order = [tmp_path / name for name in ("c.txt", "b.txt", "a.txt")]
    ingest = read_files(given_order, root=tmp_path)
    assert [a.source for a in ingest.articles] == ["a.txt"]
    assert [d.path for d in ingest.duplicates] == ["c.txt", "b.txt"]


def test_ids_are_stable_readable_and_unique(tmp_path: Path) -> None:
    assert slugify("Putin’s Talk Therapy", "2021-12-31") == "2021-12-31-putins-talk-therapy"
    assert len(slugify("word " * 40, None)) <= 48
    records = [
        {
            "title": "Press Briefing",
            "date": "2022-01-01",
            "url": f"https://x.example/{i}",
            "body": f"Text {i}.",
        }
        for i in range(3)
    ]
    (tmp_path / "b.jsonl").write_text("\n".join(map(json.dumps, records)))
    first = [a.id for a in read_folder(tmp_path).articles]
    again = [a.id for a in read_folder(tmp_path).articles]
    assert first == again and len(set(first)) == 3
    assert first[0] == "2022-01-01-press-briefing" and all(
        i.startswith("2022-01-01-press-briefing-") for i in first[1:]
    )


@pytest.mark.parametrize(
    ("text", "iso"),
    [("December 08, 2021", "2021-12-08"), ("Dec. 8, 2021", "2021-12-08"), ("8 December 2021", "2021-12-08"),
     ("2021-12-08T10:00:00Z", "2021-12-08"), ("2022-04-11 11:13:51-04:00", "2022-04-11"), ("Tuesday", None)],
)  # fmt: skip
def test_dates(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.skipif(not CORPORA.is_dir(), reason="needs ../shared/corpora")
def test_both_shared_corpora_ingest_cleanly() -> None:
    ingest = read_files(sorted(CORPORA.glob("*.jsonl.gz")), root=CORPORA)
    assert not ingest.problems
    assert len(ingest.articles) == 2310 and len(ingest.duplicates) == 6
    assert len({a.id for a in ingest.articles}) == 2310


def test_credentials_in_an_article_files_url_are_never_kept(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text(
        "---\ntitle: Talks\nurl: https://user:secret@example.com/talks\n---\n\nTalks went on.\n"
    )
    record = {"title": "Wire", "url": "http://me:pw@example.org/wire", "body": "Wire copy."}
    (tmp_path / "export.jsonl").write_text(json.dumps(record) + "\n")
    urls = sorted(a.url or "" for a in read_folder(tmp_path).articles)
    assert urls == ["http://example.org/wire", "https://example.com/talks"]


def test_a_bad_byte_in_json_lines_costs_only_its_own_line(tmp_path: Path) -> None:
    lines = [json.dumps({"title": f"Wire {n}", "body": f"Wire copy number {n}."}) for n in range(6)]
    raw = "\n".join(lines).encode()
    broken = raw.replace(b"Wire copy number 2", b"Wire copy \xff number 2")
    (tmp_path / "wire.jsonl").write_bytes(broken)
    (tmp_path / "wire2.jsonl.gz").write_bytes(gzip.compress(broken.replace(b"Wire ", b"Post ")))
    ingest = read_folder(tmp_path)
    assert len(ingest.articles) == 10  # five good lines of each file
    problems = sorted((p.path, p.line) for p in ingest.problems)
    assert problems == [("wire.jsonl", 3), ("wire2.jsonl.gz", 3)]
    assert all("not UTF-8" in p.reason for p in ingest.problems)


def test_a_symbolic_link_loop_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A Title\n\nA body paragraph that reads as prose, really.\n")
    (tmp_path / "loop-a.md").symlink_to("loop-b.md")
    (tmp_path / "loop-b.md").symlink_to("loop-a.md")
    ingest = read_folder(tmp_path)
    assert [a.title for a in ingest.articles] == ["A Title"]
    problems = {p.path: p.reason for p in ingest.problems}
    assert set(problems) == {"loop-a.md", "loop-b.md"}
    assert all("symbolic link" in reason for reason in problems.values())


def test_a_named_pipe_is_reported_not_read(tmp_path: Path) -> None:
    """Opening a FIFO blocks until a writer comes: a build would hang, holding the lock."""
    (tmp_path / "good.txt").write_text("A Title\n\nA body paragraph that reads as prose, really.\n")
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "to-pipe.md").symlink_to("pipe.md")
    files, problems = list_folder(tmp_path)
    assert files == [tmp_path / "good.txt"]
    assert {(p.path, p.reason) for p in problems} == {
        ("pipe.md", "not a regular file; not read"),
        ("to-pipe.md", "not a regular file; not read"),
    }


def _wire(numbers: range) -> list[str]:
    return [json.dumps({"title": f"Wire {n}", "body": f"Wire copy number {n}."}) for n in numbers]


@pytest.mark.parametrize(
    "bad",
    [
        "[" * 100_000 + "]" * 100_000,  # nested too deep for the parser
        '{"title": "x", "body": "Some text.", "date": ' + "9" * 5000 + "}",  # int too long
    ],
    ids=["nested-too-deep", "number-too-long"],
)
def test_a_json_line_the_parser_cannot_read_costs_only_its_own_line(
    tmp_path: Path, bad: str
) -> None:
    (tmp_path / "wire.jsonl").write_text("\n".join([*_wire(range(2)), bad, *_wire(range(2, 4))]))
    ingest = read_folder(tmp_path)
    assert len(ingest.articles) == 4
    [problem] = ingest.problems
    assert (problem.path, problem.line) == ("wire.jsonl", 3)
    assert "not valid JSON" in problem.reason


def test_yaml_nested_too_deep_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    deep = "title: " + "[" * 10_000 + "]" * 10_000 + "\n"
    (tmp_path / "front.md").write_text(f"---\n{deep}---\n\nText under front matter.\n")
    (tmp_path / "good.txt").write_text("A Title\n\nA body paragraph that reads as prose, really.\n")
    (tmp_path / "good.meta.yaml").write_text(deep)
    ingest = read_folder(tmp_path)
    assert [(a.title, a.author) for a in ingest.articles] == [("A Title", None)]
    problems = {p.path: p.reason for p in ingest.problems}
    assert "nested too deeply" in problems["front.md"]
    assert "nested too deeply" in problems["good.meta.yaml"]


def test_metadata_that_is_not_a_single_value_is_ignored_not_expanded(tmp_path: Path) -> None:
    """Aliases nest lists cheaply (a "billion laughs"): writing one out would never end."""
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 6)
    ]
    front = "\n".join([*bomb, "title: *a5", "author: [Jane, Roe]", "outlet: Wire"])
    (tmp_path / "bomb.md").write_text(f"---\n{front}\n---\n\nTalks in Geneva went on.\n")
    [article] = read_folder(tmp_path).articles
    assert (article.title, article.author, article.outlet) == (
        "Talks in Geneva went on.", None, "Wire",
    )  # fmt: skip


@pytest.mark.parametrize(
    "url", ["www.wire.example/talks", "ftp://wire.example/talks", "javascript:alert(1)",
            "https://wire.example/a talk", "/news/talks", "123"],
)  # fmt: skip
def test_an_article_url_that_is_not_a_web_link_is_dropped(tmp_path: Path, url: str) -> None:
    """Discord refuses a message whose link button or embed URL is not http(s): every answer
    citing such an article would fail to send."""
    record = {"title": "Talks", "url": url, "body": "Talks went on."}
    (tmp_path / "wire.jsonl").write_text(json.dumps(record) + "\n")
    (tmp_path / "story.md").write_text(f"---\ntitle: Story\nurl: {url}\n---\n\nStory text.\n")
    assert [a.url for a in read_folder(tmp_path).articles] == [None, None]


def test_json_metadata_of_the_wrong_type_is_ignored_not_written_out(tmp_path: Path) -> None:
    record = {"title": ["a"], "author": {"n": 1}, "url": 123, "date": [2022], "body": "Talks."}
    (tmp_path / "wire.jsonl").write_text(json.dumps(record | {"outlet": 7}) + "\n")
    [article] = read_folder(tmp_path).articles
    assert (article.title, article.author, article.outlet, article.url, article.published) == (
        "Talks.", None, "7", None, None,
    )  # fmt: skip


def test_characters_that_reorder_or_hide_text_are_dropped(tmp_path: Path) -> None:
    """A right-to-left override would make a quote read backwards in Discord; zero-width
    spaces and byte-order marks would hide inside words. The rest of the text is kept."""
    record = {
        "title": "Talks \u202eend\u202c in Geneva",
        "body": "Ryabkov\u200b said\u2066 talks\u2069 ended.\ufeff\n\nNo \u202dbreakthrough\u202c.",
    }
    (tmp_path / "wire.jsonl").write_text(json.dumps(record) + "\n")
    (article,) = read_folder(tmp_path).articles
    assert article.title == "Talks end in Geneva"
    assert article.body == "Ryabkov said talks ended.\n\nNo breakthrough."


def test_characters_that_reorder_or_hide_text_are_dropped_from_the_byline(tmp_path: Path) -> None:
    """The author and outlet are shown beside every quote: a right-to-left override there
    made the rest of the citation line read backwards in Discord."""
    record = {"author": "Ann \u202eLee", "outlet": "Wire\u200b", "body": "Talks ended."}
    (tmp_path / "wire.jsonl").write_text(json.dumps(record) + "\n")
    (tmp_path / "story.md").write_text(
        "---\ntitle: Talks\nauthor: \u2066Jane Doe\u2069\noutlet: \ufeff\n---\nTalks ended today.\n"
    )
    articles = sorted(read_folder(tmp_path).articles, key=lambda a: a.source)
    assert [(a.author, a.outlet) for a in articles] == [("Jane Doe", None), ("Ann Lee", "Wire")]
