"""Directories are checked in forked processes (agent/engine.py `_check_in_parallel`): the
result is the one a single process gives, in the same order, and a failing child loses
nothing."""

import os

import pytest

from agent import engine
from agent.engine import CheckOptions, UsageError, check_paths

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")

EXAMPLE = engine.Path(__file__).resolve().parent.parent / "examples/veps/sig-compute/4242-vcpu-hotplug-ceiling/vep.md"


@pytest.fixture
def many_veps(tmp_path):
    """40 VEPs of different sizes and findings (the example, cut short at different lines)."""
    text = EXAMPLE.read_text()
    lines = text.splitlines(keepends=True)
    for n in range(40):
        path = tmp_path / f"veps/sig-compute/{n + 1}-vep-{n}/vep.md"
        path.parent.mkdir(parents=True)
        path.write_text("".join(lines[: len(lines) * (n + 1) // 40]) if n % 3 else text)
    return tmp_path


@pytest.fixture
def forks(monkeypatch):
    """Counts the children forked by this process (so that a test cannot pass by running
    everything serially)."""
    calls = []
    real = os.fork

    def counting_fork():
        pid = real()
        if pid:
            calls.append(pid)
        return pid

    monkeypatch.setattr(engine.os, "fork", counting_fork)
    return calls


def _as_tuples(report):
    return [(f.path, [(x.rule, x.line, x.message) for x in f.findings], f.error) for f in report.files]


def _serial(monkeypatch, paths):
    with monkeypatch.context() as m:
        m.setattr(engine, "PARALLEL_MIN_FILES", 10**6)
        return check_paths(paths)


def test_parallel_check_equals_serial_check(many_veps, monkeypatch, forks):
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 4)
    monkeypatch.setattr(engine, "_cpus", lambda: 3)
    parallel = check_paths([str(many_veps)])
    serial = _serial(monkeypatch, [str(many_veps)])
    assert len(parallel.files) == 40 and len(forks) == 2  # two children, the third share here
    assert _as_tuples(parallel) == _as_tuples(serial)
    assert len({len(f.findings) for f in parallel.files}) > 3  # the documents really differ


def test_parallel_check_of_the_real_corpus_equals_serial_check(corpus, monkeypatch, forks):
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 8)
    monkeypatch.setattr(engine, "_cpus", lambda: 2)
    parallel = check_paths([str(corpus)])
    assert forks
    assert _as_tuples(parallel) == _as_tuples(_serial(monkeypatch, [str(corpus)]))


def _raise_in_child(monkeypatch, exc: Exception) -> None:
    """Make every forked child raise ``exc`` instead of checking its share (two shares)."""
    parent, real = os.getpid(), engine._check_files

    def check_files(docs, options, stdin, contexts=None):
        if os.getpid() != parent:
            raise exc
        return real(docs, options, stdin, contexts)

    monkeypatch.setattr(engine, "_check_files", check_files)
    monkeypatch.setattr(engine, "_cpus", lambda: 2)


def test_a_failing_child_loses_no_finding(many_veps, monkeypatch, forks):
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 4)
    expected = _as_tuples(_serial(monkeypatch, [str(many_veps)]))
    _raise_in_child(monkeypatch, RuntimeError("child crashed"))
    assert _as_tuples(check_paths([str(many_veps)])) == expected
    assert forks


def test_a_usage_error_in_a_child_is_raised(many_veps, monkeypatch, forks):
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 4)
    _raise_in_child(monkeypatch, UsageError("--base: no such revision"))
    with pytest.raises(UsageError, match="no such revision"):
        check_paths([str(many_veps)], CheckOptions())
    assert forks


def _drain(queue, step):
    """The batches of positions in ``queue``, in the order processes take them."""
    batches = []
    while record := os.read(queue, 4):
        k = int.from_bytes(record, "little")
        batches.append(list(range(k * step, (k + 1) * step)))
    os.close(queue)
    return batches


def test_documents_are_queued_largest_first(tmp_path):
    paths = []
    for n, size in enumerate([100, 900, 300, 0, 500]):
        p = tmp_path / f"{n}.md"
        p.write_text("x" * size)
        paths.append(p)
    paths.append(tmp_path / "gone.md")  # unreadable: size 0, still checked
    assert engine._largest_first(paths) == [1, 4, 2, 0, 3, 5]
    assert _drain(*engine._queue(6)) == [[0], [1], [2], [3], [4], [5]]


def test_the_queue_batches_documents_beyond_its_record_limit(monkeypatch):
    monkeypatch.setattr(engine, "_QUEUE_RECORDS", 4)
    batches = _drain(*engine._queue(10))
    assert len(batches) == 4 and [i for b in batches for i in b][:10] == list(range(10))


def test_processes_share_the_work_of_a_directory(many_veps, monkeypatch):
    # each process takes documents until the queue is empty: the child checks some, this
    # process the others
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 4)
    monkeypatch.setattr(engine, "_cpus", lambda: 2)
    parent, real, seen = os.getpid(), engine._check_files, []

    def check_files(docs, options, stdin, contexts=None):
        if os.getpid() == parent:
            seen.extend(docs)
        return real(docs, options, stdin, contexts)

    monkeypatch.setattr(engine, "_check_files", check_files)
    assert len(check_paths([str(many_veps)]).files) == 40
    assert 0 < len(seen) < 40


def test_a_failing_parent_stops_and_reaps_its_children(many_veps, monkeypatch, forks):
    parent, real = os.getpid(), engine._check_files

    def fails_here(docs, options, stdin, contexts=None):
        if os.getpid() == parent:
            raise KeyboardInterrupt  # as if interrupted while the children still run
        return real(docs, options, stdin, contexts)

    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 4)
    monkeypatch.setattr(engine, "_cpus", lambda: 3)
    monkeypatch.setattr(engine, "_check_files", fails_here)
    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    with pytest.raises(KeyboardInterrupt):
        check_paths([str(many_veps)])
    assert len(forks) == 2
    with pytest.raises(ChildProcessError):  # every child was reaped
        os.waitpid(-1, os.WNOHANG)
    if fds is not None:
        assert len(os.listdir("/proc/self/fd")) == fds  # and no pipe is left open


def test_one_cpu_checks_a_directory_in_this_process(many_veps, monkeypatch, forks):
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 4)
    monkeypatch.setattr(engine, "_cpus", lambda: 1)
    assert len(check_paths([str(many_veps)]).files) == 40 and forks == []


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this platform")
def test_cpus_follow_the_affinity_mask():
    # a process pinned to one CPU (taskset, a container's cpuset) checks in one process
    import subprocess
    import sys

    code = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
            "from agent.engine import _cpus; print(_cpus())")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "1"
