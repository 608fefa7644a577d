"""Binary classification with ``nn.BCEWithLogitsLoss`` on scikit-learn's breast-cancer data.

569 tumours, 30 features, label 1 = benign. An MLP ``30 -> hidden -> 1`` outputs one logit per
sample; ``BCEWithLogitsLoss`` applies the sigmoid inside the loss (numerically stable for large
logits), ``sigmoid(logit) > 0.5`` is the prediction. Adam, mini-batches from ``DataLoader``,
and a PNG with the training/test loss and accuracy per epoch.

Run: ``python examples/binary.py --out binary_out`` (needs scikit-learn, matplotlib).
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
    """75/25 split, features standardised with the training statistics, labels as floats."""
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    train, test = (s.indices for s in random_split(range(len(y)), [0.75, 0.25], seed=seed))
    mean, std = X[train].mean(0), X[train].std(0)
    return {"X_train": (X[train] - mean) / std, "y_train": y[train].astype(np.float64),
            "X_test": (X[test] - mean) / std, "y_test": y[test].astype(np.float64)}


def evaluate(model: Any, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean BCE, accuracy) on a whole split."""
    model.eval()
    with ag.no_grad():
        logits = model(ag.tensor(X))[:, 0]
        loss = nn.BCEWithLogitsLoss()(logits, ag.tensor(y)).item()
        prob = logits.sigmoid()
    return loss, float(np.mean((prob.detach().cpu().numpy() > 0.5) == (y > 0.5)))


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=positive_int, default=30, help="passes over the data (30)")
    parser.add_argument("--hidden", type=positive_int, default=16, help="hidden units (16)")
    parser.add_argument("--lr", type=positive_float, default=1e-3, help="Adam learning rate (1e-3)")
    parser.add_argument("--batch-size", type=positive_int, default=16, help="samples per step (16)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (0)")
    parser.add_argument("--out", type=output_dir, default=Path("binary_out"),
                        help="folder for the curves PNG (binary_out)")
    args = parser.parse_args(argv)
    require_extras("binary.py", "demo", ("sklearn", "scikit-learn"),
                   ("matplotlib", "matplotlib"))

    data = load_split(args.seed)
    ag.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(30, args.hidden), nn.ReLU(), nn.Linear(args.hidden, 1))
    loader = DataLoader(TensorDataset(data["X_train"], data["y_train"]),
                        batch_size=args.batch_size, shuffle=True, seed=args.seed)
    loss_fn = nn.BCEWithLogitsLoss()
    opt = optim.Adam(model.parameters(), lr=args.lr)
    device = next(iter(model.parameters())).device  # where the model lives (default device)
    hist: dict[str, list[float]] = {"train_loss": [], "train_acc": [], "test_loss": [],
                                    "test_acc": []}
    for epoch in range(1, args.epochs + 1):
        model.train()
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)  # host batches to the model's device
            loss = loss_fn(model(xb)[:, 0], yb)
            check_finite_loss(loss.item(), "binary.py", f"epoch {epoch}")
            opt.zero_grad()
            loss.backward()
            opt.step()
        for split in ("train", "test"):
            loss_value, acc = evaluate(model, data[f"X_{split}"], data[f"y_{split}"])
            hist[f"{split}_loss"].append(loss_value)
            hist[f"{split}_acc"].append(acc)
        if epoch % max(1, args.epochs // 5) == 0 or epoch == args.epochs:
            print(f"epoch {epoch:3d}  train loss {hist['train_loss'][-1]:.4f}  "
                  f"test loss {hist['test_loss'][-1]:.4f}  "
                  f"test accuracy {hist['test_acc'][-1]:.1%}")
    print(f"final test accuracy: {hist['test_acc'][-1]:.1%} on {len(data['y_test'])} tumours")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    for split in ("train", "test"):
        a.plot(hist[f"{split}_loss"], label=split)
        b.plot(hist[f"{split}_acc"], label=split)
    a.set(xlabel="epoch", title="BCE with logits")
    b.set(xlabel="epoch", title="accuracy")
    a.legend()
    b.legend()
    fig.tight_layout()
    make_output_dir(args.out, "binary.py")
    fig.savefig(args.out / "breast_cancer_curves.png", dpi=100)
    plt.close(fig)
    print(f"curves written to {args.out / 'breast_cancer_curves.png'}")
    return hist


if __name__ == "__main__":
    main()
