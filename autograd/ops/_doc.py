"""Docstrings of the elementwise primitives that are public functions (``help(autograd.exp)``).

One formatter, so the shape, dtype and counterpart sentences read the same for every primitive.
"""

from __future__ import annotations

_DTYPES = {
    # the forward maps numbers to floats (exp, sin, atan2, ...)
    "float": "floating dtypes are kept, integers and bools give float64",
    # the forward keeps the operand's dtype (abs, floor, mul, maximum, ...)
    "keep": "the dtype is NumPy's promotion of theirs (integers stay integers)",
    "keep1": "its dtype is kept (integers stay integers)",
    "bool": "the result is a bool tensor with no gradient",
}


def elementwise(expr: str, torch: str, numpy: str | None, note: str = "", *, arity: int = 1,
                dtype: str = "float") -> str:
    """The docstring of an elementwise primitive computing ``expr``.

    ``arity``: 1 (same shape as ``x``) or 2 (operands broadcast, Python numbers are NumPy's weak
    scalars); ``dtype``: a key of ``_DTYPES``; ``note``: the gradient convention or extra rule.

    >>> print(elementwise("exp(x)", "torch.exp", "numpy.exp"))
    ``exp(x)``, elementwise.
    <BLANKLINE>
    Same shape as ``x``; floating dtypes are kept, integers and bools give float64.
    PyTorch: ``torch.exp``; NumPy: ``numpy.exp``.
    """
    if dtype == "keep" and arity == 1:
        dtype = "keep1"
    if arity == 1:
        body = f"Same shape as ``x``; {_DTYPES[dtype]}."
    else:
        body = f"The operands broadcast (ValueError if they cannot); {_DTYPES[dtype]}."
        if dtype != "bool":
            body += "\nPython numbers are weak scalars: ``float32`` with ``2.0`` gives ``float32``."
    counterpart = f"PyTorch: ``{torch}``" + (f"; NumPy: ``{numpy}``." if numpy else ".")
    if note:
        body += f"\n{note}"
    return f"``{expr}``, elementwise.\n\n{body}\n{counterpart}"
