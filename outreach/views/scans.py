"""Views of outreach: scans."""
