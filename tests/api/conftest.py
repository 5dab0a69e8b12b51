"""API test helpers: a client logged in as someone, and a clean throttle per test."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def clean_throttle_counts():
    """Throttle counts live in the cache, which outlives a test's database rows."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for():
    """client_for(user) -> an APIClient logged in (by session) as `user`."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return make


def if_match(version: int) -> dict:
    return {"HTTP_IF_MATCH": f'"{version}"'}
