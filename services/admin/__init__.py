"""What IT does to the store from the command line: operator accounts and queues.

Every check of ordinary bad input raises :class:`AdminError` with one line that says what is
wrong; the CLI prints it and exits non-zero instead of showing a traceback.
"""

from __future__ import annotations


class AdminError(ValueError):
    pass
