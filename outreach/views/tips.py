"""Views of outreach: tips."""
