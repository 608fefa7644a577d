"""A network built neuron by neuron on Python scalars (micrograd-style), in two parts.

1. Backpropagation by hand vs. autograd: a 3-layer sigmoid network (inputs i, sigmoid hidden
   units j, sigmoid outputs k, squared error E = 1/2 sum_k (d_k - O_k)^2, no biases). With
   delta_k = (d_k - O_k) O_k (1 - O_k), the hand-derived gradients are

       dE/dw_jk = -delta_k O_j
       dE/dv_ij = -O_i O_j (1 - O_j) sum_k delta_k w_jk

   Every weight is its own scalar Tensor; ``backward()`` must give exactly these numbers.

2. Training: a small tanh network of scalar neurons separates scikit-learn's two moons with a
   max-margin (hinge) loss, mini-batches coming from a ``DataLoader`` whose ``collate_fn`` keeps
   the samples as Python floats. The same neuron code, fed arrays instead of floats, evaluates a
   whole grid at once for the decision-boundary picture.

Run: ``python examples/scalar_neuron.py --out scalar_out`` (needs scikit-learn and matplotlib).
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path
from typing import Any

import autograd as ag
from autograd._cli import (
    check_finite_loss,
    make_output_dir,
    non_negative_int,
    output_dir,
    positive_float,
    positive_int,
    require_extras,
)
from autograd.data import DataLoader


def grad_of(t: ag.Tensor) -> float:
    if t.grad is None:
        raise RuntimeError("expected a gradient after backward(); is the weight in the graph?")
    return t.grad.item()


# Scalar neurons hold Python floats: the host's scalar fast path (a GPU would run one tiny
# kernel per multiply), so their tensors are made on the CPU whatever the default device.
CPU = ag.device("cpu")


# ------------------------------------------------------------------ part 1: seed formulas
def sigmoid_network_check(n_in: int = 3, n_hidden: int = 4, n_out: int = 2, seed: int = 0) -> float:
    """Largest |autograd - hand formula| over every weight of a 3-layer sigmoid network."""
    rnd = random.Random(seed)
    x = [rnd.uniform(-1, 1) for _ in range(n_in)]
    d = [rnd.uniform(0, 1) for _ in range(n_out)]
    v = [[ag.Tensor(rnd.uniform(-1, 1), requires_grad=True, device=CPU) for _ in range(n_hidden)]
         for _ in range(n_in)]  # v[i][j]: input i -> hidden j
    w = [[ag.Tensor(rnd.uniform(-1, 1), requires_grad=True, device=CPU) for _ in range(n_out)]
         for _ in range(n_hidden)]  # w[j][k]: hidden j -> output k

    o_hidden = [sum((v[i][j] * x[i] for i in range(n_in)), ag.Tensor(0.0, device=CPU)).sigmoid()
                for j in range(n_hidden)]
    zero = ag.Tensor(0.0, device=CPU)
    o_out = [sum((w[j][k] * o_hidden[j] for j in range(n_hidden)), zero).sigmoid()
             for k in range(n_out)]
    err = sum(((d[k] - o_out[k]) ** 2 for k in range(n_out)), ag.Tensor(0.0, device=CPU)) * 0.5
    err.backward()

    O_j = [o.item() for o in o_hidden]
    O_k = [o.item() for o in o_out]
    delta = [(d[k] - O_k[k]) * O_k[k] * (1 - O_k[k]) for k in range(n_out)]
    worst = 0.0
    for j in range(n_hidden):
        for k in range(n_out):
            hand = -delta[k] * O_j[j]
            worst = max(worst, abs(grad_of(w[j][k]) - hand))
    for i in range(n_in):
        for j in range(n_hidden):
            back = sum(delta[k] * w[j][k].item() for k in range(n_out))
            hand = -x[i] * O_j[j] * (1 - O_j[j]) * back
            worst = max(worst, abs(grad_of(v[i][j]) - hand))
    return worst


# ------------------------------------------------------------------ part 2: scalar MLP
class Neuron:
    """``act(sum_i w_i x_i + b)`` with every weight a scalar Tensor."""

    def __init__(self, n_in: int, rnd: random.Random, act: str | None) -> None:
        # Wider than the usual 1/sqrt(n_in): tanh units then start bent enough to curve the
        # boundary around the moons instead of settling on a straight line.
        bound = 2 / math.sqrt(n_in)
        self.w = [ag.Tensor(rnd.uniform(-bound, bound), requires_grad=True, device=CPU)
                  for _ in range(n_in)]
        self.b = ag.Tensor(0.0, requires_grad=True, device=CPU)
        self.act = act

    def __call__(self, xs: list[Any]) -> ag.Tensor:
        z = sum((wi * xi for wi, xi in zip(self.w, xs, strict=True)), self.b)
        return z.tanh() if self.act == "tanh" else z

    def parameters(self) -> list[ag.Tensor]:
        return [*self.w, self.b]


class Layer:
    def __init__(self, n_in: int, n_out: int, rnd: random.Random, act: str | None) -> None:
        self.neurons = [Neuron(n_in, rnd, act) for _ in range(n_out)]

    def __call__(self, xs: list[Any]) -> list[ag.Tensor]:
        return [n(xs) for n in self.neurons]

    def parameters(self) -> list[ag.Tensor]:
        return [p for n in self.neurons for p in n.parameters()]


class ScalarMLP:
    def __init__(self, sizes: list[int], seed: int) -> None:
        rnd = random.Random(seed)
        last = len(sizes) - 2
        self.layers = [Layer(a, b, rnd, None if i == last else "tanh")
                       for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))]

    def __call__(self, xs: list[Any]) -> ag.Tensor:
        for layer in self.layers:
            xs = layer(xs)
        return xs[0]

    def parameters(self) -> list[ag.Tensor]:
        return [p for layer in self.layers for p in layer.parameters()]


def hinge_loss(model: ScalarMLP, batch: list[tuple[float, float, float]],
               alpha: float) -> tuple[ag.Tensor, float]:
    """Mean max-margin loss relu(1 - y score) + alpha * ||w||^2, and the batch accuracy."""
    scores = [model([x0, x1]) for x0, x1, _ in batch]
    margins = [(1 - s * y).relu() for s, (_, _, y) in zip(scores, batch, strict=True)]
    data_loss = sum(margins, ag.Tensor(0.0, device=CPU)) * (1.0 / len(batch))
    reg = sum((p * p for p in model.parameters()), ag.Tensor(0.0, device=CPU)) * alpha
    acc = sum((s.item() > 0) == (y > 0) for s, (_, _, y) in zip(scores, batch, strict=True))
    return data_loss + reg, acc / len(batch)


def train_moons(samples: int, hidden: int, epochs: int, batch_size: int, lr: float,
                seed: int, log: bool = True) -> tuple[ScalarMLP, list[tuple[float, float, float]],
                                                      float]:
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=samples, noise=0.1, random_state=seed)
    data = [(float(a), float(b), 2.0 * float(c) - 1.0) for (a, b), c in zip(X, y, strict=True)]
    model = ScalarMLP([2, hidden, hidden, 1], seed)
    params = model.parameters()
    # collate_fn=list keeps each batch a list of Python-float samples: no arrays anywhere.
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, seed=seed, collate_fn=list)
    for epoch in range(epochs):
        step_lr = lr * (1.0 - 0.9 * epoch / max(epochs, 1))  # linear decay
        for batch in loader:
            loss, _ = hinge_loss(model, batch, alpha=1e-4)
            check_finite_loss(loss.item(), "scalar_neuron.py", f"epoch {epoch + 1}")
            for p in params:
                p.grad = None
            loss.backward()
            for p in params:  # plain SGD; assigning a float keeps the scalar fast path
                p.data = p.item() - step_lr * grad_of(p)
        if log and (epoch + 1) % max(1, epochs // 5) == 0:
            with ag.no_grad():
                full_loss, acc = hinge_loss(model, data, alpha=1e-4)
            print(f"epoch {epoch + 1:3d}  loss {full_loss.item():.4f}  accuracy {acc:.1%}")
    with ag.no_grad():
        _, acc = hinge_loss(model, data, alpha=1e-4)
    return model, data, acc


def plot_boundary(model: ScalarMLP, data: list[tuple[float, float, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    xs = np.array([d[0] for d in data])
    ys = np.array([d[1] for d in data])
    gx, gy = np.meshgrid(np.linspace(xs.min() - 0.5, xs.max() + 0.5, 120),
                         np.linspace(ys.min() - 0.5, ys.max() + 0.5, 120))
    with ag.no_grad():
        # The scalar neurons broadcast: fed two arrays they score the whole grid in one pass.
        score = model([ag.tensor(gx, device=CPU), ag.tensor(gy, device=CPU)]).detach().numpy()
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.contourf(gx, gy, score > 0, alpha=0.3, cmap="coolwarm")
    ax.scatter(xs, ys, c=[d[2] for d in data], cmap="coolwarm", s=12, edgecolors="k")
    ax.set_title("scalar-neuron MLP on two moons")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=positive_int, default=100,
                        help="two-moons points (default 100)")
    parser.add_argument("--hidden", type=positive_int, default=8,
                        help="neurons per hidden layer (8)")
    parser.add_argument("--epochs", type=positive_int, default=60, help="passes over the data (60)")
    parser.add_argument("--batch-size", type=positive_int, default=10, help="samples per step (10)")
    parser.add_argument("--lr", type=positive_float, default=0.5,
                        help="initial SGD learning rate (0.5)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (0)")
    parser.add_argument("--out", type=output_dir, default=Path("scalar_out"),
                        help="folder for the decision-boundary PNG (scalar_out)")
    args = parser.parse_args(argv)
    require_extras("scalar_neuron.py", "demo", ("sklearn", "scikit-learn"),
                   ("matplotlib", "matplotlib"))

    worst = sigmoid_network_check(seed=args.seed)
    print(f"3-layer sigmoid network: max |autograd - hand formula| over all weights = {worst:.2e}")
    if worst > 1e-12:
        raise SystemExit("autograd disagrees with the hand-derived backpropagation formulas")

    model, data, acc = train_moons(args.samples, args.hidden, args.epochs, args.batch_size,
                                   args.lr, args.seed)
    print(f"two moons: {len(model.parameters())} scalar parameters, training accuracy {acc:.1%}")
    make_output_dir(args.out, "scalar_neuron.py")
    path = args.out / "moons_boundary.png"
    plot_boundary(model, data, path)
    print(f"decision boundary written to {path}")
    return acc


if __name__ == "__main__":
    main()
