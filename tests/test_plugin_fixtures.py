"""The fixtures as a user's suite uses them: sending for real through `requests`."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_plugin_options import copy_project

SENDER = """
import requests

HUBSPOT = "https://api.hubapi.com"


def deal(fake, id="1", **properties):
    props = {"stage": "won", "amount": "10", "closeDate": "2024-01-01", **properties}
    return {
        "eventTypeName": fake.event_type_name("deal_stage_synced"),
        "id": id,
        "objectId": "42",
        "properties": props,
    }


def send(body, base=HUBSPOT, token="t", path="/integrators/timeline/v4/events"):
    return requests.post(base + path, json=body, headers={"Authorization": "Bearer " + token})
"""


@pytest.fixture(autouse=True)
def project(pytester: pytest.Pytester) -> Path:
    pytester.makepyfile(sender=SENDER)
    return copy_project(pytester.path)


def test_fake_accepts_and_assert_sent_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from sender import deal, send

        def test_send(hsevents_fake):
            assert send(deal(hsevents_fake)).status_code == 200
            hsevents_fake.assert_sent("deal_stage_synced", count=1, stage="won")
            assert hsevents_fake.accepted[0].object_id == "42"

        def test_fresh_state(hsevents_fake):
            assert hsevents_fake.accepted == []
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_assert_sent_failure_is_a_readable_diff_without_plugin_frames(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        from sender import deal, send

        def test_send(hsevents_fake):
            send(deal(hsevents_fake, stage="lost"))
            hsevents_fake.assert_sent("deal_stage_synced", stage="won")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E *AssertionError: expected at least one occurrence of 'deal_stage_synced' "
            "with stage='won'; found 0",
            "E *closest of 1 accepted occurrence(s) of 'deal_stage_synced':",
            "E *stage: expected 'won', got 'lost'",
        ]
    )
    result.stdout.no_fnmatch_line("*inspection.py*")


def test_undeclared_rejection_fails_at_teardown_with_rule_field_and_docs(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        from sender import deal, send

        def test_bad_stage(hsevents_fake):
            assert send(deal(hsevents_fake, stage="maybe")).status_code == 400
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_bad_stage*",
            "pytest-hsevents (strict): the fake HubSpot saw problems in this test:",
            "- unexpected rejection 400 HSO015 of POST /integrators/timeline/v4/events: "
            "properties.stage is 'maybe'*",
            "rules:",
            "  HSO015/property-enumeration: https://*#hso015",
            "Declare a rejection you mean to cause with expect_rejection(rule=...), or relax "
            "the check with @pytest.mark.hsevents(strict=False): https://*#strict-mode",
        ],
        consecutive=True,
    )
    result.stdout.no_fnmatch_line("*_pytest_session.py*")


def test_expected_rejections_and_strict_false(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from sender import deal, send

        def test_named_rule(hsevents_fake):
            hsevents_fake.expect_rejection(rule="HSO015")
            send(deal(hsevents_fake, stage="maybe"))

        def test_any_rule(hsevents_fake):
            hsevents_fake.expect_rejection()
            send(deal(hsevents_fake, amount="lots"))

        def test_other_rule(hsevents_fake):
            hsevents_fake.expect_rejection(rule="HSO011")
            send(deal(hsevents_fake, stage="maybe"))

        def test_never_rejected(hsevents_fake):
            hsevents_fake.expect_rejection(rule="HSO015")
            send(deal(hsevents_fake))

        @pytest.mark.hsevents(strict=False)
        def test_relaxed(hsevents_fake):
            send(deal(hsevents_fake, stage="maybe"))
            send(deal(hsevents_fake), path="/integrators/timeline/v4/nowhere")
        """
    )
    result = pytester.runpytest("-rE")
    result.assert_outcomes(passed=5, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_other_rule _*",
            "- unexpected rejection 400 HSO015 *",
            "- expected a rejection for HSO011; none came",
            "*_ ERROR at teardown of test_never_rejected _*",
            "- expected a rejection for HSO015; none came",
        ]
    )


