"""Fixed frames the facts fill, for text the embedded small model gets wrong: the 基本情况 section.

The 0.5B model's 基本情况 is where it invents national bodies and leaders ("××镇党委是全国人大常委会…"), so
with the embedded model that section is written by this frame from the unit's figures, with no model call.
Nothing in it goes beyond the facts: the unit, its counts, the period and the theme.
"""

from __future__ import annotations

from drafter.facts import Facts


def basic_situation(facts: Facts, figures: list[str], brief: bool = False) -> str:
    """基本情况 from the facts: the unit's counts, then the year's work in one general sentence (``brief``:
    a shorter one, for a short draft)."""
    sentences = []
    if figures:
        sentences.append(f"{facts.unit}现有{'、'.join(figures)}。")
    when = f"{facts.period}，" if facts.period else "近年来，"
    theme = f"紧扣{facts.theme}，" if facts.theme else ""
    if brief:  # a short draft: the opening already says the year's work went forward
        sentences.append(f"{when}{facts.unit}坚持围绕中心、服务大局，{theme}扎实推进各项工作。")
    else:
        sentences.append(f"{when}{facts.unit}坚持围绕中心、服务大局，{theme}精心组织、扎实推进，各项工作取得了新的进展。")
    return "".join(sentences)
