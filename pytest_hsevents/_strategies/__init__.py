"""The machinery behind `pytest_hsevents.strategies` (import from there, not from here)."""