def test_unserved_hubspot_path_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from sender import deal, send

        def test_typo(hsevents_fake):
            send(deal(hsevents_fake), path="/integrators/timeline/v4/event")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["- request to a path HubSpot does not serve: POST /integrators/timeline/v4/event"]
    )


def test_marker_option_ini_precedence_key_by_key(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nhsevents_max_batch_size = 10\nhsevents_single_success_status = 201\n"
        "hsevents_portal_id = 5\n"
    )
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.hsevents(portal_id=111, batch_mode="atomic", strict=False)

        @pytest.mark.hsevents(portal_id=333)
        class TestClass:
            @pytest.mark.hsevents(portal_id=222)
            def test_closest_wins(self, hsevents_fake):
                s = hsevents_fake.backend.settings
                assert (s.portal_id, s.batch_mode, s.max_batch_size) == (222, "atomic", 10)
                assert s.single_success_status == 200  # option over ini

            def test_class_over_module(self, hsevents_fake):
                assert hsevents_fake.backend.settings.portal_id == 333

        def test_module(hsevents_fake):
            assert hsevents_fake.backend.settings.portal_id == 111
            assert hsevents_fake.event_type_name("deal_stage_synced").startswith("ae111_")

        def test_marker_strict_false_is_inherited(hsevents_fake):
            from sender import deal, send
            send(deal(hsevents_fake, stage="maybe"))
        """
    )
    pytester.runpytest("--hsevents-single-success-status=200").assert_outcomes(passed=4)


def test_token_and_base_url(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from sender import deal, send

        pytestmark = pytest.mark.hsevents(token="secret", base_url="https://hs.example")

        def test_right_token(hsevents_fake):
            body = deal(hsevents_fake)
            assert send(body, base="https://hs.example", token="secret").status_code == 200

        def test_wrong_token(hsevents_fake):
            hsevents_fake.expect_rejection(rule="HSH002")
            assert send(deal(hsevents_fake), base="https://hs.example").status_code == 401
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_server_is_shared_and_reset_before_each_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from sender import deal, send

        URLS = set()

        @pytest.fixture(scope="session")
        def app_url(hsevents_server):
            return hsevents_server.url  # a session-scoped user fixture may use it

        @pytest.mark.parametrize("n", [1, 2])
        def test_send(hsevents_server, app_url, n):
            URLS.add(app_url)
            assert hsevents_server.accepted == []
            assert send(deal(hsevents_server, id=str(n)), base=app_url).status_code == 200
            assert len(hsevents_server.accepted) == 1
            assert len(URLS) == 1

        @pytest.mark.hsevents(token="s3")
        def test_token_per_test(hsevents_server):
            hsevents_server.expect_rejection(rule="HSH002")
            assert send(deal(hsevents_server), base=hsevents_server.url).status_code == 401

        def test_strict(hsevents_server):
            send(deal(hsevents_server, stage="maybe"), base=hsevents_server.url)

        @pytest.mark.hsevents(batch_mode="atomic")
        def test_settings_are_session_wide(hsevents_server):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=4, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_strict*",
            "- unexpected rejection 400 HSO015 *",
            "*ERROR at setup of test_settings_are_session_wide*",
            "hsevents_server is shared by the session (one per xdist worker), so its project "
            "and settings come from the command line and ini file; this test's "
            "@pytest.mark.hsevents changes batch_mode. Use hsevents_fake for per-test settings.",
        ]
    )


def test_the_plugin_warns_nothing_in_a_suite_that_errors_on_warnings(
    pytester: pytest.Pytester,
) -> None:
    """`filterwarnings = error` suites (and `-W error`) run with the plugin loaded: it used to
    register assertion rewriting for modules already imported (PytestAssertRewriteWarning)."""
    pytester.makepyfile(
        "def test_uses_the_fake(hsevents_fake):\n    assert hsevents_fake.accepted == []\n"
    )
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    result = pytester.runpytest_subprocess(
        "-W", "error", "-p", "no:randomly", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1)
    assert "Warning" not in result.stdout.str() + result.stderr.str()
