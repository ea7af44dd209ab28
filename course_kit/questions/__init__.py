"""Questions as data: specs, banks and draws, marking, and reading them from a notebook.

- ``specs``: ``QuestionKind``, ``QuestionSpec``, ``BankSpec`` (never an answer in them)
- ``draws``: which bank questions a learner gets (SHA-256 of bank id and learner id), and
  who the learner is (``learner_id``; ``graded_student_id`` from the grader only)
- ``marking``: an answer against the key, per kind; numbers and texts normalised
- ``notebook``: the questions, keys and explanations of a notebook, read with ``ast``
- ``registry``: what this kernel has shown, for the hidden tests
"""

from .specs import BankSpec, QuestionDefinitionError, QuestionKind, QuestionSpec

__all__ = ["BankSpec", "QuestionDefinitionError", "QuestionKind", "QuestionSpec"]
