"""The ``ddp`` benchmark: a quick real run on 1 and 2 MPI processes, and its report."""

import importlib.util

import pytest

from benchmarks import ddp

needs_mpi = pytest.mark.skipif(
    importlib.util.find_spec("mpi4py") is None or ddp._mpiexec() is None,
    reason='needs the dist extra: pip install -e ".[dist]"',
)


@needs_mpi
def test_quick_ddp_run_reports_rates_speedup_and_bandwidth():
    res = ddp.measure_ddp(quick=True)
    assert res["global_batch"] == 128 and res["grad_bytes"] == 4 * (784 * 256 + 256 + 256 * 128
                                                                       + 128 + 128 * 10 + 10)
    for n in ("1", "2"):
        assert res["steps_per_s"][n] > 0 and res["samples_per_s"][n] == pytest.approx(
            128 * res["steps_per_s"][n])
    assert res["speedup"] == pytest.approx(res["steps_per_s"]["2"] / res["steps_per_s"]["1"])
    assert res["efficiency"] == pytest.approx(res["speedup"] / 2)
    assert res["allreduce_gbps"] > 0 and res["ideal_speedup"] > 0
    assert [r["local_batch"] for r in res["runs"]["2"]] == [64]
    text = ddp.format_ddp(res)
    assert "speed-up of 2 processes" in text and "GB/s" in text


def test_report_says_why_it_was_skipped():
    assert ddp.format_ddp({"skipped": "needs mpi4py"}) == "ddp: skipped (needs mpi4py)"


def test_summary_arithmetic():
    run1 = {"world": 1, "global_batch": 128, "local_batch": 128, "steps_per_s": [10.0, 12.0, 11.0],
            "finish_s_per_step": 0.001, "grad_bytes": 1000, "buckets": 1, "allreduce_s": 1e-6,
            "allreduce_gbps": 1.0, "plain_half_batch_steps_per_s": [20.0, 22.0, 21.0],
            "cpu_fraction": 0.9, "loadavg": 1.5, "cpu_ms_per_step": 2.5, "allreduce_cpu_ms": 0.1,
            "plain_full_cpu_ms_per_step": 2.0, "plain_half_cpu_ms_per_step": 1.2,
            "plain_full_batch_steps_per_s": [9.0, 10.0, 11.0]}
    run2 = dict(run1, world=2, local_batch=64, steps_per_s=[16.0, 18.0, 17.0],
                allreduce_s=2e-4, allreduce_gbps=0.005)
    for k in ("plain_half_batch_steps_per_s", "plain_full_batch_steps_per_s",
              "plain_full_cpu_ms_per_step", "plain_half_cpu_ms_per_step"):
        del run2[k]
    run2["allreduce_cpu_ms"] = 0.3
    res = ddp.summarise({1: [run1], 2: [run2]})
    assert res["steps_per_s"] == {"1": 11.0, "2": 17.0}
    assert res["speedup"] == pytest.approx(17 / 11) and res["ideal_speedup"] == pytest.approx(21 / 10)
    assert res["speedup_vs_plain"] == pytest.approx(17 / 10)
    assert res["allreduce_ms"] == pytest.approx(0.2)
    assert res["cpu_ms"]["ddp_bookkeeping"] == pytest.approx(0.5)
    assert res["cpu_estimate_speedup"] == pytest.approx(2.0 / (1.2 + 0.5 + 0.3))
