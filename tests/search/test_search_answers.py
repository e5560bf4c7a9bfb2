"""Every search probe's whole answer - total, the page's names, scores and matched fields,
every facet, the corrections - against one recorded file. The suite runs on SQLite and on
PostgreSQL (MATCHMAKER_DATABASE_URL), so the one file proves the two databases answer
identically (issue 17): the probes the search tests assert and the search benchmark's
queries, on the known catalogue.

Re-record after an intended change of the answers:
    MATCHMAKER_RECORD_ANSWERS=1 pytest tests/search/test_search_answers.py
"""

import json
import os
from pathlib import Path

from search_catalogue import catalogue_projects_fixture  # noqa: F401 - the fixture

from benchmarks.bench_search_engines import PROBES

ANSWERS = Path(__file__).parent / "answers.json"
# filters and sorts the search API tests use, beyond the probes
EXTRA = [("", {}), ("", {"region": "520300", "sector": "new_energy"}), ("", {"region": "520300,520600", "mode": "cooperation"}),
         ("", {"min_sought": "5亿", "max_sought": "2000000000", "sort": "sought_desc"}), ("", {"band": "50+"}),
         ("", {"status": "withdrawn"}), ("", {"status": "open,signed"}), ("光伏", {"region": "520100"}),
         ("", {"per_page": "4", "page": "2", "sort": "sought_asc"}), ("", {"sort": "newest"}),
         ("茶叶 遵义", {}), ("<script>alert(1)</script>", {}), ("' OR 1=1 --", {})]


def _key(query: str, filters: dict) -> str:
    return json.dumps([query, filters], ensure_ascii=False, sort_keys=True)


def _whole(body: dict) -> dict:
    return {"total": body["total"],
            "items": [[i["name"], i["score"], i["matched_fields"]] for i in body["items"]],
            "facets": body["facets"], "corrections": body.get("corrections")}


def test_every_probe_answers_as_recorded_on_either_database(client, catalogue_projects):
    answers = {}
    for query, filters in [*PROBES, *EXTRA]:
        response = client.get("/api/v1/projects", query_string={"q": query, **filters})
        assert response.status_code == 200, (query, filters, response.get_data(as_text=True))
        answers[_key(query, filters)] = _whole(response.get_json())
    if os.environ.get("MATCHMAKER_RECORD_ANSWERS"):
        lines = [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}" for k, v in answers.items()]
        ANSWERS.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")  # a probe a line
    recorded = json.loads(ANSWERS.read_text(encoding="utf-8"))
    assert sorted(answers) == sorted(recorded)
    different = [key for key in answers if answers[key] != recorded[key]]
    assert not different, different
