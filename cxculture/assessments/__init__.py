"""Culture self-assessment: the instrument, campaigns, anonymous answers and suppressed results."""
