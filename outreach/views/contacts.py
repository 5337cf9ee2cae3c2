"""Views of outreach: contacts."""
