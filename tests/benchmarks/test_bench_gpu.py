"""``python -m benchmarks --device cuda``: its steps agree, on the stand-in GPU, and it refuses
clearly without a GPU."""

import subprocess
import sys
from pathlib import Path

import numpy as np

from autograd.testing import standin_device
from benchmarks import gpu

ROOT = Path(__file__).resolve().parents[2]




def test_cases_are_the_issue_table():
    assert [(c[1], c[2], c[3]) for c in gpu.CASES] == [
        ([784, 256, 128, 10], 64, 1.3), ([1024, 1024, 1024, 10], 256, 1.2),
        ([4096, 4096, 4096, 10], 1024, 1.05), ([8192, 8192, 8192, 10], 4096, 1.02)]


def test_tapegrad_step_matches_the_hand_written_floor(standin):
    p = gpu.make_problem([12, 8, 6, 4], batch=5)
    floor = gpu.CuPyStep(p, xp=standin_device.xp)
    eng = gpu.TapegradStep(p)
    with standin_device.count_transfers() as c:
        for _ in range(3):
            floor.step()
            eng.step()
    assert c == {"to_host": 0, "to_device": 0}  # a training step reads nothing back
    np.testing.assert_allclose(eng.first_weight(), floor.first_weight(), rtol=1e-5, atol=1e-6)
    assert abs(eng.loss_value() - floor.loss_value()) < 1e-5
    assert eng.model[0].weight.is_cuda


def test_time_step_synchronizes_and_reports_quartiles(standin):
    p = gpu.make_problem([6, 4, 3], batch=2)
    t = gpu.time_step(gpu.TapegradStep(p), repeats=3, warmup=1, min_time=0.0)
    assert t["q1_s"] <= t["median_s"] <= t["q3_s"] and t["inner"] >= 1


def test_without_a_gpu_the_command_says_what_is_missing():
    code = ("import autograd.devices as d; d._cuda_error = 'no GPU here'; "
            "import sys; from benchmarks.__main__ import main; sys.exit(main(['--device', 'cuda']))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0 and "no GPU" in (r.stdout + r.stderr) and "tapegrad[cuda]" in (
        r.stdout + r.stderr)
