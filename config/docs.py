"""Small site-wide files: the icon at /favicon.ico, and the ReDoc bundle without its one
request to another host.

ReDoc's menu shows "API docs by Redocly" with a logo it loads from Redocly's CDN, and no
option turns it off; the Content-Security-Policy blocks it (a console error) and the app
makes no request to other hosts. The bundle is served from the installed
drf-spectacular-sidecar with that address pointed at our own icon, so it follows the
package's version.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
ICON = "favicon.svg"


@lru_cache(maxsize=2)
def redoc_bundle_text(icon_url: str) -> bytes:
    path = finders.find(REDOC_BUNDLE)
    if not path:
        raise Http404
    return Path(path).read_text(encoding="utf-8").replace(REDOCLY_LOGO, icon_url).encode("utf-8")


@require_GET
@cache_control(public=True, max_age=24 * 3600)
def redoc_bundle(request: HttpRequest) -> HttpResponse:
    return HttpResponse(redoc_bundle_text(static(ICON)), content_type="text/javascript; charset=utf-8")


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico before they read the page's <link rel="icon">."""

    permanent = True
    http_method_names = ["get", "head"]

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static(ICON)
