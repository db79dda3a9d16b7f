"""``owning-sig`` and ``participating-sigs`` name SIGs that exist.

**What it checks.** That ``owning-sig`` and each entry of ``participating-sigs`` is one of the
SIGs of the checked repository: the ``sig-*`` directories under its ``veps/`` (read from the
checkout, not a fixed list; outside a checkout, the SIG directories kubevirt/enhancements
had when vep-review was written). An unknown name is an error with the closest SIG
(``network`` and ``sig/network`` read as ``sig-network``; otherwise difflib). The owning SIG
listed again in ``participating-sigs`` is a warning. Values of the wrong type are VEP206's;
whether ``owning-sig`` matches the VEP's directory is VEP212's. The VEP template is not
checked. A KubeVirt SIG that has no directory here (``sig-scale``, ``sig-architecture``, …)
is a warning: it exists and can LGTM, but check that it is meant.

**Why.** docs/vep-governance.md, "Front Matter Schema": ``owning-sig`` is the SIG whose
directory holds the VEP ("sig-compute | sig-network | sig-storage", the schema's comment,
is a snapshot: the repository has more SIG directories), and ``participating-sigs`` are the
"other SIGs that must LGTM before merge". A misspelled SIG routes nobody; the owning SIG
listed as participating suggests a second SIG sign-off that does not exist.

**Anti-pattern.** ``owning-sig: sig-networking``, ``participating-sigs: [storage]``,
``owning-sig: sig-compute`` with ``participating-sigs: [sig-compute]``.

**Best practice.** Use the SIG directory names exactly: ``owning-sig: sig-network``,
``participating-sigs: [sig-storage]`` (or ``[]``).
"""

from agent.document import PLACEHOLDERS
from agent.rules import Problem
from agent.rules.vep206_field_value import closest, item_line, usable

ID = "VEP207"
NAME = "unknown-sig"
SEVERITY = "error"
SOURCE = "docs/vep-governance.md, Front Matter Schema (owning-sig, participating-sigs)"
FIX = "Use the name of a SIG directory under veps/."


#: KubeVirt SIGs (kubevirt/community sigs.yaml and the ``sig/*`` labels of kubevirt/kubevirt,
#: at the time of writing) that may have no directory under ``veps/``: naming one of them is
#: a warning, not an error, since such a SIG can still review and LGTM.
COMMUNITY_SIGS = frozenset({
    "sig-compute", "sig-network", "sig-storage", "sig-control-plane", "sig-observability", "sig-scale",
    "sig-buildsystem", "sig-test", "sig-testing", "sig-release", "sig-architecture",
})


def suggest_sig(name: str, sigs) -> str | None:
    """The SIG ``name`` most likely means: ``network``, ``SIG-Network``, ``sig/network`` ->
    ``sig-network``; else the closest by difflib; ``None`` when nothing is close."""
    text = name.strip().lower().replace("/", "-").replace("_", "-").replace(" ", "-")
    if not text.startswith("sig-"):
        text = "sig-" + text
    if text in sigs:
        return text
    return closest(text, sorted(sigs))


def _problems(key: str, name: str, line: int, sigs, quiet_if_community: bool = False):
    if name in sigs:
        return
    if name in COMMUNITY_SIGS:
        if not quiet_if_community:
            yield Problem(f"`{name}` in `{key}` is a KubeVirt SIG, but this repository has no veps/{name}/ directory.",
                          line=line, severity="warning",
                          fix=f"Check that `{name}` is meant; the SIG directories here are: {', '.join(sorted(sigs))}.")
        return
    if name.strip().lower() in PLACEHOLDERS:  # TBD: not a misspelt SIG, so no "did you mean"
        yield Problem(f"`{key}` is still `{name}`: no SIG is named.", line=line,
                      fix=f"Name the SIG (one of: {', '.join(sorted(sigs))}).")
        return
    guess = suggest_sig(name, set(sigs) | COMMUNITY_SIGS)
    hint = f" (did you mean `{guess}`?)" if guess else ""
    fix = f"Write `{guess}`." if guess else f"Use one of: {', '.join(sorted(sigs))}."
    yield Problem(f"`{name}` in `{key}` is not a SIG of this repository{hint}.", line=line, fix=fix)


def check(doc, ctx):
    fm = usable(doc)
    if fm is None or doc.info.is_template:
        return
    sigs = ctx.sigs
    owning = fm.get("owning-sig")
    owning = owning.strip() if isinstance(owning, str) and owning.strip() else None
    if owning is not None and len(owning.split()) == 1 and "," not in owning:
        in_sig_dir = bool(doc.info.sig_dir and doc.info.sig_dir.startswith("sig-")) and not doc.is_meta
        # a community SIG without directory owning a VEP of another SIG's directory: VEP212
        yield from _problems("owning-sig", owning, fm.line_of("owning-sig"), sigs, quiet_if_community=in_sig_dir)
    participating = fm.get("participating-sigs")
    if not isinstance(participating, list):
        return
    for i, entry in enumerate(participating):
        if not isinstance(entry, str) or not entry.strip():
            continue
        name = entry.strip()
        line = item_line(fm, "participating-sigs", i)
        if name == owning:
            yield Problem(f"`{name}` is the owning SIG and is also listed in `participating-sigs`.", line=line,
                          fix=f"Remove `{name}` from `participating-sigs`: it lists the other SIGs.",
                          severity="warning")
        else:
            yield from _problems("participating-sigs", name, line, sigs)
