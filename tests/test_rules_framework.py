"""The rule framework: discovery and the lazily compiled patterns rules may use."""

import re

from agent.rules import LazyPattern, all_rules, get_rule


def test_lazy_pattern_behaves_like_a_compiled_one():
    lazy = LazyPattern(r"feature[\s-]gate", re.I)
    assert "search" not in vars(lazy)  # nothing compiled yet
    assert lazy.search("the Feature Gate X").group(0) == "Feature Gate"
    assert "search" in vars(lazy)  # compiled once, then plain attributes
    assert [m.start() for m in lazy.finditer("feature-gate, feature gate")] == [0, 14]
    assert lazy.sub("FG", "a feature gate") == "a FG" and lazy.pattern == r"feature[\s-]gate"


def test_rules_are_found_by_id_and_name():
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules) == len({r.name for r in rules})
    assert get_rule("vep101").name == "directory-name" and get_rule("directory-name").id == "VEP101"
    assert get_rule("no-such-rule") is None


def test_a_checked_document_is_freed_without_the_cyclic_collector(corpus):
    # `vep-review check` runs with the cyclic GC off (agent.cli.run): what the rules keep with a
    # document (VepDocument.memo) must not refer back to it, or every document would stay
    import gc
    import weakref

    from agent.document import read
    from agent.engine import check_document
    from tests.conftest import make_ctx

    path = corpus / "veps/sig-storage/90-utility-volumes/vep.md"  # no front matter: every body rule runs
    doc = read(str(path), str(path), "veps/sig-storage/90-utility-volumes/vep.md")
    gc.disable()
    try:
        assert check_document(doc, make_ctx(corpus))
        assert doc.__dict__["_memo"]  # the rules did keep facts with it
        ref = weakref.ref(doc)
        del doc
        assert ref() is None
    finally:
        gc.enable()
