"""Collected conformance tests, one folder per interface family; fixtures come through conftest.py."""
