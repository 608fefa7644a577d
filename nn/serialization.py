"""Safe checkpoints: ``nn.save(obj, path)`` / ``nn.load(path)`` in NumPy's ``.npz`` format.

Nothing is ever pickled: files are read with ``allow_pickle=False`` and only numeric arrays plus
a JSON description are accepted, so loading an untrusted file cannot execute code.

What can be saved: nested ``dict`` / ``OrderedDict`` / ``list`` / ``tuple`` containers of
``Tensor`` / ``Parameter`` / NumPy arrays and NumPy scalars (bool, integer, floating dtypes),
``int``, ``float``, ``bool``, ``None`` and ``str``; dict keys may be ``str``, ``int``, ``float``,
``bool``, ``None`` or tuples of these.  That covers module state dicts and optimizer state dicts
(``{'state': {0: {'step': 3, 'exp_avg': ...}}, 'param_groups': [{'lr': 0.1, 'betas': (0.9,
0.999), 'params': [0, 1]}]}``).

File layout (format version 1)
    A zip archive as written by ``numpy.savez`` with entries

    * ``__tapegrad__``: a 1-D ``uint8`` array holding UTF-8 JSON
      ``{"format": "tapegrad", "version": 1, "root": NODE}``;
    * ``a0``, ``a1``, ...: one array per array-like leaf, referenced from the JSON.

    ``NODE`` is a JSON object whose ``"type"`` says how to rebuild the value:

    ========================  ====================================================================
    ``dict`` / ``odict``      ``"items": [[KEY_NODE, NODE], ...]`` (order kept; odict: OrderedDict)
    ``list`` / ``tuple``      ``"items": [NODE, ...]``
    ``array``                 ``"ref"``, ``"dtype"``, ``"shape"``: a NumPy array
    ``tensor``/``parameter``  same plus ``"requires_grad"``: an autograd Tensor / nn.Parameter
    ``npscalar``              ``"ref"``, ``"dtype"``: a NumPy scalar (stored as a 0-d array)
    ``int`` / ``bool``        ``"value"``: a JSON integer / boolean
    ``float``                 ``"value"``: ``repr`` of the float as a string (exact; inf and nan)
    ``str``                   ``"value"``: the string
    ``none``                  nothing else
    ========================  ====================================================================

    Every declared dtype and shape must match the stored array, every array must be referenced
    exactly once, and only bool/integer/floating dtypes are accepted.

A plain ``.npz`` without ``__tapegrad__`` (e.g. ``numpy.savez(f, **{k: v.numpy() for k, v in
torch_state_dict.items()})``) loads as a flat ``dict`` of Tensors, ready for
``load_state_dict``.

>>> import os, tempfile, nn
>>> net = nn.Linear(2, 3)
>>> path = os.path.join(tempfile.mkdtemp(), "net.npz")
>>> nn.save(net.state_dict(), path)
>>> sd = nn.load(path)
>>> list(sd), net.load_state_dict(sd)
(['weight', 'bias'], _IncompatibleKeys(missing_keys=[], unexpected_keys=[]))
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections import OrderedDict
from typing import IO, Any, Union

import numpy as np

from autograd import devices
from autograd._files import atomic_write
from autograd.backend import to_numpy, xp
from autograd.devices import is_array
from autograd.tensor import Tensor

from .parameter import Parameter

__all__ = ["CheckpointError", "load", "save"]

FORMAT = "tapegrad"
VERSION = 1
MANIFEST = "__tapegrad__"
_MAX_DEPTH = 200

PathOrFile = Union[str, "os.PathLike[str]", IO[bytes]]


class CheckpointError(ValueError):
    """A file is not a valid tapegrad checkpoint (or holds something unsafe to load)."""


# ----------------------------------------------------------------------------------- save
class _Writer:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _store(self, a: Any) -> tuple[str, np.ndarray]:
        arr = np.asarray(to_numpy(a))
        if not arr.flags.c_contiguous:  # (ascontiguousarray would turn 0-d into 1-d)
            arr = np.ascontiguousarray(arr)
        if arr.dtype.kind not in "biuf":
            raise TypeError(
                f"nn.save: arrays of dtype {arr.dtype} cannot be saved; only bool, integer and "
                "floating arrays are supported"
            )
        ref = f"a{len(self.arrays)}"
        self.arrays[ref] = arr
        return ref, arr

    def node(self, obj: Any, depth: int = 0) -> dict[str, Any]:
        if depth > _MAX_DEPTH:
            raise ValueError(f"nn.save: object nested deeper than {_MAX_DEPTH} levels")
        if obj is None:
            return {"type": "none"}
        if isinstance(obj, np.generic):  # before float: np.float64 subclasses float
            ref, arr = self._store(np.asarray(obj))
            return {"type": "npscalar", "ref": ref, "dtype": arr.dtype.str}
        if isinstance(obj, bool):
            return {"type": "bool", "value": obj}
        if isinstance(obj, int):
            return {"type": "int", "value": int(obj)}
        if isinstance(obj, float):
            return {"type": "float", "value": repr(float(obj))}
        if isinstance(obj, str):
            return {"type": "str", "value": obj}
        if isinstance(obj, Tensor):
            ref, arr = self._store(obj._array)
            kind = "parameter" if isinstance(obj, Parameter) else "tensor"
            return {"type": kind, "ref": ref, "dtype": arr.dtype.str, "shape": list(arr.shape),
                    "requires_grad": bool(obj.requires_grad), "device": str(obj.device)}
        if isinstance(obj, np.ndarray) or is_array(obj):
            ref, arr = self._store(obj)
            return {"type": "array", "ref": ref, "dtype": arr.dtype.str, "shape": list(arr.shape)}
        if isinstance(obj, dict):
            kind = "odict" if isinstance(obj, OrderedDict) else "dict"
            return {"type": kind, "items": [
                [self.key(k), self.node(v, depth + 1)] for k, v in obj.items()
            ]}
        if isinstance(obj, (list, tuple)):
            return {"type": "list" if isinstance(obj, list) else "tuple",
                    "items": [self.node(v, depth + 1) for v in obj]}
        from .modules.module import Module

        if isinstance(obj, Module):
            raise TypeError(
                "nn.save: modules are not pickled; save module.state_dict() and restore it with "
                "load_state_dict() on a freshly built module"
            )
        raise TypeError(
            f"nn.save: cannot save an object of type {type(obj).__name__}; supported: Tensors, "
            "arrays, numbers, strings, None and dicts/lists/tuples of them"
        )

    def key(self, k: Any) -> dict[str, Any]:
        if k is None or isinstance(k, (bool, int, float, str)):
            return self.node(k)
        if isinstance(k, tuple):
            return {"type": "tuple", "items": [self.key(v) for v in k]}
        raise TypeError(
            f"nn.save: dict keys must be str, int, float, bool, None or tuples of them, got "
            f"{type(k).__name__}"
        )


def save(obj: Any, f: PathOrFile) -> None:
    """Write ``obj`` (a state dict, tensor, nested containers, ...) to ``f`` as ``.npz``.

    ``f`` is a path (written atomically: a temporary file in the same folder, flushed to disk and
    renamed into place, so a crash or a full disk never leaves a truncated checkpoint under the
    real name; the file gets the usual permissions, ``0666`` minus the umask) or a binary file
    object.  The path is used as given (no
    ``.npz`` suffix is appended).
    """
    w = _Writer()
    manifest = {"format": FORMAT, "version": VERSION, "root": w.node(obj)}
    payload = json.dumps(manifest, allow_nan=False, separators=(",", ":")).encode("utf-8")
    entries = dict(w.arrays)
    entries[MANIFEST] = np.frombuffer(payload, dtype=np.uint8)
    if hasattr(f, "write"):
        np.savez(f, **entries)  # type: ignore[arg-type]
        return
    atomic_write(f, lambda fh: np.savez(fh, **entries))  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------- load
class _Placer:
    """Where loaded tensors go: their saved location, mapped by ``map_location``."""

    def __init__(self, map_location: Any) -> None:
        if not (map_location is None or callable(map_location)
                or isinstance(map_location, (str, dict, devices.device))):
            raise TypeError(
                "nn.load: map_location must be None, a device or string, a dict or a callable, "
                f"got {type(map_location).__name__}"
            )
        self.map_location = map_location

    def place(self, arr: np.ndarray, location: str) -> Any:
        m = self.map_location
        if callable(m) and not isinstance(m, (str, dict, devices.device)):
            return m(arr, location)
        if isinstance(m, dict):
            wanted = m.get(location, location)
        else:
            wanted = location if m is None else m
        try:
            dev = devices.resolve(wanted)
        except RuntimeError as e:
            if m is None or str(wanted) == location:
                raise RuntimeError(
                    f"nn.load: a tensor was saved on {location}, which is not available here "
                    f"({e}); pass map_location='cpu' (or another device) to load it elsewhere"
                ) from e
            raise RuntimeError(
                f"nn.load: map_location puts a tensor saved on {location} on {wanted}, which is "
                f"not available here ({e})"
            ) from e
        return devices.transfer(arr, dev)


class _Reader:
    place: Any

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self.used: set[str] = set()

    def _array(self, node: dict[str, Any], with_shape: bool) -> np.ndarray:
        ref = node.get("ref")
        if not isinstance(ref, str) or ref not in self.arrays:
            raise CheckpointError(f"nn.load: manifest refers to a missing array {ref!r}")
        if ref in self.used:
            raise CheckpointError(f"nn.load: array {ref!r} is referenced twice")
        self.used.add(ref)
        arr = self.arrays[ref]
        dtype = node.get("dtype")
        try:
            want = np.dtype(dtype)
        except TypeError as e:
            raise CheckpointError(f"nn.load: invalid dtype {dtype!r} for array {ref!r}") from e
        if arr.dtype != want:
            raise CheckpointError(
                f"nn.load: array {ref!r} is stored as {arr.dtype} but declared {want}"
            )
        if with_shape:
            shape = node.get("shape")
            if not isinstance(shape, list) or tuple(arr.shape) != tuple(shape):
                raise CheckpointError(
                    f"nn.load: array {ref!r} has shape {tuple(arr.shape)} but the manifest "
                    f"declares {shape!r}"
                )
        elif arr.shape != ():
            raise CheckpointError(f"nn.load: scalar {ref!r} must be 0-d, got shape {arr.shape}")
        return arr

    def node(self, node: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise CheckpointError(f"nn.load: manifest nested deeper than {_MAX_DEPTH} levels")
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            raise CheckpointError(f"nn.load: malformed manifest node {_short(node)}")
        kind = node["type"]
        if kind == "none":
            return None
        if kind in ("bool", "int", "str"):
            v = node.get("value")
            want = {"bool": bool, "int": int, "str": str}[kind]
            if type(v) is not want:
                raise CheckpointError(f"nn.load: {kind} node holds {_short(v)}")
            return v
        if kind == "float":
            v = node.get("value")
            try:
                return float(v)  # type: ignore[arg-type]
            except (TypeError, ValueError) as e:
                raise CheckpointError(f"nn.load: float node holds {_short(v)}") from e
        if kind in ("list", "tuple"):
            items = node.get("items")
            if not isinstance(items, list):
                raise CheckpointError(f"nn.load: {kind} node without an item list")
            vals = [self.node(v, depth + 1) for v in items]
            return vals if kind == "list" else tuple(vals)
        if kind in ("dict", "odict"):
            items = node.get("items")
            if not isinstance(items, list):
                raise CheckpointError(f"nn.load: {kind} node without an item list")
            out: dict[Any, Any] = OrderedDict() if kind == "odict" else {}
            for pair in items:
                if not isinstance(pair, list) or len(pair) != 2:
                    raise CheckpointError(f"nn.load: malformed dict item {_short(pair)}")
                key = self.key(pair[0], depth + 1)
                out[key] = self.node(pair[1], depth + 1)
            return out
        if kind == "array":
            return xp.asarray(self._array(node, True))
        if kind in ("tensor", "parameter"):
            arr = self._array(node, True)
            rg = node.get("requires_grad", False)
            if type(rg) is not bool:
                raise CheckpointError("nn.load: requires_grad must be a boolean")
            rg = rg and arr.dtype.kind == "f"
            location = node.get("device", "cpu")
            if not isinstance(location, str):
                raise CheckpointError("nn.load: a tensor's device must be a string")
            t = Parameter(arr, requires_grad=rg) if kind == "parameter" else Tensor(arr)
            t._data = self.place(arr, location)  # where map_location says, not the default
            t.requires_grad = rg
            return t
        if kind == "npscalar":
            return self._array(node, False)[()]
        raise CheckpointError(f"nn.load: unknown node type {kind!r}")

    def key(self, node: Any, depth: int) -> Any:
        if isinstance(node, dict) and node.get("type") in ("dict", "odict", "list", "array",
                                                            "tensor", "parameter", "npscalar"):
            raise CheckpointError(f"nn.load: dict key of unhashable type {node.get('type')!r}")
        if isinstance(node, dict) and node.get("type") == "tuple":
            items = node.get("items")
            if not isinstance(items, list):
                raise CheckpointError("nn.load: tuple key without an item list")
            return tuple(self.key(v, depth + 1) for v in items)
        return self.node(node, depth)


def _short(v: Any) -> str:
    s = repr(v)
    return s if len(s) <= 80 else s[:77] + "..."


def _read_bytes(f: PathOrFile) -> bytes:
    if hasattr(f, "read"):
        return f.read()  # type: ignore[union-attr,no-any-return]
    with open(os.fspath(f), "rb") as fh:  # type: ignore[arg-type]
        return fh.read()


def load(f: PathOrFile, map_location: Any = None) -> Any:
    """Read what :func:`save` wrote (or a plain ``.npz`` of arrays), never unpickling anything.

    Tensors come back on the device they were saved from (``save`` stores host copies and the
    device's name), unless ``map_location`` says otherwise, as in ``torch.load``: a device or
    string (``"cpu"``, ``"cuda:0"``: every tensor there), a dict from saved to wanted locations
    (``{"cuda:1": "cuda:0"}``), or a callable ``(array, location) -> array`` given the host
    array and the saved location's name.  Plain arrays and NumPy scalars stay NumPy.

    Raises :class:`CheckpointError` (a ``ValueError``) for files that are not ``.npz`` archives,
    hold object (pickled) arrays, or whose manifest does not match the stored arrays;
    RuntimeError when a saved device is not available and ``map_location`` does not move it.
    """
    raw = _read_bytes(f)
    if not raw.startswith(b"PK"):
        hint = " (it looks like a pickle, which is never loaded)" if raw[:1] == b"\x80" else ""
        raise CheckpointError(f"nn.load: not a tapegrad checkpoint (.npz archive){hint}")
    arrays: dict[str, np.ndarray] = {}
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            for name in npz.files:
                arrays[name] = npz[name]
    except ValueError as e:  # object arrays need pickle: refused
        raise CheckpointError(
            f"nn.load: the file holds data that would need unpickling ({e}); refusing to load it"
        ) from e
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as e:
        raise CheckpointError(f"nn.load: corrupt .npz archive: {e}") from e
    for name, arr in arrays.items():
        if not isinstance(arr, np.ndarray):  # a zip member that is not .npy comes back as bytes
            raise CheckpointError(
                f"nn.load: entry {name!r} is not a NumPy array (e.g. a pickle inside a zip, as "
                "torch.save writes); not a tapegrad checkpoint"
            )
        if arr.dtype.kind not in "biuf":
            raise CheckpointError(
                f"nn.load: entry {name!r} has unsupported dtype {arr.dtype}; only bool, integer "
                "and floating arrays are accepted"
            )
    if MANIFEST not in arrays:
        where = _Placer(map_location)
        return {name: Tensor._make(where.place(arr, "cpu"), None, False)
                for name, arr in arrays.items()}
    man_arr = arrays.pop(MANIFEST)
    if man_arr.dtype != np.uint8 or man_arr.ndim != 1:
        raise CheckpointError("nn.load: the manifest must be a 1-D uint8 array")
    try:
        manifest = json.loads(man_arr.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise CheckpointError(f"nn.load: unreadable manifest: {e}") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CheckpointError("nn.load: not a tapegrad checkpoint (unknown manifest format)")
    if manifest.get("version") != VERSION:
        raise CheckpointError(
            f"nn.load: unsupported checkpoint version {manifest.get('version')!r} (this tapegrad "
            f"reads version {VERSION})"
        )
    reader = _Reader(arrays)
    reader.place = _Placer(map_location).place
    obj = reader.node(manifest.get("root"))
    extra = sorted(set(arrays) - reader.used)
    if extra:
        raise CheckpointError(f"nn.load: unexpected entries not described by the manifest: "
                              f"{extra[:5]}")
    return obj
