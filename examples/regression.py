"""Regression with ``nn.MSELoss`` on scikit-learn's diabetes data (442 patients, 10 features).

Two models, trained by SGD with momentum on batches from ``autograd.data.DataLoader``:

* a linear model ``nn.Linear(10, 1)`` with full-batch gradient descent (the whole small training
  set in every step), whose weights converge to the closed-form least-squares solution
  (``numpy.linalg.lstsq``): the loss is convex;
* a small MLP ``10 -> hidden -> 1`` with tanh, on shuffled mini-batches.

Both report the test mean squared error and R^2 (in the target's units), and a PNG shows
predicted against true disease progression on the held-out patients.

Run: ``python examples/regression.py --out regression_out`` (needs scikit-learn, matplotlib).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

import autograd as ag
import nn
import optim
from autograd._cli import (
    check_finite_loss,
    make_output_dir,
    non_negative_int,
    output_dir,
    positive_float,
    positive_int,
    require_extras,
)
from autograd.data import DataLoader, TensorDataset, random_split


def load_split(seed: int) -> dict[str, np.ndarray]:
    """80/20 split; features and target standardised with training statistics."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    train, test = (s.indices for s in random_split(range(len(y)), [0.8, 0.2], seed=seed))
    mx, sx = X[train].mean(0), X[train].std(0)
    my, sy = y[train].mean(), y[train].std()
    return {"X_train": (X[train] - mx) / sx, "y_train": (y[train] - my) / sy,
            "X_test": (X[test] - mx) / sx, "y_test": (y[test] - my) / sy,
            "y_mean": np.asarray(my), "y_std": np.asarray(sy)}


def fit(model: Any, data: dict[str, np.ndarray], epochs: int, lr: float, batch_size: int,
        seed: int) -> list[float]:
    """Mini-batch SGD with momentum on the mean squared error; returns the loss per epoch."""
    loader = DataLoader(TensorDataset(data["X_train"], data["y_train"][:, None]),
                        batch_size=batch_size, shuffle=True, seed=seed)
    loss_fn = nn.MSELoss()
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    device = next(iter(model.parameters())).device  # where the model lives (default device)
    history = []
    for epoch in range(1, epochs + 1):
        total = 0.0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)  # host batches to the model's device
            loss = loss_fn(model(xb), yb)
            check_finite_loss(loss.item(), "regression.py",
                              f"epoch {epoch}", "lower the learning rate")
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
        history.append(total / len(data["y_train"]))
    return history


def predict(model: Any, X: np.ndarray) -> np.ndarray:
    with ag.no_grad():
        return model(ag.tensor(X)).detach().cpu().numpy()[:, 0]


def scores(pred: np.ndarray, data: dict[str, np.ndarray]) -> tuple[float, float]:
    """Test MSE in the target's original units, and R^2."""
    err = (pred - data["y_test"]) * data["y_std"]
    mse = float(np.mean(err ** 2))
    r2 = 1.0 - float(np.sum((pred - data["y_test"]) ** 2) /
                     np.sum((data["y_test"] - data["y_test"].mean()) ** 2))
    return mse, r2


def least_squares(data: dict[str, np.ndarray]) -> tuple[np.ndarray, float]:
    """Closed-form linear fit (weights, bias) on the training split."""
    A = np.hstack([data["X_train"], np.ones((len(data["y_train"]), 1))])
    coef, *_ = np.linalg.lstsq(A, data["y_train"], rcond=None)
    return coef[:-1], float(coef[-1])


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=positive_int, default=300,
                        help="full-batch steps for the linear model (300)")
    parser.add_argument("--linear-lr", type=positive_float, default=0.3,
                        help="learning rate of the full-batch linear fit (0.3)")
    parser.add_argument("--epochs", type=positive_int, default=100,
                        help="MLP passes over the data (100)")
    parser.add_argument("--hidden", type=positive_int, default=16,
                        help="hidden units of the MLP (16)")
    parser.add_argument("--lr", type=positive_float, default=0.01, help="MLP learning rate (0.01)")
    parser.add_argument("--batch-size", type=positive_int, default=32,
                        help="MLP samples per step (32)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (0)")
    parser.add_argument("--out", type=output_dir, default=Path("regression_out"),
                        help="folder for the PNG (regression_out)")
    args = parser.parse_args(argv)
    require_extras("regression.py", "demo", ("sklearn", "scikit-learn"),
                   ("matplotlib", "matplotlib"))

    data = load_split(args.seed)
    ag.manual_seed(args.seed)
    linear = nn.Linear(10, 1)
    fit(linear, data, args.steps, args.linear_lr, len(data["y_train"]), args.seed)
    w_ls, b_ls = least_squares(data)
    w_gap = float(np.max(np.abs(linear.weight.detach().cpu().numpy()[0] - w_ls)))
    print(f"linear model (full batch): max |w_gd - w_least_squares| = {w_gap:.1e} "
          f"(bias {linear.bias[0].item():+.4f} vs {b_ls:+.4f})")

    mlp = nn.Sequential(nn.Linear(10, args.hidden), nn.Tanh(), nn.Linear(args.hidden, 1))
    history = fit(mlp, data, args.epochs, args.lr, args.batch_size, args.seed)

    results = {"weight_gap": w_gap, "final_train_loss": history[-1]}
    preds = {}
    for name, model in (("linear", linear), ("mlp", mlp)):
        preds[name] = predict(model, data["X_test"])
        mse, r2 = scores(preds[name], data)
        results[f"{name}_mse"], results[f"{name}_r2"] = mse, r2
        print(f"{name:>6}: test MSE {mse:8.1f}   R^2 {r2:.3f}")
    closed = data["X_test"] @ w_ls + b_ls
    mse, r2 = scores(closed, data)
    print(f"{'lstsq':>6}: test MSE {mse:8.1f}   R^2 {r2:.3f}  (closed form, for reference)")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    true = data["y_test"] * data["y_std"] + data["y_mean"]
    fig, ax = plt.subplots(figsize=(5, 4.5))
    for name, p in preds.items():
        ax.scatter(true, p * data["y_std"] + data["y_mean"], s=12, alpha=0.7, label=name)
    lo, hi = float(true.min()), float(true.max())
    ax.plot([lo, hi], [lo, hi], "k:", label="perfect")
    ax.set(xlabel="true progression", ylabel="predicted", title="diabetes: held-out patients")
    ax.legend()
    fig.tight_layout()
    make_output_dir(args.out, "regression.py")
    fig.savefig(args.out / "diabetes_predictions.png", dpi=100)
    plt.close(fig)
    print(f"plot written to {args.out / 'diabetes_predictions.png'}")
    return results


if __name__ == "__main__":
    main()
