"""Errors that reach a user as one clear sentence (never a traceback)."""

from __future__ import annotations


class PovmonError(Exception):
    """A refusal or failure caused by input or circumstances the user can fix.

    The message is one sentence saying what went wrong and what to do next.
    """


class NotFound(PovmonError):
    """A record named by the user does not exist."""


class SchemaMissing(PovmonError):
    """The database has no povmon tables yet, or is behind the code's migrations."""
