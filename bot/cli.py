"""The ``coverage-bot`` command line: a thin layer over ``index`` and the bot.

Each subcommand is a small handler that returns an exit code. Output for people and for
programs (``--json``) goes to stdout; logs and problems go to stderr, so ``--json`` output
stays parseable. Only ``run``, ``sync`` and ``stats`` (through the feedback store) import
discord.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot import feeds_cli
from bot.records import Recorded, Scope
from bot.settings import Settings, SettingsError, load_settings
from bot.stats import DEFAULT_DAYS, stats_json, summarize, window
from index.answering.answer import answer
from index.answering.compare import Comparison, SourceError, compare, resolve_sources
from index.answering.compare import render_text as comparison_text
from index.answering.dates import between, extract_dates, parse_published
from index.answering.summary import (
    summarize_article,
    summarize_coverage,
    summarize_text,
    summarize_topic,
)
from index.answering.timeline import DEFAULT_EVENTS, Mention, Timeline, timeline
from index.ingest.seeds import OutsideSeedsError
from index.models import Answer, byline
from index.storage.bm25 import warm_up
from index.storage.check import check
from index.storage.coverage import Coverage
from index.storage.maintain import ArticleNotFoundError, IndexUnavailableError, RemoveError
from index.storage.store import StoreError

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace, Settings], int]

#: Exit code when the bot cannot log in: `make run` then answers in the terminal instead.
NO_DISCORD = 2
HOW_TO_GET_A_TOKEN = """\
To run on Discord, coverage-bot needs a bot token:
  1. Open https://discord.com/developers/applications and create an application.
  2. Under "Bot", press "Reset Token" and copy the token.
  3. Put it in a file named .env in this folder:  DISCORD_TOKEN=<the token>
  4. Invite the bot and register its commands: see "Running it on Discord" in README.md."""
_TOKEN_SHAPE = re.compile(r"[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, configure logging once, and run the chosen subcommand."""
    _utf8_output()
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 0
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"coverage-bot: {exc}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level)
    handler: Handler = args.handler
    try:
        status = handler(args, settings)
        sys.stdout.flush()  # here, where a closed pipe can still be caught
    except BrokenPipeError:
        return _reader_gone()
    except IndexUnavailableError as exc:
        print(f"coverage-bot: {exc}", file=sys.stderr)
        return 1
    except StoreError as exc:  # the index could not be written: nothing partial was left
        print(f"coverage-bot: {exc}; the previous index is unchanged", file=sys.stderr)
        return 1
    return status


def _utf8_output() -> None:
    """Write UTF-8 whatever the locale: JSON and quotes must not depend on ``LC_ALL``.

    Under ``LC_ALL=C`` stdout may be ASCII (a curly quote raises) or pass undecodable bytes
    through. Anything still unencodable (a lone surrogate from an odd file name) becomes "?",
    and on stderr an escape, rather than a traceback.
    """
    for stream, errors in ((sys.stdout, "replace"), (sys.stderr, "backslashreplace")):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors=errors)


