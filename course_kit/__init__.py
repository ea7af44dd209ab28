"""Authoring kit for the academy's course notebooks (docs/authoring.md).

Trainers write ordinary nbgrader notebooks; learners see them through Voila.

- `course_kit.widgets`: `question`, `true_false`, `ordering`, `matching`, `short_text`,
  `numeric`, `spot_the_signs`, `question_bank`, `digest_explorer`, `practical_task`
- `course_kit.questions`: questions as data (specs, bank draws, marking, notebook reading)
- `course_kit.responses`: `ResponseStore`, answers saved to `responses.json`
- `course_kit.grading`: `check`, `check_bank_slot`, `bank_key`, `answer`, `explain`
  (only in nbgrader hidden tests)
- `course_kit.i18n`: the kit's texts in the page's language (catalogue `translations/`)
- `course_kit.catalog`: the course catalog (`course.toml`)
"""

from .responses import ResponseStore

__all__ = ["ResponseStore"]
