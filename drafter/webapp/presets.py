"""Sample facts the form can be filled with (fictional units; for trying drafter out); the 填入示例 menu lists
them by name."""

from __future__ import annotations

from typing import Any

SAMPLE_FACTS: dict[str, dict[str, Any]] = {
    "乡镇创先争优活动总结": {
        "genre": "工作总结",
        "unit": "青山镇党委",
        "unit_type": "乡镇",
        "period": "2024年",
        "theme": "创先争优",
        "figures": [
            {"label": "基层党组织", "value": "42", "unit": "个"},
            {"label": "党员", "value": "1286", "unit": "名"},
            {"label": "结对帮扶困难群众", "value": "356", "unit": "户"},
        ],
        "activities": [
            "开展“亮身份、作承诺”活动，党员公开承诺事项",
            "举办党课培训12期",
            "设立党员先锋岗",
        ],
        "achievements": ["2个党支部获评县级先进基层党组织", "群众满意度明显提升"],
        "problems": ["部分村级党组织活动形式单一"],
        "plans": ["建立创先争优长效机制", "加强村级后备干部培养"],
        "signature": "中共青山镇委员会",
        "date": "2024年12月20日",
        "target_chars": 1200,
    },
    "社区党建工作汇报": {
        "genre": "汇报材料",
        "unit": "和平街道东风社区党委",
        "unit_type": "社区",
        "period": "2024年上半年",
        "theme": "党建引领基层治理",
        "figures": [
            {"label": "网格", "value": "18", "unit": "个"},
            {"label": "在职党员报到", "value": "236", "unit": "名"},
            {"label": "解决群众诉求", "value": "412", "unit": "件"},
        ],
        "activities": ["推行“网格+党建”模式", "开展在职党员进社区志愿服务", "建设邻里议事厅"],
        "achievements": ["群众诉求办结率明显提高"],
        "problems": ["老旧小区物业管理仍有短板"],
        "plans": ["完善网格员考核办法"],
        "signature": "东风社区党委",
        "date": "2024年7月5日",
        "target_chars": 1000,
    },
    "学校主题教育经验材料": {
        "genre": "经验材料",
        "unit": "第三中学党总支",
        "unit_type": "学校",
        "period": "2024年",
        "theme": "主题教育",
        "figures": [
            {"label": "党员教师", "value": "64", "unit": "名"},
            {"label": "专题学习", "value": "15", "unit": "次"},
        ],
        "activities": ["党员教师“一对一”帮扶学困生", "开设思政公开课"],
        "achievements": ["形成“党建+教研”工作法"],
        "problems": [],
        "plans": ["推广“党建+教研”工作法"],
        "signature": "第三中学党总支",
        "date": "2024年11月30日",
        "target_chars": 900,
    },
}
