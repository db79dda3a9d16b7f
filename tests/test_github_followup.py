"""Reviews that follow the pull request, against the fake GitHub REST API: the sticky comment
keeps the reviewed head and each finding's fingerprint; a later run shows what is new,
resolved and still open; ``/vep-review dismiss <fingerprint> [reason]`` from a collaborator
with write access records the dismissal, later runs list it as dismissed and never raise it
again; a non-writer's dismiss changes nothing. The documents are real VEPs of
../shared/corpus."""

from __future__ import annotations

import re

import pytest

from agent.github.state import ReviewState
from tests.fixtures.github.fake_github import BASE_SHA, FakeGitHub, payload, run_event

TARGET = "veps/sig-network/307-vhostuser-binding-plugin/vep.md"
OTHER = "veps/sig-network/168-masquerade-port-ranges/vep.md"
MOVED = "veps/sig-network/168-masquerade-port-ranges-moved/vep.md"
HEAD1, HEAD2, HEAD3 = "1" * 40, "2" * 40, "3" * 40


def drop_section(text: str, name: str) -> str:
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().lower().startswith(f"## {name.lower()}"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[:start] + lines[end:])


@pytest.fixture
def fake():
    server = FakeGitHub().start()
    server.set_permission("maintainer", "write", "maintain")
    server.set_permission("reader", "read", "read")
    yield server
    server.stop()


@pytest.fixture
def pr(fake, corpus):
    """Base: 307 and 168; head 1: 168 renamed unchanged, ``## Alternatives`` dropped from 307."""
    target, other = (corpus / TARGET).read_text(), (corpus / OTHER).read_bytes()
    fake.add_commit(BASE_SHA, {TARGET: target, OTHER: other})
    fake.add_commit(HEAD1, {TARGET: drop_section(target, "Alternatives"), MOVED: other})
    fake.add_pull(7, BASE_SHA, HEAD1)
    return target


def command(body: str, login: str = "maintainer", comment_id: int = 555, association: str = "MEMBER"):
    return payload("issue_comment_created", **{"comment.body": body, "comment.id": comment_id,
                                                "comment.user.login": login, "comment.author_association": association})


def sticky(fake) -> str:
    bodies = [c["body"] for c in fake.comments[7] if c["user"]["login"] == "github-actions[bot]"
              and "<!-- vep-review:sticky -->" in c["body"]]
    assert len(bodies) == 1
    return bodies[0]


def open_part(body: str) -> str:
    """The comment without its folded lists (what a reader sees first)."""
    return body.split("<details>")[0]


def introduced_fp(body: str) -> str:
    state = ReviewState.parse(body)
    fps = [fp for fp, e in state.findings.items() if e["introduced"]]
    assert len(fps) == 1, state.findings
    return fps[0]


def test_comment_keeps_head_and_fingerprints_and_follows_the_fix(fake, pr, monkeypatch, tmp_path):
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", command("/vep-review check")) == 0
    body = sticky(fake)
    state = ReviewState.parse(body)
    assert state.head == HEAD1 and state.base == BASE_SHA and state.renamed == 1
    fp = introduced_fp(body)
    entry = state.findings[fp]
    assert (entry["rule"], entry["path"]) == ("VEP401", TARGET) and "Alternatives" in entry["message"]
    # the fingerprint is shown beside the finding, easy to copy; the line link shows the source
    assert re.search(rf"\?plain=1#L\d+\) \*\*\[VEP401\]\([^)]+\)\*\* `required-section`: .*· `{fp}`", open_part(body))
    assert "VEP documents only renamed: 1" in body and f"`{MOVED}`" not in body
    # a later push restores the section: the finding is resolved
    fake.add_commit(HEAD2, {TARGET: pr, MOVED: fake.commits[HEAD1][MOVED]})
    fake.pulls[7]["head"] = HEAD2
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", command("/vep-review check", comment_id=556)) == 0
    body = sticky(fake)
    assert f"Since the last review (`{HEAD1[:12]}`): 0 new, 1 resolved" in body
    assert f"`{fp}` **[VEP401]" in body.split("Resolved since")[1] and fp not in open_part(body)
    assert ReviewState.parse(body).head == HEAD2 and fp not in ReviewState.parse(body).findings


