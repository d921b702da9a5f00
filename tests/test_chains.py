"""drafter in langchain: the README's example runs as written (scripted model, real Chroma on the test's data
dir); the retriever applies the store's filters and returns Documents with metadata; the pipeline Runnable
returns the Run from invoke and the engine's events from stream, inside langchain chains and callbacks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

import drafter.llm
from drafter.chains import DrafterRetriever, DraftingRunnable
from drafter.engine import DraftEngine, Event
from drafter.llm import MockModel
from drafter.run import Run
from vectorstore.cli import demo_corpus_files
from vectorstore.store import CorpusStore

README = Path(__file__).resolve().parent.parent / "README.md"
ANSWER = "城关镇党委认真落实各项部署，扎实推进工作。"
FACTS = {"genre": "工作总结", "unit": "城关镇党委", "period": "2024年", "theme": "创先争优活动",
         "figures": [{"label": "党员", "value": 1286, "unit": "名"}],
         "activities": ["举办党课培训12期"], "plans": ["加强党员教育培训"], "target_chars": 600}


def scripted(n: int = 40) -> MockModel:
    model = MockModel()
    for _ in range(n):
        model.enqueue(ANSWER)
    return model


@pytest.fixture
def store() -> CorpusStore:
    """The demo corpus in a real Chroma under the test's own data dir (conftest's drafter_home)."""
    s = CorpusStore()
    s.ingest(demo_corpus_files())
    return s


def readme_example() -> str:
    section = README.read_text("utf-8").split("## 在 langchain 中使用", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1, "the README's langchain section has one Python example"
    return blocks[0]


def test_readme_example_runs(store: CorpusStore, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    model = scripted()
    monkeypatch.setattr(drafter.llm, "get_model", lambda *args, **kwargs: model)  # DraftEngine's default model
    namespace: dict[str, Any] = {}
    exec(compile(readme_example(), str(README), "exec"), namespace)
    docs = namespace["docs"]
    assert docs and len(docs) <= 3 and all(isinstance(d, Document) for d in docs)
    assert {d.metadata["section_type"] for d in docs} == {"主要做法"}
    assert all(d.page_content and d.metadata["title"] and d.metadata["doc_id"] for d in docs)
    assert isinstance(namespace["text"], str) and namespace["text"]  # a chain: retriever | lambda
    run = namespace["run"]
    assert isinstance(run, Run) and (run.dir / "draft.md").is_file()
    assert all(s.status == "done" for s in run.sections)
    out = capsys.readouterr().out
    assert str(run.dir / "draft.md") in out and ANSWER[:8] in out  # streamed text was printed
    assert model.history  # the pipeline went through the model


def test_retriever_filters_and_metadata(store: CorpusStore) -> None:
    retriever = DrafterRetriever(store=store, k=2, section_type="取得成效")
    docs = retriever.invoke("党员教育培训")
    hits = store.search("党员教育培训", 2, section_type="取得成效")
    assert [d.id for d in docs] == [h.id for h in hits] and len(docs) == 2
    assert [d.page_content for d in docs] == [h.text for h in hits]
    first = docs[0].metadata
    assert first["score"] == hits[0].score and first["source"] == hits[0].source
    assert first["section_type"] == "取得成效" and first["kind"] == "section"
    # per-call options override the retriever's own; a document's fields come along
    one = retriever.invoke("党员教育培训", k=1, section_type="主要做法")
    assert len(one) == 1 and one[0].metadata["section_type"] == "主要做法"
    excluded = retriever.invoke("党员教育培训", exclude_doc_ids=[d.metadata["doc_id"] for d in docs])
    assert not {d.metadata["doc_id"] for d in excluded} & {d.metadata["doc_id"] for d in docs}
    documents = DrafterRetriever(store=store, kind="document", k=2).invoke("创先争优活动总结")
    assert documents and all(d.metadata["kind"] == "document" for d in documents)
    assert retriever.invoke("党员教育培训", unit_type="不存在的单位类型") == []
    with pytest.raises(TypeError, match="section_typ"):
        retriever.invoke("党员", section_typ="主要做法")


def test_pipeline_runnable_invoke_and_stream(store: CorpusStore) -> None:
    class Seen(BaseCallbackHandler):
        def __init__(self) -> None:
            self.ends: list[Any] = []

        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            self.ends.append(outputs)

    model = scripted()
    drafting = DraftingRunnable(DraftEngine(store=store, model=model))
    seen = Seen()
    run = drafting.invoke(FACTS, config={"callbacks": [seen]})
    assert isinstance(run, Run) and (run.dir / "draft.md").is_file() and run in seen.ends
    # in a chain: the Run goes on to the next step
    chain = drafting | RunnableLambda(lambda r: (r.dir / "draft.md").read_text("utf-8"))
    assert "城关镇党委" in chain.invoke(FACTS)
    events = list(drafting.stream(FACTS))
    assert all(isinstance(e, Event) for e in events)
    assert events[0].kind == "run" and Path(events[0].data["run_dir"]).is_dir()
    assert events[0].data["run_dir"] != str(run.dir)  # a new run each time
    kinds = [e.kind for e in events]
    assert "delta" in kinds and "section_done" in kinds and kinds[-1] == "done"
