"""Training cafés: leadership sessions drafted from the organisation's own data, with followed-up actions."""
