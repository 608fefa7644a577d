"""The ``compiled`` engine: tapegrad's workloads with the step's forward in ``autograd.compile``.

Same models, data and optimizer as ``engine_tapegrad``; only the loss computation is wrapped, as a
user would (``step = ag.compile(loss_fn)``; ``step(...).backward()``).  The first call (trace and
code generation) happens when the case is built, so the timed steps are replays.
"""

from __future__ import annotations

from typing import Any

from . import engine_tapegrad as et
from . import scalar_model


class MLPStep(et.MLPStep):
    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        self.fn = self.ag.compile(lambda x: self.ce(self.forward(x)), fallback=False)
        self.fn(self.x)

    def compute_loss(self) -> Any:
        return self.fn(self.x)

    def describe(self) -> str:
        return "compiled: " + super().describe()


class ChainStep(et.ChainStep):
    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        import autograd as ag

        tanh, c, n = self.tanh, self.c, self.length

        def chain(h: Any) -> Any:
            for _ in range(n):
                h = tanh(h) * c
            return h.sum()

        self.fn = ag.compile(chain, fallback=False)
        self.fn(self.x)

    def step(self) -> None:
        self.x.grad = None
        loss = self.fn(self.x)
        loss.backward()
        self.loss = loss


class RNNStep(et.RNNStep):
    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        import autograd as ag

        def rnn(*xs: Any) -> Any:
            tanh, wx, wh, b = self.tanh, self.wx, self.wh, self.b
            h = self.h0
            for x in xs:
                h = tanh(x @ wx.T + h @ wh.T + b)
            return (h * self.r).sum()

        self.fn = ag.compile(rnn, fallback=False)
        self.fn(*self.xs)

    def step(self) -> None:
        self.wx.grad = self.wh.grad = self.b.grad = None
        loss = self.fn(*self.xs)
        loss.backward()
        self.loss = loss


class ScalarMLPStep(et.ScalarMLPStep):
    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        import autograd as ag

        self.fn = ag.compile(lambda: scalar_model.loss(self.layers, self.xs, self.ys, self.relu),
                             fallback=False)
        self.fn()

    def step(self) -> None:
        for p in self.params:
            p.grad = None
        loss = self.fn()
        loss.backward()
        self.loss = loss


BUILDERS = {"mlp": MLPStep, "chain": ChainStep, "rnn": RNNStep, "scalar_mlp": ScalarMLPStep}
