"""L-BFGS: quasi-Newton steps from a short history of gradient differences (needs a closure)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.backend import xp
from autograd.devices import device_of, is_array, to_host, transfer, writeable
from autograd.grad_mode import enable_grad
from autograd.tape import bump_version
from autograd.tensor import Tensor

from .line_search import strong_wolfe
from .optimizer import Group, Optimizer, ParamsT, _as_list, _check_range, _to_python

_INT_KEYS = ("func_evals", "n_iter")
_FLOAT_KEYS = ("t", "H_diag", "prev_loss")
_VECTOR_KEYS = ("d", "prev_flat_grad")
_HISTORY_KEYS = ("old_dirs", "old_stps")


class LBFGS(Optimizer):
    r"""Limited-memory BFGS, as ``torch.optim.LBFGS`` (after minFunc).

    ``step(closure)`` runs up to ``max_iter`` iterations; ``closure`` must zero the gradients,
    recompute the loss, call ``backward()`` and return the loss (it is called with grad enabled,
    up to ``max_eval`` times per step, default ``max_iter * 5 // 4``).  All parameters are
    handled as one flat vector ``x`` with gradient ``g`` (missing gradients count as zeros).
    Each iteration:

    - the direction is ``d = -H g``, ``H`` the L-BFGS inverse-Hessian estimate built by the
      two-loop recursion from the last ``history_size`` pairs ``s = x_k+1 - x_k``,
      ``y = g_k+1 - g_k`` (a pair is kept only if ``y.s > 1e-10``), scaled by
      ``H_diag = y.s / y.y`` of the newest pair (``d = -g`` on the very first iteration);
    - the step is ``t = lr`` (on the first iteration ``lr * min(1, 1 / sum|g|)``), or the step
      found by a strong Wolfe line search from there (``line_search_fn="strong_wolfe"``,
      see :mod:`optim.line_search`); then ``x = x + t d``.

    It stops when ``max|g| <= tolerance_grad``, when the slope ``g.d > -tolerance_change``,
    when ``max|t d|`` or the change in loss is below ``tolerance_change``, or after ``max_iter``
    iterations / ``max_eval`` evaluations.  The history, direction and counters are kept in
    ``state`` of the first parameter (``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``,
    ``H_diag``, ``prev_flat_grad``, ``prev_loss``, ``func_evals``, ``n_iter``) so that the next
    ``step`` continues from them; PyTorch's ``al`` is a scratch list here, not state.

    Like PyTorch: one parameter group only (ValueError otherwise); the flat vectors take the
    parameters' common dtype; the step returns the loss of the closure's first call.  Raises
    ValueError for a negative ``lr`` or tolerance, non-positive ``max_iter``, ``max_eval`` or
    ``history_size``, and a ``line_search_fn`` other than ``None`` / ``"strong_wolfe"``
    (PyTorch raises the latter at the first step); TypeError for a missing closure.

    >>> import autograd as ag
    >>> w = ag.tensor([3.0, -1.0], requires_grad=True)
    >>> opt = LBFGS([w], line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = ((w - 1.0) ** 2).sum()
    ...     loss.backward()
    ...     return loss
    >>> loss = opt.step(closure)
    >>> [round(v, 6) for v in w.tolist()]
    [1.0, 1.0]
    """

    _state_keys = frozenset(_INT_KEYS + _FLOAT_KEYS + _VECTOR_KEYS + _HISTORY_KEYS + ("ro",))

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None and not isinstance(max_iter, bool) and isinstance(max_iter, int):
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        self._params: list[Tensor] = self.param_groups[0]["params"]
        self._sizes = [1 if type(p._data) is float else int(p._data.size) for p in self._params]
        self._dtype = np.result_type(*[p.dtype for p in self._params])

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Only the group given at construction is allowed (raises ValueError otherwise)."""
        if self.param_groups:
            raise ValueError(
                "LBFGS doesn't support per-parameter options (parameter groups): pass all "
                "parameters in one list or one group"
            )
        super().add_param_group(param_group)

    def _validate_group(self, group: Group) -> None:
        super()._validate_group(group)
        for key in ("max_iter", "max_eval", "history_size"):
            v = group[key]
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
                raise ValueError(f"LBFGS: {key} must be a positive integer, got {v!r}")
        _check_range("LBFGS", "tolerance_grad", group["tolerance_grad"], 0.0)
        _check_range("LBFGS", "tolerance_change", group["tolerance_change"], 0.0)
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(
                f"LBFGS: line_search_fn must be None or 'strong_wolfe', got "
                f"{group['line_search_fn']!r}"
            )

    # ---------------------------------------------------------------------- checkpoints
    def state_dict(self) -> dict[str, Any]:
        """As :meth:`Optimizer.state_dict`; the history lists are copied too."""
        sd = super().state_dict()
        for st in sd["state"].values():
            for key in _HISTORY_KEYS:
                if key in st:
                    st[key] = [v.copy() for v in st[key]]
            if "ro" in st:
                st["ro"] = list(st["ro"])
        return sd

    def _load_entry(self, where: str, i: int, p: Tensor, key: str, value: Any) -> Any:
        if key not in self._state_keys:
            return super()._load_entry(where, i, p, key, value)
        value = value._data if isinstance(value, Tensor) else value
        if key in _INT_KEYS:
            return int(_to_python(value))
        if key in _FLOAT_KEYS:
            return float(_to_python(value))
        if key == "ro":
            return [_host(v) for v in _history(value, where, key)]
        if key in _VECTOR_KEYS:
            return self._flat(value, where, key)
        return [self._flat(v, where, key) for v in _history(value, where, key)]

    def _flat(self, value: Any, where: str, key: str) -> Any:
        """A saved flat vector as a fresh array of the parameters' dtype and total size."""
        n = sum(self._sizes)
        value = value._data if isinstance(value, Tensor) else value
        src = value if is_array(value) else np.asarray(value)
        arr = transfer(src, self._device())  # where the parameters live (as PyTorch's load)
        arr = arr.astype(self._dtype, copy=arr is src)
        if arr.shape != (n,):
            raise ValueError(
                f"{where}: state {key!r} has shape {arr.shape}; expected ({n},), one entry per "
                "element of all parameters"
            )
        return arr

    # ------------------------------------------------------------------ flat vector views
    def _gather_flat_grad(self) -> Any:
        """All gradients, flattened and concatenated (zeros for a missing one): a new array."""
        ref = self._ref_array()  # the flat vectors live on the parameters' device
        n_all = sum(self._sizes)
        out = (np.empty(n_all, dtype=self._dtype) if ref is None
               else xp.empty_like(ref, dtype=self._dtype, shape=(n_all,)))
        k = 0
        for i, (p, n) in enumerate(zip(self._params, self._sizes, strict=True)):
            g = p.grad
            if g is None:
                out[k:k + n] = 0
            else:
                gd = g._data
                if xp.size(gd) != n:
                    raise RuntimeError(
                        f"LBFGS.step: parameter {i} has {n} element(s) but its gradient has "
                        f"shape {xp.shape(gd)}; a gradient must match its parameter"
                    )
                out[k:k + n] = xp.reshape(gd, -1) if type(gd) is not float else gd
            k += n
        return out

    def _ref_array(self) -> Any:
        """The first parameter array (None when all are Python floats); all must share its
        device, since the method works on one flat vector of them all."""
        arrays = [p._data for p in self._params if type(p._data) is not float]
        if not arrays:
            return None
        devs = {device_of(a) for a in arrays}
        if len(devs) > 1:
            raise RuntimeError(
                "LBFGS.step: expected all parameters on the same device, but found "
                f"{', '.join(sorted(str(d) for d in devs))}; move them with .to(device)"
            )
        return arrays[0]

    def _device(self) -> Any:
        ref = self._ref_array()
        return device_of(0.0 if ref is None else ref)

    def _add_grad(self, t: float, d: Any) -> None:
        """``x = x + t * d``, in place, parameter by parameter."""
        k = 0
        for p, n in zip(self._params, self._sizes, strict=True):
            if type(p._data) is float:
                p._data = p._data + t * float(d[k])  # (float parameters live on the host)
            else:
                p._data += xp.reshape(xp.multiply(d[k:k + n], t), p._data.shape)
            bump_version(p)
            k += n

    def _clone_param(self) -> list[Any]:
        return [p._data if type(p._data) is float else p._data.copy() for p in self._params]

    def _set_param(self, values: list[Any]) -> None:
        for p, v in zip(self._params, values, strict=True):
            if type(p._data) is float:
                p._data = v
            else:
                p._data[...] = v
            bump_version(p)

    def _check_writable(self) -> None:
        for i, p in enumerate(self._params):
            if type(p._data) is not float and not writeable(p._data):
                raise RuntimeError(
                    f"LBFGS.step: parameter {i} (shape {p._data.shape}) holds a read-only array "
                    "and cannot be updated in place; give it a writable copy"
                )

    @staticmethod
    def _update_history(
        y: Any, s: Any, old_dirs: list[Any], old_stps: list[Any], ro: list[float],
        h_diag: float, history_size: int,
    ) -> float:
        """Append the pair ``(y, s)`` if its curvature ``y.s`` is positive; return ``H_diag``."""
        ys = _host(xp.dot(y, s))
        if ys > 1e-10:  # a pair without positive curvature would break positive definiteness
            if len(old_dirs) == history_size:
                del old_dirs[0], old_stps[0], ro[0]
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            h_diag = ys / _host(xp.dot(y, y))
        return h_diag

    # --------------------------------------------------------------------------- the step
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Run up to ``max_iter`` L-BFGS iterations; return the loss of the first evaluation."""
        if not callable(closure):
            raise TypeError(
                "LBFGS.step needs a closure: a function that zeroes the gradients, recomputes "
                "the loss, calls loss.backward() and returns the loss"
            )
        self._check_writable()
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]

        def evaluate() -> Any:
            with enable_grad():
                return closure()

        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if _abs_max(flat_grad) <= tol_grad:  # already optimal
            return orig_loss

        d = state.get("d")
        t = state.get("t")
        old_dirs = state.get("old_dirs")
        old_stps = state.get("old_stps")
        ro = state.get("ro")
        h_diag = state.get("H_diag")
        prev_flat_grad = state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                h_diag = 1.0
            else:
                if (old_dirs is None or old_stps is None or ro is None or prev_flat_grad is None
                        or t is None or h_diag is None):
                    raise RuntimeError(
                        f"LBFGS.step: the state says {state['n_iter'] - 1} iteration(s) ran but "
                        "holds no history (d, old_dirs, old_stps, ro, prev_flat_grad); was it "
                        "loaded from an incomplete state_dict?"
                    )
                h_diag = self._update_history(flat_grad - prev_flat_grad, d * t, old_dirs,
                                              old_stps, ro, float(h_diag), history_size)
                d = _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag)
            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                xp.copyto(prev_flat_grad, flat_grad)
            prev_loss = loss
            if state["n_iter"] == 1:  # no curvature known yet: keep the first step below lr/sum|g|
                t = min(1.0, 1.0 / _host(xp.sum(xp.abs(flat_grad)))) * lr
            else:
                t = lr
            gtd = _host(xp.dot(flat_grad, d))
            if gtd > -tol_change:  # not a descent direction (any more)
                break

            ls_evals = 0
            if group["line_search_fn"] is not None:
                x_init = self._clone_param()

                def obj_func(x: Any, step: float, direction: Any) -> tuple[float, Any]:
                    self._add_grad(step, direction)
                    value = float(evaluate())
                    grad = self._gather_flat_grad()
                    self._set_param(x)
                    return value, grad

                loss, flat_grad, t, ls_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._add_grad(t, d)
                opt_cond = _abs_max(flat_grad) <= tol_grad
            else:
                self._add_grad(t, d)
                opt_cond = False
                if n_iter != max_iter:  # the last iteration's point is evaluated by the next step
                    loss = float(evaluate())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = _abs_max(flat_grad) <= tol_grad
                    ls_evals = 1
            current_evals += ls_evals
            state["func_evals"] += ls_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if _abs_max(d) * abs(t) <= tol_change:  # the step no longer moves x
                break
            if abs(loss - prev_loss) < tol_change:  # the loss no longer changes
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss


def _two_loop(
    g: Any, old_dirs: list[Any], old_stps: list[Any], ro: list[float], h_diag: float
) -> Any:
    """``-H g`` by the L-BFGS two-loop recursion (Nocedal & Wright, algorithm 7.4)."""
    n = len(old_dirs)
    al = [0.0] * n
    q = -g
    for i in range(n - 1, -1, -1):
        al[i] = _host(xp.dot(old_stps[i], q)) * ro[i]
        q += old_dirs[i] * -al[i]
    r = q * h_diag
    for i in range(n):
        be_i = _host(xp.dot(old_dirs[i], r)) * ro[i]
        r += old_stps[i] * (al[i] - be_i)
    return r


def _history(value: Any, where: str, key: str) -> list[Any]:
    """A saved history list; a file format may have stacked it into one 2-d (or 1-d) array."""
    if is_array(value):
        return list(value) if value.size else []
    return _as_list(value, where, key)


def _abs_max(v: Any) -> float:
    """``max |v|`` (0 for an empty vector: nothing left to optimise)."""
    return _host(xp.max(xp.abs(v))) if v.size else 0.0  # (CuPy's max has no ``initial``)


def _host(a: Any) -> float:
    """A 0-d array's value as a Python float, read back explicitly from a GPU.

    L-BFGS branches on these scalars (curvature, slopes, convergence tests) every iteration;
    PyTorch's LBFGS reads them with ``.item()`` too, so this sync is inherent to the method.
    """
    return float(to_host(a))
