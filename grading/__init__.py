"""Grading for the Academy: nbgrader runs, autograding, completion, records, HR export.

- ``grading.nbgrader_runner``: the one way nbgrader's CLI runs (account, environment, log)
- ``grading.autograde``: collect / autograde per learner / feedback
- ``grading.practical_tasks``: practical tasks scored from the e-office's evidence
- ``grading.feedback``: feedback without the answer key; reading its score back
- ``grading.completion``: the one completion rule (My learning and HR records)
- ``grading.gradebook``: read-only gradebook queries
- ``grading.records``: completion records from the gradebooks
- ``grading.hr_export``: the HR export (``FIELDS`` documents every column)
"""
