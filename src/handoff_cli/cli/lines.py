"""One-line descriptions of promises, shared by the commands that print them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from handoff_cli.cli import due_view
from handoff_cli.cli.render import safe_line, style
from handoff_cli.models import Promise


def cadence(promise: Promise) -> str:
    """The promise's rhythm in words (`monthly on the first Tue`), or `one-off`."""
    from handoff_cli.rules import describe_cadence

    if promise.rule is None:
        return "one-off"
    return describe_cadence(promise.rule, after_done=promise.after_done)


def title_of(promise: Promise) -> str:
    return f"#{promise.id} {safe_line(promise.title)} ({safe_line(promise.client)})"


def next_words(promise: Promise) -> str:
    """What is owed next: 'Next due Thu 2026-12-31, monthly on day 31.', or that it is closed."""
    if promise.status == "done":
        return "Closed." if promise.rule is None else "No further occurrences."
    if promise.status == "dropped":
        return "Dropped."
    if promise.next_due is None:
        if promise.status == "paused":
            return "Paused, with nothing owed until it is resumed."
        return "No further occurrences."
    due = promise.next_due
    text = f"Next due {due_view.day_words(due)} {due.isoformat()}"
    if promise.due_at is not None:
        text += f" {promise.due_at.astimezone():%H:%M}"
    if promise.rule is not None:
        # After a comma, not in brackets: it may hold its own ("(or the month's last day)").
        text += f", {cadence(promise)}"
    return text + "."


def covers_words(covers: Sequence[date]) -> str:
    from handoff_cli.coverage import day_list

    if not covers:
        return ""
    return f" Covers {day_list(covers)}."


def kept_line(promise: Promise, covers: Sequence[date] = ()) -> str:
    return f"Done: {title_of(promise)}.{covers_words(covers)} {next_words(promise)}"


def promise_line(
    promise: Promise,
    *,
    as_of: date,
    with_client: bool = True,
    with_owner: bool = False,
) -> str:
    parts = [style(f"#{promise.id}", "cyan")]
    if with_client:
        parts.append(style(safe_line(promise.client), "bold"))
    parts.append(safe_line(promise.title))
    if promise.to:
        parts.append(f"to {safe_line(promise.to)}")
    parts.append(style(cadence(promise), "dim"))
    if with_owner and promise.owner:
        parts.append(style(f"owner {safe_line(promise.owner)}", "magenta"))
    if promise.status == "open" and promise.next_due:
        when = due_view.relative(promise.next_due, as_of)
        at = f" {promise.due_at.astimezone():%H:%M}" if promise.due_at else ""
        text = (
            f"next {due_view.day_words(promise.next_due)} "
            f"{promise.next_due.isoformat()}{at} ({when})"
        )
        parts.append(style(text, "red") if promise.next_due < as_of else text)
    elif promise.status == "paused":
        until = promise.paused_until
        parts.append(
            style(f"paused until {until.isoformat()}" if until else "paused, no end date", "yellow")
        )
    elif promise.status != "open":
        parts.append(style(promise.status, "yellow"))
    return "  ".join(parts)


def progress_line(progress: str) -> str:
    """The line under a promise that says where it stands (its latest `log --on` note)."""
    return "      " + style("latest: ", "dim") + progress


def phrases(promise: Promise, *, as_of: date) -> list[str]:
    """What wrapping keeps whole in a promise's line: `to 佐藤 花子`, `next Fri 2026-11-27`,
    `(4 days overdue)`."""
    kept = [f"to {promise.to}"] if promise.to else []
    if promise.owner:
        kept.append(f"owner {promise.owner}")
    if promise.next_due is not None:
        kept.append(f"next {due_view.day_words(promise.next_due)} {promise.next_due.isoformat()}")
        kept.append(f"({due_view.relative(promise.next_due, as_of)})")
    if promise.paused_until is not None:
        kept.append(f"paused until {promise.paused_until.isoformat()}")
    return kept
