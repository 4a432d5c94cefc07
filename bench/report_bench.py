"""How long the report's PDF takes to render (WeasyPrint, in the request): 28 days and a full year.

.venv/bin/python bench/report_bench.py
"""

import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from api.report import render_pdf  # noqa: E402


def figures(days: int) -> dict:
    rows = [
        {
            "date": date(2026, 1, 1) + timedelta(days=i),
            "food_mg": 200,
            "supplement_mg": 100,
            "total_mg": 300,
            "target_mg": 320,
            "no_data": i % 9 == 0,
            "complete": i % 3 == 0,
            "supplement_over_limit": False,
            "symptoms": ["Twitching 2/5"] if i % 5 == 0 else [],
        }
        for i in range(days)
    ]
    return {
        "start": rows[0]["date"],
        "end": rows[-1]["date"],
        "days_in_range": days,
        "days_logged": days,
        "days_complete": days // 3,
        "target_mg": 320,
        "target_label": "RDA for a woman aged 31–50 years",
        "target_why": "the RDA for the profile [ODS]",
        "supplement_upper_limit_mg": 350,
        "average_mg": 300,
        "median_mg": 300,
        "average_food_mg": 200,
        "average_supplement_mg": 100,
        "days_at_or_above_target": 0,
        "share_at_or_above_target_percent": 0,
        "days_over_limit": 0,
        "supplements": [
            {
                "form": "Citrate",
                "route": "oral",
                "elemental_mg": 200,
                "doses": 20,
                "days": 20,
                "days_over_limit": 0,
            }
        ],
        "symptom_count": days // 5,
        "labs": [],
        "red_flags": [],
        "medicines": [],
        "days": rows,
        "caveats": ["Self-reported.", "Not a diagnosis."],
    }


for days in (28, 366):
    render_pdf(figures(days), "warm.pdf")
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        pdf = render_pdf(figures(days), "x.pdf")
        runs.append(time.perf_counter() - start)
    print(f"{days} days: median {sorted(runs)[1] * 1000:.0f} ms, {len(pdf.content) // 1024} KB")
