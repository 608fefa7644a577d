"""Checkpoint files: created like any other file (0666 minus the umask), and atomically (a
temporary file in the same folder, flushed, then renamed), so a crash or a full disk never leaves
a truncated checkpoint under the real name.  The same holds for every file tapegrad writes
(``autograd._files.atomic_write``: ``nn.save``, ``autograd.graphviz.render``)."""

from __future__ import annotations

import errno
import os
import stat

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import _files
from autograd.testing import assert_array_equal


@pytest.fixture
def umask():
    old = os.umask(0o022)
    os.umask(old)

    def set_(mask):
        os.umask(mask)

    yield set_
    os.umask(old)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002, 0o027])
def test_save_respects_the_umask(tmp_path, umask, mask):
    umask(mask)
    path = tmp_path / "m.npz"
    nn.save({"w": ag.ones(2)}, path)
    assert _mode(path) == 0o666 & ~mask
    # the same mode as a file created the ordinary way
    (tmp_path / "plain").write_bytes(b"")
    assert _mode(path) == _mode(tmp_path / "plain")
    nn.save({"w": ag.ones(3)}, path)  # overwriting too
    assert _mode(path) == 0o666 & ~mask


def test_current_umask_is_read_without_changing_it(umask):
    umask(0o027)
    assert _files.current_umask() == 0o027
    assert _files.current_umask() == 0o027


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".tmp-"))


def test_a_failure_while_writing_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    nn.save({"w": ag.ones(2)}, path)
    before = path.read_bytes()

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        nn.save({"w": ag.zeros(1000)}, path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []
    assert_array_equal(nn.load(path)["w"].data, [1.0, 1.0])


def test_an_interrupted_write_leaves_no_file_under_the_name(tmp_path, monkeypatch):
    path = tmp_path / "new.npz"

    def crash(fh, **entries):
        fh.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        nn.save({"w": ag.ones(2)}, path)
    assert not path.exists()
    assert _leftovers(tmp_path) == []


def test_the_temporary_file_is_in_the_destination_folder(tmp_path, monkeypatch):
    """os.replace is atomic only within one file system: the temporary file sits next to the
    destination, never in /tmp."""
    seen = []
    real = os.replace

    def spy(src, dst):
        seen.append((os.path.dirname(os.path.abspath(src)), os.path.abspath(dst)))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    nn.save({"w": ag.ones(2)}, tmp_path / "m.npz")
    assert seen == [(str(tmp_path), str(tmp_path / "m.npz"))]


def test_atomic_write_keeps_the_old_file_on_error(tmp_path):
    """Sibling writers share atomic_write (graphviz.render writes through it)."""
    path = tmp_path / "graph.png"
    path.write_bytes(b"old")

    def fail(fh):
        fh.write(b"partial")
        raise ValueError("boom")

    with pytest.raises(ValueError):
        _files.atomic_write(path, fail)
    assert path.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []
    _files.atomic_write(path, lambda fh: fh.write(b"new"))
    assert path.read_bytes() == b"new"
