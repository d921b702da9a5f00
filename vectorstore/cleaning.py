"""Cleaning: scraped or converted text → clean Simplified Chinese prose, one paragraph a line.

Steps, in order: strip pinyin glosses (創(chuàng) → 創), Traditional → Simplified (OpenCC), drop site
boilerplate and spam lines, drop teasers ending in "...", rejoin lines broken mid-sentence, normalise spacing
and punctuation (黨支部 15 個 → 党支部15个, half-width ,:; inside Chinese → full-width). The original text is
kept by the caller for provenance; this module only computes the cleaned version.
"""

from __future__ import annotations

import re
from functools import lru_cache

from drafter.zh.headings import match_heading
from drafter.zh.punctuation import CJK, normalise_punctuation
from drafter.zh.sentences import SENTENCE_END_RE

_PINYIN_LETTERS = "a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ"
_GLOSS = re.compile(rf"([{CJK}])\s?[(（]([{_PINYIN_LETTERS}]{{1,7}}\d?)[)）]")

# Lines that are site furniture, not document text (matched on Simplified text).
_BOILERPLATE_LINE = re.compile(
    r"^(欢迎(来到|访问|光临)|加入收藏|设为首页|您(现在)?(所在的|的当前)?位置|当前位置|首页\s*[>»›]|"
    r"相关(热词|搜索|阅读|推荐|文章|范文|链接)|热门(搜索|推荐|文章)|猜你喜欢|推荐阅读|"
    r"版权所有|版权归|版权声明|免责声明|友情提示|本文(由|来自|地址|链接)|转载请|原文(地址|链接)|"
    r"上一篇|下一篇|返回(首页|列表|顶部)|分享到|打印本页|关闭窗口|【(打印|关闭|收藏)|"
    r"分类[:：]|标签[:：]|关键词[:：]|tags?[:：]|责任编辑|编辑[:：]|作者[:：]|来源[:：]|"
    r"发布(时间|日期|者)?[:：]|点击(数|量|次数)?[:：]|浏览(次数|量)?[:：]|阅读(数|量|次数)?[:：]|字数[:：]|"
    r"手机(版|访问)|扫一扫|微信扫|二维码|登录|注册|Copyright|All rights reserved|ICP备)",
    re.IGNORECASE,
)
# Anywhere in a line: the marks of a site's own blurb around the article.
_BOILERPLATE_ANYWHERE = re.compile(
    r"(为您精心(收集|整理)|以下是.{0,40}的正文|希望.{0,30}(能|可以)?给您带来帮助|复制到您的博客|"
    r"版权归(原)?作者所有|转载请注明|如产生版权问题|仅供(您)?参考|请联系我们(及时)?删除|本站(不|为)|"
    r"该篇文章建议您自主创作|www\.[a-z0-9-]+\.[a-z]{2,}|https?://)",
    re.IGNORECASE,
)
# Meta lines such as "2021-09-22 19:04:04 字数 2081 阅读 9769" or "发布时间:2020-10-22 来源: … 点击:".
_META_WORDS = re.compile(r"(发布时间|发布日期|发布|来源|点击|阅读|浏览|字数|编辑|作者|分类|时间)\s*[:：]?\s*\d*")
_SPAM_WORDS = re.compile(
    r"(视频|免费|福利|在线播放|午夜|丝袜|国产|一区二区|精品一区|中文字幕|美女|彩票|博彩|娱乐城|av|成人|"
    r"久久|香蕉|老湿|伦理|无码|高清|直播|下载)",
    re.IGNORECASE,
)
_SITE_TAG = re.compile(r"【[^】]{0,10}(例文|范文|精品|推荐|原创|最新|热门|精选)[^】]{0,10}】")
_TEASER_END = re.compile(r"(\.{3,}|…{1,2}|。。。)\s*$")
_TERMINAL = "。！？；：…”’」』）)!?;:"
_OPENERS = {"“": "”", "《": "》", "（": "）", "「": "」", "(": ")"}
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u2060"))


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified until nothing changes: OpenCC's t2s maps some characters in two steps
    (薴 → 苧 → 苎), and a cleaned text must not change when cleaned again."""
    for _ in range(3):
        converted = _t2s().convert(text)
        if converted == text:
            break
        text = converted
    return text


def strip_pinyin_glosses(text: str) -> str:
    """創(chuàng)先爭優(yōu) → 創先爭優: a CJK character followed by a bracketed pinyin syllable."""
    return _GLOSS.sub(r"\1", text)


def is_spam_line(line: str) -> bool:
    hits = len(_SPAM_WORDS.findall(line))
    commas = line.count(",") + line.count("，")
    return hits >= 3 or (hits >= 2 and commas >= 3) or (line.lower().startswith("www.") and commas >= 2)


def is_meta_line(line: str) -> bool:
    """Publication metadata: dates, counters and source lines, short and mostly not prose."""
    if len(line) > 90:
        return False
    words = _META_WORDS.findall(line)
    if len(words) >= 2:
        return True
    if len(line) <= 24 and re.match(r"^(发布时间|发布日期|发布|来源|点击|阅读|浏览|字数|作者|编辑)\s*[:：]?\s*[\d-]+", line):
        return True
    return bool(re.match(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?(\s|$)", line)) and bool(words)


def is_boilerplate_line(line: str) -> bool:
    return bool(
        _BOILERPLATE_LINE.match(line)
        or _BOILERPLATE_ANYWHERE.search(line)
        or is_meta_line(line)
        or is_spam_line(line)
    )


def is_teaser(line: str) -> bool:
    """A related-article teaser: a paragraph cut off with "..." (long enough not to be a deliberate ellipsis)."""
    return bool(_TEASER_END.search(line)) and len(line) >= 40


_HEADING_START = re.compile(r"^\s*([一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[、.．])")
_GLUED_HEADING = re.compile(r"(?<=[。！？])\s*(?=([一二三四五六七八九十]{1,2}、|（[一二三四五六七八九十]{1,2}）)[^，。；！？]{2,30}$)")


def split_glued_headings(line: str) -> list[str]:
    """Undo two scraping accidents: a heading at the end of the previous paragraph ("…基础。二、开展情况"),
    and a heading whose paragraph follows after a space on the same line ("二、依托品牌… 结合创先…")."""
    parts = _GLUED_HEADING.split(line, maxsplit=1)
    if len(parts) > 1:
        head, tail = parts[0], line[len(parts[0]):].lstrip()
        return [*split_glued_headings(head), tail]
    if _HEADING_START.match(line):
        m = re.match(r"^(\S{4,40}?)[ \u3000]+(\S.{19,})$", line.strip())
        # ... but not inside an open quotation: "一、基本情况“创先争优…首页 > 范文" is no heading and its paragraph
        # (rejoined, it lost one space a pass and never settled)
        if m and not SENTENCE_END_RE.search(m.group(1)) and not _unbalanced(m.group(1)):
            return [m.group(1), m.group(2)]
    return [line]


def _unbalanced(line: str) -> bool:
    return any(line.count(o) > line.count(c) for o, c in _OPENERS.items())


def _looks_like_heading(line: str) -> bool:
    return match_heading(line) is not None


def _prose_after_marker(line: str) -> bool:
    """"五、双休日半天工作制等一系列举措，…；…" is the wrapped tail of a sentence, not a heading: its first
    sentence runs far longer than any heading title does."""
    first = SENTENCE_END_RE.split(line, maxsplit=1)[0]
    return len(first) > 45 and bool(re.search(r"[；;]", first))


def rejoin_broken_lines(lines: list[str]) -> list[str]:
    """Join lines cut mid-sentence by a fixed-width wrap (possibly with one blank line in between)."""
    out: list[str] = []
    for line in lines:
        if out and line and _continues(out[-1], line):
            out[-1] = out[-1] + line
        else:
            out.append(line)
    return out


def _continues(prev: str, line: str) -> bool:
    if not prev or prev[-1] in _TERMINAL:
        return _unbalanced(prev) and not _looks_like_heading(line)
    if _unbalanced(prev):
        return True
    if len(line) <= 3 and not re.search(r"[\d。，：]", line):  # "总结" wrapped off a title line
        return True
    if _looks_like_heading(prev):
        return False
    if len(prev) >= 40 or re.search(r"[。；！？]", prev):
        # A long unpunctuated line is a wrapped paragraph; what follows continues it unless it is a
        # heading that also begins a sentence of its own.
        return not _looks_like_heading(line) or line[:1] in "，。、；：）”" or _prose_after_marker(line)
    return False


def clean_text(raw: str) -> str:
    """The cleaned text, one paragraph a line, no blank lines: the cleaning pass repeated until it changes nothing
    (at most ``CLEAN_PASSES`` times). One pass is not always a fixed point — its rules judge raw lines before
    broken lines are rejoined and glued headings split, so a second pass can find a heading the first one made
    ("…1286名。一、基本情况现将…如下：" rejoined, found by the property tests) — and a cleaned text must not change
    when it is cleaned again (re-ingesting an unchanged file writes nothing)."""
    text = _clean_pass(raw)
    for _ in range(CLEAN_PASSES - 1):
        again = _clean_pass(text)
        if again == text:
            break
        text = again
    return text


CLEAN_PASSES = 4


def _clean_pass(raw: str) -> str:
    """One cleaning pass over the text."""
    # Byte-order marks (concatenated files) and zero-width spaces anywhere: invisible, but they would make a
    # line of their own a paragraph and hide a heading marker at the start of a line.
    text = raw.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    text = strip_pinyin_glosses(text)
    text = to_simplified(text)
    kept: list[str] = []
    for raw_line in text.split("\n"):
        line = _SITE_TAG.sub("", raw_line).strip()
        if not line:
            kept.append("")
            continue
        if is_boilerplate_line(line) or is_teaser(line):
            kept.append("")
            continue
        for piece in split_glued_headings(line):
            kept.extend(normalise_punctuation(piece).split("\n"))
    lines = rejoin_broken_lines([ln for ln in kept if ln])
    deduped: list[str] = []
    for line in lines:
        if deduped and re.sub(r"\s", "", deduped[-1]) == re.sub(r"\s", "", line):
            continue
        deduped.append(line)
    return "\n".join(deduped)
