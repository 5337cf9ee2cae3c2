app_name = "referrals"

# Each part adds its own section; keep the sections in this order.
urlpatterns: list = [
    # --- consents, referrals, partners, checklist, coordination (helper: consent) ---
    # --- the municipal visitator and the access log (helper: visitator) ---
    # --- bridge-building and communities (helper: bridge) ---
]
