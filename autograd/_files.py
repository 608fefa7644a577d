"""Writing files atomically, with the permissions any other new file gets.

``nn.save`` (checkpoints) and ``autograd.graphviz.render`` write through :func:`atomic_write`:
the bytes go to a temporary file in the destination's folder, are flushed to disk, and the file
is then renamed over the destination (``os.replace``, atomic on POSIX and Windows).  A crash, a
full disk or an exception while writing leaves the old file (or none) under the real name, never
a truncated one.  ``tempfile.mkstemp`` creates its file with mode 0600; the file gets the mode a
plain ``open(path, "w")`` would give (``0666`` minus the umask) before it is renamed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import IO


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (the only portable way to read it)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], write: Callable[[IO[bytes]], object]) -> None:
    """Call ``write(binary_file)`` on a temporary file, then rename it to ``path``."""
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.splitext(target)[1] or ".tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())  # the data is on disk before the name points at it
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
