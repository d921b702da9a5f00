"""Corpus tab logic on a real temp Chroma store: uploads (GBK too) are kept, ingested, listed, removed,
rebuilt; unsupported files are refused with a reason."""

from __future__ import annotations

from drafter.settings import get_settings
from drafter.webapp import corpus, render
from drafter.webapp.corpus import safe_name, upload_dir
from vectorstore.cli import demo_corpus_files
from vectorstore.store import CorpusStore

GBK_TEXT = """柳河乡2023年党建工作总结

2023年，柳河乡党委坚持以党建引领乡村振兴，现将有关情况总结如下。

一、基本情况
全乡共有基层党组织18个，党员526名。

二、主要做法
（一）抓学习教育。举办专题读书班3期。
（二）抓阵地建设。新建党群服务站2个。

三、下一步打算
继续加强村级组织建设。

中共柳河乡委员会
2023年12月28日
"""


def upload(tmp_path, name: str, data: bytes):
    """Like Gradio: the file sits in a temp dir under its original name."""
    folder = tmp_path / "gradio-tmp" / "abc123"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return str(path)


def test_gbk_upload_is_ingested_and_listed(tmp_path):
    settings = get_settings()
    store = CorpusStore(settings)
    seen = []
    summary = corpus.upload_and_ingest(settings, store, [upload(tmp_path, "柳河乡.txt", GBK_TEXT.encode("gbk"))],
                                       progress=lambda i, n, name: seen.append((i, n, name)))
    assert "读取 1 个" in summary and "新增文档 1 篇" in summary
    assert seen == [(1, 1, "柳河乡.txt")]
    docs = store.documents()
    assert [(d.title, d.encoding.lower()) for d in docs] == [("柳河乡2023年党建工作总结", "gb18030")] or \
        docs[0].encoding.lower().startswith("gb")
    assert (upload_dir(settings) / "柳河乡.txt").read_bytes() == GBK_TEXT.encode("gbk")
    assert "柳河乡2023年党建工作总结" in render.documents_table(docs)
    assert [label for label, _ in corpus.document_sources(store)] == ["柳河乡.txt（柳河乡2023年党建工作总结）"]


def test_unsupported_files_are_refused_with_a_reason(tmp_path):
    settings = get_settings()
    store = CorpusStore(settings)
    summary = corpus.upload_and_ingest(settings, store, [upload(tmp_path, "table.xlsx", b"PK..")])
    assert summary == "跳过 table.xlsx：不支持的文件类型“.xlsx”（支持 txt、md、docx、doc、wps、rtf、odt、pdf、ofd）"
    assert store.count() == 0
    assert corpus.upload_and_ingest(settings, store, []) == "请先选择要上传的文件。"


def test_remove_deletes_records_and_the_uploaded_copy(tmp_path):
    settings = get_settings()
    store = CorpusStore(settings)
    corpus.upload_and_ingest(settings, store, [upload(tmp_path, "a.txt", GBK_TEXT.encode("utf-8"))])
    (source,) = [s for _, s in corpus.document_sources(store)]
    assert corpus.remove(settings, store, source) == "已删除“a.txt”。"
    assert store.documents() == [] and not (upload_dir(settings) / "a.txt").exists()
    assert corpus.remove(settings, store, source) == "语料库中没有“a.txt”。"
    assert corpus.remove(settings, store, "") == "请先选择要删除的文档。"


def test_rebuild_reingests_demo_corpus_and_uploads(tmp_path):
    settings = get_settings()
    store = CorpusStore(settings)
    corpus.upload_and_ingest(settings, store, [upload(tmp_path, "b.txt", GBK_TEXT.encode("gbk"))])
    message = corpus.rebuild(settings, store, demo_corpus_files())
    assert f"内置示例 {len(demo_corpus_files())} 个文件、上传 1 个文件" in message
    titles = {d.title for d in store.documents()}
    assert "柳河乡2023年党建工作总结" in titles and len(titles) == len(demo_corpus_files()) + 1


def test_safe_name_strips_paths_and_reserved_characters():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\x\\报告<1>.txt") == "报告_1_.txt"
    assert safe_name("...") == "upload.txt"


def test_markup_in_a_corpus_document_is_shown_as_text(tmp_path):
    settings = get_settings()
    store = CorpusStore(settings)
    text = GBK_TEXT.replace("柳河乡2023年党建工作总结", '柳河乡<img src=x onerror="alert(1)">2023年党建工作总结', 1)
    corpus.upload_and_ingest(settings, store, [upload(tmp_path, "<b>x<b>.txt", text.encode("utf-8"))])
    html = render.documents_table(store.documents())
    assert "<img" not in html and "<b>" not in html
