"""Large test files, generated when a test needs them (no big binaries in git)."""

from __future__ import annotations

from tests.transfer.conftest import xlsx

PROJECT_HEADERS = [
    "项目名称",
    "投资方",
    "总投资(万元)",
    "阶段",
    "线索日期",
    "在谈日期",
    "签约日期",
    "签约金额(万元)",
    "园区",
]
ORGANISATION_HEADERS = ["客商名称", "统一社会信用代码", "类型", "城市"]


def project_rows(count: int, *, investor: str, bad_row: int | None = None, park: str = "") -> list[list]:
    """`count` ledger rows in the forms offices use; the row numbered `bad_row` (as the
    user sees it, the header being row 1) has a total investment no one can read."""
    amounts = ["5亿", "50,000万元", "１２００万", 3000, "1.5亿元"]
    dates = ["2023年1月24日", "2023/2/1", 44986, "2023-03-01"]
    rows = []
    for n in range(count):
        stage = ["线索", "在谈", "签约"][n % 3]
        row = [
            f"批量项目{n:05d}",
            investor,
            amounts[n % len(amounts)],
            stage,
            dates[n % len(dates)],
            "2023年6月1日" if stage != "线索" else "",
            "2023年9月1日" if stage == "签约" else "",
            "1亿" if stage == "签约" else "",
            park,
        ]
        if n + 2 == bad_row:
            row[2] = "五个亿左右"
        rows.append(row)
    return rows


def projects_file(count: int, *, investor: str, bad_row: int | None = None, park: str = "") -> bytes:
    return xlsx(PROJECT_HEADERS, project_rows(count, investor=investor, bad_row=bad_row, park=park))


def organisation_name(row: int) -> str:
    """The name in the row numbered `row` of organisations_file (the header is row 1)."""
    return f"无锡批量{row - 2:05d}号科技有限公司"


def organisation_rows(count: int, *, bad_row: int | None = None) -> list[list]:
    rows = []
    for n in range(count):
        kind = "外星机构" if n + 2 == bad_row else ["企业", "高校", "投资机构"][n % 3]
        rows.append([organisation_name(n + 2), "", kind, "无锡"])
    return rows


def organisations_file(count: int, *, bad_row: int | None = None) -> bytes:
    """Organisations without contacts (one record each), `count` rows."""
    return xlsx(ORGANISATION_HEADERS[:4], organisation_rows(count, bad_row=bad_row))
