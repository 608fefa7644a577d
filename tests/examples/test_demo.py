"""autograd.demo (README's main command): options, missing extras, a quick run, the 97% target."""

import re
import subprocess
import sys
from importlib import metadata

import pytest

from autograd import demo


def test_help_works_without_running_anything():
    out = subprocess.run([sys.executable, "-m", "autograd.demo", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for opt in ("--epochs", "--hidden", "--lr", "--seed", "--out"):
        assert opt in out


@pytest.mark.parametrize("bad", [["--epochs", "0"], ["--hidden", "0"], ["--lr", "-1"],
                                 ["--test-fraction", "1.5"]])
def test_bad_options_are_rejected(bad, capsys):
    with pytest.raises(SystemExit) as e:
        demo.parse_args(bad)
    assert e.value.code == 2
    assert "must" in capsys.readouterr().err


def test_missing_extras_give_one_clear_message(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` raise ImportError
    with pytest.raises(SystemExit, match=r"missing .*tqdm.*pip install -e \"\.\[demo\]\""):
        demo.main(["--epochs", "1", "--out", str(tmp_path)])


def test_console_script_is_declared():
    try:
        eps = metadata.entry_points(group="console_scripts")
    except Exception:  # pragma: no cover
        pytest.skip("no package metadata")
    scripts = {ep.name: ep.value for ep in eps}
    if "tapegrad-demo" not in scripts:
        pytest.skip("tapegrad is not installed with its console scripts")
    assert scripts["tapegrad-demo"] == "autograd.demo:main"


def _need_extras():
    for mod in ("sklearn", "tqdm", "matplotlib"):
        pytest.importorskip(mod)


def test_quick_run_writes_curves_checkpoint_and_passes_checks(tmp_path, capsys):
    _need_extras()
    status = demo.main(["--epochs", "2", "--hidden", "16", "--seed", "1", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "epoch 2/2" in out  # the tqdm bars
    assert (tmp_path / "digits_curves.png").stat().st_size > 0
    assert (tmp_path / "digits_mlp.npz").stat().st_size > 0
    assert "identical predictions" in out
    assert re.search(r"gradcheck \(float64, .*\): passed", out)


def test_default_run_reaches_97_percent(tmp_path, capsys):
    _need_extras()
    status = demo.main(["--out", str(tmp_path), "--no-progress"])
    out = capsys.readouterr().out
    assert status == 0, out
    acc = float(re.search(r"final test accuracy: ([\d.]+)%", out).group(1))
    assert acc >= 97.0, out
    reloaded = float(re.search(r"reloaded model test accuracy ([\d.]+)%", out).group(1))
    assert reloaded == acc


def test_checkpoint_reload_rebuilds_the_model_from_the_file_alone(tmp_path):
    _need_extras()
    import nn

    args = demo.parse_args(["--epochs", "1", "--hidden", "8", "--out", str(tmp_path)])
    data = demo.load_digits_split(args.test_fraction, args.seed)
    model = demo.build_model(args.hidden)
    acc, same = demo.save_and_reload(model, args, data, tmp_path / "m.npz")
    assert same
    ckpt = nn.load(tmp_path / "m.npz")
    assert int(ckpt["hidden"]) == 8 and set(ckpt) == {"model", "hidden", "mean", "std"}
    assert acc == demo.evaluate(model, data["X_test"], data["y_test"])[1]
