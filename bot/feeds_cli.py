"""``coverage-bot feeds add|list|remove|poll``: following RSS and Atom feeds from the shell.

The same store and poller as the running bot (``Settings.feed_poller``). ``poll`` waits for
a bot process that is polling at that moment, then polls what is due; ``--json`` prints
``{"feeds": [{"url", "name", "status", "new", "skipped", "failed", "error"}]}`` and every
entry that was skipped or failed still gets its line on stderr.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable

from bot.render_feeds import describe, iso
from bot.settings import Settings
from index.ingest.feedstore import DEFAULT_EVERY, MAX_EVERY, MIN_EVERY, Feed, FeedStoreError
from index.storage.feeds import FeedReport

Handler = Callable[[argparse.Namespace, Settings], int]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``feeds`` and its actions to the CLI's subcommands (``commands``)."""
    feeds = commands.add_parser("feeds", help="follow RSS and Atom feeds into the coverage")
    actions = feeds.add_subparsers(title="feeds actions", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="follow a feed")
    add.add_argument("url", help="the feed's http(s) URL")
    add.add_argument(
        "--every",
        type=int,
        default=DEFAULT_EVERY,
        metavar="MINUTES",
        help=f"poll interval ({MIN_EVERY} to {MAX_EVERY} minutes, default {DEFAULT_EVERY})",
    )
    add.add_argument("--name", help="a short name to refer to it by (default: its host)")
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="list the feeds followed")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_list)

    remove = actions.add_parser("remove", help="stop following a feed")
    remove.add_argument("feed", metavar="URL|NAME", help="the feed's URL or name")
    remove.set_defaults(handler=_remove)

    poll = actions.add_parser("poll", help="poll every feed that is due, once")
    poll.add_argument("--json", action="store_true", help="print JSON")
    poll.set_defaults(handler=_poll)


def _reported(handler: Handler) -> Handler:
    """``handler``, with a feed that cannot be added or found, or a feeds database that
    cannot be used, said in one line (exit code 1) instead of a traceback."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace, settings: Settings) -> int:
        try:
            return handler(args, settings)
        except FeedStoreError as exc:
            print(f"coverage-bot: {exc}", file=sys.stderr)
            return 1

    return run


@_reported
def _add(args: argparse.Namespace, settings: Settings) -> int:
    feed = settings.feed_poller().store.add(args.url, args.every, args.name)
    print(f"following {feed.name}  {feed.url}  every {feed.every_minutes} min")
    return 0


@_reported
def _list(args: argparse.Namespace, settings: Settings) -> int:
    feeds = settings.feed_poller().store.feeds()
    if args.json:
        print(json.dumps({"feeds": [feed_json(f) for f in feeds]}, ensure_ascii=False, indent=2))
        return 0
    if not feeds:
        print("No feeds are followed. Add one with `coverage-bot feeds add URL`.")
    for feed in feeds:
        print(f"{feed.name}  {feed.url}\n  {describe(feed)}")
    return 0


@_reported
def _remove(args: argparse.Namespace, settings: Settings) -> int:
    feed = settings.feed_poller().store.remove(args.feed)
    print(f"stopped following {feed.name}  {feed.url}")
    return 0


@_reported
def _poll(args: argparse.Namespace, settings: Settings) -> int:
    reports = settings.feed_poller().poll()
    if reports is None:
        print("coverage-bot: another process kept polling the feeds; try later", file=sys.stderr)
        return 1
    for report in reports:
        for problem in report.problems:
            print(f"{report.name}: {problem}", file=sys.stderr)
    if args.json:
        document = {"feeds": [report.to_json() for report in reports]}
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        _print_reports(reports)
    troubled = any(r.status == "failed" or r.failed for r in reports)
    return 1 if troubled else 0


def _print_reports(reports: list[FeedReport]) -> None:
    if not reports:
        print("No feed is due.")
    for report in reports:
        counts = f"{report.new} new, {report.skipped} skipped, {report.failed} failed"
        line = f"{report.status:<13} {report.name}  {counts}"
        print(line + (f"  ({report.error})" if report.error else ""))


def feed_json(feed: Feed) -> dict[str, object]:
    """One feed of ``feeds list --json``: times as ISO 8601 in UTC."""
    return {
        "url": feed.url,
        "name": feed.name,
        "every_minutes": feed.every_minutes,
        "last_polled": iso(feed.last_polled),
        "next_poll": iso(feed.next_poll) if feed.last_polled is not None else None,
        "failures": feed.failures,
        "last_error": feed.last_error,
    }
