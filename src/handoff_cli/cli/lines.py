"""One-line descriptions of promises, shared by the commands that print them."""

from __future__ import annotations

from datetime import date

from handoff_cli.cli import due_view
from handoff_cli.cli.render import safe_line, style
from handoff_cli.models import Promise


def _every(promise: Promise) -> str:
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
    return (
        f"Done: {title}. Next due {due_view.day_words(promise.next_due)} "
        f"{promise.next_due.isoformat()} ({_every(promise)})."
    )


def promise_line(promise: Promise, *, as_of: date, with_client: bool = True) -> str:
    parts = [style(f"#{promise.id}", "cyan")]
    if with_client:
        parts.append(style(safe_line(promise.client), "bold"))
    parts.append(safe_line(promise.title))
    if promise.to:
        parts.append(f"to {safe_line(promise.to)}")
    parts.append(style(_every(promise), "dim"))
    if promise.status == "open" and promise.next_due:
        when = due_view.relative(promise.next_due, as_of)
        text = (
            f"next {due_view.day_words(promise.next_due)} {promise.next_due.isoformat()} ({when})"
        )
        parts.append(style(text, "red") if promise.next_due < as_of else text)
    elif promise.status != "open":
        parts.append(style(promise.status, "yellow"))
    return "  ".join(parts)
