"""Views of outreach: cafe."""