def _reader_gone() -> int:
    """The reader closed stdout (``... | head -1``): stop quietly, as Python's docs advise.

    Pointing stdout at devnull keeps the interpreter's final flush from raising again.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    logging.getLogger("discord.http").setLevel(logging.WARNING)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coverage-bot",
        description="Answer questions about news coverage with verbatim quotes and links.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    index = commands.add_parser("index", help="build or inspect the search index")
    index_commands = index.add_subparsers(title="index commands", metavar="ACTION", required=True)
    build = index_commands.add_parser("build", help="(re)build the index from the seeds folder")
    build.add_argument("--if-needed", action="store_true", help="only when missing or stale")
    build.set_defaults(handler=_index_build)
    info = index_commands.add_parser("info", help="show what the index holds")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(handler=_index_info)
    check = index_commands.add_parser("check", help="compare the index with the seeds folder")
    check.set_defaults(handler=_index_check)

    articles = commands.add_parser("articles", help="list the articles in the coverage")
    articles.add_argument("--json", action="store_true", help="print a JSON array")
    articles.set_defaults(handler=_articles)

    article = commands.add_parser("article", help="show one article")
    article.add_argument("id", help="the article id (see `coverage-bot articles`)")
    article.add_argument("--json", action="store_true", help="print a JSON object")
    article.set_defaults(handler=_article)

    search = commands.add_parser("search", help="rank passages by BM25")
    search.add_argument("query", help="words to search for")
    search.add_argument("-k", type=_positive, default=5, help="how many passages (default 5)")
    search.add_argument("--json", action="store_true", help="print a JSON array")
    search.set_defaults(handler=_search)
    ask = commands.add_parser("ask", help="answer a question with quotes from the coverage")
    ask.add_argument("question", help="the question, or - to read one question per line from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    _period_arguments(ask, "answer only from articles published")
    ask.set_defaults(handler=_ask)

    line = commands.add_parser("timeline", help="what the coverage says about a topic, by date")
    line.add_argument("topic", help="what the timeline is about, e.g. Nord Stream 2")
    _period_arguments(line, "only events")
    line.add_argument(
        "--limit", type=_positive, default=DEFAULT_EVENTS, metavar="N", help="most events"
    )
    line.add_argument("--json", action="store_true", help="print a JSON object")
    line.set_defaults(handler=_timeline)

    summary = commands.add_parser("summary", help="summarise an article, a topic or the coverage")
    scope = summary.add_mutually_exclusive_group()
    scope.add_argument("--article", metavar="ID", help="one article (see `coverage-bot articles`)")
    scope.add_argument("--topic", metavar="TEXT", help="what the coverage says about a topic")
    scope.add_argument("--text-file", type=Path, metavar="PATH", help="any plain-text file")
    summary.add_argument("--sentences", type=_positive, default=5, metavar="N", help="default 5")
    summary.add_argument("--json", action="store_true", help="print a JSON object")
    summary.set_defaults(handler=_summary)

    versus = commands.add_parser("compare", help="how each source tells a topic, side by side")
    versus.add_argument("topic", help='what to compare, e.g. "December 30 2021 call"')
    versus.add_argument(
        "--sources",
        metavar="A,B,...",
        help="outlets to compare, matched loosely (default: the outlets that say most, up to four)",
    )
    versus.add_argument("--json", action="store_true", help="print a JSON object")
    versus.set_defaults(handler=_compare)

    add = commands.add_parser("add", help="add articles from files, web pages or URLs")
    add.add_argument("sources", nargs="+", metavar="PATH|URL", help="files or http(s) URLs")
    add.set_defaults(handler=_add)

    remove = commands.add_parser("remove", help="remove an article from the coverage")
    remove.add_argument("id", help="the article id (see `coverage-bot articles`)")
    remove.set_defaults(handler=_remove)

    feeds_cli.add_commands(commands)

    run = commands.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    run.set_defaults(handler=_run)

    sync = commands.add_parser("sync", help="register the slash commands with Discord")
    target = sync.add_mutually_exclusive_group()
    target.add_argument("--guild", type=int, metavar="ID", help="in one server (instant)")
    target.add_argument(
        "--global", dest="everywhere", action="store_true", help="everywhere (default)"
    )
    sync.set_defaults(handler=_sync)

    chat = commands.add_parser("chat", help="ask questions interactively in the terminal")
    chat.set_defaults(handler=_chat)
    _add_stats_command(commands)
    return parser


def _period_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help=f"{what} on or after")
    parser.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help=f"{what} on or before")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2022-02-12") from None


def _positive(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError("must be between 1 and 100")
    return value


def open_index(settings: Settings) -> Coverage:
    """The coverage for these settings, built first when missing, stale or corrupt."""
    return settings.maintainer().open().coverage


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _index_build(args: argparse.Namespace, settings: Settings) -> int:
    warm_up()  # compile the top-k search into numba's cache now, not at a first question
    maintainer = settings.maintainer()
    if args.if_needed:
        opened = maintainer.open()
        if opened.report is None:
            info = opened.coverage.info
            state = "stale, not rebuilt" if opened.stale else "up to date"
            print(f"index is {state}: {info.articles} articles, {info.passages} passages")
            return 1 if opened.stale else 0
        report = opened.report
    else:
        report = maintainer.rebuild()
    info = report.info
    print(
        f"indexed {info.articles} articles, {info.passages} passages, {info.vocabulary} terms "
        f"in {info.build_seconds:.2f} s"
    )
    for problem in report.problems:
        print(f"skipped {problem}", file=sys.stderr)
    for duplicate in report.duplicates:
        print(f"duplicate {duplicate}", file=sys.stderr)
    return 1 if report.problems else 0


def _index_info(args: argparse.Namespace, settings: Settings) -> int:
    info = open_index(settings).info
    if args.json:
        _print_json(asdict(info))
        return 0
    rows = [
        ("index", str(settings.index_dir)),
        ("articles", f"{info.articles:,}"),
        ("passages", f"{info.passages:,}"),
        ("vocabulary", f"{info.vocabulary:,} terms"),
        ("on disk", f"{info.bytes_on_disk:,} bytes"),
        ("built", f"{info.built_at} in {info.build_seconds:.2f} s"),
        ("ranking", f"BM25 {info.params.variant} k1={info.params.k1} b={info.params.b}"),
        ("fingerprint", info.fingerprint),
    ]
    for name, value in rows:
        print(f"{name:<12} {value}")
    return 0


def _articles(args: argparse.Namespace, settings: Settings) -> int:
    coverage = open_index(settings)
    if args.json:
        _print_json(
            [
                {k: v for k, v in asdict(meta).items() if k != "source"}
                | {"passages": len(coverage.passage_range(i))}
                for i, meta in enumerate(coverage.metas)
            ]
        )
        return 0
    for meta in coverage.metas:
        print(f"{meta.id}\n  {meta.title}\n  {byline(meta)}\n  {meta.url or '(no link)'}\n")
    return 0


def _find(coverage: Coverage, article_id: str) -> int | None:
    """The article's index, or None after telling the user there is no such article."""
    index = coverage.index_of(article_id)
    if index is None:
        print(f"no such article: {article_id} (see `coverage-bot articles`)", file=sys.stderr)
    return index


