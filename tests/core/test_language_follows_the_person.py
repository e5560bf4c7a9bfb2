"""Language follows the person: the browser's Accept-Language on the first visit, then the
choice (cookie, and the profile of a signed-in user); switching keeps the page's query and
filters; API errors follow Accept-Language."""

import re

from conftest import csrf_token
from factories import make_user

from matchmaker.accounts.models import Role, User
from matchmaker.extensions import db


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def test_the_first_visit_follows_accept_language(client):
    assert _lang(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)) == "en"
    assert _lang(client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).get_data(as_text=True)) == "zh-CN"
    assert _lang(client.get("/", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)) == "zh-CN"
    assert _lang(client.get("/").get_data(as_text=True)) == "zh-CN"  # no header: the default


def test_a_choice_beats_the_browser_and_is_kept_in_a_cookie(app, client):
    response = client.get("/?lang=zh", headers={"Accept-Language": "en"})
    assert "mm_lang=zh" in response.headers.get("Set-Cookie", "")
    assert _lang(client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "zh-CN"
    # a new session (the session cookie gone) still has the language cookie
    fresh = app.test_client()
    fresh.set_cookie("mm_lang", "en")
    assert _lang(fresh.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)) == "en"


def test_a_signed_in_person_keeps_the_language_on_other_devices(client, login):
    user = login(make_user(Role.INVESTOR))
    client.get("/language/en?next=/")
    assert db.session.get(User, user.id).locale == "en"  # the switch kept it in the profile


def test_signing_in_brings_the_profile_language(client, login):
    user = make_user(Role.INVESTOR, locale="en")  # chose English on another device
    assert _lang(client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)) == "zh-CN"
    login(user)
    assert _lang(client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)) == "en"


def test_switching_language_keeps_the_query_and_filters(client):
    html = client.get("/projects?q=光伏&sector=new_energy&region=520100&region=520300&sort=sought_desc").get_data(
        as_text=True)
    link = re.search(r'<a href="([^"]+)" lang="en" hreflang="en">English</a>', html).group(1).replace("&amp;", "&")
    assert link.startswith("/language/en?next=")
    response = client.get(link)
    assert response.status_code == 302 and "mm_lang=en" in response.headers["Set-Cookie"]
    target = response.headers["Location"]
    assert target.startswith("/projects?")
    for part in ("q=%E5%85%89%E4%BC%8F", "sector=new_energy", "region=520100", "region=520300", "sort=sought_desc"):
        assert part in target, (part, target)
    back = client.get(target).get_data(as_text=True)
    assert _lang(back) == "en"
    assert re.search(r'<a href="/language/zh\?next=[^"]+" lang="zh" hreflang="zh">中文</a>', back)


def test_the_switch_goes_nowhere_but_this_site(client):
    assert client.get("/language/en?next=//evil.example/").headers["Location"] == "/"
    assert client.get("/language/fr?next=/").status_code == 404


def test_api_errors_follow_accept_language(client):
    english = client.get("/api/v1/projects?per_page=abc", headers={"Accept-Language": "en-US"})
    chinese = client.get("/api/v1/projects?per_page=abc", headers={"Accept-Language": "zh-CN"})
    assert english.status_code == chinese.status_code == 400
    assert re.search(r"[a-z]{3}", english.json["error"]["message"])
    assert re.search(r"[\u4e00-\u9fff]", chinese.json["error"]["message"])
    assert english.json["error"]["message"] != chinese.json["error"]["message"]


def test_the_home_page_has_a_search_box_and_role_cards_that_lead_somewhere(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<form class="home-search" method="get" action="/projects" role="search">' in html
    assert '<a class="card role-card" href="/projects">' in html
    assert '<a class="card role-card" href="/signing/dashboard">' in html
    assert client.get("/projects?q=hydrogen").status_code == 200
