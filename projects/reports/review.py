"""The review paragraph managers send upward, written from a Review's figures.

Both languages are produced side by side whatever the page's language (a manager
pastes the Chinese one into the report and the English one into the brief for foreign
partners), so the two sentences are composed here, per language, rather than through
the translation catalogue: their grammar differs more than a msgid can carry. The
paragraph gives the counts; the table under it names the late projects.

Chinese follows the seed's shape: "2023年新批亿元以上项目145个，总投资1087亿元，其中
100亿元以上项目2个；25个重大产业项目全部开工，17个计划竣工项目全部竣工。"
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from core.templatetags.amounts import format_amount

if TYPE_CHECKING:
    from projects.reports.selectors import LateMilestone, MajorMilestones, Review


def yi_text(value: Decimal) -> str:
    """亿元 as reports write them: up to two decimals, no trailing zeros, no grouping."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


ZH_MILESTONE = {
    # stage: (what was planned, all reached, some reached)
    "started": ("个重大产业项目", "全部开工", "计划开工，已开工"),
    "completed": ("个计划竣工项目", "全部竣工", "已竣工"),
    "producing": ("个计划投产项目", "全部投产", "已投产"),
}
EN_MILESTONE = {
    "started": ("major project{s} planned to start", "started"),
    "completed": ("major project{s} planned to complete", "completed"),
    "producing": ("major project{s} planned to go into production", "gone into production"),
}


def late_text(late: list[LateMilestone], language: str) -> str:
    """The late ones named with how late, for the table under the paragraph."""
    if language.startswith("zh"):
        return "、".join(f"{item.name}（逾期{item.days_late}天）" for item in late)
    return ", ".join(f"{item.name} ({item.days_late} day{'s' if item.days_late != 1 else ''} late)" for item in late)


def _zh_major(major: MajorMilestones) -> str:
    noun, all_reached, some_reached = ZH_MILESTONE[major.stage]
    if major.all_reached:
        return f"{major.planned}{noun}{all_reached}"
    return f"{major.planned}{noun}{some_reached}{major.reached}个"


def _en_major(major: MajorMilestones) -> str:
    noun, verb = EN_MILESTONE[major.stage]
    noun = noun.format(s="s" if major.planned != 1 else "")
    if major.all_reached:
        if major.planned == 1:
            return f"the one {noun} has {verb}"
        return f"all {major.planned} {noun} have {verb}"
    return f"{major.reached} of {major.planned} {noun} {'has' if major.reached == 1 else 'have'} {verb}"


def paragraph(review: Review, language: str) -> str:
    period = review.period
    majors = [major for major in review.majors if major.planned]
    # Figures after the signing join the paragraph once there is something to say.
    landed = [figure for figure in review.landed if figure.value]
    if language.startswith("zh"):
        text = (
            f"{period.label('zh')}新批亿元以上项目{review.above_threshold_count}个，"
            f"总投资{yi_text(review.above_threshold_yi)}亿元，"
            f"其中100亿元以上项目{review.above_10b_count}个"
        )
        if majors:
            text += "；" + "，".join(_zh_major(major) for major in majors)
        if landed:
            text += "；" + "，".join(figure.zh for figure in landed)
        return text + "。"
    count = review.above_threshold_count
    text = (
        f"In {period.label('en')}, {count} new project{'s' if count != 1 else ''} of 100M yuan or more "
        f"{'were' if count != 1 else 'was'} signed, with a total investment of "
        f"{format_amount(review.above_threshold_yi * 10000, language='en')}; "
        f"{review.above_10b_count} of them {'are' if review.above_10b_count != 1 else 'is'} 10B yuan or more"
    )
    if majors:
        text += "; " + "; ".join(_en_major(major) for major in majors)
    if landed:
        text += "; " + ", ".join(figure.en for figure in landed)
    return text + "."
