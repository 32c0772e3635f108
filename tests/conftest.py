"""Test fixtures: the demo company is loaded once per test session into the real test database (SQLite or
PostgreSQL, whichever LVZHI_DATABASE_URL names); each test runs in a transaction that is rolled back."""

import os

import pytest

os.environ.setdefault("LVZHI_DEMO_PASSWORD", "Demo-Test-2022x")
# Tests decide "today" themselves: not the demo's date that `lvzhi demo` keeps in the data directory.
os.environ.setdefault("LVZHI_AS_OF", "")
# One access-log line per request would bury a failing test's output (tests/deploy reads the log where it matters).
os.environ.setdefault("LVZHI_ACCESS_LOG", "0")
# Playwright's sync API keeps an event loop in the test thread; the ORM calls made there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the real hasher costs ~0.3 s per login


@pytest.fixture(scope="session")
def _anchor_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("audit-anchors")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, _anchor_dir):
    from django.test import override_settings

    from lvzhi.demo.loader import load_demo

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS,
                                                       AUDIT_ANCHOR_FILE=_anchor_dir / "session.log"):
        load_demo(echo=lambda *_: None)


@pytest.fixture(autouse=True)
def _fast_settings(settings, request, _anchor_dir):
    settings.IMPORT_IN_BACKGROUND = False
    settings.PASSWORD_HASHERS = FAST_HASHERS
    # Each test anchors the audit chain in a file of its own: the database is rolled back (or emptied) after each
    # test, and an anchor of another test's chain would not hold. The file is created only when written.
    settings.AUDIT_ANCHOR_FILE = _anchor_dir / f"{abs(hash(request.node.nodeid))}.log"


@pytest.fixture
def demo_password():
    return os.environ["LVZHI_DEMO_PASSWORD"]


def _user(username):
    from lvzhi.org.models import User

    return User.objects.get(username=username)


@pytest.fixture
def users(db):
    """The demo accounts by role name."""
    return {name: _user(name) for name in ("admin_demo", "shuji", "dangban", "jiwei", "xuanchuan", "zhibu", "chakan")}


@pytest.fixture
def client_as(client):
    """client_as('dangban') → a test client logged in as that demo user."""

    def login(username):
        from django.test import Client

        c = Client()
        c.force_login(_user(username))
        return c

    return login


@pytest.fixture
def api_as():
    def login(username):
        from rest_framework.test import APIClient

        c = APIClient()
        c.force_authenticate(_user(username))
        return c

    return login


@pytest.fixture
def company(db):
    from lvzhi.org.models import Unit

    return Unit.objects.get(code="JH01")


@pytest.fixture
def contact_plant(db):
    from lvzhi.org.models import Unit

    return Unit.objects.get(code="JH01-P03")


# --- browser tests -------------------------------------------------------------------------------------
CHROMIUM = os.environ.get("LVZHI_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    """Transactional tests (the browser tests with their live server, and others that need committed data) empty
    the database after each of them: run them last, so every other test still finds the demo company loaded once
    for the session."""

    def transactional(item) -> bool:
        marker = item.get_closest_marker("django_db")
        return item.get_closest_marker("browser") is not None or bool(marker and marker.kwargs.get("transaction"))

    items.sort(key=transactional)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("LVZHI_REQUIRE_BROWSER"):
            pytest.fail(f"找不到 Chromium（{CHROMIUM}）：请以 root 运行 scripts/system-deps.sh")
        pytest.skip(f"Chromium 未安装（{CHROMIUM}），跳过浏览器测试")
    return {"executable_path": CHROMIUM, "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                  "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture
def browser_context_args():
    return {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": {"width": 1360, "height": 900}}


@pytest.fixture
def committed_demo(transactional_db):
    """The demo company, committed (reloaded if an earlier transactional test emptied the database).

    Loading it costs half a minute; each transactional test empties the database after it. So the first load in a
    test process is copied table by table (db_copy.py) and later tests get that copy back in about a second."""
    from django.test import override_settings

    import db_copy
    from lvzhi.demo.loader import load_demo
    from lvzhi.obligations.defaults import ensure_default_rules

    if db_copy.restore(_demo_copy):
        return
    ensure_default_rules()  # loaded by a migration, so emptied with everything else
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        load_demo(echo=lambda *_: None)
    _demo_copy.update(db_copy.copy())


_demo_copy: dict = {}  # this test process's copy of the committed demo company (db_copy.copy)


class _SerialServer:
    """Django's WSGIServer (requests served in the live server's own thread, which already holds the shared
    connection), taking the keyword the live server thread passes to its threaded server."""

    def __new__(cls, *args, connections_override=None, **kwargs):
        from django.core.servers.basehttp import WSGIServer

        return WSGIServer(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite_memory():
    """On SQLite's in-memory test database the live server's request threads all share the test's one connection
    (pytest-django passes it to them); two requests at once — a dashboard's rule panels load side by side — then
    interleave their statements on it, and a panel sometimes never came back (CI, 2026-12). Serve one request at a
    time there: the server answers ``Connection: close`` and the browser queues. Other databases keep threads."""
    from django.db import connection
    from django.test.testcases import LiveServerThread

    test_name = connection.settings_dict.get("TEST", {}).get("NAME")  # None: SQLite tests run in memory
    if connection.vendor == "sqlite" and (not test_name or connection.creation.is_in_memory_db(test_name)):
        LiveServerThread.server_class = _SerialServer
    yield


@pytest.fixture
def live_demo(committed_demo, live_server):
    """A live server on the demo company."""
    return live_server


@pytest.fixture
def login(page, live_demo, demo_password):
    def do(username):
        page.goto(f"{live_demo.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", demo_password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_demo.url}/")
        return page

    return do
