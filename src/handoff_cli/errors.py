"""The one exception type the domain raises, and the exit codes it carries."""

from __future__ import annotations

OK = 0
NOTHING_TO_DO = 1  # `due --check` found something overdue, or there was nothing to save
BAD_INPUT = 2  # usage errors and bad input: bad date, bad rule, unknown id, client typo
FAILURE = 3  # the environment failed us: not our database, locked, read-only, corrupt


class HandoffError(Exception):
    """An error with a one-line message for people and an exit code for scripts."""

    def __init__(self, message: str, exit_code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.kept_text: str | None = None

    def keep(self, text: str, what: str = "your note") -> None:
        """Give the user back `text` they typed and that was not saved, after the message.

        Printed with its line breaks (on the lines after the message, when it has
        several), so nothing typed in an editor is lost to a failed save.
        """
        self.message += f"; {what} was not saved, here it is:"
        self.kept_text = text


class BadInput(HandoffError):
    """Something the user typed cannot be understood (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, BAD_INPUT)


class StorageError(HandoffError):
    """The database cannot be used as it is (exit 3); nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, FAILURE)
