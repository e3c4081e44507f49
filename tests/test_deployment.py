"""docker-compose.yml, the Dockerfile, .env.example and `make run`'s choice of backends."""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from celery import Celery

from scripts.run import LOCAL_PG, LOCAL_REDIS, SQLITE, choose_backends

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _argv(command) -> list[str]:
    if isinstance(command, list):
        return command
    argv = shlex.split(command)
    # `sh -c "a && b"`: the last step is the long-running one.
    if argv[:2] == ["sh", "-c"]:
        return shlex.split(argv[2].split("&&")[-1])
    return argv


def test_compose_has_the_five_services(compose):
    assert set(compose["services"]) == {"postgres", "redis", "web", "worker", "beat"}


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_each_portal_service_command_names_a_real_entry_point(compose, service):
    argv = _argv(compose["services"][service]["command"])
    if argv[0] == "gunicorn":
        module_name, attr = argv[1].split(":")
        application = getattr(importlib.import_module(module_name), attr)
        assert callable(application)
    elif argv[0] == "celery":
        app_module = argv[argv.index("-A") + 1]
        assert isinstance(importlib.import_module(app_module).celery_app, Celery)
        assert argv[argv.index("-A") + 2] in {"worker", "beat"}
    else:
        pytest.fail(f"{service} runs an unknown program {argv[0]}")


def test_web_migrates_before_serving(compose):
    command = compose["services"]["web"]["command"]
    assert command.index("migrate") < command.index("gunicorn")


def test_portal_services_share_configuration_and_wait_for_backends(compose):
    for service in ("web", "worker", "beat"):
        config = compose["services"][service]
        assert config["env_file"] == ".env"
        assert config["environment"]["DATABASE_URL"].endswith("@postgres:5432/lequing_tuoyu")
        assert config["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert set(config["depends_on"]) == {"postgres", "redis"}


def test_every_setting_read_from_the_environment_is_documented():
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    read = set()
    for path in [ROOT / "lequing_tuoyu" / "settings.py", ROOT / "scripts" / "run.py"]:
        read |= set(
            re.findall(r"""env(?:_bool|_int|_list|_date)?\(\s*"([A-Z_]+)""", path.read_text())
        )
        read |= set(re.findall(r"""environ\.get\("([A-Z_]+)""", path.read_text()))
        read |= set(re.findall(r"""env\.get\("([A-Z_]+)""", path.read_text()))
    assert read, "the pattern found no settings: the test would pass vacuously"
    assert read - documented == set()


def test_dockerfile_serves_the_wsgi_app_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert '"gunicorn", "lequing_tuoyu.wsgi:application"' in dockerfile


def test_run_prefers_variables_then_local_services_then_sqlite():
    env, said = choose_backends(
        {"DATABASE_URL": "postgres://x/y", "REDIS_URL": "redis://r/1"}, pg_ok=False, redis_ok=False
    )
    assert env == {}
    assert "as set" in said[0] and "as set" in said[1]

    env, _ = choose_backends({}, pg_ok=True, redis_ok=True)
    assert env == {"DATABASE_URL": LOCAL_PG, "REDIS_URL": LOCAL_REDIS}

    env, said = choose_backends({}, pg_ok=False, redis_ok=False)
    assert env == {"DATABASE_URL": SQLITE, "CELERY_TASK_ALWAYS_EAGER": "1"}
    assert "SQLite" in said[0] and "in-process" in said[1]
