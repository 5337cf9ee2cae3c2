"""Views of outreach: flags."""
