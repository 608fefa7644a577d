"""The primitives, grouped by family.  Each module defines forward and gradient side by side."""

from . import variants  # PyTorch call forms: div(rounding_mode=), add/sub(alpha=), ...
from .arithmetic import (
    abs,
    add,
    clamp,
    clip,
    div,
    eq,
    floor_divide,
    ge,
    gt,
    le,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    maximum,
    minimum,
    mul,
    ne,
    neg,
    pow,
    remainder,
    sign,
    sub,
)
from .cumulative import cumprod, cumsum
from .elementwise import (
    cos,
    elu,
    erf,
    exp,
    expm1,
    gelu,
    leaky_relu,
    log,
    log1p,
    reciprocal,
    relu,
    rsqrt,
    sigmoid,
    sin,
    softplus,
    sqrt,
    square,
    tan,
    tanh,
)
from .extrema import ValuesIndices, amax, amin, argmax, argmin, max, min
from .indexing import gather, getitem, take_along_axis
from .inplace import add_, clamp_, copy_, div_, fill_, index_put, mul_, pow_, setitem, sub_
from .join import cat, chunk, concatenate, split, stack, unbind
from .linalg import dot, einsum, matmul, outer
from .queries import allclose, bincount, equal, nonzero, unique
from .reduction import logsumexp, mean, norm, prod, std, sum, var
from .rounding import ceil, clamp_max, clamp_min, floor, frac, round, trunc
from .shape import (
    astype,
    broadcast_to,
    clone,
    expand,
    expand_dims,
    flatten,
    flip,
    pad,
    permute,
    reshape,
    squeeze,
    swapaxes,
    tile,
    transpose,
    unsqueeze,
    view,
)
from .softmax import log_softmax, softmax
from .sorting import argsort, kthvalue, median, sort, topk
from .structure import (
    diag,
    diagonal,
    index_select,
    masked_select,
    moveaxis,
    movedim,
    narrow,
    roll,
    t,
    trace,
    tril,
    triu,
)
from .transcendental import (
    acos,
    acosh,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    cosh,
    hypot,
    isfinite,
    isinf,
    isnan,
    logaddexp,
    sinh,
    xlogy,
)
from .transfer import to_device
from .variants import all, any, divide, repeat_interleave, subtract, where
