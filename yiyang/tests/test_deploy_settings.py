"""Production settings: secrets from the environment, and `yiyang check --deploy` is silent."""

import os
import subprocess
import sys
import tempfile

import pytest

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "yiyang.settings.production",
    "SECRET_KEY": "x7Hq2LmP9vR4tY8wK3nB6cF1dG5jZ0aS7eU2iO9pQ4rT8yW3uE6kM1nB5vC0xL9h",
    "FIELD_ENCRYPTION_KEY": "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=",
    "DATABASE_URL": "sqlite:///:memory:",
    "ALLOWED_HOSTS": "yiyang.example.gov.cn",
    "HUEY_URL": "redis://127.0.0.1:6379/0",
}


def _check(env: dict) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    full.update(env)
    full["YIYANG_DATA_DIR"] = tempfile.mkdtemp(prefix="yiyang-deploy-check-")
    return subprocess.run(
        [sys.executable, "-m", "yiyang.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = _check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = dict(PRODUCTION_ENV)
    env[missing] = ""
    result = _check(env)
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
