"""Grading for the Academy: nbgrader autograde orchestration, completion records, HR export.

Modules: ``grading.autograde`` (collect / autograde per learner / feedback),
``grading.records`` (completion records from the gradebooks), ``grading.hr_export``
(CSV export for HR, ``FIELDS`` documents every column), ``grading.gradebook`` (read-only
gradebook queries shared by the others).
"""
