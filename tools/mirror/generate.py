"""Made-up sample reports: both templates and the legacy 统计表 on all four portals.

Numbers come from a RNG seeded with the report id, so the set is the same
on every run.  Every template relation holds (row sums, per-column balance,
outcomes, appeals, the 2021 （六） sub-rows, legacy sub-totals) and so do the
cross-year ones between consecutive reports of one agency (结转下年度 →
上年结转, 现行有效 + 制发 − 废止 → 现行有效).  The text says it is sample data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tools.mirror.render.layout import APPEAL_GROUPS, COLUMNS, OUTCOMES, REQUEST_ROWS
from tools.mirror.samples import SampleReport, Section, Signature

SAMPLE_NOTE = "本报告为示例数据，数字为虚构，仅供nianbao演示和测试使用（sample data）。"
APPLICANTS = COLUMNS[:-1]
APPLICANT_WEIGHTS = [8, 2, 0.2, 0.3, 0.5, 0.5]  # most requests come from natural persons
# Outcome rows of table 3 (the key prefix after "requests.") and how often each occurs.
OUTCOME_WEIGHTS = {
    "granted": 10, "partly_granted": 3, "denied_state_secret": 0.1, "denied_prohibited_by_law": 0.2,
    "denied_security_stability": 0.1, "denied_third_party": 0.5, "denied_internal_affairs": 0.6,
    "denied_process_info": 0.6, "denied_enforcement_file": 0.3, "denied_inquiry": 0.3,
    "unable_not_held": 4, "unable_needs_creation": 0.8, "unable_unclear": 0.5, "rejected_petition": 0.8,
    "rejected_duplicate": 0.6, "rejected_publication": 0.2, "rejected_excessive": 0.2,
    "rejected_confirmation": 0.3, "other": 0.5, "other_no_correction": 0.4, "other_unpaid_fee": 0.1,
    "other_other": 0.3,
}
OTHER_SUBROWS = ["other_no_correction", "other_unpaid_fee", "other_other"]


@dataclass
class Spec:
    id: str
    portal: str
    agency: str
    year: int
    template: str
    scale: int  # roughly how many requests a year
    layout: dict[str, bool] = field(default_factory=dict)
    follows: str | None = None  # id of last year's report of the same agency


SPECS = [
    Spec("sample-yinchuan-2018", "yinchuan", "银川市人民政府", 2018, "legacy", 60),
    Spec("sample-yinchuan-zrzy-2019", "yinchuan", "银川市自然资源局", 2019, "2019", 25,
         layout={"title_in_body": False}),
    Spec("sample-nxzw-2021", "nxzw", "中卫市人民政府办公室", 2021, "2021", 14),
    Spec("sample-yinchuan-2021", "yinchuan", "银川市人民政府办公室", 2021, "2021", 40, layout={"split_active": True}),
    Spec("sample-yinchuan-2022", "yinchuan", "银川市人民政府办公室", 2022, "2021", 45, follows="sample-yinchuan-2021"),
    Spec("sample-nxld-2021", "nxld", "隆德县人民政府", 2021, "2021", 6, layout={"nested": True}),
    Spec("sample-gongyi-2021", "gongyi", "巩义市人民政府", 2021, "2021", 110),
    Spec("sample-gongyi-2022", "gongyi", "巩义市人民政府", 2022, "2021", 120, layout={"wrap_labels": False},
         follows="sample-gongyi-2021"),
]


def _split(rng: random.Random, total: int, names: list[str], weights: list[float]) -> dict[str, int]:
    """``total`` items spread over ``names`` at random, proportionally to ``weights``."""
    counts = dict.fromkeys(names, 0)
    for name in rng.choices(names, weights=weights, k=total):
        counts[name] += 1
    return counts


def _requests(rng: random.Random, spec: Spec, carried_over: dict[str, int]) -> dict[str, int]:
    figures: dict[str, int] = {}
    new = _split(rng, max(0, int(rng.gauss(spec.scale, spec.scale / 4))), APPLICANTS, APPLICANT_WEIGHTS)
    outcomes = [p.removeprefix("requests.") for *_, p in REQUEST_ROWS[spec.template]
                if p not in ("requests.new", "requests.carried_over", "requests.total", "requests.carried_forward")]
    for col in APPLICANTS:
        pending = new[col] + carried_over.get(col, 0)
        forward = min(pending, rng.choice([0, 0, 0, 1, 2]))
        done = _split(rng, pending - forward, outcomes, [OUTCOME_WEIGHTS[o] for o in outcomes])
        if spec.template == "2021":
            done["other"] = sum(done[o] for o in OTHER_SUBROWS)
        values = {"new": new[col], "carried_over": carried_over.get(col, 0), **done,
                  "total": pending - forward, "carried_forward": forward}
        for row, value in values.items():
            figures[f"requests.{row}.{col}"] = value
    for row in {k.split(".")[1] for k in figures}:
        figures[f"requests.{row}.total"] = sum(figures[f"requests.{row}.{c}"] for c in APPLICANTS)
    return figures


def _appeals(rng: random.Random) -> dict[str, int]:
    figures = {}
    for group in APPEAL_GROUPS:
        parts = {o: rng.choice([0] * 8 + [1, 2]) for o in OUTCOMES[:-1]}
        figures.update({f"appeals.{group}.{o}": v for o, v in parts.items()})
        figures[f"appeals.{group}.total"] = sum(parts.values())
    return figures


def _active_2019(rng: random.Random) -> dict[str, int | float]:
    docs = rng.randint(2, 30)
    figures: dict[str, int | float] = {
        "active.rules.new_made": 0, "active.rules.new_published": 0, "active.rules.total_published": 0,
        "active.normative_docs.new_made": docs, "active.normative_docs.new_published": docs,
        "active.normative_docs.total_published": docs + rng.randint(10, 80),
        "active.procurement.items": rng.randint(5, 60),
        "active.procurement.amount": round(rng.uniform(50, 5000), 2),
    }
    for prefix in ("licensing", "other_services", "penalty", "enforcement"):
        figures[f"active.{prefix}.prev_items"] = rng.randint(0, 400)
        figures[f"active.{prefix}.change"] = rng.randint(-20, 20)
        figures[f"active.{prefix}.decisions"] = rng.randint(0, 3000)
    figures["active.fees.prev_items"] = rng.randint(0, 20)
    figures["active.fees.change"] = rng.randint(-3, 3)
    return figures


def _active_2021(rng: random.Random, last: dict) -> dict[str, int | float]:
    figures: dict[str, int | float] = {}
    for prefix, (low, high) in {"rules": (0, 2), "normative_docs": (2, 25)}.items():
        issued, repealed = rng.randint(low, high), rng.randint(0, high // 3)
        before = last.get(f"active.{prefix}.in_force", rng.randint(repealed, 40 * high))
        repealed = min(repealed, before)
        figures.update({f"active.{prefix}.issued": issued, f"active.{prefix}.repealed": repealed,
                        f"active.{prefix}.in_force": before + issued - repealed})
    for prefix in ("licensing", "penalty", "enforcement"):
        figures[f"active.{prefix}.decisions"] = rng.randint(0, 5000)
    figures["active.fees.amount"] = round(rng.uniform(0, 800), 2)
    return figures


def _legacy(rng: random.Random, spec: Spec) -> dict[str, int]:
    f: dict[str, int] = {}
    channels = {k: rng.randint(100, 20000) for k in ("gazette", "website", "weibo", "wechat", "other")}
    f.update({f"legacy.channel.{k}": v for k, v in channels.items()})
    f["legacy.active.total"] = sum(channels.values()) - rng.randint(0, 2000)
    f["legacy.active.normative_docs_issued"] = rng.randint(20, 200)
    f["legacy.active.normative_docs"] = f["legacy.active.normative_docs_issued"] - rng.randint(0, 15)
    f.update({"legacy.response.hotspots": rng.randint(50, 400),
              "legacy.response.press_conferences": rng.randint(10, 60),
              "legacy.response.online_interviews": rng.randint(2, 20),
              "legacy.response.interpretations": rng.randint(50, 300),
              "legacy.response.social_media": rng.randint(20, 200), "legacy.response.other": rng.randint(0, 100)})
    f["legacy.response.press_conferences_by_heads"] = rng.randint(0, f["legacy.response.press_conferences"])
    f["legacy.response.online_interviews_by_heads"] = rng.randint(0, f["legacy.response.online_interviews"])
    received = max(1, int(rng.gauss(spec.scale, spec.scale / 4)))
    f.update({f"legacy.requests.{k}": v for k, v in
              _split(rng, received, ["in_person", "fax", "online", "mail"], [3, 0.1, 5, 1]).items()})
    f["legacy.requests.received"] = received
    f["legacy.requests.closed"] = received
    f["legacy.requests.closed_extended"] = rng.randint(0, 2)
    f["legacy.requests.closed_on_time"] = received - f["legacy.requests.closed_extended"]
    replies = _split(rng, received, ["already_public", "granted", "partly_granted", "denied", "not_this_agency",
                                     "not_exist", "asked_to_amend", "other_channel"], [3, 8, 1, 1, 2, 2, 1, 1])
    f.update({f"legacy.replies.{k}": v for k, v in replies.items()})
    f["legacy.replies.total"] = received
    reasons = ["state_secret", "commercial_secret", "privacy", "security_stability", "not_gov_info", "other_law"]
    f.update({f"legacy.replies.denied_{k}": v for k, v in
              _split(rng, replies["denied"], reasons, [0.2, 1, 2, 0.2, 2, 1]).items()})
    for group in ("reviews", "suits"):
        parts = {k: rng.choice([0, 0, 1, 2]) for k in ("upheld", "corrected", "other")}
        f.update({f"legacy.{group}.{k}": v for k, v in parts.items()})
        f[f"legacy.{group}.total"] = sum(parts.values())
    f.update({"legacy.complaints": rng.randint(0, 3), "legacy.fees": 0, "legacy.org.units": rng.randint(10, 40),
              "legacy.org.reading_points": rng.randint(2, 12), "legacy.org.staff_full_time": rng.randint(10, 60),
              "legacy.org.staff_part_time": rng.randint(30, 150), "legacy.org.budget": rng.randint(0, 30),
              "legacy.training.meetings": rng.randint(2, 12), "legacy.training.courses": rng.randint(1, 8),
              "legacy.training.trainees": rng.randint(50, 600)})
    f["legacy.org.staff"] = f["legacy.org.staff_full_time"] + f["legacy.org.staff_part_time"]
    return f


def _narrative_2019(spec: Spec, f: dict) -> list[Section]:
    """The six sections of the 2019/2021 templates; section 一 states the tables' totals."""
    circular = "国办公开办函〔2021〕30号" if spec.template == "2021" else "国办公开办函〔2019〕60号"
    handled = f["requests.total.total"]
    cases = f["appeals.review.total"] + f["appeals.suit_direct.total"] + f["appeals.suit_after_review.total"]
    return [
        Section("", "", [
            f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室"
            f"关于政府信息公开工作年度报告有关事项的通知》（{circular}）要求，由{spec.agency}编制。"
            f"所列数据的统计期限自{spec.year}年1月1日起至{spec.year}年12月31日止。",
            SAMPLE_NOTE,
        ]),
        Section("一", "总体情况", [
            f"{spec.year}年，{spec.agency}坚持以公开为常态、不公开为例外，持续推进决策、执行、管理、服务、结果公开。",
            "（一）主动公开。全年通过政府网站、政务新媒体等渠道主动公开政府信息，及时发布政策文件和解读材料。",
            f"（二）依申请公开。{spec.year}年共收到政府信息公开申请{f['requests.new.total']}件，"
            f"上年结转{f['requests.carried_over.total']}件，办结{handled}件，其中予以公开{f['requests.granted.total']}件，"
            f"结转下年度继续办理{f['requests.carried_forward.total']}件。",
            "（三）政府信息管理。严格落实公文公开属性源头认定和保密审查机制，动态更新政务公开目录。",
            "（四）平台建设。优化政府网站信息公开专栏，规范政务新媒体内容发布。",
            f"（五）监督保障。全年因政府信息公开被申请行政复议、提起行政诉讼共{cases}件。",
        ]),
        Section("二", "主动公开政府信息情况"),
        Section("三", "收到和处理政府信息公开申请情况"),
        Section("四", "政府信息公开行政复议、行政诉讼情况"),
        Section("五", "存在的主要问题及改进情况", [
            "一是政策解读形式较为单一；二是基层公开人员业务能力有待提升。",
            "下一步将丰富解读形式，加强业务培训，提升政务公开质量。",
        ]),
        Section("六", "其他需要报告的事项", ["本年度未收取政府信息公开信息处理费。", SAMPLE_NOTE]),
    ]


