"""What went wrong, in words: the one line a command prints for an unexpected failure.

User errors the commands foresee are ``click.ClickException`` or the archive's
``ArchiveError``; this covers the rest, so that no exception's class name reaches the
user: a file or folder that is missing or cannot be written, a database that refused,
and as a last resort the message itself with where to find the details.
"""

from __future__ import annotations

import errno

# What to do about a file-system error, by errno.
_OS_ADVICE = {
    errno.ENOENT: "no such file or folder (check the path: folders are not created for you)",
    errno.EACCES: "permission denied (choose a place you can write to)",
    errno.EPERM: "not permitted (choose a place you can write to)",
    errno.EROFS: "the file system is read-only (choose another place)",
    errno.ENOSPC: "no space left on the device",
    errno.EISDIR: "is a folder, not a file (give a file name)",
    errno.ENOTDIR: "part of the path is a file, not a folder",
}


def describe_error(exc: BaseException) -> str:
    """One line on ``exc`` for the user, without Python's class names."""
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else ""
        advice = _OS_ADVICE.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
        return f"cannot use {where}: {advice}" if where else advice
    orig = getattr(exc, "orig", None)  # a database driver's error, wrapped by SQLAlchemy
    if orig is not None:
        first = (str(orig).splitlines() or ["the database refused"])[0]
        return f"the archive's database refused: {first}"
    message = (str(exc).splitlines() or [""])[0].strip()
    if not message:
        message = "an unexpected error"
    return f"{message} (this looks like a bug: `cfbu --verbose …` shows the details)"


__all__ = ["describe_error"]
