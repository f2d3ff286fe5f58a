"""Fixtures of the REST API tests (api_fixtures.py), registered once for every module here."""

from api_fixtures import api_data, proxy, start_proxy  # noqa: F401
