"""The window's log file: started afresh past its size, the last ones kept, a failure never raised."""

from __future__ import annotations

import logging

from lsdesk.core.log_file import LogFile


def logger_to(handler: logging.Handler, name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return logger


def test_a_full_log_moves_aside_and_only_the_last_ones_are_kept(tmp_path):
    path = tmp_path / "lsdesk.log"
    handler = LogFile(path, max_bytes=100, kept=2)
    log = logger_to(handler, "lsdesk.test.rotation")
    for number in range(12):  # 12 lines of 30 bytes: the log fills three times
        log.info("line %02d of the log, 30 bytes", number)
    handler.close()
    assert sorted(file.name for file in tmp_path.iterdir()) == ["lsdesk.log", "lsdesk.log.1", "lsdesk.log.2"]
    assert all(file.stat().st_size <= 100 for file in tmp_path.iterdir())
    assert path.read_text(encoding="utf-8").splitlines()[-1] == "line 11 of the log, 30 bytes"  # newest here
    older = (tmp_path / "lsdesk.log.2").read_text(encoding="utf-8").splitlines()
    assert older[0] == "line 03 of the log, 30 bytes"  # the oldest lines are gone
    assert "line 00" not in "".join(file.read_text(encoding="utf-8") for file in tmp_path.iterdir())


def test_a_log_that_cannot_be_moved_is_reported_and_never_stops_lsdesk(tmp_path, capsys):
    path = tmp_path / "lsdesk.log"
    (tmp_path / "lsdesk.log.1").mkdir()  # something that is not a log file in the way
    (tmp_path / "lsdesk.log.1" / "keeps-it-non-empty").write_text("x", encoding="utf-8")
    handler = LogFile(path, max_bytes=40, kept=1)
    log = logger_to(handler, "lsdesk.test.blocked")
    log.info("first line, long enough to fill")
    log.info("second line, which cannot rotate")  # no exception reaches lsdesk
    handler.close()
    reported = capsys.readouterr().err  # logging's own report of a handler's failure
    assert "--- Logging error ---" in reported and "second line, which cannot rotate" in reported
    assert path.read_text(encoding="utf-8") == "first line, long enough to fill\n"
