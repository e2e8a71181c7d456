"""A small coverage of dated readouts from several outlets, for comparing sources.

Two calls (a video call on December 7 2021, a phone call on December 30 2021), each told by
the White House and the Kremlin, and announced by the White House the day before (an
announcement is not an account); the Kremlin's account of the second call also recalls the
first, and a later Kremlin briefing names December 7. A columnist writes on both calls and,
alone, on a torch relay; Ukraine's president and an outlet-less blog add more sources.
"""

from __future__ import annotations

from pathlib import Path

from index.ingest.seeds import write_article
from index.models import Article

WHITE_HOUSE = "The White House"
KREMLIN = "President of Russia"
MOSCOW_TIMES = "The Moscow Times"
UKRAINE = "President of Ukraine"

READOUTS = (
    Article(
        "wh-dec30",
        "Statement on President Biden’s Phone Call with President Putin",
        None,
        WHITE_HOUSE,
        "2021-12-30",
        "https://www.whitehouse.gov/briefing-room/2021/12/30/phone-call/",
        "President Biden spoke today with President Putin of Russia in a phone call. "
        "President Biden urged Russia to de-escalate tensions with Ukraine. "
        "He expressed support for diplomacy, starting early next year.",
        "",
    ),
    Article(
        "wh-dec29",
        "Statement on President Biden’s Upcoming Phone Call with President Putin",
        None,
        WHITE_HOUSE,
        "2021-12-29",
        "https://www.whitehouse.gov/briefing-room/2021/12/29/upcoming-call/",
        "President Biden will hold a phone call with President Putin of Russia on Thursday, "
        "December 30, 2021.",
        "",
    ),
    Article(
        "wh-dec07",
        "Readout of President Biden’s Video Call with President Putin",
        None,
        WHITE_HOUSE,
        "2021-12-07",
        "https://www.whitehouse.gov/briefing-room/2021/12/07/video-call/",
        "President Biden held a secure video call with President Putin of Russia. "
        "President Biden voiced deep concerns about the escalation of forces surrounding "
        "Ukraine and warned of strong economic measures. The call also covered cyber issues.",
        "",
    ),
    Article(
        "kremlin-dec31",
        "Telephone conversation with US President Joseph Biden",
        None,
        KREMLIN,
        "2021-12-31",
        "http://en.kremlin.ru/events/president/news/67487",
        "Vladimir Putin had a telephone call with US President Joseph Biden. "
        "Putin said the negotiations must produce legally binding guarantees ruling out "
        "NATO's eastward expansion. "
        "The call followed up on the December 7 video call between Putin and Biden. "
        "The presidents exchanged New Year greetings and best wishes.",
        "",
    ),
    Article(
        "kremlin-dec07",
        "Meeting with US President Joseph Biden",
        None,
        KREMLIN,
        "2021-12-07",
        "http://en.kremlin.ru/events/president/news/67315",
        "Vladimir Putin held a video call with US President Joseph Biden. "
        "Putin pointed to the Minsk agreements and warned against shifting responsibility "
        "onto Russia. The two presidents agreed to instruct their representatives to hold "
        "consultations.",
        "",
    ),
    Article(
        "kremlin-jan10",
        "Briefing by Presidential Aide Yury Ushakov",
        None,
        KREMLIN,
        "2022-01-10",
        "http://en.kremlin.ru/events/president/news/67600",
        "Recalling the December 7 call, Ushakov said Putin and Biden had spoken by video call "
        "about Ukraine and sanctions. Talks in Geneva on security guarantees began today.",
        "",
    ),
    Article(
        "mt-dec08",
        "What Good Could the Putin/Biden Conversation Really Do?",
        "Mark Galeotti",
        MOSCOW_TIMES,
        "2021-12-08",
        "https://www.themoscowtimes.com/2021/12/08/what-good-could-the-conversation-do",
        "Did anyone really think a two-hour video call between Putin and Biden would bring a "
        "breakthrough? Of course, it didn't. "
        "Washington's brief readout of the call struck a minatory tone.\n\n"
        "The Olympic torch relay through Moscow was cancelled this week because of frost.",
        "",
    ),
    Article(
        "ua-dec09",
        "Volodymyr Zelenskyy had a phone call with the President of the United States",
        None,
        UKRAINE,
        "2021-12-09",
        "https://www.president.gov.ua/en/news/zelenskyy-biden-call",
        "Volodymyr Zelenskyy had a phone call with President Biden about the results of the "
        "video call between the presidents of the United States and Russia.",
        "",
    ),
    Article(
        "blog-dec31",
        "Notes on a year of calls",
        None,
        None,
        "2021-12-31",
        "https://www.example.org/blog/notes",
        "Putin and Biden spoke by phone again at the end of the year, a call full of warnings.",
        "",
    ),
)


def write_readouts(folder: Path) -> None:
    """Write every readout into the seeds ``folder``, as the bot's ``add`` would."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in READOUTS:
        write_article(article, folder)
