"""What every lsdesk process does first, the window's and the command line's alike."""

from __future__ import annotations

import logging
import sys


def configure_logging(verbose: bool) -> None:
    """With -v, technical detail goes to stderr; without it, stderr carries only
    lsdesk's own sentences: no log line, no Python warning."""
    logging.captureWarnings(True)  # warnings become log records of "py.warnings"
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    elif not logging.getLogger().handlers:
        # Else logging's last-resort handler prints every warning to stderr.
        logging.getLogger().addHandler(logging.NullHandler())


def no_core_dumps() -> None:
    """No core file for this process, where the OS allows it (Linux, macOS):
    a crash must not write the key in memory to disk."""
    try:
        import resource
    except ImportError:  # Windows: no core dumps to switch off
        return
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError):
        pass  # a sandboxed process may not change its limits; nothing more to do


def replace_unencodable_output() -> None:
    """An organisation's name the terminal's encoding lacks is printed with
    replacement characters instead of stopping lsdesk mid-answer."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
