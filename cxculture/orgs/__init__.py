"""Organisations, teams, job roles, people and the roster import."""
