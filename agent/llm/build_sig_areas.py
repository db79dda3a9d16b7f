"""Generate ``agent/data/sig-areas.yaml`` (the cross-SIG pre-pass's data) from the shared
SIG taxonomy.

Usage::

    python -m agent.llm.build_sig_areas ../shared/data/sig-taxonomy.yaml > agent/data/sig-areas.yaml
    python -m agent.llm.build_sig_areas --check ../shared/data/sig-taxonomy.yaml   # exit 1 if stale

Derivation (what is kept, what is dropped, and why); the taxonomy itself was compiled from the
``sig/*`` labels of kubevirt/kubevirt's OWNERS files, its API types and kubevirt/community's
``sigs.yaml``:

- **Kept per SIG:** code paths (owned and inferred), API type names, API field paths and
  domain terms: the four kinds of evidence a VEP's text can contain.
- **Dropped:** OWNERS aliases, labels, notes, sources and confidence levels (not matched
  against text); API group lines (their types are listed separately).
- **Code paths** with a single path segment (``hack``, ``tests``, ``tools``, ``automation``,
  ``bazel``) and the root-OWNERS filter line are dropped: as words they match prose.
- **API types** that every VEP mentions (``VirtualMachine``, ``VirtualMachineInstance`` and
  their ``Spec``/``Status``, ``KubeVirt``) are dropped: they say nothing about which SIG a
  change touches. Types that are plain English words (``Disk``, ``Network``, ``Clock``) go to
  ``quoted_types``: they count only when written as code (in backticks).
- **API fields** become their last two path segments (``spec.domain.devices.interfaces`` ->
  ``devices.interfaces``): VEPs write fields as YAML or as short dotted paths, rarely in full.
- **Terms** that appear in almost every VEP whatever its SIG (template words such as
  ``upgrade``, ``feature gate``, ``unit tests``, ``functional tests``, ``GA``) or that are plain
  words in other senses (``build``, ``export``, ``events``, ``scheduling``, ``preference``) are
  dropped (:data:`GENERIC_TERMS`); a parenthesised explanation is cut (``backend storage
  (persistent TPM/EFI state)`` -> ``backend storage``); a wildcard term becomes a pattern
  (``kubevirt_* metric names`` -> ``kubevirt_\\w+``).
- **Cross-SIG topics** (``cross_sig.topics``) are kept with the SIGs they involve, plus trigger
  terms chosen here (:data:`TOPIC_TERMS`, vep-review's own choice): the taxonomy names the
  topics but gives no words for them.

The output is deterministic (sorted where the source order carries no meaning, source order
otherwise) so that ``--check`` can tell whether the committed file is current.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

#: API types mentioned by nearly every VEP: no signal about which SIG is touched.
UBIQUITOUS_TYPES = {
    "VirtualMachine", "VirtualMachineSpec", "VirtualMachineStatus", "VirtualMachineInstance",
    "VirtualMachineInstanceSpec", "VirtualMachineInstanceStatus", "KubeVirt", "KubeVirtSpec", "KubeVirtStatus",
}

#: Terms that appear in most VEPs whatever their SIG, or that are ordinary words in another sense.
GENERIC_TERMS = {
    "upgrade", "install", "uninstall", "feature gate", "unit tests", "functional tests", "e2e", "GA",
    "build", "export", "events", "conditions", "logging", "scheduling", "preference", "restore", "clone",
    "providers", "burst", "API version", "conversion", "release notes", "backup", "firmware", "metrics",
}

#: Trigger terms of the taxonomy's cross-SIG topics (vep-review's own choice of words).
TOPIC_TERMS = {
    "live_migration": ["live migration", "live-migrate", "migration target", "target pod"],
    "hotplug": ["hotplug", "hot-plug", "hot plug", "hotunplug", "hot-unplug", "unplug"],
    "vm_clone": ["VirtualMachineClone", "VM clone"],
    "snapshot_restore": ["snapshot", "VirtualMachineRestore"],
    "new_metrics_or_alerts": ["new metric", "Prometheus", "alert", "metrics"],
    "new_api_fields": ["new field", "new API field", "API change", "new CRD"],
    "new_controllers_or_watches": ["new controller", "informer", "watch on", "watches"],
    "cloud_init_and_sysprep_volumes": ["cloud-init", "cloudInit", "sysprep"],
    "downward_metrics": ["downward metrics", "downwardMetrics"],
    "new_ci_lanes_or_providers": ["CI lane", "test lane", "kubevirtci provider"],
}
#: Topics dropped: every VEP has them (feature gates are in the template).
SKIPPED_TOPICS = {"feature_gates"}


def _is_plain_word(name: str) -> bool:
    """``Disk`` or ``CPU`` (one word) rather than ``DataVolumeSource`` (a compound)."""
    return len(re.findall(r"[A-Z][a-z0-9]+|[A-Z]+(?![a-z])", name)) <= 1


def _clean_term(term: str) -> tuple[str, bool]:
    """(term, is_pattern)."""
    term = re.sub(r"\s*\(.*?\)\s*", " ", term).strip()
    if "*" in term:
        stem = term.split("*")[0]
        return re.escape(stem) + r"\w+", True
    return term, False


def _paths(entry: dict) -> list[str]:
    code = entry.get("code_paths") or {}
    out = []
    for group in ("owners", "inferred"):
        for p in code.get(group) or []:
            p = str(p).strip()
            if "/" not in p or " " in p:
                continue
            out.append(p)
    return out


def derive(taxonomy: dict, source_name: str, source_bytes: bytes) -> dict:
    """The ``sig-areas`` mapping from a loaded taxonomy (see the module docstring)."""
    sigs = {}
    for sig, entry in (taxonomy.get("sigs") or {}).items():
        entry = entry or {}
        types, quoted_types = [], []
        for t in entry.get("api_types") or []:
            t = str(t).strip()
            if t in UBIQUITOUS_TYPES:
                continue
            (quoted_types if _is_plain_word(t) else types).append(t)
        fields = []
        for f in entry.get("api_fields") or []:
            parts = str(f).strip().split(".")
            tail = ".".join(parts[-2:]) if len(parts) >= 2 else parts[0]
            if tail not in fields:
                fields.append(tail)
        terms, patterns = [], []
        for raw in entry.get("terms") or []:
            term, is_pattern = _clean_term(str(raw))
            if term in GENERIC_TERMS:
                continue
            (patterns if is_pattern else terms).append(term)
        area = {"paths": _paths(entry), "types": types, "quoted_types": quoted_types, "fields": fields, "terms": terms}
        if patterns:
            area["patterns"] = patterns
        sigs[sig] = {k: v for k, v in area.items() if v}
    topics = {}
    for topic, involved in ((taxonomy.get("cross_sig") or {}).get("topics") or {}).items():
        if topic in SKIPPED_TOPICS:
            continue
        topics[topic] = {"sigs": list(involved), "terms": TOPIC_TERMS.get(topic, [topic.replace("_", " ")])}
    shared = {p: list(s) for p, s in ((taxonomy.get("cross_sig") or {}).get("shared_paths") or {}).items() if "/" in p}
    return {
        "version": 1,
        "source": {"file": source_name, "sha256": hashlib.sha256(source_bytes).hexdigest()},
        "sigs": sigs,
        "shared_paths": shared,
        "topics": topics,
    }


HEADER = """\
# Generated by `python -m agent.llm.build_sig_areas {name}`: do not edit by hand.
# Data of the cross-SIG pre-pass (agent/llm/taxonomy.py): per SIG, the code paths, API types,
# API fields and domain terms whose mention in a VEP suggests that the SIG is affected.
# Derived from the shared SIG taxonomy (kubevirt/kubevirt OWNERS sig/* labels and API types,
# kubevirt/community sigs.yaml); the derivation is documented in agent/llm/build_sig_areas.py.
"""


def render(taxonomy_path: Path) -> str:
    """The YAML text of ``sig-areas.yaml`` for the taxonomy at ``taxonomy_path``."""
    import yaml

    raw = taxonomy_path.read_bytes()
    data = derive(yaml.safe_load(raw), taxonomy_path.name, raw)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    return HEADER.format(name=taxonomy_path.name) + body


def main(argv: list[str] | None = None) -> int:
    """Print the generated file, or with ``--check`` compare it with the committed one."""
    parser = argparse.ArgumentParser(prog="python -m agent.llm.build_sig_areas", description=__doc__.split("\n\n")[0])
    parser.add_argument("taxonomy", type=Path, help="sig-taxonomy.yaml")
    parser.add_argument("--check", action="store_true", help="exit 1 when agent/data/sig-areas.yaml differs")
    args = parser.parse_args(argv)
    text = render(args.taxonomy)
    if args.check:
        committed = Path(__file__).resolve().parent.parent / "data" / "sig-areas.yaml"
        if committed.read_text(encoding="utf-8") != text:
            print(f"{committed} is stale: regenerate it with python -m agent.llm.build_sig_areas", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
