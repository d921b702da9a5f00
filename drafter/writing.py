"""Stage 3 — write: one section (or sub-section) per model call, streamed, from a prompt template file.

The facts go in as a quoted data block; exemplars only for style. The model's output is sanitised: any
heading, numbering, Markdown or chatter it adds is removed (the engine owns structure), half-width
punctuation is normalised, and a cut-off last sentence is trimmed back to the last full stop.
"""

from __future__ import annotations

import re

from drafter.facts import Facts
from drafter.zh.headings import match_heading
from drafter.zh.punctuation import normalise_punctuation

CHARS_PER_TOKEN = 1.3  # Qwen-family tokenisers: about 1.3 Chinese characters per token
_CHATTER = re.compile(r"^(好的|以下是|下面是|本节|注[:：]|说明[:：]|当然|根据(您|你)提供|【|参考语气|写作要求|必须用到|"
                      r"单位[:：]|时间[:：]|主题[:：]|数据[:：]|事项[:：]|字数[:：]|约\d+字)")
# A line that is no sentence: short, with no clause mark at all (a bullet the model listed: "每季度撰写笔记").
_FRAGMENT = re.compile(r"^[^。！？；，,;!?]{1,20}$")
_MARKDOWN = re.compile(r"^\s*(#{1,6}\s*|[-*+]\s+|>\s*|\d+\)\s+)|\*\*|__|`+")


def quote_data(text: str) -> str:
    """Facts as data: one line, no line breaks or fences a value could use to escape its block."""
    return re.sub(r"\s+", " ", text.replace("```", "'''")).strip()


def facts_block(facts: Facts, figures: list[str], items: list[str], extra: str = "") -> str:
    """The section's facts as a numbered list of quoted data (no labels a small model would echo)."""
    lines = [quote_data(f) for f in figures] + [quote_data(i) for i in items]
    if extra:
        lines.append(quote_data(extra))
    if not lines:
        return "（本节没有具体数据，不要写任何数字）"
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))


def examples_block(examples: list[str]) -> str:
    """Exemplars for tone only, shortened; their facts must not be reused (the checks enforce it)."""
    if not examples:
        return ""
    joined = "\n".join(quote_block(e) for e in examples)
    return f"参考语气（只学写法，不得照抄其中的内容和数字）：\n{joined}"


def quote_block(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip())


def sanitize(text: str, section_title: str = "", keep: set[str] | None = None) -> str:
    """The model's answer as clean body paragraphs of an official document. Lines in ``keep`` (the
    section's own sub-headings, when rewriting it) stay as they are."""
    paragraphs: list[str] = []
    for raw in text.replace("\r", "").split("\n"):
        line = _MARKDOWN.sub("", raw).strip().strip("“”\"'")
        if not line or _CHATTER.match(line):
            continue
        if keep and line in keep:
            paragraphs.append(line)
            continue
        h = match_heading(line)
        if h is not None:
            if not re.search(r"[。！？；]", line):
                continue  # a heading of its own: the engine numbers sections
            line = line[len(h.marker):].strip()
        if section_title and line.strip("：:。 ") == section_title:
            continue
        line = normalise_punctuation(line)
        if _FRAGMENT.match(line) or line.endswith(("：", ":")):
            continue  # a bare list item or a lead-in ("具体做法如下：") the engine's own structure replaces
        paragraphs.append(line)
    # a section never ends on a bare sub-heading
    while paragraphs and keep and paragraphs[-1] in keep:
        paragraphs.pop()
    body = "\n".join(p for p in paragraphs if p)
    return trim_unfinished(body)


def trim_unfinished(body: str) -> str:
    """Cut a last sentence the token limit broke off; keep text that has no full stop at all."""
    body = body.rstrip()
    if not body or body[-1] in "。！？”）":
        return body
    cut = max(body.rfind("。"), body.rfind("！"), body.rfind("？"))
    if cut >= len(body) * 0.4:
        return body[: cut + 1]
    return body.rstrip("，、；：,;: ") + "。"


def max_tokens_for(target_chars: int) -> int:
    return int(target_chars / CHARS_PER_TOKEN * 1.3) + 40
