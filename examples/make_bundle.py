"""Regenerate examples/bundle.json and examples/handover.md from scratch.

    python examples/make_bundle.py

Plays a few months of a sales engineer's work (akira, with mina as partner on
one account) through the real `handoff` command, each step with the clock
pinned to the moment it happened, then exports the handover as akira would
before going on leave: Fri 2026-11-20, 18:00 in Tokyo. Do not edit the outputs
by hand; change this script and run it again (tests/test_examples.py checks
that handover.md is what the bundle gives).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXPORTED_AT = "2026-11-20T18:00:00+09:00"
UNTIL = "2026-12-24"


class Book:
    """A throwaway database, driven through the CLI."""

    def __init__(self, db: Path) -> None:
        self.env = dict(os.environ, HANDOFF_DB=str(db), TZ="Asia/Tokyo", NO_COLOR="1")

    def __call__(self, when: str, author: str, *args: str) -> dict[str, object]:
        env = dict(self.env, HANDOFF_NOW=when, HANDOFF_AUTHOR=author)
        wants_json = args[0] in {"promise", "log", "done"}
        command = [sys.executable, "-m", "handoff_cli", *args] + (["--json"] if wants_json else [])
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.exit(f"{' '.join(args)}: {result.stderr.strip()}")
        return json.loads(result.stdout) if wants_json else {}


def play(book: Book) -> None:
    a, m = "akira", "mina"

    # -- Kitamura Logistics: story 1, the monthly report to the system manager.
    k = "Kitamura Logistics"
    book(
        "2026-06-01T09:00:00+09:00",
        a,
        "contact",
        k,
        "Ono Hiroshi",
        "--role",
        "system manager",
        "--email",
        "h.ono@kitamura-logi.example",
        "--phone",
        "+81 3-5555-0142",
        "--new-client",
    )
    book(
        "2026-06-01T09:01:00+09:00",
        a,
        "contact",
        k,
        "Sakai Yuko",
        "--role",
        "purchasing",
        "--email",
        "y.sakai@kitamura-logi.example",
    )
    report = book(
        "2026-06-01T09:05:00+09:00",
        a,
        "promise",
        k,
        "Monthly status report, in person",
        "--every",
        "monthly on the first tue",
        "--to",
        "Ono Hiroshi",
        "--start",
        "2026-06-02",
    )
    book(
        "2026-11-17T16:00:00+09:00",
        a,
        "promise",
        k,
        "Send the new service-fee sheet (monthly fees from January)",
        "--due",
        "2026-11-27",
        "--to",
        "Sakai Yuko",
    )
    for day, text in [
        (
            "2026-06-02T11:00",
            "Project closing meeting. Ono asked us to keep visiting once a month "
            "with a status report: first Tuesday, 10:00, 3F meeting room. He prefers it printed.",
        ),
        (
            "2026-07-07T11:30",
            "Monthly report (June). Ono happy with the batch times; asked about "
            "archiving old shipment data.",
        ),
        (
            "2026-08-04T11:15",
            "Monthly report (July). Raised the archive proposal; he wants costs first.",
        ),
        (
            "2026-09-01T11:10",
            "Monthly report (August). Walked through the monthly service fees "
            "again: he keeps asking why support is billed separately. Worth a one-page summary.",
        ),
        ("2026-10-06T11:20", "Monthly report (September). Archive approved for Q1."),
        (
            "2026-11-03T11:00",
            "Monthly report (October). Told Ono I am handing the account over; he "
            "wants to meet the successor at the December report, not by e-mail.",
        ),
    ]:
        book(
            f"{day}:00+09:00",
            a,
            "log",
            k,
            text,
            "--kind",
            "visit",
            "--with",
            "Ono Hiroshi",
            "--tag",
            "monthly-report",
            "--done",
            str(report["id"]),
        )
    book(
        "2026-11-17T15:30:00+09:00",
        a,
        "log",
        k,
        "Sakai called: the new fee sheet must reach "
        "purchasing before their budget meeting on 30 Nov.",
        "--kind",
        "call",
        "--with",
        "Sakai Yuko",
        "--tag",
        "fees",
    )

    # -- 山田商事: story 2, the partner's urgent answer, in Japanese.
    y = "山田商事"
    book(
        "2026-09-01T10:00:00+09:00",
        m,
        "contact",
        y,
        "山田 太郎",
        "--role",
        "情報システム部 部長",
        "--new-client",
    )
    book(
        "2026-09-01T10:01:00+09:00",
        m,
        "contact",
        y,
        "佐藤 花子",
        "--role",
        "情報システム部",
        "--email",
        "h.sato@yamada-shoji.example",
        "--phone",
        "06-5555-0199",
    )
    weekly = book(
        "2026-09-01T10:05:00+09:00",
        m,
        "promise",
        y,
        "週次定例の議事録を送付",
        "--every",
        "weekly on thu",
        "--to",
        "佐藤 花子",
        "--start",
        "2026-09-03",
    )
    for day in ("2026-10-29", "2026-11-05", "2026-11-12"):
        book(f"{day}T17:00:00+09:00", m, "done", str(weekly["id"]), "--note", "議事録を送付")
    book(
        "2026-09-03T15:00:00+09:00",
        m,
        "log",
        y,
        "週次定例。在庫連携の月次報告の形式を合意。毎週木曜に議事録を送る。",
        "--kind",
        "meeting",
        "--with",
        "佐藤 花子",
        "--with",
        "山田 太郎",
    )
    book(
        "2026-10-15T14:00:00+09:00",
        a,
        "log",
        y,
        "山田部長と面談。来期の保守契約は継続の意向。見積は2月末まで。",
        "--kind",
        "meeting",
        "--with",
        "山田 太郎",
        "--tag",
        "契約",
    )
    book(
        "2026-11-12T16:00:00+09:00",
        m,
        "promise",
        y,
        "在庫連携APIの夜間タイムアウトの原因を回答",
        "--due",
        "2026-11-20",
        "--to",
        "佐藤 花子",
    )
    book(
        "2026-11-12T16:05:00+09:00",
        m,
        "log",
        y,
        "定例で佐藤様から質問: 在庫連携APIが夜間に"
        "タイムアウトする(11/9, 11/11)。20日(金)までに原因を回答すると約束。",
        "--kind",
        "meeting",
        "--with",
        "佐藤 花子",
        "--tag",
        "障害",
    )
    book(
        "2026-11-16T19:30:00+09:00",
        m,
        "log",
        y,
        "調査状況: APサーバのログでは 02:00-02:40 に"
        "応答が遅い。同じ時間帯にDBのバックアップが走っている。DBA(社内 木村さん)に"
        "バックアップ時刻の変更可否を確認中。回答案は共有フォルダ「山田商事/障害/1111」。",
        "--kind",
        "note",
        "--tag",
        "障害",
    )

    # -- Acme Corp: a quarterly review and a renewal quote, in English.
    c = "Acme Corp"
    book(
        "2026-03-02T09:00:00+09:00",
        a,
        "contact",
        c,
        "Dana Whitfield",
        "--role",
        "VP Operations",
        "--email",
        "dana.whitfield@acme.example",
        "--new-client",
    )
    book(
        "2026-03-02T09:01:00+09:00",
        a,
        "contact",
        c,
        "Raj Patel",
        "--role",
        "IT lead",
        "--phone",
        "+1 415 555 0134",
    )
    qbr = book(
        "2026-03-02T09:05:00+09:00",
        a,
        "promise",
        c,
        "Quarterly business review",
        "--every",
        "quarterly",
        "--start",
        "2026-03-10",
        "--to",
        "Dana Whitfield",
    )
    book("2026-06-10T16:00:00+09:00", a, "done", str(qbr["id"]), "--note", "Q2 review, slides sent")
    book(
        "2026-09-09T16:00:00+09:00",
        a,
        "done",
        str(qbr["id"]),
        "--early",
        "--note",
        "Q3 review held a day early (Dana travelling)",
    )
    book(
        "2026-10-21T10:00:00+09:00",
        a,
        "log",
        c,
        "Raj: the SSO migration slips to January; they want our runbook reviewed before then.",
        "--kind",
        "email",
        "--with",
        "Raj Patel",
    )
    book(
        "2026-11-10T13:00:00+09:00",
        a,
        "log",
        c,
        "Dana asked for the renewal quote with the "
        "3-year option; budget is approved in the week of 7 Dec. Discount ceiling: 8%.",
        "--kind",
        "call",
        "--with",
        "Dana Whitfield",
        "--tag",
        "renewal",
    )
    book(
        "2026-11-10T13:05:00+09:00",
        a,
        "promise",
        c,
        "Send the renewal quote (1-year and 3-year)",
        "--due",
        "2026-12-04",
        "--to",
        "Dana Whitfield",
    )

    # -- Northwind Health: a paused duty, a cadence counted from the last time, a dropped one.
    n = "Northwind Health"
    book(
        "2026-06-15T10:00:00+09:00",
        a,
        "contact",
        n,
        "Grace Liu",
        "--role",
        "IT manager",
        "--email",
        "grace.liu@northwind-health.example",
        "--new-client",
    )
    uptime = book(
        "2026-06-15T10:05:00+09:00",
        a,
        "promise",
        n,
        "Monthly uptime report",
        "--every",
        "monthly on day 1",
        "--start",
        "2026-07-01",
        "--to",
        "Grace Liu",
    )
    drill = book(
        "2026-06-15T10:06:00+09:00",
        a,
        "promise",
        n,
        "Backup restore drill with their IT",
        "--every",
        "every 3 months",
        "--after-done",
        "--start",
        "2026-06-15",
        "--to",
        "Grace Liu",
    )
    training = book(
        "2026-06-15T10:07:00+09:00",
        a,
        "promise",
        n,
        "Quote for on-site training",
        "--due",
        "2026-10-30",
    )
    book("2026-07-01T09:30:00+09:00", a, "done", str(uptime["id"]))
    book("2026-08-03T09:30:00+09:00", a, "done", str(uptime["id"]), "--note", "a day late")
    book("2026-06-16T15:00:00+09:00", a, "done", str(drill["id"]), "--note", "restore in 42 min")
    book(
        "2026-09-10T15:00:00+09:00",
        a,
        "done",
        str(drill["id"]),
        "--early",
        "--note",
        "restore in 35 min (a week early)",
    )
    book(
        "2026-09-15T11:00:00+09:00",
        a,
        "log",
        n,
        "They move to a new data centre until January; uptime reports paused on Grace's request.",
        "--kind",
        "email",
        "--with",
        "Grace Liu",
        "--tag",
        "migration",
    )
    book("2026-09-15T11:01:00+09:00", a, "pause", str(uptime["id"]))
    book(
        "2026-10-02T10:00:00+09:00",
        a,
        "log",
        n,
        "Training budget cut; Grace says drop the on-site training quote for this year.",
        "--kind",
        "call",
        "--with",
        "Grace Liu",
    )
    book("2026-10-02T10:01:00+09:00", a, "drop", str(training["id"]))


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        book = Book(Path(scratch) / "akira.db")
        play(book)
        for name, args in [
            ("bundle.json", ["--format", "json"]),
            ("handover.md", ["--until", UNTIL]),
        ]:
            book(EXPORTED_AT, "akira", "export", *args, "-o", str(HERE / name), "--force")
    print(f"wrote {HERE / 'bundle.json'} and {HERE / 'handover.md'}")


if __name__ == "__main__":
    main()
