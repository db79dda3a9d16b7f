"""Content matching of LLM findings to human concerns: the deterministic matcher.

A finding matches a human concern only when it is about **the same thing** (issue 11):

1. **the same part of the VEP**: the finding's section, folded to its canonical template
   section, is one of the concern's sections (:func:`evals.llm.concern_sections`: the section
   holding the concern's quote plus the category's home sections; categories without a home
   section match anywhere);
2. **the same subject**: the finding's concern text, quote and fix share at least
   :data:`THRESHOLD` *salient terms* with the human concern's summary and quote
   (:func:`salient_terms`), and at least :data:`OWN_WORDS` of them come from the finding's
   **own words** (its concern text or fix, without the passages it puts in quotation marks:
   :func:`own_terms`; not only the VEP text it quotes): a quote shows
   *where*, it says nothing about *what* is wrong, and every line of a VEP shares its topic's
   terms with every concern about that VEP;
3. for a ``cross-sig`` concern, the finding names the other SIG or project.

The category labels are not compared: the human taxonomy and the model's are two labels of
one subject, and the subject is what the terms compare. A content-free finding ("This part
needs more detail.") shares no subject terms with a concern whatever its category, which is
what the ``shotgun`` baseline (:mod:`evals.baselines`) measures.

Salient terms are lower-cased words of three or more characters (identifiers such as
``MigrationPolicy`` or ``virt-handler`` kept whole and also split at ``-``/``.``/``/``), minus
English stop words and the words every review uses (:data:`REVIEW_WORDS`: "reviewer", "add",
"section", "detail", "explain"…), folded by a light suffix stripper (:func:`stem`) so that
"migrations"/"migration" and "priority"/"priorities" agree.

The threshold (:data:`THRESHOLD` shared terms, :data:`OWN_WORDS` of them in the finding's own
words) is chosen on the development split by ``python -m evals.calibrate``: among the
settings whose shotgun recall is at most 10%, the one with the highest paraphrase recall minus
cross-VEP false matches (the figures are in docs/evals.md, "Choosing the threshold"; a test
holds the choice).
"""

from __future__ import annotations

import re

#: Salient terms a finding must share with a concern (chosen on the development split with
#: ``python -m evals.calibrate``; docs/evals.md, "Choosing the threshold").
THRESHOLD = 2
#: Of those, how many must come from the finding's own words (concern text or fix).
OWN_WORDS = 2

#: English function words.
STOP_WORDS = frozenset("""
a about above after again against all almost also am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
either else etc even ever every few for from further had hadn't has hasn't have haven't having he her here hers
herself him himself his how however i i'd i'm if in into is isn't it it's its itself just let like may maybe me
might mind more most much must mustn't my myself no nor not now of off on once one only or other others otherwise
our ours ourselves out over own per perhaps quite rather really same shall she should shouldn't since so some
something such than that that's the their theirs them themselves then there there's these they they're this those
though through thus to too under until up upon us very via was wasn't we we're were weren't what what's when where
whether which while who whom whose why will with within without won't would wouldn't yes yet you you're your yours
yourself yourselves instead already still well sure think thing things way ways get gets got make makes made use
used using uses iirc e.g i.e ie eg vs new current currently existing
""".split())

#: Words every review, finding or concern summary uses whatever its subject.
REVIEW_WORDS = frozenset("""
reviewer reviewers review reviewed asked ask asks asking add adds added adding adding section sections detail
details detailed more explain explains explained explanation explicit explicitly clarify clarified clarification
describe describes described description mention mentions mentioned please consider considered considering
document documents documented documentation proposal propose proposes proposed vep veps kubevirt author authors
concern concerns concerned question questions questioned questioning need needs needed needing suggest suggested
suggests part parts point points wonder wondering want wanted wants missing lacks lack lacking should unclear
clear state states stated statement note noted notes flag flagged raise raised issue issues problem text here
this enhancement design comment comments answer answers say says said call called case cases example examples
specify specified specific doc docs write written writing update updated include includes included including
""".split())

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_./][A-Za-z0-9]+)*")


def stem(word: str) -> str:
    """A light English suffix stripper (``"migrations"`` -> ``"migration"``,
    ``"priorities"`` -> ``"priority"``, ``"cleaned"`` -> ``"clean"``); words of five letters or
    fewer are kept. Not a linguistic stemmer: it only has to fold the plural and verb forms
    that two texts about one subject commonly differ by."""
    if len(word) <= 5 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: len(word) - len(suffix)] + repl
    return word


def salient_terms(*texts: str | None) -> set[str]:
    """The salient terms of some texts (see the module docstring).

    Args:
        texts: any strings (``None`` ignored).

    Returns:
        a set of folded terms; an identifier such as ``virt-handler`` gives ``virt-handler``,
        ``virt`` and ``handler`` (parts of three or more characters that are not stop words).
    """
    out: set[str] = set()
    for text in texts:
        if not text:
            continue
        for m in _WORD.finditer(str(text)):
            raw = m.group(0).lower().strip("-_./")
            parts = [raw] + (re.split(r"[-_./]", raw) if re.search(r"[-_./]", raw) else [])
            for p in parts:
                if len(p) < 3 or p in STOP_WORDS or p in REVIEW_WORDS or p.isdigit():
                    continue
                s = stem(p)
                if s in REVIEW_WORDS:
                    continue
                out.add(s)
    return out


#: A passage in quotation marks (typographic or straight double quotes) of three words or more:
#: the VEP's words repeated in a finding, not the finding's own.
_QUOTED = re.compile(r"[“\"]([^“”\"\n]{1,400})[”\"]")


def own_terms(message: str | None, fix: str | None) -> set[str]:
    """Salient terms of a finding's own words: its concern text and fix without the passages
    it puts in quotation marks (three words or more: a phrase quoted from the VEP, as the
    ``parrot`` baseline and chatty models write; a quoted identifier such as "virt-handler"
    stays)."""
    def unquote(text: str | None) -> str | None:
        if not text:
            return text
        return _QUOTED.sub(lambda m: " " if len(m.group(1).split()) >= 3 else m.group(0), str(text))

    return salient_terms(unquote(message), unquote(fix))


def finding_terms(message: str | None, quote: str | None, fix: str | None) -> set[str]:
    """Salient terms of an LLM finding: its concern text (``message``), quote and fix."""
    return salient_terms(message, quote, fix)


def concern_terms(concern: dict) -> set[str]:
    """Salient terms of a human concern: its ``summary`` and ``quote``."""
    return salient_terms(concern.get("summary"), concern.get("quote"))


def subject_match(message: str | None, quote: str | None, fix: str | None, concern: dict,
                  threshold: int = THRESHOLD, own_words: int = OWN_WORDS) -> list[str] | None:
    """The shared salient terms when a finding (``message``, ``quote``, ``fix``) is about the
    subject of ``concern`` (see the module docstring), else ``None``."""
    theirs = concern_terms(concern)
    shared = finding_terms(message, quote, fix) & theirs
    own = own_terms(message, fix) & theirs
    if len(shared) >= threshold and len(own) >= own_words:
        return sorted(shared)
    return None
