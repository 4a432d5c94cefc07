"""The PWA's files: every module the app imports is in the service worker's offline shell, and every
import names something its module exports (there is no build step to catch either)."""

import re
from pathlib import Path

PWA = Path(__file__).resolve().parent.parent / "pwa" / "static" / "pwa"


def modules() -> dict[str, str]:
    return {path.name: path.read_text() for path in PWA.glob("*.js")}


def test_every_module_is_in_the_offline_shell():
    shell = set(re.findall(r'"/static/pwa/([\w.]+\.js)"', modules()["sw.js"]))
    assert shell == set(modules()) - {"sw.js"}


def test_every_import_names_an_export_of_its_module():
    sources = modules()
    exported = {
        name: set(re.findall(r"^export (?:async )?(?:function|const|let|class) (\w+)", text, re.M))
        for name, text in sources.items()
    }
    for name, text in sources.items():
        for names, module in re.findall(r'^import \{([^}]*)\} from "\./([\w.]+)"', text, re.M):
            for imported in (n.strip() for n in names.split(",")):
                assert imported in exported[module], f"{name} imports {imported} from {module}"
