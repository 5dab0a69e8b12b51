"""core is the ground floor: nothing in it imports the apps built on top of it
(crm, projects, transfer, chains, finder), not even inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import core

UPPER_FLOORS = (
    "crm",
    "projects",
    "transfer",
    "chains",
    "finder",
    "claims",
    "funds",
    "agreements",
    "problems",
    "outbound",
)


def imported_modules(source: str) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_the_checker_sees_imports_inside_functions():
    source = "def f():\n    from projects.views import my_work\n    import chains.models\n"
    assert imported_modules(source) == ["projects.views", "chains.models"]


def test_no_module_in_core_imports_an_upper_floor():
    root = Path(core.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for name in imported_modules(path.read_text(encoding="utf-8")):
            if name.split(".")[0] in UPPER_FLOORS:
                offenders.append(f"{path.relative_to(root.parent)}: {name}")
    assert offenders == []


def test_the_apps_above_projects_import_only_those_below_them():
    """Above projects the floors follow INSTALLED_APPS: agreements and problems are read by
    outbound (calendar feed, morning brief) and never import it, nor each other."""
    below = {"agreements": {"outbound", "problems"}, "problems": {"outbound", "agreements"}}
    offenders = []
    for app, forbidden in below.items():
        root = Path(core.__file__).parent.parent / app
        for path in sorted(root.rglob("*.py")):
            for name in imported_modules(path.read_text(encoding="utf-8")):
                if name.split(".")[0] in forbidden:
                    offenders.append(f"{path.relative_to(root.parent)}: {name}")
    assert offenders == []
