"""Listening beyond the yearly survey: the customer journey and its touchpoints, what customers tell staff (voice of
the customer, logged by staff and closed by the touchpoint's owner), the themes and tone of comments, and which
culture pillars drive the outcomes customers feel. Same anonymity and tenancy rules as the culture assessment.

Rooms: models.py, journey.py (stages and touchpoints), remarks.py (voice of the customer), themes/ (comment themes
and tone), drivers.py (what drives the results), privacy.py, demo.py; pages under views/ (prefix /listening).
"""
