from django.urls import path  # noqa: F401  (until every section has its views)

from outreach.views import cafe, contacts, flags, letters, meetings, scans, tips  # noqa: F401

app_name = "outreach"

urlpatterns: list = [
    # --- contacts and door-knock rounds (contacts.py) ---
    # --- flags (flags.py) ---
    # --- flag scans and thresholds (scans.py) ---
    # --- information meetings (meetings.py) ---
    # --- drop-in café (cafe.py) ---
    # --- tips (tips.py) ---
    # --- letters awaiting reply (letters.py) ---
]
