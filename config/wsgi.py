import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Load the views (as the first request would), then leave everything loaded so far out
# of the garbage collector's passes: it lives as long as the process, and walking it
# cost the project pages about a tenth of their time (measured on the board and home).
get_resolver().url_patterns  # noqa: B018 (imports every view module)
gc.freeze()
