"""Compare the API's schema with the committed one (core.schema_contract), or refresh it.

manage.py schema_contract                   # the schema this code serves, built here
manage.py schema_contract --schema FILE     # a schema fetched from a running app
manage.py schema_contract --write           # commit an intended change: rewrite the file
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.settings import spectacular_settings

from core.schema_contract import CHANGELOG, COMMITTED_SCHEMA, check


def served_schema_yaml() -> str:
    """The schema as /api/schema/ serves it (the same generator, rendered as YAML)."""
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=spectacular_settings.SERVE_PUBLIC)
    return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()


class Command(BaseCommand):
    help = "Fail on a schema change that breaks generated clients, unless the major version and changelog say so."

    def add_arguments(self, parser):
        parser.add_argument("--schema", type=Path, help="A served schema (YAML or JSON); default: built here.")
        parser.add_argument("--committed", type=Path, default=COMMITTED_SCHEMA)
        parser.add_argument("--changelog", type=Path, default=CHANGELOG)
        parser.add_argument("--write", action="store_true", help="Rewrite the committed schema (no check).")

    def handle(self, *args, schema: Path | None, committed: Path, changelog: Path, write: bool, **options):
        served_text = schema.read_text(encoding="utf-8") if schema else served_schema_yaml()
        if write:
            committed.parent.mkdir(parents=True, exist_ok=True)
            committed.write_text(served_text, encoding="utf-8")
            self.stdout.write(f"wrote {committed}")
            return
        if not committed.exists():
            raise CommandError(f"{committed} is missing: create it with `make schema`.")
        verdict = check(
            yaml.safe_load(committed.read_text(encoding="utf-8")),
            yaml.safe_load(served_text),
            served_text,
            changelog.read_text(encoding="utf-8") if changelog.exists() else "",
        )
        for note in verdict.notes:
            self.stdout.write(f"note: {note}")
        if not verdict.ok:
            raise CommandError("\n".join(["the API schema breaks its contract:", *verdict.errors]))
        self.stdout.write(f"schema contract: ok (committed {committed})")
