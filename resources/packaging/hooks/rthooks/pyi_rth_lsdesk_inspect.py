"""lsdesk's run-time hook for inspect, run by the bundle before lsdesk starts, in every process.

PyInstaller keeps only relative file names in the bundled code (`co_filename`), so its own hook
(pyi_rth_inspect.py) gives `inspect.getsourcefile` a version that turns such a name back into the
bundled module's path: inside base_library.zip, or under the bundle's folder. It reads the names in
base_library.zip at every start, and so imports zipfile with shutil, bz2 and lzma before lsdesk's window
can be drawn (about 12 ms, the whole difference between the bundle's first paint and an installed
lsdesk's). This hook does the same, reading those names only when a relative name first needs them
(a traceback's frames, say); a module's own file, which PySide6 asks about for every import, never does.
"""


def _pyi_rthook():
    import inspect
    import os
    import sys

    folder = os.path.normpath(sys._MEIPASS)
    base_library = os.path.join(folder, "base_library.zip")
    original = inspect.getsourcefile
    in_base_library: set[str] = set()
    read = False

    def base_library_names() -> set[str]:
        nonlocal read
        if not read:
            read = True
            if os.path.isfile(base_library):
                import zipfile

                with zipfile.ZipFile(base_library) as archive:
                    in_base_library.update(os.path.normpath(name) for name in archive.namelist())
        return in_base_library

    def getsourcefile(thing):
        filename = os.path.normpath(inspect.getfile(thing))
        if os.path.isabs(filename):
            return filename if filename.startswith(folder) else original(thing)
        main_file = getattr(sys.modules["__main__"], "__file__", None)
        if main_file and filename == os.path.basename(main_file):
            return main_file
        if filename + "c" in base_library_names():
            return os.path.join(base_library, filename + "c")
        return os.path.join(folder, filename)

    inspect.getsourcefile = getsourcefile


_pyi_rthook()
del _pyi_rthook
