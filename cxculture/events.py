"""Learning events that areas publish and others (xAPI in lms/) subscribe to.

Each signal is sent with the person as sender and keyword data; receivers must not commit.
"""
from blinker import Namespace

_events = Namespace()

module_started = _events.signal("module-started")  #: sender=person, module_version=
module_completed = _events.signal("module-completed")  #: sender=person, module_version=, via="quiz"|"placement"
lesson_completed = _events.signal("lesson-completed")  #: sender=person, module_version=, lesson=
quiz_passed = _events.signal("quiz-passed")  #: sender=person, attempt=
quiz_failed = _events.signal("quiz-failed")  #: sender=person, attempt=
certificate_issued = _events.signal("certificate-issued")  #: sender=person, certificate=
assessment_submitted = _events.signal("assessment-submitted")  #: sender=person, campaign= (never the answers)
cafe_attended = _events.signal("cafe-attended")  #: sender=person, cafe=
