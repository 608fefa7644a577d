"""``autograd.linalg``: linear algebra with ``torch.linalg``'s names, arguments and gradients.

Real (float32/float64) matrices and batches of matrices ``(*, m, n)``; batch dimensions
broadcast as in PyTorch.  Failures (a singular matrix for ``inv``/``solve``, a matrix that is
not positive-definite for ``cholesky``) raise :class:`LinAlgError`, a RuntimeError naming the
operation.  The gradient rules and where they do not exist are described in ``_inverse`` and
``_factor``.

>>> import autograd as ag
>>> A = ag.tensor([[4.0, 1.0], [1.0, 3.0]], requires_grad=True)
>>> ag.linalg.det(A).backward()
>>> A.grad
tensor([[ 3., -1.],
        [-1.,  4.]])
"""

from ._common import LinAlgError
from ._factor import (
    EighResult,
    QRResult,
    SVDResult,
    cholesky,
    eigh,
    eigvalsh,
    pinv,
    qr,
    svd,
    svdvals,
)
from ._inverse import SlogdetResult, det, inv, matrix_power, slogdet, solve
from ._norms import matrix_norm, norm, vector_norm

__all__ = [
    "LinAlgError", "EighResult", "QRResult", "SVDResult", "SlogdetResult", "cholesky", "det",
    "eigh", "eigvalsh", "inv", "matrix_norm", "matrix_power", "norm", "pinv", "qr", "slogdet",
    "solve", "svd", "svdvals", "vector_norm",
]
