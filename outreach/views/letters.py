"""Views of outreach: letters."""