def _article(args: argparse.Namespace, settings: Settings) -> int:
    coverage = open_index(settings)
    index = _find(coverage, args.id)
    if index is None:
        return 1
    article = coverage.article(index)
    if args.json:
        entry = {k: v for k, v in asdict(article).items() if k != "source"}
        published = parse_published(article.published)
        dates = [
            {"date": day.isoformat(), "start": start, "end": end}
            for day, start, end in extract_dates(article.body, published)
        ]
        _print_json(entry | {"passages": len(coverage.passage_range(index)), "dates": dates})
        return 0
    print(f"{article.title}\n{byline(article)}\n{article.url or '(no link)'}\n\n{article.body}")
    return 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    hits = open_index(settings).search(args.query, args.k)
    if args.json:
        _print_json([asdict(hit) for hit in hits])
        return 0
    if not hits:
        print("No passage contains any of those words.")
    for rank, hit in enumerate(hits, start=1):
        link = hit.url or hit.article_id
        print(f"{rank}. {hit.title} ({hit.score:.2f})\n   {link}\n   {hit.text}\n")
    return 0


def answer_json(result: Answer) -> dict[str, Any]:
    """The ``ask --json`` object for one answer."""
    doc = asdict(result)
    doc["citations"] = [asdict(c) for c in result.citations]
    doc["missing_terms"] = list(result.missing_terms)
    doc["suggestions"] = [asdict(s) for s in result.suggestions]
    del doc["from_metadata"]  # how the answer was found is not part of the JSON contract
    return doc


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    coverage = open_index(settings)
    questions = _stdin_lines() if args.question == "-" else [args.question]
    period = between(args.since, args.until)
    for question in questions:
        result = answer(coverage, question, max_chars=settings.max_question_chars, period=period)
        if args.json:
            print(json.dumps(answer_json(result), ensure_ascii=False), flush=True)
        else:
            print(result.answer + "\n", flush=True)
    return 0


