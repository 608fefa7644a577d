"""examples/scalar_neuron.py: seed-003 formulas hold exactly; a tiny training run works."""

import pytest


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 4, 2), (2, 5, 3)])
def test_autograd_matches_hand_derived_sigmoid_backprop(load_example, seed, shape):
    ex = load_example("scalar_neuron")
    n_in, n_hidden, n_out = shape
    assert ex.sigmoid_network_check(n_in, n_hidden, n_out, seed=seed) < 1e-12


def test_scalar_training_smoke(load_example, tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    ex = load_example("scalar_neuron")
    acc = ex.main(["--samples", "20", "--hidden", "3", "--epochs", "2", "--batch-size", "5",
                   "--out", str(tmp_path)])
    assert 0.0 <= acc <= 1.0
    assert (tmp_path / "moons_boundary.png").stat().st_size > 0


def test_scalar_training_learns_the_moons(load_example):
    pytest.importorskip("sklearn")
    ex = load_example("scalar_neuron")
    _, _, acc = ex.train_moons(samples=60, hidden=8, epochs=40, batch_size=10, lr=0.5, seed=0,
                               log=False)
    assert acc >= 0.95
