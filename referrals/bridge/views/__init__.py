"""Bridge-building views: followup.py (the plans and their contacts), communities.py."""
