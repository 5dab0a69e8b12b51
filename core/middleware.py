from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose otherwise.

    Django's own middleware follows the browser's Accept-Language, which on an
    officer's English-language laptop would switch the office's CRM to English. Here
    only an explicit choice changes the language: first the logged-in user's own
    setting (kept on the account, so it follows them from desk to phone), then the
    language cookie that the switch writes; everyone else gets LANGUAGE_CODE (zh-hans).
    """

    def process_request(self, request) -> None:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if not chosen:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen and translation.check_for_language(chosen) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class AuditRefusalsMiddleware:
    """Every 403 answer, from a page, Django admin or the API, goes to the audit log."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            from core import audit

            audit.record(
                "permission_denied",
                request=request,
                detail={"method": request.method, "status": 403},
            )
        return response


class QueryCountHeaderMiddleware:
    """Benchmarks only (BENCH_HEADERS=true): answer with the number of SQL queries the
    request ran, in an X-Query-Count header, so bench/run.py can report it from outside."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        from django.db import connection

        count = 0

        def counting(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
