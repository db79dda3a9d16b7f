"""Mutators: each plants one known defect into a real VEP.

A mutator is a function ``mutator(text, repo_path, env, **args) -> Mutation``. ``text`` is the
original document (a legacy VEP has been given a minimal front matter first, see
:func:`evals.fmtext.minimal_front_matter`), ``repo_path`` its repository path, ``env`` the
:class:`MutationEnv` (the corpus: template, SIGs, VEP Freeze dates, the date checks run on).
A mutator that does not apply to a document raises :class:`Skip` with the reason; it never
guesses.

Two kinds, registered in :data:`MUTATORS` by function name:

- **defect mutators** (``mutations`` case set) plant what a deterministic rule must catch;
  ``evals/cases/mutations.yaml`` says which rule must fire;
- **design-gap mutators** (``gaps`` case set) plant what only a reviewer can see, such as an
  empty rollback story; ``evals/cases/gaps.yaml`` says which concern category the LLM
  reviewer should raise.

The :class:`Mutation` may carry a *base* version (for rules that compare with the version
before the change: status transitions, VEP Freeze, removed front matter) and a *reference*:
the document the mutated one is compared with to tell "new errors elsewhere" (by default
the original).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.document import Section, VepDocument, parse
from agent.rules.vep206_field_value import STATUSES
from agent.schedules import release_key
from agent.template import Template

from evals import fmtext

#: Governance states (docs/vep-governance.md, "Governance States").
STATES = STATUSES

#: For each state, a next state the governance diagram does not allow (docs/vep-governance.md,
#: "Governance States": provisional -> implementable -> implemented is the only forward path;
#: deferred/rejected/withdrawn/replaced are side or terminal states).
ILLEGAL_NEXT = {
    "provisional": "implemented",    # skips the provisional -> implementable gate
    "implementable": "provisional",  # goes backwards
    "implemented": "provisional",    # goes backwards
    "deferred": "implemented",       # skips the gate
    "rejected": "implementable",     # out of a terminal state
    "withdrawn": "implementable",    # out of a terminal state
    "replaced": "implementable",     # out of a terminal state
}

#: An API field owned by each SIG (../shared/data/sig-taxonomy.yaml, ``api_fields``), for
#: planting a change into another SIG's area.
SIG_API_FIELDS = {
    "sig-network": ("spec.domain.devices.interfaces[].vhostQueues", "interfaces", "sig-network"),
    "sig-storage": ("spec.volumes[].persistentVolumeClaim.prefetch", "volumes", "sig-storage"),
    "sig-compute": ("spec.domain.cpu.pinningPolicy", "cpu", "sig-compute"),
}
#: Which other SIG's area a VEP of a SIG gets an API change planted into.
OTHER_SIG = {"sig-network": "sig-storage", "sig-storage": "sig-network"}


class Skip(Exception):  # noqa: N818 - a control-flow signal, not an error
    """The mutator does not apply to this document; ``str(exc)`` is the reason."""


@dataclass
class MutationEnv:
    """What mutators may look at besides the document.

    Attributes:
        template: the corpus template (:func:`agent.template.load_template`).
        template_doc: the template file itself, parsed (for section texts).
        sigs: the SIG directory names of the corpus.
        freezes: release -> VEP Freeze date.
        today: the date the checks run on.
    """

    template: Template
    template_doc: VepDocument | None
    sigs: frozenset[str]
    freezes: dict[str, dt.date]
    today: dt.date


@dataclass
class Mutation:
    """A mutated document and how to check it.

    Attributes:
        text: the mutated document.
        repo_path: the path to check it as (a mutator may move it).
        note: what was planted, one line.
        base_text: the base version for rules that compare with it (``None``: no base).
        reference_text: what "new errors elsewhere" are counted against (default: the
            original); it is checked with the same base.
        reference_repo_path: path of the reference (default: the original's).
        section: the section the defect is in (design gaps), if any.
        planted: the text planted (design gaps), if any.
        sig: the other SIG a cross-SIG gap is about.
    """

    text: str
    repo_path: str
    note: str
    base_text: str | None = None
    reference_text: str | None = None
    reference_repo_path: str | None = None
    section: str | None = None
    planted: str | None = None
    sig: str | None = None
    extra: dict = field(default_factory=dict)


Mutator = Callable[..., Mutation]
MUTATORS: dict[str, Mutator] = {}


def mutator(fn: Mutator) -> Mutator:
    """Register ``fn`` in :data:`MUTATORS` under its name."""
    MUTATORS[fn.__name__] = fn
    return fn


# -- helpers ---------------------------------------------------------------------------------

def _doc(text: str, repo_path: str) -> VepDocument:
    return parse(text, repo_path, repo_path)


def _need_feature_vep(text: str, repo_path: str, exempt_from: str) -> None:
    """Skip process VEPs (meta-VEPs, and VEPs that say they are one: VEP 233), which are
    exempt from ``exempt_from`` (docs/vep-governance.md)."""
    if _doc(text, repo_path).is_process:
        raise Skip(f"process VEPs are exempt from {exempt_from}")


def _need_fm(text: str) -> None:
    if not fmtext.has_front_matter(text):
        raise Skip("the document has no front matter")


def _need_gate_field(text: str, repo_path: str) -> None:
    """Skip process VEPs (exempt from feature-gate) and documents without a ``feature-gate``."""
    _need_fm(text)
    _need_feature_vep(text, repo_path, "feature-gate")
    if fmtext.get_scalar(text, "feature-gate") is None:
        raise Skip("the front matter has no feature-gate value")


def find_section(doc: VepDocument, template: Template, name: str) -> Section | None:
    """The ``##`` section of ``doc`` that stands for the template's required section
    ``name`` (aliases included), or ``None``."""
    wanted = template.lookup(name)
    keys = wanted.aliases if wanted is not None else {" ".join(re.findall(r"[a-z0-9]+", name.lower()))}
    for s in doc.h2():
        if s.key in keys:
            return s
    return None


def covering_headings(doc: VepDocument, template: Template, name: str) -> list[Section]:
    """Headings of any level whose text is, starts with or ends with the required section
    ``name`` or one of its aliases (whole words)."""
    wanted = template.lookup(name)
    keys = wanted.aliases if wanted is not None else {" ".join(re.findall(r"[a-z0-9]+", name.lower()))}
    out = []
    for s in doc.sections:
        if s.level == 1:
            continue
        k = f" {s.key} "
        if any(k.strip() == a or k.startswith(f" {a} ") or k.endswith(f" {a} ") for a in keys):
            out.append(s)
    return out


def _replace_lines(text: str, first: int, last: int, new: list[str]) -> str:
    """Replace 1-based file lines ``first..last`` (inclusive) with ``new``."""
    lines = text.split("\n")
    lines[first - 1 : last] = new
    return "\n".join(lines)


def _status(text: str) -> str | None:
    value = fmtext.get_scalar(text, "status")
    return value.lower() if value else None


def _releases_sorted(freezes: dict[str, dt.date]) -> list[tuple[str, dt.date]]:
    return sorted(freezes.items(), key=lambda kv: release_key(kv[0]) or (0, 0))


def future_release(env: MutationEnv) -> str:
    """The first release whose VEP Freeze is after ``env.today``; when the schedules know
    none, the release after the last scheduled one (no freeze date known yet)."""
    ordered = _releases_sorted(env.freezes)
    for release, freeze in ordered:
        if freeze > env.today:
            return release
    if ordered:
        major, minor = release_key(ordered[-1][0])
        return f"v{major}.{minor + 1}"
    return "v1.99"


def past_release(env: MutationEnv) -> str:
    """The latest release whose VEP Freeze is before ``env.today``.

    Raises:
        Skip: no scheduled freeze has passed on ``env.today``.
    """
    passed = [r for r, freeze in _releases_sorted(env.freezes) if freeze < env.today]
    if not passed:
        raise Skip(f"no VEP Freeze in the schedules has passed on {env.today}")
    return passed[-1]


def _named(text: str, key: str) -> str:
    """Replace a TBD or empty ``key`` list with a named GitHub handle."""
    fm, _, _ = fmtext.split(text)
    span = fmtext._entry(fm, key)
    block = "\n".join(fm[span[0] : span[1]]) if span else ""
    if span is None or re.search(r"\bTBD\b|\[\s*\]", block, re.I) or not re.search(r"@?\w", block.split(":", 1)[1]):
        return fmtext.set_entry(text, key, ["@sig-reviewer" if key == "reviewers" else "@sig-approver"], after="authors")
    return text


def _ready_stage(text: str, repo_path: str) -> str:
    """Add ``stage: alpha`` when a VEP (not a process VEP) has no stage (an implementable VEP states its
    stage, docs/vep-governance.md schema)."""
    if _doc(text, repo_path).is_process or fmtext.get_scalar(text, "stage"):
        return text
    return fmtext.set_entry(text, "stage", "alpha", after="feature-gate")


def _set_milestone_alpha(text: str, release: str) -> str:
    """Set ``milestone.alpha`` (other milestone keys kept)."""
    existing = fmtext.milestones(text)
    existing["alpha"] = release
    return fmtext.set_entry(text, "milestone", existing, after="feature-gate")


# -- defect mutators (deterministic rules) ------------------------------------------------------

@mutator
def drop_section(text: str, repo_path: str, env: MutationEnv, section: str) -> Mutation:
    """Delete the required ``##`` section ``section`` (heading, text and subsections).

    Skips when the document has no such section, when the section is required only from
    documents without front matter (VEP Status Metadata) and this one has front matter, and
    when another heading still covers the topic after the deletion (any level, its text
    starting or ending with the section's name or an alias: "Pull Mode M.O. and
    Alternatives", "### API Examples"): then nothing is missing.
    """
    doc = _doc(text, repo_path)
    req = env.template.lookup(section)
    if req is not None and req.without_front_matter_only and doc.front_matter is not None:
        raise Skip(f"'{section}' is not required once the VEP has front matter")
    s = find_section(doc, env.template, section)
    if s is None:
        raise Skip(f"the document has no '{section}' section")
    mutated = _replace_lines(text, s.line, s.end_line, [])
    still = covering_headings(_doc(mutated, repo_path), env.template, section)
    if still:
        raise Skip(f"another heading still covers '{section}' once it is deleted: '{still[0].title}'")
    return Mutation(mutated, repo_path, f"deleted the '{s.title}' section (lines {s.line}-{s.end_line})",
                    section=s.title)


@mutator
def empty_section(text: str, repo_path: str, env: MutationEnv, section: str) -> Mutation:
    """Reset the required section ``section`` to the template's text for it: the template's
    HTML comment (and its empty subsections), nothing written by the author.

    Skips when the document has no such section, when the template has none, or when the
    section is already empty (nothing but headings, comments and template text).
    """
    doc = _doc(text, repo_path)
    s = find_section(doc, env.template, section)
    if s is None:
        raise Skip(f"the document has no '{section}' section")
    if env.template_doc is None:
        raise Skip("the corpus has no template")
    t = find_section(env.template_doc, env.template, section)
    if t is None:
        raise Skip(f"the template has no '{section}' section")
    body = t.body.strip("\n").split("\n")
    if s.body.strip() == t.body.strip() or s.is_empty(env.template.placeholders):
        raise Skip(f"'{section}' is already empty")
    return Mutation(_replace_lines(text, s.line + 1, s.end_line, ["", *body, ""]), repo_path,
                    f"reset '{s.title}' to the template's comment", section=s.title)


@mutator
def remove_feature_gate(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Delete ``feature-gate`` from the front matter (no opt-out justification is added).

    docs/vep-governance.md, Front Matter Schema: "omit field only if VEP body contains
    explicit opt-out justification"; a body that merely names the gate is not one. Skips
    process VEPs (exempt), documents without front matter or without a ``feature-gate`` value,
    and documents whose body opts out of a gate or that go straight to GA
    (:func:`straight_to_ga`): then omitting the field may be allowed.
    """
    _need_gate_field(text, repo_path)
    doc = _doc(text, repo_path)
    if fmtext.body_opts_out(doc):
        raise Skip("the body opts out of a feature gate, so the field may be omitted")
    if straight_to_ga(doc, env.template):
        raise Skip("the VEP goes straight to GA, which may justify having no gate")
    return Mutation(fmtext.remove_entry(text, "feature-gate"), repo_path, "removed feature-gate from the front matter")


#: The weak opt-out planted by :func:`feature_gate_opt_out`: a reason that
#: docs/feature-lifecycle.md calls weak ("it is a simple change").
WEAK_OPT_OUT = "This VEP does not need a feature gate because it is a simple change."
#: An opt-out with no reason at all.
BARE_OPT_OUT = "This VEP does not need a feature gate."


@mutator
def feature_gate_opt_out(text: str, repo_path: str, env: MutationEnv, sentence: str = WEAK_OPT_OUT) -> Mutation:
    """Replace the feature gate by an opt-out: delete ``feature-gate`` from the front matter
    and write ``sentence`` in the Design section. The default sentence gives a
    reason docs/feature-lifecycle.md calls weak ("it is a simple change");
    :data:`BARE_OPT_OUT` gives none.

    docs/vep-governance.md allows omitting the field "only if VEP body contains explicit
    opt-out justification", and docs/feature-lifecycle.md wants "a strong reasoning and
    justification". The sentence goes into a new ``### Feature Gate`` subsection at the end
    of Design, so that no paragraph of the author's is read as its reason. Skips process VEPs
    (exempt), documents without front matter, without a ``feature-gate`` value or without a
    Design section, documents whose body names a feature gate
    (:func:`evals.fmtext.body_feature_gate`: an opt-out would contradict it) and documents
    that go straight to GA (:func:`straight_to_ga`: their Graduation Requirements may already
    give the reason).
    """
    _need_gate_field(text, repo_path)
    doc = _doc(text, repo_path)
    named = fmtext.body_feature_gate(doc)
    if named:
        raise Skip(f"the body names the feature gate `{named}`: an opt-out would contradict it")
    if straight_to_ga(doc, env.template):
        raise Skip("Graduation Requirements goes straight to GA: its text may already justify having no gate")
    s = find_section(doc, env.template, "Design")
    if s is None:
        raise Skip("the document has no Design section")
    mutated = fmtext.remove_entry(text, "feature-gate")
    shift = len(text.split("\n")) - len(mutated.split("\n"))
    end = s.end_line - shift  # the Design section's last line in the mutated text
    mutated = _replace_lines(mutated, end, end, [_doc(mutated, repo_path).lines[end - 1], "", "### Feature Gate", "",
                                                 sentence, ""])
    return Mutation(mutated, repo_path, f"replaced feature-gate by {sentence!r} in a new '### Feature Gate' of "
                    f"'{s.title}'", section=s.title, planted=sentence)


def straight_to_ga(doc: VepDocument, template: Template) -> bool:
    """Whether the sections standing for Graduation Requirements label GA but neither Alpha
    nor Beta (a VEP that goes straight to GA), or say so ("straight to GA", "directly to
    GA", "single lifecycle phase")."""
    wanted = template.lookup("Graduation Requirements")
    keys = wanted.aliases if wanted is not None else {"graduation requirements"}
    text = "\n".join("\n".join(doc.lines[g.line - 1 : g.end_line]) for g in doc.h2() if g.key in keys)
    if re.search(r"straight\s+to\s+GA|directly\s+to\s+GA|single\s+lifecycle\s+phase", doc.body, re.I):
        return True
    if not text:
        return False
    label = r"(?:^|\n)\s*(?:#+\s*|[-*]\s*)?(?:\*\*)?{}\b"
    has = {st: bool(re.search(label.format(st), text, re.I)) for st in ("alpha", "beta", "ga")}
    return has["ga"] and not has["alpha"] and not has["beta"]


@mutator
def implementable_with_tbd_reviewers(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Set ``status: implementable`` with ``reviewers: [TBD]``; everything else the
    provisional -> implementable gate needs is made valid (named approvers, a ``stage``, a
    ``milestone.alpha`` whose VEP Freeze is still ahead, see :func:`future_release`), so
    that only the TBD reviewers are wrong.

    Skips documents without front matter.
    """
    _need_fm(text)
    mutated = fmtext.set_entry(text, "status", "implementable")
    mutated = _ready_stage(_named(mutated, "approvers"), repo_path)
    mutated = fmtext.set_entry(mutated, "reviewers", ["TBD"], after="authors")
    mutated = _set_milestone_alpha(mutated, future_release(env))
    # the reference is the same document with named reviewers: only "TBD" differs
    reference = _named(mutated, "reviewers")
    return Mutation(mutated, repo_path, "status implementable with reviewers [TBD]", reference_text=reference)


@mutator
def invalid_status(text: str, repo_path: str, env: MutationEnv, value: str = "approved") -> Mutation:
    """Set ``status`` to ``value``, which is not one of the seven governance states.

    Skips documents without front matter.
    """
    _need_fm(text)
    if value.lower() in STATES:
        raise ValueError(f"{value!r} is a valid status")
    return Mutation(fmtext.set_entry(text, "status", value), repo_path, f"status: {value}")


@mutator
def illegal_status_transition(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """With the original as base, change ``status`` to a state the governance diagram does
    not allow after the original one (:data:`ILLEGAL_NEXT`, e.g. provisional ->
    implemented).

    Skips documents without front matter or without a valid status.
    """
    _need_fm(text)
    status = _status(text)
    if status not in ILLEGAL_NEXT:
        raise Skip(f"the original status {status!r} is not a governance state")
    target = ILLEGAL_NEXT[status]
    mutated = fmtext.set_entry(text, "status", target)
    return Mutation(mutated, repo_path, f"status {status} -> {target} (original as base)", base_text=text)


@mutator
def implementable_after_freeze(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Make the change a provisional -> implementable transition for a release whose VEP
    Freeze has passed (:func:`past_release`), without a freeze-exception label.

    Base and reference: the original with ``status: provisional``. The mutated document is
    otherwise ready for implementable (named reviewers and approvers, a ``stage``, feature
    gate kept),
    so that only the date is wrong. Skips documents without front matter and process VEPs
    without a milestone.
    """
    _need_fm(text)
    release = past_release(env)
    base = fmtext.set_entry(text, "status", "provisional")
    mutated = fmtext.set_entry(base, "status", "implementable")
    mutated = _ready_stage(_named(_named(mutated, "reviewers"), "approvers"), repo_path)
    mutated = _set_milestone_alpha(mutated, release)
    reference = _set_milestone_alpha(_ready_stage(_named(_named(base, "reviewers"), "approvers"), repo_path), release)
    return Mutation(mutated, repo_path,
                    f"provisional -> implementable for {release} (VEP Freeze {env.freezes[release]}, checked on {env.today})",
                    base_text=base, reference_text=reference)


@mutator
def mismatched_vep_number(text: str, repo_path: str, env: MutationEnv, offset: int = 1000) -> Mutation:
    """Change the number in the H1 title (``# VEP #N: …``) to ``N + offset``; without a
    numbered H1, change the front matter's ``vep-number`` instead.

    Skips documents with neither.
    """
    doc = _doc(text, repo_path)
    title = doc.title
    if title is not None and title.number is not None:
        line = doc.lines[title.line - 1]
        new = re.sub(r"\d+", lambda d: str(title.number + offset) if int(d.group()) == title.number else d.group(),
                     line, count=1)
        if new == line:
            raise Skip(f"cannot find the number {title.number} in the H1 line")
        return Mutation(_replace_lines(text, title.line, title.line, [new]), repo_path,
                        f"H1 number {title.number} -> {title.number + offset}")
    if fmtext.has_front_matter(text):
        value = fmtext.get_scalar(text, "vep-number")
        if value and value.lstrip("#").isdigit():
            n = int(value.lstrip("#"))
            return Mutation(fmtext.set_entry(text, "vep-number", str(n + offset)), repo_path,
                            f"vep-number {n} -> {n + offset}")
    raise Skip("neither the H1 nor the front matter has a VEP number")


@mutator
def bad_directory_name(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Move the document to a directory that is not ``<number>-<lowercase-hyphenated-name>``:
    the name part gets capitals and underscores (``307_Vhostuser_Binding_Plugin``), the
    number is kept.

    Skips documents not at ``veps/<sig>/<number>-<name>/vep.md``.
    """
    parts = repo_path.split("/")
    m = re.match(r"^(\d+)-(.+)$", parts[2]) if len(parts) == 4 and parts[0] == "veps" else None
    if m is None:
        raise Skip("the document is not at veps/<sig>/<number>-<name>/vep.md")
    bad = m.group(1) + "_" + "_".join(w.capitalize() for w in m.group(2).split("-"))
    new_path = "/".join([parts[0], parts[1], bad, parts[3]])
    return Mutation(text, new_path, f"directory {parts[2]} -> {bad}")


@mutator
def unknown_sig(text: str, repo_path: str, env: MutationEnv, field: str = "participating-sigs",
                value: str = "sig-virtualization") -> Mutation:
    """Name a SIG that does not exist (``value``, not a ``veps/sig-*`` directory) in the
    front matter ``field`` (``participating-sigs`` or ``owning-sig``).

    Skips documents without front matter.
    """
    _need_fm(text)
    if value in env.sigs:
        raise ValueError(f"{value} is a real SIG")
    if field == "participating-sigs":
        mutated = fmtext.set_entry(text, field, [value], after="owning-sig")
    else:
        mutated = fmtext.set_entry(text, field, value)
    return Mutation(mutated, repo_path, f"{field}: {value}")


@mutator
def remove_front_matter(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Delete the whole front matter block, with the original (which has it) as base.

    Skips documents without front matter.
    """
    _need_fm(text)
    body = fmtext.strip_front_matter(text).lstrip("\n")
    return Mutation(body, repo_path, "removed the front matter (base has it)", base_text=text)


# -- design-gap mutators (LLM reviewer) ------------------------------------------------------------

@mutator
def update_rollback_na(text: str, repo_path: str, env: MutationEnv, answer: str = "N/A") -> Mutation:
    """Reduce the Update/Rollback Compatibility section to ``answer`` ("N/A"): no upgrade,
    downgrade or skew story at all.

    Skips documents without that section.
    """
    doc = _doc(text, repo_path)
    s = find_section(doc, env.template, "Update/Rollback Compatibility")
    if s is None:
        raise Skip("the document has no Update/Rollback Compatibility section")
    return Mutation(_replace_lines(text, s.line + 1, s.end_line, ["", answer, ""]), repo_path,
                    f"'{s.title}' reduced to {answer!r}", section=s.title, planted=answer)


@mutator
def cross_sig_api_change(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Add to the Design section an API change in another SIG's area (a new field under an
    API path that ../shared/data/sig-taxonomy.yaml assigns to that SIG) and set
    ``participating-sigs: []``.

    The other SIG: sig-storage for sig-network VEPs, sig-network for sig-storage VEPs, else
    sig-network (see :data:`OTHER_SIG`). Skips documents without front matter or Design.
    """
    _need_fm(text)
    owning = fmtext.get_scalar(text, "owning-sig") or repo_path.split("/")[1]
    other = OTHER_SIG.get(owning, "sig-network")
    api_field, noun, _ = SIG_API_FIELDS[other]
    leaf = api_field.rsplit(".", 1)[1]
    paragraph = (f"To support this, we add a new field `{api_field}` to the VirtualMachineInstance API: "
                 f"virt-controller sets `{leaf}` on every entry of `{noun}` when the feature is in use, "
                 f"and virt-launcher reads it when building the domain.")
    mutated = fmtext.set_entry(text, "participating-sigs", [], after="owning-sig")
    doc = _doc(mutated, repo_path)
    s = find_section(doc, env.template, "Design")
    if s is None:
        raise Skip("the document has no Design section")
    mutated = _replace_lines(mutated, s.line, s.line, [doc.lines[s.line - 1], "", paragraph])
    return Mutation(mutated, repo_path, f"API change to {api_field} ({other}) with participating-sigs: []",
                    section=s.title, planted=paragraph, sig=other)


@mutator
def non_goal_excludes_live_migration(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Add a Non Goal that excludes live migration with no reason and no follow-up: VMs that
    use the feature silently become non-migratable (node drains and upgrades then need
    them shut down).

    Skips documents without a Non Goals section or that already talk about migration there.
    """
    doc = _doc(text, repo_path)
    s = find_section(doc, env.template, "Non Goals")
    if s is None:
        raise Skip("the document has no Non Goals section")
    if re.search(r"migrat", s.body, re.I):
        raise Skip("the Non Goals section already discusses migration")
    bullet = "- Supporting live migration of VMs that use this feature."
    mutated = _replace_lines(text, s.line, s.line, [doc.lines[s.line - 1], "", bullet])
    return Mutation(mutated, repo_path, "Non Goal excludes live migration without justification",
                    section=s.title, planted=bullet)


# -- more defect mutators: front matter shape, layout, release metadata, sections -----------------

@mutator
def remove_required_field(text: str, repo_path: str, env: MutationEnv, field: str = "owning-sig") -> Mutation:
    """Delete the required front matter ``field`` (docs/vep-governance.md, Front Matter
    Schema; one of title, vep-number, creation-date, status, authors, owning-sig,
    reviewers, approvers).

    Skips documents without front matter or without that field.
    """
    _need_fm(text)
    fm, _, _ = fmtext.split(text)
    if fmtext._entry(fm, field) is None:
        raise Skip(f"the front matter has no {field}")
    return Mutation(fmtext.remove_entry(text, field), repo_path, f"removed {field} from the front matter")


@mutator
def duplicate_key(text: str, repo_path: str, env: MutationEnv, key: str = "status") -> Mutation:
    """Write the one-line front matter entry ``key`` a second time, unchanged, at the end of
    the block (YAML loaders silently keep the last one; here both say the same, so only the
    repetition is wrong).

    Skips documents without front matter or without a one-line ``key`` entry.
    """
    _need_fm(text)
    fm, delims, body = fmtext.split(text)
    span = fmtext._entry(fm, key)
    if span is None or span[1] - span[0] != 1:
        raise Skip(f"the front matter has no one-line {key} entry")
    return Mutation(fmtext.join([*fm, fm[span[0]]], delims, body), repo_path, f"{key} given twice")


@mutator
def unterminated_front_matter(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Delete the closing ``---`` of the front matter, so that the block runs into the
    markdown body and no YAML loader can read it.

    Skips documents without front matter, and documents with a later ``---`` line (a
    markdown rule), which would close the block there instead.
    """
    _need_fm(text)
    fm, delims, body = fmtext.split(text)
    if any(re.fullmatch(r"-{3,}\s*", line) for line in body):
        raise Skip("a later '---' line in the body would close the block")
    return Mutation("\n".join([delims[0], *fm, *body]), repo_path, "removed the closing --- of the front matter")


@mutator
def wrong_owning_sig(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Set ``owning-sig`` to a real SIG other than the one whose directory holds the VEP
    (the first other ``sig-*`` directory of the corpus, alphabetically).

    Skips documents without front matter and documents outside a ``veps/sig-*/`` folder.
    """
    _need_fm(text)
    parts = repo_path.split("/")
    if len(parts) < 3 or not parts[1].startswith("sig-"):
        raise Skip("the document is not in a veps/sig-*/ directory")
    other = sorted(s for s in env.sigs if s != parts[1])
    if not other:
        raise Skip("the corpus has no other SIG")
    return Mutation(fmtext.set_entry(text, "owning-sig", other[0]), repo_path,
                    f"owning-sig {other[0]} for a VEP under {parts[1]}/")


@mutator
def replaced_without_successor(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Set ``status: replaced`` and leave ``superseded-by`` empty: a replaced VEP that does not
    say which VEP replaced it.

    Skips documents without front matter.
    """
    _need_fm(text)
    mutated = fmtext.set_entry(text, "status", "replaced")
    mutated = fmtext.set_entry(mutated, "superseded-by", "")
    return Mutation(mutated, repo_path, "status: replaced with superseded-by empty",
                    reference_text=fmtext.set_entry(text, "superseded-by", ""))


_BODY_TARGET_RE = re.compile(r"^[-*\s]*This VEP targets (alpha) for version:\s*v?(\d+)\.(\d+)", re.I | re.M)


@mutator
def milestone_disagrees_with_body(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Set ``milestone.alpha`` one minor release later than the body's "This VEP targets
    alpha for version: vX.Y" line, so that the front matter and the body disagree.

    Skips documents without front matter or without such a body line.
    """
    _need_fm(text)
    m = _BODY_TARGET_RE.search(fmtext.strip_front_matter(text))
    if m is None:
        raise Skip("the body names no alpha target release")
    release = f"v{m.group(2)}.{int(m.group(3)) + 1}"
    return Mutation(_set_milestone_alpha(text, release), repo_path,
                    f"milestone.alpha {release}, the body says v{m.group(2)}.{m.group(3)}",
                    reference_text=_set_milestone_alpha(text, f"v{m.group(2)}.{m.group(3)}"))


@mutator
def stage_without_milestone(text: str, repo_path: str, env: MutationEnv, stage: str = "beta") -> Mutation:
    """Set ``stage`` to ``stage`` (beta) and remove ``milestone.<stage>``: the VEP claims a
    stage no release was named for.

    The reference is the same document with ``milestone.<stage>`` set (the latest of the
    body's target release for that stage, ``milestone.alpha`` and :func:`future_release`),
    so that what a current beta stage requires anyway (on-by-default readiness, an
    Implementation History) is not counted against the rule. Skips documents without front matter and process VEPs
    (exempt from stage).
    """
    _need_fm(text)
    _need_feature_vep(text, repo_path, "stage")
    kept = {k: v for k, v in fmtext.milestones(text).items() if k != stage}
    staged = fmtext.set_entry(text, "stage", stage, after="feature-gate")
    mutated = fmtext.set_entry(staged, "milestone", kept, after="stage") if kept else fmtext.remove_entry(staged, "milestone")
    body_target = re.search(rf"targets\s+{stage}\s+for\s+version:\s*v?(\d+\.\d+)", fmtext.strip_front_matter(text), re.I)
    # the latest of the body's target, milestone.alpha and the next release still open for VEPs
    candidates = [future_release(env)] + [v for v in [kept.get("alpha", "")] if release_key(v)]
    if body_target:
        candidates.append(f"v{body_target.group(1)}")
    release = max(candidates, key=release_key)
    reference = fmtext.set_entry(staged, "milestone", {**kept, stage: release}, after="stage")
    return Mutation(mutated, repo_path, f"stage: {stage} without milestone.{stage}", reference_text=reference)


@mutator
def misnamed_document(text: str, repo_path: str, env: MutationEnv, name: str = "proposal.md") -> Mutation:
    """Rename the main document of the VEP directory from ``vep.md`` to ``name``.

    The directory gets a ``-draft`` suffix as well (still a valid ``<number>-<name>``): the
    corpus checkout keeps the original ``vep.md`` in the original directory, and a file
    beside a ``vep.md`` is a supplementary document, not a misnamed VEP. Skips documents not
    at ``veps/<sig>/<dir>/vep.md``.
    """
    parts = repo_path.split("/")
    if len(parts) != 4 or parts[3] != "vep.md":
        raise Skip("the document is not at veps/<sig>/<dir>/vep.md")
    new_path = "/".join([parts[0], parts[1], parts[2] + "-draft", name])
    return Mutation(text, new_path, f"vep.md renamed to {name} (in {parts[2]}-draft/)",
                    reference_repo_path="/".join([parts[0], parts[1], parts[2] + "-draft", "vep.md"]))


@mutator
def drop_graduation_stage(text: str, repo_path: str, env: MutationEnv, stage: str = "Beta") -> Mutation:
    """Delete the ``stage`` subsection (heading and text, e.g. ``### Beta``) of Graduation
    Requirements, so that the section no longer labels that stage. A VEP with several
    sections that stand for Graduation Requirements (the older "Implementation Phases" and
    "Feature lifecycle Phases") loses the stage in each of them.

    Skips process VEPs (exempt), documents that say they have no feature gate (then no stage is
    required), that say they skip the stage (or strike its target line through), that have
    no heading for the stage in those sections, that still label the stage another way
    after the deletion (a bold label, a ``Beta:`` line), and documents without a named
    feature gate left with GA alone (:func:`straight_to_ga`: that reads as going straight
    to GA; with a gate it cannot, feature-lifecycle.md).
    """
    _need_feature_vep(text, repo_path, "graduation stages")
    doc = _doc(text, repo_path)
    if fmtext.body_opts_out(doc):
        raise Skip("the VEP says it has no feature gate, so it has no Alpha/Beta stages to label")
    said = re.search(rf"\b{stage}\b[^.\n]{{0,30}}\bskipped\b|\bskip\w*\b[^.\n]{{0,40}}\b{stage}\b|"
                     rf"~[^~\n]*targets\s+{stage}[^~\n]*~", doc.body, re.I)
    if said:
        raise Skip(f"the VEP says it skips {stage}: {said.group(0)!r}")
    wanted = env.template.lookup("Graduation Requirements")
    keys = wanted.aliases if wanted is not None else {"graduation requirements"}
    grads = [g for g in doc.h2() if g.key in keys]
    if not grads:
        raise Skip("the document has no Graduation Requirements section")
    subs = [s for g in grads for s in doc.sections
            if s.level > g.level and g.line < s.line <= g.end_line and re.match(rf"^{stage}\b", s.title.strip(), re.I)]
    if not subs:
        raise Skip(f"Graduation Requirements has no '{stage}' heading")
    mutated = text
    for s in sorted(subs, key=lambda s: -s.line):
        mutated = _replace_lines(mutated, s.line, s.end_line, [])
    rest = _doc(mutated, repo_path)
    for g in (g for g in rest.h2() if g.key in keys):
        body = "\n".join(rest.lines[g.line : g.end_line])
        if re.search(rf"(^|\n)\s*(#+\s*|[-*]\s*)?(\*\*)?{stage}\b", body, re.I) or \
                re.search(rf"\bskip\w*\b.{{0,40}}\b{stage}\b", body, re.I):
            raise Skip(f"'{g.title}' still names the {stage} stage after the headings are deleted")
    gated = bool(fmtext.get_scalar(text, "feature-gate") or fmtext.body_feature_gate(doc))
    if straight_to_ga(rest, env.template) and not gated:
        raise Skip(f"without its {stage} stage the section reads as going straight to GA (and no gate is named)")
    return Mutation(mutated, repo_path, f"deleted the {stage} stage of {', '.join(repr(g.title) for g in grads)}",
                    section=grads[0].title)


@mutator
def swap_sections(text: str, repo_path: str, env: MutationEnv, first: str = "Goals", second: str = "Non Goals") -> Mutation:
    """Swap two required ``##`` sections (whole sections, subsections included) that the
    template orders ``first`` before ``second``.

    Skips documents without both sections, or where they are not adjacent in template order
    already (then other order findings could mix in).
    """
    doc = _doc(text, repo_path)
    a, b = find_section(doc, env.template, first), find_section(doc, env.template, second)
    if a is None or b is None:
        raise Skip(f"the document lacks '{first}' or '{second}'")
    if not (a.end_line + 1 == b.line or a.end_line + 1 < b.line and not "".join(doc.lines[a.end_line : b.line - 1]).strip()):
        raise Skip(f"'{first}' is not directly followed by '{second}'")
    lines = doc.lines
    block_a = lines[a.line - 1 : a.end_line]
    block_b = lines[b.line - 1 : b.end_line]
    between = lines[a.end_line : b.line - 1]
    new = block_b + (between or [""]) + block_a
    if block_b and block_b[-1].strip():
        new = block_b + [""] + block_a
    return Mutation(_replace_lines(text, a.line, b.end_line, new), repo_path, f"'{second}' moved before '{first}'")


@mutator
def duplicate_section(text: str, repo_path: str, env: MutationEnv, section: str = "Goals") -> Mutation:
    """Append a second copy of the required ``##`` section ``section`` (its own text, up to
    its first subsection) at the end of the document, as a merge that kept both sides does.

    Skips documents without the section.
    """
    doc = _doc(text, repo_path)
    s = find_section(doc, env.template, section)
    if s is None:
        raise Skip(f"the document has no '{section}' section")
    own_end = next((t.line - 1 for t in doc.sections_after(s.line) if t.line <= s.end_line), s.end_line)
    copy = doc.lines[s.line - 1 : own_end]
    lines = text.rstrip("\n").split("\n")
    return Mutation("\n".join([*lines, "", *copy]).rstrip("\n") + "\n", repo_path,
                    f"appended a copy of '{s.title}' (lines {s.line}-{own_end})", section=s.title)


# -- document, layout and front matter shape: the rules no defect above reaches ----------------

@mutator
def empty_document(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Replace the whole document with nothing, as a placeholder ``vep.md`` committed before
    the proposal is written looks."""
    return Mutation("", repo_path, "emptied the file")


@mutator
def invalid_utf8(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Turn one character of the Overview (or the first paragraph) into a byte that is not
    UTF-8 (a Latin-1 ``é``), as an editor saving in the wrong encoding does.

    The mutated text is carried as ``str`` with a lone surrogate that the harness writes
    back as the raw byte ``0xE9``; skips documents without an Overview line to edit.
    """
    doc = _doc(text, repo_path)
    section = doc.find("Overview") or next((s for s in doc.sections if s.level == 2), None)
    line_no = next((i for i in range(section.line + 1, section.end_line + 1)
                    if doc.lines[i - 1].strip() and not doc.lines[i - 1].startswith("<")), None) if section else None
    if line_no is None:
        raise Skip("no prose line to edit")
    lines = text.split("\n")
    lines[line_no - 1] = lines[line_no - 1] + " caf\udce9"  # surrogateescape of byte 0xE9
    return Mutation("\n".join(lines), repo_path, f"a Latin-1 byte on line {line_no}")


@mutator
def flatten_path(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Move ``veps/<sig>/<number>-<name>/vep.md`` to the old flat layout
    ``veps/<sig>/<name>.md`` (meta-VEP 282, "Migration of Existing VEPs").

    The reference is the document at a conforming path without the number (so that the
    lost directory number is not counted against other rules). Skips documents not at
    ``veps/<sig>/<number>-<name>/vep.md``.
    """
    parts = repo_path.split("/")
    m = re.match(r"^(\d+)-(.+)$", parts[2]) if len(parts) == 4 and parts[0] == "veps" else None
    if m is None:
        raise Skip("the document is not at veps/<sig>/<number>-<name>/vep.md")
    return Mutation(text, f"veps/{parts[1]}/{m.group(2)}.md", f"moved to veps/{parts[1]}/{m.group(2)}.md")


@mutator
def title_without_number(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Drop ``VEP #N:`` from the H1, keeping the title text (``# VEP #307: Foo`` -> ``# Foo``).

    Skips documents whose H1 does not start with ``VEP``.
    """
    doc = _doc(text, repo_path)
    title = doc.title
    if title is None or not title.text.upper().startswith("VEP") or not title.title:
        raise Skip("the H1 is not a 'VEP #N: title' heading")
    lines = text.split("\n")
    lines[title.line - 1] = f"# {title.title}"
    return Mutation("\n".join(lines), repo_path, f"H1 '{title.text}' -> '{title.title}'")


@mutator
def drop_front_matter(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Delete the whole front matter block *without* a base version, as a VEP that was never
    migrated to VEP-282 front matter looks (a warning, "not yet migrated").

    Skips documents without front matter.
    """
    _need_fm(text)
    return Mutation(fmtext.strip_front_matter(text).lstrip("\n"), repo_path, "no front matter (no base)")


@mutator
def unquoted_creation_date(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Write ``creation-date`` without quotes, which YAML 1.1 loaders turn into a date object
    (docs/vep-governance.md writes it quoted).

    Skips documents without front matter or without a ``creation-date`` value.
    """
    _need_fm(text)
    value = fmtext.get_scalar(text, "creation-date")
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise Skip("no YYYY-MM-DD creation-date")
    fm, delims, body = fmtext.split(text)
    span = fmtext._entry(fm, "creation-date")
    fm[span[0]] = f"creation-date: {value}"
    return Mutation(fmtext.join(fm, delims, body), repo_path, f"creation-date: {value} (unquoted)")


@mutator
def creation_date_in_future(text: str, repo_path: str, env: MutationEnv, years: int = 27) -> Mutation:
    """Move ``creation-date`` ``years`` after the day the checks run on (a typo such as
    ``2052`` for ``2025``; docs/vep-governance.md: the date the VEP was proposed).

    Skips documents without front matter or without a ``creation-date`` value.
    """
    _need_fm(text)
    value = fmtext.get_scalar(text, "creation-date")
    if not value:
        raise Skip("no creation-date")
    future = env.today.replace(year=env.today.year + years, day=min(env.today.day, 28))
    fm, delims, body = fmtext.split(text)
    span = fmtext._entry(fm, "creation-date")
    fm[span[0]] = f'creation-date: "{future.isoformat()}"'
    return Mutation(fmtext.join(fm, delims, body), repo_path, f"creation-date: {future.isoformat()}")


@mutator
def misspelled_key(text: str, repo_path: str, env: MutationEnv, key: str = "participating-sigs",
                   misspelling: str = "participating-sig") -> Mutation:
    """Rename the front matter key ``key`` to ``misspelling`` (a key the schema does not have).

    Skips documents without front matter or without ``key``.
    """
    _need_fm(text)
    fm, delims, body = fmtext.split(text)
    span = fmtext._entry(fm, key)
    if span is None:
        raise Skip(f"the front matter has no {key}")
    fm[span[0]] = fm[span[0]].replace(key, misspelling, 1)
    return Mutation(fmtext.join(fm, delims, body), repo_path, f"{key} -> {misspelling}")


@mutator
def beta_without_on_by_default_readiness(text: str, repo_path: str, env: MutationEnv) -> Mutation:
    """Target beta (``stage: beta``, ``milestone.beta`` an open release) and remove every
    "On-By-Default Readiness" heading and its text (meta-VEP 229 asks for it from beta on).

    The reference targets beta the same way and keeps a filled readiness section, so only
    the missing section differs. Skips documents without front matter and process VEPs.
    """
    _need_fm(text)
    _need_feature_vep(text, repo_path, "stage")
    release = future_release(env)
    kept = fmtext.milestones(text)
    kept["beta"] = release
    staged = fmtext.set_entry(fmtext.set_entry(text, "stage", "beta", after="feature-gate"), "milestone", kept, after="stage")
    doc = _doc(staged, repo_path)
    readiness = [s for s in doc.sections if "by default" in s.title.lower()]
    mutated = staged
    for s in sorted(readiness, key=lambda s: -s.line):
        mutated = _replace_lines(mutated, s.line, s.end_line, [])
    graduation = find_section(_doc(mutated, repo_path), env.template, "Graduation Requirements")
    if graduation is None:
        raise Skip("no Graduation Requirements section to hold the readiness section")
    if graduation.is_empty(env.template.placeholders):
        raise Skip("Graduation Requirements would be left empty (another rule's finding)")
    section = ["", "### On-By-Default Readiness", "",
               "The feature will be enabled by default once it has run one release at beta with no regressions", ""]
    reference = _replace_lines(mutated, graduation.end_line, graduation.end_line,
                               [_doc(mutated, repo_path).lines[graduation.end_line - 1], *section])
    return Mutation(mutated, repo_path, f"stage beta for {release} without On-By-Default Readiness",
                    reference_text=reference)
