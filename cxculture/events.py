"""Events that areas publish and others subscribe to (xAPI in lms/, webhooks in webhooks/).

A learning event is sent with the person as sender and keyword data; an organisation's event (a campaign closed,
an action overdue, a remark closed) with the thing itself as sender. Receivers must not commit.
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
campaign_closed = _events.signal("campaign-closed")  #: sender=campaign, once it is closed out
action_overdue = _events.signal("action-overdue")  #: sender=action item, once per due date it passed
remark_closed = _events.signal("remark-closed")  #: sender=customer remark, closed with its outcome
cafe_held = _events.signal("cafe-held")  #: sender=café, once it is first marked as held
