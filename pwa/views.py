"""The PWA's shell: one page, its manifest and its service worker. Every datum comes from /api/v1/."""

import hashlib
import json
import re
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

STATIC = Path(__file__).resolve().parent / "static" / "pwa"
THEME = "#0f766e"


@require_GET
@ensure_csrf_cookie
def index(request):
    return render(request, "pwa/index.html", {"theme": THEME})


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    icons = [
        {
            "src": static(f"pwa/icons/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any",
        }
        for size in (192, 256, 384, 512)
    ] + [
        {
            "src": static("pwa/icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    ]
    data = {
        "name": "Magnesium tracker",
        "short_name": "Magnesium",
        "description": "Log foods and supplements and see each day's magnesium against your target.",
        "start_url": "/#/today",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": icons,
        # a long press on the installed icon
        "shortcuts": [
            {
                "name": "Log food",
                "short_name": "Food",
                "url": "/#/log",
                "icons": [{"src": static("pwa/icons/icon-192.png"), "sizes": "192x192"}],
            },
            {
                "name": "Log supplement",
                "short_name": "Supplement",
                "url": "/#/supplement",
                "icons": [{"src": static("pwa/icons/icon-192.png"), "sizes": "192x192"}],
            },
            {
                "name": "Record a symptom",
                "short_name": "Symptom",
                "url": "/#/symptoms",
                "icons": [{"src": static("pwa/icons/icon-192.png"), "sizes": "192x192"}],
            },
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


# The offline shell: every file the app needs, by the URL the page uses (hashed in production).
SHELL = [
    *(f"pwa/{path.name}" for path in sorted(STATIC.glob("*.js")) if path.name != "sw.js"),
    "pwa/styles.css",
    "pwa/icons/icon-192.png",
    "pwa/icons/icon-512.png",
]
_WORKER: dict[str, str] = {}


def _worker_source() -> str:
    """sw.js with its shell list as the page's URLs and a version that changes with any file's
    content: a release installs a new worker, which drops the old caches. Built once per process in
    production (the files do not change under it), on every request in development."""
    if "text" in _WORKER and not settings.DEBUG:
        return _WORKER["text"]
    source = (STATIC / "sw.js").read_text()
    urls = ["/", "/manifest.webmanifest", *(static(name) for name in SHELL)]
    digest = hashlib.sha256(source.encode())
    for name in SHELL:
        digest.update((STATIC.parent / name).read_bytes())
    text = re.sub(
        r"const SHELL_FILES = \[.*?\];", "const SHELL_FILES = " + json.dumps(urls) + ";", source, flags=re.S
    )
    text = re.sub(r'const VERSION = "[^"]*";', f'const VERSION = "{digest.hexdigest()[:12]}";', text)
    _WORKER["text"] = text
    return text


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """Served from the root so that its scope is the whole app."""
    response = HttpResponse(_worker_source(), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def favicon(request):
    return HttpResponseRedirect(static("pwa/icons/icon-192.png"))
