"""Retrieval's own result type: exemplars saved to and loaded from the run's retrieval.json, including what
earlier versions saved there (the store's raw hits)."""

from __future__ import annotations

from drafter.facts import validate_facts
from drafter.retrieval import Exemplar, Retrieval, retrieve
from vectorstore.cli import demo_corpus_files
from vectorstore.store import CorpusStore

FACTS = validate_facts({
    "genre": "工作总结", "unit": "青石镇党委", "unit_type": "乡镇", "period": "2024年", "theme": "党员志愿服务",
    "activities": ["开展党员志愿服务活动"], "achievements": ["群众满意度明显提升"], "problems": ["学习不够深入"],
    "plans": ["加强党员教育培训"],
})

# A section hit as retrieval.json held it before Exemplar: vectorstore's Hit, metadata and all.
OLD_HIT = {
    "id": "abc-s02p01", "doc_id": "abc", "kind": "section", "title": "某镇2023年党建工作总结",
    "source": "/corpus/某镇总结.txt", "section_type": "主要做法", "heading": "主要做法 > （二）开展志愿服务",
    "text": "（二）开展志愿服务\n组织党员志愿服务队走访群众。", "score": 0.0325, "dense_rank": 1, "lexical_rank": 2,
    "metadata": {"doc_id": "abc", "kind": "section", "genre": "工作总结", "unit_type": "乡镇", "position": 2},
}


def test_a_retrieval_json_of_earlier_versions_still_loads():
    old = {"examples": [{**OLD_HIT, "id": "abc", "kind": "document", "section_type": "全文", "heading": "",
                         "text": "某镇2023年党建工作总结\n全文。", "dense_rank": 1, "lexical_rank": None}],
           "by_section": {"practice": [OLD_HIT]}, "excluded": ["zzz"], "pinned": []}
    loaded = Retrieval.from_dict(old)
    ex = loaded.by_section["practice"][0]
    assert isinstance(ex, Exemplar) and ex.id == "abc-s02p01" and ex.section_type == "主要做法"
    assert (ex.genre, ex.unit_type, ex.dense_rank, ex.lexical_rank) == ("工作总结", "乡镇", 1, 2)
    assert ex.relevance[0] == "高" and "语义相近" in ex.relevance[2]
    assert loaded.excluded == ["zzz"] and loaded.texts() == ["某镇2023年党建工作总结\n全文。", OLD_HIT["text"]]
    assert "metadata" not in loaded.to_dict()["by_section"]["practice"][0]
    assert Retrieval.from_dict(loaded.to_dict()) == loaded


def test_retrieve_returns_exemplars_that_round_trip():
    store = CorpusStore()
    store.ingest(demo_corpus_files())
    result = retrieve(store, FACTS, [("practice", "主要做法", "开展党员志愿服务活动")], k=2, per_section=2)
    found = [*result.examples, *result.by_section["practice"]]
    assert found and all(isinstance(e, Exemplar) and e.text and e.title for e in found)
    assert all(e.section_type == "主要做法" for e in result.by_section["practice"])
    assert any(e.work for e in found) and all(e.genre for e in found)
    assert Retrieval.from_dict(result.to_dict()) == result
