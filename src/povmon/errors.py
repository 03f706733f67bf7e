"""Errors that reach a user as one clear sentence (never a traceback)."""

from __future__ import annotations


class PovmonError(Exception):
    """A refusal or failure caused by input or circumstances the user can fix.

    The message is one sentence saying what went wrong and what to do next.
    """


class NotFound(PovmonError):
    """A record named by the user does not exist.

    ``problems`` are the rules.checks problems behind the sentence (the code and message the importer would
    give for the same reference), when there are any.
    """

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class SchemaMissing(PovmonError):
    """The database has no povmon tables yet, or is behind the code's migrations."""
