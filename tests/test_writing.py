"""Cleaning a model's answer into body paragraphs (writing.sanitize)."""

from __future__ import annotations

from drafter.writing import sanitize


def test_bare_list_items_and_lead_ins_are_dropped_sentences_kept():
    answer = "\n".join([
        "幸福里社区党委开展党员包楼栋志愿服务，具体做法如下：",
        "市委书记示范学",
        "每季度撰写笔记",
        "- 规范组织设置",
        "党员每月到联系楼栋走访一次，收集居民诉求。",
        "通过以上措施，社区服务能力明显提升。",
    ])
    assert sanitize(answer, "开展党员包楼栋志愿服务") == (
        "党员每月到联系楼栋走访一次，收集居民诉求。\n通过以上措施，社区服务能力明显提升。")


def test_a_short_sentence_with_a_full_stop_stays():
    assert sanitize("成效明显。") == "成效明显。"
    assert sanitize("（一）加强组织领导\n成立领导小组，书记任组长。", keep={"（一）加强组织领导"}) == (
        "（一）加强组织领导\n成立领导小组，书记任组长。")


def test_an_inline_numbered_list_loses_its_markers_but_not_its_decimals():
    # seen in a 1.5B draft: after a clause was cut, "4. 强化了……" stood at a line start and read as a heading
    answer = ("修订后的新规则包括以下几点变化：1. 增加了会议纪律条款；2. 优化了会议议程；（3）会议记录保存期限延长到3.5年；"
              "4. 强化了会议结束后的工作安排。")
    body = sanitize(answer)
    assert body == ("修订后的新规则包括以下几点变化：增加了会议纪律条款；优化了会议议程；会议记录保存期限延长到3.5年；"
                    "强化了会议结束后的工作安排。")
    assert sanitize("签约率达到86.5%，较上年提高3.2个百分点，其中2.1个百分点来自上门服务。") == (
        "签约率达到86.5%，较上年提高3.2个百分点，其中2.1个百分点来自上门服务。")