def test_a_writer_dismisses_a_finding_and_it_never_comes_back(fake, pr, monkeypatch, tmp_path, capsys):
    run_event(monkeypatch, tmp_path, fake, "issue_comment", command("/vep-review check"))
    fp = introduced_fp(sticky(fake))
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment",
                     command(f"/vep-review dismiss `{fp}` Alternatives are in the linked design doc", comment_id=600)) == 0
    body = sticky(fake)
    state = ReviewState.parse(body)
    assert fp not in state.findings
    assert state.dismissed[fp]["by"] == "maintainer"
    assert state.dismissed[fp]["reason"] == "Alternatives are in the linked design doc"
    assert fp not in open_part(body).split("<!-- vep-review:dismissed -->")[0]
    dismissed = body.split("<!-- vep-review:dismissed -->")[1]
    assert f"`{fp}` **[VEP401]" in dismissed and "dismissed by @\u200dmaintainer: Alternatives are in the linked" in dismissed
    assert "**Nothing introduced by this pull request.**" in body and "dismissed: 1" in body
    assert (600, "+1") in fake.reactions
    # a new push that still lacks the section: the finding stays dismissed, in the comment ...
    fake.add_commit(HEAD2, {**fake.commits[HEAD1], TARGET: fake.commits[HEAD1][TARGET] + b"\nOne more line.\n"})
    fake.pulls[7]["head"] = HEAD2
    run_event(monkeypatch, tmp_path, fake, "issue_comment", command("/vep-review check", comment_id=601))
    body = sticky(fake)
    state = ReviewState.parse(body)
    assert state.head == HEAD2 and fp in state.dismissed and fp not in state.findings
    assert fp not in body.split("<!-- vep-review:dismissed -->")[0]
    assert "Alternatives are in the linked design doc" in body
    # ... and in the pull_request check: no annotation, no failure
    capsys.readouterr()
    event = payload("pull_request_opened", **{"pull_request.head.sha": HEAD2, "pull_request.base.sha": BASE_SHA})
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", event) == 0
    out = capsys.readouterr().out
    assert "VEP401" not in out and "::error" not in out
    assert "dismissed: 1" in (tmp_path / "summary.md").read_text()


def test_a_non_writer_dismiss_changes_nothing(fake, pr, monkeypatch, tmp_path):
    run_event(monkeypatch, tmp_path, fake, "issue_comment", command("/vep-review check"))
    before = sticky(fake)
    fp = introduced_fp(before)
    patches = len(fake.calls("PATCH"))
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment",
                     command(f"/vep-review dismiss {fp} not needed", login="reader", comment_id=700,
                             association="CONTRIBUTOR")) == 0
    assert sticky(fake) == before and len(fake.calls("PATCH")) == patches
    assert fp in ReviewState.parse(sticky(fake)).findings
    assert "only be run by collaborators with write access" in fake.comments[7][-1]["body"]


def test_dismiss_of_an_unknown_fingerprint_or_before_any_review(fake, pr, monkeypatch, tmp_path):
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment", command("/vep-review dismiss 0123456789 x")) == 0
    assert "no vep-review comment with findings" in fake.comments[7][-1]["body"]
    run_event(monkeypatch, tmp_path, fake, "issue_comment", command("/vep-review check", comment_id=556))
    before = sticky(fake)
    assert run_event(monkeypatch, tmp_path, fake, "issue_comment",
                     command("/vep-review dismiss abcdefabcd", comment_id=557)) == 0
    assert sticky(fake) == before
    assert "`abcdefabcd` is not the fingerprint of an open finding" in fake.comments[7][-1]["body"]
    assert (557, "confused") in fake.reactions
    # a malformed fingerprint is answered with the usage
    run_event(monkeypatch, tmp_path, fake, "issue_comment", command("/vep-review dismiss VEP401", comment_id=558))
    assert "Unknown command `dismiss VEP401`" in fake.comments[7][-1]["body"]


