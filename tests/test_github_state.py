"""Units of agent/github/state.py: fingerprints (stable under moved lines and renamed VEP
directories, different across VEPs and rules), touched lines, ``introduced``, and the review
state carried in the sticky comment (round trip, damaged or forged markers)."""

from __future__ import annotations

from agent.findings import Finding, Severity
from agent.github.events import parse_command
from agent.github.state import ReviewState, compare, fingerprint, is_fingerprint, mark_introduced, touched_lines


def finding(rule="VEP401", path="veps/sig-compute/123-example/vep.md", line=10, section="Design",
            message="The required section `## Alternatives` is missing.", **kw) -> Finding:
    return Finding(rule=rule, name="required-section", severity=Severity.ERROR, path=path, line=line,
                   section=section, message=message, **kw)


def test_fingerprint_ignores_line_numbers_and_renamed_directories():
    fp = fingerprint(finding())
    assert is_fingerprint(fp)
    assert fingerprint(finding(line=42)) == fp
    assert fingerprint(finding(path="veps/sig-compute/123-example-renamed/vep.md")) == fp
    assert fingerprint(finding(message="The required section `##  Alternatives` is  missing.")) == fp
    assert fingerprint(finding(message="Duplicate key on line 12.")) == fingerprint(finding(message="Duplicate key on line 40."))
    assert fingerprint(finding(path="veps/sig-compute/124-other/vep.md")) != fp
    assert fingerprint(finding(rule="VEP402")) != fp
    assert fingerprint(finding(section="Goals")) != fp
    assert fingerprint(finding(message="The required section `## Scalability` is missing.")) != fp


def test_llm_fingerprint_follows_the_quote():
    a = finding(rule="LLM-design", origin="llm", quote="The VM  is restarted.", message="one wording")
    b = finding(rule="LLM-design", origin="llm", quote="The VM is restarted.", message="another wording", line=99)
    assert fingerprint(a) == fingerprint(b)


def test_touched_lines():
    assert touched_lines(None, "a\nb\n") == {1, 2}
    assert touched_lines("a\nb\nc\n", "a\nB\nc\nd\n") == {2, 4}
    assert touched_lines("a\nb\nc\n", "a\nc\n") == set()  # a deletion touches no remaining line


def test_mark_introduced():
    base = [finding(line=5), finding(rule="VEP402", section="Goals", line=20)]
    head = [finding(line=7), finding(rule="VEP402", section="Goals", line=22), finding(rule="VEP403", line=30)]
    marked = mark_introduced(head, base, touched={22})
    assert [f.introduced for f in marked] == [False, True, True]  # moved; on a touched line; new rule
    assert all(f.introduced for f in mark_introduced(head, None, set()))  # a new document
    two = [finding(line=7), finding(line=9)]  # the base had one of them
    assert sorted(f.introduced for f in mark_introduced(two, [finding(line=7)], set())) == [False, True]
    llm = finding(rule="LLM-design", origin="llm", line=50, extra={"end_line": 52})
    assert mark_introduced([llm], [], {52})[0].introduced is True
    assert mark_introduced([llm], [], {53})[0].introduced is False


def test_state_round_trip_and_damage():
    state = ReviewState(head="c" * 40, base="b" * 40, mode="full", renamed=3,
                        findings={"0123456789": {"rule": "VEP401", "name": "required-section", "path": "veps/a/1-x/vep.md",
                                                 "severity": "error", "introduced": True, "message": "m" * 300}},
                        dismissed={"abcdefabcd": {"by": "alice", "reason": "no --> here", "rule": "VEP402",
                                                  "name": "empty-section", "path": "veps/a/1-x/vep.md", "message": "x"}})
    marker = state.marker()
    assert "-->" not in marker[:-3] and marker.endswith(" -->")
    back = ReviewState.parse(f"text\n{marker}\nmore")
    assert (back.head, back.base, back.mode, back.renamed) == (state.head, state.base, "full", 3)
    assert back.findings["0123456789"]["message"] == "m" * 90 and back.findings["0123456789"]["introduced"] is True
    assert back.dismissed["abcdefabcd"]["reason"] == "no --> here"
    assert ReviewState.parse("<!-- vep-review:state v1 AAAA -->") is None
    assert ReviewState.parse("no marker") is None
    delta = compare(back, {"0123456789": {}, "fedcba9876": {}})
    assert delta.new == {"fedcba9876"} and delta.still_open == {"0123456789"} and not delta.resolved
    assert list(compare(back, {}).resolved) == ["0123456789"]


def test_dismiss_command_grammar():
    cmd = parse_command("/vep-review dismiss 0123456789 the design doc covers it\nmore text")
    assert (cmd.kind, cmd.fingerprint, cmd.reason) == ("dismiss", "0123456789", "the design doc covers it")
    assert parse_command("/vep-review dismiss `ABCDEF0123`").fingerprint == "abcdef0123"
    assert parse_command("/vep-review dismiss").kind == "help"
    assert parse_command("/vep-review dismiss VEP401 because").kind == "help"
