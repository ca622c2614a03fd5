"""Suite-wide hypothesis settings.

In CI (`CI` set) every property test draws the same examples on every run, so a red build is
reproducible with `CI=true` and nothing turns red by chance; locally each run draws new
examples and keeps looking (that is how the mutation fuzz found its bugs).
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
