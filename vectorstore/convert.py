"""Converting Word 97-2003 (.doc), WPS (.wps), .rtf and .odt files to .docx with LibreOffice headless.

What a file really is comes from its first bytes, not its name (a ".doc" is often an RTF or a renamed .docx).
One ``soffice --convert-to docx`` run converts a whole chunk of files. Every run has a profile dir of its own
(``-env:UserInstallation``), so parallel ingests do not collide, and a timeout: a run that times out is killed
with its children, the file it hung on is reported, and the files after it are converted by a fresh run. The
.docx comes back as bytes for ``docx_reader``, so nothing converted is left on disk.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

# Suffix → how the clerk knows the format (used in reasons and in ``drafter corpus``).
CONVERT_SUFFIXES = {
    ".doc": "Word 97-2003 文档",
    ".wps": "WPS 文字文档",
    ".rtf": "RTF 文档",
    ".odt": "OpenDocument 文本",
}
_INPUT_SUFFIX = {"ole": "doc", "rtf": "rtf", "odt": "odt"}  # what soffice is told the file is
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DEFAULT_STARTUP_S = 60.0  # LibreOffice's start with a fresh profile: ~3 s here, far more on a loaded machine
DEFAULT_PER_FILE_S = 30.0
DEFAULT_CHUNK = 20
INSTALL_HINT = ("未安装 LibreOffice，无法读取{kind}（请安装：apt-get install libreoffice-writer，"
                "或设置 DRAFTER_SOFFICE 为 soffice 的路径；也可用 WPS/Word 另存为 .docx 后导入）")


@dataclass(frozen=True)
class Failed:
    """A file LibreOffice did not convert; ``reason`` is for the clerk."""

    reason: str


def sniff(data: bytes) -> str | None:
    """What the bytes are: "ole" (Word/WPS binary), "rtf", "docx", "odt", or None (none of these)."""
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.lstrip(b"\xef\xbb\xbf \r\n\t")[:5] == b"{\\rtf":
        return "rtf"
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "mimetype" in names and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                    return "odt"
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            return None
    return None


def kind_label(suffix: str) -> str:
    return f"{CONVERT_SUFFIXES.get(suffix.lower(), '文档')}（{suffix.lower()}）"


def _env_float(name: str) -> float | None:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


class Converter:
    """LibreOffice headless as a batch converter to .docx.

    ``soffice``: the program (default: ``DRAFTER_SOFFICE``, else ``soffice`` / ``libreoffice`` on PATH).
    ``timeout_s``: seconds one run may take (default: ``DRAFTER_CONVERT_TIMEOUT``, else 60 s + 30 s per file).
    """

    def __init__(self, soffice: str | None = None, *, timeout_s: float | None = None, chunk: int = DEFAULT_CHUNK) -> None:
        configured = soffice or os.environ.get("DRAFTER_SOFFICE", "").strip() or None
        self.configured = configured
        self.soffice = shutil.which(configured) if configured else (shutil.which("soffice") or shutil.which("libreoffice"))
        self.timeout_s = timeout_s if timeout_s is not None else _env_float("DRAFTER_CONVERT_TIMEOUT")
        self.chunk = max(1, chunk)
        self.runs = 0  # soffice processes started (the benchmark and the tests read it)

    @property
    def available(self) -> bool:
        return self.soffice is not None

    def missing_reason(self, suffix: str) -> str:
        if self.configured:
            return (f"无法读取{kind_label(suffix)}：找不到 DRAFTER_SOFFICE 指定的 LibreOffice 程序“{self.configured}”"
                    "（请检查路径，或安装：apt-get install libreoffice-writer）")
        return INSTALL_HINT.format(kind=kind_label(suffix))

    def run_timeout(self, files: int) -> float:
        return self.timeout_s if self.timeout_s is not None else DEFAULT_STARTUP_S + DEFAULT_PER_FILE_S * files

    def convert(self, items: list[tuple[str, bytes]]) -> list[bytes | Failed]:
        """.docx bytes (or why not) for each (kind, data), kind as ``sniff`` says ("ole", "rtf" or "odt").
        The items are converted ``chunk`` at a time, one soffice run per chunk (more only after a timeout)."""
        out: list[bytes | Failed] = []
        for start in range(0, len(items), self.chunk):
            out.extend(self._convert_chunk(items[start:start + self.chunk]))
        return out

    def _convert_chunk(self, items: list[tuple[str, bytes]]) -> list[bytes | Failed]:
        if self.soffice is None:
            return [Failed(self.missing_reason(".doc")) for _ in items]
        results: list[bytes | Failed | None] = [None] * len(items)
        todo = list(range(len(items)))
        with tempfile.TemporaryDirectory(prefix="drafter-lo-") as tmp:
            work = Path(tmp)
            inputs: list[Path] = []
            for n, (kind, data) in enumerate(items):
                # Neutral names: no clash between a.doc and a.rtf, no odd characters on soffice's command line.
                path = work / "in" / f"{n:05d}.{_INPUT_SUFFIX[kind]}"
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(data)
                inputs.append(path)
            attempt = 0
            while todo:
                attempt += 1
                outdir = work / f"out{attempt}"
                timed_out, detail = self._run([inputs[i] for i in todo], outdir, work / f"profile{attempt}")
                converted = {i: outdir / f"{inputs[i].stem}.docx" for i in todo}
                done = [i for i in todo if _valid_docx(converted[i])]
                for i in done:
                    results[i] = converted[i].read_bytes()
                failed = Failed(f"LibreOffice 无法转换此文件（文件可能已损坏或加密）{detail}")
                if not timed_out:
                    for i in todo:
                        if i not in done:
                            results[i] = failed
                    break
                # soffice converts in command-line order: files without output before the last one converted
                # failed, the first after it is the one it hung on, the rest get a run of their own.
                last = todo.index(done[-1]) if done else -1
                for i in todo[:last + 1]:
                    if i not in done:
                        results[i] = failed
                after = todo[last + 1:]
                if not after:
                    break
                results[after[0]] = Failed(f"转换超时：LibreOffice 超过 {self.run_timeout(len(todo)):.0f} 秒未完成"
                                           "（文件可能损坏、加密或过大），已跳过")
                todo = after[1:]
        return [r if r is not None else Failed("LibreOffice 没有输出") for r in results]

    def _run(self, inputs: list[Path], outdir: Path, profile: Path) -> tuple[bool, str]:
        """One soffice run; (timed out, a short detail from its output for a failure reason)."""
        assert self.soffice is not None
        outdir.mkdir()
        cmd = [self.soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--nologo",
               "--norestore", "--nolockcheck", "--nodefault", "--convert-to", "docx:MS Word 2007 XML",
               "--outdir", str(outdir), *map(str, inputs)]
        self.runs += 1
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, env={**os.environ, "HOME": str(profile)})
        try:
            _out, err = proc.communicate(timeout=self.run_timeout(len(inputs)))
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            return True, ""
        finally:
            _kill_group(proc)  # soffice.bin may outlive the oosplash wrapper
        message = err.decode("utf-8", "replace").strip().splitlines()
        useful = [m for m in message if m and "javaldx" not in m and "Warning" not in m]
        return False, f"：{useful[-1][:120]}" if useful and proc.returncode else ""

    def to_pdf(self, docx: Path, pdf: Path) -> Path:
        """Export a .docx as PDF (the draft as clerks submit it); raises ``RuntimeError`` with a Chinese reason."""
        if self.soffice is None:
            raise RuntimeError("未安装 LibreOffice，无法导出 PDF（请安装：apt-get install libreoffice-writer）")
        with tempfile.TemporaryDirectory(prefix="drafter-lo-") as tmp:
            work = Path(tmp)
            source = work / "draft.docx"
            shutil.copyfile(docx, source)
            outdir = work / "out"
            cmd = [self.soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--invisible",
                   "--nologo", "--norestore", "--nolockcheck", "--nodefault", "--convert-to", "pdf:writer_pdf_Export",
                   "--outdir", str(outdir), str(source)]
            self.runs += 1
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True,
                                    env={**os.environ, "HOME": str(work)})
            try:
                proc.wait(timeout=self.run_timeout(1))
            except subprocess.TimeoutExpired as exc:
                raise RuntimeError(f"导出 PDF 超时（LibreOffice 超过 {self.run_timeout(1):.0f} 秒未完成）") from exc
            finally:
                _kill_group(proc)
            produced = outdir / "draft.pdf"
            if not produced.is_file() or produced.stat().st_size == 0:
                raise RuntimeError("LibreOffice 未能导出 PDF")
            pdf.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(produced), pdf)
        return pdf


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone already
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait()


def _valid_docx(path: Path) -> bool:
    """A complete .docx (a run killed mid-write leaves a zip without its central directory)."""
    return path.is_file() and path.stat().st_size > 0 and zipfile.is_zipfile(path)