def mention_json(mention: Mention) -> dict[str, Any]:
    """One dated quote of a timeline, as ``timeline --json`` prints it."""
    citation = mention.citation
    return {
        "date": mention.day.isoformat(),
        "date_source": mention.source,
        "quote": citation.quote,
        "article_id": citation.article_id,
        "title": citation.title,
        "outlet": citation.outlet,
        "published": citation.published,
        "url": citation.url,
        "link": citation.link,
        "start": citation.start,
        "end": citation.end,
    }


def timeline_json(result: Timeline) -> dict[str, Any]:
    """The ``timeline --json`` object: each event's best quote, the other sources as "more"."""
    return {
        "topic": result.topic,
        "answered": result.answered,
        "events": [
            mention_json(event.best) | {"more": [mention_json(m) for m in event.more]}
            for event in result.events
        ],
        "missing_terms": list(result.missing_terms),
    }


def _timeline(args: argparse.Namespace, settings: Settings) -> int:
    coverage = open_index(settings)
    result = timeline(coverage, args.topic, since=args.since, until=args.until, limit=args.limit)
    if args.json:
        _print_json(timeline_json(result))
    elif not result.answered:
        missing = ", ".join(f"“{word}”" for word in result.missing_terms)
        print(
            f"The coverage doesn't say: no article mentions {missing}."
            if missing
            else "The coverage says nothing about that in that period."
        )
    for event in result.events if not args.json else ():
        citation = event.best.citation
        byline = ", ".join(v for v in (citation.outlet, citation.published) if v)
        source = f"{citation.title} ({byline})" if byline else citation.title
        print(f"{event.day.isoformat()}  “{citation.quote}”\n            — {source}")
        if citation.link:
            print(f"            {citation.link}")
        if event.more:
            others = "; ".join(m.citation.outlet or m.citation.title for m in event.more)
            print(f"            also: {others}")
    return 0


def _stdin_lines() -> Iterable[str]:
    """Lines of stdin as text; bytes that are not UTF-8 become U+FFFD, whatever the locale."""
    for line in sys.stdin.buffer:
        yield line.decode("utf-8", errors="replace").rstrip("\r\n")


def comparison_json(result: Comparison) -> dict[str, Any]:
    """The ``compare --json`` object: exactly the documented keys."""
    return {
        "topic": result.topic,
        "answered": result.answered,
        "sides": [
            {
                "outlet": side.outlet,
                "articles": side.articles,
                "quotes": [asdict(quote) for quote in side.quotes],
            }
            for side in result.sides
        ],
        "only_in": {outlet: list(words) for outlet, words in result.only_in.items()},
        "missing_terms": list(result.missing_terms),
    }


