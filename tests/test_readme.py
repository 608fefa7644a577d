"""Every code block in README.md runs: python blocks as doctests (or scripts), bash blocks are the
two commands, and what those commands rely on exists."""

import doctest
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)

COMMANDS = [
    'pip install -e ".[demo]" && python -m autograd.demo',
    'pip install -e ".[test,demo]" && python -m pytest',
]


def blocks(lang):
    text = README.read_text(encoding="utf-8")
    return [(i, body) for i, (lg, body) in enumerate(FENCE.findall(text)) if lg == lang]


def test_readme_has_only_python_and_bash_blocks():
    langs = {lg for lg, _ in FENCE.findall(README.read_text(encoding="utf-8"))}
    assert langs <= {"python", "bash"}, f"untested code block languages: {langs}"


def test_bash_blocks_are_exactly_the_two_commands_first():
    text = README.read_text(encoding="utf-8")
    assert [body.strip() for _, body in blocks("bash")] == COMMANDS
    first_two = [body.strip() for _, body in FENCE.findall(text)[:2]]
    assert first_two == COMMANDS


def test_the_commands_refer_to_things_that_exist():
    # (tomllib is Python 3.11+; the project supports 3.10, so read the two lines directly)
    section = (ROOT / "pyproject.toml").read_text().split("[project.optional-dependencies]")[1]
    section = section.split("\n[")[0]
    extras = dict(re.findall(r"^(\w+)\s*=\s*\[(.*)\]\s*$", section, re.M))
    assert {"demo", "test"} <= set(extras)
    for need in ("scikit-learn", "tqdm", "matplotlib"):
        assert f'"{need}' in extras["demo"]
    assert '"pytest' in extras["test"] and '"hypothesis' in extras["test"]
    from autograd import demo

    assert callable(demo.main)


def test_benchmarks_command_and_options_exist():
    out = subprocess.run([sys.executable, "-m", "benchmarks", "--help"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    for opt in ("--quick", "--plot"):
        assert opt in out


# Doctest blocks show what they print on the CPU (reprs name no device there), so, like the
# modules' doctests, they run only when the suite's default device is the CPU; script blocks run
# on every device.
DOCTEST_OUTPUT = pytest.mark.cpu_only("README doctests show CPU tensors' printed output")


@pytest.mark.parametrize("index, body", [
    pytest.param(i, body, marks=[DOCTEST_OUTPUT] if ">>>" in body else [], id=f"block{i}")
    for i, body in blocks("python")])
def test_python_block_runs(index, body, tmp_path, monkeypatch):
    if "hypothesis" in body:
        pytest.importorskip("hypothesis")
    monkeypatch.chdir(tmp_path)  # blocks that write files write them here
    if ">>>" in body:
        parser = doctest.DocTestParser()
        test = parser.get_doctest(body, {"__name__": f"readme_block{index}"},
                                  f"README.md block {index}", str(README), 0)
        assert test.examples, "a doctest block without examples"
        report = []
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        runner.run(test, out=report.append)
        assert runner.failures == 0, "".join(report)
    else:
        exec(compile(body, f"README.md block {index}", "exec"), {"__name__": "__main__"})
