"""Authoring kit for the academy's course notebooks.

Trainers write ordinary nbgrader notebooks; learners see them through Voila.

- `course_kit.widgets`: `question`, `digest_explorer`, `practical_task`
- `course_kit.responses`: `ResponseStore`, answers saved to `responses.json`
- `course_kit.grading`: `answer` (only in nbgrader hidden tests)
- `course_kit.catalog`: the course catalog (`course.toml`)
"""

from .responses import ResponseStore

__all__ = ["ResponseStore"]
