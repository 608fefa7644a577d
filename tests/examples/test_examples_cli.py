"""Each example as a user runs it: the command in its docstring ("Run: ..."), with its defaults,
in a fresh process; ``--help``; every option validated by argparse (exit status 2, naming the
option); a loss that becomes nan/inf stops with a message; missing extras named."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.py"))


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env.setdefault("MPLBACKEND", "Agg")
    return env


def _run(args, cwd, timeout=600):
    return subprocess.run([sys.executable, *args], cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=timeout)


def _documented_command(name):
    doc = (ROOT / "examples" / f"{name}.py").read_text()
    m = re.search(r"Run: ``python (examples/\S+\.py)([^`]*)``", doc)
    assert m, f"examples/{name}.py: its docstring has no 'Run: ``python examples/...``' line"
    return m.group(1), shlex.split(m.group(2))


def _need(*mods):
    for m in mods:
        pytest.importorskip(m)


def test_every_example_is_listed():
    assert set(EXAMPLES) == {"binary", "cnn_digits", "custom_function", "regression",
                             "scalar_neuron"}


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_as_documented(name, tmp_path):
    """Defaults, fresh process, from another folder: exactly what its docstring says to run."""
    _need("sklearn", "matplotlib", "hypothesis")
    script, args = _documented_command(name)
    res = _run([str(ROOT / script), *args], cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    if "--out" in args:
        out = tmp_path / args[args.index("--out") + 1]
        assert any(out.glob("*.png")), res.stdout[-2000:]
    if name == "custom_function":
        assert res.stdout.count("passed (50 examples)") == 4, res.stdout


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_help(name, tmp_path):
    res = _run([str(ROOT / "examples" / f"{name}.py"), "--help"], cwd=tmp_path)
    assert res.returncode == 0 and "usage:" in res.stdout, res.stderr


BAD = [
    ("regression", ["--batch-size", "0"], "--batch-size"),
    ("regression", ["--steps", "-3"], "--steps"),
    ("regression", ["--linear-lr", "nan"], "--linear-lr"),
    ("regression", ["--epochs", "0"], "--epochs"),
    ("regression", ["--hidden", "abc"], "--hidden"),
    ("regression", ["--seed", "-1"], "--seed"),
    ("binary", ["--lr", "-1"], "--lr"),
    ("binary", ["--lr", "inf"], "--lr"),
    ("binary", ["--batch-size", "0"], "--batch-size"),
    ("binary", ["--hidden", "0"], "--hidden"),
    ("cnn_digits", ["--epochs", "0"], "--epochs"),
    ("cnn_digits", ["--channels", "0"], "--channels"),
    ("cnn_digits", ["--lr", "0"], "--lr"),
    ("scalar_neuron", ["--samples", "0"], "--samples"),
    ("scalar_neuron", ["--lr", "nan"], "--lr"),
    ("scalar_neuron", ["--batch-size", "-2"], "--batch-size"),
    ("custom_function", ["--max-examples", "0"], "--max-examples"),
    ("custom_function", ["--max-examples", "1.5"], "--max-examples"),
]


@pytest.mark.parametrize("name, argv, option", BAD, ids=[f"{n}{' '.join(a)}" for n, a, _ in BAD])
def test_bad_options_are_argparse_errors(load_example, capsys, name, argv, option):
    ex = load_example(name)
    with pytest.raises(SystemExit) as e:
        ex.main(argv)
    assert e.value.code == 2
    assert f"argument {option}" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["regression", "binary", "cnn_digits", "scalar_neuron"])
def test_out_that_cannot_be_created_is_an_argparse_error(load_example, capsys, tmp_path, name):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    ex = load_example(name)
    with pytest.raises(SystemExit) as e:
        ex.main(["--out", str(blocker / "sub")])
    assert e.value.code == 2
    assert "argument --out" in capsys.readouterr().err


@pytest.mark.parametrize("name, argv", [
    ("regression", ["--linear-lr", "1e6", "--steps", "50"]),
    ("binary", ["--lr", "1e300", "--epochs", "2"]),
    ("cnn_digits", ["--lr", "1e300", "--epochs", "1", "--channels", "2"]),
    ("scalar_neuron", ["--lr", "1e300", "--epochs", "2", "--samples", "20"]),
])
def test_a_loss_that_becomes_nan_stops_with_a_message(tmp_path, name, argv):
    _need("sklearn", "matplotlib")
    res = _run([str(ROOT / "examples" / f"{name}.py"), *argv, "--out", str(tmp_path)],
               cwd=tmp_path)
    assert res.returncode == 1, res.stdout[-2000:] + res.stderr[-2000:]
    assert "the training loss became" in res.stderr and "Traceback" not in res.stderr, res.stderr


def test_a_failing_property_prints_the_falsifying_example(load_example, capsys, monkeypatch):
    _need("hypothesis")
    from hypothesis import given, settings
    from hypothesis import strategies as st

    ex = load_example("custom_function")

    @settings(max_examples=20, deadline=None, database=None)
    @given(st.integers(0, 10))
    def always_small(n):
        assert n < 5

    monkeypatch.setattr(ex, "property_tests", lambda max_examples: [("always_small",
                                                                     always_small)])
    assert ex.main(["--max-examples", "3"]) == 1
    out = capsys.readouterr().out
    assert "property always_small: FAILED" in out
    # hypothesis's note naming the minimal failing input (worded "Falsifying example" in older
    # versions, "Failing test case" in newer ones)
    assert re.search(r"(Falsifying example|Failing test case): always_small\(", out), out
    assert "n=5" in out


def test_missing_extras_are_named(load_example, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # `import sklearn` raises ImportError
    ex = load_example("regression")
    with pytest.raises(SystemExit, match=r"missing scikit-learn.*pip install -e \"\.\[demo\]\""):
        ex.main(["--out", str(tmp_path)])
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    ex = load_example("custom_function")
    with pytest.raises(SystemExit, match=r"missing hypothesis.*\[test\]"):
        ex.main([])
