"""The PWA's shell: one page, its manifest and its service worker. Every datum comes from /api/v1/."""

from pathlib import Path

from django.http import HttpResponse, JsonResponse
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
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """Served from the root so that its scope is the whole app."""
    response = HttpResponse((STATIC / "sw.js").read_bytes(), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response
