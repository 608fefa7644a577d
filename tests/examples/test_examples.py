"""Smoke tests: each script under examples/ runs with small settings and does what it says."""

import numpy as np
import pytest

import autograd as ag


def _need(*mods):
    for m in mods:
        pytest.importorskip(m)


def test_regression_linear_fit_reaches_least_squares(load_example, tmp_path, capsys):
    _need("sklearn", "matplotlib")
    ex = load_example("regression")
    res = ex.main(["--steps", "300", "--epochs", "3", "--hidden", "4", "--out", str(tmp_path)])
    # full-batch gradient descent on a convex loss lands on the closed-form solution
    assert res["weight_gap"] < 1e-5
    assert res["linear_r2"] > 0.2 and np.isfinite(res["mlp_mse"])
    assert (tmp_path / "diabetes_predictions.png").stat().st_size > 0
    assert "R^2" in capsys.readouterr().out


def test_binary_classifier_learns(load_example, tmp_path):
    _need("sklearn", "matplotlib")
    ex = load_example("binary")
    hist = ex.main(["--epochs", "4", "--out", str(tmp_path)])
    assert len(hist["test_acc"]) == 4
    assert hist["train_loss"][-1] < hist["train_loss"][0]
    assert hist["test_acc"][-1] > 0.9
    assert (tmp_path / "breast_cancer_curves.png").stat().st_size > 0


def test_cnn_digits_smoke(load_example, tmp_path):
    _need("sklearn", "matplotlib")
    ex = load_example("cnn_digits")
    acc = ex.main(["--epochs", "2", "--channels", "4", "--out", str(tmp_path)])
    assert acc > 0.5  # 2 epochs of a tiny CNN: well above chance (0.1)
    assert (tmp_path / "cnn_digits.png").stat().st_size > 0


def test_cnn_shapes(load_example):
    ex = load_example("cnn_digits")
    out = ex.build(3)(ag.zeros(5, 1, 8, 8))
    assert out.shape == (5, 10)


def test_custom_function_properties_pass(load_example, capsys):
    _need("hypothesis")
    ex = load_example("custom_function")
    assert ex.main(["--max-examples", "5"]) == 0
    out = capsys.readouterr().out
    assert out.count("passed") == 4


def test_custom_function_property_tests_catch_a_wrong_backward(load_example):
    _need("hypothesis")
    from autograd.testing import assert_gradients_close

    ex = load_example("custom_function")

    class WrongSoftplus(ex.Softplus):
        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x.sigmoid() * 1.01

    x = ag.tensor([0.3, -1.2], requires_grad=True)
    with pytest.raises(AssertionError):
        assert_gradients_close(WrongSoftplus.apply, x)
    assert_gradients_close(ex.softplus, x)
