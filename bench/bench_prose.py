"""Calibration of the prose-quality and political checks on human-written documents.

Every document of the demo corpus (``vectorstore/demo_corpus``) and of the real scraped corpus
(``../shared/corpus``, when present) and of the held-out set (``bench/heldout``) is loaded and cleaned the way
ingest does it, and checked like a draft (no facts: words the facts would allow are counted). Printed per
document: characters, prose defects per 1,000 characters and their codes, political findings; then the
rate per corpus. The prose check must stay at or below 1.5 per 1,000 characters on human documents (few false
alarms); nothing is asserted here.

    .venv/bin/python bench/bench_prose.py [-v]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.checks.length import count_chars  # noqa: E402
from drafter.checks.political import political_findings  # noqa: E402
from drafter.checks.prose import prose_findings  # noqa: E402
from drafter.facts import validate_facts  # noqa: E402
from vectorstore.pipeline import parse_path  # noqa: E402

CORPORA = {
    "demo": ROOT / "vectorstore" / "demo_corpus",
    "real": ROOT.parent / "shared" / "corpus",
    "heldout": ROOT / "bench" / "heldout",
}
TARGET = 1.5


def doc_facts(doc) -> object:
    """What a draft's facts would say about this document: unit (its signature or title), year, type."""
    unit = (doc.signature or doc.title or "单位")[:80]
    period = f"{doc.year}年" if doc.year else None
    return validate_facts({"genre": doc.genre if doc.genre in ("工作总结", "汇报材料", "经验材料") else "工作总结",
                           "unit": unit, "unit_type": doc.unit_type, "period": period, "title": doc.title[:60] or None,
                           "activities": ["x"]})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print each finding")
    ns = parser.parse_args(argv)
    for name, folder in CORPORA.items():
        if not folder.is_dir():
            print(f"{name}: {folder} not present")
            continue
        total_chars = total_prose = total_pol = 0
        codes: Counter[str] = Counter()
        for path in sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".docx", ".md")):
            for doc in parse_path(path):
                facts = doc_facts(doc)
                prose = prose_findings(doc.text, facts)
                pol = political_findings(doc.text, facts)
                chars = count_chars(doc.text)
                total_chars += chars
                total_prose += len(prose)
                total_pol += len(pol)
                codes.update(f.code for f in prose + pol)
                rate = len(prose) * 1000 / chars if chars else 0
                print(f"  {name:8} {path.name[:38]:38} {chars:6} chars  prose {rate:4.2f}/1000  political {len(pol)}")
                if ns.verbose:
                    for f in prose + pol:
                        print(f"        {f.code:20} {doc.text[f.span[0]:f.span[1]][:40]!r}  {f.message_zh[:50]}")
        rate = total_prose * 1000 / total_chars if total_chars else 0
        print(f"{name}: {total_chars} chars, prose {rate:.2f} per 1000 (target ≤ {TARGET}), political {total_pol}; "
              f"codes {dict(codes.most_common())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
