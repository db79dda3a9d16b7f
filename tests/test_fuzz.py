"""Property-based fuzzing (hypothesis) of `vep-review check` on mutated real corpus VEPs: byte
flips, truncation, duplicated and deleted lines, front matter mutations and unicode oddities.
Whatever the input: no exception escapes, no VEP000 internal error, the exit code follows
the findings, and the JSON output keeps its contract. A bounded number of examples keeps
it to a few seconds of CI; no example database is written (``database=None``)."""

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is not installed (pip install -e '.[test]')")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "kubevirt-enhancements"
VEPS = sorted(CORPUS.glob("veps/*/*/vep.md")) if CORPUS.is_dir() else []
ODDITIES = ["\u200b", "\u202e", "\ufeff", "\x00", "\ud7ff", "\U0001f600", "\u0301", "\r", "\t", "\x0c", "\u2028",
            "９", "³", "٣", "\\", "`", "~~~", "<!--", "---", "# ", "&", "*", "!", "9" * 5000, " " * 3000]
FRONT = ["---\n", "---\ntitle: [\n---\n", "---\nvep-number: &a [*a]\n---\n", "---\n: :\n---\n",
         "---\nmilestone: {alpha: v1.99999999999}\nstatus: 42\n---\n", "---\nstage: !!binary AAAA\n---\n"]

pytestmark = pytest.mark.skipif(not VEPS, reason=f"shared corpus not found at {CORPUS}")


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(VEPS)).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "dup", "delete", "front", "unicode"]))
        lines = bytes(data).split(b"\n")
        if kind == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif kind in ("dup", "delete") and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines[i:i + 1] = [lines[i]] * draw(st.integers(2, 50)) if kind == "dup" else []
            data = bytearray(b"\n".join(lines))
        elif kind == "front":
            data = bytearray(draw(st.sampled_from(FRONT)).encode() + bytes(data))
        elif kind == "unicode" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            odd = draw(st.sampled_from(ODDITIES)).encode("utf-8", "surrogatepass")
            lines[i] = lines[i] + odd if draw(st.booleans()) else odd + lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_check_survives_mutated_corpus_veps(tmp_path_factory, data):
    from agent.cli import main

    directory = tmp_path_factory.mktemp("fuzz") / "veps/sig-compute/1-fuzz"
    directory.mkdir(parents=True)
    (directory / "vep.md").write_bytes(data)
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["check", "--format", "json", str(directory / "vep.md")])
    report = json.loads(out.getvalue())
    rules = {f["rule"] for f in report["findings"]}
    assert "VEP000" not in rules, [f["message"] for f in report["findings"] if f["rule"] == "VEP000"]
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert code == (2 if report["summary"]["unreadable"] else 1 if errors else 0)
    for f in report["findings"]:
        assert f["rule"] and f["message"] and f["severity"] in ("error", "warning", "info")
        assert f["line"] is None or (isinstance(f["line"], int) and f["line"] >= 1)
