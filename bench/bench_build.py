"""Benchmark: decode speed of the portable llama.cpp build (drafter/llm/llama_build.py: no -march=native,
every instruction set named, AMX off) against llama.cpp's default native build, same model, same machine,
same run.

The native build is not installed by drafter; build it once for the comparison and unpack its package::

    CMAKE_ARGS="-DLLAVA_BUILD=OFF" .venv/bin/pip wheel --no-deps --no-cache-dir --no-binary llama-cpp-python \
        llama-cpp-python==<pinned> -w /tmp/native/wheel
    (cd /tmp/native && unzip -q wheel/*.whl 'llama_cpp/*' -d pkg)
    .venv/bin/python bench/bench_build.py --native-pkg /tmp/native/pkg

Each build runs in its own child process (PYTHONPATH puts the native package first), the two alternate round
by round so background load hits both alike; each round decodes ``--tokens`` tokens greedily from a fresh prompt.
Decode tok/s is llama.cpp's own eval timing (prompt processing excluded). Prints per-build medians and the
ratio portable / native (target ≥ 0.95); nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, sys, time
from llama_cpp import Llama, llama_print_system_info
model, tokens, threads, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
llm = Llama(model_path=model, n_ctx=1024, n_threads=threads, verbose=False)
prompt = f"<|im_start|>user\n请写一段关于基层党建工作的总结（第{seed}稿）。<|im_end|>\n<|im_start|>assistant\n"
llm.create_completion(prompt, max_tokens=4, temperature=0.0)  # warm-up
t0 = time.perf_counter()
out = llm.create_completion(prompt + "一、", max_tokens=tokens, temperature=0.0)
wall = time.perf_counter() - t0
import llama_cpp
perf = llama_cpp.llama_perf_context(llm.ctx)
n = int(perf.n_eval)
print(json.dumps({"decode_tps": n / (perf.t_eval_ms / 1000) if perf.t_eval_ms else 0.0, "tokens": n,
                  "wall_s": wall, "system": llama_print_system_info().decode()}))
"""


def run(build: str, native_pkg: Path | None, model: Path, tokens: int, threads: int, seed: int) -> dict:
    env = dict(os.environ)
    if native_pkg is not None:
        env["PYTHONPATH"] = f"{native_pkg}{os.pathsep}{env.get('PYTHONPATH', '')}"
    done = subprocess.run([sys.executable, "-c", CHILD, str(model), str(tokens), str(threads), str(seed)],
                          env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"{build} build failed (code {done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    from drafter.llm.model_file import ensure_model_file
    from drafter.settings import get_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--native-pkg", type=Path, required=True, help="folder holding the native llama_cpp package")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=128)
    ns = parser.parse_args(argv)
    settings = get_settings()
    model = ensure_model_file(settings)
    results: dict[str, list[float]] = {"portable": [], "native": []}
    systems = {}
    for r in range(ns.rounds):
        order = ("portable", "native") if r % 2 == 0 else ("native", "portable")
        for build in order:
            out = run(build, ns.native_pkg if build == "native" else None, model, ns.tokens, settings.local_threads, r)
            results[build].append(out["decode_tps"])
            systems[build] = out["system"]
            print(f"round {r + 1} {build:8} decode {out['decode_tps']:6.1f} tok/s ({out['tokens']} tokens)", flush=True)
    for build, values in results.items():
        print(f"{build:8} median {statistics.median(values):6.1f} tok/s  [{systems[build].strip()}]")
    ratio = statistics.median(results["portable"]) / statistics.median(results["native"])
    print(f"decode ratio portable / native = {ratio:.3f} (target >= 0.95) over {ns.rounds} rounds, "
          f"{ns.tokens} tokens, {settings.local_threads} threads")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
