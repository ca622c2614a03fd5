"""HubSpot's Node SDK (`@hubspot/api-client`), unmodified, against the loopback server.

One `node tests/oracle/node_client.mjs <url>` process per module (a few seconds) creates a v3
template, adds a token, reads templates back, creates an event, renders it, sends a partial
batch and hits a validation error and a 404; the tests check what the SDK returned and what
the fake recorded. Skips without Node or without `npm ci --prefix tests/oracle`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_hsevents.fake.server import HubSpotServer

from ._projects import EXAMPLE

ORACLE = Path(__file__).parent / "oracle"


@pytest.fixture(scope="module")
def run() -> Iterator[tuple[dict[str, Any], HubSpotServer]]:
    """(what the SDK returned, the server it talked to), after one node run."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the Node SDK client test cannot run")
    if not (ORACLE / "node_modules" / "@hubspot" / "api-client").is_dir():
        pytest.skip("@hubspot/api-client is not installed: run `npm ci --prefix tests/oracle`")
    with HubSpotServer(EXAMPLE) as server:
        result = subprocess.run(
            [node, "node_client.mjs", server.url],
            cwd=ORACLE,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        yield json.loads(result.stdout), server


def test_templates_and_tokens_round_trip_through_the_sdk(
    run: tuple[dict[str, Any], HubSpotServer],
) -> None:
    out, server = run
    template_id = out["template"]["id"]
    assert out["template"] == {"id": template_id, "name": "Signup", "objectType": "contacts"}
    assert out["token"] == {"name": "source", "type": "string"}
    assert out["read"] == {
        "tokens": ["plan", "seats", "source"],
        "headerTemplate": "Signed up for {{plan}}",
    }
    assert out["templates"] == [template_id]
    stored = server.backend.template(template_id)
    assert stored is not None
    assert [t.name for t in stored.tokens] == ["plan", "seats", "source"]
    # Templates and tokens go with the developer key, which the SDK sends as ?hapikey=.
    template_calls = [r for r in server.requests if "/event-templates" in r.path]
    assert template_calls
    assert all("hapikey=dev-key" in r.url for r in template_calls)


def test_an_event_is_created_and_rendered(run: tuple[dict[str, Any], HubSpotServer]) -> None:
    out, server = run
    assert out["created"] == {
        "id": "n-1",
        "objectType": "CONTACT",
        "tokens": {"plan": "pro", "seats": "3", "source": "node"},
    }
    assert out["rendered"] == "3 seats on pro via node"
    first = server.accepted[0]
    assert (first.api, first.id, first.detail) == ("v3", "n-1", "3 seats on pro via node")
    created = next(r for r in server.requests if r.path.endswith("/v3/events"))
    assert created.headers["authorization"] == "Bearer test-token"


def test_a_partial_batch_reports_the_bad_input_and_stores_the_rest(
    run: tuple[dict[str, Any], HubSpotServer],
) -> None:
    out, server = run
    batch = out["batch"]
    assert (batch["status"], batch["results"], batch["numErrors"]) == (207, ["n-2", "n-4"], 1)
    (error,) = batch["errors"]
    assert error["context"] == {"index": ["1"], "rules": ["HSV005"], "id": ["n-3"]}
    assert "tokens.seats" in error["message"]
    assert [a.id for a in server.accepted] == ["n-1", "n-2", "n-4"]
    assert ("HSV005",) in [r.rule_ids for r in server.rejected if r.index == 1]


def test_the_sdk_surfaces_hubspots_error_body(run: tuple[dict[str, Any], HubSpotServer]) -> None:
    out, server = run
    invalid = out["invalid"]
    assert invalid["code"] == 400
    assert invalid["body"]["category"] == "VALIDATION_ERROR"
    assert invalid["body"]["context"]["rules"] == ["HSV005"]
    assert [e["code"] for e in invalid["body"]["errors"]] == ["HSV005"]
    assert "tokens.plan is 'gold'" in invalid["body"]["message"]
    assert out["missing"]["code"] == 404
    assert out["missing"]["body"]["context"]["rules"] == ["HSV002"]
    assert "n-5" not in [a.id for a in server.accepted]
    whole = [r for r in server.rejected if r.index is None]
    assert [r.rule_ids for r in whole] == [("HSV005",), ("HSV002",)]
