from __future__ import annotations

import pytest

from crm.models import Industry
from tests.factories import IndustryFactory

L = Industry.Level

LINK_NAMES = ["衬底", "外延", "器件设计", "制造"]


@pytest.fixture
def industry(db):
    return IndustryFactory(name="化合物半导体和先进封测", level=L.CLUSTER, category=Industry.Category.FUTURE)


@pytest.fixture
def chain(industry):
    return IndustryFactory(name="化合物半导体", level=L.CHAIN, parent=industry, category=industry.category)


@pytest.fixture
def links(chain):
    """The chain's links, upstream first, created out of order on purpose."""
    created = {}
    for position in (2, 0, 3, 1):
        created[position] = IndustryFactory(
            name=LINK_NAMES[position], level=L.LINK, parent=chain, category=chain.category, position=position
        )
    return [created[i] for i in range(4)]
