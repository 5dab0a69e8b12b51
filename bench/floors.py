"""The raw SQL floors: hand-written SQL computing what a report or the reminder sweep
needs, over the same rows and with the same rules as the application's code.

bench.run times each next to the page (or the sweep) it stands for, in the same run;
bench/reports.py and bench/reminder_sweep.py also check that both give the same
answer. Django must be set up before this module is imported.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from projects import reminders
from projects.models import PLANNED_STAGES, ReminderRule

# --- The dashboard and the review --------------------------------------------------------

STAGES = ["lead", "negotiating", "signed", "started", "completed", "producing", "on_hold", "dropped"]
TIER = (
    "CASE WHEN total_investment >= 1000000 THEN 'above_10b' WHEN total_investment >= 100000 THEN 'above_1b' "
    "WHEN total_investment >= 10000 THEN 'above_100m' ELSE 'below_100m' END"
)


def raw_dashboard(start: dt.date, end: dt.date) -> dict:
    """The funnel, the seven splits and the trend, as one would write them by hand."""
    filters = ", ".join(
        f"COUNT(*) FILTER (WHERE {s}_on BETWEEN %(start)s AND %(end)s), "
        f"SUM(total_investment) FILTER (WHERE {s}_on BETWEEN %(start)s AND %(end)s)"
        for s in STAGES
    )
    active = " OR ".join(f"{s}_on BETWEEN %(start)s AND %(end)s" for s in STAGES)
    cluster = "CASE i.level WHEN 'cluster' THEN i.id WHEN 'chain' THEN i.parent_id WHEN 'link' THEN ip.parent_id END"
    groups = [TIER, cluster, "p.park_id", "p.capital_origin", "p.source_kind", "p.team_id", "p.owner_id"]
    params = {"start": start, "end": end, "first": dt.date(end.year - 1, 1, 1), "last": dt.date(end.year, 12, 31)}
    result = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {filters} FROM projects_project WHERE NOT is_deleted", params)
        result["funnel"] = cursor.fetchone()
        for n, group in enumerate(groups):
            join = (
                "LEFT JOIN crm_industry i ON i.id = p.industry_id LEFT JOIN crm_industry ip ON ip.id = i.parent_id"
                if group == cluster
                else ""
            )
            cursor.execute(
                f"SELECT {group} AS g, {filters} FROM projects_project p {join} "
                f"WHERE NOT p.is_deleted AND ({active}) GROUP BY g",
                params,
            )
            result[f"split{n}"] = cursor.fetchall()
        cursor.execute(
            "SELECT EXTRACT(YEAR FROM signed_on), EXTRACT(MONTH FROM signed_on), COUNT(*), SUM(total_investment) "
            "FROM projects_project WHERE NOT is_deleted AND signed_on BETWEEN %(first)s AND %(last)s GROUP BY 1, 2",
            params,
        )
        result["trend"] = cursor.fetchall()
    return result


def raw_review(start: dt.date, end: dt.date) -> dict:
    """The review's tiers of new projects and its major projects' milestones."""
    params = {"start": start, "end": end}
    major = ", ".join(
        f"COUNT(*) FILTER (WHERE {s}_planned BETWEEN %(start)s AND %(end)s), "
        f"COUNT(*) FILTER (WHERE {s}_planned BETWEEN %(start)s AND %(end)s AND {s}_on <= %(end)s)"
        for s in ("started", "completed", "producing")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {TIER} AS tier, COUNT(*), SUM(total_investment) "
            "FROM projects_project WHERE NOT is_deleted AND stage <> 'dropped' "
            "AND signed_on BETWEEN %(start)s AND %(end)s GROUP BY tier",
            params,
        )
        tiers = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
        cursor.execute(
            f"SELECT {major} FROM projects_project WHERE NOT is_deleted AND stage <> 'dropped' AND is_major",
            params,
        )
        majors = cursor.fetchone()
    return {"tiers": tiers, "majors": majors}


# --- The supervision list -----------------------------------------------------------------

SUPERVISION_PAGE = 50  # rows on a page of the list


def _late_milestones() -> str:
    """(project, stage, planned date) of every late milestone of a project still chased."""
    open_stages = ", ".join(f"'{stage}'" for stage in reminders.REMINDED_STAGES)
    return "\nUNION ALL\n".join(
        f"SELECT p.id AS project_id, '{stage.value}' AS stage, p.{stage.value}_planned AS planned "
        f"FROM projects_project p WHERE NOT p.is_deleted AND p.stage IN ({open_stages}) "
        f"AND p.{stage.value}_on IS NULL AND p.{stage.value}_planned < %(today)s"
        for stage in PLANNED_STAGES
    )


def raw_supervision(today: dt.date, page: int = SUPERVISION_PAGE) -> dict:
    """What a page of the supervision list needs: the number of late milestones at
    each level (the totals), then the first page, most days late first, with the
    project, investor, owner, team, last visit to the investor and re-plans of its rows."""
    ladder = reminders.overdue_ladder()  # (days, level), fewest days first
    level = "CASE " + " ".join(
        f"WHEN %(today)s - planned >= {days} THEN '{rung}'" for days, rung in sorted(ladder, reverse=True)
    )
    level += " ELSE '' END" if ladder else "'' END"
    params = {"today": today, "page": page}
    late = _late_milestones()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {level} AS level, COUNT(*) FROM ({late}) late GROUP BY 1", params)
        totals = dict(cursor.fetchall())
        cursor.execute(
            f"""SELECT late.project_id, late.stage, late.planned, %(today)s - late.planned AS days_late,
                       p.name, p.is_major, o.name, u.display_name, u.username, t.name,
                       (SELECT v.date FROM crm_visit v WHERE v.organisation_id = p.investor_id
                         ORDER BY v.date DESC LIMIT 1) AS last_contact
                  FROM ({late}) late
                  JOIN projects_project p ON p.id = late.project_id
                  JOIN crm_organisation o ON o.id = p.investor_id
                  JOIN core_user u ON u.id = p.owner_id
                  LEFT JOIN core_team t ON t.id = p.team_id
                 ORDER BY late.planned, late.project_id DESC
                 LIMIT %(page)s""",
            params,
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT project_id, stage, old_date, new_date, reason FROM projects_replan "
            "WHERE project_id = ANY(%s) ORDER BY changed_at, id",
            [[row[0] for row in rows]],
        )
        replans = cursor.fetchall()
    return {"totals": totals, "count": sum(totals.values()), "rows": rows, "replans": replans}


# --- What the reminder sweep finds due ------------------------------------------------------

MILESTONE_PART = """
SELECT {rule} AS rule_id, p.id AS project_id, NULL::bigint AS visit_id, NULL::bigint AS mission_id,
       '{stage}' AS stage, p.{stage}_planned AS due_on
  FROM projects_project p
 WHERE p.{stage}_planned BETWEEN {earliest} AND '{latest}' AND p.{stage}_on IS NULL
   AND NOT p.is_deleted AND p.stage IN ('lead', 'negotiating', 'signed', 'started', 'completed')
   AND NOT EXISTS (SELECT 1 FROM projects_reminder r WHERE r.project_id = p.id AND r.rule_id = {rule}
                   AND r.stage = '{stage}' AND r.due_on = p.{stage}_planned)"""

IDLE_PART = """
SELECT {rule}, p.id, NULL::bigint, NULL::bigint, '', p.last_activity_on
  FROM projects_project p
 WHERE p.last_activity_on BETWEEN {earliest} AND '{latest}'
   AND NOT p.is_deleted AND p.stage IN ('lead', 'negotiating', 'signed', 'started', 'completed')
   AND NOT EXISTS (SELECT 1 FROM projects_reminder r WHERE r.project_id = p.id AND r.rule_id = {rule}
                   AND r.stage = '' AND r.due_on = p.last_activity_on)"""

FOLLOW_UP_PART = """
SELECT {rule}, NULL::bigint, v.id, NULL::bigint, '', v.follow_up_on
  FROM crm_visit v
 WHERE v.follow_up_on BETWEEN {earliest} AND '{latest}' AND v.follow_up_done_on IS NULL
   AND NOT EXISTS (SELECT 1 FROM projects_reminder r WHERE r.visit_id = v.id AND r.rule_id = {rule}
                   AND r.due_on = v.follow_up_on)"""

MISSION_PART = """
SELECT {rule}, NULL::bigint, NULL::bigint, m.id, '', m.start_date
  FROM crm_mission m
 WHERE m.start_date BETWEEN {earliest} AND '{latest}' AND m.start_date >= '{today}'
   AND NOT EXISTS (SELECT 1 FROM projects_reminder r WHERE r.mission_id = m.id AND r.rule_id = {rule}
                   AND r.due_on = m.start_date)"""


def raw_due_sql(today: dt.date) -> str:
    """What the sweep's ORM query finds, written by hand: one range scan per (rule, date)
    with an anti-join on the reminders' unique key; columns as projects_reminder's key."""
    rules = list(ReminderRule.objects.filter(is_active=True))
    parts = []
    for window in reminders.rule_windows(rules, today):
        rule = window.rule
        values = {
            "rule": rule.pk,
            "earliest": f"'{window.earliest}'" if window.earliest else "'-infinity'::date",
            "latest": window.latest,
            "today": today,
        }
        if rule.kind in ("milestone_coming", "milestone_overdue"):
            parts += [MILESTONE_PART.format(stage=stage, **values) for stage in PLANNED_STAGES]
        elif rule.kind == "project_idle":
            parts.append(IDLE_PART.format(**values))
        elif rule.kind == "follow_up_due":
            parts.append(FOLLOW_UP_PART.format(**values))
        else:
            parts.append(MISSION_PART.format(**values))
    return "\nUNION ALL\n".join(parts) if parts else "SELECT 1 WHERE false"


def run_raw(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
