"""Smoke tests of the benchmark harness: it runs every case in a tiny mode and really checks the
engines against the NumPy reference.  No timing is ever asserted."""

from __future__ import annotations

import importlib.util
import json
import os

import numpy as np
import pytest

from autograd.testing import assert_array_equal
from benchmarks import __main__ as cli
from benchmarks import specs
from benchmarks.cases import CASES, Case
from benchmarks.harness import Settings, frozen_gc, run_case
from benchmarks.verify import compare

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
TINY = Settings(quick=True, repeats=1, warmup=0, min_time=0.0)
# The CPU cases time host code against NumPy references (a CPU program: the default device is the
# CPU there); the GPU cases are benchmarks.gpu (``python -m benchmarks --device cuda``).
CPU_CASES = pytest.mark.cpu_only("the CPU benchmark cases run on the host, against NumPy")


@pytest.fixture
def restore_threads(monkeypatch):
    for k in THREAD_VARS:  # main() sets these; give them back afterwards
        monkeypatch.setenv(k, os.environ.get(k, "1"))
    torch_threads = None
    if importlib.util.find_spec("torch") is not None:
        import torch

        torch_threads = torch.get_num_threads()
    yield
    if torch_threads is not None:
        import torch

        torch.set_num_threads(torch_threads)


@CPU_CASES
def test_cli_runs_every_case_and_writes_json(tmp_path, restore_threads, capsys):
    out = tmp_path / "bench.json"
    argv = ["--quick", "--repeats", "1", "--warmup", "0", "--min-time", "0",
            "--memory-steps", "2", "--json", str(out)]
    plot = None
    if importlib.util.find_spec("matplotlib") is not None:
        plot = tmp_path / "ratios.png"
        argv += ["--plot", str(plot)]
    assert cli.main(argv) == 0
    text = capsys.readouterr().out
    assert "NumPy" in text and "mlp_mnist" in text
    doc = json.loads(out.read_text())
    assert [c["case"] for c in doc["cases"]] == list(cli._CASE_NAMES)
    assert doc["meta"]["thread_env"]["OMP_NUM_THREADS"] is not None
    for c in doc["cases"]:
        rows = {r["engine"]: r for r in c["rows"]}
        base = rows[c["baseline"]]
        tg = rows["tapegrad"]
        # tapegrad runs every case (or says why not), and what it ran matches the reference
        assert tg["status"] in ("ok", "skipped"), (c["case"], tg)
        if tg["status"] == "ok":
            assert tg["check"]["ok"], (c["case"], tg["check"])
            assert tg["seconds"]["median"] > 0
            if base.get("seconds"):
                assert tg["ratio_to_baseline"] is not None
        else:
            assert tg["note"]
        for r in c["rows"]:
            assert r["status"] in ("ok", "skipped", "fails"), (c["case"], r)
    # every row is labelled with the collector mode it was timed under; scalar_mlp both ways
    labels = {c["case"]: c["label"] for c in doc["cases"]}
    assert labels["scalar_mlp"] == "scalar_mlp [gc off]"
    assert labels["scalar_mlp_gc"] == "scalar_mlp_gc [gc on, 1 step/sample]"
    assert "scalar_mlp_gc [gc on, 1 step/sample]" in text
    # per-op overhead: tapegrad's figures for scalars and 16-arrays, other engines beside them
    over = {(o["engine"], o["kind"]) for o in doc["overhead"]}
    assert {("tapegrad", "scalar"), ("tapegrad", "array16")} <= over
    assert "overhead per recorded op" in text
    mem = doc["memory"]
    assert "error" not in mem, mem
    assert mem["tapegrad"]["peak_rss_mib"] > 0 and mem["numpy"]["peak_rss_mib"] > 0
    if plot is not None:
        assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(importlib.util.find_spec("micrograd") is None, reason="micrograd not installed")
def test_micrograd_deep_chain_reported_as_failing():
    with frozen_gc():
        res = run_case(CASES["deep_chain"], TINY)
    mg = res.row("micrograd")
    assert mg is not None and mg.status == "fails" and "RecursionError" in mg.note
    assert res.row("tapegrad").status == "ok"


@CPU_CASES
def test_wrong_reference_is_flagged_as_mismatch():
    """The check is real: a reference that differs from the work done is reported."""
    good = CASES["mlp_tiny"]

    def wrong(spec, steps):
        ref = good.reference(spec, steps)
        ref["grad:W1"] = ref["grad:W1"] * 1.01
        return ref

    bad = Case(good.name, good.kind, good.title, good.make, good.baseline, ("tapegrad", "numpy"),
               wrong, good.rtol)
    with frozen_gc():
        res = run_case(bad, TINY)
    for r in res.rows:
        assert r.status == "MISMATCH" and r.check is not None and r.check.worst == "grad:W1"


def test_compare_shapes_and_missing_outputs():
    ref = {"loss": 1.0, "grad:x": np.ones(3)}
    assert compare({"loss": 1.0, "grad:x": np.ones(3)}, ref, 1e-12).ok
    assert not compare({"loss": 1.0}, ref, 1e-12).ok
    assert not compare({"loss": 1.0, "grad:x": np.ones(4)}, ref, 1e-12).ok
    assert not compare({"loss": 1.0, "grad:x": np.array([1, 1, np.nan])}, ref, 1e-12).ok
    chk = compare({"loss": 1.0, "grad:x": np.array([1.0, 1.0, 1.5])}, ref, 1e-3)
    assert not chk.ok and chk.worst == "grad:x" and chk.max_err == pytest.approx(0.5)


def test_every_engine_starts_from_the_same_numbers():
    """Specs are drawn once from a seed: two draws are identical, so engines share inputs."""
    a, b = specs.mlp_spec((4, 3, 2), 5, seed=9), specs.mlp_spec((4, 3, 2), 5, seed=9)
    for u, v in zip(a.weights + a.biases + [a.x, a.y], b.weights + b.biases + [b.x, b.y]):
        assert_array_equal(u, v)
    assert a.weights[0].shape == (3, 4) and a.weights[0].dtype == np.float32


@CPU_CASES
def test_cli_cpu_clock_and_gc_on(tmp_path, restore_threads, capsys):
    out = tmp_path / "b.json"
    argv = ["--quick", "--repeats", "2", "--warmup", "0", "--min-time", "0", "--case", "mlp_tiny",
            "--clock", "cpu", "--gc", "on", "--json", str(out)]
    assert cli.main(argv) == 0
    assert "process_time" in capsys.readouterr().out
    doc = json.loads(out.read_text())
    assert doc["meta"]["settings"]["clock"] == "cpu" and doc["meta"]["settings"]["gc"] == "on"
    assert doc["memory"] is None
    rows = {r["engine"]: r for r in doc["cases"][0]["rows"]}
    assert rows["tapegrad"]["check"]["ok"] and rows["numpy"]["is_baseline"]


@pytest.mark.parametrize("argv", [["--repeats", "0"], ["--threads", "0"], ["--warmup", "-1"],
                                  ["--min-time", "nan"], ["--min-time", "-1"],
                                  ["--memory-steps", "0"], ["--profile", "-2"]])
def test_bad_options_are_argparse_errors(argv, capsys):
    from benchmarks.__main__ import parse

    with pytest.raises(SystemExit) as e:
        parse(argv)
    assert e.value.code == 2
    assert f"argument {argv[0]}" in capsys.readouterr().err
