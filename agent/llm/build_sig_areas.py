"""Generate ``agent/data/sig-areas.yaml`` (the cross-SIG pre-pass's data) from the shared
SIG taxonomy.

Usage::

    python -m agent.llm.build_sig_areas ../shared/data/sig-taxonomy.yaml > agent/data/sig-areas.yaml
    python -m agent.llm.build_sig_areas --check ../shared/data/sig-taxonomy.yaml   # exit 1 if stale

The corpus of VEPs the common terms are measured on (below) is ``--corpus``, by default the
``corpus/kubevirt-enhancements`` checkout beside the taxonomy's folder (``../shared``).

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
- **Sister projects** (:data:`PROJECTS`, vep-review's own list; ``projects`` in the file): the
  KubeVirt projects beside kubevirt/kubevirt (CDI, SSP, HCO, CNAO, HPP…) and the network and
  storage providers VEPs depend on (Multus, OVN-Kubernetes, CSI drivers), each with the SIG it
  sits with, its repository, what it owns and the names that identify it. A project's name in a
  VEP counts for that SIG (kind ``project``); its names are taken out of the SIG's terms so that
  they count once. The cross-SIG reviewer is shown the list, so that "this belongs in CDI" can
  be said and grounded.
- **Common terms** (``common`` in the file): measured, not chosen. Every item above is matched
  against every VEP of the corpus (:func:`measure`); an item found in at least
  :data:`COMMON_DF` of the VEPs of *each* SIG that has at least :data:`MIN_SIG_VEPS` VEPs
  (``virt-launcher``, ``virt-handler``, ``libvirt``, live migration…) says nothing about which
  SIG a VEP touches: it is taken out of the matchers and listed under ``common`` with its
  document frequency per SIG.

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

#: An item found in at least this share of the VEPs of every SIG with :data:`MIN_SIG_VEPS` VEPs
#: or more is common to all SIGs: no evidence (measured by :func:`measure`).
COMMON_DF = 0.3
#: SIGs with fewer VEPs in the corpus are too small to measure a share on.
MIN_SIG_VEPS = 5

#: KubeVirt sister projects and the providers VEPs depend on: the SIG each sits with (the SIG
#: whose VEPs would involve it), its repository, what it owns, and the names that identify it
#: in a VEP (case-sensitive when a capital follows the first letter). vep-review's own list,
#: from the projects' READMEs and the taxonomy's ``subprojects``.
PROJECTS = {
    "CDI": {"sig": "sig-storage", "repo": "kubevirt/containerized-data-importer",
            "owns": "importing, uploading and cloning disk images into PVCs (DataVolume, DataSource, "
                    "DataImportCron golden images, StorageProfile)",
            "terms": ["CDI", "containerized-data-importer", "DataImportCron", "StorageProfile"]},
    "HPP": {"sig": "sig-storage", "repo": "kubevirt/hostpath-provisioner",
            "owns": "a CSI provisioner of local storage on node host paths, and its operator",
            "terms": ["HPP", "hostpath-provisioner", "hostpath provisioner"]},
    "kubevirt-csi-driver": {"sig": "sig-storage", "repo": "kubevirt/csi-driver",
                            "owns": "storage for tenant clusters running in KubeVirt VMs, from the infra cluster",
                            "terms": ["kubevirt-csi-driver", "KubeVirt CSI driver"]},
    "kubevirt-velero-plugin": {"sig": "sig-storage", "repo": "kubevirt/kubevirt-velero-plugin",
                               "owns": "backup and restore of VMs and their disks with Velero",
                               "terms": ["kubevirt-velero-plugin", "Velero plugin"]},
    "storage providers": {"sig": "sig-storage", "repo": "CSI drivers outside KubeVirt",
                          "owns": "the volumes, snapshots and access modes a VEP's storage relies on",
                          "terms": ["Ceph", "Rook", "OpenShift Data Foundation", "ODF", "Portworx", "Trident",
                                    "Longhorn", "storage provider", "CSI driver"]},
    "SSP": {"sig": "sig-compute", "repo": "kubevirt/ssp-operator",
            "owns": "common VM templates and their validator, the golden-image DataImportCrons of those "
                    "templates, the VM console proxy",
            "terms": ["SSP", "ssp-operator", "common templates", "common-templates", "template validator"]},
    "common-instancetypes": {"sig": "sig-compute", "repo": "kubevirt/common-instancetypes",
                             "owns": "the instancetypes and preferences deployed cluster-wide",
                             "terms": ["common-instancetypes", "common instancetypes"]},
    "HCO": {"sig": "sig-control-plane", "repo": "kubevirt/hyperconverged-cluster-operator",
            "owns": "one operator and HyperConverged CR that install and configure KubeVirt, CDI, CNAO, SSP "
                    "and HPP together (bundle-wide defaults and feature gates)",
            "terms": ["HCO", "hyperconverged-cluster-operator", "HyperConverged"]},
    "CNAO": {"sig": "sig-network", "repo": "kubevirt/cluster-network-addons-operator",
             "owns": "deploying the secondary-network components (Multus, bridge and macvtap CNI, kubemacpool, "
                     "OVS, kube-secondary-dns, the passt binding)",
             "terms": ["CNAO", "cluster-network-addons-operator", "cluster network addons operator",
                       "NetworkAddonsConfig"]},
    "Multus": {"sig": "sig-network", "repo": "k8snetworkplumbingwg/multus-cni",
               "owns": "attaching secondary networks to pods (NetworkAttachmentDefinition)",
               "terms": ["Multus", "multus-cni"]},
    "multus-dynamic-networks-controller": {
        "sig": "sig-network", "repo": "k8snetworkplumbingwg/multus-dynamic-networks-controller",
        "owns": "hot-plugging network interfaces into running pods",
        "terms": ["multus-dynamic-networks-controller", "dynamic networks controller"]},
    "kubemacpool": {"sig": "sig-network", "repo": "k8snetworkplumbingwg/kubemacpool",
                    "owns": "allocating VM MAC addresses from a pool", "terms": ["kubemacpool"]},
    "macvtap-cni": {"sig": "sig-network", "repo": "kubevirt/macvtap-cni",
                    "owns": "the macvtap CNI and device plugin", "terms": ["macvtap-cni"]},
    "ipam-extensions": {"sig": "sig-network", "repo": "kubevirt/ipam-extensions",
                        "owns": "persistent IP addresses of VMs on secondary networks (IPAMClaim)",
                        "terms": ["ipam-extensions", "kubevirt-ipam-controller", "IPAMClaim"]},
    "kubesecondarydns": {"sig": "sig-network", "repo": "kubevirt/kubesecondarydns",
                         "owns": "DNS names for the secondary interfaces of VMs",
                         "terms": ["kubesecondarydns", "kube-secondary-dns"]},
    "network providers": {"sig": "sig-network", "repo": "CNI plugins outside KubeVirt",
                          "owns": "the pod and secondary networks a VEP's networking relies on",
                          "terms": ["OVN-Kubernetes", "ovn-kubernetes", "OVN", "sriov-network-operator",
                                    "SR-IOV Network Operator", "sriov-cni", "Calico", "Cilium", "bridge CNI"]},
    "kubevirtci": {"sig": "sig-buildsystem", "repo": "kubevirt/kubevirtci",
                   "owns": "the development and CI clusters (providers) KubeVirt is tested on",
                   "terms": ["kubevirtci"]},
    "monitoring": {"sig": "sig-observability", "repo": "kubevirt/monitoring",
                   "owns": "alert runbooks and the metric and alert guidelines", "terms": ["kubevirt/monitoring"]},
}


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
    """The ``sig-areas`` mapping from a loaded taxonomy, before the common terms are measured
    and taken out (see the module docstring and :func:`build`)."""
    project_terms = {t.lower() for spec in PROJECTS.values() for t in spec["terms"]}
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
            if term in GENERIC_TERMS or term.lower() in project_terms:
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
        "projects": {name: dict(spec) for name, spec in PROJECTS.items()},
    }


def corpus_documents(corpus: Path) -> list[tuple[str, object]]:
    """(SIG directory, parsed document) of every ``veps/*/*/vep.md`` of an enhancements
    checkout but the template, sorted by path."""
    from agent.document import parse

    out = []
    for path in sorted((corpus / "veps").glob("*/*/vep.md")):
        rel = path.relative_to(corpus).as_posix()
        if "NNNN" in rel:
            continue
        out.append((path.parent.parent.name, parse(path.read_bytes(), rel, rel)))
    return out


def measure(areas: dict, documents: list[tuple[str, object]]) -> tuple[dict, dict[str, int]]:
    """Document frequencies of the items of ``areas`` on ``documents``.

    Returns:
        ({(sig, kind, item): {SIG directory: share of its VEPs where the item is found}},
        {SIG directory: number of VEPs}).
    """
    from agent.llm.taxonomy import compile_areas, scan

    compiled = compile_areas(areas)
    counts: dict[str, int] = {}
    found: dict[tuple[str, str, str], dict[str, int]] = {}
    for sig_dir, doc in documents:
        counts[sig_dir] = counts.get(sig_dir, 0) + 1
        for sig, ev in scan(doc, compiled).evidence.items():
            for kind, item in ev.items:
                per = found.setdefault((sig, kind, item), {})
                per[sig_dir] = per.get(sig_dir, 0) + 1
    shares = {key: {d: per.get(d, 0) / n for d, n in counts.items()} for key, per in found.items()}
    return shares, counts


def common_items(shares: dict, counts: dict[str, int]) -> list[dict]:
    """The items found in at least :data:`COMMON_DF` of the VEPs of every SIG with at least
    :data:`MIN_SIG_VEPS` VEPs, with those shares (sorted by SIG, kind, item)."""
    big = sorted(d for d, n in counts.items() if n >= MIN_SIG_VEPS)
    out = []
    for (sig, kind, item), share in sorted(shares.items()):
        if kind != "project" and big and all(share[d] >= COMMON_DF for d in big):
            out.append({"sig": sig, "kind": kind, "item": item, "df": {d: round(share[d], 2) for d in big}})
    return out


def without(areas: dict, common: list[dict]) -> dict:
    """``areas`` without the ``common`` items (a topic goes for every SIG it involves)."""
    drop = {(c["sig"], c["kind"], c["item"]) for c in common}
    sigs = {}
    for sig, area in areas["sigs"].items():
        kept = {}
        for key, kind in (("paths", "path"), ("types", "type"), ("quoted_types", "type"), ("fields", "field"),
                          ("terms", "term"), ("patterns", "term")):
            values = [v for v in area.get(key, []) if (sig, kind, v) not in drop]
            if values:
                kept[key] = values
        sigs[sig] = kept
    topics = {t: spec for t, spec in areas["topics"].items()
              if not any(c["kind"] == "topic" and c["item"] == t.replace("_", " ") for c in common)}
    return {**areas, "sigs": sigs, "topics": topics, "common": common}


def build(taxonomy: dict, source_name: str, source_bytes: bytes, corpus: Path) -> dict:
    """:func:`derive`, then the common terms measured on the VEPs of ``corpus`` taken out."""
    areas = derive(taxonomy, source_name, source_bytes)
    shares, counts = measure(areas, corpus_documents(corpus))
    source = (corpus / "SOURCE.txt").read_text(encoding="utf-8") if (corpus / "SOURCE.txt").is_file() else ""
    commit = re.search(r"\b[0-9a-f]{40}\b", source)
    areas["source"]["corpus"] = {"commit": commit.group(0) if commit else None,
                                 "veps": dict(sorted(counts.items()))}
    return without(areas, common_items(shares, counts))


HEADER = """\
# Generated by `python -m agent.llm.build_sig_areas {name}`: do not edit by hand.
# Data of the cross-SIG pre-pass (agent/llm/taxonomy.py): per SIG, the code paths, API types,
# API fields, domain terms and sister projects whose mention in a VEP suggests that the SIG is affected;
# `common`: items found in at least {common_df:.0%} of the VEPs of every SIG with {min_veps}+ VEPs (measured on
# the corpus by the build script), which are not evidence and are left out of the lists above.
# Derived from the shared SIG taxonomy (kubevirt/kubevirt OWNERS sig/* labels and API types,
# kubevirt/community sigs.yaml); the derivation is documented in agent/llm/build_sig_areas.py.
"""


def default_corpus(taxonomy_path: Path) -> Path:
    """``<taxonomy's folder>/../corpus/kubevirt-enhancements`` (the layout of ``../shared``)."""
    return taxonomy_path.resolve().parent.parent / "corpus" / "kubevirt-enhancements"


