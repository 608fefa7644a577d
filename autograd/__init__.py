"""tapegrad's autograd: a tape-based automatic-differentiation engine on NumPy.

>>> import autograd as ag
>>> x = ag.tensor([1.0, 2.0], requires_grad=True)
>>> (x.exp() * x).sum().backward()
>>> x.grad
tensor([ 5.43656366, 22.1671683 ])
"""

from . import functional
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .compile import compile  # noqa: A004  (ag.compile: the tracer and code generator)
from .creation import (
    arange,
    empty,
    eye,
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
from .differentiate import backward, grad
from .function import Function, FunctionCtx
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graphviz import to_dot
from .hooks import RemovableHandle
from .ops import *  # noqa: F401,F403  (the primitives: autograd.exp, autograd.matmul, ...)
from .primitive import Primitive
from .random import default_generator, manual_seed, seed
from .tensor import Tensor, is_tensor

__version__ = "0.1.0"
