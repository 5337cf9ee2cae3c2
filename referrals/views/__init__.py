"""Referrals views, one module per part: referrals.py, partners.py, checklist.py and
coordination.py (household overview). Consents, the visitator's pages and bridge-building have
their own views in referrals/consents/, referrals/visitator/ and referrals/bridge/."""
