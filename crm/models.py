"""Organisations, their contacts and qualifications; reference data (industries,
parks); promotion missions and visits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from core import i18n
from crm.credit_code import validate_credit_code
from crm.names import NameKeyField
from crm.search import SearchKeyField


class OwnedRecord(models.Model):
    """A record that an officer owns and a team is responsible for (see core.permissions)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    team = models.ForeignKey(
        "core.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Raised by every save through a service; a write based on an older version is
    # refused instead of silently overwriting someone else's edit.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


# --- Reference data -------------------------------------------------------------


class Industry(models.Model):
    """A node of the industry tree: cluster (产业集群) > chain (产业链) > chain link (环节)."""

    class Level(models.TextChoices):
        CLUSTER = "cluster", _("Industry cluster")
        CHAIN = "chain", _("Industry chain")
        LINK = "link", _("Chain link")

    class Category(models.TextChoices):
        LANDMARK = "landmark", _("Landmark cluster")
        FUTURE = "future", _("Future industry")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="children", null=True, blank=True, verbose_name=_("parent")
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.CLUSTER)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.OTHER)
    position = models.PositiveSmallIntegerField(
        _("sort order"), default=0, help_text=_("Order among siblings, upstream first.")
    )

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["level", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="industry_unique_name_per_parent")]

    # Shown in the reader's language (core.i18n.display_name).
    localised_name = True

    def __str__(self) -> str:
        return i18n.display_name(self)


class Park(models.Model):
    """Premises where projects land (载体 / 园区)."""

    class Kind(models.TextChoices):
        FUNCTIONAL = "functional", _("Functional park")
        SPECIALISED = "specialised", _("Specialised park")
        ECOSYSTEM = "ecosystem", _("Leading-enterprise ecosystem park")
        BONDED = "bonded", _("Bonded zone")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FUNCTIONAL)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("park")
        verbose_name_plural = _("parks")
        ordering = ["name"]

    # Shown in the reader's language (core.i18n.display_name).
    localised_name = True

    def __str__(self) -> str:
        return i18n.display_name(self)


