"""Fill an empty PostgreSQL database with a consistent zone for benchmarks.

    createdb -h 127.0.0.1 -U postgres crm_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python -m bench.generate --scale 0.1

At scale 1: 1,000,000 projects, 5,000,000 visits, 300,000 organisations, 20,000
missions, 2,000 users (and their contacts, qualifications, stage changes, mission
participants and visit officers). Smaller scales (0.01, 0.1) serve tests and laptops.

The rows obey the same rules the services enforce, without going through them (that
would take days at scale 1): stages are reached in pipeline order with dates in order
and never in the future, the stage a project is at is the last one it reached, every
reached stage after the first has a stage-change row, credit codes carry their GB 32100
check character, a visit made during a mission falls inside the mission's dates, a
team is the owner's team. Most projects are small and a few are above 100亿
(log-normal amounts). Everything is loaded with COPY, then the sequences are moved
past the ids used and the tables analysed.

Three accounts log in with the password in BENCH_PASSWORD (default below):
bench_officer, bench_manager (manages the officer's team) and bench_admin.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from crm.credit_code import ALPHABET, make_credit_code  # noqa: E402
from crm.models import Industry, Park  # noqa: E402
from crm.names import normalise_organisation_name  # noqa: E402
from crm.search import search_key  # noqa: E402
from projects.demo.data import CN_BRAND_CHARS, CN_CITIES  # noqa: E402
from projects.demo.zone import Zone  # noqa: E402

BENCH_PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password-2024")
BENCH_USERS = ("bench_officer", "bench_manager", "bench_admin")

# Sizes at scale 1.
SIZES = {
    "users": 2_000,
    "organisations": 300_000,
    "missions": 20_000,
    "projects": 1_000_000,
    "visits": 5_000_000,
}
USERS_PER_TEAM = 20
CHUNK = 50_000  # rows per COPY of projects and visits
HISTORY_DAYS = 6 * 365  # how far back the records go

# Where projects end up (weights); a project reaches every stage before its own.
FINAL_STAGE_WEIGHTS = {
    "lead": 14,
    "negotiating": 24,
    "signed": 14,
    "started": 16,
    "completed": 8,
    "producing": 14,
    "on_hold": 5,
    "dropped": 5,
}
PIPELINE = ["lead", "negotiating", "signed", "started", "completed", "producing"]
PLANNED = ["signed", "started", "completed", "producing"]
# Days from one stage to the next (low, high).
STAGE_GAPS = {
    "negotiating": (10, 120),
    "signed": (30, 300),
    "started": (30, 240),
    "completed": (180, 720),
    "producing": (10, 120),
}
# Why a project left the pipeline: every hold and drop has a reason (projects.rules).
EXIT_REASONS = {"on_hold": "对方暂缓投资决策", "dropped": "市场变化"}
LATE_SHARE = 0.12  # share of past planned dates missed (the project is still short of the stage)

# Amounts in 万元: median 0.8亿, about 3 in 10,000 above 100亿.
AMOUNT_MEDIAN = 8_000
AMOUNT_SIGMA = 1.4
MAJOR_FLOOR = 100_000  # 10亿: most of these are "major projects"

COUNTRIES = [("CN", 70), ("JP", 10), ("KR", 6), ("DE", 4), ("HK", 3), ("SG", 2), ("US", 2), ("AE", 1), ("FR", 2)]
CAPITAL_OF_COUNTRY = {"CN": "domestic", "HK": "hmt"}
ORG_KINDS = [
    ("company", 90),
    ("university", 1),
    ("institute", 2),
    ("rnd_institute", 1),
    ("association", 2),
    ("investor", 3),
    ("government", 1),
]
CN_INDUSTRY_WORDS = [
    "半导体",
    "微电子",
    "新材料",
    "生物医药",
    "智能装备",
    "新能源",
    "汽车电子",
    "物联网",
    "软件",
    "精密机械",
]
CN_LEGAL_FORMS = ["有限公司", "股份有限公司", "科技有限公司", "集团有限公司"]
FOREIGN_BRANDS = ["Sakura", "Hanil", "Kessler", "Lumen", "Orion", "Nordlicht", "Daewon", "Mizuho", "Vertex", "Atlas"]
MISSION_REGIONS = {
    "JP": "japan_korea",
    "KR": "japan_korea",
    "DE": "europe",
    "FR": "europe",
    "HK": "hk_macau",
    "SG": "southeast_asia",
    "US": "north_america",
    "AE": "middle_east",
    "CN": "domestic",
}
SOURCE_KINDS = [
    ("visit", 30),
    ("mission", 15),
    ("channel", 15),
    ("resident_office", 5),
    ("exhibition", 5),
    ("inquiry", 10),
    ("existing_investor", 15),
    ("other", 5),
]
VISIT_KINDS = [("outgoing", 55), ("received", 35), ("online", 10)]
INTENTIONS = [("high", 15), ("medium", 30), ("low", 25), ("none", 30)]
QUALIFICATIONS = [
    ("high_tech", "national", 0.15),
    ("specialised_sme", "provincial", 0.06),
    ("little_giant", "national", 0.01),
]


def pick(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def aware(day: dt.date, rng: random.Random) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(9 + rng.randrange(9), rng.randrange(60)))
    return timezone.make_aware(moment)


def copy_rows(table: str, columns: Iterable[str], rows: Iterator[tuple]) -> int:
    """COPY rows into a table; returns how many went in."""
    count = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


class Generator:
    def __init__(self, scale: float, seed: int, chunk: int = CHUNK) -> None:
        self.chunk = chunk
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.sizes = {
            name: max(minimum, round(size * scale))
            for (name, size), minimum in zip(SIZES.items(), (20, 200, 20, 500, 2_000), strict=True)
        }
        self.counts: dict[str, int] = {}

    # --- reference data and people ----------------------------------------------

    def reference_data(self) -> None:
        Zone(seed=1).build_reference_data()  # parks and the industry tree of the demo
        self.industry_links = list(Industry.objects.filter(level=Industry.Level.LINK).values_list("pk", flat=True))
        self.parks = list(Park.objects.values_list("pk", flat=True))

    def people(self) -> None:
        n_users = self.sizes["users"]
        n_teams = max(4, n_users // USERS_PER_TEAM)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO core_department (name, name_en) VALUES ('投资促进局', 'Investment Promotion Bureau') RETURNING id"
            )
            department = cursor.fetchone()[0]
        copy_rows(
            "core_team",
            ["id", "name", "name_en", "department_id"],
            ((t, f"招商{t}组", f"Promotion team {t}", department) for t in range(1, n_teams + 1)),
        )
        password = make_password(BENCH_PASSWORD)
        unusable = make_password(None)
        self.team_of: dict[int, int] = {}
        self.officers: list[int] = []
        managers: list[tuple[int, int]] = []
        rows = []
        for n in range(1, n_users + 1):
            team = (n - 1) % n_teams + 1
            if n <= len(BENCH_USERS):
                username = BENCH_USERS[n - 1]
                role = ("officer", "manager", "admin")[n - 1]
                team = 1
            else:
                username = f"user{n}"
                draw = self.rng.random()
                role = "admin" if draw < 0.01 else "manager" if draw < 0.08 else "officer"
            self.team_of[n] = team
            if role == "officer":
                self.officers.append(n)
            if role == "manager":
                managers.append((n, team))
            rows.append(
                (
                    n,
                    password if username in BENCH_USERS else unusable,
                    role == "admin",
                    username,
                    "",
                    "",
                    f"{username}@bench.invalid",
                    True,
                    True,
                    self.now,
                    role,
                    f"官员{n}",
                    "",
                    team,
                    False,  # no reminder mails from a bench database
                    "",
                )
            )
        self.counts["users"] = copy_rows(
            "core_user",
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "role",
                "display_name",
                "phone",
                "team_id",
                "email_reminders",
                "language",
            ],
            iter(rows),
        )
        copy_rows("core_user_managed_teams", ["user_id", "team_id"], iter(managers))

    # --- organisations ------------------------------------------------------------

    def organisations(self) -> None:
        rng = self.rng
        n = self.sizes["organisations"]
        self.org_country: list[str] = [""] * (n + 1)
        self.org_industry: list[int | None] = [None] * (n + 1)
        brand_chars = [ch for ch, _en in CN_BRAND_CHARS]

        def rows() -> Iterator[tuple]:
            for pk in range(1, n + 1):
                country = pick(rng, COUNTRIES)
                kind = pick(rng, ORG_KINDS)
                industry = rng.choice(self.industry_links)
                owner = rng.choice(self.officers)
                created = aware(self.today - dt.timedelta(days=rng.randrange(HISTORY_DAYS)), rng)
                word = rng.choice(CN_INDUSTRY_WORDS)
                if country == "CN":
                    city = rng.choice(CN_CITIES)[0]
                    brand = rng.choice(brand_chars) + rng.choice(brand_chars)
                    name = f"{city}{brand}{word}{rng.choice(CN_LEGAL_FORMS)}"
                    name_en = ""
                    # A unique body per organisation: its number written in the code's alphabet.
                    body, value = "", pk
                    for _ in range(7):
                        value, digit = divmod(value, len(ALPHABET))
                        body = ALPHABET[digit] + body
                    credit_code = make_credit_code("91" + "320214" + "MA" + body)
                else:
                    city = ""
                    brand = rng.choice(FOREIGN_BRANDS)
                    name = f"{brand}{word}（中国）有限公司"
                    name_en = f"{brand} {pk} Co., Ltd."
                    credit_code = ""
                in_zone = rng.random() < 0.3
                self.org_country[pk] = country
                self.org_industry[pk] = industry
                yield (
                    pk,
                    created,
                    created,
                    kind,
                    name,
                    name_en,
                    normalise_organisation_name(name),
                    normalise_organisation_name(name_en),
                    "[]",  # aliases
                    search_key(name, name_en, credit_code),
                    credit_code,
                    country,
                    city,
                    "",
                    "",
                    in_zone,
                    "",
                    "",
                    "",
                    None,
                    industry,
                    owner,
                    self.team_of[owner],
                    rng.choice(self.parks) if in_zone and self.parks else None,
                    1,
                )

        self.counts["organisations"] = copy_rows(
            "crm_organisation",
            [
                "id",
                "created_at",
                "updated_at",
                "kind",
                "name",
                "name_en",
                "name_key",
                "name_en_key",
                "aliases",
                "search_key",
                "credit_code",
                "country",
                "city",
                "address",
                "website",
                "is_in_zone",
                "description",
                "exchange",
                "stock_code",
                "listed_on",
                "industry_id",
                "owner_id",
                "team_id",
                "park_id",
                "version",
            ],
            rows(),
        )
        # PostgreSQL indexes the names for search (crm.search) as they are copied; the last
        # few megabytes wait in the index's pending list, which every search would read
        # until the next VACUUM: merge them now.
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('organisation_search_key_grams')")

        def contacts() -> Iterator[tuple]:
            for pk in range(1, n + 1):  # contact pk belongs to organisation pk
                owner = rng.choice(self.officers)
                yield (
                    pk,
                    self.now,
                    self.now,
                    f"联系人{pk}",
                    "",
                    search_key(f"联系人{pk}"),
                    "总经理",
                    "",
                    "",
                    "",
                    "",
                    True,
                    owner,
                    self.team_of[owner],
                    pk,
                    1,
                )

        self.counts["contacts"] = copy_rows(
            "crm_contact",
            [
                "id",
                "created_at",
                "updated_at",
                "name",
                "name_en",
                "search_key",
                "title",
                "phone",
                "email",
                "wechat",
                "notes",
                "is_active",
                "owner_id",
                "team_id",
                "organisation_id",
                "version",
            ],
            contacts(),
        )

        def qualifications() -> Iterator[tuple]:
            for pk in range(1, n + 1):
                if self.org_country[pk] != "CN":
                    continue
                for kind, level, share in QUALIFICATIONS:
                    if rng.random() < share:
                        yield (kind, level, self.today.year - rng.randrange(5), pk)

        self.counts["qualifications"] = copy_rows(
            "crm_qualification", ["kind", "level", "year", "organisation_id"], qualifications()
        )

    # --- missions -----------------------------------------------------------------

    def missions(self) -> None:
        rng = self.rng
        n = self.sizes["missions"]
        self.mission_dates: list[tuple[dt.date, dt.date]] = [(self.today, self.today)]  # index 0 unused
        participants: list[tuple[int, int]] = []

        def rows() -> Iterator[tuple]:
            for pk in range(1, n + 1):
                country = pick(rng, COUNTRIES[1:])
                start = self.today + dt.timedelta(days=rng.randrange(-HISTORY_DAYS, 180))
                end = start + dt.timedelta(days=rng.randrange(2, 10))
                self.mission_dates.append((start, end))
                leader = rng.choice(self.officers)
                for person in {leader, *rng.sample(self.officers, min(3, len(self.officers)))}:
                    participants.append((pk, person))
                created = aware(min(self.today, start - dt.timedelta(days=30)), rng)
                yield (
                    pk,
                    created,
                    created,
                    f"赴{country}招商团组 {pk}",
                    "overseas",
                    MISSION_REGIONS[country],
                    country,
                    "",
                    start,
                    end,
                    "",
                    "",
                    leader,
                    leader,
                    self.team_of[leader],
                    1,
                )

        self.counts["missions"] = copy_rows(
            "crm_mission",
            [
                "id",
                "created_at",
                "updated_at",
                "title",
                "kind",
                "region",
                "countries",
                "cities",
                "start_date",
                "end_date",
                "goals",
                "summary",
                "leader_id",
                "owner_id",
                "team_id",
                "version",
            ],
            rows(),
        )
        copy_rows("crm_mission_participants", ["mission_id", "user_id"], iter(participants))
        self.past_missions = [pk for pk in range(1, n + 1) if self.mission_dates[pk][1] <= self.today]

    # --- projects -----------------------------------------------------------------

    def project_dates(self) -> tuple[str, dict[str, dt.date], dict[str, dt.date], str]:
        """(stage, actual dates, planned dates, held stage) of one project, consistent."""
        rng = self.rng
        final = pick(rng, list(FINAL_STAGE_WEIGHTS.items()))
        target = final if final in PIPELINE else rng.choice(PIPELINE[:4])
        actual: dict[str, dt.date] = {"lead": self.today - dt.timedelta(days=rng.randrange(60, HISTORY_DAYS))}
        day = actual["lead"]
        for stage in PIPELINE[1 : PIPELINE.index(target) + 1]:
            low, high = STAGE_GAPS[stage]
            day = day + dt.timedelta(days=rng.randint(low, high))
            if day > self.today:
                break  # not there yet: the project stays at the last stage it reached
            actual[stage] = day
        reached = [stage for stage in PIPELINE if stage in actual]
        planned: dict[str, dt.date] = {}
        if "negotiating" in actual:
            # Plans made at negotiation: reached stages met them give or take, the others
            # lie ahead, or behind for the late ones.
            plan_day = actual["negotiating"]
            for stage in PLANNED:
                low, high = STAGE_GAPS[stage]
                plan_day = plan_day + dt.timedelta(days=(low + high) // 2)
                if stage in actual:
                    planned[stage] = actual[stage] + dt.timedelta(days=rng.randint(-20, 20))
                elif plan_day <= self.today and rng.random() > LATE_SHARE:
                    plan_day = self.today + dt.timedelta(days=rng.randint(1, 400))
                    planned[stage] = plan_day
                else:
                    planned[stage] = plan_day
            # Plans follow the pipeline (projects.rules): a met plan moved earlier by a
            # few days cannot fall before the plan of the stage ahead of it.
            previous = None
            for stage in PLANNED:
                if stage in planned:
                    if previous is not None and planned[stage] < previous:
                        planned[stage] = previous
                    previous = planned[stage]
        stage, held = reached[-1], ""
        if final in ("on_hold", "dropped"):
            last = actual[reached[-1]]
            day = min(self.today, last + dt.timedelta(days=rng.randint(10, 200)))
            actual[f"{final}"] = day
            held = reached[-1]  # the stage it left the pipeline at (kept for a drop too)
            stage = final
        return stage, actual, planned, held

    def projects(self) -> None:
        rng = self.rng
        n = self.sizes["projects"]
        n_orgs = self.sizes["organisations"]
        changes: list[tuple] = []
        columns = [
            "id",
            "created_at",
            "updated_at",
            "name",
            "kind",
            "capital_origin",
            "description",
            "total_investment",
            "fixed_asset_investment",
            "foreign_capital_usd",
            "signed_amount",
            "expected_annual_output",
            "jobs",
            "source_kind",
            "source_note",
            "is_major",
            "is_confidential",
            "stage",
            "held_stage",
            "exit_reason",
            "loss_reason",
            "lost_to",
            "lead_on",
            "negotiating_on",
            "signed_on",
            "started_on",
            "completed_on",
            "producing_on",
            "on_hold_on",
            "dropped_on",
            "signed_planned",
            "started_planned",
            "completed_planned",
            "producing_planned",
            "is_deleted",
            "deleted_at",
            "industry_id",
            "investor_id",
            "owner_id",
            "park_id",
            "source_mission_id",
            "source_visit_id",
            "team_id",
            "version",
            "resumed_on",
            "last_activity_on",
            "undated_stages",
            "original_currency",
            "exchange_rate_source",
        ]
        change_columns = [
            "from_stage",
            "to_stage",
            "reached_on",
            "changed_at",
            "note",
            "is_correction",
            "changed_by_id",
            "project_id",
        ]
        self.counts["stage changes"] = 0

        def flush_changes() -> None:
            if changes:
                self.counts["stage changes"] += copy_rows("projects_stagechange", change_columns, iter(changes))
                changes.clear()

        def rows(first: int, last: int) -> Iterator[tuple]:
            for pk in range(first, last):
                stage, actual, planned, held = self.project_dates()
                # Busy investors have many projects: a skewed pick of organisations.
                investor = min(n_orgs, 1 + int(n_orgs * rng.random() ** 2))
                owner = rng.choice(self.officers)
                amount = min(50_000_000, round(math.exp(rng.gauss(math.log(AMOUNT_MEDIAN), AMOUNT_SIGMA))))
                signed = "signed" in actual
                origin = CAPITAL_OF_COUNTRY.get(self.org_country[investor], "foreign")
                source = pick(rng, SOURCE_KINDS)
                mission = rng.choice(self.past_missions) if source == "mission" and self.past_missions else None
                created = aware(actual["lead"], rng)
                edited = max(actual.values())
                previous = "lead"
                for step in [s for s in PIPELINE[1:] if s in actual] + [
                    s for s in ("on_hold", "dropped") if s in actual
                ]:
                    changes.append((previous, step, actual[step], aware(actual[step], rng), "", False, owner, pk))
                    previous = step
                yield (
                    pk,
                    created,
                    aware(edited, rng),
                    f"项目{pk}",
                    "new",
                    origin,
                    "",
                    amount,
                    round(amount * 0.7),
                    None if origin == "domestic" else round(amount / 7.2),
                    amount if signed else None,
                    None,
                    None,
                    source,
                    "",
                    amount >= MAJOR_FLOOR and rng.random() < 0.9,
                    rng.random() < 0.03,
                    stage,
                    held,
                    EXIT_REASONS.get(stage, ""),
                    "other" if stage == "dropped" else "",
                    "",
                    actual["lead"],
                    actual.get("negotiating"),
                    actual.get("signed"),
                    actual.get("started"),
                    actual.get("completed"),
                    actual.get("producing"),
                    actual.get("on_hold"),
                    actual.get("dropped"),
                    planned.get("signed"),
                    planned.get("started"),
                    planned.get("completed"),
                    planned.get("producing"),
                    False,
                    None,
                    self.org_industry[investor],
                    investor,
                    owner,
                    rng.choice(self.parks) if self.parks else None,
                    mission,
                    None,
                    self.team_of[owner],
                    1,
                    None,
                    edited,  # raised to the last visit to the investor once visits are in
                    "",  # every stage reached on a known date
                    "",  # amounts written in yuan
                    "",
                )

        # In chunks: one COPY at a time on the connection, each followed by its stage changes.
        self.counts["projects"] = 0
        for first in range(1, n + 1, self.chunk):
            self.counts["projects"] += copy_rows(
                "projects_project", columns, rows(first, min(n + 1, first + self.chunk))
            )
            flush_changes()

    # --- visits ---------------------------------------------------------------------

    def visits(self) -> None:
        rng = self.rng
        n = self.sizes["visits"]
        n_orgs = self.sizes["organisations"]
        officers: list[tuple[int, int]] = []
        contacts: list[tuple[int, int]] = []
        columns = [
            "id",
            "created_at",
            "updated_at",
            "date",
            "kind",
            "location",
            "summary",
            "intention",
            "next_step",
            "follow_up_on",
            "follow_up_done_on",
            "mission_id",
            "organisation_id",
            "owner_id",
            "team_id",
            "version",
        ]
        self.counts["visit officers"] = 0

        def flush() -> None:
            self.counts["visit officers"] += copy_rows("crm_visit_officers", ["visit_id", "user_id"], iter(officers))
            copy_rows("crm_visit_contacts", ["visit_id", "contact_id"], iter(contacts))
            officers.clear()
            contacts.clear()

        def rows(first: int, last: int) -> Iterator[tuple]:
            for pk in range(first, last):
                organisation = min(n_orgs, 1 + int(n_orgs * rng.random() ** 1.5))
                owner = rng.choice(self.officers)
                mission = None
                if self.past_missions and rng.random() < 0.15:
                    mission = rng.choice(self.past_missions)
                    start, end = self.mission_dates[mission]
                    day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
                else:
                    day = self.today - dt.timedelta(days=int(HISTORY_DAYS * rng.random() ** 1.3))
                follow_up = done = None
                if rng.random() < 0.3:
                    follow_up = day + dt.timedelta(days=rng.randint(3, 30))
                    if follow_up <= self.today and rng.random() < 0.9:
                        done = min(self.today, follow_up + dt.timedelta(days=rng.randint(-2, 5)))
                officers.append((pk, owner))
                if rng.random() < 0.3:
                    colleague = rng.choice(self.officers)
                    if colleague != owner:
                        officers.append((pk, colleague))
                if rng.random() < 0.5:
                    contacts.append((pk, organisation))
                stamp = aware(day, rng)
                yield (
                    pk,
                    stamp,
                    stamp,
                    day,
                    pick(rng, VISIT_KINDS),
                    "",
                    "拜访交流，介绍园区政策",
                    pick(rng, INTENTIONS),
                    "",
                    follow_up,
                    done,
                    mission,
                    organisation,
                    owner,
                    self.team_of[owner],
                    1,
                )

        self.counts["visits"] = 0
        for first in range(1, n + 1, self.chunk):
            self.counts["visits"] += copy_rows("crm_visit", columns, rows(first, min(n + 1, first + self.chunk)))
            flush()

    # --- the whole zone ---------------------------------------------------------------

    def run(self) -> None:
        steps = [
            ("reference data", self.reference_data),
            ("people", self.people),
            ("organisations", self.organisations),
            ("missions", self.missions),
            ("projects", self.projects),
            ("visits", self.visits),
            ("last activity", fill_last_activity),
        ]
        for label, step in steps:
            started = time.monotonic()
            with transaction.atomic():
                step()
            print(f"  {label}: {time.monotonic() - started:.1f} s", flush=True)
        started = time.monotonic()
        reset_sequences()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"  sequences and ANALYZE: {time.monotonic() - started:.1f} s", flush=True)


LAST_VISIT_FUNCTION = """
CREATE FUNCTION pg_temp.last_visit_to(bigint) RETURNS date LANGUAGE sql STABLE
AS 'SELECT max(date) FROM crm_visit WHERE organisation_id = $1'"""


def fill_last_activity() -> None:
    """Each project's last activity (Project.last_activity_on: the later of its edit
    date and the last visit to its investor), computed from the rows loaded. As the
    migration that added it (projects 0010): by rewriting the table, which rebuilds
    the indexes in one sort each; an UPDATE of every row is many times slower."""
    zone = timezone.get_default_timezone_name().replace("'", "''")
    # The rows' deferred foreign key checks first: ALTER TABLE refuses to run with
    # checks pending (when the caller loaded the rows in the same transaction).
    connection.check_constraints()
    with connection.cursor() as cursor:
        cursor.execute(LAST_VISIT_FUNCTION)
        cursor.execute(
            "ALTER TABLE projects_project ALTER COLUMN last_activity_on TYPE date USING "
            f"GREATEST((updated_at AT TIME ZONE '{zone}')::date, pg_temp.last_visit_to(investor_id))"
        )
        cursor.execute("DROP FUNCTION pg_temp.last_visit_to(bigint)")


TABLES = [
    "core_department",
    "core_team",
    "core_user",
    "core_user_managed_teams",
    "crm_organisation",
    "crm_contact",
    "crm_qualification",
    "crm_mission",
    "crm_mission_participants",
    "projects_project",
    "projects_stagechange",
    "crm_visit",
    "crm_visit_officers",
    "crm_visit_contacts",
]


def reset_sequences() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 1))"
            )


def is_empty() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM core_user) OR EXISTS (SELECT 1 FROM crm_organisation)")
        return not cursor.fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.01, help="1 = a province: a million projects (default 0.01)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--replace", action="store_true", help="empty the database's tables first")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("bench.generate loads with COPY: set DATABASE_URL to a PostgreSQL database.", file=sys.stderr)
        return 2
    if not 0 < args.scale <= 10:
        print("--scale must be above 0 and at most 10.", file=sys.stderr)
        return 2
    if args.replace:
        # A clean schema: migrations then rebuild the tables and their data (reminder rules).
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    if not is_empty():
        print("The database holds data: use an empty one, or --replace to wipe it.", file=sys.stderr)
        return 2
    generator = Generator(args.scale, args.seed)
    print(f"Generating scale {args.scale}: " + ", ".join(f"{v:,} {k}" for k, v in generator.sizes.items()), flush=True)
    started = time.monotonic()
    generator.run()
    print(
        f"Done in {time.monotonic() - started:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in generator.counts.items())
    )
    print(f"Log in as {', '.join(BENCH_USERS)} with the password in BENCH_PASSWORD.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