def _compare(args: argparse.Namespace, settings: Settings) -> int:
    coverage = open_index(settings)
    try:
        sources = resolve_sources(coverage, (args.sources or "").split(","))
    except SourceError as exc:
        print(f"coverage-bot compare: {exc}", file=sys.stderr)
        return 1
    result = compare(coverage, args.topic, sources, max_chars=settings.max_question_chars)
    if args.json:
        _print_json(comparison_json(result))
    else:
        print(comparison_text(result))
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    coverage = open_index(settings)
    print(
        f"Ask about the coverage ({len(coverage)} articles). "
        "An empty line or Ctrl-D ends the session.\n"
    )
    while True:
        try:
            question = input("question> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question.strip():
            return 0
        print(
            "\n" + answer(coverage, question, max_chars=settings.max_question_chars).answer + "\n"
        )


def _index_check(args: argparse.Namespace, settings: Settings) -> int:
    report = check(settings.seeds_dir, settings.index_dir, settings.bm25_params())
    state = "current" if report.live == report.wanted else "stale" if report.live else "unusable"
    print(f"index        {state} (index {report.live or '-'}, seeds {report.wanted})")
    if report.index_error:
        print(f"problem      {report.index_error}")
    print(f"articles     {report.articles:,}\npassages     {report.passages:,}")
    for line in report.problems:
        print(f"unreadable   {line}")
    for line in report.orphans:
        print(f"orphaned     {line}")
    return 0 if report.ok else 1


def _add(args: argparse.Namespace, settings: Settings) -> int:
    report = settings.maintainer().add(args.sources, settings.fetch_limits())
    for added in report.added:
        print(f"added   {added.article.id}  “{added.article.title}”  from {added.source}")
    for problem in report.problems:
        print(f"failed  {problem}", file=sys.stderr)
    if report.info is not None:
        print(f"index updated: {report.info.articles} articles, {report.info.passages} passages")
    print(f"{len(report.added)} added, {len(report.problems)} failed")
    return 1 if report.problems else 0


def _remove(args: argparse.Namespace, settings: Settings) -> int:
    try:
        removed = settings.maintainer().remove(args.id)
    except ArticleNotFoundError:
        print(f"no such article: {args.id} (see `coverage-bot articles`)", file=sys.stderr)
        return 1
    except OutsideSeedsError as exc:
        print(f"not removed: {exc}", file=sys.stderr)
        return 1
    except RemoveError as exc:
        print(f"coverage-bot: {exc}", file=sys.stderr)
        return 1
    meta, info = removed.meta, removed.info
    print(f"removed {meta.id}  “{meta.title}”  ({removed.changed})")
    print(f"index rebuilt: {info.articles} articles, {info.passages} passages")
    if removed.copy is not None:
        copy = removed.copy
        print(
            f"another copy of the same text is still in the coverage as {copy.id} "
            f"({copy.source}); remove it too with: coverage-bot remove {copy.id}"
        )
    return 0


def _token(settings: Settings) -> str | None:
    """The token, unwrapped only to log in; None (after saying why) when there is none usable."""
    if settings.discord_token is None:
        print(f"No DISCORD_TOKEN is set.\n{HOW_TO_GET_A_TOKEN}", file=sys.stderr)
        return None
    token = settings.discord_token.get_secret_value().strip()
    if not _TOKEN_SHAPE.fullmatch(token):
        print(
            f"DISCORD_TOKEN does not look like a bot token.\n{HOW_TO_GET_A_TOKEN}", file=sys.stderr
        )
        return None
    return token


def _run(args: argparse.Namespace, settings: Settings) -> int:
    token = _token(settings)
    if token is None:
        return NO_DISCORD
    from bot import create_bot

    bot = create_bot(settings)

    async def serve() -> None:
        async with bot:
            await bot.start(token)

    return _with_discord(serve())


def _sync(args: argparse.Namespace, settings: Settings) -> int:
    token = _token(settings)
    if token is None:
        return NO_DISCORD
    import discord

    from bot import create_bot

    bot = create_bot(settings.model_copy(update={"sync_on_start": False, "watch_seeds": "off"}))

    async def register() -> None:
        async with bot:
            await bot.login(token)  # runs setup_hook, which loads every command
            guild = discord.Object(args.guild) if args.guild else None
            if guild is not None:
                bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
            where = f"server {args.guild}" if guild else "every server (may take a while to show)"
            print(
                f"registered {len(synced)} slash commands in {where}: "
                + ", ".join(f"/{c.name}" for c in synced)
            )

    return _with_discord(register())


def _with_discord(work: Coroutine[Any, Any, None]) -> int:
    """Run bot work to the end; a rejected token or an unreachable Discord is one clear line."""
    import aiohttp
    import discord

    try:
        asyncio.run(work)
    except discord.LoginFailure:
        print(
            f"Discord rejected DISCORD_TOKEN (reset or mistyped?).\n{HOW_TO_GET_A_TOKEN}",
            file=sys.stderr,
        )
        return NO_DISCORD
    except (aiohttp.ClientConnectionError, TimeoutError) as exc:
        print(f"Cannot reach Discord ({exc}); check the network and try again.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


def _summary(args: argparse.Namespace, settings: Settings) -> int:
    if args.text_file is not None:
        try:
            text = args.text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"cannot read {args.text_file}: {exc}", file=sys.stderr)
            return 1
        result = summarize_text(text, args.sentences)
        titles: dict[str, str] = {}
    else:
        coverage = open_index(settings)
        titles = {meta.id: meta.title for meta in coverage.metas}
        if args.article is not None:
            index = _find(coverage, args.article)
            if index is None:
                return 1
            result = summarize_article(coverage, index, args.sentences)
        elif args.topic is not None:
            result = summarize_topic(coverage, args.topic, args.sentences)
        else:
            result = summarize_coverage(coverage, args.sentences)
    if args.json:
        _print_json(asdict(result))
    elif not result.answered:
        print(
            "The coverage says nothing on that topic."
            if result.scope == "topic"
            else "Nothing to summarise."
        )
    else:
        for sentence in result.sentences:
            source = titles.get(sentence.article_id or "", "")
            print(
                f"• {sentence.text}"
                + (f"\n  — {source} {sentence.link or ''}".rstrip() if source else "")
            )
    return 0


def _add_stats_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stats = commands.add_parser(
        "stats", help="what was asked in Discord, and what the coverage could not answer"
    )
    stats.add_argument(
        "--days",
        type=_days,
        default=DEFAULT_DAYS,
        metavar="N",
        help="the last N days, today included",
    )
    stats.add_argument(
        "--until",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the window's last day (default today, UTC)",
    )
    stats.add_argument("--guild", type=int, metavar="ID", help="one server's questions only")
    stats.add_argument("--json", action="store_true", help="print a JSON object")
    stats.add_argument(
        "--export", type=Path, metavar="CSV", help="also write every question, a row each, here"
    )
    stats.set_defaults(handler=_stats)


#: Longest ``stats`` window, in days.
_MOST_DAYS = 3650
#: The ``--until`` days whose longest window stays within the calendar (years 1 to 9999).
_UNTIL_RANGE = (date.min + timedelta(days=_MOST_DAYS), date.max - timedelta(days=1))


def _days(text: str) -> int:
    value = int(text)
    if not 1 <= value <= _MOST_DAYS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {_MOST_DAYS}")
    return value


def _date(text: str) -> date:
    day = _day(text)
    first, last = _UNTIL_RANGE
    if not first <= day <= last:
        raise argparse.ArgumentTypeError(f"must be a date from {first} to {last}")
    return day


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    from bot.errors import FeedbackUnavailableError
    from bot.feedback import FILE_NAME, Feedback
    from bot.render_stats import stats_text

    last_day = args.until or datetime.now(UTC).date()
    since, until = window(args.days, last_day)
    database = settings.data_dir / FILE_NAME
    if database.exists():
        store = Feedback(database)
        try:
            rows = store.recorded(since, until, Scope(args.guild, dms=args.guild is None))
        except FeedbackUnavailableError:
            print(
                f"coverage-bot: cannot read the records in {database} (see above)", file=sys.stderr
            )
            return 1
        finally:
            store.close()
    else:
        print(f"no questions on record yet ({database} does not exist)", file=sys.stderr)
        rows = []
    if args.export is not None and not _export(args.export, rows):
        return 1
    stats = summarize(rows, args.days, last_day)
    if args.json:
        _print_json(stats_json(stats))
    else:
        print(stats_text(stats))
    return 0


#: The columns of ``stats --export``.
EXPORT_COLUMNS = (
    "asked_utc", "guild_id", "channel_id", "user_hash", "question", "answered",
    "missing_terms", "article_ids", "votes_up", "votes_down",
)  # fmt: skip


def _export(path: Path, rows: Sequence[Recorded]) -> bool:
    """Write the rows as CSV; False (after saying why) when the file cannot be written.

    Text cells starting like a spreadsheet formula get a leading apostrophe, so a question
    such as ``=HYPERLINK(...)`` stays text when the file is opened in a spreadsheet.
    """
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            for row in rows:
                writer.writerow(
                    [
                        row.asked.strftime("%Y-%m-%d %H:%M:%S"),
                        row.guild_id or "",
                        row.channel_id or "",
                        row.user_hash,
                        _cell(row.question),
                        int(row.answered),
                        _cell(" ".join(row.missing_terms)),
                        " ".join(row.article_ids),
                        row.ups,
                        row.downs,
                    ]
                )
    except OSError as exc:
        print(f"cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    print(f"wrote {len(rows)} questions to {path}", file=sys.stderr)
    return True


def _cell(text: str) -> str:
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
