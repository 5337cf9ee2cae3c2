"""Every page a role reaches, slowest first: the pages the runner does not name, at scale.

    python -m bench.scale.crawl [--users o2-manager-1,o2-caseworker-1] [--pages 120] [--top 40]

For each user, from the start page, it follows the links of each page it reads (GET only,
breadth first) and reads one page of each kind (the path with its numbers taken out), up to
`--pages` kinds a user. Each page is read once to warm it, then three times; the table has the
median server time (bench/scale/middleware.py's header), the queries, the status and the size.
In-process (Django's test client) on gh_scale50k, so a page is timed without the network.

Downloads (PDF, CSV, XLSX), exports, the art. 15 file (it orders a job when large), logout and
language links are not followed. The reads write access-log rows, as a user's would.
"""

import argparse
import re
import statistics
from dataclasses import dataclass
from urllib.parse import urlsplit

from bench.scale.generate import _setup_django

USERS = "o2-manager-1,o2-caseworker-1,o2-bridge-builder-1,o2-rehousing-officer-1"
NOT_FOLLOWED = re.compile(
    r"\.(pdf|csv|xlsx|zip)\b|eksport|export|/indsigt/|logout|log-ud|/admin/|/i18n/|/static/"
    r"|/media/|download|hent",
    re.IGNORECASE,
)
LINK = re.compile(r'href="(/[^"#]*)"')


@dataclass
class Read:
    ms: float
    user: str
    url: str
    status: int
    queries: str
    size: int


def kind(url: str) -> str:
    """A page's kind: its path with the numbers taken out, and whether it has a query."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + ("?" if parts.query else "")


def crawl(username: str, limit: int) -> list[Read]:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    from bench.scale.run import session_cookie

    client = Client()
    cookie = session_cookie(User.objects.get(username=username))
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie.split("=", 1)[1]
    seen: set[str] = set()
    queue = ["/"]
    reads = []
    while queue and len(reads) < limit:
        url = queue.pop(0)
        if kind(url) in seen:
            continue
        seen.add(kind(url))
        client.get(url)
        times = []
        for _ in range(3):
            response = client.get(url)
            times.append(float(response.get("X-Bench-Ms", "nan")))
        reads.append(
            Read(
                statistics.median(times),
                username,
                url,
                response.status_code,
                response.get("X-Bench-Queries", "?"),
                len(response.content),
            )
        )
        location = response.get("Location", "")
        links = [location] if response.status_code in (301, 302) else []
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            html = response.content.decode()
            links += [href.replace("&amp;", "&") for href in LINK.findall(html)]
        queue += [
            link
            for link in links
            if link.startswith("/") and not NOT_FOLLOWED.search(link) and kind(link) not in seen
        ]
    return reads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", default=USERS, help="comma-separated usernames")
    parser.add_argument("--pages", type=int, default=120, help="kinds of page a user, at most")
    parser.add_argument("--top", type=int, default=40, help="rows of the table")
    args = parser.parse_args()
    _setup_django()
    reads = [read for user in args.users.split(",") for read in crawl(user, args.pages)]
    reads.sort(key=lambda read: read.ms, reverse=True)
    print("| ms | queries | status | KB | user | page |\n|---:|---:|---:|---:|---|---|")
    for read in reads[: args.top]:
        print(
            f"| {read.ms:.1f} | {read.queries} | {read.status} | {read.size / 1024:.0f} "
            f"| {read.user} | {read.url} |"
        )
    print(f"\n{len(reads)} pages read, {len({kind(read.url) for read in reads})} kinds")


if __name__ == "__main__":
    main()
