"""``MLP``: a convenience multi-layer perceptron built as a ``Sequential``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .. import init
from .activation import ELU, GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Softplus, Tanh
from .container import Sequential
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import BatchNorm1d, LayerNorm

_ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "gelu": GELU, "elu": ELU,
    "leaky_relu": LeakyReLU, "silu": SiLU, "softplus": Softplus,
}


def _activation(act: Any) -> Callable[[], Module]:
    if act is None:
        return lambda: None  # type: ignore[return-value]
    if isinstance(act, str):
        try:
            return _ACTIVATIONS[act.lower()]
        except KeyError:
            raise ValueError(
                f"MLP: unknown activation {act!r}; use one of {sorted(_ACTIVATIONS)}, a Module "
                "class or a factory"
            ) from None
    if isinstance(act, Module):
        raise TypeError("MLP: pass the activation class or a factory (e.g. nn.ReLU), not an "
                        "instance, so each layer gets its own")
    if callable(act):
        return act  # type: ignore[no-any-return]
    raise TypeError(f"MLP: activation must be a string, a Module class or a factory, got {act!r}")


class MLP(Sequential):
    """``Linear -> [norm] -> activation -> [dropout]`` for each hidden layer, then a last Linear.

    ``sizes = [in, hidden..., out]``.  State-dict keys follow ``Sequential`` numbering
    (``"0.weight"``, ``"2.weight"``, ...).

    >>> import autograd as ag, nn
    >>> mlp = nn.MLP([2, 16, 16, 1], activation="tanh")
    >>> mlp(ag.ones(5, 2)).shape
    (5, 1)
    >>> [type(m).__name__ for m in mlp]
    ['Linear', 'Tanh', 'Linear', 'Tanh', 'Linear']
    """

    def __init__(self, sizes: Sequence[int], activation: Any = "relu", *, bias: bool = True,
                 dropout: float = 0.0, norm: str | None = None,
                 output_activation: Any = None, dtype: Any = None,
                 device: Any = None, generator: Any = None) -> None:
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least [in, out], got {sizes}")
        if norm not in (None, "batch", "layer"):
            raise ValueError(f"MLP: norm must be None, 'batch' or 'layer', got {norm!r}")
        act = _activation(activation)
        rng = init.one_stream(generator)  # one stream for all layers (an int seed is used once)
        layers: list[Module] = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=False)):
            layers.append(Linear(a, b, bias=bias, dtype=dtype, generator=rng))
            if i == len(sizes) - 2:
                break
            if norm == "batch":
                layers.append(BatchNorm1d(b, dtype=dtype))
            elif norm == "layer":
                layers.append(LayerNorm(b, dtype=dtype))
            m = act()
            if m is not None:
                layers.append(m)
            if dropout > 0:
                layers.append(Dropout(dropout))
        if output_activation is not None:
            m = _activation(output_activation)()
            if m is not None:
                layers.append(m)
        super().__init__(*layers)
        self._place_on(device)
