from django.urls import path

from core.exports import export_urls
from outreach.letters.urls import urlpatterns as letter_template_urls
from outreach.views import cafe, calendar, contacts, flags, letters, meetings, scans, tips

app_name = "outreach"

urlpatterns: list = [
    # --- the personal calendar feed (calendar.py) ---
    path("kalender/", calendar.calendar_settings, name="calendar"),
    path("kalender/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
    # --- contacts and door-knock rounds (contacts.py) ---
    path("husstande/<int:household_pk>/kontakter/", contacts.contact_list, name="contacts"),
    *export_urls(
        "husstande/<int:household_pk>/kontakter/eksport", contacts.contact_export, "contacts"
    ),
    path("husstande/<int:household_pk>/kontakter/ny/", contacts.contact_add, name="contact_add"),
    path("opsoegning/kontakter/<int:pk>/fortryd/", contacts.contact_undo_view, name="contact_undo"),
    path("opsoegning/runde/", contacts.round_view, name="round"),
    path("opsoegning/runde/print/", contacts.round_print, name="round_list_print"),
    path("opsoegning/runde/<int:stairwell_pk>/", contacts.round_stairwell, name="round_stairwell"),
    path("opsoegning/runde/<int:stairwell_pk>/print/", contacts.round_print, name="round_print"),
    path(
        "opsoegning/runde/husstand/<int:household_pk>/", contacts.round_card_view, name="round_card"
    ),
    path(
        "opsoegning/runde/husstand/<int:household_pk>/banket/",
        contacts.round_knock,
        name="round_knock",
    ),
    path(
        "opsoegning/runde/husstand/<int:household_pk>/samtale/",
        contacts.round_talk,
        name="round_talk",
    ),
    # --- flags (flags.py) ---
    path("flag/", flags.flag_list_view, name="flags"),
    *export_urls("flag/eksport", flags.flag_export, "flags"),
    path("flag/antal/", flags.flag_count, name="flag_count"),
    path("flag/<int:pk>/loes/", flags.flag_resolve_view, name="flag_resolve"),
    # --- flag scans and thresholds (scans.py) ---
    path("flag/scanninger/", scans.scan_list, name="scans"),
    path("flag/scanninger/koer/", scans.scan_run, name="scan_run"),
    path("projekter/<int:pk>/taerskler/", scans.thresholds, name="thresholds"),
    # --- information meetings (meetings.py) ---
    path("moeder/", meetings.meeting_list, name="meetings"),
    *export_urls("moeder/eksport", meetings.meeting_export, "meetings"),
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
    *export_urls("tips/eksport", tips.tip_export, "tips"),
    path("tips/ny/", tips.tip_create, name="tip_create"),
    path("tips/boliger/", tips.tip_flat_search, name="tip_flats"),
    path("tips/<int:pk>/set/", tips.tip_handled, name="tip_handled"),
    # --- letters awaiting reply (letters.py) ---
    path("breve/", letters.letter_list, name="letters"),
    *export_urls("breve/eksport", letters.letter_export, "letters"),
    path("husstande/<int:household_pk>/breve/ny/", letters.letter_create, name="letter_create"),
    path("breve/<int:pk>/svar/", letters.letter_reply, name="letter_reply"),
    # --- letter templates and letters going out (letters/urls.py) ---
    *letter_template_urls,
]
