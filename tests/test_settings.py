"""Start-up from the environment: bad configuration stops it with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    clean.update(env, VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="totara_messaging.settings")
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.EMAIL_BACKEND, settings.DATABASES['default']['ENGINE'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_it_starts_embedded_with_no_variables(tmp_path):
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "notifications.mail.FileAndConsoleBackend",
        "django.db.backends.sqlite3",
    ]
    assert (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a boolean"),
        ({"EMAIL_ESP": "pigeon"}, "EMAIL_ESP='pigeon' is not one of"),
        ({"DJANGO_DEBUG": "False", "ALLOWED_HOSTS": "x.org"}, "SECRET_KEY must be set"),
        ({"DJANGO_DEBUG": "False", "SECRET_KEY": "s" * 50}, "ALLOWED_HOSTS must be set"),
        ({"ALERTS_READ_RETENTION_DAYS": "thirty"}, "ALERTS_READ_RETENTION_DAYS='thirty'"),
        ({"EMAIL_BATCH_SEND": "true"}, "EMAIL_BATCH_SEND needs an anymail ESP"),
        (
            {"EMAIL_BATCH_SEND": "true", "EMAIL_ESP": "postmark"},
            "EMAIL_BATCH_SEND needs EMAIL_MERGE_FIELD",
        ),
    ],
)
def test_it_refuses_bad_configuration_naming_the_variable(tmp_path, env, message):
    result = start(tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_it_uses_production_services_when_configured(tmp_path):
    result = start(
        tmp_path,
        DJANGO_DEBUG="false",
        SECRET_KEY="s" * 50,
        ALLOWED_HOSTS="learn.example.org",
        DATABASE_URL="postgres://u@db.example.org:5432/learn",
        EMAIL_ESP="mailgun",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "anymail.backends.mailgun.EmailBackend",
        "django.db.backends.postgresql",
    ]


def test_postgresql_options_from_the_url_are_kept_beside_the_pool(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    clean.update(
        VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="totara_messaging.settings",
        DATABASE_URL="postgres://u@db.example.org:5432/learn?sslmode=require",
        DATABASE_POOL_MAX="7",
        DATABASE_HEALTH_CHECKS="true",
    )
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; o = db['OPTIONS']; "
        "print(o['sslmode'], o['pool']['max_size'], o['server_side_binding'], "
        "db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["require", "7", "True", "0", "True"]