def render(taxonomy_path: Path, corpus: Path | None = None) -> str:
    """The YAML text of ``sig-areas.yaml`` for the taxonomy at ``taxonomy_path``, with the common
    terms measured on ``corpus`` (default :func:`default_corpus`).

    Raises:
        FileNotFoundError: the corpus has no ``veps`` folder.
    """
    import yaml

    corpus = corpus or default_corpus(taxonomy_path)
    if not (corpus / "veps").is_dir():
        raise FileNotFoundError(f"{corpus}: no veps/ folder (give the enhancements checkout with --corpus)")
    raw = taxonomy_path.read_bytes()
    data = build(yaml.safe_load(raw), taxonomy_path.name, raw, corpus)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    return HEADER.format(name=taxonomy_path.name, common_df=COMMON_DF, min_veps=MIN_SIG_VEPS) + body


def main(argv: list[str] | None = None) -> int:
    """Print the generated file, or with ``--check`` compare it with the committed one."""
    parser = argparse.ArgumentParser(prog="python -m agent.llm.build_sig_areas", description=__doc__.split("\n\n")[0])
    parser.add_argument("taxonomy", type=Path, help="sig-taxonomy.yaml")
    parser.add_argument("--check", action="store_true", help="exit 1 when agent/data/sig-areas.yaml differs")
    parser.add_argument("--corpus", type=Path, help="kubevirt/enhancements checkout the common terms are measured on "
                                                    "(default: corpus/kubevirt-enhancements beside the taxonomy's folder)")
    args = parser.parse_args(argv)
    try:
        text = render(args.taxonomy, args.corpus)
    except (OSError, ValueError) as exc:
        print(f"build_sig_areas: {exc}", file=sys.stderr)
        return 2
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
