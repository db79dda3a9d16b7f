"""The evaluation harness itself: front matter edits, mutators, specs, regression diffs,
cassette mechanics (replay without network, recording with scrubbed secrets), the report and
the command line. Small fixtures; the corpus-wide runs are in tests/test_evals.py."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import textwrap
from pathlib import Path

import pytest

from agent.document import parse
from tests.conftest import CORPUS, HISTORY, need

VEP = textwrap.dedent("""\
    ---
    title: Example feature
    vep-number: 123
    creation-date: "2025-05-01"
    status: provisional

    authors:
      - "@someone"

    owning-sig: sig-compute
    participating-sigs: []

    reviewers:
      - TBD
    approvers:
      - TBD

    feature-gate: ExampleFeature
    milestone:
      alpha: "v1.9"

    replaces: ""
    superseded-by: ""
    ---

    # VEP #123: Example feature

    ## Overview

    An overview.

    ## Non Goals

    - Nothing else.

    ## Design

    The design, behind the ExampleFeature gate.

    ## Alternatives

    None considered.

    ## Update/Rollback Compatibility

    Existing VMs keep working.
    """)
PATH = "veps/sig-compute/123-example-feature/vep.md"


@pytest.fixture
def env():
    from agent.template import load_template
    from evals.mutators import MutationEnv

    return MutationEnv(template=load_template(None), template_doc=None, sigs=frozenset({"sig-compute", "sig-network"}),
                       freezes={"v1.8": dt.date(2026, 1, 7), "v1.9": dt.date(2026, 4, 30)}, today=dt.date(2026, 3, 1))


# -- front matter edits ----------------------------------------------------------------------

def test_front_matter_edits_keep_other_lines():
    from evals import fmtext

    out = fmtext.set_entry(VEP, "status", "implementable")
    assert out.replace("status: implementable", "status: provisional") == VEP
    out = fmtext.set_entry(VEP, "reviewers", ["@a", "@b"])
    assert '  - "@a"\n  - "@b"\napprovers:' in out
    assert fmtext.get_scalar(VEP, "feature-gate") == "ExampleFeature"
    assert "feature-gate" not in fmtext.remove_entry(VEP, "feature-gate")
    assert fmtext.get_scalar(VEP, "creation-date") == "2025-05-01"
    assert fmtext.strip_front_matter(VEP).lstrip().startswith("# VEP #123")
    with pytest.raises(fmtext.NoFrontMatter):
        fmtext.split("# no front matter\n")


def test_minimal_front_matter_is_valid():
    """The block given to legacy VEPs passes the front matter rules."""
    from agent.engine import check_document
    from evals import fmtext
    from tests.conftest import make_ctx

    legacy = fmtext.strip_front_matter(VEP).lstrip()
    text = fmtext.minimal_front_matter(legacy, PATH, creation_date="2025-05-01")
    doc = parse(text, PATH, PATH)
    assert doc.front_matter is not None and doc.front_matter.error is None
    assert doc.front_matter.get("vep-number") == "123"
    assert doc.front_matter.get("feature-gate") == "ExampleFeature"
    assert doc.front_matter.get("owning-sig") == "sig-compute"
    bad = [f for f in check_document(doc, make_ctx()) if f.rule.startswith("VEP2") and f.severity.value == "error"]
    assert not bad, bad
    with pytest.raises(ValueError):
        fmtext.minimal_front_matter(VEP, PATH)


def test_minimal_front_matter_respects_opt_out():
    from evals import fmtext

    legacy = "# VEP #5: Thing\n\n## Design\n\nThis VEP does not have graduation phases guarded by a feature gate.\n"
    text = fmtext.minimal_front_matter(legacy, "veps/sig-network/5-thing/vep.md")
    assert "feature-gate" not in text.split("---")[1]


# -- mutators ---------------------------------------------------------------------------------

def test_every_mutator_is_documented_and_every_spec_is_valid():
    from agent.rules import all_rules
    from evals.deterministic import load_mutation_specs, rule_matches
    from evals.llm import load_gap_specs
    from evals.mutators import MUTATORS

    assert len(MUTATORS) >= 15
    for name, fn in MUTATORS.items():
        assert fn.__doc__ and len(fn.__doc__.split()) > 10, f"{name} needs a docstring saying what it plants"
    targets, specs = load_mutation_specs()
    assert targets and specs
    ids = {r.id for r in all_rules()}
    for spec in specs:
        assert any(rule_matches(rid, "", spec.rule) for rid in ids), f"{spec.stem}: no rule {spec.rule}"
    gap_targets, gaps = load_gap_specs()
    assert gap_targets and gaps


def test_mutators_plant_one_defect(env):
    from evals import fmtext
    from evals.mutators import MUTATORS

    m = MUTATORS["drop_section"](VEP, PATH, env, section="Non Goals")
    assert "## Non Goals" not in m.text and "## Design" in m.text
    m = MUTATORS["invalid_status"](VEP, PATH, env)
    assert fmtext.get_scalar(m.text, "status") == "approved"
    m = MUTATORS["illegal_status_transition"](VEP, PATH, env)
    assert fmtext.get_scalar(m.text, "status") == "implemented" and m.base_text == VEP
    m = MUTATORS["implementable_after_freeze"](VEP, PATH, env)
    assert fmtext.get_scalar(m.text, "status") == "implementable"
    assert "v1.8" in m.text and fmtext.get_scalar(m.base_text, "status") == "provisional"
    assert "TBD" not in m.text.split("---")[1]
    m = MUTATORS["implementable_with_tbd_reviewers"](VEP, PATH, env)
    assert '"v1.9"' in m.text and "reviewers:\n  - TBD" in m.text and "TBD" not in m.reference_text.split("---")[1]
    m = MUTATORS["mismatched_vep_number"](VEP, PATH, env)
    assert "# VEP #1123:" in m.text
    m = MUTATORS["bad_directory_name"](VEP, PATH, env)
    assert m.repo_path == "veps/sig-compute/123_Example_Feature/vep.md" and m.text == VEP
    m = MUTATORS["remove_front_matter"](VEP, PATH, env)
    assert not m.text.startswith("---") and m.base_text == VEP
    m = MUTATORS["unknown_sig"](VEP, PATH, env)
    assert "  - sig-virtualization" in m.text
    m = MUTATORS["update_rollback_na"](VEP, PATH, env)
    assert m.text.rstrip().endswith("N/A") and m.section == "Update/Rollback Compatibility"
    m = MUTATORS["cross_sig_api_change"](VEP, PATH, env)
    assert m.sig == "sig-network" and "spec.domain.devices.interfaces" in m.text
    m = MUTATORS["duplicate_key"](VEP, PATH, env)
    assert m.text.count("status: provisional") == 2
    m = MUTATORS["unterminated_front_matter"](VEP, PATH, env)
    assert m.text.count("---") == 1
    m = MUTATORS["wrong_owning_sig"](VEP, PATH, env)
    assert fmtext.get_scalar(m.text, "owning-sig") == "sig-network"
    m = MUTATORS["misnamed_document"](VEP, PATH, env)
    assert m.repo_path == "veps/sig-compute/123-example-feature-draft/proposal.md"
    m = MUTATORS["stage_without_milestone"](VEP, PATH, env)
    assert fmtext.get_scalar(m.text, "stage") == "beta" and "beta:" not in m.text and 'beta: "v1.9"' in m.reference_text
    m = MUTATORS["swap_sections"](VEP, PATH, env, first="Non Goals", second="Design")
    assert m.text.index("## Design") < m.text.index("## Non Goals")
    m = MUTATORS["replaced_without_successor"](VEP, PATH, env)
    assert fmtext.get_scalar(m.text, "status") == "replaced"
    m = MUTATORS["remove_required_field"](VEP, PATH, env, field="approvers")
    assert "approvers" not in m.text


def test_mutators_skip_with_a_reason(env):
    from evals.mutators import MUTATORS, Skip

    legacy = "# VEP #9: Thing\n\n## Overview\n\nText.\n"
    for name in ("remove_feature_gate", "invalid_status", "remove_front_matter", "illegal_status_transition"):
        with pytest.raises(Skip, match="front matter"):
            MUTATORS[name](legacy, "veps/sig-compute/9-thing/vep.md", env)
    with pytest.raises(Skip, match="no 'Scalability' section"):
        MUTATORS["drop_section"](VEP, PATH, env, section="Scalability")
    with pytest.raises(Skip, match="names the feature gate"):  # the body names ExampleFeature
        MUTATORS["feature_gate_opt_out"](VEP.replace("behind the ExampleFeature gate", "behind the `ExampleFeature` feature gate"), PATH, env)
    with pytest.raises(Skip, match="process VEPs are exempt from feature-gate"):
        MUTATORS["remove_feature_gate"](VEP, "veps/meta-VEPs/123-example-feature/vep.md", env)
    with pytest.raises(Skip, match="process VEPs are exempt from feature-gate"):  # says so itself
        MUTATORS["remove_feature_gate"](VEP.replace("## Overview\n", "## Overview\n\nThis is a process VEP.\n", 1), PATH, env)
    with pytest.raises(Skip, match="no Graduation Requirements"):
        MUTATORS["drop_graduation_stage"](VEP, PATH, env)
    with pytest.raises(Skip, match="lacks"):
        MUTATORS["swap_sections"](VEP, PATH, env)  # the fixture has no Goals section
    with pytest.raises(Skip, match="no alpha target"):
        MUTATORS["milestone_disagrees_with_body"](VEP, PATH, env)
    with pytest.raises(Skip, match="still covers"):
        MUTATORS["drop_section"](VEP + "\n## Other Alternatives\n\nMore.\n", PATH, env, section="Alternatives")


def test_case_selection():
    from evals.deterministic import matches

    assert matches("mutations/drop_section-design/307-x", None)
    assert matches("mutations/drop_section-design/307-x", ["mutations/drop_section-design"])
    assert matches("mutations/drop_section-design/307-x", ["mutations/drop_section-*"])
    assert not matches("mutations/drop_section-design/307-x", ["mutations/drop_section-des"])
    assert not matches("clean/corpus/307-x", ["mutations"])


# -- regression --------------------------------------------------------------------------------

def test_regression_diff_is_readable(tmp_path):
    from evals.corpus import Corpus
    from evals.deterministic import run_regression

    need(HISTORY)
    corpus = Corpus.open(CORPUS)
    snap = tmp_path / "regression.json"
    selected = ["regression/veps/sig-network/183-dra-network/*"]
    with pytest.raises(ValueError):
        run_regression(corpus, update=True, snapshot=snap, cases=selected)
    first = run_regression(corpus, snapshot=snap, cases=selected)
    assert first.failed and "no snapshot" in first.notes[0]
    # build a snapshot, then tamper with it: one finding gone, one invented
    from evals.deterministic import historic_findings, snapshot_entries, write_snapshot

    current = {k: snapshot_entries(v) for k, v in historic_findings(corpus, selected).items()}
    name = sorted(current)[0]
    assert current[name], "the chosen historic version should have findings"
    removed = current[name][0]
    tampered = dict(current)
    tampered[name] = current[name][1:] + [["VEP999", 7, "error"]]
    write_snapshot(tampered, snap)
    assert json.loads(snap.read_text())["files"][name] == tampered[name]
    result = run_regression(corpus, snapshot=snap, cases=selected)
    assert result.failed
    text = "\n".join(result.notes)
    assert f"+ {name}: {removed[0]} line {removed[1]} {removed[2]} — " in text  # added back, with its message
    assert f"- {name}: VEP999 line 7 error" in text
    assert result.metrics["added"] == 1 and result.metrics["removed"] == 1
    assert {c.status for c in result.cases if c.target == name} == {"fail"}


# -- cassettes ----------------------------------------------------------------------------------

def test_prompt_hash_tracks_prompt_files(tmp_path):
    from evals import replay

    (tmp_path / "a.md").write_text("one")
    h1 = replay.prompt_hash(tmp_path)
    (tmp_path / "a.md").write_text("two")
    h2 = replay.prompt_hash(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("x")
    h3 = replay.prompt_hash(tmp_path)
    assert len({h1, h2, h3}) == 3 and len(h1) == 12
    assert replay.prompt_files(tmp_path).keys() == {"a.md", "sub/b.md"}


def test_cassette_layout_and_synthetic(tmp_path):
    from evals import replay

    p = replay.cassette_path(tmp_path, "claude-x 1", "gaps/update_rollback_na/307-vhost")
    assert p == tmp_path / "claude-x_1" / "gaps" / "update_rollback_na" / "307-vhost.yaml"
    assert replay.is_synthetic(Path("tests/cassettes/synthetic/x.yaml"))
    assert replay.is_synthetic(p, {"synthetic": True}) and not replay.is_synthetic(p, {})


def test_request_components_name_what_changed():
    """The key's components split a request body into its parts, so that a changed key says
    which part changed; the key changes with any part."""
    from evals import requestkey

    def body(doc="Lifecycle text.", facts="- VEP201 front matter", schema="S", task="Review it."):
        return {"model": "m", "max_tokens": 10, "output_config": {"format": {"schema": schema}, "effort": "medium"},
                "system": [{"type": "text", "cache_control": {"type": "ephemeral"},
                            "text": f'Intro\n<process_document name="docs/feature-lifecycle.md" origin="repository">\n'
                                    f"{doc}\n</process_document>"},
                           {"type": "text", "text": task}],
                "messages": [{"role": "user", "content": [
                    {"type": "text", "text": '<vep_document path="x">\nVEP\n</vep_document>'},
                    {"type": "text", "text": f"<review_facts>\n{facts}\n</review_facts>"}]}]}

    base = requestkey.components([("design_gaps", body())], "m")
    assert {"process document docs/feature-lifecycle.md", "VEP text", "facts given to design_gaps",
            "instructions to design_gaps", "output schema", "model"} <= set(base)
    for change, name in ((body(doc="Lifecycle texts."), "process document docs/feature-lifecycle.md"),
                         (body(facts="- VEP201 front matters"), "facts given to design_gaps"),
                         (body(schema="T"), "output schema"),
                         (body(task="Review this."), "instructions to design_gaps")):
        comps = requestkey.components([("design_gaps", change)], "m")
        assert requestkey.key_of(comps) != requestkey.key_of(base)
        assert requestkey.changed(base, comps)[0] == name and requestkey.changed(base, comps)[-1] == "requests sent"
    assert requestkey.changed(base, requestkey.components([("design_gaps", body())], "m")) == []


class _Echo(http.server.BaseHTTPRequestHandler):
    """A local stand-in for the Messages API: answers every POST with a fixed message."""

    seen: list[dict] = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("content-length", 0))
        body = self.rfile.read(length)
        _Echo.seen.append({"headers": dict(self.headers), "body": json.loads(body)})
        out = json.dumps({"id": "msg_1", "type": "message", "role": "assistant", "model": "m",
                          "content": [{"type": "text", "text": "hello"}], "stop_reason": "end_turn",
                          "usage": {"input_tokens": 3, "output_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("anthropic-organization-id", "org-secret")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


def _call(base_url: str, key: str) -> str:
    import anthropic

    client = anthropic.Anthropic(api_key=key, base_url=base_url, max_retries=0)
    msg = client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": "hi"}])
    return msg.content[0].text


def test_record_scrubs_secrets_and_replay_needs_no_network(tmp_path):
    """Record through a local server (never the network): the key is not in the cassette,
    the metadata is; then replay works with the server gone, and an unknown request fails
    instead of reaching out."""
    from evals import replay

    server = http.server.HTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    path = tmp_path / "m" / "hash" / "gaps" / "case.yaml"
    try:
        with replay.cassette(path, record=True, metadata={"model": "m", "prompt_hash": "hash"}):
            assert _call(base, "sk-ant-SECRET") == "hello"
    finally:
        server.shutdown()
    assert _Echo.seen, "the request should have reached the local server while recording"
    text = path.read_text()
    assert "SECRET" not in text and "org-secret" not in text
    meta = replay.read_metadata(path)
    assert meta["model"] == "m" and meta["prompt_hash"] == "hash" and "recorded_at" in meta
    # replay: the server is down, so only the cassette can answer
    with replay.cassette(path, record=False):
        assert _call("http://127.0.0.1:9", "other-key") == "hello"
    import anthropic

    with replay.cassette(path, record=False), pytest.raises(anthropic.APIConnectionError):
        anthropic.Anthropic(api_key="k", base_url=base, max_retries=0).messages.create(
            model="m", max_tokens=5, messages=[{"role": "user", "content": "a different prompt"}])
    with pytest.raises(FileNotFoundError):
        with replay.cassette(tmp_path / "missing.yaml", record=False):
            pass


# -- report and command line ----------------------------------------------------------------------

def test_report_renders_every_set(tmp_path):
    from evals.report import EvalReport
    from evals.results import CaseResult, SetResult

    mut = SetResult("mutations", [CaseResult("mutations/x/1-a", "mutations", "fail", detail="VEP401 did not fire",
                                             expected={"rule": "VEP401"}, extra={"false_positives": {"VEP205": 1}})],
                    metrics={"recall": 0.0, "cases_run": 1, "detected": 0,
                             "rules": {"VEP401": {"expected": 1, "detected": 0, "recall": 0.0, "missed": ["x"]}},
                             "false_positives": {"VEP205": {"count": 1, "cases": ["x"]}}}, failed=True)
    llm = SetResult("concerns", metrics={"model": "m", "prompt_hash": "h", "synthetic": True, "cases_scored": 0},
                    notes=["SYNTHETIC cassettes"])
    report = EvalReport([mut, llm], failures=["mutation recall 0.0%"])
    md, js = report.write(tmp_path)
    text = md.read_text()
    assert "| VEP401 |" in text and "VEP401 did not fire" in text and "(SYNTHETIC: not a model score)" in text
    data = json.loads(js.read_text())
    assert data["exit_code"] == 1 and data["rules"]["VEP401"]["recall"] == 0.0
    assert data["rules"]["VEP205"]["fp_mutations"] == 1
    assert data["sets"]["concerns"]["metrics"]["synthetic"] is True


def test_cli_runs_a_selection_and_writes_the_report(tmp_path, capsys):
    from evals.run import main

    need(CORPUS)
    code = main(["--only", "clean,mutations", "--case", "clean/corpus/*", "--case", "mutations/invalid_status-*",
                 "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "mutations" in out and "clean" in out and "report:" in out
    data = json.loads((tmp_path / "report.json").read_text())
    assert set(data["sets"]) == {"mutations", "clean"}
    assert all(c["id"].startswith("mutations/invalid_status-") for c in data["sets"]["mutations"]["cases"])
    assert code == data["exit_code"] == 0 and data["failures"] == []
    assert (tmp_path / "report.md").read_text().startswith("# vep-review evaluation")


def test_cli_usage_errors(tmp_path, capsys):
    from evals.run import main

    assert main(["--only", "nonsense"]) == 2
    assert main(["--corpus", str(tmp_path / "nowhere"), "--only", "clean", "--out", str(tmp_path)]) == 2
    assert "not a kubevirt/enhancements checkout" in capsys.readouterr().err
    assert main(["--help"]) == 0


def test_no_progress_bar_without_a_terminal():
    from evals.run import _Bar

    bar = _Bar()  # pytest captures stderr: not a TTY
    assert bar.progress is None
    bar("mutations", "x")  # a no-op


def test_every_mutator_is_named_in_the_evals_documentation():
    import re

    from evals.mutators import MUTATORS

    doc = (Path(__file__).resolve().parent.parent / "docs/evals.md").read_text()
    listed = set(re.findall(r"`(\w+)`", doc[doc.index("The mutators: "):doc.index("Scoring is exact.")]))
    assert set(MUTATORS) <= listed, sorted(set(MUTATORS) - listed)


def test_a_mutation_run_in_which_nothing_ran_fails(tmp_path, capsys):
    from evals.run import main

    need(CORPUS)
    assert main(["--only", "mutations", "--case", "mutations/no-such-mutator-*", "--out", str(tmp_path)]) == 1
    assert "no mutation case ran" in capsys.readouterr().out
