"""A smoke generation with the embedded model, in a child process, so that a build which cannot run on this CPU
is found at install time (``make setup`` → ``drafter model-info --ensure --smoke``), not at a clerk's first click.

The child loads the GGUF with llama-cpp-python and generates a few tokens; the parent reads its exit status. A
child killed by a signal (SIGSEGV, SIGILL: llama.cpp compiled for instructions this CPU lacks or mishandles, such
as AMX — llama.cpp #20824) becomes a Chinese message that names the CPU's instruction-set flags and what the
installed build was compiled with (``llama_print_system_info``).

    python -m drafter.llm.smoke MODEL.gguf [--threads N]   # the child: prints one JSON line
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from drafter.llm.llama_build import cpu_flags

SMOKE_PROMPT = "中共党员应当"
SMOKE_TOKENS = 8
TIMEOUT_S = 300.0
_ISA = ("sse4_2", "avx", "avx2", "fma", "f16c", "bmi2", "avx_vnni", "avx512f", "avx512bw", "avx512vl",
        "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16")


@dataclass
class SmokeResult:
    ok: bool
    tokens: int = 0
    seconds: float = 0.0
    text: str = ""
    message: str = ""  # Chinese, when not ok


def cpu_summary() -> str:
    flags = cpu_flags()
    return " ".join(f for f in _ISA if f in flags) or "（无法读取 /proc/cpuinfo）"


def build_summary(python: str = sys.executable) -> str:
    """What the installed llama.cpp was compiled with (its own system-info line), read in a child process."""
    code = "import llama_cpp,sys; sys.stdout.write(llama_cpp.llama_print_system_info().decode())"
    try:
        done = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"（读取失败：{exc}）"
    if done.returncode != 0:
        return f"（读取失败，退出码 {done.returncode}）"
    return " ".join(done.stdout.split())


def _describe(code: int) -> str:
    if code < 0:
        try:
            return f"信号 {signal.Signals(-code).name}"
        except ValueError:
            return f"信号 {-code}"
    return f"退出码 {code}"


def run_smoke(model_path: Path, threads: int, python: str = sys.executable,
              timeout: float = TIMEOUT_S) -> SmokeResult:
    cmd = [python, "-m", "drafter.llm.smoke", str(model_path), "--threads", str(threads)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return SmokeResult(False, message=f"本地模型自检超时（{timeout:g} 秒内没有生成 {SMOKE_TOKENS} 个词元）。")
    if done.returncode == 0:
        try:
            data = json.loads(done.stdout.strip().splitlines()[-1])
            return SmokeResult(True, int(data["tokens"]), float(data["seconds"]), str(data["text"]))
        except (ValueError, KeyError, IndexError):
            pass
    tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
    return SmokeResult(False, message=(
        f"本地模型自检失败：生成时模型进程异常退出（{_describe(done.returncode)}）。\n"
        f"本机 CPU 指令集：{cpu_summary()}\n"
        f"llama.cpp 编译参数：{build_summary(python)}\n"
        "常见原因是编译参数与本机 CPU 不符（如带 AMX 的 Intel CPU，llama.cpp #20824）。"
        "请删除 .venv 后重新运行 make setup（将按本机 CPU 重新编译），或设置 DRAFTER_LLM_BASE_URL 改用其他模型服务。"
        + (f"\n输出末尾：\n{tail}" if tail else "")
    ))


def _child(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=2)
    ns = parser.parse_args(argv)
    from llama_cpp import Llama

    llm = Llama(model_path=ns.model, n_ctx=256, n_threads=ns.threads, verbose=False)
    started = time.perf_counter()
    out = llm.create_completion(SMOKE_PROMPT, max_tokens=SMOKE_TOKENS, temperature=0.0)
    seconds = time.perf_counter() - started
    tokens = int(out["usage"]["completion_tokens"])
    print(json.dumps({"tokens": tokens, "seconds": round(seconds, 3), "text": out["choices"][0]["text"]},
                     ensure_ascii=False))
    return 0 if tokens > 0 else 3


if __name__ == "__main__":
    raise SystemExit(_child(sys.argv[1:]))
