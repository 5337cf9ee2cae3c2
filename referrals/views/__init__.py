"""Referrals views, one module per part: consents.py, referrals.py, partners.py, checklist.py,
coordination.py (household overview), visitator.py, accesslog.py, followup.py, communities.py."""
