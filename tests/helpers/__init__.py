"""Helpers shared by the test modules: pytest plugins and fixtures."""
