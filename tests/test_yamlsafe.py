import pytest

from agent import yamlsafe


def test_duplicate_keys_reported_with_lines():
    out = yamlsafe.load("status: provisional\ntitle: a\nstatus: implementable\n")
    assert out.duplicates == [("status", 3)]
    assert out.data["status"] == "implementable"


def test_syntax_error_has_line():
    with pytest.raises(yamlsafe.YamlError) as exc:
        yamlsafe.load("title: a\nauthors: [\n  - x\nstatus: : :\n")
    assert exc.value.line is not None and exc.value.line >= 2


def test_alias_bomb_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        bomb += f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    with pytest.raises(yamlsafe.YamlError, match="alias bomb"):
        yamlsafe.load(bomb)


def test_not_a_mapping():
    with pytest.raises(yamlsafe.YamlError, match="not a mapping"):
        yamlsafe.load("- a\n- b\n")


def test_empty_block_is_empty_mapping():
    assert yamlsafe.load("").data == {}


def test_quoted_values_are_not_reported():
    out = yamlsafe.load('creation-date: "2024-05-22"\nalpha: "v1.10"\nflag: "no"\n')
    assert out.implicit_types == []
    assert out.data == {"creation-date": "2024-05-22", "alpha": "v1.10", "flag": "no"}


def test_null_values():
    assert yamlsafe.load("a:\nb: ~\nc: ''\n").data == {"a": None, "b": None, "c": ""}
