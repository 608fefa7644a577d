"""A small convolutional network on scikit-learn's 8x8 digits.

``Conv2d(1, c, 3, padding=1) -> ReLU -> MaxPool2d(2) -> Conv2d(c, 2c, 3, padding=1) -> ReLU ->
MaxPool2d(2) -> Flatten -> Linear(2c * 2 * 2, 10)`` on images shaped ``(N, 1, 8, 8)`` (channels
first, as in PyTorch), trained with Adam and ``CrossEntropyLoss``. Writes a PNG of the learned
first-layer filters and a few test digits with their predicted labels.

Run: ``python examples/cnn_digits.py --out cnn_out`` (needs scikit-learn, matplotlib).
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
    """Images as (N, 1, 8, 8) in [0, 1]; 80/20 split."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).reshape(-1, 1, 8, 8)
    train, test = (s.indices for s in random_split(range(len(y)), [0.8, 0.2], seed=seed))
    return {"X_train": X[train], "y_train": y[train], "X_test": X[test], "y_test": y[test]}


def build(channels: int) -> Any:
    return nn.Sequential(
        nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),       # 8x8 -> 4x4
        nn.Conv2d(channels, 2 * channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # -> 2x2
        nn.Flatten(), nn.Linear(2 * channels * 2 * 2, 10),
    )


def accuracy(model: Any, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    model.eval()
    with ag.no_grad():
        pred = model(ag.tensor(X)).detach().cpu().numpy().argmax(axis=1)
    return float(np.mean(pred == y)), pred


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=positive_int, default=15, help="passes over the data (15)")
    parser.add_argument("--channels", type=positive_int, default=8,
                        help="filters in the first conv (8)")
    parser.add_argument("--lr", type=positive_float, default=3e-3, help="Adam learning rate (3e-3)")
    parser.add_argument("--batch-size", type=positive_int, default=32, help="samples per step (32)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (0)")
    parser.add_argument("--out", type=output_dir, default=Path("cnn_out"),
                        help="folder for the PNG (cnn_out)")
    args = parser.parse_args(argv)
    require_extras("cnn_digits.py", "demo", ("sklearn", "scikit-learn"),
                   ("matplotlib", "matplotlib"))

    data = load_split(args.seed)
    ag.manual_seed(args.seed)
    model = build(args.channels)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{n_params} parameters; {len(data['y_train'])} training, {len(data['y_test'])} test")
    loader = DataLoader(TensorDataset(data["X_train"], data["y_train"]),
                        batch_size=args.batch_size, shuffle=True, seed=args.seed)
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=args.lr)
    device = next(iter(model.parameters())).device  # where the model lives (default device)
    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)  # host batches to the model's device
            loss = loss_fn(model(xb), yb)
            check_finite_loss(loss.item(), "cnn_digits.py", f"epoch {epoch}")
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
        acc, _ = accuracy(model, data["X_test"], data["y_test"])
        print(f"epoch {epoch:3d}  train loss {total / len(data['y_train']):.4f}  "
              f"test accuracy {acc:.1%}")
    acc, pred = accuracy(model, data["X_test"], data["y_test"])
    print(f"final test accuracy: {acc:.2%}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    filters = model[0].weight.detach().cpu().numpy()[:, 0]  # (channels, 3, 3)
    fig, axes = plt.subplots(2, max(len(filters), 8), figsize=(1.2 * max(len(filters), 8), 2.8))
    for ax in axes.ravel():
        ax.axis("off")
    for ax, f in zip(axes[0], filters, strict=False):
        ax.imshow(f, cmap="coolwarm")
    for i, ax in enumerate(axes[1][:8]):
        ax.imshow(data["X_test"][i, 0], cmap="gray_r")
        ax.set_title(f"pred {pred[i]}", fontsize=8,
                     color="green" if pred[i] == data["y_test"][i] else "red")
    fig.suptitle("first-layer filters (top) and test digits (bottom)")
    fig.tight_layout()
    make_output_dir(args.out, "cnn_digits.py")
    fig.savefig(args.out / "cnn_digits.png", dpi=100)
    plt.close(fig)
    print(f"figure written to {args.out / 'cnn_digits.png'}")
    return acc


if __name__ == "__main__":
    main()
