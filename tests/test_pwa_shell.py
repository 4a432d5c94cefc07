"""The PWA's files: every module the app imports is in the service worker's offline shell, and every
import names something its module exports (there is no build step to catch either)."""

import re
from pathlib import Path

PWA = Path(__file__).resolve().parent.parent / "pwa" / "static" / "pwa"


def modules() -> dict[str, str]:
    return {path.name: path.read_text() for path in PWA.glob("*.js")}


def test_every_module_is_in_the_offline_shell(client):
    from pwa.views import SHELL

    assert {name.removeprefix("pwa/") for name in SHELL if name.endswith(".js")} == set(modules()) - {"sw.js"}
    worker = client.get("/sw.js").content.decode()
    for name in SHELL:
        assert f'"/static/{name}"' in worker
    assert '"set-by-the-server"' not in worker


def test_the_workers_version_changes_with_any_shell_files_content(client, tmp_path, monkeypatch):
    from pwa import views

    first = re.search(r'const VERSION = "(\w+)"', client.get("/sw.js").content.decode()).group(1)
    copy = tmp_path / "pwa"
    import shutil

    shutil.copytree(PWA, copy)
    (copy / "styles.css").write_text((copy / "styles.css").read_text() + "\n/* changed */\n")
    monkeypatch.setattr(views, "STATIC", copy)
    monkeypatch.setattr(views, "_WORKER", {})  # built once per process in production
    second = re.search(r'const VERSION = "(\w+)"', client.get("/sw.js").content.decode()).group(1)
    assert first != second


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
