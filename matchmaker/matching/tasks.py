"""Event-wide meeting suggestions as a job: every profile against every project."""

from __future__ import annotations

from typing import Any

from matchmaker import jobs
from matchmaker.matching import operations
from matchmaker.storage import uploads


@jobs.task("event_meetings")
def run_event_meetings(job: jobs.Job, params: dict[str, Any], progress) -> dict[str, Any]:

    progress("matching", 0, 2)
    meetings = operations.event_suggestions(
        per_investor=int(params.get("top", 5)), per_project_cap=int(params.get("cap", 8)),
        min_score=int(params.get("min_score", 40)),
    )
    progress("workbook", 1, 2)
    key = uploads().put(operations.meetings_workbook(meetings))
    progress("workbook", 2, 2)
    return {
        "file_key": key, "rows": len(meetings), "meetings": len(meetings),
        "investors": len({m.investor.id for m in meetings}),
        "projects": len({m.project.id for m in meetings}),
        "filename": "meetings.xlsx",
        "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
