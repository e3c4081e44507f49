"""Personas, so that every permission test is two lines.

anonymous, family, operator_a (operator of institution_a), operator_b (of institution_b),
inspector, education, bureau (bureau staff), auditor. Each has a logged-in `client_<persona>`
(Django test client) and `api_<persona>` (DRF APIClient).
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from institutions.models import Township
from institutions.reference import load_townships
from portal.roles import Role, sync_roles
from tests.factories import InstitutionFactory, UserFactory


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Townships and role groups exist in every database test.

    The data migration and post_migrate create them, but transactional tests truncate every table
    when they finish, so they are put back (idempotently) when missing.
    """
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if not names & {"db", "transactional_db"} and marker is None:
        return
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.contrib.auth.models import Group

    if Township.objects.count() < 25:
        load_townships(Township)
    if Group.objects.count() < len(Role):
        sync_roles()
    from inspections.checklists import ensure_default_checklists
    from metrics.defaults import load_default_targets
    from metrics.models import Target

    ensure_default_checklists()
    if not Target.objects.exists():
        load_default_targets(Target)
    from django.apps import apps

    from programme.models import Task
    from programme.plan import load_plan

    if not Task.objects.exists():
        load_plan(lambda name: apps.get_model("programme", name))


@pytest.fixture(autouse=True)
def _sms_outbox():
    """The locmem SMS backend's outbox starts empty in every test, as Django's mail.outbox."""
    from notifications import sms

    sms.outbox.clear()


@pytest.fixture
def sms_outbox():
    from notifications import sms

    return sms.outbox


@pytest.fixture
def institution_a(db):
    return InstitutionFactory(name="甲托育中心")


@pytest.fixture
def institution_b(db):
    return InstitutionFactory(name="乙托育中心")


@pytest.fixture
def anonymous(db):
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def family(db):
    return UserFactory(username="family", role=Role.FAMILY)


@pytest.fixture
def operator_a(db, institution_a):
    user = UserFactory(username="operator_a", role=Role.OPERATOR)
    institution_a.operators.add(user)
    return user


@pytest.fixture
def operator_b(db, institution_b):
    user = UserFactory(username="operator_b", role=Role.OPERATOR)
    institution_b.operators.add(user)
    return user


@pytest.fixture
def inspector(db):
    return UserFactory(username="inspector", role=Role.INSPECTOR)


@pytest.fixture
def education(db):
    return UserFactory(username="education", role=Role.EDUCATION)


@pytest.fixture
def bureau(db):
    return UserFactory(username="bureau", role=Role.BUREAU_STAFF)


@pytest.fixture
def bureau_admin(db):
    return UserFactory(username="bureau_admin", role=Role.BUREAU_ADMIN)


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role=Role.AUDITOR)


def _client_for(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(api_client):
    """`api_as(user)`: an APIClient logged in as `user` (anonymous stays logged out)."""

    def make(user):
        client = APIClient()
        if user.is_authenticated:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def client_as(client):
    """`client_as(user)`: Django's test client logged in as `user`."""
    from django.test import Client

    def make(user):
        return _client_for(Client(), user)

    return make


@pytest.fixture
def celery_worker_process(transactional_db):
    """Start `celery worker` on a queue of its own, pointed at the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.CELERY_BROKER_URL,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lequing_tuoyu",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        if process.returncode not in (0, -15):
            print(output)
