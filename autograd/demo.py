"""tapegrad demo: train an MLP on scikit-learn's handwritten digits, end to end.

``python -m autograd.demo`` (or the console script ``tapegrad-demo``):

1. loads the 1,797 bundled 8x8 digit images (``sklearn.datasets.load_digits``, no download),
   holds out a random test split and standardises the pixels with the training split's
   statistics;
2. trains ``Linear(64, hidden) -> ReLU -> Linear(hidden, 10)`` with ``nn.CrossEntropyLoss``,
   ``optim.Adam`` and a cosine learning-rate schedule, mini-batches from ``autograd.data``,
   showing a progress bar per epoch;
3. writes the loss/accuracy curves (PNG) and a checkpoint (``nn.save``), reloads the checkpoint
   into a fresh model and checks it gives the same test predictions;
4. runs ``autograd.gradcheck`` on a float64 slice of the trained network.

Launched by MPI (``mpiexec -n 2 python -m autograd.demo``, needs ``pip install "tapegrad[dist]"``)
it trains data-parallel: every process loads the same batches (same seed), trains
``nn.parallel.DistributedDataParallel`` on its contiguous share of each batch, and the gradients
are averaged across processes, so the result matches a single-process run with the same global
``--batch-size`` (up to rounding).  Rank 0 alone prints, plots and saves.

The extras it needs (scikit-learn, tqdm, matplotlib) come with ``pip install -e ".[demo]"``.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ._cli import (
    check_finite_loss,
    fraction,
    make_output_dir,
    non_negative_float,
    non_negative_int,
    output_dir,
    plural,
    positive_float,
    positive_int,
    require_extras,
)

TARGET_ACCURACY = 0.97
N_CLASSES = 10
IMAGE_PIXELS = 64
N_IMAGES = 1797  # scikit-learn's digits


def _prog() -> str:
    """The name the user typed: the console script, or the module run with ``python -m``."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "tapegrad-demo" if name.startswith("tapegrad-demo") else "python -m autograd.demo"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=_prog(),
        description="Train a tapegrad MLP on scikit-learn's 8x8 digits: progress bars, test "
                    "accuracy, loss/accuracy curves (PNG), a checkpoint reload check and a "
                    "gradient check.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    # every option is checked by its type: a bad value is an argparse error (exit status 2)
    parser.add_argument("--epochs", type=positive_int, default=30,
                        help="passes over the training set")
    parser.add_argument("--hidden", type=positive_int, default=512,
                        help="hidden units of the MLP")
    parser.add_argument("--lr", type=positive_float, default=2e-3,
                        help="Adam's initial learning rate (cosine-annealed to 0)")
    parser.add_argument("--weight-decay", type=non_negative_float, default=1e-3,
                        help="Adam's L2 penalty")
    parser.add_argument("--batch-size", type=positive_int, default=32,
                        help="samples per mini-batch")
    parser.add_argument("--test-fraction", type=fraction, default=0.2,
                        help="share of the 1,797 images held out for testing")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="seed for the split, the initial weights and the batch order")
    parser.add_argument("--out", type=output_dir, default=Path("demo_out"),
                        help="folder for the curves PNG and the checkpoint")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bars (they are drawn only on a terminal anyway; "
                             "otherwise one line per epoch is printed)")
    parser.add_argument("--compile", action="store_true",
                        help="run each step's loss through autograd.compile (generated NumPy; "
                             "single-process runs)")
    args = parser.parse_args(argv)
    n_test = math.floor(N_IMAGES * args.test_fraction)  # as random_split deals them
    if not 1 <= n_test < N_IMAGES:
        parser.error(f"argument --test-fraction: {args.test_fraction} holds out {n_test} of the "
                     f"{N_IMAGES} images; both splits need at least one")
    return args


