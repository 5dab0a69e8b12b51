"""The API's schema as a contract with generated clients (issue 23).

Integrators generate their clients (openapi-python-client, openapi-typescript, ...) from
/api/schema/. Two things break such a client without any request failing on our side:

- a schema change a generated client cannot follow: a path or an operation removed or
  renamed (the operationId names the client's function), a response field removed or no
  longer always there, a choice removed from an enum, a type changed, a parameter or
  a request field that became required, a model (component) removed or renamed;
- a document that reads differently in different parsers: YAML 1.1 (PyYAML, which
  writes the schema) reads `1e8` as a string and writes it bare; YAML 1.2 readers (the
  generators) read the same text as a number.

`breaking_changes(committed, served)` lists the first kind; `unstable_scalars(yaml_text)`
the second; `check(...)` puts both together with the rule of the API's version: a
breaking change passes only with a major version bump and a changelog entry for it.
Additions never break a client and always pass. The management command
`schema_contract` runs it; `make schema` refreshes the committed schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

COMMITTED_SCHEMA = Path("docs/api/schema.yaml")
CHANGELOG = Path("docs/api/CHANGELOG.md")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# --- One text, one reading --------------------------------------------------------------

# Plain scalars that a YAML 1.2 (core schema) reader takes for something other than a string.
_YAML12_NOT_STRING = re.compile(
    r"""^(?:
        ~|null|Null|NULL
      | true|True|TRUE|false|False|FALSE
      | [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
      | [-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
      | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
    )$""",
    re.VERBOSE,
)
_STRING_TAG = "tag:yaml.org,2002:str"


def yaml_ambiguous(text: str) -> bool:
    """True when some YAML reader would take `text`, written bare, for a number, a
    boolean, a date or null: a choice key should never be one (it then depends on the
    writer's quoting)."""
    if text == "" or _YAML12_NOT_STRING.match(text):
        return True
    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))
    return tag != _STRING_TAG


class _NotAString:
    """What a YAML 1.2 reader makes of a bare scalar that is not a string."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML with the YAML 1.2 core schema's implicit types in place of 1.1's."""


_Yaml12Loader.yaml_implicit_resolvers = {}
_Yaml12Loader.add_implicit_resolver("!not-a-string", _YAML12_NOT_STRING, list("~nNtTfF-+0123456789.") + [""])
_Yaml12Loader.add_constructor("!not-a-string", lambda loader, node: _NotAString(node.value))


def unstable_scalars(yaml_text: str) -> list[str]:
    """Where the document is a string to PyYAML (YAML 1.1, which writes it) but not to a
    YAML 1.2 reader: '<path>: <text>' for each such value."""
    ours = yaml.safe_load(yaml_text)
    theirs = yaml.load(yaml_text, Loader=_Yaml12Loader)  # nosec B506 - a subclass of SafeLoader
    found: list[str] = []

    def walk(a, b, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key, value in a.items():
                if key in b:
                    walk(value, b[key], f"{path}/{key}")
        elif isinstance(a, list) and isinstance(b, list):
            for index, (x, y) in enumerate(zip(a, b, strict=False)):
                walk(x, y, f"{path}[{index}]")
        elif isinstance(a, str) and isinstance(b, _NotAString):
            found.append(f"{path or '/'}: {a!r} reads as a number, boolean or null in YAML 1.2")

    walk(ours, theirs, "")
    return found


# --- What a generated client depends on --------------------------------------------------


@dataclass
class _Walk:
    old_doc: dict
    new_doc: dict
    problems: list[str] = field(default_factory=list)
    seen: set = field(default_factory=set)

    def flatten(self, schema: dict | None, doc: dict) -> tuple[dict, str | None]:
        """Follow $ref, and fold a single allOf branch (how a $ref carries its own
        description or readOnly) into the schema; the last model name met comes along."""
        schema = schema or {}
        name = None
        while True:
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[-1]
                schema = doc.get("components", {}).get("schemas", {}).get(name, {})
            elif len(schema.get("allOf", [])) == 1 and "type" not in schema:
                inner, inner_name = self.flatten(schema["allOf"][0], doc)
                schema = {**inner, **{k: v for k, v in schema.items() if k != "allOf"}}
                name = inner_name or name
            else:
                return schema, name

    def branches(self, schema: dict, doc: dict) -> list[dict]:
        return [self.flatten(branch, doc)[0] for kw in ("oneOf", "anyOf") for branch in schema.get(kw, [])]

    def types(self, schema: dict, doc: dict) -> set | None:
        """The JSON types a value may have (None: any). Null is left to `nullable`."""
        if "type" in schema:
            return set(schema["type"]) - {"null"} if isinstance(schema["type"], list) else {schema["type"]}
        branches = self.branches(schema, doc)
        if not branches:
            return None
        found: set = set()
        for branch in branches:
            if branch.get("enum") == [None]:
                continue  # drf-spectacular's NullEnum
            types = self.types(branch, doc)
            if types is None:
                return None
            found |= types
        return found

    def enum(self, schema: dict, doc: dict) -> set | None:
        if "enum" in schema:
            return set(schema["enum"])
        branches = self.branches(schema, doc)
        values = [self.enum(branch, doc) for branch in branches]
        if not branches or any(v is None for v in values):
            return None
        return set().union(*values)

    def nullable(self, schema: dict, doc: dict) -> bool:
        if schema.get("nullable") or None in schema.get("enum", []):
            return True
        return any(self.nullable(branch, doc) for branch in self.branches(schema, doc))

    def schema(self, old: dict | None, new: dict | None, where: str, reading: bool) -> None:
        """Compare one schema. `reading`: the client reads it (a response); otherwise the
        client writes it (a parameter or a request body)."""
        old, old_name = self.flatten(old, self.old_doc)
        new, new_name = self.flatten(new, self.new_doc)
        key = (old_name, new_name, reading)
        if old_name and key in self.seen:
            return
        self.seen.add(key)
        if not old:
            return
        old_types, new_types = self.types(old, self.old_doc), self.types(new, self.new_doc)
        if old_types is not None:
            # A reader copes with fewer types than before; a writer needs all it had.
            if reading:
                fits = new_types is not None and new_types <= old_types
            else:
                fits = new_types is None or old_types <= new_types
            if not fits:
                before, after = "|".join(sorted(old_types)), "|".join(sorted(new_types or {"any"}))
                self.problems.append(f"{where}: type changed from {before} to {after}")
                return
        # An integer's width (int64 on SQLite, none on PostgreSQL, where the column's range
        # is narrower) does not change the generated type; a string's format (date,
        # date-time, decimal, uri...) does.
        integral = old_types <= {"integer", "number"} if old_types else False
        if "format" in old and old.get("format") != new.get("format") and not integral:
            self.problems.append(f"{where}: format changed from {old.get('format')} to {new.get('format')}")
        old_enum, new_enum = self.enum(old, self.old_doc), self.enum(new, self.new_doc)
        if old_enum is not None and new_enum is not None:
            removed = sorted(map(repr, old_enum - new_enum))
            if removed:
                self.problems.append(f"{where}: choice(s) removed: {', '.join(removed)}")
        old_null, new_null = self.nullable(old, self.old_doc), self.nullable(new, self.new_doc)
        if reading and new_null and not old_null:
            self.problems.append(f"{where}: may now be null")
        if not reading and old_null and not new_null:
            self.problems.append(f"{where}: no longer accepts null")
        for keyword in ("oneOf", "anyOf", "allOf"):
            for index, (a, b) in enumerate(zip(old.get(keyword, []), new.get(keyword, []), strict=False)):
                self.schema(a, b, f"{where}<{keyword}[{index}]>", reading)
        if "items" in old:
            self.schema(old["items"], new.get("items"), f"{where}[]", reading)
        if isinstance(old.get("additionalProperties"), dict):
            self.schema(old["additionalProperties"], new.get("additionalProperties"), f"{where}{{*}}", reading)
        self.properties(old, new, where, reading)

    def properties(self, old: dict, new: dict, where: str, reading: bool) -> None:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        for name, schema in old_props.items():
            if name not in new_props:
                self.problems.append(f"{where}.{name}: field removed")
                continue
            if reading and name in old_required and name not in new_required:
                self.problems.append(f"{where}.{name}: no longer always present")
            self.schema(schema, new_props[name], f"{where}.{name}", reading)
        if not reading:
            for name in sorted(new_required - old_required):
                self.problems.append(f"{where}.{name}: field became required")


def _parameters(path_item: dict, operation: dict) -> dict[tuple[str, str], dict]:
    found = {(p["in"], p["name"]): p for p in path_item.get("parameters", []) if "$ref" not in p}
    found.update({(p["in"], p["name"]): p for p in operation.get("parameters", []) if "$ref" not in p})
    return found


def _content_schema(entry: dict | None) -> dict | None:
    content = (entry or {}).get("content", {})
    for media in ("application/json", *content):
        if media in content:
            return content[media].get("schema")
    return None


def breaking_changes(old: dict, new: dict) -> list[str]:
    """What in `new` would break a client generated from `old` (additions never do)."""
    walk = _Walk(old, new)
    problems = walk.problems
    new_paths = new.get("paths", {})
    for path, old_item in old.get("paths", {}).items():
        if path not in new_paths:
            problems.append(f"{path}: path removed")
            continue
        new_item = new_paths[path]
        for method in METHODS:
            if method not in old_item:
                continue
            op = f"{method.upper()} {path}"
            if method not in new_item:
                problems.append(f"{op}: operation removed")
                continue
            old_op, new_op = old_item[method], new_item[method]
            if old_op.get("operationId") != new_op.get("operationId"):
                problems.append(
                    f"{op}: operationId renamed from {old_op.get('operationId')} to {new_op.get('operationId')}"
                )
            old_params, new_params = _parameters(old_item, old_op), _parameters(new_item, new_op)
            for key, param in old_params.items():
                where = f"{op} {key[0]} parameter {key[1]}"
                if key not in new_params:
                    problems.append(f"{where}: removed")
                    continue
                if new_params[key].get("required") and not param.get("required"):
                    problems.append(f"{where}: became required")
                walk.schema(param.get("schema"), new_params[key].get("schema"), where, reading=False)
            for key, param in new_params.items():
                if key not in old_params and param.get("required"):
                    problems.append(f"{op} {key[0]} parameter {key[1]}: new and required")
            old_body, new_body = old_op.get("requestBody"), new_op.get("requestBody")
            if new_body and new_body.get("required") and not (old_body or {}).get("required"):
                problems.append(f"{op} request body: became required")
            if old_body:
                walk.schema(_content_schema(old_body), _content_schema(new_body), f"{op} request", reading=False)
            new_responses = new_op.get("responses", {})
            for status, response in old_op.get("responses", {}).items():
                if status not in new_responses:
                    problems.append(f"{op} response {status}: removed")
                    continue
                walk.schema(
                    _content_schema(response), _content_schema(new_responses[status]), f"{op} {status}", reading=True
                )
    new_components = new.get("components", {}).get("schemas", {})
    for name in old.get("components", {}).get("schemas", {}):
        if name not in new_components:
            problems.append(f"components/schemas/{name}: model removed or renamed")
    return list(dict.fromkeys(problems))


# --- The version rule ---------------------------------------------------------------------


def major(version: str) -> int:
    match = re.match(r"\s*(\d+)", str(version))
    return int(match.group(1)) if match else 0


def changelog_versions(text: str) -> set[str]:
    """Versions with an entry: headings such as '## 2.0.0' or '## 2.0.0 (2026-12-07)'."""
    return set(re.findall(r"^#{2,3}\s*v?(\d+\.\d+\.\d+)\b", text, flags=re.MULTILINE))


@dataclass
class Verdict:
    breaking: list[str]
    unstable: list[str]
    errors: list[str]
    notes: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def check(committed: dict, served: dict, served_yaml: str | None, changelog: str) -> Verdict:
    """Compare the served schema with the committed one under the version rule."""
    breaking = breaking_changes(committed, served)
    unstable = unstable_scalars(served_yaml) if served_yaml is not None else []
    old_version = str(committed.get("info", {}).get("version", "0"))
    new_version = str(served.get("info", {}).get("version", "0"))
    errors: list[str] = []
    notes: list[str] = []
    if unstable:
        errors.append("the schema reads differently in YAML 1.1 and 1.2 parsers (use keys that read as words):")
        errors += [f"  {line}" for line in unstable]
    if breaking:
        bumped = major(new_version) > major(old_version)
        logged = new_version in changelog_versions(changelog)
        if bumped and logged:
            notes.append(
                f"{len(breaking)} breaking change(s) declared by version {new_version} and its changelog entry; "
                "refresh the committed schema with `make schema`."
            )
        else:
            why = []
            if not bumped:
                why.append(f"the major version did not change ({old_version} -> {new_version})")
            if not logged:
                why.append(f"{CHANGELOG} has no entry for {new_version}")
            errors.append(f"changes that break generated clients, and {' and '.join(why)}:")
            errors += [f"  {line}" for line in breaking]
    elif breaking_changes(served, committed):
        # Seen from the served schema, the committed one lacks something: an addition.
        notes.append("the served schema has additions the committed one lacks: refresh it with `make schema`.")
    return Verdict(breaking, unstable, errors, notes)


# --- A schema hook -------------------------------------------------------------------------


def drop_parameter_titles(result, generator, request, public):
    """drf-spectacular post-processing hook: no `title` in the parameters' schemas.

    Those titles are the filters' labels in the request's language; generators name the
    parameter's enum class after them (`ProjectsList阶段Item` in Chinese,
    `ProjectsListStageItem` in English). Without a title the name comes from the
    parameter's name, the same in every language."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                schema.pop("title", None)
                if isinstance(schema.get("items"), dict):
                    schema["items"].pop("title", None)
    return result
