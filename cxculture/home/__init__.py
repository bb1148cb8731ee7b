"""The home page of each permission and the main navigation."""
