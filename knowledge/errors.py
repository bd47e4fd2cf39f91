"""One exception root for everything the hotline raises on purpose.

Callers catch ``HotlineError`` (or one of its kinds) instead of a dozen unrelated bases, and the
web app maps every kind once (``channels.errors``): ``status`` is the HTTP status an escaped
error answers with, and its message is meant for the client (never a secret, never a
traceback). The module lives in ``knowledge`` because every other package may import it
(``channels → bot → knowledge``, ``channels → handoff``) and it imports nothing itself.

The kinds keep the built-in bases their members had (``ValueError``, ``LookupError``,
``RuntimeError``), so code that caught those still does.
"""

from __future__ import annotations


class HotlineError(Exception):
    """The root: an expected failure with a message fit for the client."""

    status: int = 500

    @property
    def public_message(self) -> str:
        return str(self) or type(self).__name__


class ConfigError(HotlineError, ValueError):
    """A setting, secret or data file that cannot be used: found at start, it stops the start."""

    status = 503


class BadInput(HotlineError, ValueError):
    """What a client sent cannot be used (the message says why)."""

    status = 422


class NotFound(HotlineError, LookupError):
    status = 404


class Forbidden(HotlineError):
    status = 403


class Conflict(HotlineError):
    """The thing is not in a state for this action, or changed meanwhile."""

    status = 409


class RateLimited(HotlineError):
    """Too many requests; ``retry_after`` seconds until the next one is accepted."""

    status = 429

    def __init__(self, message: str, retry_after: float = 60.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderUnavailable(HotlineError, RuntimeError):
    """A service we depend on (Rasa, the dossier API, a messaging cloud) did not answer usably."""

    status = 503
