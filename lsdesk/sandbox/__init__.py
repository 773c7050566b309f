"""A practice Lessonspace on this computer, for tests, benchmarks and trying lsdesk without an account."""

from lsdesk.sandbox.server import (
    DEMO_KEY,
    DEMO_ORGANISATION_ID,
    DEMO_ORGANISATION_NAME,
    SandboxFaults,
    SandboxServer,
)

__all__ = ["DEMO_KEY", "DEMO_ORGANISATION_ID", "DEMO_ORGANISATION_NAME", "SandboxFaults", "SandboxServer"]
