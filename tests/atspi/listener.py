"""An AT-SPI client, as Orca is one: run with Debian's /usr/bin/python3 (it
needs python3-gi and gir1.2-atspi-2.0, which are not in the venv).

Registers for every object, focus and window event on the accessibility
bus, and prints one JSON line per event: its type, its text payload, and
what the source object gives when asked (name, description, its text
interface's whole text, its value). A line "dump" on standard input walks
the whole tree of every application the same way and prints it, ending
with a "done" line (the end of standard input: the same, then exit);
each node comes with its path from the desktop (child indexes: the
application's, then its window's, and so on), so nodes group by window.
Prints "ready" once it listens.
"""

import json
import sys

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402


def readable(accessible):
    """Everything a screen reader can read from one object."""
    found = {}
    for name, read in (
        ("role", lambda: accessible.get_role_name()),
        ("name", lambda: accessible.get_name()),
        ("description", lambda: accessible.get_description()),
        ("text", lambda: Atspi.Text.get_text(accessible, 0, Atspi.Text.get_character_count(accessible))),
        ("value", lambda: str(Atspi.Value.get_current_value(accessible))),
    ):
        try:
            found[name] = read()
        except Exception:  # noqa: BLE001 - an object without that interface, or gone already
            pass
    return found


def emit(record):
    print(json.dumps(record), flush=True)


def on_event(event):
    payload = event.any_data
    record = {
        "event": event.type,
        "detail1": event.detail1,
        "detail2": event.detail2,
        "data": payload if isinstance(payload, str) else None,
    }
    if event.source is not None:
        record["source"] = readable(event.source)
    emit(record)


def walk(accessible, path=()):
    if accessible is None or len(path) > 40:
        return
    if len(path) == 1:  # an application: read from it, not from what libatspi cached of its events so far
        accessible.set_cache_mask(Atspi.Cache.NONE)
    emit({"node": readable(accessible), "path": list(path)})
    try:
        count = accessible.get_child_count()
    except Exception:  # noqa: BLE001
        return
    for index in range(count):
        try:
            walk(accessible.get_child_at_index(index), (*path, index))
        except Exception:  # noqa: BLE001
            pass


def on_stdin(channel, _condition):
    line = channel.readline()
    if line.strip() == "dump" or not line:
        walk(Atspi.get_desktop(0))
        emit({"done": True})
    if not line:
        Atspi.event_quit()
        return False
    return True


listener = Atspi.EventListener.new(on_event)
for event_type in ("object:", "focus:", "window:"):
    listener.register(event_type)
GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.IO_IN | GLib.IO_HUP, on_stdin)
emit({"ready": True})
Atspi.event_main()