def test_pull_request_annotations_go_to_introduced_findings_with_one_notice(fake, corpus, monkeypatch, tmp_path,
                                                                               capsys):
    target = (corpus / TARGET).read_text()
    # the base version already lacks Scalability (pre-existing); the PR drops Alternatives (introduced)
    base = drop_section(target, "Scalability")
    fake.add_commit(BASE_SHA, {TARGET: base})
    fake.add_commit(HEAD1, {TARGET: drop_section(base, "Alternatives")})
    fake.add_pull(7, BASE_SHA, HEAD1)
    event = payload("pull_request_opened", **{"pull_request.head.sha": HEAD1, "pull_request.base.sha": BASE_SHA})
    assert run_event(monkeypatch, tmp_path, fake, "pull_request", event) == 1
    out = capsys.readouterr().out.splitlines()
    errors = [line for line in out if line.startswith("::error")]
    assert len(errors) == 1 and "## Alternatives" in errors[0]
    notices = [line for line in out if line.startswith("::notice")]
    assert len(notices) == 1 and re.search(r"\d+ more findings?, already there before this pull request", notices[0])
    assert not any("Scalability" in line for line in out)
    summary = (tmp_path / "summary.md").read_text()
    folded = summary.split("<summary>Already there before this pull request")[1]
    assert "Scalability" in folded and "Alternatives" not in folded
    # --full-listing: every finding annotated, as before
    capsys.readouterr()
    run_event(monkeypatch, tmp_path, fake, "pull_request", event, "--full-listing")
    out = capsys.readouterr().out
    assert "Scalability" in out and "Alternatives" in out


def quoted_line(text: str) -> str:
    """The first long prose line of a document (what the fake LLM finding quotes)."""
    return next(line for line in text.splitlines() if len(line) > 60 and line[0].isalpha())


class RecordingReview:
    """Stands in for agent.review: records what each call got; the first call raises one LLM
    finding on unchanged text, later calls raise none (a change-aware review of a change that
    does not touch that text)."""

    def __init__(self):
        self.calls: list = []

    def review_documents(self, items, llm):
        from agent.findings import Finding, Severity
        from agent.github.run import deterministic_report

        self.calls.append([(doc.path, ctx.base) for doc, ctx in items])
        report = deterministic_report(items)
        if len(self.calls) == 1:
            for fr, (doc, _) in zip(report.files, items):
                fr.findings.append(Finding(rule="LLM-design", name="design-gap", severity=Severity.WARNING,
                                           path=doc.path, line=1, message="The upgrade path is not described.",
                                           origin="llm", quote=quoted_line(doc.text)))
        report.llm_status = "ran: 1 call, model m"
        return report


def test_an_update_review_passes_the_last_reviewed_head_to_the_llm_part(fake, pr, monkeypatch, tmp_path):
    import sys
    import types

    recorder = RecordingReview()
    module = types.ModuleType("agent.review")
    module.LlmOptions = lambda **kw: types.SimpleNamespace(**kw)
    module.review_documents = recorder.review_documents
    monkeypatch.setitem(sys.modules, "agent.review", module)
    run_event(monkeypatch, tmp_path, fake, "issue_comment", command("/vep-review"))
    first = ReviewState.parse(sticky(fake))
    llm_fp = next(fp for fp, e in first.findings.items() if e["rule"] == "LLM-design" and e["path"] == TARGET)
    head1_text = fake.commits[HEAD1][TARGET]
    fake.add_commit(HEAD2, {**fake.commits[HEAD1], TARGET: head1_text + b"\nOne more line.\n"})
    fake.pulls[7]["head"] = HEAD2
    run_event(monkeypatch, tmp_path, fake, "issue_comment", command("/vep-review", comment_id=556))
    # first call: the PR's base; second call: the head reviewed last time
    bases = {path: base for path, base in recorder.calls[1]}
    assert bases[TARGET] is not None and bases[TARGET].path == f"{HEAD1[:12]}:{TARGET}"
    assert {path: base.path for path, base in recorder.calls[0]}[TARGET] == f"{BASE_SHA[:12]}:{TARGET}"
    body = sticky(fake)
    state = ReviewState.parse(body)
    # the deterministic part still compares with the PR's base: the dropped section is introduced
    assert any(e["rule"] == "VEP401" and e["introduced"] for e in state.findings.values())
    # the earlier LLM finding on unchanged text stays open, it is not "resolved"
    assert llm_fp in state.findings
    resolved = body.split("Resolved since")[1].split("</details>")[0] if "Resolved since" in body else ""
    assert llm_fp not in resolved
    assert "LLM findings of the review of" in body
    # a later push deletes the quoted text: the earlier LLM finding is resolved
    text = fake.commits[HEAD2][TARGET].decode()
    fake.add_commit(HEAD3, {**fake.commits[HEAD2], TARGET: text.replace(quoted_line(text) + "\n", "", 1)})
    fake.pulls[7]["head"] = HEAD3
    run_event(monkeypatch, tmp_path, fake, "issue_comment", command("/vep-review", comment_id=557))
    body = sticky(fake)
    assert recorder.calls[2][0][1].path.startswith(HEAD2[:12])
    assert llm_fp not in ReviewState.parse(body).findings and llm_fp in body.split("Resolved since")[1]
