import pytest

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese(client):
    r = client.get("/login/")
    assert r.status_code == 200
    assert "用户名" in r.content.decode() and "密码" in r.content.decode()


def test_bad_login_gives_a_chinese_message(client, demo_password):
    r = client.post("/login/", {"username": "dangban", "password": "wrong-password"})
    assert r.status_code == 200
    assert "请输入一个正确的" in r.content.decode()


def test_sixth_wrong_password_locks_the_account_even_for_the_right_one(client, demo_password):
    """As the README says: five wrong passwords are answered as wrong, the sixth locks (15 minutes by default)."""
    for _ in range(5):
        r = client.post("/login/", {"username": "chakan", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
        assert r.status_code == 200 and "请输入一个正确的" in r.content.decode()
    r = client.post("/login/", {"username": "chakan", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    assert r.status_code == 429 and "登录失败次数过多" in r.content.decode()
    r = client.post("/login/", {"username": "chakan", "password": demo_password}, REMOTE_ADDR="10.0.0.9")
    assert r.status_code == 429


def test_home_shows_the_users_unit_tree(client_as):
    r = client_as("dangban").get("/")
    body = r.content.decode()
    assert r.status_code == 200 and "有机硅厂" in body and "江海新能源" not in body


def test_every_nav_link_renders(client_as):
    c = client_as("shuji")
    body = c.get("/").content.decode()
    import re

    links = set(re.findall(r'href="(/records/[a-z_]+/)"', body))
    assert len(links) >= 3
    for link in links:
        assert c.get(link).status_code == 200, link


def test_static_assets_are_local(client_as):
    body = client_as("dangban").get("/").content.decode()
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body
    docs = client_as("dangban").get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower()


def test_unit_switcher_changes_the_current_unit(client_as, contact_plant):
    c = client_as("dangban")
    r = c.post("/unit/switch/", {"unit": contact_plant.pk, "next": "/"})
    assert r.status_code == 302
    assert "工作台 · 有机硅厂" in c.get("/").content.decode()


def test_switching_to_a_foreign_unit_is_404(client_as):
    from lvzhi.org.models import Unit

    r = client_as("zhibu").post("/unit/switch/", {"unit": Unit.objects.get(code="JH01-P01").pk})
    assert r.status_code == 404


def test_openapi_schema_lists_units_and_people(client_as):
    r = client_as("dangban").get("/api/schema/?format=json")
    paths = r.json()["paths"]
    assert "/api/units/" in paths and "/api/people/" in paths
