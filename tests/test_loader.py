"""`load_project`: where a project is found from, and the model built from its files."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_hsevents.loader import ProjectNotFoundError, load_project
from pytest_hsevents.model import EventProperty, PropertyOption

from ._projects import APP, EVENT, EXAMPLE, HSPROJECT, project_files, write_project


def test_found_from_root_src_app_events_folder_and_a_file(tmp_path: Path) -> None:
    write_project(tmp_path, project_files())
    starts = [
        tmp_path,
        tmp_path / "src",
        tmp_path / "src" / "app",
        tmp_path / "src" / "app" / "app-events",
        tmp_path / "src" / "app" / "app-events" / "demo-event-hsmeta.json",
    ]
    for start in starts:
        project = load_project(start)
        assert project.root == tmp_path, start
        assert project.src_dir == tmp_path / "src"
        assert project.name == "demo"
        assert project.platform_version == "2025.2"
        assert list(project.event_types) == ["demo_event"]


def test_src_dir_comes_from_hsproject_json(tmp_path: Path) -> None:
    files = {
        "hsproject.json": {**HSPROJECT, "srcDir": "hubspot"},
        "hubspot/app/app-hsmeta.json": APP,
        "hubspot/app/app-events/demo-event-hsmeta.json": EVENT,
        # a decoy under the default folder name: not part of this project
        "src/app/app-events/decoy-hsmeta.json": {**EVENT, "uid": "decoy"},
    }
    write_project(tmp_path, files)
    for start in (tmp_path, tmp_path / "hubspot" / "app"):
        project = load_project(start)
        assert project.src_dir == tmp_path / "hubspot"
        assert list(project.event_types) == ["demo_event"]
        assert project.app is not None and project.app.uid == "demo_app"
        assert project.platform_version == "2025.2"  # the app folder still finds hsproject.json


def test_without_hsproject_json_a_src_app_folder_or_an_app_folder_will_do(tmp_path: Path) -> None:
    write_project(tmp_path / "repo", {k: v for k, v in project_files().items() if "src/" in k})
    project = load_project(tmp_path / "repo")
    assert (project.root, project.src_dir) == (tmp_path / "repo", tmp_path / "repo" / "src")
    assert project.platform_version is None and project.name is None

    write_project(
        tmp_path / "bare",
        {"app/app-hsmeta.json": APP, "app/app-events/demo-event-hsmeta.json": EVENT},
    )
    project = load_project(tmp_path / "bare" / "app")
    assert project.src_dir == project.root == tmp_path / "bare"
    assert list(project.event_types) == ["demo_event"]


def test_not_a_project_raises_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ProjectNotFoundError, match="not a HubSpot project"):
        load_project(tmp_path / "empty")
    with pytest.raises(ProjectNotFoundError, match="no such file or directory"):
        load_project(tmp_path / "missing")


def test_a_missing_src_dir_is_a_diagnostic(tmp_path: Path) -> None:
    """A project with hsproject.json is a project: a wrong srcDir is bad content in it."""
    write_project(tmp_path, {"hsproject.json": {**HSPROJECT, "srcDir": "gone"}})
    project = load_project(tmp_path)
    assert [(d.rule_id, d.path.name, d.pointer) for d in project.diagnostics] == [
        ("HSF010", "hsproject.json", "/srcDir")
    ]
    assert project.app is None and dict(project.event_types) == {}
    write_project(tmp_path / "nosrc", {"hsproject.json": {"name": "demo"}})
    (diagnostic,) = load_project(tmp_path / "nosrc").diagnostics
    assert (diagnostic.rule_id, diagnostic.pointer) == ("HSF010", "")
    assert diagnostic.message.startswith("srcDir 'src' is not a folder of the project")


@pytest.mark.parametrize("src_dir", ["/", "..", "src/../..", "a\x00b"])
def test_a_src_dir_outside_the_project_is_never_read(tmp_path: Path, src_dir: str) -> None:
    """`/` or `..` would have the loader walk the disk; it reports HSF010 and reads nothing."""
    root = tmp_path / "project"
    write_project(root, project_files({"hsproject.json": {**HSPROJECT, "srcDir": src_dir}}))
    (tmp_path / "stray-hsmeta.json").write_text("{}")
    project = load_project(root)
    assert [(d.rule_id, d.pointer) for d in project.diagnostics] == [("HSF010", "/srcDir")]
    assert project.app is None and dict(project.event_types) == {}


def test_broken_hsproject_json_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    write_project(tmp_path, project_files({"hsproject.json": '{"srcDir": "src",'}))
    project = load_project(tmp_path)
    assert [(d.rule_id, d.path.name) for d in project.diagnostics] == [("HSF001", "hsproject.json")]
    assert list(project.event_types) == ["demo_event"]


def test_bad_content_becomes_a_lenient_model(tmp_path: Path) -> None:
    broken = {
        "uid": "demo_event",
        "type": "app-event",
        "config": {
            "name": 5,
            "objectType": "contact",
            "headerTemplate": ["no"],
            "properties": [
                "not an object",
                {"label": "no name"},
                {"name": "plan", "type": "Enumeration", "options": [{"value": 3}, "x"]},
            ],
        },
    }
    write_project(tmp_path, project_files({"src/app/app-events/demo-event-hsmeta.json": broken}))
    event_type = load_project(tmp_path).event_types["demo_event"]
    assert event_type.name is None
    assert event_type.object_type == "CONTACT"
    assert event_type.header_template is None
    assert event_type.properties == (
        EventProperty(
            name="plan", type="ENUMERATION", options=(PropertyOption(label="", value="3"),)
        ),
    )


def test_example_project_model() -> None:
    project = load_project(EXAMPLE)
    assert project.root == EXAMPLE
    assert project.name == "acme-app" and project.platform_version == "2025.2"
    assert project.diagnostics == ()
    assert project.app is not None
    assert (project.app.uid, project.app.auth_type, project.app.distribution) == (
        "acme_integration",
        "oauth",
        "marketplace",
    )
    assert "timeline" in project.app.required_scopes
    assert sorted(project.event_types) == [
        "asset_scanned",
        "company_enriched",
        "deal_stage_synced",
        "device_synced",
        "ticket_escalated",
        "webinar_attended",
    ]
    objects = {uid: t.object_type for uid, t in project.event_types.items()}
    assert objects == {
        "asset_scanned": None,
        "company_enriched": "COMPANY",
        "deal_stage_synced": "DEAL",
        "device_synced": "APP_OBJECT",
        "ticket_escalated": "TICKET",
        "webinar_attended": "CONTACT",
    }
    assets = project.event_types["asset_scanned"]
    assert assets.supports_custom_object and assets.name == "Asset scanned"
    assert assets.path == EXAMPLE / "src/app/app-events/asset-scanned-hsmeta.json"
    webinar = project.event_types["webinar_attended"]
    assert webinar.header_template == "{{attendeeName}} attended {{webinarName}}"
    assert webinar.detail_template is not None and "extraData.questions" in webinar.detail_template
    assert [p.name for p in webinar.properties] == [
        "webinarName",
        "attendeeName",
        "minutesWatched",
        "attendedOn",
        "attendance",
    ]
    assert [p.type for p in webinar.properties] == [
        "STRING",
        "STRING",
        "NUMBER",
        "DATE",
        "ENUMERATION",
    ]
    attendee = webinar.properties_by_name["attendeeName"]
    assert (attendee.label, attendee.object_property) == ("Attendee name", "firstname")
    attendance = webinar.properties_by_name["attendance"]
    assert attendance.options == (
        PropertyOption(label="Live", value="live"),
        PropertyOption(label="On demand", value="on_demand"),
    )
    assert attendance.option_values == {"live", "on_demand"}
    company = project.event_types["company_enriched"]
    assert {p.name: p.object_property for p in company.properties} == {
        "provider": None,
        "industry": "industry",
        "employeeCount": "numberofemployees",
    }
