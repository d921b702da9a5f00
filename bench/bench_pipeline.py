"""Pipeline speed with the real local model: end-to-end time against the pure decode time of the tokens it
produced, and time to first streamed text. Figures printed, nothing asserted.

Baseline (same process, same model): one long plain generation gives the decode rate (tokens/s after the
first token). Pure decode time of a draft = its completion tokens / that rate. Overhead = everything else:
retrieval, prompt building and prompt processing, checks, repair bookkeeping. Repair regenerations are
counted separately (their time is excluded from the ratio and reported on its own line).

    .venv/bin/python bench/bench_pipeline.py [--cases N] [--target 1500] [--case ID …]

By default the first N eval cases whose facts carry the target (drafter.checks.length.thin_material_hint): the
writer does not pad two or three activities to 1,500 字, so such cases time a draft of half the length.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def decode_rate(model) -> tuple[float, float]:
    from drafter.llm import count_tokens

    messages = [{"role": "user", "content": "请写一篇关于加强基层党组织建设的短文，约600字。"}]
    r = model.execute(messages, max_tokens=256, temperature=0.3)
    # llama.cpp reports no usage for streams; count with the same counter the engine falls back to (the model's
    # own tokenizer: cl100k counts about twice as many tokens on Chinese and doubled the rate printed here)
    tokens = r.usage.completion_tokens if r.usage else count_tokens(r.text(), model)
    return tokens / max(1e-6, (r.elapsed_s or 0) - (r.first_token_s or 0)), r.first_token_s or 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=3)
    parser.add_argument("--target", type=int, default=1500)
    parser.add_argument("--case", action="append", default=[], help="eval case id (repeatable); default: the first "
                        "--cases cases whose facts carry the target (CHARS_PER_ACTIVITY per activity)")
    args = parser.parse_args()
    import os

    home = Path(tempfile.mkdtemp(prefix="bench_pipeline_"))
    os.environ["DRAFTER_HOME"] = str(home)
    from drafter.checks import quality_figures
    from drafter.checks.length import count_chars
    from drafter.engine import DraftEngine
    from drafter.facts import load_facts
    from drafter.llm import get_model
    from vectorstore.cli import demo_corpus_files

    engine = DraftEngine()
    engine.store.ingest(demo_corpus_files())
    model = get_model("draft")
    engine.clients.model = model
    warm = time.perf_counter()
    rate, ttft = decode_rate(model)
    print(f"baseline: decode {rate:.1f} tokens/s, first token {ttft:.2f}s (server start + warm-up {time.perf_counter() - warm:.1f}s)")

    # A draft of the target length needs facts that carry it: the writer states each practice and does not pad
    # (drafter.checks.length.thin_material_hint); cases of two or three activities come out at half of 1,500 字.
    from drafter.checks.length import thin_material_hint

    every = sorted((Path(__file__).resolve().parent.parent / "evals" / "cases").glob("*.json"))
    if args.case:
        cases = [c for c in every if c.stem in args.case]
    else:
        cases = [c for c in every if not thin_material_hint(
            load_facts(c).model_copy(update={"target_chars": args.target}))][: args.cases]
    print(f"cases at {args.target} 字: {', '.join(c.stem for c in cases)}")
    rows = []
    for case in cases:
        facts = load_facts(case).model_copy(update={"target_chars": args.target})
        started = time.perf_counter()
        first_text = first_model_text = None
        run = engine.start(facts)
        for ev in engine.write(run):
            if ev.kind in ("delta", "preamble") and first_text is None:
                first_text = time.perf_counter() - started  # the title and opening (fixed by format)
            if ev.kind == "delta" and not ev.data.get("source") and first_model_text is None:
                first_model_text = time.perf_counter() - started  # the model's own first words
        elapsed = time.perf_counter() - started
        attempts = [a for s in run.sections for a in s.attempts if a.prompt]
        write_tokens = sum(a.completion_tokens for a in attempts if a.kind not in ("repair", "retry"))
        # second calls: repairs of findings and prose retries (a piece written once more), both on top of the write
        repair_time = sum(a.elapsed_s for a in attempts if a.kind in ("repair", "retry"))
        repair_tokens = sum(a.completion_tokens for a in attempts if a.kind in ("repair", "retry"))
        prompt_tokens = sum(a.prompt_tokens for a in attempts)
        # first calls: a piece's write, and the calls that carry a piece on (a plan's measure, a practice's
        # effect, a lesson's reason); everything that is not a second call is part of writing the draft once
        writes = [a for a in attempts if a.kind not in ("repair", "retry")]
        prefill = sum(a.first_token_s or 0.0 for a in attempts)  # prompt processing, until each call's first token
        model_time = sum(a.elapsed_s for a in writes)
        by_kind: dict[str, list[float]] = {}
        for a in attempts:
            by_kind.setdefault(a.kind, []).append(a.elapsed_s)
        pure = write_tokens / rate if rate else float("nan")
        report = json.loads((run.dir / "checks.json").read_text(encoding="utf-8"))
        chars = count_chars(engine.document_text(run))
        rule_chars = sum(s.edits.get("cut", 0) + s.edits.get("inserted", 0) for s in run.sections)
        quality = quality_figures(report["checks"], chars, rule_chars)
        rows.append({
            "case": case.stem, "elapsed": elapsed, "first_text": first_text or float("nan"),
            "first_model_text": first_model_text or float("nan"), "calls": len(attempts),
            "tokens": write_tokens, "prompt_tokens": prompt_tokens, "pure_decode": pure,
            "ratio": (elapsed - repair_time) / pure if pure else float("nan"),
            "repair_time": repair_time, "repair_tokens": repair_tokens, "prefill": prefill,
            "engine": elapsed - repair_time - model_time, "model_ratio": (elapsed - repair_time) / model_time
            if model_time else float("nan"),
            "numbers": report["checks"]["numbers"]["passed"], "structure": report["checks"]["structure"]["passed"],
            "passed": report["passed"], "chars": chars, **quality,
            "kinds": ", ".join(f"{k} {len(v)}×/{sum(v):.1f}s" for k, v in sorted(by_kind.items())),
        })
        r = rows[-1]
        print(f"{r['case']:<34} {r['elapsed']:6.1f}s  first text {r['first_text']:5.2f}s (model's {r['first_model_text']:5.2f}s)  calls {r['calls']:2d}  "
              f"tokens {r['tokens']:4d} (+{r['repair_tokens']} repair, prompt {r['prompt_tokens']})  "
              f"pure decode {r['pure_decode']:5.1f}s  ratio {r['ratio']:.2f} (target ≤ 1.2)  "
              f"repair {r['repair_time']:.1f}s  numbers {'ok' if r['numbers'] else 'FAIL'}  "
              f"structure {'ok' if r['structure'] else 'FAIL'}")
        print(f"{'':<34} model calls by kind: {r['kinds']}")
        print(f"{'':<34} of which prompt processing {r['prefill']:.1f}s over {len(attempts)} calls, engine "
              f"(retrieval, prompts, checks, export) {r['engine']:.2f}s; end-to-end / model time "
              f"{r['model_ratio']:.2f}")
        print(f"{'':<34} draft {r['chars']} chars, all checks {'ok' if r['passed'] else 'FAIL'}; prose "
              f"{r['prose_per_1000']:.1f}/1000 chars (target ≤ 2), political errors {r['political_errors']}, wrong "
              f"years {r['wrong_years']}, rule-cut/inserted share {r['rule_share']:.0%}")
    if rows:
        print(f"median ratio {statistics.median(r['ratio'] for r in rows):.2f} (end-to-end / model time "
              f"{statistics.median(r['model_ratio'] for r in rows):.2f}); "
              f"median first text {statistics.median(r['first_text'] for r in rows):.2f}s (target ≤ 3 s), first model "
              f"text {statistics.median(r['first_model_text'] for r in rows):.2f}s")
        print(f"pipeline: median {statistics.median(r['elapsed'] for r in rows):.1f}s per draft of "
              f"{statistics.median(r['chars'] for r in rows):.0f} chars (target ≤ 90 s at 1,500); prose median "
              f"{statistics.median(r['prose_per_1000'] for r in rows):.1f}/1000; political "
              f"{sum(r['political_errors'] for r in rows)}; wrong years {sum(r['wrong_years'] for r in rows)}; "
              f"all checks {sum(r['passed'] for r in rows)}/{len(rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