def _narrative_legacy(spec: Spec, f: dict) -> list[Section]:
    return [
        Section("", "", [
            f"本报告根据《中华人民共和国政府信息公开条例》要求，由{spec.agency}办公室编制。所列数据的统计期限自"
            f"{spec.year}年1月1日起至{spec.year}年12月31日止。",
            SAMPLE_NOTE,
        ]),
        Section("一", "概述", [f"{spec.year}年，{spec.agency}认真贯彻落实政务公开工作要点，全面推进政府信息公开。"]),
        Section("二", "主动公开政府信息情况", [
            f"全年主动公开政府信息{f['legacy.active.total']}条，其中主动公开规范性文件{f['legacy.active.normative_docs']}条。"]),
        Section("三", "政府信息依申请公开情况", [
            f"全年共收到政府信息公开申请{f['legacy.requests.received']}件，办结{f['legacy.requests.closed']}件。"]),
        Section("四", "政府信息公开的收费及减免情况", ["本年度未收取依申请公开信息费用。"]),
        Section("五", "因政府信息公开申请行政复议、提起行政诉讼的情况", [
            f"全年发生政府信息公开行政复议案件{f['legacy.reviews.total']}件，行政诉讼案件{f['legacy.suits.total']}件。"]),
        Section("六", "存在的主要问题及改进措施", ["公开内容的深度有待加强，下一步将进一步规范公开流程。", SAMPLE_NOTE]),
        Section("附件", f"{spec.agency}{spec.year}年度政府信息公开情况统计表"),
    ]


