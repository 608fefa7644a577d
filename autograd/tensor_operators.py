"""Operators and in-place methods of ``Tensor`` (a mixin): ``+ - * / // % ** @``, comparisons,
indexing and ``add_``/``mul_``/``fill_``/... .

Each delegates to one primitive in ``autograd.ops`` (bound by ``autograd.tensor`` once the
primitives exist, since they need ``Tensor``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    _ops: Any  # autograd.ops (its in-place functions are typed for Tensor, not the mixin)
    _apply: Any  # Primitive.__call__
    from .tensor import Tensor
else:
    _ops = _apply = None  # bound by autograd.tensor


class TensorOperators:
    """Python operators and in-place methods; PyTorch's meanings."""

    __slots__ = ()

    def __add__(self, other: Any) -> Tensor:
        """``self + other`` (broadcasting; ``torch.add``, ``numpy.add``)."""
        return _apply(_ops.add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        """``other + self``."""
        return _apply(_ops.add, other, self)

    def __sub__(self, other: Any) -> Tensor:
        """``self - other`` (``torch.sub``, ``numpy.subtract``)."""
        return _apply(_ops.sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        """``other - self``."""
        return _apply(_ops.sub, other, self)

    def __mul__(self, other: Any) -> Tensor:
        """``self * other`` elementwise (``torch.mul``, ``numpy.multiply``)."""
        return _apply(_ops.mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        """``other * self``."""
        return _apply(_ops.mul, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        """``self / other``, true division (``torch.div``, ``numpy.divide``)."""
        return _apply(_ops.div, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        """``other / self``."""
        return _apply(_ops.div, other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        """``self // other`` (``torch.floor_divide``, ``numpy.floor_divide``)."""
        return _apply(_ops.floor_divide, self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        """``other // self``."""
        return _apply(_ops.floor_divide, other, self)

    def __mod__(self, other: Any) -> Tensor:
        """``self % other`` with the divisor's sign (``torch.remainder``)."""
        return _apply(_ops.remainder, self, other)

    def __pow__(self, other: Any) -> Tensor:
        """``self ** other`` (``torch.pow``, ``numpy.power``)."""
        return _apply(_ops.pow, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        """``other ** self``."""
        return _apply(_ops.pow, other, self)

    def __matmul__(self, other: Any) -> Tensor:
        """``self @ other`` (:func:`autograd.matmul`)."""
        return _apply(_ops.matmul, self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        """``other @ self``."""
        return _apply(_ops.matmul, other, self)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        """``self == other`` elementwise: a bool tensor without grad (``torch.eq``)."""
        return _ops.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        """``self != other`` elementwise: a bool tensor (``torch.ne``)."""
        return _ops.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        """``self < other`` elementwise: a bool tensor (``torch.lt``)."""
        return _ops.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        """``self <= other`` elementwise: a bool tensor (``torch.le``)."""
        return _ops.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        """``self > other`` elementwise: a bool tensor (``torch.gt``)."""
        return _ops.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        """``self >= other`` elementwise: a bool tensor (``torch.ge``)."""
        return _ops.ge(self, other)

    def __and__(self, other: Any) -> Tensor:
        """``self & other``: logical and, a bool tensor."""
        return _ops.logical_and(self, other)

    def __or__(self, other: Any) -> Tensor:
        """``self | other``: logical or, a bool tensor."""
        return _ops.logical_or(self, other)

    def __xor__(self, other: Any) -> Tensor:
        """``self ^ other``: logical xor, a bool tensor."""
        return _ops.logical_xor(self, other)

    def __getitem__(self, index: Any) -> Tensor:
        """``self[index]``: NumPy/PyTorch indexing (basic slices are views; integer-array
        indices accumulate gradients)."""
        return _ops.getitem(self, index)

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self + alpha * other`` (``torch.Tensor.add``)."""
        return _ops.add(self, other) if alpha == 1 else _ops.variants.add(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self - alpha * other`` (``torch.Tensor.sub``)."""
        return _ops.sub(self, other) if alpha == 1 else _ops.variants.sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        """``self * other`` (``torch.Tensor.mul``)."""
        return _ops.mul(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """``self / other``, rounded toward zero (``'trunc'``) or down (``'floor'``) when
        ``rounding_mode`` says so (``torch.Tensor.div``)."""
        return _ops.variants.div(self, other, rounding_mode=rounding_mode)

    def pow(self, exponent: Any) -> Tensor:
        """``self ** exponent`` (``torch.Tensor.pow``)."""
        return _ops.pow(self, exponent)

    def maximum(self, other: Any) -> Tensor:
        """Elementwise maximum; ties split the gradient evenly (``torch.maximum``)."""
        return _ops.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        """Elementwise minimum; ties split the gradient evenly (``torch.minimum``)."""
        return _ops.minimum(self, other)

    def __neg__(self) -> Tensor:
        """``-self`` (``torch.neg``)."""
        return _apply(_ops.neg, self)

    def __abs__(self) -> Tensor:
        """``abs(self)`` (``torch.abs``); the gradient at 0 is 0."""
        return _apply(_ops.abs, self)

    def __invert__(self) -> Tensor:
        """``~self``: logical not, a bool tensor."""
        return _ops.logical_not(self)

    def __pos__(self) -> Tensor:
        """``+self``: the tensor itself."""
        return self  # type: ignore[return-value]

    def __setitem__(self, index: Any, value: Any) -> None:
        """``self[index] = value`` in place, recorded (the gradient flows to ``value``)."""
        _ops.setitem(self, index, value)

    # in-place (autograd.ops.inplace): recorded, version-checked
    def __iadd__(self, other: Any) -> Tensor:
        """``self += other`` in place."""
        return _ops.add_(self, other, augmented=True)

    def __isub__(self, other: Any) -> Tensor:
        """``self -= other`` in place."""
        return _ops.sub_(self, other, augmented=True)

    def __imul__(self, other: Any) -> Tensor:
        """``self *= other`` in place."""
        return _ops.mul_(self, other, augmented=True)

    def __itruediv__(self, other: Any) -> Tensor:
        """``self /= other`` in place."""
        return _ops.div_(self, other, augmented=True)

    def __ipow__(self, other: Any) -> Tensor:
        """``self **= other`` in place."""
        return _ops.pow_(self, other, augmented=True)

    def add_(self, other: Any, *, alpha: float = 1) -> Tensor:
        """``self += alpha * other`` in place (``torch.Tensor.add_``); returns ``self``."""
        return _ops.add_(self, other if alpha == 1 else other * alpha)

    def sub_(self, other: Any, *, alpha: float = 1) -> Tensor:
        """``self -= alpha * other`` in place (``torch.Tensor.sub_``); returns ``self``."""
        return _ops.sub_(self, other if alpha == 1 else other * alpha)

    def mul_(self, other: Any) -> Tensor:
        """``self *= other`` in place (``torch.Tensor.mul_``); returns ``self``."""
        return _ops.mul_(self, other)

    def div_(self, other: Any) -> Tensor:
        """``self /= other`` in place (``torch.Tensor.div_``); returns ``self``."""
        return _ops.div_(self, other)

    def pow_(self, exponent: Any) -> Tensor:
        """``self **= exponent`` in place (``torch.Tensor.pow_``); returns ``self``."""
        return _ops.pow_(self, exponent)

    def zero_(self) -> Tensor:
        """Fill with zeros in place (``torch.Tensor.zero_``); returns ``self``."""
        return _ops.fill_(self, 0.0)

    def fill_(self, value: Any) -> Tensor:
        """Fill with ``value`` in place (``torch.Tensor.fill_``); returns ``self``."""
        return _ops.fill_(self, value)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit to ``[min, max]`` in place (``torch.Tensor.clamp_``); returns ``self``."""
        return _ops.clamp_(self, min, max)

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src`` (broadcast, cast) into ``self`` (``torch.Tensor.copy_``); the gradient
        flows to ``src``."""
        return _ops.copy_(self, src)
