"""``parameters_to_vector`` / ``vector_to_parameters``: all parameters as one flat vector.

>>> import autograd as ag, nn
>>> from nn.utils import parameters_to_vector, vector_to_parameters
>>> lin = nn.Linear(2, 1)
>>> v = parameters_to_vector(lin.parameters())
>>> v.shape
(3,)
>>> vector_to_parameters(ag.tensor([1.0, 2.0, 3.0]), lin.parameters())
>>> lin.weight.tolist(), lin.bias.tolist()
([[1.0, 2.0]], [3.0])
"""

from __future__ import annotations

from collections.abc import Iterable

import autograd as ag
from autograd.tensor import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Flatten and concatenate ``parameters`` (in order) into one 1-D tensor.

    Differentiable: gradients flow back to each parameter.  Raises TypeError for a non-Tensor
    and ValueError for an empty iterable.  PyTorch: ``torch.nn.utils.parameters_to_vector``.
    """
    if isinstance(parameters, Tensor):
        raise TypeError("parameters_to_vector: expected an iterable of Tensors, got one Tensor")
    flat = []
    for p in parameters:
        if not isinstance(p, Tensor):
            raise TypeError(f"parameters_to_vector: expected Tensors, got {type(p).__name__}")
        flat.append(p.reshape(-1))
    if not flat:
        raise ValueError("parameters_to_vector: no parameters given")
    return ag.cat(flat, dim=0)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into ``parameters`` (shapes and dtypes kept).

    An untracked copy, like PyTorch's ``param.data = ...``: no gradient flows and the
    parameters stay leaves.  Raises TypeError if ``vec`` is not a Tensor, ValueError if it is not
    1-D or its length differs from the parameters' total size.
    PyTorch: ``torch.nn.utils.vector_to_parameters``.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, but got "
                        f"{type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: vec must be 1-D, got shape {tuple(vec.shape)}")
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if total != vec.shape[0]:
        raise ValueError(f"vector_to_parameters: vec has {vec.shape[0]} elements but the "
                         f"parameters hold {total}")
    pointer = 0
    with ag.no_grad():
        for p in params:
            n = p.numel()
            p.copy_(vec[pointer:pointer + n].reshape(p.shape))
            pointer += n