# ----------------------------------------------------------------------------------- pieces
def load_digits_split(test_fraction: float, seed: int) -> dict[str, Any]:
    """Train/test arrays of the digits, standardised with the training statistics."""
    from sklearn.datasets import load_digits

    from .data import random_split

    X, y = load_digits(return_X_y=True)
    train_idx, test_idx = (s.indices for s in random_split(
        range(len(y)), [1.0 - test_fraction, test_fraction], seed=seed))
    X_train, X_test = X[train_idx], X[test_idx]
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std < 1e-3] = 1.0  # border pixels that are (almost) always blank: leave them centred
    return {
        "X_train": (X_train - mean) / std, "y_train": y[train_idx].astype(np.int64),
        "X_test": (X_test - mean) / std, "y_test": y[test_idx].astype(np.int64),
        "mean": mean, "std": std,
    }


def build_model(hidden: int) -> Any:
    import nn

    return nn.Sequential(nn.Linear(IMAGE_PIXELS, hidden), nn.ReLU(),
                         nn.Linear(hidden, N_CLASSES))


def evaluate(model: Any, X: np.ndarray, y: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Mean cross-entropy, accuracy and predicted labels over the whole set (full batch)."""
    import nn

    from . import no_grad, tensor

    model.eval()
    with no_grad():
        logits = model(tensor(X))
        loss = nn.CrossEntropyLoss()(logits, tensor(y)).item()
    pred = logits.detach().cpu().numpy().argmax(axis=1)
    return float(loss), float((pred == y).mean()), pred


def train(args: argparse.Namespace, data: dict[str, Any]) -> tuple[Any, dict[str, list[float]]]:
    """Train the MLP; data-parallel when a process group of several ranks is initialised.

    Returns the trained model (unwrapped) and the per-epoch history (global figures).
    """
    from tqdm import tqdm

    import nn
    import optim

    from . import manual_seed
    from .data import DataLoader, TensorDataset

    manual_seed(args.seed)  # initial weights
    model = build_model(args.hidden)
    rank, world = _world()
    net = nn.parallel.DistributedDataParallel(model) if world > 1 else model
    device = next(iter(model.parameters())).device  # where the model lives (default device)
    loader = DataLoader(TensorDataset(data["X_train"], data["y_train"]),
                        batch_size=args.batch_size, shuffle=True, seed=args.seed)
    loss_fn = nn.CrossEntropyLoss()
    sum_loss = nn.CrossEntropyLoss(reduction="sum")
    opt = optim.Adam(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    history: dict[str, list[float]] = {k: [] for k in
                                       ("train_loss", "train_acc", "test_loss", "test_acc")}
    width = len(str(args.epochs))
    show_bars = not args.no_progress and sys.stdout.isatty()
    from . import compile as ag_compile

    def forward(xb: Any, yb: Any) -> Any:
        logits = net(xb)
        return loss_fn(logits, yb), logits

    step = ag_compile(forward) if args.compile and world == 1 else forward  # one trace per shape
    for epoch in range(1, args.epochs + 1):
        model.train()
        seen = correct = 0
        total_loss = 0.0
        # A manual bar (not tqdm(loader)): it must stay open after the last batch to show the
        # epoch's test accuracy.  Bars only on a terminal: piped into a file, every redraw would
        # be a line of its own (a plain line per epoch is printed instead).
        bar = tqdm(total=len(loader), desc=f"epoch {epoch:{width}d}/{args.epochs}", unit="batch",
                   disable=not show_bars, leave=True, file=sys.stdout, dynamic_ncols=True)
        for batch, (xb, yb) in enumerate(loader, 1):
            xb, yb = xb.to(device), yb.to(device)  # host batches to the model's device
            if world > 1:  # this rank's contiguous share of the global batch
                lo, hi = (len(yb) * rank) // world, (len(yb) * (rank + 1)) // world
                logits = net(xb[lo:hi])
                yb = yb[lo:hi]
                # DDP averages over ranks: world/N times the local sum is the global mean
                loss = sum_loss(logits, yb) * (world / len(xb))
                batch_loss = loss.item() * len(xb) / world
            else:
                loss, logits = step(xb, yb)
                batch_loss = loss.item() * len(yb)
            check_finite_loss(loss.item(), _prog(), f"epoch {epoch}, batch {batch}",
                              "lower --lr, or raise --weight-decay")
            opt.zero_grad()
            loss.backward()
            opt.step()
            n = len(yb)
            seen += n
            total_loss += batch_loss
            correct += int((logits.detach().argmax(axis=1) == yb).sum().item())
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}",
                            refresh=False)
            bar.update(1)
        if world > 1:
            seen, correct, total_loss = _global_sums(seen, correct, total_loss)
        test_loss, test_acc, _ = evaluate(model, data["X_test"], data["y_test"])
        bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}",
                        test_acc=f"{test_acc:.3f}")
        bar.close()
        sched.step()
        history["train_loss"].append(total_loss / seen)
        history["train_acc"].append(correct / seen)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
        if not show_bars:
            print(f"epoch {epoch:{width}d}/{args.epochs}  loss {total_loss / seen:.4f}  "
                  f"acc {correct / seen:.3f}  test_acc {test_acc:.3f}")
    return model, history


def _world() -> tuple[int, int]:
    """(rank, world size) of the process group, (0, 1) when there is none."""
    from . import distributed as dist

    if dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _global_sums(*values: float) -> list[Any]:
    """Sum per-rank counters over all ranks (one allreduce)."""
    from . import distributed as dist
    from . import tensor

    t = tensor([float(v) for v in values])
    dist.all_reduce(t)
    return [int(v) if isinstance(v0, int) else float(v) for v, v0 in zip(t.tolist(), values)]


def plot_curves(history: dict[str, list[float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # headless: no display needed
    import matplotlib.pyplot as plt

    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, history["train_loss"], label="train")
    ax_loss.plot(epochs, history["test_loss"], label="test")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title="loss", yscale="log")
    ax_acc.plot(epochs, history["train_acc"], label="train")
    ax_acc.plot(epochs, history["test_acc"], label="test")
    ax_acc.axhline(TARGET_ACCURACY, color="gray", linestyle=":", label="97%")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("tapegrad MLP on scikit-learn digits")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def save_and_reload(model: Any, args: argparse.Namespace, data: dict[str, Any],
                    path: Path) -> tuple[float, bool]:
    """Checkpoint with ``nn.save``, rebuild from the file alone; (reloaded accuracy, same preds)."""
    import nn

    nn.save({"model": model.state_dict(), "hidden": args.hidden, "mean": data["mean"],
             "std": data["std"]}, path)
    ckpt = nn.load(path)
    fresh = build_model(int(ckpt["hidden"]))
    fresh.load_state_dict(ckpt["model"])
    _, acc_before, pred_before = evaluate(model, data["X_test"], data["y_test"])
    _, acc_after, pred_after = evaluate(fresh, data["X_test"], data["y_test"])
    return acc_after, bool(np.array_equal(pred_before, pred_after) and acc_before == acc_after)


def gradcheck_slice(model: Any, data: dict[str, Any], n_samples: int = 4,
                    n_units: int = 6) -> tuple[bool, int]:
    """``gradcheck`` the loss w.r.t. a float64 copy of a slice of the trained weights.

    The slice: ``n_units`` hidden units (all their input weights and biases, and their column of
    the output layer) on ``n_samples`` test images. Units are picked with pre-activations at least
    1e-3 away from ReLU's kink on those images, so central differences (eps=1e-6) never straddle
    it. Returns (passed, number of weights checked).
    """
    import nn.functional as F

    from . import GradcheckError, gradcheck, tensor

    lin1, lin2 = model[0], model[2]
    W1 = lin1.weight.detach().cpu().numpy().astype(np.float64)
    b1 = lin1.bias.detach().cpu().numpy().astype(np.float64)
    W2 = lin2.weight.detach().cpu().numpy().astype(np.float64)
    b2 = lin2.bias.detach().cpu().numpy().astype(np.float64)
    x = np.asarray(data["X_test"][:n_samples], dtype=np.float64)
    y = data["y_test"][:n_samples]
    pre = x @ W1.T + b1
    units = np.flatnonzero((np.abs(pre) > 1e-3).all(axis=0))
    active = units[(pre[:, units] > 0).any(axis=0)]  # prefer units that pass gradient through
    units = np.concatenate([active, np.setdiff1d(units, active)])[:n_units]
    params = [tensor(W1[units], requires_grad=True), tensor(b1[units], requires_grad=True),
              tensor(W2[:, units], requires_grad=True), tensor(b2, requires_grad=True)]
    xt, yt = tensor(x), tensor(y)

    def loss(w1: Any, c1: Any, w2: Any, c2: Any) -> Any:
        return F.cross_entropy(F.linear(F.relu(F.linear(xt, w1, c1)), w2, c2), yt)

    n_weights = sum(p.numel() for p in params)
    try:
        return bool(gradcheck(loss, params)), n_weights
    except GradcheckError as e:
        print(f"gradcheck failed: {e}")
        return False, n_weights


# ------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns the process exit status (0 when every check passed)."""
    args = parse_args(argv)
    require_extras(_prog(), "demo", ("sklearn", "scikit-learn"), ("tqdm", "tqdm"),
                   ("matplotlib", "matplotlib"))
    # The matrices here are small (32-image batches, 64 x 512 weights): one BLAS thread is fastest;
    # threaded BLAS on a busy machine can be 100x slower. threadpoolctl comes with scikit-learn.
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn depends on it
        return _run(args)
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Data-parallel under an MPI launcher with several ranks, else the single-process run."""
    from . import distributed as dist

    if dist.launched_by_mpi() < 2:
        return _run_ranked(args)
    dist.init_process_group("mpi")
    # No try/finally: an exception must escape with the group alive, so that its excepthook
    # prints it and aborts the whole job instead of leaving the other ranks waiting.
    if dist.get_rank() == 0:
        status = _run_ranked(args)
    else:
        args.no_progress = True
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            status = _run_ranked(args)
    dist.destroy_process_group()
    return status


def _run_ranked(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    rank, world = _world()
    if rank == 0:
        make_output_dir(args.out, _prog())
    if world > 1:
        print(f"data-parallel on {world} MPI processes: each trains on 1/{world} of every batch")

    data = load_digits_split(args.test_fraction, args.seed)
    print(f"digits: {len(data['y_train'])} training and {len(data['y_test'])} test images "
          f"(8x8, standardised), MLP 64-{args.hidden}-10, Adam lr={args.lr}, "
          f"batch {args.batch_size}, {plural(args.epochs, 'epoch')}")
    model, history = train(args, data)
    _, test_acc, _ = evaluate(model, data["X_test"], data["y_test"])
    verdict = "reached" if test_acc >= TARGET_ACCURACY else "NOT reached (try more --epochs)"
    print(f"final test accuracy: {test_acc:.2%} (target {TARGET_ACCURACY:.0%}: {verdict})")

    if rank != 0:  # rank 0 alone plots, saves and checks
        return 0
    curves = args.out / "digits_curves.png"
    plot_curves(history, curves)
    print(f"loss/accuracy curves: {curves}")

    ckpt = args.out / "digits_mlp.npz"
    reloaded_acc, same = save_and_reload(model, args, data, ckpt)
    print(f"checkpoint: {ckpt}; reloaded model test accuracy {reloaded_acc:.2%} "
          f"({'identical predictions' if same else 'MISMATCH'})")

    passed, n_weights = gradcheck_slice(model, data)
    print(f"gradcheck (float64, 4 test images, {n_weights} weights of the trained model, "
          f"central differences): {'passed' if passed else 'FAILED'}")
    print(f"done in {time.perf_counter() - start:.1f}s")
    return 0 if same and passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
