import time

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
    request ran (X-Query-Count) and the CPU time this server process spent on it, in
    milliseconds (X-CPU-Time), so bench/run.py can report both from outside.

    The CPU time is the process's (time.process_time), from the first middleware to the
    last: what the request cost in Python whatever else the machine is doing, which the
    wall time is not on a shared machine. It leaves out the database server's own work.
    Sync gunicorn workers serve one request at a time, so the process's time is the
    request's."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        from django.db import connection

        count = 0

        def counting(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        started = time.process_time()
        with connection.execute_wrapper(counting):
            response = self.get_response(request)
        response["X-CPU-Time"] = f"{(time.process_time() - started) * 1000:.3f}"
        response["X-Query-Count"] = str(count)
        return response
