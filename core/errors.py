"""Errors that services raise; every entry point turns them into its own answer.

The message is written for the user (lazy-translated), so the web page, the API,
the import and Django admin can show it as it is.
"""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A business rule refused the change; nothing was written."""

    code = "invalid"

    def __init__(self, message: str | Promise, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


class NotPermitted(DomainError):
    """The user may see the record but not make this change (HTTP 403)."""

    code = "permission_denied"


class NotFound(DomainError):
    """The record does not exist for this user: missing, or hidden from them (HTTP 404)."""

    code = "not_found"


class StaleVersion(DomainError):
    """The change was based on an older version of the record: someone else changed it
    meanwhile, and nothing was written (HTTP 412). `current_version` is the stored one."""

    code = "stale_version"

    def __init__(self, message: str | Promise, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version
