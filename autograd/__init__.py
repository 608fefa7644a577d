"""tapegrad's autograd: a tape-based automatic-differentiation engine on NumPy."""

from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor, is_tensor
from .ops import *  # noqa: F401,F403
from .differentiate import backward, grad
from .primitive import Primitive


def tensor(data, requires_grad=False, dtype=None):  # type: ignore[no-untyped-def]
    """A new tensor holding a copy of ``data`` (like ``torch.tensor``)."""
    from .tensor import _to_data, _check_grad_dtype

    d = _to_data(data, dtype, copy=True)
    if requires_grad:
        _check_grad_dtype(d)
    t = Tensor._make(d, None, bool(requires_grad))
    return t
