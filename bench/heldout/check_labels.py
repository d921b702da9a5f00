"""Check ``labels.json`` and ``queries.json`` against the held-out documents as the product loads them.

Every labelled document must load (GBK, scrape noise and Word auto-numbering included); every passage's
``heading`` must be a line of the loaded text and its ``start`` must occur exactly once in that document;
labels must come from the fixed vocabularies. Prints a summary per split; exits 1 on any problem.

    .venv/bin/python bench/heldout/check_labels.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from vectorstore.loading import LoadedFile, load_path  # noqa: E402

SECTION_TYPES = ("基本情况", "主要做法", "取得成效", "经验体会", "存在问题", "下一步打算")
WORKS = ("组织领导", "学习教育", "公开承诺", "结对帮扶", "岗位建功", "志愿服务", "阵地建设", "考核评议", "制度建设",
         "服务群众", "作风建设", "业务融合", "队伍建设", "宣传引导", "综合")
GENRES = ("工作总结", "汇报材料", "经验材料")


def main() -> int:
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    queries = json.loads((HERE / "queries.json").read_text(encoding="utf-8"))
    problems: list[str] = []
    docs = {d["file"]: d for d in labels["documents"]}
    texts: dict[str, str] = {}
    for name, doc in docs.items():
        loaded = load_path(HERE / name)
        if not isinstance(loaded, LoadedFile):
            problems.append(f"{name}: not loaded ({loaded})")
            continue
        texts[name] = loaded.text.replace("\r", "")
        if doc["genre"] not in GENRES or doc["split"] not in ("dev", "test"):
            problems.append(f"{name}: bad genre/split")
    for p in labels["passages"]:
        text = texts.get(p["doc"])
        if text is None:
            problems.append(f"passage of unknown or unloaded doc {p['doc']}")
            continue
        lines = [line.strip() for line in text.split("\n")]
        if p["heading"] not in lines:
            problems.append(f"{p['doc']}: heading not a line: {p['heading']}")
        if text.count(p["start"]) != 1:
            problems.append(f"{p['doc']}: start found {text.count(p['start'])}×: {p['start']}")
        if p["section_type"] not in SECTION_TYPES or p["work"] not in WORKS:
            problems.append(f"{p['doc']}: bad label {p['section_type']}/{p['work']}")
    for q in queries:
        if q["section_type"] not in SECTION_TYPES or q["work"] not in WORKS or q["split"] not in ("dev", "test"):
            problems.append(f"bad query labels: {q}")
    split_of = {name: d["split"] for name, d in docs.items()}
    for split in ("dev", "test"):
        names = [n for n, s in split_of.items() if s == split]
        works = Counter(p["work"] for p in labels["passages"] if split_of.get(p["doc"]) == split)
        types = Counter(p["section_type"] for p in labels["passages"] if split_of.get(p["doc"]) == split)
        nq = sum(1 for q in queries if q["split"] == split)
        print(f"{split}: {len(names)} documents, {sum(works.values())} passages, {nq} queries")
        print("  section types:", dict(types))
        print("  works:", dict(works))
        missing = [t for t in SECTION_TYPES if not types[t]]
        if missing:
            problems.append(f"{split}: no passage of type {missing}")
    for line in problems:
        print("PROBLEM:", line)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
