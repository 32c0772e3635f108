import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organiser_logs_in_and_sees_the_company_tree(login, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    page = login("dangban")
    expect(page.locator("h1")).to_contain_text("江海化工股份有限公司")
    tree = page.locator("#unit-tree")
    expect(tree).to_contain_text("有机硅厂")
    expect(tree).to_contain_text("党委办公室")
    expect(tree).not_to_contain_text("江海新能源")


def test_branch_secretary_sees_only_their_workshop(login, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    page = login("zhibu")
    expect(page.locator("#unit-tree")).to_contain_text("单体车间")
    expect(page.locator("#unit-tree")).not_to_contain_text("合成氨厂")
    page.get_by_role("link", name="党员", exact=True).click()  # the branch secretary's menu (issue 15)
    expect(page.locator("#records tbody tr")).not_to_have_count(0)
