"""The log-fail plugin (tests/helpers/logfail.py), run on small test files of its own.

Each file runs in a pytest subprocess: in this process the plugin would judge the
inner tests' warnings as this test's own.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def run(pytester, monkeypatch):
    """Runs a test file with the plugin loaded as tests/conftest.py loads it; returns the result."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)  # the outer run's Xvfb options
    pytester.makeconftest('pytest_plugins = ["tests.helpers.logfail"]')

    def run_(source: str):
        pytester.makepyfile(textwrap.dedent(source))
        return pytester.runpytest_subprocess("-p", "no:xvfb", "-p", "no:cacheprovider")

    return run_


def test_an_unexpected_warning_fails_the_test_and_names_its_logger(run):
    result = run(
        """
        import logging

        def test_it():
            logging.getLogger("lsdesk.core.client").warning("the answer was %s", "odd")
        """
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*WARNING on logger 'lsdesk.core.client': the answer was odd*"])


def test_a_warning_inside_caplog_at_level_warning_passes(run):
    result = run(
        """
        import logging

        def test_it(caplog):
            with caplog.at_level(logging.WARNING):
                logging.getLogger("lsdesk.core.client").warning("the answer was odd")
            assert [r.getMessage() for r in caplog.records] == ["the answer was odd"]
        """
    )
    result.assert_outcomes(passed=1)


def test_a_record_is_not_excused_by_a_higher_level_nor_after_the_block(run):
    result = run(
        """
        import logging

        def test_level_above(caplog):
            with caplog.at_level(logging.ERROR, logger="lsdesk.core"):
                logging.getLogger("lsdesk.core").error("expected")
                logging.getLogger("lsdesk.gui").warning("too low for the level set")

        def test_after_the_block(caplog):
            with caplog.at_level(logging.WARNING):
                pass
            logging.getLogger("lsdesk").error("outside the block")
        """
    )
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*too low for the level set*", "*outside the block*"])
    result.stdout.no_fnmatch_line("*on logger 'lsdesk.core': expected*")


def test_info_never_fails(run):
    result = run(
        """
        import logging

        def test_it():
            logging.getLogger("lsdesk").info("checked")
            logging.getLogger("lsdesk").debug("detail")
        """
    )
    result.assert_outcomes(passed=1)


def test_an_error_logged_in_teardown_fails_it(run):
    result = run(
        """
        import logging
        import pytest

        @pytest.fixture
        def noisy():
            yield
            logging.getLogger("lsdesk.gui.worker").error("left a thread running")

        def test_it(noisy):
            pass
        """
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*during teardown*", "*ERROR on logger 'lsdesk.gui.worker': left a thread running*"])


def test_a_warning_logged_on_another_thread_fails_the_test(run):
    result = run(
        """
        import logging
        import threading

        def test_it():
            thread = threading.Thread(target=logging.getLogger("lsdesk.gui.worker").warning, args=("from the worker",))
            thread.start()
            thread.join()
        """
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*from the worker*"])


def test_with_the_projects_configuration_the_plugin_and_qt_warnings_both_fail_tests(pytester, monkeypatch):
    """With the project's own conftest and pytest configuration, and the plugin loaded."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    pytester.makeconftest((REPO / "tests" / "conftest.py").read_text(encoding="utf-8"))
    test_file = pytester.makepyfile(
        textwrap.dedent(
            """
            import logging
            from PySide6.QtCore import qWarning

            def test_logs(qtbot):
                logging.getLogger("lsdesk.gui.app").warning("unexpected")

            def test_qt_warns(qtbot):
                qWarning("a Qt warning")
            """
        )
    )
    result = pytester.runpytest_subprocess(
        "-c",
        str(REPO / "pyproject.toml"),
        "--rootdir",
        str(pytester.path),
        "-p",
        "tests.helpers.logfail",
        "-p",
        "no:xvfb",
        "-p",
        "no:cacheprovider",
        test_file,
    )
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*WARNING on logger 'lsdesk.gui.app': unexpected*"])
    result.stdout.fnmatch_lines(["*a Qt warning*"])
