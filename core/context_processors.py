from django.conf import settings

# The demo logins `make run` prints; the other demo people cannot log in.
DEMO_ACCOUNTS = ["admin", "manager", "officer"]


def demo(request) -> dict:
    """Demo logins are shown on the login page in demo mode only."""
    if not settings.DEMO_MODE:
        return {"demo_mode": False}
    return {
        "demo_mode": True,
        "demo_accounts": DEMO_ACCOUNTS,
        "demo_password": settings.DEMO_PASSWORD,
        # Demo managers and admins share this authenticator secret (add it to an app).
        "demo_totp_secret": settings.DEMO_TOTP_SECRET,
    }
