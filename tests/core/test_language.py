import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_the_login_page_is_chinese_even_for_an_english_browser(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", follow=True)
    assert response["Content-Language"] == "zh-hans"
    assert "用户名" in response.content.decode()


def test_a_chosen_language_sticks(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="zh-CN", follow=True)
    assert page["Content-Language"] == "en"
    assert "Username" in page.content.decode()
