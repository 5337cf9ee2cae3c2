"""Views of outreach: meetings."""
