"""Logging in and out, passwords, invitations and permission checks."""
