"""What a dx- command reports when it fails."""

from __future__ import annotations

import os
import traceback


class DxError(Exception):
    """A failure reported to the user: `code` is one of the contract's error codes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def describe_exception(exc: BaseException) -> str:
    """`Type: message (file:line)` of the innermost frame, for an error event."""
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    place = " (%s:%d)" % (os.path.basename(where[0].filename), where[0].lineno) if where else ""
    return "%s: %s%s" % (type(exc).__name__, exc, place)
