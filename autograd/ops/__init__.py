"""The primitives, grouped by family.  Each module defines forward and gradient side by side."""

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
    where,
)
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
from .indexing import gather, getitem, take_along_axis
from .inplace import add_, clamp_, copy_, div_, fill_, index_put, mul_, pow_, setitem, sub_
from .linalg import dot, einsum, matmul, outer
from .reduction import (
    ValuesIndices,
    amax,
    amin,
    argmax,
    argmin,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    std,
    sum,
    var,
)
from .shape import (
    astype,
    broadcast_to,
    cat,
    chunk,
    clone,
    concatenate,
    expand,
    expand_dims,
    flatten,
    flip,
    pad,
    permute,
    repeat,
    reshape,
    split,
    split_sizes,
    squeeze,
    stack,
    swapaxes,
    tile,
    transpose,
    unbind,
    unsqueeze,
    view,
)
from .softmax import log_softmax, softmax

# PyTorch-named ops added for issue 13 (new modules, one family each)
from . import variants
from .cumulative import cumprod, cumsum
from .queries import allclose, bincount, equal, nonzero, unique
from .rounding import ceil, clamp_max, clamp_min, floor, frac, round, trunc
from .sorting import argsort, kthvalue, median, sort, topk
from .structure import (
    diag,
    diagonal,
    index_select,
    masked_select,
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
from .variants import all, any, divide, repeat_interleave, subtract
