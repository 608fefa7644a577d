"""tapegrad's autograd: a tape-based automatic-differentiation engine on NumPy.

``autograd.*`` functions and ``Tensor`` methods mean what PyTorch's mean (NumPy's ``axis``/
``keepdims``/``ddof`` are aliases with the same meaning); NumPy's functions called on Tensors
mean what NumPy's mean, and are recorded too.  Differences: docs/differences.md.

>>> import autograd as ag
>>> x = ag.tensor([1.0, 2.0], requires_grad=True)
>>> (x.exp() * x).sum().backward()
>>> x.grad
tensor([ 5.43656366, 22.1671683 ])
"""

import importlib as _importlib

from . import cuda, distributed, functional
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .compile import compile  # noqa: A004  (ag.compile: the tracer and code generator)
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .devices import device, get_default_device, set_default_device
from .differentiate import backward, grad
from .dtypes import (
    bool,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    set_default_dtype,
)
from .function import Function, FunctionCtx
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graphviz import to_dot
from .hooks import RemovableHandle
from .ops import *  # noqa: F401,F403  (the primitives: autograd.exp, autograd.matmul, ...)

# PyTorch's alpha=/rounding_mode= forms over the primitives (``autograd.ops.add`` etc. stay the
# primitives, used by the operators)
from .ops.variants import add, div, sub  # type: ignore[assignment]
from .primitive import Primitive
from .random import default_generator, manual_seed, seed
from .tensor import Tensor, is_tensor

# ``autograd.linalg`` is the torch.linalg-like package; the star import above bound the name to
# ``autograd.ops.linalg`` (matmul, einsum), and ``from . import`` would return that binding
linalg = _importlib.import_module(".linalg", __name__)

__version__ = "0.1.0"
