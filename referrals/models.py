"""Built in a later part of the product (see the outreach and referrals issues)."""
