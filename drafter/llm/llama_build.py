"""The one place that decides how llama-cpp-python is compiled, and builds it into a wheel keyed on the flags.

Why not llama.cpp's default build: its ``GGML_NATIVE=ON`` compiles ``-march=native``, which on Intel CPUs with
AMX turns on ggml's AMX kernels, and those crash with a general protection fault on the first completion
(upstream llama.cpp issue #20824, "segfault in ggml_backend_amx_mul_mat"; the same crash in ollama #17249).
Why not runtime CPU dispatch (``GGML_BACKEND_DL=ON`` + ``GGML_CPU_ALL_VARIANTS=ON``): llama-cpp-python 0.3.36
neither installs the per-variant CPU libraries nor binds ``ggml_backend_load_all`` (llama-cpp-python #2069),
so a model load ends in "no backends are loaded".

So the build is ``GGML_NATIVE=OFF`` with every x86 instruction-set option named explicitly: on when the CPU
that builds it has the feature, off otherwise, and AMX always off. The wheel goes into a directory named by
the version and a hash of those arguments (``~/.cache/drafter/wheels/…``), never into pip's own cache (pip
reuses a cached wheel even when ``CMAKE_ARGS`` changed): a machine with another CPU gets other flags, hence
another directory and a fresh build, and the same machine rebuilds nothing.

Run as a plain script (stdlib only, before the package is installed)::

    python drafter/llm/llama_build.py --pip .venv/bin/pip            # build if needed, print the wheel dir
    python drafter/llm/llama_build.py --pip .venv/bin/pip --install  # …and install it into that venv
    python drafter/llm/llama_build.py --show                         # flags for this CPU, nothing built

``--install`` replaces the environment's llama-cpp-python whenever the key differs from the one installed
(recorded in ``<venv>/llama-build-key``), so a venv never keeps a build made with other flags.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "llama-cpp-python"
CONSTRAINTS = Path(__file__).resolve().parents[2] / "constraints.txt"

# ggml CMake option -> the /proc/cpuinfo flags that must all be present for it to be on.
X86_OPTIONS: dict[str, tuple[str, ...]] = {
    "GGML_SSE42": ("sse4_2",),
    "GGML_AVX": ("avx",),
    "GGML_AVX2": ("avx2",),
    "GGML_BMI2": ("bmi2",),
    "GGML_FMA": ("fma",),
    "GGML_F16C": ("f16c",),
    "GGML_AVX_VNNI": ("avx_vnni",),
    "GGML_AVX512": ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"),
    "GGML_AVX512_VBMI": ("avx512_vbmi",),
    "GGML_AVX512_VNNI": ("avx512_vnni",),
    "GGML_AVX512_BF16": ("avx512_bf16",),
}
# Never on, whatever the CPU has (llama.cpp #20824).
ALWAYS_OFF = ("GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16", "GGML_BACKEND_DL", "GGML_CPU_ALL_VARIANTS")
# Not needed by drafter: the multimodal library (llava/mtmd) only costs build time.
EXTRA = ("-DGGML_NATIVE=OFF", "-DLLAVA_BUILD=OFF")


def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    """The CPU's feature flags (the first ``flags`` line of /proc/cpuinfo); empty if it cannot be read."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return set()
    match = re.search(r"^flags\s*:\s*(.*)$", cpuinfo, flags=re.MULTILINE)
    return set(match.group(1).split()) if match else set()


def cmake_args(flags: set[str], machine: str | None = None) -> list[str]:
    """CMake arguments for this CPU: explicit on/off for every x86 option, AMX off, no native tuning."""
    machine = machine or platform.machine()
    args = list(EXTRA)
    if machine.lower() in {"x86_64", "amd64", "i686", "i386"}:
        for option, needs in X86_OPTIONS.items():
            on = all(flag in flags for flag in needs)
            args.append(f"-D{option}={'ON' if on else 'OFF'}")
        args += [f"-D{option}=OFF" for option in ALWAYS_OFF]
    return args