def _report(spec: Spec, last: dict) -> SampleReport:
    rng = random.Random(spec.id)
    printed: dict[str, str] = {}
    if spec.template == "legacy":
        figures: dict = _legacy(rng, spec)
        sections = _narrative_legacy(spec, figures)
    else:
        if last:
            carried = {c: last[f"requests.carried_forward.{c}"] for c in APPLICANTS}
        else:
            carried = {"natural_person": rng.choice([0, 0, 1])}
        figures = _active_2021(rng, last) if spec.template == "2021" else _active_2019(rng)
        figures |= _requests(rng, spec, carried) | _appeals(rng)
        sections = _narrative_2019(spec, figures)
        if "active.procurement.amount" in figures:
            printed["active.procurement.amount"] = f"{figures['active.procurement.amount']:.2f}万元"
    day = rng.randint(10, 28)
    return SampleReport(
        id=spec.id, portal=spec.portal, title=f"{spec.agency}{spec.year}年政府信息公开工作年度报告",
        agency=spec.agency, year=spec.year, published=f"{spec.year + 1}-01-{day:02d}", template=spec.template,
        sections=sections, figures=figures, printed=printed,
        signature=Signature(spec.agency, f"{spec.year + 1}年1月{day}日"), sample=True, layout=spec.layout,
        source=f"generated: crawler/mirror/generate.py seed {spec.id!r}",
    )


def generated_reports() -> list[SampleReport]:
    """The made-up reports, each one following last year's report of its agency where there is one."""
    made: dict[str, SampleReport] = {}
    for spec in SPECS:
        last = made[spec.follows].figures if spec.follows else {}
        made[spec.id] = _report(spec, last)
    return list(made.values())
