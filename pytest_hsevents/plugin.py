"""The pytest plugin (entry point `pytest11`): hooks and fixtures only.

Everything heavy (the fake, `responses`, the loader and checker, jsonschema, hypothesis) is
imported inside the fixtures and hooks that need it, so a suite that never asks for a
`hsevents_*` fixture pays for little more than option parsing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ._pytest_html_report import WORKEROUTPUT_KEY as CARDS_KEY
from ._pytest_html_report import CardLog, XdistCards, html_paths, write_html
from ._pytest_options import add_options
from ._pytest_project import Projects
from ._pytest_session import STATE, PluginState
from ._pytest_xdist import WORKEROUTPUT_KEY, XdistCoverage, is_distributing, is_worker
from .fake._stops import listen

if TYPE_CHECKING:
    from .fake.inprocess import FakeHubSpot
    from .fake.server import HubSpotServer
    from .model import Project

FIXTURES = frozenset({"hsevents_project", "hsevents_fake", "hsevents_server"})


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    from ._pytest_options import SessionOptions

    config.addinivalue_line(
        "markers",
        "hsevents(**options): pytest-hsevents options for this test, class or module "
        "(project, strict, check, token, base_url and every Settings field)",
    )
    state = PluginState(SessionOptions.from_config(config), Projects(config.rootpath))
    config.stash[STATE] = state
    config.add_cleanup(listen(state.fake_stopped))
    if config.pluginmanager.hasplugin("xdist") and not is_worker(config):
        config.pluginmanager.register(XdistCoverage(state.coverage), "hsevents-xdist")
    if html_paths(state.options.reports):
        state.cards = CardLog()
        if config.pluginmanager.hasplugin("xdist") and not is_worker(config):
            config.pluginmanager.register(XdistCards(state.cards), "hsevents-xdist-cards")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # An xdist controller collects nothing, so it cannot tell whether the fixtures are used.
    if is_distributing(session.config):
        session.config.stash[STATE].check_at_start()


def pytest_collection_finish(session: pytest.Session) -> None:
    # `hsevents check` (and the template engine it imports) only for suites that use us.
    config = session.config
    if is_worker(config) or is_distributing(config):
        return
    if any(FIXTURES.intersection(getattr(i, "fixturenames", ())) for i in session.items):
        config.stash[STATE].check_at_start()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    state = item.config.stash[STATE]
    state.running = item.nodeid
    try:
        yield
    finally:
        state.running = None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("hsevents") is not None:
        item.config.stash[STATE].options_for(item)


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    state = config.stash[STATE]
    if is_worker(config):
        config.workeroutput[WORKEROUTPUT_KEY] = state.coverage.to_json()  # type: ignore[attr-defined]
        if state.cards is not None:
            config.workeroutput[CARDS_KEY] = state.cards.to_json()  # type: ignore[attr-defined]
        return
    reports = state.options.reports
    wanted = state.coverage.tests > 0 or reports or state.options.fail_under is not None
    if not wanted:
        return
    from ._pytest_report import write_json

    state.summary = state.coverage.summary(*state.session_scope())
    for report in reports:
        if report.startswith("json:"):
            write_json(state.summary, Path(report[len("json:") :]))
    for path in html_paths(reports):
        write_html(state.summary, state.cards or CardLog(), path)
    under = state.options.fail_under
    failed = under is not None and state.summary["percent"] < under
    if failed and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    state = terminalreporter.config.stash[STATE]
    summary = state.summary
    if summary is None:
        return
    reports = state.options.reports
    if "term" in reports or not reports:
        from ._pytest_report import render

        terminalreporter.write_sep("=", "hsevents contract coverage")
        for line in render(summary):
            terminalreporter.write_line(line)
    under = state.options.fail_under
    if under is not None:
        ok = summary["percent"] >= under
        terminalreporter.write_line(
            f"{'' if ok else 'FAIL '}hsevents: {summary['percent']:.1f}% of the contract's rules "
            f"exercised; --hsevents-fail-under={under:g} {'reached' if ok else 'not reached'}",
            red=not ok,
            green=ok,
        )


@pytest.fixture
def hsevents_project(request: pytest.FixtureRequest) -> Project:
    """The HubSpot project this test runs against (marker, option, ini, or from rootdir)."""
    return request.config.stash[STATE].context(request.node).project


@pytest.fixture
def hsevents_fake(request: pytest.FixtureRequest) -> Iterator[FakeHubSpot]:
    """The in-process fake HubSpot, active for the test: requests, httpx and urllib3 (and
    so HubSpot's SDKs) are answered without a socket; other HubSpot hosts meet its guard.

    Strict: at teardown, a rejection the test did not declare with `expect_rejection()`, an
    expected rejection that never came, or a request to a HubSpot path the fake does not
    serve fails the test (relax with `@pytest.mark.hsevents(strict=False)`).
    """
    from .fake.inprocess import FakeHubSpot

    if "httpx_mock" in request.fixturenames:
        request.getfixturevalue("httpx_mock")  # pytest-httpx patches first, whatever the order
    state = request.config.stash[STATE]
    context = state.context(request.node)
    options = context.options
    fake = FakeHubSpot(
        context.project,
        settings=context.settings,
        base_url=options.base_url,
        allow_hosts=options.allow_hosts,
        block_network=options.block_network,
    )
    with fake:  # start() resets the backend: require the token after it
        if context.options.token is not None:
            fake.require_token(context.options.token)
        yield fake
    state.finish_test(fake, context)


@pytest.fixture(scope="session")
def hsevents_server(request: pytest.FixtureRequest) -> Iterator[HubSpotServer]:
    """The fake HubSpot on a loopback port (`.url`): one per xdist worker, reset before each
    test. Its project and settings are the session's (options and ini, not markers)."""
    from .fake.server import HubSpotServer

    state = request.config.stash[STATE]
    context = state.context(None)
    server = HubSpotServer(context.project, settings=context.settings)
    server.start()
    state.server = server
    try:
        yield server
    finally:
        state.server = None
        server.stop()


@pytest.fixture(autouse=True)
def _hsevents_server_per_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Reset `hsevents_server` before each test that uses it; check it after (strict)."""
    if "hsevents_server" not in request.fixturenames:
        yield
        return
    state = request.config.stash[STATE]
    server = request.getfixturevalue("hsevents_server")
    context = state.server_context(request.node, server)
    server.reset()
    if context.options.token is not None:
        server.require_token(context.options.token)
    yield
    state.record(server, request.node.nodeid)
    state.finish_test(server, context)
