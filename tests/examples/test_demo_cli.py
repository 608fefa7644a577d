"""The demo's command line: every option validated (argparse errors, exit status 2), a nan/inf
loss stops with a message, the program name as typed, progress bars only on a terminal."""

from __future__ import annotations

import io
import sys

import pytest

from autograd import demo


@pytest.mark.parametrize("argv, option", [
    (["--lr", "nan"], "--lr"), (["--lr", "inf"], "--lr"), (["--lr", "0"], "--lr"),
    (["--weight-decay", "-1"], "--weight-decay"), (["--weight-decay", "nan"], "--weight-decay"),
    (["--seed", "-1"], "--seed"), (["--seed", "1.5"], "--seed"),
    (["--epochs", "0"], "--epochs"), (["--hidden", "0"], "--hidden"),
    (["--batch-size", "0"], "--batch-size"), (["--epochs", "x"], "--epochs"),
    (["--test-fraction", "0"], "--test-fraction"), (["--test-fraction", "1"], "--test-fraction"),
    (["--test-fraction", "nan"], "--test-fraction"),
    (["--test-fraction", "0.0001"], "--test-fraction"),  # not one test image
])
def test_bad_options_are_argparse_errors(argv, option, capsys):
    with pytest.raises(SystemExit) as e:
        demo.parse_args(argv)
    assert e.value.code == 2
    assert f"argument {option}" in capsys.readouterr().err


def test_out_in_a_folder_that_cannot_be_created(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub" / "dir"):
        with pytest.raises(SystemExit) as e:
            demo.parse_args(["--out", str(out)])
        assert e.value.code == 2
        assert "argument --out" in capsys.readouterr().err
    assert demo.parse_args(["--out", str(tmp_path / "new" / "dir")]).out.name == "dir"
    assert not (tmp_path / "new").exists()  # checked, not created, while parsing


@pytest.mark.parametrize("argv0, prog", [
    ("/usr/local/bin/tapegrad-demo", "tapegrad-demo"),
    ("/venv/Scripts/tapegrad-demo.exe", "tapegrad-demo"),
    ("/src/autograd/demo.py", "python -m autograd.demo"),
])
def test_help_shows_the_name_the_user_typed(monkeypatch, capsys, argv0, prog):
    monkeypatch.setattr(sys, "argv", [argv0, "--help"])
    with pytest.raises(SystemExit) as e:
        demo.main()
    assert e.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: {prog} ")


def _need_extras():
    for mod in ("sklearn", "tqdm", "matplotlib"):
        pytest.importorskip(mod)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's overflow warnings on the way
def test_a_loss_that_becomes_nan_stops_with_a_message(tmp_path):
    _need_extras()
    with pytest.raises(SystemExit, match=r"training loss became (nan|inf) at epoch 1, batch "
                                         r"\d+.*lower --lr"):
        demo.main(["--epochs", "2", "--hidden", "8", "--lr", "1e300", "--out", str(tmp_path)])
    assert not (tmp_path / "digits_mlp.npz").exists()  # no checkpoint of unusable weights


def test_no_bars_when_not_on_a_terminal_and_singular_epoch(tmp_path, capsys):
    """Piped output: one plain line per epoch, no carriage-return redraws; "1 epoch"."""
    _need_extras()
    assert demo.main(["--epochs", "1", "--hidden", "8", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\r" not in out
    assert "1 epoch" in out and "1 epochs" not in out
    assert sum(line.startswith("epoch 1/1") for line in out.splitlines()) == 1


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_bars_on_a_terminal(tmp_path, monkeypatch):
    _need_extras()
    term = _Terminal()
    monkeypatch.setattr(sys, "stdout", term)
    assert demo.main(["--epochs", "2", "--hidden", "8", "--out", str(tmp_path)]) == 0
    out = term.getvalue()
    assert "\r" in out and "epoch 2/2" in out  # tqdm's redraws
    assert "2 epochs" in out
