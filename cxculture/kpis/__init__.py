"""KPIs linked to customer-centric behaviours, reward plans and their alignment review, and scorecards."""
