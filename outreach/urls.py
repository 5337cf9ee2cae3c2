from django.urls import path  # noqa: F401  (until every section has its views)

from outreach.views import cafe, contacts, flags, letters, meetings, scans, tips  # noqa: F401

app_name = "outreach"

urlpatterns: list = [
    # --- contacts and door-knock rounds (contacts.py) ---
    # --- flags (flags.py) ---
    # --- flag scans and thresholds (scans.py) ---
    path("flag/scanninger/", scans.scan_list, name="scans"),
    path("flag/scanninger/koer/", scans.scan_run, name="scan_run"),
    path("projekter/<int:pk>/taerskler/", scans.thresholds, name="thresholds"),
    # --- information meetings (meetings.py) ---
    path("moeder/", meetings.meeting_list, name="meetings"),
    path("moeder/ny/", meetings.meeting_create, name="meeting_create"),
    path("moeder/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("moeder/<int:pk>/inviter/", meetings.meeting_invite, name="meeting_invite"),
    path("moeder/<int:pk>/fremmoede/", meetings.meeting_attendance, name="meeting_attendance"),
    path(
        "moeder/<int:pk>/fremmoede/marker/",
        meetings.meeting_attendance_mark,
        name="meeting_attendance_mark",
    ),
    # --- drop-in café (cafe.py) ---
    path("cafe/", cafe.session_list, name="cafe"),
    path("cafe/ny/", cafe.session_create, name="cafe_create"),
    path("cafe/<int:pk>/", cafe.session_detail, name="cafe_session"),
    path("cafe/<int:pk>/besoeg/", cafe.visit_record, name="cafe_visit"),
    # --- tips (tips.py) ---
    path("tips/", tips.tip_list_view, name="tips"),
    path("tips/ny/", tips.tip_create, name="tip_create"),
    path("tips/<int:pk>/set/", tips.tip_handled, name="tip_handled"),
    # --- letters awaiting reply (letters.py) ---
    path("breve/", letters.letter_list, name="letters"),
    path("husstande/<int:household_pk>/breve/ny/", letters.letter_create, name="letter_create"),
    path("breve/<int:pk>/svar/", letters.letter_reply, name="letter_reply"),
]
