"""The schema contract (issue 23): a change that would break a client generated from the
committed schema fails the check unless the major version and the changelog declare it;
additions pass. The schema under test is the one this code serves."""

from __future__ import annotations

import copy

import pytest
import yaml
from django.core.management import CommandError, call_command

from core.management.commands.schema_contract import served_schema_yaml
from core.schema_contract import check, unstable_scalars

CHANGELOG = "# API changelog\n\n## 1.0.0\n\nThe first one.\n"


@pytest.fixture(scope="module")
def served_text() -> str:
    return served_schema_yaml()


@pytest.fixture
def committed(served_text) -> dict:
    schema = yaml.safe_load(served_text)
    schema["info"]["version"] = "1.0.0"
    return schema


@pytest.fixture
def served(committed) -> dict:
    return copy.deepcopy(committed)


def verdict(committed, served, changelog=CHANGELOG):
    return check(committed, served, yaml.safe_dump(served, allow_unicode=True), changelog)


def project(schema: dict) -> dict:
    return schema["components"]["schemas"]["Project"]["properties"]


def list_projects(schema: dict) -> dict:
    return schema["paths"]["/api/v1/projects/"]["get"]


def test_the_same_schema_passes(committed, served):
    result = verdict(committed, served)
    assert result.ok and result.breaking == [] and result.notes == []


def test_a_removed_response_field_fails(committed, served):
    del project(served)["investor_name"]
    result = verdict(committed, served)
    assert not result.ok
    assert any("results[].investor_name: field removed" in line for line in result.breaking), result.breaking


def test_a_changed_type_fails(committed, served):
    project(served)["jobs"] = {"type": "string", "nullable": True}
    result = verdict(committed, served)
    assert not result.ok
    assert any(".jobs: type changed from integer to string" in line for line in result.breaking), result.breaking


def test_a_dropped_choice_fails(committed, served):
    stages = served["components"]["schemas"]["StageEnum"]["enum"]
    stages.remove("dropped")
    result = verdict(committed, served)
    assert not result.ok
    assert any("choice(s) removed: 'dropped'" in line for line in result.breaking), result.breaking


def test_a_removed_or_renamed_operation_fails(committed, served):
    served["paths"]["/api/v1/organisations/"]["get"]["operationId"] = "organisations_index"
    del served["paths"]["/api/v1/visits/{id}/"]["delete"]
    result = verdict(committed, served)
    assert not result.ok
    assert any("operationId renamed from organisations_list" in line for line in result.breaking)
    assert any("DELETE /api/v1/visits/{id}/: operation removed" in line for line in result.breaking)


def test_a_parameter_made_required_fails(committed, served):
    for parameter in list_projects(served)["parameters"]:
        if parameter["name"] == "stage":
            parameter["required"] = True
    result = verdict(committed, served)
    assert not result.ok
    assert any("query parameter stage: became required" in line for line in result.breaking)


def test_additions_pass(committed, served):
    project(served)["risk_note"] = {"type": "string", "readOnly": True}
    served["components"]["schemas"]["StageEnum"]["enum"].append("paused")
    list_projects(served)["parameters"].append(
        {"in": "query", "name": "risk", "schema": {"type": "string"}, "required": False}
    )
    served["paths"]["/api/v1/things/"] = copy.deepcopy(served["paths"]["/api/v1/parks/"])
    for operation in served["paths"]["/api/v1/things/"].values():
        operation["operationId"] = "things_" + operation["operationId"]
    result = verdict(committed, served)
    assert result.ok, result.errors
    assert result.breaking == []
    assert any("make schema" in note for note in result.notes)


def test_a_breaking_change_passes_with_a_major_bump_and_its_changelog_entry(committed, served):
    del project(served)["investor_name"]
    served["info"]["version"] = "2.0.0"
    assert not verdict(committed, served).ok  # bumped, but no changelog entry
    logged = CHANGELOG + "\n## 2.0.0 (2026-12-07)\n\n- investor_name removed.\n"
    assert verdict(committed, served, logged).ok
    served["info"]["version"] = "1.1.0"
    assert not verdict(committed, served, logged.replace("2.0.0", "1.1.0")).ok  # a minor bump does not do


def test_keys_that_read_as_numbers_in_yaml_12_fail(committed, served):
    # PyYAML writes "1e8" bare (a string in YAML 1.1); a YAML 1.2 reader sees a number.
    text = yaml.safe_dump({"enum": ["below_1e8", "1e8", "NO", "100m", "true"]})
    assert [line.split(":")[0] for line in unstable_scalars(text)] == ["/enum[1]"]
    served["components"]["schemas"]["StageEnum"]["enum"].append("1e8")
    result = check(committed, served, yaml.safe_dump(served, allow_unicode=True), CHANGELOG)
    assert not result.ok
    assert any("'1e8' reads as a number" in line for line in result.errors)


def test_the_served_schema_keeps_the_committed_contract(db):
    call_command("schema_contract")


def test_the_command_fails_on_a_breaking_change(tmp_path, served_text):
    schema = yaml.safe_load(served_text)
    del schema["components"]["schemas"]["Project"]["properties"]["tier"]
    broken = tmp_path / "served.yaml"
    broken.write_text(yaml.safe_dump(schema, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match=r"tier: field removed"):
        call_command("schema_contract", "--schema", str(broken))


def test_parameter_enums_are_named_the_same_in_every_language(served_text):
    """Generators name a parameter's enum class after its schema's title, which was the
    filter's label in the request's language; the schema carries none."""
    schema = yaml.safe_load(served_text)
    titled = [
        f"{method.upper()} {path} {parameter['name']}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for parameter in operation.get("parameters", [])
        if "title" in parameter.get("schema", {}) or "title" in parameter.get("schema", {}).get("items", {})
    ]
    assert titled == []