def pinned_version(constraints: Path = CONSTRAINTS) -> str:
    """The llama-cpp-python version pinned in constraints.txt (the lock every install uses)."""
    text = constraints.read_text(encoding="utf-8") if constraints.exists() else ""
    match = re.search(r"^llama[-_.]cpp[-_.]python==(\S+)", text, flags=re.MULTILINE | re.IGNORECASE)
    if not match:
        raise SystemExit(f"错误：{constraints} 中没有固定 {PACKAGE} 的版本（{PACKAGE}==X.Y.Z）。")
    return match.group(1)


def build_key(version: str, args: list[str]) -> str:
    """A short hash of what determines the binary: package version, CMake arguments, compiler, machine."""
    cc = shutil.which(os.environ.get("CC", "cc")) or "cc"
    try:
        compiler = subprocess.run([cc, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        compiler = "unknown"
    blob = json.dumps([version, sorted(args), compiler.splitlines()[:1], platform.machine()])
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def wheel_root() -> Path:
    return Path(os.environ.get("DRAFTER_WHEEL_CACHE", Path.home() / ".cache" / "drafter" / "wheels"))


def wheel_dir(version: str, args: list[str]) -> Path:
    return wheel_root() / f"{PACKAGE}-{version}-{build_key(version, args)}"


def find_wheel(directory: Path) -> Path | None:
    wheels = sorted(directory.glob("llama_cpp_python-*.whl"))
    return wheels[0] if wheels else None


def build(pip: str, version: str, args: list[str]) -> Path:
    """Build the wheel unless one with the same key exists; return its directory."""
    target = wheel_dir(version, args)
    if find_wheel(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, CMAKE_ARGS=" ".join(args), FORCE_CMAKE="1")
    env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as tmp:
        cmd = [pip, "wheel", "--no-deps", "--no-cache-dir", "--no-binary", PACKAGE,
               f"{PACKAGE}=={version}", "-w", tmp]
        print(f">> 编译 {PACKAGE} {version}（约 3–5 分钟，只在本机首次或编译参数变化时进行）", file=sys.stderr)
        print(f"   CMAKE_ARGS={env['CMAKE_ARGS']}", file=sys.stderr)
        done = subprocess.run(cmd, env=env, stdout=sys.stderr)
        if done.returncode != 0 or find_wheel(Path(tmp)) is None:
            raise SystemExit(f"错误：{PACKAGE} 编译失败（退出码 {done.returncode}），请检查 gcc、cmake 是否安装。")
        (Path(tmp) / "build-info.json").write_text(
            json.dumps({"version": version, "cmake_args": args}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        os.replace(tmp, target)  # atomic: a killed build leaves no half directory under the key
        os.makedirs(tmp, exist_ok=True)  # TemporaryDirectory cleans up the name it made
    return target


def install(pip: str, directory: Path) -> None:
    """Install the wheel in ``directory`` into pip's environment unless that exact build is installed."""
    marker = Path(pip).resolve().parent.parent / "llama-build-key"
    key = directory.name.rsplit("-", 1)[-1]
    if marker.exists() and marker.read_text(encoding="utf-8").strip() == key:
        return
    wheel = find_wheel(directory)
    assert wheel is not None
    cmd = [pip, "install", "-q", "--no-deps", "--force-reinstall", str(wheel)]
    if subprocess.run(cmd, stdout=sys.stderr).returncode != 0:
        raise SystemExit(f"错误：安装 {wheel.name} 失败。")
    marker.write_text(key + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pip", default="pip", help="pip of the target environment")
    parser.add_argument("--version", default=None, help="default: the version pinned in constraints.txt")
    parser.add_argument("--show", action="store_true", help="print the CMake arguments and key, build nothing")
    parser.add_argument("--install", action="store_true", help="install the built wheel into --pip's venv")
    ns = parser.parse_args(argv)
    args = cmake_args(cpu_flags())
    ns.version = ns.version or pinned_version()
    if ns.show:
        print(" ".join(args))
        print(wheel_dir(ns.version, args))
        return 0
    directory = build(ns.pip, ns.version, args)
    if ns.install:
        install(ns.pip, directory)
    print(directory)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
