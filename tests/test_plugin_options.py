"""The plugin's configuration, as a user's suite meets it: options, ini, markers, discovery."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

# Imported once here: pytester's in-process runs drop every module they import themselves.
import pytest_hsevents.checker
import pytest_hsevents.fake.inprocess
import pytest_hsevents.fake.server  # noqa: F401
from pytest_hsevents._pytest_options import PLUGIN_KEYS, SETTING_HELP
from pytest_hsevents.settings import Settings

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "acme-app"


def copy_project(target: Path) -> Path:
    shutil.copytree(EXAMPLE, target, dirs_exist_ok=True)
    return target


def break_project(root: Path) -> None:
    """Give the first event type a name longer than HubSpot's limit (HSD021)."""
    path = root / "src/app/app-events/deal-stage-synced-hsmeta.json"
    data = json.loads(path.read_text())
    data["config"]["name"] = "n" * 300
    path.write_text(json.dumps(data))


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    """The example project at the rootdir, as in a real HubSpot repository."""
    return copy_project(pytester.path)


def test_every_setting_has_an_option_an_ini_name_and_help(pytester: pytest.Pytester) -> None:
    import dataclasses

    assert set(SETTING_HELP) == {f.name for f in dataclasses.fields(Settings)}
    result = pytester.runpytest("--help")
    for key in (*PLUGIN_KEYS, *SETTING_HELP):
        result.stdout.fnmatch_lines(
            [f"*--hsevents-{key.replace('_', '-')}=*", f"*hsevents_{key} *"]
        )


def test_project_found_from_rootdir(pytester: pytest.Pytester, project: Path) -> None:
    pytester.makepyfile(
        f"""
        def test_it(hsevents_project):
            assert str(hsevents_project.root) == {str(project.resolve())!r}
            assert "deal_stage_synced" in hsevents_project.event_types
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_project_precedence_marker_option_ini(pytester: pytest.Pytester) -> None:
    for name in ("from_ini", "from_option", "from_marker"):
        copy_project(pytester.path / name)
    pytester.makeini("[pytest]\nhsevents_project = from_ini\n")
    pytester.makepyfile(
        """
        import pytest

        def test_default(hsevents_project):
            assert hsevents_project.root.name == EXPECTED

        @pytest.mark.hsevents(project="from_marker")
        def test_marker(hsevents_project):
            assert hsevents_project.root.name == "from_marker"
        """.replace("EXPECTED", "__import__('os').environ['EXPECTED']")
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EXPECTED", "from_ini")
        pytester.runpytest().assert_outcomes(passed=2)
        patch.setenv("EXPECTED", "from_option")
        pytester.runpytest("--hsevents-project=from_option").assert_outcomes(passed=2)


def test_no_project_is_fine_until_a_fixture_needs_one(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_plain():
            pass

        def test_needs_it(hsevents_project):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*no HubSpot project found from rootdir*--hsevents-project*"])
    result.stdout.no_fnmatch_line("*hsevents contract coverage*")


def test_misspelt_marker_key_fails_the_test_naming_known_keys(
    pytester: pytest.Pytester, project: Path
) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.hsevents(batch_mode="atomic")

        @pytest.mark.hsevents(stict=False)
        def test_typo():
            pass

        @pytest.mark.hsevents(batch_mode="sometimes")
        def test_bad_value():
            pass

        @pytest.mark.hsevents("strict")
        def test_positional():
            pass

        def test_fine():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=3)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.hsevents: unknown key 'stict' (did you mean 'strict'?); "
            "known keys: allow_hosts, base_url, batch_mode, block_network, check, *",
            "*@pytest.mark.hsevents: batch_mode='sometimes': expected one of 'partial', 'atomic'",
            "*@pytest.mark.hsevents takes keyword arguments only*",
        ]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hsevents-batch-mode=sometimes"], "*--hsevents-batch-mode: batch_mode='sometimes'*"),
        (["--hsevents-strict=maybe"], "*--hsevents-strict: strict='maybe': expected true or false"),
        (["--hsevents-select=HSZ"], "*--hsevents-select: no rule is called 'HSZ'*"),
        (["--hsevents-fail-under=120"], "*--hsevents-fail-under='120': expected a percentage*"),
        (
            ["--hsevents-report=xml"],
            "*--hsevents-report='xml': expected term, json:PATH, html:PATH*",
        ),
        (["--hsevents-project=nowhere"], "*--hsevents-project: *nowhere: no such file*"),
    ],
)
def test_bad_option_is_a_usage_error(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])


def test_bad_ini_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nhsevents_max_batch_size = many\n")
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: *ini hsevents_max_batch_size: max_batch_size='many': expected a whole number"]
    )


def test_check_errors_fail_the_session_early(pytester: pytest.Pytester, project: Path) -> None:
    break_project(project)
    pytester.makepyfile("def test_plain():\n    pass\n")
    # a suite that never asks for a fixture does not pay for the check
    pytester.runpytest().assert_outcomes(passed=1)
    pytester.makepyfile("def test_plain():\n    pass\n\ndef test_it(hsevents_fake):\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: hsevents check found errors in the HubSpot project at *; fix them, or run "
            "anyway with --hsevents-check=false*",
            "*deal-stage-synced-hsmeta.json:*: HSD021 *",
            "Found 1 error and 0 warnings.",
        ]
    )
    result.stdout.no_fnmatch_line("*passed*")
    pytester.runpytest("--hsevents-check=false").assert_outcomes(passed=2)
    pytester.makeini("[pytest]\nhsevents_check = false\n")
    pytester.runpytest().assert_outcomes(passed=2)


def test_check_of_a_marker_project_fails_only_its_tests(
    pytester: pytest.Pytester, project: Path
) -> None:
    break_project(copy_project(project / "broken"))
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.hsevents(project="broken")
        def test_broken(hsevents_project):
            pass

        @pytest.mark.hsevents(project="broken", check=False)
        def test_unchecked(hsevents_project):
            assert hsevents_project.root.name == "broken"

        def test_clean(hsevents_project):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*hsevents check found errors*broken*", "*HSD021*"])


def test_settings_from_pyproject_are_the_base(pytester: pytest.Pytester, project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.hsevents]\nstrict_case = true\n")
    pytester.makepyfile("def test_it(hsevents_project):\n    pass\n")
    # the example writes `"type": "enumeration"`: strict_case makes that HSP022 at start-up
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*HSP022*"])
    pytester.runpytest("--hsevents-strict-case=false").assert_outcomes(passed=1)


def test_plugin_can_be_disabled(pytester: pytest.Pytester, project: Path) -> None:
    break_project(project)
    pytester.makepyfile(
        """
        def test_plain():
            pass

        def test_fixture(hsevents_project):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:hsevents")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*fixture 'hsevents_project' not found*"])
    result = pytester.runpytest("-p", "no:hsevents", "--hsevents-check=false")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
