"""Uploaded file names: whatever name a browser (or a hand-made request) sends, the file lands inside
``<home>/uploads`` under a sanitised name — no path traversal, no hidden or control-character names, a name the
file system accepts (≤ 255 bytes), the extension kept so a supported file is not refused — and never anywhere
else. Checked on the upload logic with generated names (≥ 1,000) and through the running app's HTTP API.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafter.settings import Settings
from drafter.webapp.corpus import safe_name, save_uploads, upload_dir
from vectorstore.loading import SUPPORTED_SUFFIXES

TRAVERSAL = ["../../etc/passwd.txt", "..\\..\\windows\\win.ini.txt", "/etc/cron.d/x.txt", "C:\\x\\y.txt", "..", ".",
             "", "....", "a/../../b.txt", "./.././../c.md", "%2e%2e%2fd.txt", "..%2f..%2fe.txt", "\x00.txt",
             "a\x00b.txt", "line\nbreak.txt", "~/f.txt", "$HOME/g.txt", "uploads/../../h.txt", ".bashrc.txt",
             "\u202etxt.exe", "x\u202e.txt", "名字" * 200 + ".txt", "🎉" * 150 + ".docx", "a" * 300 + ".pdf"]
names = st.one_of(
    st.sampled_from(TRAVERSAL),
    st.text(max_size=300),
    st.lists(st.sampled_from(["..", ".", "/", "\\", "a", "党", "🎉", " ", "\x00", "\n", "\u202e", "%2e", ":", "*"]),
             max_size=40).map("".join),
    st.tuples(st.text(max_size=250), st.sampled_from(sorted(SUPPORTED_SUFFIXES))).map("".join),
)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("upload_src") / "src.txt"
    path.write_text("青山镇党委2024年工作总结\n一、基本情况\n全镇共有党员1286名。", encoding="utf-8")
    return path


def _assert_safe(name: str) -> None:
    assert name and "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".") and name not in (".", "..")
    assert len(name.encode("utf-8")) <= 255
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in name)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=names)
def test_any_uploaded_name_lands_inside_the_uploads_dir(name: str, source: Path, tmp_path_factory) -> None:
    home = tmp_path_factory.getbasetemp() / "upload_home"
    cfg = Settings(home=home)
    uploads = upload_dir(cfg).resolve()
    result = save_uploads(cfg, [source], [name])
    for saved in result.saved:
        assert saved.resolve().parent == uploads, (name, saved)
        _assert_safe(saved.name)
        assert saved.read_bytes() == source.read_bytes()
    for _shown, reason in result.rejected:
        assert "不支持的文件类型" in reason
    assert len(result.saved) + len(result.rejected) == 1
    safe = safe_name(name)
    _assert_safe(safe)
    # a name ending in a supported extension keeps it, however long the name is
    suffix = os.path.splitext(name.replace("\\", "/").split("/")[-1])[1].lower()
    if suffix in SUPPORTED_SUFFIXES and name.rstrip(". ") == name:
        assert safe.lower().endswith(suffix), (name, safe)
        assert result.saved, (name, result.rejected)
    files = [p for p in home.rglob("*") if p.is_file()]
    assert all(p.resolve().parent == uploads for p in files), "nothing written outside <home>/uploads"


@pytest.mark.parametrize("name", TRAVERSAL)
def test_traversal_names(name: str, source: Path, tmp_path: Path) -> None:
    cfg = Settings(home=tmp_path / "home")
    result = save_uploads(cfg, [source], [name])
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != upload_dir(cfg) and p != source]
    assert outside == []
    for saved in result.saved:
        _assert_safe(saved.name)


def test_long_names_keep_their_extension_and_fit_the_file_system(source: Path, tmp_path: Path) -> None:
    """A 150-character Chinese name lost its '.txt' to the 120-character cut and was refused as '无扩展名'; 100
    emoji (400 bytes) crashed the upload with OSError: File name too long."""
    cfg = Settings(home=tmp_path / "home")
    for name in ("关于" * 75 + "的工作总结.txt", "🎉" * 100 + ".txt", "a" * 250 + ".docx"):
        result = save_uploads(cfg, [source], [name])
        assert result.rejected == [] and len(result.saved) == 1, name
        assert result.saved[0].suffix == Path(name).suffix


def test_upload_through_the_running_app(tmp_path: Path) -> None:
    """A hand-made request to the app's upload endpoint with a traversal file name, then 导入语料库 (the
    /on_ingest API the page calls): the file is ingested from <home>/uploads and nothing appears elsewhere."""
    from gradio_client import Client, handle_file
    from test_reliability_app import bench_module

    home = tmp_path / "home"
    app = bench_module().LaunchedApp(home, {}, [])
    try:
        body = "青山镇党委2024年工作总结\n一、基本情况\n全镇共有党员1286名，基层党组织42个。\n二、主要做法\n加强学习。"
        nasty = "../../../../" + str(tmp_path / "escaped.txt").lstrip("/")
        response = httpx.post(f"{app.url}gradio_api/upload", files={"files": (nasty, body.encode(), "text/plain")},
                              timeout=30)
        assert response.status_code == 200, response.text
        (server_path,) = response.json()
        assert not (tmp_path / "escaped.txt").exists()
        client = Client(app.url, verbose=False)
        status_html, *_ = client.predict([handle_file(server_path)], api_name="/on_ingest")
        assert "读取 1 个" in status_html, status_html
        uploads = upload_dir(app.ctx.settings)
        saved = [p for p in uploads.iterdir()]
        assert [p.name for p in saved] == ["escaped.txt"]
        assert [Path(d.source) for d in app.ctx.store.documents()] == [saved[0].resolve()]
        assert not (tmp_path / "escaped.txt").exists()
        assert not any(p.name == "escaped.txt" and p.parent != uploads for p in tmp_path.rglob("*"))
    finally:
        app.close()
