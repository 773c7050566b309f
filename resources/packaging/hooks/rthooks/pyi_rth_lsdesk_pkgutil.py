"""lsdesk's run-time hook for pkgutil, run by the bundle before lsdesk starts, in every process.

`pkgutil.iter_modules` cannot list the modules inside the bundle's archive on its own; PyInstaller's hook
(pyi_rth_pkgutil.py) teaches it how, and for that imports pkgutil at every start, before lsdesk's window
can be drawn (about 6 ms there), although only keyring's dependencies import pkgutil, after the window is
drawn. This hook teaches it the same the moment pkgutil is first imported, by whoever imports it.
"""


def _pyi_rthook():
    import sys

    def list_the_archive(pkgutil):
        import pyimod02_importers  # PyInstaller's bootstrap module

        def archive_modules(finder, prefix=""):
            """The modules and packages under the finder's place in the archive, then its fall-back finder's."""
            node = pyimod02_importers.get_pyz_toc_tree()
            for part in finder._pyz_entry_prefix.split(".") if finder._pyz_entry_prefix else []:
                node = node.get(part)
                if not isinstance(node, dict):  # no such package, or a module, not a package
                    node = {}
                    break
            for name, entry in node.items():
                yield prefix + name, isinstance(entry, dict)
            if finder.fallback_finder is not None:
                yield from pkgutil.iter_importer_modules(finder.fallback_finder, prefix)

        pkgutil.iter_importer_modules.register(pyimod02_importers.PyiFrozenFinder, archive_modules)

    class Then:
        """pkgutil's own loader, which teaches pkgutil once it has run pkgutil's code."""

        def __init__(self, loader):
            self._loader = loader

        def create_module(self, spec):
            return self._loader.create_module(spec)

        def exec_module(self, module):
            self._loader.exec_module(module)
            list_the_archive(module)

    class WhenPkgutilIsImported:
        """Finds no module itself: it waits for pkgutil's import, then steps aside."""

        def find_spec(self, name, path=None, target=None):
            if name != "pkgutil":
                return None
            sys.meta_path.remove(self)
            for finder in sys.meta_path:
                spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
                if spec is not None:
                    spec.loader = Then(spec.loader)
                    return spec
            return None

    if "pkgutil" in sys.modules:
        list_the_archive(sys.modules["pkgutil"])
    else:
        sys.meta_path.insert(0, WhenPkgutilIsImported())


_pyi_rthook()
del _pyi_rthook
