"""One-line descriptions of promises, shared by the commands that print them."""

from __future__ import annotations

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


def kept_line(promise: Promise) -> str:
    title = f"#{promise.id} {safe_line(promise.title)} ({safe_line(promise.client)})"
    if promise.status == "done":
        return f"Done: {title}. Closed."
    if promise.next_due is None:
        return f"Done: {title}. No further occurrences."
    # The cadence after a comma, not in brackets: it may hold its own ("(or the month's last day)").
    return (
        f"Done: {title}. Next due {due_view.day_words(promise.next_due)} "
        f"{promise.next_due.isoformat()}, {cadence(promise)}."
    )


def promise_line(promise: Promise, *, as_of: date, with_client: bool = True) -> str:
    parts = [style(f"#{promise.id}", "cyan")]
    if with_client:
        parts.append(style(safe_line(promise.client), "bold"))
    parts.append(safe_line(promise.title))
    if promise.to:
        parts.append(f"to {safe_line(promise.to)}")
    parts.append(style(cadence(promise), "dim"))
    if promise.status == "open" and promise.next_due:
        when = due_view.relative(promise.next_due, as_of)
        text = (
            f"next {due_view.day_words(promise.next_due)} {promise.next_due.isoformat()} ({when})"
        )
        parts.append(style(text, "red") if promise.next_due < as_of else text)
    elif promise.status != "open":
        parts.append(style(promise.status, "yellow"))
    return "  ".join(parts)


def phrases(promise: Promise, *, as_of: date) -> list[str]:
    """What wrapping keeps whole in a promise's line: `to 佐藤 花子`, `next Fri 2026-11-27`,
    `(4 days overdue)`."""
    kept = [f"to {promise.to}"] if promise.to else []
    if promise.next_due is not None:
        kept.append(f"next {due_view.day_words(promise.next_due)} {promise.next_due.isoformat()}")
        kept.append(f"({due_view.relative(promise.next_due, as_of)})")
    return kept
