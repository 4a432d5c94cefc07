"""Management commands and the admin."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_demo_user_prints_a_working_login_and_has_a_profile():
    out = StringIO()
    call_command("demo_user", "--time-zone", "Europe/Paris", stdout=out)
    password = out.getvalue().split("password '")[1].split("'")[0]
    user = get_user_model().objects.get(username="demo")
    assert user.check_password(password)
    assert (user.profile.sex, user.profile.time_zone) == ("female", "Europe/Paris")
    call_command("demo_user", stdout=StringIO())  # again: a new password, still one user
    assert get_user_model().objects.filter(username="demo").count() == 1


def test_generate_vapid_keys_prints_a_pair_or_writes_it_once(settings, tmp_path):
    out = StringIO()
    call_command("generate_vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    assert len(lines["VAPID_PUBLIC_KEY"]) == 87 and len(lines["VAPID_PRIVATE_KEY"]) == 43
    settings.VAR_DIR, settings.VAPID_PRIVATE_KEY = tmp_path, ""
    call_command("generate_vapid_keys", "--write", stdout=StringIO())
    stored = json.loads((tmp_path / "vapid.json").read_text())
    out = StringIO()
    call_command("generate_vapid_keys", "--write", stdout=out)
    assert "already configured" in out.getvalue()
    assert json.loads((tmp_path / "vapid.json").read_text()) == stored


def test_admin_searches_foods_portions_and_supplement_forms(admin_client):
    response = admin_client.get("/admin/foods/food/?q=almond")
    assert response.status_code == 200 and b"Almonds" in response.content
    response = admin_client.get("/admin/foods/portion/?q=oat+bran")
    assert response.status_code == 200 and b"Oat bran" in response.content
    response = admin_client.get("/admin/foods/supplementform/?q=glycinate")
    assert response.status_code == 200 and b"Glycinate" in response.content
