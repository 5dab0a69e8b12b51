"""The zone around the pipeline: the bureau's people, parks and industries, the
organisations it knows, its missions and visits. Written through the crm services.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from core.models import Department, Team, User
from crm.credit_code import ALPHABET, make_credit_code
from crm.models import Contact, Industry, Mission, Organisation, Park, Qualification, Visit
from crm.services import contact_save, mission_save, organisation_save, qualification_save, visit_save
from projects.demo.data import (
    ALIASES,
    CLUSTERS,
    CN_BRAND_CHARS,
    CN_CITIES,
    CN_GIVEN,
    CN_SURNAMES,
    COMPANY_CREDIT_TYPE,
    COUNTRY_NAME,
    CREDIT_TYPE,
    DEMO_USERNAMES,
    DEPARTMENT,
    DIRECTOR,
    EAST_ASIAN_NAMES,
    EU,
    EXHIBITIONS,
    FEATURED,
    FOREIGN,
    INDUSTRIES,
    INTENTION_TEXT,
    INTENTIONS,
    MISSION_DAYS,
    MISSION_KINDS_ABROAD,
    MISSION_KINDS_HOME,
    MISSION_PLAN,
    NEXT_STEPS,
    OTHER_ORGANISATIONS,
    PARKS,
    PEOPLE,
    PROGRESS_VISITS,
    REGION_NAME,
    TEAM_LEADER,
    TEAM_OF_COUNTRY,
    TEAMS,
    TITLES,
    TOPICS,
    VISITS,
    VISITS_PER_MISSION,
    WESTERN_NAMES,
)

SEED = 2024

K, M, R, V = Organisation.Kind, Mission.Kind, Mission.Region, Visit.Intention


def aware(day: dt.date, hour: int = 18, minute: int = 0) -> dt.datetime:
    """That time of that day in the zone, or now if the day is today and the hour still to come."""
    return min(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute))), timezone.now())


def team_of(organisation: Organisation) -> str:
    return TEAM_OF_COUNTRY.get(str(organisation.country), EU)


class Zone:
    """People, reference data, organisations, missions and visits; the pipeline
    (projects/demo/pipeline.py) builds on what it keeps here."""

    def __init__(self, *, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.officers: dict[str, list[User]] = defaultdict(list)
        self.parks: dict[str, Park] = {}
        self.clusters: dict[str, Industry] = {}
        self.nodes: dict[str, list[Industry]] = defaultdict(list)  # a cluster's chains and links
        self.organisations: list[Organisation] = []
        self.featured: dict[str, Organisation] = {}
        self.cluster_of: dict[int, str | None] = {}
        self.short_name: dict[int, str] = {}
        self.contacts: dict[int, list[Contact]] = defaultdict(list)
        self.visits: list[Visit] = []
        self.credit_codes: set[str] = set()
        self.timestamps: dict[type, dict[int, tuple[dt.datetime, dt.datetime]]] = defaultdict(dict)

    # --- helpers ------------------------------------------------------------------

    def days_ago(self, n: int) -> dt.date:
        return self.today - dt.timedelta(days=n)

    def days_ahead(self, n: int) -> dt.date:
        return self.today + dt.timedelta(days=n)

    def between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def stamp(self, record, created: dt.datetime, updated: dt.datetime | None = None) -> None:
        """Remember when a record would have been entered (see apply_timestamps)."""
        self.timestamps[type(record)][record.pk] = (created, updated or created)

    def node(self, cluster: str, name: str) -> Industry:
        return next(n for n in self.nodes[cluster] if n.name == name)

    def apply_timestamps(self) -> None:
        """Give records the dates they would have been entered on, not today's.

        created_at/updated_at are auto_now fields, so they are corrected after the
        services saved the records; lists then read as two years of work rather than
        one afternoon's. (History rows get their dates from `_history_date`.)
        """
        for model, stamps in self.timestamps.items():
            model._base_manager.bulk_update(
                [model(pk=pk, created_at=created, updated_at=updated) for pk, (created, updated) in stamps.items()],
                ["created_at", "updated_at"],
                batch_size=200,
            )

    # --- the zone -----------------------------------------------------------------

    def build(self) -> None:
        self.build_people()
        self.build_reference_data()
        self.build_organisations()
        self.build_missions()
        self.build_other_visits()

    def build_people(self) -> None:
        department, _ = Department.objects.get_or_create(name=DEPARTMENT[0], defaults={"name_en": DEPARTMENT[1]})
        for name, name_en in TEAMS.items():
            self.teams[name], _ = Team.objects.get_or_create(
                name=name, defaults={"name_en": name_en, "department": department}
            )
        for username, display_name, role, team, managed in PEOPLE:
            user = User(username=username, display_name=display_name, role=role, team=self.teams.get(team))
            # Only the demo accounts log in (and hashing is slow on purpose).
            if username in DEMO_USERNAMES:
                user.set_password(settings.DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            user.save()
            user.managed_teams.set([self.teams[t] for t in managed])
            self.users[username] = user
            if role == User.Role.OFFICER:
                self.officers[team].append(user)

    def build_reference_data(self) -> None:
        for name, name_en, kind in PARKS:
            self.parks[name], _ = Park.objects.get_or_create(
                name=name, defaults={"name_en": name_en, "kind": kind, "address": "无锡市新吴区"}
            )
        for position, spec in enumerate(INDUSTRIES):
            cluster = self.industry(spec.name, spec.name_en, None, Industry.Level.CLUSTER, spec.category, position)
            self.clusters[spec.name] = cluster
            for chain_position, (name, name_en, links) in enumerate(spec.chains):
                chain = self.industry(name, name_en, cluster, Industry.Level.CHAIN, spec.category, chain_position)
                self.nodes[spec.name].append(chain)
                for link_position, (link, link_en) in enumerate(links):
                    self.nodes[spec.name].append(
                        self.industry(link, link_en, chain, Industry.Level.LINK, spec.category, link_position)
                    )

    @staticmethod
    def industry(name, name_en, parent, level, category, position) -> Industry:
        found, _ = Industry.objects.get_or_create(
            name=name,
            parent=parent,
            defaults={"name_en": name_en, "level": level, "category": category, "position": position},
        )
        return found

    # --- organisations ------------------------------------------------------------

    def random_cluster(self) -> str:
        # Landmark clusters hold most of the companies; future industries are younger.
        weight = {Industry.Category.LANDMARK: 3, Industry.Category.OTHER: 2, Industry.Category.FUTURE: 1.5}
        return self.weighted([(spec.name, weight[spec.category]) for spec in INDUSTRIES])

    def credit_code(self, type_code: str, district: str) -> str:
        while True:
            if type_code == COMPANY_CREDIT_TYPE:  # companies registered since 2015 mostly have "MA" codes
                body = "MA" + "".join(self.rng.choice(ALPHABET) for _ in range(7))
            else:
                body = "".join(self.rng.choice("0123456789") for _ in range(8)) + self.rng.choice(ALPHABET)
            code = make_credit_code(type_code + district + body)
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def build_organisations(self) -> None:
        districts = {city: code for city, _en, code, _n in CN_CITIES}
        city_en = {city: en for city, en, _code, _n in CN_CITIES} | {
            city: en for spec in FOREIGN.values() for city, en in spec.cities
        }
        plans = [(f.country, f.city, f) for f in FEATURED]
        for city, _en, _code, count in CN_CITIES:
            plans += [("CN", city, None)] * (count - sum(1 for f in FEATURED if f.city == city))
        for country, spec in FOREIGN.items():
            for _ in range(spec.companies - sum(1 for f in FEATURED if f.country == country)):
                plans.append((country, self.rng.choice(spec.cities)[0], None))
        used: set[str] = set()
        for country, city, featured in plans:
            while True:  # a fresh brand and trade for every company
                cluster = featured.cluster if featured else self.random_cluster()
                trade, trade_en = featured.trade if featured else self.rng.choice(CLUSTERS[cluster].trades)
                if featured:
                    brand, brand_en = featured.brand
                elif country in FOREIGN and FOREIGN[country].brands:
                    brand, brand_en = self.rng.choice(FOREIGN[country].brands)
                else:
                    (a, a_en), (b, b_en) = self.rng.sample(CN_BRAND_CHARS, 2)
                    brand, brand_en = a + b, a_en + b_en.lower()
                if brand + trade not in used:
                    used.add(brand + trade)
                    break
            short = brand + trade
            listed = bool(featured) or self.rng.random() < (0.12 if country == "CN" else 0.25)
            if country == "CN":
                suffix = "股份有限公司" if listed else "有限公司"
                name, name_en = f"{city}{short}{suffix}", f"{city_en[city]} {brand_en} {trade_en} Co., Ltd."
            elif not FOREIGN[country].brands:  # Hong Kong and Macau
                name = f"{FOREIGN[country].name}{short}有限公司"
                name_en = f"{city_en[city]} {brand_en} {trade_en} Limited"
            else:
                suffix, suffix_en = FOREIGN[country].suffix
                name, name_en = f"{short}{suffix}", f"{brand_en} {trade_en} {suffix_en}"
            organisation = Organisation(kind=K.COMPANY, name=name, name_en=name_en, country=country, city=city)
            organisation.industry = self.rng.choice(self.nodes[cluster])
            if country == "CN":
                organisation.credit_code = self.credit_code(COMPANY_CREDIT_TYPE, districts[city])
                if city == "无锡":
                    organisation.is_in_zone = True
                    organisation.park = self.parks[self.rng.choice(CLUSTERS[cluster].parks)]
                    organisation.address = f"无锡市新吴区{organisation.park.name}"
            product = self.rng.choice(CLUSTERS[cluster].products)
            organisation.description = f"专注{cluster}领域，主营{product}。"
            organisation.website = f"https://www.{''.join(ch for ch in brand_en.lower() if ch.isalpha())}.example"
            if featured:
                organisation.aliases = list(ALIASES.get(featured.role, []))
            if country == "CN" and listed:
                # Restructured as a joint-stock company to list: its former name stays findable.
                organisation.aliases = [*organisation.aliases, f"{city}{short}有限公司"]
            if featured and featured.role == "new_listing":
                # The new year's first listing: a national "little giant" on the SSE main board.
                day = dt.date(self.today.year, 1, 24)
                day = day if day <= self.today else day.replace(year=day.year - 1)
                organisation.exchange, organisation.stock_code, organisation.listed_on = "SSE", "603219", day
                organisation.description += "国家级专精特新“小巨人”企业。"
            elif listed:
                self.list_on(organisation, country)
            self.save_organisation(organisation, cluster, short)
            if featured:
                self.featured[featured.role] = organisation
        for kind, name, name_en, country, city, cluster in OTHER_ORGANISATIONS:
            organisation = Organisation(kind=kind, name=name, name_en=name_en, country=country, city=city)
            organisation.website = (
                f"https://www.{''.join(w[0] for w in name_en.lower().split() if w[0].isalpha())}.example"
            )
            organisation.aliases = list(ALIASES.get(name, []))
            if cluster:
                organisation.industry = self.clusters[cluster]
            if country == "CN":
                organisation.credit_code = self.credit_code(CREDIT_TYPE.get(kind, COMPANY_CREDIT_TYPE), districts[city])
            if kind == K.RND_INSTITUTE:
                organisation.is_in_zone = True
                organisation.park = self.parks["无锡中关村科技创新园"]
            self.save_organisation(organisation, cluster, name)
        self.add_qualifications()

    def list_on(self, organisation: Organisation, country: str) -> None:
        n, letters = self.rng.randint, "ABCDEFGHKLMNPRSTW"
        ticker = "".join(self.rng.choice(letters) for _ in range(4))
        options = {
            "CN": [("SSE", f"60{n(1000, 5999)}"), ("SSE", f"688{n(100, 799)}"), ("SZSE", f"00{n(2000, 3999)}"),
                   ("SZSE", f"30{n(1000, 1999)}"), ("BSE", f"920{n(100, 999)}")],
            "JP": [("TSE", f"{n(2000, 9999)}")],
            "KR": [("KRX", f"{n(10, 399):03d}{n(100, 999)}")],
            "DE": [("FRA", ticker[:3])],
            "US": [("NASDAQ", ticker)],
            "HK": [("HKEX", f"0{n(1000, 9999)}")],
        }.get(country, [("other", ticker)])  # fmt: skip
        organisation.exchange, organisation.stock_code = self.rng.choice(options)
        organisation.listed_on = self.days_ago(self.rng.randint(200, 5000))

    def save_organisation(self, organisation: Organisation, cluster: str | None, short: str) -> None:
        owner = self.rng.choice(self.officers[team_of(organisation)])
        organisation.owner = owner
        noted = self.days_ago(self.rng.randint(740, 1500))  # known before the two years of visits
        organisation._history_date = aware(noted, 10)
        organisation_save(organisation=organisation, by=owner)
        self.stamp(organisation, aware(noted, 10))
        self.organisations.append(organisation)
        self.cluster_of[organisation.pk] = cluster
        self.short_name[organisation.pk] = short
        for _ in range(self.rng.choice([1, 1, 2, 2, 3])):
            self.add_contact(organisation, owner, noted)

    def add_contact(self, organisation: Organisation, owner: User, noted: dt.date) -> None:
        rng, country = self.rng, str(organisation.country)
        if country in EAST_ASIAN_NAMES:
            surnames, given_names = EAST_ASIAN_NAMES[country]
            (sur, sur_en), (given, given_en) = rng.choice(surnames), rng.choice(given_names)
            name, name_en, mailbox = sur + given, f"{given_en} {sur_en}", f"{given_en[0]}.{sur_en}"
        elif country in WESTERN_NAMES:
            first, last = (rng.choice(part) for part in WESTERN_NAMES[country])
            name, name_en, mailbox = f"{first} {last}", "", f"{first}.{last}"
        else:  # Chinese names, in Hong Kong and Macau too
            (sur, sur_en), (given, given_en) = rng.choice(CN_SURNAMES), rng.choice(CN_GIVEN)
            name, name_en, mailbox = sur + given, f"{sur_en} {given_en}", f"{given_en}.{sur_en}"
        mailbox = mailbox.lower().replace(" ", "").replace("-", "")
        contact = Contact(
            organisation=organisation,
            owner=owner,
            name=name,
            name_en=name_en,
            title=rng.choice(TITLES[organisation.kind]),
            email=f"{mailbox}@{organisation.website.removeprefix('https://www.')}",
        )
        if country == "CN":
            contact.phone = (
                f"1{rng.choice('3589')}{rng.randint(0, 9)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
            )
            if rng.random() < 0.6:
                contact.wechat = f"{mailbox.replace('.', '_')}{rng.randint(10, 99)}"
        contact._history_date = aware(noted, 11)
        contact_save(contact=contact, by=owner)
        self.stamp(contact, aware(noted, 11))
        self.contacts[organisation.pk].append(contact)

    def add_qualifications(self) -> None:
        """National, provincial and municipal titles of Chinese companies, with the year granted."""
        Q, year = Qualification, self.today.year
        chances = [  # kind, level, chance, granted up to this many years ago
            (Q.Kind.HIGH_TECH, Q.Level.NATIONAL, 0.5, 4),
            (Q.Kind.TECH_SME, Q.Level.NATIONAL, 0.35, 3),
            (Q.Kind.SPECIALISED_SME, Q.Level.PROVINCIAL, 0.3, 4),
            (Q.Kind.LITTLE_GIANT, Q.Level.NATIONAL, 0.15, 5),
            (Q.Kind.GAZELLE, Q.Level.MUNICIPAL, 0.08, 3),
            (Q.Kind.SINGLE_CHAMPION, Q.Level.NATIONAL, 0.03, 6),
        ]
        for organisation in self.organisations:
            if str(organisation.country) != "CN" or organisation.kind != K.COMPANY:
                continue
            boost = 1.5 if organisation.is_in_zone else 1
            for kind, level, chance, back in chances:
                forced = kind == Q.Kind.LITTLE_GIANT and organisation == self.featured["new_listing"]
                if forced or self.rng.random() < chance * boost:
                    qualification = Q(organisation=organisation, kind=kind, level=level)
                    qualification.year = year - self.rng.randint(0, back)
                    qualification_save(qualification=qualification, by=organisation.owner)

    # --- missions and visits ------------------------------------------------------

    def orgs_in(self, countries: list[str], cities: list[str] | None = None) -> list[Organisation]:
        found = [o for o in self.organisations if str(o.country) in countries and not o.is_in_zone]
        return [o for o in found if o.city in cities] if cities else found

    def pick_orgs(self, candidates: list[Organisation], clusters: list[str], n: int) -> list[Organisation]:
        """Mostly organisations of the mission's industries, some others met on the way."""
        preferred = [o for o in candidates if self.cluster_of[o.pk] in clusters]
        others = [o for o in candidates if self.cluster_of[o.pk] not in clusters]
        self.rng.shuffle(preferred)
        self.rng.shuffle(others)
        take = min(len(preferred), math.ceil(n * 0.6))
        return (preferred[:take] + others + preferred[take:])[:n]

    def build_missions(self) -> None:
        specs = []
        for region, team, past, upcoming, groups in MISSION_PLAN:
            kinds = MISSION_KINDS_HOME if region == R.DOMESTIC else MISSION_KINDS_ABROAD
            trip = M.DOMESTIC_TRIP if region == R.DOMESTIC else M.OVERSEAS_TRIP
            for i in range(past + upcoming):
                if i < past:
                    kind, start = self.weighted(kinds), self.days_ago(self.rng.randint(8, 730))
                else:
                    kind, start = trip, self.days_ahead(self.rng.randint(12, 100))
                if region == R.JAPAN_KOREA and i == 0:  # a delegation is abroad right now
                    kind, start = M.OVERSEAS_TRIP, self.days_ago(2)
                specs.append((start, region, team, kind, self.rng.choice(groups)))
        for start, region, team, kind, group in sorted(specs, key=lambda spec: spec[0]):
            self.build_mission(start, region, team, kind, group)

    def build_mission(self, start: dt.date, region: str, team: str, kind: str, group: list[str]) -> None:
        rng = self.rng
        end = start + dt.timedelta(days=rng.randint(*MISSION_DAYS[kind]) - 1)
        clusters = rng.sample(list(CLUSTERS), 2)
        theme = "与".join(clusters)
        domestic = region == R.DOMESTIC
        countries = ["CN"] if domestic else group
        expo = ""
        if kind == M.EXHIBITION:
            expo, expo_city, expo_country = rng.choice(EXHIBITIONS[region])
            countries = [expo_country]
            candidates = self.orgs_in(countries)
        else:
            candidates = self.orgs_in(countries, group if domestic else None)
        targets = self.pick_orgs(candidates, clusters, rng.randint(*VISITS_PER_MISSION[kind]))
        cities = "、".join(dict.fromkeys(o.city for o in targets))
        year = f"{start.year}年"
        if kind == M.OVERSEAS_TRIP:
            title = f"{year}{'、'.join(COUNTRY_NAME[c] for c in countries)}（{cities}）{theme}专题招商活动"
        elif kind == M.DOMESTIC_TRIP:
            cities = "、".join(group)
            title = f"{year}{cities}{theme}企业走访活动"
        elif kind == M.EXHIBITION:
            title, cities = f"{year}{expo}参展招商", expo_city
        elif kind == M.HOSTED_EVENT:
            title, cities = f"{year}{REGION_NAME[region]}{theme}企业走进无锡高新区投资交流会", "无锡"
        else:
            title, cities = f"{year}{REGION_NAME[region]}{theme}企业线上推介会", ""
        participants = rng.sample(self.officers[team], rng.randint(2, 3))
        leader = DIRECTOR if kind == M.OVERSEAS_TRIP and rng.random() < 0.3 else TEAM_LEADER[team]
        owner = participants[0]
        park = rng.choice(CLUSTERS[clusters[0]].parks)
        mission = Mission(
            title=title,
            kind=kind,
            region=region,
            countries=countries,
            cities=cities,
            start_date=start,
            end_date=end,
            leader=self.users[leader],
            owner=owner,
            goals=f"围绕{theme}产业链，对接{len(targets)}家重点企业和机构，推介{park}等载体，"
            f"力争形成{max(1, len(targets) // 2)}条以上项目线索。",
        )
        entered = min(start - dt.timedelta(days=rng.randint(20, 60)), self.today)  # planned ahead
        mission._history_date = aware(entered, 9)
        mission_save(
            mission=mission, by=owner, participants=participants, industries=[self.clusters[c] for c in clusters]
        )
        self.stamp(mission, aware(entered, 9))
        if start > self.today:
            return
        visit_kind = {M.HOSTED_EVENT: Visit.Kind.RECEIVED, M.ONLINE: Visit.Kind.ONLINE}.get(kind, Visit.Kind.OUTGOING)
        strong = 0
        for organisation in targets:
            if kind == M.HOSTED_EVENT:
                where = "无锡高新区投资交流会会场"
            elif kind == M.ONLINE:
                where = "视频会议"
            else:
                where = f"{expo}展位" if expo else organisation.city
            by = rng.choice(participants)
            day = self.between(start, min(end, self.today))
            visit = self.add_visit(organisation, day, visit_kind, [by, rng.choice(participants)], where, mission)
            strong += visit.intention == V.HIGH
        if end < self.today:
            outcome = f"其中{strong}家投资意向较强，已列入重点跟踪名单" if strong else "暂无投资意向明确的企业"
            mission.summary = f"活动期间共对接{len(targets)}家企业和机构，{outcome}；其余保持定期联系。"
            reported = min(end + dt.timedelta(days=2), self.today)
            mission._history_date = aware(reported, 17)
            mission_save(mission=mission, by=owner)
            self.stamp(mission, aware(entered, 9), aware(reported, 17))

    def add_visit(
        self, organisation, day, kind, officers: list[User], location: str, mission=None, about: tuple | None = None
    ) -> Visit:
        """A visit logged the same evening by the first officer; the second one came along.

        `about` is (what was discussed, next step) when the visit follows up a project.
        """
        rng = self.rng
        by = officers[0]
        cluster = self.cluster_of[organisation.pk] or self.random_cluster()
        park = rng.choice(CLUSTERS[cluster].parks)
        product = rng.choice(CLUSTERS[cluster].products)
        intention = V.HIGH if about else self.weighted(INTENTIONS)
        known = self.contacts[organisation.pk]
        contacts = rng.sample(known, min(len(known), rng.randint(1, 2)))
        people = "、".join(f"{c.name}（{c.title}）" for c in contacts)
        opening = {
            Visit.Kind.OUTGOING: f"拜访{organisation.name}，与{people}座谈。",
            Visit.Kind.RECEIVED: f"接待{organisation.name}{people}一行，陪同参观{park}。",
            Visit.Kind.ONLINE: f"与{organisation.name}{people}视频交流。",
        }[kind]
        if mission is not None and mission.kind == M.EXHIBITION:
            opening = f"在{location}接洽{organisation.name}{people}。"
        topic = rng.choice(TOPICS).format(product=product, cluster=cluster)
        summary = f"{opening}{topic}。我方介绍了{park}的载体条件和{cluster}产业扶持政策。{INTENTION_TEXT[intention]}"
        next_step = rng.choice(NEXT_STEPS[intention]).format(park=park)
        if about:
            summary, next_step = f"{opening}{about[0]}", about[1]
        follow_up = done = None
        if next_step:
            wait = rng.randint(5, 30) if intention in (V.HIGH, V.MEDIUM) else rng.randint(20, 60)
            follow_up = day + dt.timedelta(days=wait)
            overdue_days = (self.today - follow_up).days
            # Old follow-ups were mostly done; recent ones are still open, some late.
            chance = 0.97 if overdue_days > 90 else 0.8 if overdue_days > 30 else 0.5
            if overdue_days > 0 and rng.random() < chance:
                done = min(self.today, max(day, follow_up + dt.timedelta(days=rng.randint(-4, 8))))
        visit = Visit(
            organisation=organisation,
            owner=by,
            date=day,
            kind=kind,
            mission=mission,
            location=location,
            summary=summary,
            intention=intention,
            next_step=next_step,
            follow_up_on=follow_up,
            follow_up_done_on=done,
        )
        visit._history_date = aware(day, 20)
        visit_save(visit=visit, by=by, officers=list(dict.fromkeys(officers)), contacts=contacts)
        self.stamp(visit, aware(day, 20), aware(done, 17) if done else None)
        self.visits.append(visit)
        return visit

    def build_other_visits(self) -> None:
        """Outside missions: guests received in the zone, calls on firms, video meetings."""
        rng = self.rng
        in_zone = [o for o in self.organisations if o.is_in_zone]
        elsewhere = [o for o in self.organisations if not o.is_in_zone]
        domestic = [o for o in elsewhere if str(o.country) == "CN"]
        while len(self.visits) < VISITS - PROGRESS_VISITS:
            day = self.days_ago(int(730 * rng.random() ** 1.3))  # a little busier lately
            kind = self.weighted([(Visit.Kind.RECEIVED, 40), (Visit.Kind.OUTGOING, 45), (Visit.Kind.ONLINE, 15)])
            if kind == Visit.Kind.OUTGOING:
                organisation = rng.choice(in_zone if rng.random() < 0.6 else domestic)
                where = organisation.address or organisation.city
            else:
                organisation = rng.choice(elsewhere)
                where = "视频会议" if kind == Visit.Kind.ONLINE else "投资促进局洽谈室"
            team = self.officers[team_of(organisation)]
            officers = [rng.choice(team)] + ([rng.choice(team)] if rng.random() < 0.3 else [])
            self.add_visit(organisation, day, kind, officers, where)
