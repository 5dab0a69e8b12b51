from django.conf import settings


def demo(request) -> dict:
    """Demo logins are shown on the login page in demo mode only."""
    if not settings.DEMO_MODE:
        return {"demo_mode": False}
    return {
        "demo_mode": True,
        "demo_accounts": ["admin", "manager", "officer"],
        "demo_password": settings.DEMO_PASSWORD,
    }
