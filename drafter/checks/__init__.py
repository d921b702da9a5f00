"""Draft checks, used by the drafting engine (to verify and repair), the app and the evals.

``run_checks(draft, facts, examples, corpus_names)`` runs them all and returns a ``CheckReport``. Each check
is also callable alone (``check_structure`` …), and the engine uses the per-section helpers
``invented_numbers``, ``missing_figures``, ``missing_items`` and ``leaked_terms``. Rules and thresholds live
in ``drafter.checks.rules``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from drafter.checks.base import ERROR, INFO, WARNING, CheckReport, CheckResult, Finding
from drafter.checks.copying import check_copying, copied_runs
from drafter.checks.coverage import check_coverage, missing_items
from drafter.checks.figures import OUTSIDE_PERIOD, check_numbers, invented_numbers, missing_figures
from drafter.checks.grounding import check_grounding
from drafter.checks.leakage import check_leakage, invented_names, invented_titles, leaked_terms, prompt_leaks
from drafter.checks.length import check_length, count_chars
from drafter.checks.political import check_political
from drafter.checks.prose import check_prose
from drafter.checks.structure import Section, check_structure, split_sections, strip_markup
from drafter.facts import Facts

CHECK_NAMES: tuple[str, ...] = ("structure", "numbers", "coverage", "leakage", "copying", "length", "prose",
                                 "political", "grounding")


def run_checks(draft: str, facts: Facts, examples: Sequence[str] = (),
               corpus_names: Iterable[str] = ()) -> CheckReport:
    """All checks on one draft. ``examples`` are the retrieved example texts the draft was written from;
    ``corpus_names`` are unit/person names known from the corpus (for leakage)."""
    examples = tuple(examples)
    return CheckReport([
        check_structure(draft, facts),
        check_numbers(draft, facts),
        check_coverage(draft, facts),
        check_leakage(draft, facts, examples, tuple(corpus_names)),
        check_copying(draft, facts, examples),
        check_length(draft, facts),
        check_prose(draft, facts),
        check_political(draft, facts),
        check_grounding(draft, facts),
    ])


__all__ = [
    "CHECK_NAMES",
    "ERROR",
    "INFO",
    "WARNING",
    "CheckReport",
    "CheckResult",
    "Finding",
    "Section",
    "check_copying",
    "check_coverage",
    "check_grounding",
    "check_leakage",
    "check_length",
    "check_numbers",
    "check_political",
    "check_prose",
    "check_structure",
    "copied_runs",
    "count_chars",
    "invented_names",
    "invented_numbers",
    "invented_titles",
    "leaked_terms",
    "missing_figures",
    "missing_items",
    "prompt_leaks",
    "run_checks",
    "split_sections",
    "strip_markup",
]


def quality_figures(checks: dict, chars: int = 0, rule_chars: int | None = None) -> dict:
    """What a reader of the prose sees, from a report's ``checks``: prose defects per 1,000 characters,
    political errors, wrong years, and (given the characters the engine's rules cut or inserted) their share."""
    figures = {
        "prose_per_1000": checks["prose"]["details"]["per_1000"],
        "political_errors": len(checks["political"]["findings"]),
        "wrong_years": sum(f["code"] in OUTSIDE_PERIOD for f in checks["numbers"]["findings"]),
    }
    if "grounding" in checks:  # reports written before the grounding check have none
        figures["ungrounded_share"] = checks["grounding"]["details"]["share"]
        if "invented_detail_share" in checks["grounding"]["details"]:
            figures["invented_share"] = checks["grounding"]["details"]["invented_detail_share"]
    if rule_chars is not None:
        figures["rule_share"] = round(rule_chars / max(1, chars), 3)
    return figures
