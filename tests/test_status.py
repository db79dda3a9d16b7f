"""``vep-review status``: one row per VEP of the real corpus, per release, in every format."""

from __future__ import annotations

import csv
import io
import json
import textwrap

import pytest

from agent.cli import main
from agent.document import read
from agent.engine import discover
from agent.rules.vep601_target_release_mismatch import body_targets, milestones
from tests.conftest import CORPUS, SIG_RELEASE, need

TODAY = "2026-12-05"


@pytest.fixture(scope="module")
def corpus_args():
    return [str(need(CORPUS)), "--schedules", str(need(SIG_RELEASE)), "--today", TODAY]


def _json(capsys, argv) -> list[dict]:
    capsys.readouterr()
    assert main(["status", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_lists_every_corpus_vep_with_status_and_targets(capsys, corpus_args):
    rows = _json(capsys, corpus_args)
    assert len(rows) == 64
    assert len({r["vep-number"] for r in rows}) == 64
    for r in rows:
        assert r["status"] in {"provisional", "implementable", "implemented", "deferred"}, r
        assert set(r["milestone"]) <= {"alpha", "beta", "ga"}
        assert {"vep-number", "title", "owning-sig", "stage", "feature-gate", "reviewers", "approvers", "errors",
                "warnings", "inferred", "path"} <= set(r)
    by_number = {r["vep-number"]: r for r in rows}
    vhostuser = by_number[307]
    assert vhostuser["status"] == "deferred" and vhostuser["inferred"] == []  # all from its front matter
    assert vhostuser["reviewers"] == "named" and vhostuser["milestone"] == {"alpha": "TBD"}
    video = by_number[35]  # no front matter: read from the body and marked so
    assert video["milestone"] == {"alpha": "v1.6", "beta": "v1.7", "ga": "v1.9"}
    assert video["status"] == "implemented" and {"status", "milestone", "stage"} <= set(video["inferred"])
    assert video["reviewers"] == "TBD" and video["warnings"] > 0
    assert by_number[21]["milestone"] == {"beta": "v1.8"}  # the struck-through alpha line does not count


def _targets_v1_10() -> set[int]:
    """VEPs targeting v1.10, read independently: front matter milestones, else body lines."""
    out = set()
    docs, _, _ = discover([str(CORPUS / "veps")])
    for p in docs:
        doc = read(str(p))
        ms = milestones(doc)
        versions = {v for v, _, _ in ms.values()} if doc.front_matter is not None else \
            {t.version for t in body_targets(doc) if not t.struck}
        if (1, 10) in versions:
            out.add(doc.info.number)
    return out


def test_release_keeps_the_veps_targeting_it_with_the_freeze_date(capsys, corpus_args):
    rows = _json(capsys, [*corpus_args, "--release", "v1.10"])
    assert {r["vep-number"] for r in rows} == _targets_v1_10() and len(rows) >= 5
    for r in rows:
        assert r["freeze-date"] == "2026-09-02"  # sig-release releases/v1.10/schedule.yaml
        assert r["days-left"] == -94
        assert "v1.10" in r["milestone"].values() and r["release-stages"]
        assert r["ready"] == (not r["not-ready"])
    centos = next(r for r in rows if r["vep-number"] == 210)  # alpha v1.10, no front matter
    assert not centos["ready"]
    assert any(x.startswith("VEP201") for x in centos["not-ready"])
    assert any(x.startswith("VEP209: reviewers") for x in centos["not-ready"])


def test_release_before_the_freeze_counts_days_left(capsys, corpus_args):
    argv = [a if a != TODAY else "2026-08-31" for a in corpus_args]
    rows = _json(capsys, [*argv, "--release", "v1.10"])
    assert rows and all(r["days-left"] == 2 for r in rows)
    assert all(not any(x.startswith("VEP302") for x in r["not-ready"]) for r in rows)


def test_text_markdown_csv(capsys, corpus_args):
    capsys.readouterr()
    assert main(["status", *corpus_args, "--release", "v1.10"]) == 0
    text = capsys.readouterr().out
    assert "VEP Freeze 2026-09-02" in text and "targeting v1.10" in text and "CentOS" in text
    assert main(["status", *corpus_args, "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.count("\n| ") == 64 + 1 and "| 307 | Network Binding Plugin for vhostuser Interfaces |" in md
    assert main(["status", *corpus_args, "--format", "csv"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert len(table) == 65 and table[0][:4] == ["VEP", "Title", "SIG", "Status"]
    assert any(r[0] == "307" and r[3] == "deferred" for r in table[1:])


def test_front_matter_values_win_and_missing_ones_are_inferred(tmp_path, capsys):
    vep = tmp_path / "veps/sig-storage/5-thing/vep.md"
    vep.parent.mkdir(parents=True)
    vep.write_text(textwrap.dedent("""\
        ---
        title: Thing
        vep-number: 5
        creation-date: "2025-01-02"
        status: provisional
        authors:
          - "@jdoe"
        owning-sig: sig-storage
        reviewers:
          - "@a"
        approvers:
          - TBD
        milestone:
          alpha: "v1.12"
        ---

        # VEP #5: Thing

        The `ThingGate` feature gate guards it.
        """))
    rows = _json(capsys, [str(tmp_path), "--today", TODAY, "--release", "v1.12"])
    assert len(rows) == 1
    r = rows[0]
    assert (r["status"], r["reviewers"], r["approvers"]) == ("provisional", "named", "TBD")
    assert r["feature-gate"] == "ThingGate" and r["inferred"] == ["stage", "feature-gate"]
    assert r["stage"] == "alpha" and r["freeze-date"] is None and r["days-left"] is None
    assert "VEP209: approvers not named (TBD)" in r["not-ready"]


def test_bad_release_and_path_are_one_line_errors(tmp_path, capsys, corpus_args):
    assert main(["status", *corpus_args, "--release", "1.10x"]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    assert main(["status", str(tmp_path / "nope")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_unreadable_front_matter_is_not_reported_as_missing(tmp_path, capsys):
    vep = tmp_path / "veps/sig-storage/6-broken/vep.md"
    vep.parent.mkdir(parents=True)
    vep.write_text("---\ntitle: [unclosed\n---\n\n# VEP #6: Broken\n\n- This VEP targets alpha for version: v1.12\n")
    rows = _json(capsys, [str(tmp_path), "--today", TODAY, "--release", "v1.12"])
    assert [r["vep-number"] for r in rows] == [6] and rows[0]["errors"] >= 1
    reasons = rows[0]["not-ready"]
    assert any(x.startswith("VEP203") for x in reasons) and not any(x.startswith("VEP201") for x in reasons)


def test_reviewers_that_are_no_handles_are_not_named(tmp_path, capsys):
    vep = tmp_path / "veps/sig-storage/7-odd/vep.md"
    vep.parent.mkdir(parents=True)
    vep.write_text('---\ntitle: Odd\nvep-number: 7\nstatus: provisional\nowning-sig: sig-storage\n'
                   'reviewers: {a: b}\napprovers: [{x: 1}]\nmilestone:\n  alpha: "v1.12"\n---\n\n# VEP #7: Odd\n')
    (r,) = _json(capsys, [str(tmp_path), "--today", TODAY, "--release", "v1.12"])
    assert (r["reviewers"], r["approvers"]) == ("", "")
    assert {"VEP209: reviewers not named", "VEP209: approvers not named"} <= set(r["not-ready"])


def test_a_vep_without_h1_or_not_utf8_gets_a_row(tmp_path, capsys):
    for name, data in (("8-no-h1", b"Some text, no heading.\n\n## Motivation\n\nWhy.\n"),
                       ("9-latin1", "# VEP #9: Caf\u00e9\n\n## Motivation\n".encode("latin-1"))):
        path = tmp_path / "veps/sig-storage" / name / "vep.md"
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
    rows = _json(capsys, [str(tmp_path), "--today", TODAY])
    assert (rows[0]["vep-number"], rows[0]["title"]) == (8, "TBD")
    assert rows[1]["vep-number"] == 9 and rows[1]["errors"] >= 1  # the encoding is a finding


def test_files_other_than_markdown_get_no_row(tmp_path, capsys):
    vep = tmp_path / "veps/sig-storage/5-thing/vep.md"
    vep.parent.mkdir(parents=True)
    vep.write_text("# VEP #5: Thing\n\n## Motivation\n\nWhy.\n")
    (tmp_path / "veps/sig-storage/diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff")
    assert [r["path"] for r in _json(capsys, [str(tmp_path), "--today", TODAY])] == ["veps/sig-storage/5-thing/vep.md"]


def test_a_multi_line_title_keeps_the_markdown_row_on_one_line(tmp_path, capsys):
    vep = tmp_path / "veps/sig-storage/5-thing/vep.md"
    vep.parent.mkdir(parents=True)
    vep.write_text('---\ntitle: "Thing\\nacross | lines"\nvep-number: 5\nstatus: provisional\n---\n\n# VEP #5: Thing\n')
    capsys.readouterr()
    assert main(["status", str(tmp_path), "--format", "markdown", "--today", TODAY]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| 5 ")]
    assert len(rows) == 1 and "| Thing across \\| lines |" in rows[0]
