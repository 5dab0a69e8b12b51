"""One of each record of the chains app, for tests that walk every admin page."""

from __future__ import annotations

from django.core.files.base import ContentFile

from chains.models import ChainTarget, IndustryDocument, IndustryMember, IndustryProfile, LeadingFirm
from crm.models import Industry, Organisation
from tests.factories import ContactFactory, IndustryFactory, OrganisationFactory, ParkFactory


def add_chain_rows(owner) -> None:
    """An industry with a chain, a link, a leading firm, a target, an entry of every
    item, a profile and a document; every related record its own."""
    L = Industry.Level
    cluster = IndustryFactory(level=L.CLUSTER)
    chain = IndustryFactory(level=L.CHAIN, parent=cluster)
    link = IndustryFactory(level=L.LINK, parent=chain)
    LeadingFirm.objects.create(link=link, organisation=OrganisationFactory(owner=owner))
    ChainTarget.objects.create(link=link, organisation=OrganisationFactory(owner=owner), added_by=owner)
    IndustryProfile.objects.create(industry=cluster, output_target=1000)
    institute = OrganisationFactory(owner=owner, kind=Organisation.Kind.RESEARCH_INSTITUTE)
    for item, record in (
        ("team", {"user": owner}),
        ("park", {"park": ParkFactory()}),
        ("institute", {"organisation": institute}),
        ("fund", {"organisation": OrganisationFactory(owner=owner, kind=Organisation.Kind.INVESTOR)}),
        ("expert", {"contact": ContactFactory(organisation=institute)}),
    ):
        IndustryMember.objects.create(industry=cluster, item=item, **record)
    document = IndustryDocument(
        industry=cluster,
        kind="report",
        title="研究报告",
        issued_on="2024-01-01",
        original_name="r.pdf",
        file_type="pdf",
        size=9,
        uploaded_by=owner,
    )
    document.file.save("r.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    document.save()
