"""The plugin's per-session state and the steps its hooks and fixtures share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from ._pytest_html_report import CardLog
from ._pytest_options import SessionOptions, TestOptions
from ._pytest_project import CheckError, ProjectError, Projects
from ._pytest_report import Coverage
from .settings import Settings, SettingsError

if TYPE_CHECKING:
    from .fake.inspection import FakeInspection
    from .fake.server import HubSpotServer
    from .model import Project

__all__ = ["STATE", "STRICT_DOCS", "PluginState", "TestContext"]

STRICT_DOCS = "https://pytest-hsevents.readthedocs.io/en/latest/pytest/#strict-mode"


@dataclass(frozen=True)
class TestContext:
    """One test's resolved options, project and settings."""

    __test__ = False

    options: TestOptions
    project: Project
    settings: Settings


_OPTIONS = pytest.StashKey[TestOptions]()


@dataclass
class PluginState:
    """Everything the plugin keeps for one session (or one xdist worker)."""

    options: SessionOptions
    projects: Projects
    coverage: Coverage = field(default_factory=Coverage)
    cards: CardLog | None = None
    """The accepted occurrences' cards, kept only for `--hsevents-report=html:PATH`."""
    server: HubSpotServer | None = None
    summary: dict[str, Any] | None = None
    running: str | None = None
    """The node id of the test running now (None between tests)."""

    def fake_stopped(self, fake: FakeInspection) -> None:
        """Count a fake a test started and stopped: the `hsevents_fake` fixture's, or the
        user's own (a `with FakeHubSpot(...)` per hypothesis example). The session's server
        is counted per test instead, since it only stops when the session ends."""
        if self.running is not None and fake is not self.server:
            self.record(fake, self.running)

    def record(self, fake: FakeInspection, test: str) -> None:
        """Count what `fake` saw during `test`: coverage, and cards for the HTML report."""
        self.coverage.record(fake, test)
        if self.cards is not None:
            self.cards.record(fake, test)

    def options_for(self, item: pytest.Item) -> TestOptions:
        """The test's options (markers checked); `pytest.fail` names a bad marker key."""
        __tracebackhide__ = True
        if _OPTIONS in item.stash:
            return item.stash[_OPTIONS]
        try:
            options = self.options.for_item(item)
        except SettingsError as error:
            problem = str(error)  # failed outside the except: no "during handling" chain
        else:
            item.stash[_OPTIONS] = options
            return options
        pytest.fail(problem, pytrace=False)

    def resolve(self, options: TestOptions) -> TestContext:
        """Project and settings for `options`; raises ProjectError or SettingsError."""
        project = self.projects.load(options.project)
        settings = self.projects.settings(project, options)
        if options.check:
            self.projects.check(project, settings)
        return TestContext(options, project, settings)

    def context(self, item: pytest.Item | None) -> TestContext:
        """`resolve` for one test (None: the session), failing it on a bad setup."""
        __tracebackhide__ = True
        options = self.options.merge() if item is None else self.options_for(item)
        try:
            return self.resolve(options)
        except (ProjectError, SettingsError) as error:
            problem = str(error)
        pytest.fail(problem, pytrace=False)

    def server_context(self, item: pytest.Item, server: HubSpotServer) -> TestContext:
        """The context of a test on the shared server, whose project and settings are fixed."""
        __tracebackhide__ = True
        options = self.options_for(item)
        session = self.options.merge()
        mine, theirs = dict(options.setting_changes), dict(session.setting_changes)
        changed = sorted(k for k in {*mine, *theirs} if mine.get(k) != theirs.get(k))
        if options.project != session.project:
            changed.insert(0, "project")
        if changed:
            pytest.fail(
                "hsevents_server is shared by the session (one per xdist worker), so its "
                "project and settings come from the command line and ini file; this test's "
                f"@pytest.mark.hsevents changes {', '.join(changed)}. Use hsevents_fake for "
                "per-test settings.",
                pytrace=False,
            )
        return TestContext(options, server.backend.project, server.backend.settings)

    def check_at_start(self) -> None:
        """`hsevents check` on the session's project; `pytest.UsageError` on errors.

        A project found from rootdir is optional (the suite may not use the fixtures); a
        project named by an option or ini value must exist.
        """
        options = self.options.merge()
        if not options.check:
            return
        try:
            self.resolve(options)
        except (CheckError, SettingsError) as error:
            raise pytest.UsageError(str(error)) from None
        except ProjectError as error:
            if options.project is not None:
                raise pytest.UsageError(str(error)) from None

    def finish_test(self, fake: FakeInspection, context: TestContext) -> None:
        """Fail the test on broken expectations in strict mode."""
        __tracebackhide__ = True
        problems = fake.expectation_problems()
        if not problems or not context.options.strict:
            return
        from .rules import RULES

        listing = "\n".join(f"- {problem}" for problem in problems)
        named = sorted(
            {rid for r in fake.rejected for rid in r.rule_ids if rid in listing and rid in RULES}
        )
        docs = "".join(f"\n  {RULES[rid].slug}: {RULES[rid].docs_url}" for rid in named)
        pytest.fail(
            f"pytest-hsevents (strict): the fake HubSpot saw problems in this test:\n{listing}"
            + (f"\nrules:{docs}" if docs else "")
            + "\nDeclare a rejection you mean to cause with expect_rejection(rule=...), or "
            f"relax the check with @pytest.mark.hsevents(strict=False): {STRICT_DOCS}",
            pytrace=False,
        )

    def session_scope(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(the rules the suite can exercise, the event types it can send), for the report."""
        from ._pytest_report import contract_rules

        options = self.options.merge()
        try:
            project = self.projects.load(options.project)
            settings = self.projects.settings(project, options)
        except (ProjectError, SettingsError):
            return contract_rules(Settings()), ()
        return contract_rules(settings), tuple(project.event_types)


STATE = pytest.StashKey[PluginState]()
