"""``default_collate``: turn a list of samples into one batch of Tensors.

Follows ``torch.utils.data.default_collate``: Tensors, NumPy arrays and NumPy scalars are stacked
along a new first axis; Python numbers become a 1-d Tensor (``bool``, ``int64`` or ``float64``);
strings stay a list; dicts, tuples, named tuples and lists are collated field by field, keeping
their structure.  One difference: a batch of tuples gives a tuple (PyTorch gives a list for
backward-compatibility reasons); both unpack the same way in ``for x, y in loader``.

>>> import numpy as np
>>> from autograd.data import default_collate
>>> batch = default_collate([(np.array([1.0, 2.0]), 0), (np.array([3.0, 4.0]), 1)])
>>> x, y = batch
>>> x.shape, y
((2, 2), tensor([0, 1]))
>>> default_collate([{"x": 1.5, "name": "a"}, {"x": 2.5, "name": "b"}])
{'x': tensor([1.5, 2.5]), 'name': ['a', 'b']}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..backend import xp
from ..devices import is_array
from ..tensor import Tensor


def _stack_arrays(arrays: list[Any], what: str) -> Tensor:
    try:
        stacked = xp.stack(arrays)
    except ValueError as e:
        shapes = sorted({tuple(xp.shape(a)) for a in arrays})
        raise RuntimeError(
            f"default_collate: cannot stack {what} of different shapes {shapes} into one batch; "
            "make every sample the same shape, or pass a collate_fn that pads them"
        ) from e
    return Tensor._make(stacked, None, False)


def _stack_tensors(batch: list[Tensor]) -> Tensor:
    if any(t.requires_grad for t in batch):
        # Keep the graph: samples that require grad are stacked by the differentiable op.
        from .. import ops

        stack = getattr(ops, "stack", None)
        if stack is None:
            raise RuntimeError(
                "default_collate: samples require grad but autograd has no differentiable "
                "'stack'; detach() the samples (datasets normally hold constants)"
            )
        return stack(batch)  # type: ignore[no-any-return]
    return _stack_arrays([t._array for t in batch], "tensors")


def _collate_numbers(batch: list[Any]) -> Tensor:
    if all(isinstance(b, bool) for b in batch):
        dtype: Any = np.bool_
    elif all(isinstance(b, int) for b in batch):
        dtype = np.int64
    else:
        dtype = np.float64
    return Tensor._make(xp.asarray(batch, dtype=dtype), None, False)


def _check_array_dtype(a: Any) -> None:
    if a.dtype.kind not in "biuf":
        raise TypeError(
            f"default_collate: NumPy arrays of dtype {a.dtype} cannot become Tensors; tensors "
            "hold bool, integer or floating numbers (keep strings in a list or a dict field)"
        )


def default_collate(batch: Sequence[Any]) -> Any:
    """Collate a list of samples into a batch (see the module docstring for the rules)."""
    if not isinstance(batch, Sequence) or isinstance(batch, (str, bytes)):
        raise TypeError(
            f"default_collate: expected a list of samples, got {type(batch).__name__}"
        )
    if len(batch) == 0:
        raise ValueError("default_collate: cannot collate an empty batch")
    elem = batch[0]
    if isinstance(elem, Tensor):
        if not all(isinstance(b, Tensor) for b in batch):
            raise TypeError("default_collate: a batch mixes Tensors with other types")
        return _stack_tensors(list(batch))
    if isinstance(elem, np.generic) or is_array(elem):  # (GPU arrays stay on their device)
        arrays = [b if is_array(b) else np.asarray(b) for b in batch]
        for a in arrays:
            _check_array_dtype(a)
        return _stack_arrays(arrays, "arrays")
    if isinstance(elem, (bool, int, float)):
        if not all(isinstance(b, (bool, int, float)) for b in batch):
            raise TypeError("default_collate: a batch mixes numbers with other types")
        return _collate_numbers(list(batch))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        keys = list(elem)
        for b in batch:
            if not isinstance(b, Mapping) or set(b) != set(keys):
                raise RuntimeError(
                    f"default_collate: every dict in a batch needs the same keys; got {keys} "
                    f"and {list(b) if isinstance(b, Mapping) else type(b).__name__}"
                )
        out = {k: default_collate([b[k] for b in batch]) for k in keys}
        try:
            return type(elem)(out)  # type: ignore[call-arg]  # keep e.g. OrderedDict
        except TypeError:
            return out
    if isinstance(elem, Sequence):
        n = len(elem)
        if any(not isinstance(b, Sequence) or len(b) != n for b in batch):
            raise RuntimeError(
                "default_collate: each element in list of batch should be of equal size "
                f"(first has {n} fields)"
            )
        fields = [default_collate(list(s)) for s in zip(*batch, strict=True)]
        if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # named tuple
            return type(elem)(*fields)
        if isinstance(elem, tuple):
            return tuple(fields)
        try:
            return type(elem)(fields)  # type: ignore[call-arg]
        except TypeError:
            return fields
    raise TypeError(
        f"default_collate: batch must contain Tensors, NumPy arrays, numbers, strings, dicts or "
        f"lists/tuples; found {type(elem).__name__}. Pass collate_fn= to handle it yourself"
    )


def default_convert(data: Any) -> Any:
    """Convert one sample without batching it (``torch.utils.data.default_convert``): the collate
    function of ``DataLoader(batch_size=None)``.

    NumPy arrays and scalars of bool, integer or float dtype become Tensors; dicts, named tuples,
    tuples and lists are converted field by field; everything else (Tensors, numbers, strings)
    is returned as it is.

    >>> import numpy as np
    >>> from autograd.data import default_convert
    >>> default_convert({"x": np.array([1.0, 2.0]), "y": 3})
    {'x': tensor([1., 2.]), 'y': 3}
    """
    if isinstance(data, np.generic) or is_array(data):
        a = data if is_array(data) else np.asarray(data)
        return Tensor._make(a, None, False) if a.dtype.kind in "biuf" else data
    if isinstance(data, Mapping):
        out = {k: default_convert(v) for k, v in data.items()}
        try:
            return type(data)(out)  # type: ignore[call-arg]
        except TypeError:
            return out
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # named tuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return tuple(default_convert(d) for d in data)
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data
