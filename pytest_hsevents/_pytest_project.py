"""The projects a test session uses: found, loaded, checked and configured once each."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ._pytest_options import TestOptions
from .settings import Settings, SettingsError, from_mapping, load_settings

if TYPE_CHECKING:
    from .model import Diagnostic, Project

__all__ = ["CheckError", "ProjectError", "Projects"]


class ProjectError(Exception):
    """A project that cannot be used: not found, or `hsevents check` found errors in it."""


class CheckError(ProjectError):
    """`hsevents check` found errors in the project."""


class Projects:
    """Per-session cache: a project is loaded and checked once, whichever test asks first."""

    def __init__(self, rootdir: Path) -> None:
        self.rootdir = rootdir
        self._projects: dict[Path | None, Project] = {}
        self._base: dict[Path, Settings] = {}
        self._errors: dict[tuple[Path, Settings], list[Diagnostic]] = {}

    def load(self, path: Path | None) -> Project:
        """The project at `path`, or the one found from rootdir when `path` is None."""
        if path not in self._projects:
            from .loader import ProjectNotFoundError, load_project

            try:
                self._projects[path] = load_project(self.rootdir if path is None else path)
            except ProjectNotFoundError as error:
                if path is None:
                    raise ProjectError(
                        f"no HubSpot project found from rootdir {self.rootdir} ({error}); "
                        "name one with --hsevents-project, the hsevents_project ini option "
                        "or @pytest.mark.hsevents(project=...)"
                    ) from None
                raise ProjectError(f"hsevents project: {error}") from None
        return self._projects[path]

    def settings(self, project: Project, options: TestOptions) -> Settings:
        """The project's `[tool.hsevents]` with the test's option layers applied over it."""
        if project.root not in self._base:
            try:
                self._base[project.root] = load_settings(project.root)
            except SettingsError as error:
                raise ProjectError(str(error)) from None
        return from_mapping(options.setting_changes, base=self._base[project.root])

    def check(self, project: Project, settings: Settings) -> None:
        """Raise `CheckError` with the diagnostics if `hsevents check` finds errors."""
        key = (project.root, settings)
        if key not in self._errors:
            from .checker import check_project
            from .rules import Severity

            found = check_project(project.root, settings)
            self._errors[key] = [d for d in found if d.severity is Severity.ERROR]
        errors = self._errors[key]
        if errors:
            from ._formats import as_text

            raise CheckError(
                f"hsevents check found errors in the HubSpot project at {project.root}; "
                "fix them, or run anyway with --hsevents-check=false "
                "(ini: hsevents_check = false):\n" + as_text(errors)
            )
