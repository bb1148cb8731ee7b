"""Content packages for LMSs without LTI: a module's current version as a SCORM 1.2 or a cmi5 ZIP that plays
its lessons and its quiz on its own and reports completion and score to the LMS (build.py)."""
