"""Fixtures of the console tests: `browser`, the headless Chromium of the /docs test."""

from tests.api.test_docs_browser import browser  # noqa: F401 - shared, not redefined
