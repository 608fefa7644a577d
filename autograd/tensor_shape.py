"""Shape and dtype methods of ``Tensor`` (a mixin): reshape/view, transpose/permute, squeeze,
expand, repeat/tile, split/chunk/unbind, gather, casts, clone.

PyTorch's meanings: ``transpose(dim0, dim1)`` swaps two dims, ``squeeze(dim)`` keeps a dim whose
size is not 1, ``repeat`` tiles, ``split`` cuts pieces of a size.  NumPy's (``numpy.transpose(t)``,
``numpy.squeeze``, ``numpy.repeat``, ``numpy.split``) come from NumPy's functions on a Tensor.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    _ops: Any  # autograd.ops (its in-place functions are typed for Tensor, not the mixin)
    from .tensor import Tensor
else:
    _ops = None  # bound by autograd.tensor


def _varargs(args: tuple[Any, ...]) -> Any:
    """``f(2, 3)`` and ``f((2, 3))`` alike."""
    return args[0] if len(args) == 1 and not isinstance(args[0], int) else args


class TensorShape:
    """Shape, layout and dtype methods; PyTorch's meanings."""

    __slots__ = ()

    if TYPE_CHECKING:
        _data: Any

        @property
        def shape(self) -> tuple[int, ...]: ...

        @property
        def ndim(self) -> int: ...

        @property
        def dtype(self) -> np.dtype: ...

    def reshape(self, *shape: Any) -> Tensor:
        """The same data in ``shape`` (``reshape(2, 3)`` or ``reshape((2, 3))``; one ``-1`` is
        inferred); a view when possible.  ValueError if the sizes differ
        (``torch.Tensor.reshape``, ``numpy.reshape``)."""
        return _ops.reshape(self, *shape)

    def view(self, *shape: Any) -> Tensor:
        """Like :meth:`reshape` but always a view: RuntimeError when the layout needs a copy
        (``torch.Tensor.view``)."""
        return _ops.view(self, *shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims ``start_dim..end_dim`` into one (``torch.Tensor.flatten``)."""
        return _ops.flatten(self, start_dim, end_dim)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dimensions, a view (``torch.Tensor.transpose``); see
        :func:`autograd.transpose`.  ``t.T`` reverses all dims, :meth:`permute` reorders them."""
        return _ops.transpose(self, dim0, dim1)

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dimensions: result dim ``i`` is dim ``dims[i]`` (``torch.Tensor.permute``;
        ``numpy.transpose(a, axes)``)."""
        return _ops.permute(self, *dims)

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        """Swap two dimensions (``torch.Tensor.swapaxes`` = ``transpose``)."""
        return _ops.swapaxes(self, axis0, axis1)

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (``numpy.ndarray.T``; ``torch.Tensor.T``)."""
        return _ops.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (batched matrix transpose, ``torch.Tensor.mT``)."""
        return _ops.swapaxes(self, -1, -2)

    def squeeze(self, dim: Any = None, *, axis: Any = None) -> Tensor:
        """Remove size-1 dims: all, or those of ``dim`` (int or tuple) that have size 1; see
        :func:`autograd.squeeze` (``torch.Tensor.squeeze``)."""
        return _ops.squeeze(self, dim, axis=axis)

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dimension at ``dim`` (``torch.Tensor.unsqueeze``)."""
        return _ops.unsqueeze(self, dim)

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to ``sizes`` (a view; ``-1`` keeps a size) (``torch.Tensor.expand``)."""
        return _ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        """Broadcast to ``other``'s shape (``torch.Tensor.expand_as``)."""
        return _ops.broadcast_to(self, other.shape)

    def broadcast_to(self, size: Any) -> Tensor:
        """Broadcast to ``size`` (``torch.Tensor.broadcast_to``, ``numpy.broadcast_to``)."""
        return _ops.broadcast_to(self, size)

    def repeat(self, *sizes: Any) -> Tensor:
        """Tile the tensor ``sizes[i]`` times along each dimension (``torch.Tensor.repeat``;
        NumPy: ``numpy.tile``).  ``sizes`` needs at least ``ndim`` entries (RuntimeError
        otherwise); extra ones add leading dims.  Element repeats: :meth:`repeat_interleave`."""
        reps = _varargs(sizes)
        n = 1 if isinstance(reps, int) else len(tuple(reps))
        if n < self.ndim:
            raise RuntimeError(
                f"repeat: the number of repeat sizes ({n}) can not be smaller than the number of "
                f"dimensions of the tensor (shape {tuple(self.shape)}); use tile for NumPy's "
                "padding rule"
            )
        return _ops.tile(self, reps)

    def repeat_interleave(self, repeats: Any, dim: Any = None) -> Tensor:
        """Repeat each element ``repeats`` times along ``dim`` (flattened if None); see
        :func:`autograd.repeat_interleave` (``numpy.repeat``)."""
        return _ops.repeat_interleave(self, repeats, dim)

    def tile(self, *dims: Any) -> Tensor:
        """Copies along each dimension, NumPy's padding rule (``torch.Tensor.tile``)."""
        return _ops.tile(self, _varargs(dims))

    def flip(self, *dims: Any) -> Tensor:
        """Reverse the order along ``dims`` (``flip(0, 1)`` or ``flip((0, 1))``; all if none)
        (``torch.Tensor.flip``)."""
        return _ops.flip(self, dims[0] if len(dims) == 1 else (dims if dims else None))

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        """Pieces of the given size(s) along ``dim`` (``torch.Tensor.split``: an int size, or a
        list of sizes); see :func:`autograd.split`."""
        return _ops.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """At most ``chunks`` pieces along ``dim``; see :func:`autograd.chunk`."""
        return _ops.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """The slices along ``dim``, that dim removed (``torch.Tensor.unbind``)."""
        return _ops.unbind(self, dim)

    def gather(self, dim: int, index: Any) -> Tensor:
        """``out[i][j] = self[index[i][j]][j]`` for ``dim=0`` and so on (``torch.gather``)."""
        return _ops.gather(self, dim, index)

    def take_along_axis(self, indices: Any, axis: int) -> Tensor:
        """NumPy's ``take_along_axis`` (``torch.take_along_dim``)."""
        return _ops.take_along_axis(self, indices, axis)

    def where(self, condition: Any, other: Any) -> Tensor:
        """``self`` where ``condition``, else ``other`` (``torch.Tensor.where``)."""
        return _ops.where(condition, self, other)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """``value`` where ``mask`` is True, else ``self`` (``torch.Tensor.masked_fill``)."""
        return _ops.where(mask, value, self)

    # dtypes and copies
    def astype(self, dtype: Any) -> Tensor:
        """Cast to ``dtype`` (NumPy's name for :meth:`to`); float-to-float is differentiable."""
        return _ops.astype(self, dtype)

    def float(self) -> Tensor:
        """Cast to float32 (``torch.Tensor.float``)."""
        return _ops.astype(self, np.float32)

    def double(self) -> Tensor:
        """Cast to float64 (``torch.Tensor.double``)."""
        return _ops.astype(self, np.float64)

    def half(self) -> Tensor:
        """Cast to float16 (``torch.Tensor.half``)."""
        return _ops.astype(self, np.float16)

    def long(self) -> Tensor:
        """Cast to int64, no gradient (``torch.Tensor.long``)."""
        return _ops.astype(self, np.int64)

    def int(self) -> Tensor:
        """Cast to int32, no gradient (``torch.Tensor.int``)."""
        return _ops.astype(self, np.int32)

    def bool(self) -> Tensor:
        """Cast to bool, no gradient (``torch.Tensor.bool``)."""
        return _ops.astype(self, np.bool_)

    def clone(self) -> Tensor:
        """A copy with its own storage, recorded (``torch.Tensor.clone``)."""
        return _ops.clone(self)

    def contiguous(self) -> Tensor:
        """``self`` if C-contiguous, else a contiguous copy (``torch.Tensor.contiguous``)."""
        d = self._data
        if type(d) is builtins.float or d.flags.c_contiguous:
            return self  # type: ignore[return-value]
        return _ops.clone(self)

    def is_contiguous(self) -> builtins.bool:
        """True if the data is C-contiguous (``torch.Tensor.is_contiguous``)."""
        d = self._data
        return type(d) is builtins.float or builtins.bool(d.flags.c_contiguous)
