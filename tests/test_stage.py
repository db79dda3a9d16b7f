"""agent.stage: the stage a review holds a VEP to (front matter ``stage``; else the lowest
targeted stage whose release has not shipped; else the highest), on real corpus VEPs and
sig-release schedules, and on small documents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from agent.document import parse
from agent.schedules import load_ga_dates
from agent.stage import STAGES, Stage, release_shipped, review_stage, ship_date, targets
from tests.conftest import CORPUS, SIG_RELEASE, make_doc, need

D = dt.date


def corpus_doc(rel: str):
    path = need(CORPUS / "veps" / rel)
    return parse(path.read_bytes(), str(path), "veps/" + rel)


@pytest.fixture
def schedules():
    return str(need(SIG_RELEASE))


# -- release dates -------------------------------------------------------------------------

def test_ga_dates_of_the_real_schedules(schedules):
    ga = load_ga_dates(schedules)
    # v1.5: milestone "GA"; v1.8: "**KubeVirt GA**", not the "**CDI GA**" a week later
    assert ga["v1.5"] == D(2025, 3, 5)
    assert ga["v1.8"] == D(2026, 3, 25)
    assert ga["v1.10"] == D(2026, 11, 18)
    assert set(ga) == {f"v1.{n}" for n in range(11)}


def test_ga_date_from_the_tag_entry_when_no_milestone_says_ga(tmp_path):
    sched = tmp_path / "releases" / "v2.0" / "schedule.yaml"
    sched.parent.mkdir(parents=True)
    sched.write_text("- when: 2030/01/10\n  what: Tag v2.0.0-rc.0 on release-2.0\n"
                     "- when: 2030/02/01\n  what: Tag v2.0.0 on release-2.0\n"
                     "- when: 2030/02/08\n  who: CDI\n  what: v1.70.0 release\n", encoding="utf-8")
    assert load_ga_dates(str(tmp_path)) == {"v2.0": D(2030, 2, 1)}


def test_release_shipped_on_and_after_its_ga_date(schedules):
    assert not release_shipped("v1.9", schedules, D(2026, 7, 21))
    assert release_shipped("v1.9", schedules, D(2026, 7, 22))
    assert release_shipped("1.9.0", schedules, D(2026, 8, 1))
    assert release_shipped((1, 9), load_ga_dates(schedules), D(2026, 8, 1))


def test_a_release_without_a_schedule_ships_with_the_next_scheduled_one(schedules):
    # v0.59 has no schedule: it has shipped since v1.0 (2023-07-11) has
    assert ship_date("v0.59.0", schedules) == D(2023, 7, 11)
    assert release_shipped("v0.59", schedules, D(2024, 1, 1))
    assert not release_shipped("v0.59", schedules, D(2023, 7, 10))
    # v1.11 has none and nothing later is scheduled: the future, whatever the date
    assert ship_date("v1.11", schedules) is None
    assert not release_shipped("v1.11", schedules, D(2040, 1, 1))


def test_placeholders_and_missing_schedules_never_ship(tmp_path):
    assert not release_shipped("TBD", {"v1.0": D(2020, 1, 1)}, D(2030, 1, 1))
    assert not release_shipped("v1.1", None, D(2030, 1, 1))
    assert not release_shipped("v1.1", str(tmp_path / "absent"), D(2030, 1, 1))


# -- the stage of real VEPs ------------------------------------------------------------------

@pytest.mark.parametrize("today, stage, release", [
    (D(2026, 5, 1), "alpha", "v1.9"),    # alpha v1.9 not shipped yet: an alpha proposal
    (D(2026, 7, 22), "beta", "v1.10"),   # v1.9 GA that day
    (D(2026, 11, 18), "ga", "v1.11"),    # v1.10 shipped; v1.11 has no schedule yet
    (D(2031, 1, 1), "ga", "v1.11"),
])
def test_legacy_vep_planning_three_releases_is_alpha_until_alpha_ships(schedules, today, stage, release):
    doc = corpus_doc("sig-compute/191-decentralized-migration-proxy/vep.md")  # alpha 1.9, beta 1.10, GA 1.11
    got = review_stage(doc, schedules, today)
    assert (got.stage, got.release) == (stage, release)
    assert today.isoformat() in got.evidence


def test_struck_through_target_does_not_count(schedules):
    # "~This VEP targets alpha for version:~", beta v1.8, GA v1.10
    doc = corpus_doc("sig-network/106-decouple-nad/vep.md")
    assert review_stage(doc, schedules, D(2026, 1, 1))[:2] == ("beta", "v1.8")
    later = review_stage(doc, schedules, D(2026, 5, 1))
    assert later[:2] == ("ga", "v1.10")
    assert "line 9" in later.evidence and "beta v1.8 shipped" in later.evidence


def test_struck_beta_and_an_old_alpha(schedules):
    # alpha v1.0.0, "~This VEP targets beta for version:~", GA v1.9.0
    doc = corpus_doc("sig-storage/277-persistent-reservation/vep.md")
    assert review_stage(doc, schedules, D(2023, 1, 1))[:2] == ("alpha", "v1.0")
    assert review_stage(doc, schedules, D(2026, 5, 1))[:2] == ("ga", "v1.9")


def test_unscheduled_old_release_counts_as_shipped(schedules):
    doc = corpus_doc("sig-compute/222-vsock-netns-vep/vep.md")  # alpha v0.59.0, beta v1.10.0, GA empty
    got = review_stage(doc, schedules, D(2026, 5, 1))
    assert got[:2] == ("beta", "v1.10")
    assert "alpha v0.59 shipped" in got.evidence


def test_every_target_shipped_gives_the_highest_stage(schedules):
    doc = corpus_doc("sig-compute/16-image-volume/vep.md")  # alpha v1.6, beta v1.7
    got = review_stage(doc, schedules, D(2026, 5, 1))
    assert got[:2] == ("beta", "v1.7")
    assert got.evidence.startswith("every targeted release has shipped by 2026-05-01")


def test_template_and_vep_without_targets_have_no_stage(schedules):
    assert review_stage(corpus_doc("NNNN-vep-template/vep.md"), schedules, D(2026, 5, 1)).stage is None
    got = review_stage(corpus_doc("sig-network/307-vhostuser-binding-plugin/vep.md"), schedules, D(2026, 5, 1))
    assert got == Stage(None, None, got.evidence) and "no target release" in got.evidence


def test_stage_never_goes_back_as_time_passes(schedules):
    # on every corpus VEP: a later --today gives the same or a later stage, one of the targeted ones
    days = [D(2023, 1, 1) + dt.timedelta(days=61 * n) for n in range(26)]
    checked = 0
    for path in sorted(need(CORPUS / "veps").rglob("*.md")):
        doc = parse(path.read_bytes(), str(path), path.relative_to(CORPUS).as_posix())
        targeted = {t.stage for t in targets(doc)}
        order = [STAGES.index(review_stage(doc, schedules, day).stage) if targeted else -1 for day in days]
        assert order == sorted(order), path
        if targeted:
            checked += 1
            assert {STAGES[i] for i in order} <= targeted
    assert checked >= 40


def test_context_supplies_schedules_and_today(schedules):
    from tests.conftest import make_ctx

    doc = corpus_doc("sig-compute/191-decentralized-migration-proxy/vep.md")
    ctx = make_ctx(None, today=D(2026, 8, 1))
    ctx.schedules = schedules
    assert review_stage(doc, ctx)[:2] == ("beta", "v1.10")
    assert review_stage(doc, ctx, D(2026, 5, 1))[:2] == ("alpha", "v1.9")


# -- small documents -----------------------------------------------------------------------

GA = {"v1.8": D(2026, 3, 25), "v1.9": D(2026, 7, 22), "v1.10": D(2026, 11, 18)}


def test_front_matter_stage_wins():
    doc = make_doc("""
        ---
        owning-sig: sig-compute
        stage: Beta
        milestone:
          alpha: "v1.9"
          beta: "v1.10"
        ---
        # VEP 123: Example
    """)
    got = review_stage(doc, GA, D(2026, 5, 1))  # alpha v1.9 has not shipped, but the VEP says beta
    assert got[:2] == ("beta", "v1.10")
    assert got.evidence == "front matter stage: beta (line 3)"
    assert got.headline() == "Reviewed as a beta proposal for v1.10: front matter stage: beta (line 3)"


def test_front_matter_stage_without_a_release_and_bad_values():
    doc = make_doc("""
        ---
        stage: GA
        ---
        # VEP 123: Example
    """)
    assert review_stage(doc, GA, D(2026, 5, 1))[:2] == ("ga", None)
    assert review_stage(doc, GA, D(2026, 5, 1)).headline().startswith("Reviewed as a GA proposal: ")
    odd = make_doc("""
        ---
        stage: stable
        milestone: {alpha: v1.8, beta: v1.9}
        ---
        # VEP 123: Example
    """)
    assert review_stage(odd, GA, D(2026, 5, 1))[:2] == ("beta", "v1.9")


def test_milestone_replaces_the_body_target_lines():
    doc = make_doc("""
        ---
        milestone:
          alpha: "v1.10"
        ---
        # VEP 123: Example

        ## Target releases
        - This VEP targets alpha for version: v1.8
        - This VEP targets beta for version: v1.9
    """)
    got = review_stage(doc, GA, D(2026, 5, 1))
    assert got[:2] == ("alpha", "v1.10")
    assert "milestone.alpha (line 3)" in got.evidence


def test_commented_out_struck_and_empty_targets_do_not_count():
    doc = make_doc("""
        # VEP 123: Example

        ## Target releases
        <!-- This VEP targets alpha for version: v1.8 -->
        - ~This VEP targets beta for version: v1.9~
        - This VEP targets GA for version:
        - This VEP targets GA for version: TBD

        ```
        This VEP targets alpha for version: v1.7
        ```
    """)
    got = review_stage(doc, GA, D(2026, 5, 1))
    assert got.stage is None and got.release is None


def test_lowest_unshipped_and_no_schedules():
    doc = make_doc("""
        # VEP 123: Example

        ## Target releases
        - This VEP targets alpha for version: v1.8
        - This VEP targets beta for version: v1.9
        - This VEP targets GA for version: v1.10
    """)
    assert review_stage(doc, GA, D(2026, 3, 24))[:2] == ("alpha", "v1.8")
    assert review_stage(doc, GA, D(2026, 3, 25))[:2] == ("beta", "v1.9")
    assert review_stage(doc, GA, D(2026, 12, 1))[:2] == ("ga", "v1.10")
    none = review_stage(doc, None, D(2030, 1, 1))  # no schedules: nothing has shipped
    assert none[:2] == ("alpha", "v1.8") and "no release schedules" in none.evidence


def test_odd_front_matter_never_raises():
    doc = make_doc("""
        ---
        stage: [alpha]
        milestone: v1.9
        ---
        # VEP 123: Example
    """)
    assert review_stage(doc, GA, D(2026, 5, 1)).stage is None


# -- the stage in every output format of `vep-review review` -----------------------------------

def review_json(capsys, today: str, *rels: str, extra: tuple = ()) -> dict:
    import json

    from agent.cli import main

    paths = [str(need(CORPUS / "veps" / rel)) for rel in rels]
    main(["review", "--no-llm", "--format", "json", "--today", today, *extra, *paths])
    return {Path(f["path"]).parent.name: f for f in json.loads(capsys.readouterr().out)["files"]}


@pytest.mark.parametrize("today, expected", [
    ("2026-05-01", {"191-decentralized-migration-proxy": ("alpha", "line 16"),
                    "106-decouple-nad": ("ga", "line 9"),
                    "16-image-volume": ("beta", "every targeted release has shipped"),
                    "307-vhostuser-binding-plugin": (None, "no target release")}),
    ("2026-01-01", {"191-decentralized-migration-proxy": ("alpha", "line 16"),
                    "106-decouple-nad": ("beta", "line 8"),
                    "16-image-volume": ("beta", "every targeted release has shipped"),
                    "307-vhostuser-binding-plugin": (None, "no target release")}),
    ("2026-09-01", {"191-decentralized-migration-proxy": ("beta", "line 17"),
                    "106-decouple-nad": ("ga", "line 9"),
                    "16-image-volume": ("beta", "every targeted release has shipped"),
                    "307-vhostuser-binding-plugin": (None, "no target release")}),
])
def test_review_json_gives_stage_and_evidence_per_file(capsys, today, expected):
    files = review_json(capsys, today, "sig-compute/191-decentralized-migration-proxy/vep.md",
                        "sig-network/106-decouple-nad/vep.md", "sig-compute/16-image-volume/vep.md",
                        "sig-network/307-vhostuser-binding-plugin/vep.md")
    for name, (stage, evidence) in expected.items():
        assert files[name]["stage"] == stage, name
        assert evidence in files[name]["stage_evidence"], name
        assert "\n" not in files[name]["stage_evidence"]


def test_review_json_reads_the_schedules_option(capsys, tmp_path):
    # a schedules directory where v1.9 shipped long ago: 191 is then a beta proposal for v1.10
    sched = tmp_path / "releases" / "v1.9" / "schedule.yaml"
    sched.parent.mkdir(parents=True)
    sched.write_text("- when: 2020-01-01\n  milestone: GA\n  what: Tag v1.9.0 on release-1.9\n", encoding="utf-8")
    files = review_json(capsys, "2026-05-01", "sig-compute/191-decentralized-migration-proxy/vep.md",
                        extra=("--schedules", str(tmp_path)))
    assert files["191-decentralized-migration-proxy"]["stage"] == "beta"


def test_front_matter_stage_in_review_json(capsys, tmp_path):
    import json

    from agent.cli import main

    path = tmp_path / "veps" / "sig-compute" / "123-example" / "vep.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\nvep-number: 123\nowning-sig: sig-compute\nstage: alpha\nmilestone:\n  alpha: v1.8\n"
                    "  beta: v1.9\n---\n# VEP #123: Example\n", encoding="utf-8")
    main(["review", "--no-llm", "--format", "json", "--today", "2026-05-01", str(path)])
    entry = json.loads(capsys.readouterr().out)["files"][0]
    # v1.8 shipped 2026-03-25, but the front matter says alpha
    assert (entry["stage"], entry["stage_evidence"]) == ("alpha", "front matter stage: alpha (line 4)")


def test_stage_in_text_and_markdown_and_not_in_check(capsys):
    import json

    from agent.cli import main

    path = str(need(CORPUS / "veps/sig-compute/191-decentralized-migration-proxy/vep.md"))
    main(["review", "--no-llm", "--color", "never", "--today", "2026-08-01", path])
    text = capsys.readouterr().out
    assert "  Reviewed as a beta proposal for v1.10: line 17 targets beta for v1.10" in text
    main(["review", "--no-llm", "--format", "markdown", "--today", "2026-05-01", path])
    assert "Reviewed as an alpha proposal for v1.9: line 16 targets alpha" in capsys.readouterr().out
    # a file without findings still shows its stage
    clean = str(need(CORPUS / "veps/sig-network/307-vhostuser-binding-plugin/vep.md"))
    main(["review", "--no-llm", "--color", "never", "--today", "2026-05-01", clean])
    assert "Reviewed with no stage: " in capsys.readouterr().out
    main(["check", "--format", "json", "--today", "2026-05-01", path])
    assert "stage" not in json.loads(capsys.readouterr().out)["files"][0]


def test_reviewers_are_told_the_same_stage(schedules):
    from agent.llm.reviewers import BY_KEY, prepare
    from tests.conftest import make_ctx

    doc = corpus_doc("sig-compute/191-decentralized-migration-proxy/vep.md")
    ctx = make_ctx(None, today=D(2026, 5, 1))
    ctx.schedules = schedules
    prepared = prepare(doc, ctx)
    assert prepared.stage == review_stage(doc, ctx)
    facts = BY_KEY["design_gaps"].evidence(prepared, [], 5)
    assert "review this as an alpha proposal for v1.9 (line 16 targets alpha for v1.9" in facts


def test_a_target_line_without_a_stage_gives_no_stage_and_says_why(schedules):
    stage = review_stage(corpus_doc("sig-compute/250-vmi-serviceaccountname/vep.md"), schedules, D(2026, 12, 5))
    assert stage.stage is None
    assert stage.evidence == "line 7 targets v1.9 without naming a stage (alpha, beta or GA)"
    bare = review_stage(make_doc("# VEP #1: x\n\n## Overview\n\nNothing targeted.\n"), None, D(2026, 1, 1))
    assert bare.evidence == "no front matter stage and no target release line with a version"