class ExchangeRate(models.Model):
    """What one currency was worth in yuan, for turning a foreign amount in an imported
    ledger into 万元: an annual average (date empty) or the rate of one day (date set,
    preferred when the row's date has one). Kept by admins, with where each figure comes
    from; quoted as published (Japanese yen per 100, Korean won per 1,000)."""

    class Currency(models.TextChoices):
        USD = "USD", _("US dollar")
        EUR = "EUR", _("Euro")
        JPY = "JPY", _("Japanese yen")
        HKD = "HKD", _("Hong Kong dollar")
        KRW = "KRW", _("Korean won")
        GBP = "GBP", _("Pound sterling")

    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    date = models.DateField(_("date"), null=True, blank=True, help_text=_("Empty for the year's average."))
    per = models.PositiveIntegerField(
        _("units of the currency"), default=1, help_text=_("1, or 100 for the yen, 1,000 for the won, as published.")
    )
    rate = models.DecimalField(_("yuan for these units"), max_digits=14, decimal_places=6)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-year", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "year"], condition=Q(date__isnull=True), name="exchange_rate_one_average_a_year"
            ),
            models.UniqueConstraint(fields=["currency", "date"], name="exchange_rate_one_a_day"),
            models.CheckConstraint(condition=Q(rate__gt=0) & Q(per__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        when = self.date.isoformat() if self.date else str(self.year)
        return f"{self.per} {self.currency} = {self.rate} CNY ({when})"

    @property
    def yuan_per_unit(self):
        return self.rate / self.per

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.date and self.date.year != self.year:
            raise ValidationError({"date": _("The date must be in the year of the rate.")})


# --- Organisations --------------------------------------------------------------


class Organisation(OwnedRecord):
    """Any counterpart (客商): company, university, institute, chamber, investor, ..."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        UNIVERSITY = "university", _("University")
        RESEARCH_INSTITUTE = "institute", _("Research institute")
        RND_INSTITUTE = "rnd_institute", _("New R&D institute")
        ASSOCIATION = "association", _("Association or chamber")
        INVESTOR = "investor", _("Investor")
        GOVERNMENT = "government", _("Government body")
        OFFSHORE_CENTRE = "offshore_centre", _("Offshore innovation centre")

    class Exchange(models.TextChoices):
        SSE = "SSE", _("Shanghai Stock Exchange")
        SZSE = "SZSE", _("Shenzhen Stock Exchange")
        BSE = "BSE", _("Beijing Stock Exchange")
        HKEX = "HKEX", _("Hong Kong Stock Exchange")
        NASDAQ = "NASDAQ", _("NASDAQ")
        NYSE = "NYSE", _("New York Stock Exchange")
        TSE = "TSE", _("Tokyo Stock Exchange")
        KRX = "KRX", _("Korea Exchange")
        FRA = "FRA", _("Frankfurt Stock Exchange")
        OTHER = "other", _("Other exchange")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(_("Chinese name"), max_length=200, db_index=True)
    name_en = models.CharField(_("English name"), max_length=300, blank=True, db_index=True)
    # The names' common form (村田（中国）投资有限公司 -> 村田投资): an import finds the
    # organisations its file names by these, without reading every name.
    name_key = NameKeyField(source="name")
    name_en_key = NameKeyField(source="name_en")
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters (GB 32100-2015); Chinese legal entities only."),
    )
    country = CountryField(_("country"), default="CN")
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
        verbose_name=_("industry"),
    )
    park = models.ForeignKey(
        Park,
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
        verbose_name=_("park"),
        help_text=_("Where it is located, if in the zone."),
    )
    is_in_zone = models.BooleanField(_("located in the zone"), default=False)
    description = models.TextField(_("description"), blank=True)
    exchange = models.CharField(_("stock exchange"), max_length=10, choices=Exchange.choices, blank=True)
    stock_code = models.CharField(_("stock code"), max_length=20, blank=True)
    listed_on = models.DateField(_("listing date"), null=True, blank=True)
    # The group (集团): a subsidiary names its parent; claims and collisions look at the
    # whole tree under the top parent (crm.groups). crm.services refuses a cycle.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="subsidiaries",
        null=True,
        blank=True,
        verbose_name=_("parent organisation"),
        help_text=_("The parent company, if this is a subsidiary or branch of a group."),
    )

    # Other names it goes by: former names, short names, brands (Murata for 村田), in any
    # script; searched like the names (crm.search).
    aliases = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_("Former names, short names and brands it is known by, one a line."),
    )
    # Written on every save from the names, aliases and credit code (crm.search).
    search_key = SearchKeyField(sources=("name", "name_en", "aliases", "credit_code"))

    history = HistoricalRecords(excluded_fields=["name_key", "name_en_key", "search_key"])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        # On PostgreSQL, migration 0011 adds the GIN index `organisation_search_key_grams`
        # of the search key's fragments (crm.search); Django's model state does not know
        # it, as it cannot be written for SQLite.
        indexes = [
            # Looked up by equality only: no LIKE companion index (as db_index would add).
            models.Index(fields=["name_key"], name="organisation_name_key"),
            models.Index(fields=["name_en_key"], name="organisation_name_en_key"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="organisation_unique_credit_code"
            ),
            # Stored in its normal form only, so that uniqueness cannot be dodged by case or spaces.
            models.CheckConstraint(
                condition=Q(credit_code="") | Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                name="organisation_credit_code_normalised",
            ),
            # Longer cycles are refused by crm.services (organisation_save).
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="organisation_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_listed(self) -> bool:
        return bool(self.exchange and self.stock_code)


class Qualification(models.Model):
    """A title a company holds, with its level and the year it was granted."""

    class Kind(models.TextChoices):
        LITTLE_GIANT = "little_giant", _('Specialised "little giant"')
        SINGLE_CHAMPION = "single_champion", _("Single-item champion")
        HIGH_TECH = "high_tech", _("High-tech enterprise")
        TECH_SME = "tech_sme", _("Tech-based SME")
        SPECIALISED_SME = "specialised_sme", _("Specialised and innovative SME")
        GAZELLE = "gazelle", _("Gazelle enterprise")
        UNICORN = "unicorn", _("Unicorn")

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        MUNICIPAL = "municipal", _("Municipal")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("organisation")
    )
    kind = models.CharField(_("qualification"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.NATIONAL)
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "level"], name="qualification_unique_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_kind_display()} ({self.year})"


class Contact(OwnedRecord):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("organisation")
    )
    name = models.CharField(_("full name"), max_length=100)
    name_en = models.CharField(_("full name in English"), max_length=150, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("still works there"), default=True)
    # Written on every save from the names (crm.search: pinyin, Traditional folded).
    search_key = SearchKeyField(sources=("name", "name_en"))

    history = HistoricalRecords(excluded_fields=["search_key"])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        # "中村浩，项目经理" / "Nakamura Hiroshi, project manager"
        return _("%(name)s, %(title)s") % {"name": self.name, "title": self.title} if self.title else self.name


# --- Missions and visits --------------------------------------------------------


class Mission(OwnedRecord):
    """A promotion mission (招商活动/团组): a trip or event with dates and goals."""

    class Kind(models.TextChoices):
        OVERSEAS_TRIP = "overseas", _("Overseas promotion trip")
        DOMESTIC_TRIP = "domestic", _("Domestic promotion trip")
        HOSTED_EVENT = "event", _("Promotion event in the zone")
        EXHIBITION = "exhibition", _("Exhibition")
        ONLINE = "online", _("Online promotion")

    class Region(models.TextChoices):
        JAPAN_KOREA = "japan_korea", _("Japan and Korea")
        EUROPE = "europe", _("Europe")
        HK_MACAU = "hk_macau", _("Hong Kong and Macau")
        TAIWAN = "taiwan", _("Taiwan")
        MIDDLE_EAST = "middle_east", _("Middle East")
        NORTH_AMERICA = "north_america", _("North America")
        SOUTHEAST_ASIA = "southeast_asia", _("Southeast Asia")
        DOMESTIC = "domestic", _("Mainland China")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OVERSEAS_TRIP)
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)
    countries = CountryField(_("countries"), multiple=True, blank=True)
    cities = models.CharField(_("cities"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_missions",
        null=True,
        blank=True,
        verbose_name=_("leader"),
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="missions", blank=True, verbose_name=_("participants")
    )
    goals = models.TextField(_("goals"), blank=True)
    summary = models.TextField(_("outcome report"), blank=True)
    industries = models.ManyToManyField(Industry, blank=True, related_name="missions", verbose_name=_("industries"))

    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        verbose_name = _("promotion mission")
        verbose_name_plural = _("promotion missions")
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["start_date", "end_date"], name="mission_dates")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="mission_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    # Besides the owner, these people may edit the mission (core.permissions).
    PARTICIPANT_FIELDS = ("participants", "leader")

    def participant_ids(self) -> set[int]:
        ids = {u.pk for u in self.participants.all()}
        if self.leader_id:
            ids.add(self.leader_id)
        return ids


# Visit's history, kept by name: crm.services writes a new visit's first history row
# itself, once its officers and contacts are linked.
VISIT_HISTORY = HistoricalRecords(m2m_fields=["officers", "contacts"])


class Visit(OwnedRecord):
    """One contact with an organisation (拜访 / 接待): who, when, what was said, next step."""

    class Kind(models.TextChoices):
        OUTGOING = "outgoing", _("Visit (we went)")
        RECEIVED = "received", _("Reception (they came)")
        ONLINE = "online", _("Online meeting")
        # 服务走访: to a company already producing, to hear its problems (the problems
        # app raises one from the same form).
        AFTERCARE = "aftercare", _("Aftercare visit (company in production)")

    class Intention(models.TextChoices):
        HIGH = "high", _("Strong intention")
        MEDIUM = "medium", _("Some intention")
        LOW = "low", _("Weak intention")
        NONE = "none", _("No intention yet")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="visits", verbose_name=_("organisation")
    )
    contacts = models.ManyToManyField(Contact, blank=True, related_name="visits", verbose_name=_("contacts met"))
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="visits", blank=True, verbose_name=_("officers")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OUTGOING)
    mission = models.ForeignKey(
        Mission, on_delete=models.SET_NULL, related_name="visits", null=True, blank=True, verbose_name=_("mission")
    )
    location = models.CharField(_("place"), max_length=200, blank=True)
    summary = models.TextField(_("what was discussed"))
    intention = models.CharField(_("intention"), max_length=8, choices=Intention.choices, default=Intention.NONE)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("follow-up done on"), null=True, blank=True)

    history = VISIT_HISTORY

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-date"], name="visit_org_date"),
            # Every list of visits, newest first (read backwards).
            models.Index(fields=["date", "id"], name="visit_date"),
            models.Index(
                fields=["follow_up_on"], condition=Q(follow_up_done_on__isnull=True), name="visit_open_follow_up"
            ),
            # One officer's visits (crm.selectors.visits_of) are probed by id for what the
            # home page sorts on, read from these indexes alone: the date of the latest
            # visits, the date of the open follow-ups; and the visits an officer logged.
            models.Index(fields=["id", "date"], name="visit_id_date"),
            models.Index(
                fields=["id", "follow_up_on"],
                condition=Q(follow_up_done_on__isnull=True, follow_up_on__isnull=False),
                name="visit_id_open_follow_up",
            ),
            models.Index(fields=["owner", "id"], name="visit_owner_id"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.organisation}"

    # Besides the owner, the officers who took part may edit the visit (core.permissions).
    PARTICIPANT_FIELDS = ("officers",)

    def participant_ids(self) -> set[int]:
        return {u.pk for u in self.officers.all()}
