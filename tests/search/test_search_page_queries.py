"""The search page runs the same few statements for a page of 5 projects or of 20."""

from factories import make_catalogue, make_project
from queries import count_queries

from matchmaker.extensions import db

COUNTIES = ("520111", "520303", "520102", "520203", "520402")  # five prefectures


def statements_for(client, url: str) -> tuple[int, str]:
    client.get(url)  # the process's index catches up with the new projects first
    db.session.expire_all()
    with count_queries() as counted:
        html = client.get(url).get_data(as_text=True)
    return counted.count, html


def test_search_page_statements_do_not_grow_with_the_page(app, client):
    catalogue = make_catalogue()
    for number in range(5):
        make_project(catalogue, name=f"光伏电站项目{number}", region_code=COUNTIES[number % 5])
    few, html = statements_for(client, "/projects?q=光伏&lang=en")
    assert html.count('class="card project-item"') == 5
    for number in range(5, 20):
        make_project(catalogue, name=f"光伏电站项目{number}", region_code=COUNTIES[number % 5])
    many, html = statements_for(client, "/projects?q=光伏&lang=en")
    assert html.count('class="card project-item"') == 20 and "Huaxi District" in html
    assert many == few, (few, many)
