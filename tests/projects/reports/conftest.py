"""The known zone of dataset.py, for every report test here."""

from tests.projects.reports.dataset import zone  # noqa: F401
