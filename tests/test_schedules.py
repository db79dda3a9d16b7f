"""agent.schedules: VEP Freeze dates from sig-release schedules."""

from __future__ import annotations

import datetime as dt

import pytest

from agent.schedules import ScheduleError, default_schedules_dir, load_freezes, parse_date, release_key
from tests.conftest import SIG_RELEASE, need


def write_schedule(root, release, text):
    path = root / "releases" / release / "schedule.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")


def test_both_date_formats(tmp_path):
    write_schedule(tmp_path, "v1.5", "- when: 2025-01-15\n  what: VEP Freeze\n")
    write_schedule(tmp_path, "v1.6", "- when: 2025/04/30\n  milestone: KubeVirt Alpha 0\n"
                                     "  what: Virtualization Enhancement Proposal (VEP) Freeze\n")
    assert load_freezes(str(tmp_path)) == {"v1.5": dt.date(2025, 1, 15), "v1.6": dt.date(2025, 4, 30)}


def test_only_the_vep_freeze_entry_counts(tmp_path):
    write_schedule(tmp_path, "v1.7", "- when: 2025/09/01\n  what: Feature Freeze\n"
                                     "- when: 2025/10/01\n  what: Tag v1.7.0-alpha.0 (VEP review)\n"
                                     "- when: 2025/09/03\n  what: VEP-Freeze\n")
    assert load_freezes(str(tmp_path)) == {"v1.7": dt.date(2025, 9, 3)}


def test_the_releases_folder_itself_is_accepted(tmp_path):
    write_schedule(tmp_path, "v1.8", "- when: 2026/01/07\n  what: VEP Freeze\n")
    assert load_freezes(str(tmp_path / "releases")) == {"v1.8": dt.date(2026, 1, 7)}


def test_malformed_schedules_are_skipped(tmp_path):
    write_schedule(tmp_path, "v1.6", "- when: [2025/04/30\n")  # invalid YAML
    write_schedule(tmp_path, "v1.7", "when: 2025/09/03\nwhat: VEP Freeze\n")  # not a list
    write_schedule(tmp_path, "v1.8", "- when: someday\n  what: VEP Freeze\n")  # not a date
    write_schedule(tmp_path, "vnext", "- when: 2026/04/30\n  what: VEP Freeze\n")  # not vX.Y
    write_schedule(tmp_path, "v1.9", "- when: 2026/04/30\n  what: VEP Freeze\n")
    assert load_freezes(str(tmp_path)) == {"v1.9": dt.date(2026, 4, 30)}


def test_a_missing_directory_raises(tmp_path):
    with pytest.raises(ScheduleError, match="no such schedules directory"):
        load_freezes(str(tmp_path / "absent"))


def test_real_schedules():
    freezes = load_freezes(str(need(SIG_RELEASE)))
    for old in ("v1.0", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5"):
        assert old not in freezes  # only a Feature Freeze before v1.6
    assert freezes["v1.6"] == dt.date(2025, 4, 30)
    assert freezes["v1.7"] == dt.date(2025, 9, 3)
    assert freezes["v1.8"] == dt.date(2026, 1, 7)
    assert freezes["v1.9"] == dt.date(2026, 4, 30)


def test_parse_date_and_release_key():
    assert parse_date("2025-02-12") == parse_date("2025/02/12") == parse_date(dt.date(2025, 2, 12)) == dt.date(2025, 2, 12)
    assert parse_date(dt.datetime(2025, 2, 12, 10, 0)) == dt.date(2025, 2, 12)
    assert parse_date("2025/02/30") is None and parse_date("soon") is None and parse_date(None) is None
    assert release_key("v1.10") == (1, 10) and release_key("1.10") is None


def test_default_schedules_dir(tmp_path):
    assert default_schedules_dir(None) is None
    assert default_schedules_dir(tmp_path / "enhancements") is None
    (tmp_path / "sig-release" / "releases").mkdir(parents=True)
    assert default_schedules_dir(tmp_path / "enhancements") == tmp_path / "sig-release"
