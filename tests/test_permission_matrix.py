"""The permission matrix (issue 7): every URL of the project, for every role of the cast.

Objects of every kind a URL names are planted in three estates (tests/urlwalk.py `plant`): A1
and A2 of organisation A, B1 of organisation B. Each user walks every URL pattern with the
objects of her own estate, of another estate of her organisation ("sibling") and of the other
organisation ("foreign"), by GET and by POST, and gets exactly what MATRIX says. A POST that
is refused changes nothing (no row of any model changes), and no answer shows the markers of
an estate out of her reach, nor what her role never sees of one in reach (`hidden_from_role`).

MATRIX has one line per URL name; a URL name missing from it fails the test, so a new view
cannot skip it. To add one, copy the line of a URL behind the same access gate, change the name
and say what each role gets. A cell says what the role gets on each scope:

    "own"   200 with objects of her own estate (her assigned case, for the bridge-builder);
            404 with the others
    "org"   200 with objects of her organisation (own and sibling); 404 with the foreign one
    "403"   403 with her own estate's objects (she sees them but may not do this); 404 else
    "403+"  403 with her organisation's objects; 404 with the foreign one
    "404"   404 whatever the object (nothing of the kind is visible to her)
    "x"     403 whatever the object (the role may not do this at all)
    For URLs without an object: "200", "302", "403" or "404".

The method column: GET (the view answers GET only: POST gives 405), FORM (GET shows a form,
POST writes), POST (POST only: GET gives 405). A refused POST gets the cell's 403/404; an
allowed POST (empty form) must not be refused. Anonymous users are sent to the login page.
"""

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm
from pypdf import PdfWriter

from cases.reports.models import ReportJob, ReportKind
from cases.services import case_assign_staff
from referrals.consents.services import consent_record
from referrals.models import Consent, DataCategory, PartnerKind, Purpose
from tests import factories
from tests.conftest import MARKERS, ROOT, Cast, make_cast
from tests.urlwalk import (
    OPEN_PAGES,
    Planted,
    all_markers,
    category_markers,
    plant,
    text_of,
    url_patterns,
    urls_with_ids,
)

GET, FORM, POST = "GET", "FORM", "POST"
ROLES = ("caseworker", "bridge_builder", "rehousing_officer", "manager", "visitator", "caretaker")

# fmt: off
MATRIX: dict[str, tuple[str | None, str, str]] = {
    # name                               pk names     method caseworker, bridge-builder, rehousing
    #                                                         officer, manager, visitator, caretaker
    "home":                              (None,        GET,  "302  302  302  302  302  302"),
    "cases:caseload":                    (None,        GET,  "200  200  200  200  403  403"),
    "cases:caseload_csv":                (None,        GET,  "200  200  200  200  403  403"),
    "cases:caseload_xlsx":               (None,        GET,  "200  200  200  200  403  403"),
    "cases:detail":                      ("case",      GET,  "own  own  own  org  404  404"),
    "cases:edit":                        ("case",      FORM, "own  own  own  org  404  404"),
    "cases:stage":                       ("case",      POST, "own  own  own  org  404  404"),
    "cases:flat_search":                 ("case",      GET,  "own  own  own  org  404  404"),
    "cases:stage_undo":                  ("case",      POST, "own  own  own  org  404  404"),
    "cases:assign":                      ("case",      POST, "403  403  403  org  404  404"),
    "cases:unassign":                    ("case",      POST, "403  403  403  org  404  404"),
    "cases:projects":                    (None,        GET,  "200  200  200  200  403  403"),
    "cases:project":                     ("project",   GET,  "own  404  own  org  404  404"),
    "cases:project_new":                 (None,        FORM, "403  403  403  200  403  403"),
    "cases:project_edit":                ("project",   FORM, "403  404  403  org  404  404"),
    "cases:schedule":                    ("project",   FORM, "403  404  403  org  404  404"),
    "cases:schedule_upload":             ("project",   POST, "403  404  403  org  404  404"),
    "cases:open_cases":                  ("project",   POST, "403  404  403  org  404  404"),
    "cases:distribute":                  ("project",   FORM, "403  404  403  org  404  404"),
    "cases:project_close":               ("project",   POST, "403  404  403  org  404  404"),
    "cases:timeline":                    ("project",   GET,  "own  404  own  org  404  404"),
    "reports:index":                     (None,        GET,  "200  200  200  200  404  404"),
    # an empty order names no report: 404 for everyone
    "reports:print":                     (None,        POST, "200  200  200  200  404  404"),
    "reports:project":                   ("project",   GET,  "own  404  own  org  404  404"),
    "reports:estate":                    ("estate",    GET,  "own  404  own  org  404  404"),
    "reports:case_summary":              ("case",      POST, "own  own  403  org  404  404"),
    # a report job is its orderer's (the estate's caseworker here), nobody else's
    "reports:job":                       ("report",    GET,  "own  404  404  404  404  404"),
    # "Prøv igen" on a job that has not failed shows the job again (a redirect, nothing made)
    "reports:job_retry":                 ("report",    POST, "own  404  404  404  404  404"),
    # the planted job is not done yet: there is nothing to download
    "reports:job_download":              ("report",    GET,  "404  404  404  404  404  404"),
    "logistics:board":                   ("project",   GET,  "403  404  own  org  404  404"),
    "logistics:board_offer":             ("project",   POST, "403  404  own  org  404  404"),
    "logistics:required_offers":         ("project",   POST, "403  404  403  org  404  404"),
    "logistics:week":                    ("project",   GET,  "own  404  own  org  404  404"),
    "logistics:case":                    ("case",      GET,  "own  own  own  org  404  404"),
    "logistics:case_flats":              ("case",      GET,  "403  403  own  org  404  404"),
    "logistics:case_offer":              ("case",      POST, "403  403  own  org  404  404"),
    "logistics:need":                    ("case",      FORM, "403  403  own  org  404  404"),
    "logistics:move_plan":               ("case",      POST, "403  403  own  org  404  404"),
    "logistics:offer_reply":             ("offer",     POST, "403  403  own  org  404  404"),
    "logistics:move":                    ("move",      FORM, "403  403  own  org  404  404"),
    "logistics:pool":                    (None,        GET,  "403  403  200  200  403  403"),
    "logistics:pool_csv":                (None,        GET,  "403  403  200  200  403  403"),
    "logistics:pool_xlsx":               (None,        GET,  "403  403  200  200  403  403"),
    "logistics:pool_add":                (None,        FORM, "403  403  200  200  403  403"),
    "logistics:pool_flats":              (None,        GET,  "403  403  200  200  403  403"),
    "logistics:pool_edit":               ("pool_flat", FORM, "404  404  org  org  404  404"),
    # an organisation's pk: her own estate's and the sibling's are the same organisation, so
    # only org, 403+ and 404 make sense; the bridge-builder works in no estate (404)
    "cases:deadlines":                   ("organisation", GET,  "org  404  org  org  404  404"),
    "cases:deadlines_edit":              ("organisation", POST, "403+ 404  403+ org  404  404"),
    "logistics:waterbed":                ("organisation", GET,  "org  404  403+ org  404  404"),
    "logistics:waterbed_pdf":            ("organisation", GET,  "org  404  403+ org  404  404"),
    # Rents are economy: the rehousing officer and the manager (households.view_rent); the
    # quarterly statement for the financing claim is the manager's.
    "rents:flat_rent":                   ("flat",      FORM, "403  403  own  org  404  404"),
    "rents:project":                     ("project",   GET,  "403  404  own  org  404  404"),
    "rents:statement_xlsx":              ("project",   GET,  "403  404  403  org  404  404"),
    # the rehousing economy (cases/economy/): expenses follow the case; the bridge-builder, the
    # visitator and the caretaker see none; a manager of the organisation approves; the budget
    # is the manager's and the rehousing officer's to see, the manager's to set
    "economy:case_expenses":             ("case",      FORM, "own  403  own  org  404  404"),
    "economy:expense":                   ("expense",   FORM, "own  404  own  org  404  404"),
    "economy:expense_correct":           ("expense",   FORM, "own  404  own  org  404  404"),
    "economy:expense_approve":           ("expense",   POST, "403  404  403  org  404  404"),
    # the planted expense has no receipt: there is nothing to download
    "economy:expense_receipt":           ("expense",   GET,  "404  404  404  404  404  404"),
    "economy:approvals":                 (None,        GET,  "403  403  403  200  403  403"),
    "economy:budget":                    ("project",   GET,  "403  404  own  org  404  404"),
    "economy:budget_csv":                ("project",   GET,  "403  404  own  org  404  404"),
    "economy:budget_xlsx":               ("project",   GET,  "403  404  own  org  404  404"),
    "economy:expenses_csv":              ("project",   GET,  "403  404  own  org  404  404"),
    "economy:expenses_xlsx":             ("project",   GET,  "403  404  own  org  404  404"),
    "economy:budget_edit":               ("project",   FORM, "403  404  403  org  404  404"),
    "economy:budget_upload":             ("project",   POST, "403  404  403  org  404  404"),
    "households:detail":                 ("household", GET,  "own  own  own  org  404  404"),
    "households:edit":                   ("household", FORM, "own  own  403  org  404  404"),
    "households:assess":                 ("household", FORM, "own  own  403  org  404  404"),
    "households:resident_add":           ("household", FORM, "own  own  own  org  404  404"),
    "households:resident_edit":          ("resident",  FORM, "own  own  own  org  404  404"),
    "households:flat":                   ("flat",      GET,  "own  own  own  org  404  404"),
    "households:import":                 (None,        FORM, "403  403  403  200  403  403"),
    "households:import_template_csv":    (None,        GET,  "403  403  403  200  403  403"),
    "households:import_template_xlsx":   (None,        GET,  "403  403  403  200  403  403"),
    "households:import_preview":         ("tenant_import", GET,  "404  404  404  org  404  404"),
    "households:import_apply":           ("tenant_import", POST, "404  404  404  org  404  404"),
    "households:duplicates":             (None,        GET,  "200  403  403  200  403  403"),
    "households:duplicate_merge":        (None,        POST, "200  403  403  200  403  403"),
    "households:duplicate_keep_apart":   (None,        POST, "200  403  403  200  403  403"),
    "privacy:resident_access":           ("resident",  GET,  "own  own  403  org  404  404"),
    "privacy:resident_erase":            ("resident",  FORM, "403  403  403  org  404  404"),
    "outreach:contacts":                 (None,        GET,  "own  own  own  org  x    x"),
    "outreach:contacts_csv":             (None,        GET,  "own  own  own  org  x    x"),
    "outreach:contacts_xlsx":            (None,        GET,  "own  own  own  org  x    x"),
    "outreach:contact_add":              (None,        FORM, "own  own  own  org  x    x"),
    "outreach:contact_undo":             ("contact",   POST, "own  own  own  org  x    x"),
    "outreach:round":                    (None,        GET,  "200  200  200  200  403  403"),
    "outreach:round_list_print":         (None,        GET,  "200  200  200  200  403  403"),
    "outreach:round_stairwell":          (None,        GET,  "own  own  own  org  x    x"),
    "outreach:round_print":              (None,        GET,  "own  own  own  org  x    x"),
    "outreach:round_card":               (None,        GET,  "own  own  own  org  x    x"),
    "outreach:round_knock":              (None,        POST, "own  own  own  org  x    x"),
    "outreach:round_talk":               (None,        FORM, "own  own  own  org  x    x"),
    "outreach:flags":                    (None,        GET,  "200  200  200  200  403  403"),
    "outreach:flag_count":               (None,        GET,  "200  200  200  200  403  403"),
    "outreach:flags_csv":                (None,        GET,  "200  200  200  200  403  403"),
    "outreach:flags_xlsx":               (None,        GET,  "200  200  200  200  403  403"),
    "outreach:flag_resolve":             ("flag",      FORM, "own  own  own  org  x    x"),
    "outreach:scans":                    (None,        GET,  "403  403  403  200  403  403"),
    "outreach:scan_run":                 (None,        POST, "403  403  403  200  403  403"),
    "outreach:thresholds":               ("project",   FORM, "403  404  403  org  404  404"),
    "outreach:meetings":                 (None,        GET,  "200  200  200  200  403  403"),
    "outreach:meetings_csv":             (None,        GET,  "200  200  200  200  403  403"),
    "outreach:meetings_xlsx":            (None,        GET,  "200  200  200  200  403  403"),
    "outreach:meeting_create":           (None,        FORM, "200  200  200  200  403  403"),
    "outreach:meeting":                  ("meeting",   GET,  "own  404  own  org  404  404"),
    "outreach:meeting_invite":           ("meeting",   POST, "own  404  own  org  404  404"),
    "outreach:meeting_attendance":       ("meeting",   GET,  "own  404  own  org  404  404"),
    "outreach:meeting_attendance_mark":  ("meeting",   POST, "own  404  own  org  404  404"),
    "outreach:cafe":                     (None,        GET,  "200  200  403  200  403  403"),
    "outreach:cafe_create":              (None,        FORM, "200  200  403  200  403  403"),
    "outreach:cafe_session":             ("cafe",      GET,  "own  404  404  org  404  404"),
    "outreach:cafe_visit":               ("cafe",      POST, "own  404  404  org  404  404"),
    "outreach:tips":                     (None,        GET,  "200  200  403  200  403  403"),
    "outreach:tips_csv":                 (None,        GET,  "200  200  403  200  403  403"),
    "outreach:tips_xlsx":                (None,        GET,  "200  200  403  200  403  403"),
    "outreach:tip_create":               (None,        FORM, "200  200  403  200  403  200"),
    "outreach:tip_flats":                (None,        GET,  "200  200  403  200  403  200"),
    "outreach:tip_handled":              ("tip",       POST, "own  404  404  org  404  404"),
    "outreach:letters":                  (None,        GET,  "200  200  200  200  403  403"),
    "outreach:letters_csv":              (None,        GET,  "200  200  200  200  403  403"),
    "outreach:letters_xlsx":             (None,        GET,  "200  200  200  200  403  403"),
    "outreach:letter_create":            (None,        FORM, "own  own  own  org  404  404"),
    "outreach:letter_reply":             ("letter",    FORM, "own  own  own  org  404  404"),
    # letters from templates: where the household is; batches: who makes the project's letters
    "outreach:sent_letter_new":          (None,        FORM, "own  own  own  org  404  404"),
    "outreach:sent_letter_pdf":          ("sent_letter", GET, "own  own  own  org  404  404"),
    "outreach:sent_letter_docx":         ("sent_letter", GET, "own  own  own  org  404  404"),
    "outreach:sent_letter_sent":         ("sent_letter", POST, "own  own  own  org  404  404"),
    "outreach:sent_letter_received":     ("sent_letter", POST, "own  own  own  org  404  404"),
    "outreach:letter_batch_new":         (None,        FORM, "403  404  own  org  404  404"),
    "outreach:letter_batch":             ("letter_batch", GET, "404  404  own  org  404  404"),
    "outreach:letter_batch_sent":        ("letter_batch", POST, "404  404  own  org  404  404"),
    "outreach:letter_batch_pdf":         ("letter_batch", GET, "404  404  own  org  404  404"),
    "outreach:letter_batch_zip":         ("letter_batch", GET, "404  404  own  org  404  404"),
    # the organisation's letter templates: its managers only (a template is the organisation's)
    "outreach:letter_contact":           (None,        FORM, "200  200  200  200  403  403"),
    "outreach:templates":                (None,        GET,  "403  403  403  200  403  403"),
    "outreach:template_new":             (None,        FORM, "403  403  403  200  403  403"),
    "outreach:template":                 ("letter_template", FORM, "x    x    x    org  x    x"),
    "outreach:template_edit":            ("letter_template", FORM, "x    x    x    org  x    x"),
    "outreach:template_households":      ("letter_template", GET,  "x    x    x    org  x    x"),
    "outreach:calendar":                 (None,        FORM, "200  200  200  200  403  403"),
    # a secret URL fetched without a session (see ANONYMOUS): an unknown token is 404
    "outreach:calendar_feed":            (None,        GET,  "404  404  404  404  404  404"),
    "referrals:consents":                (None,        GET,  "own  own  404  org  404  404"),
    "referrals:consents_csv":            (None,        GET,  "own  own  404  org  404  404"),
    "referrals:consents_xlsx":           (None,        GET,  "own  own  404  org  404  404"),
    "referrals:consent_create":          (None,        FORM, "own  own  404  org  404  404"),
    "referrals:consent":                 ("consent",   GET,  "own  own  404  org  404  404"),
    "referrals:consent_replace":         ("consent",   FORM, "own  own  404  org  404  404"),
    "referrals:consent_withdraw":        ("consent",   FORM, "own  own  404  org  404  404"),
    "referrals:consent_evidence":        ("consent",   GET,  "own  own  404  org  404  404"),
    "referrals:partners":                (None,        GET,  "200  200  403  200  403  403"),
    "referrals:partner_create":          (None,        FORM, "403  403  403  200  403  403"),
    "referrals:partner_edit":            ("partner",   FORM, "403+ 403+ 404  org  404  404"),
    "referrals:household_referrals":     (None,        GET,  "own  own  404  org  404  404"),
    "referrals:household_referrals_csv": (None,        GET,  "own  own  404  org  404  404"),
    "referrals:household_referrals_xlsx":(None,        GET,  "own  own  404  org  404  404"),
    "referrals:referral_create":         (None,        FORM, "own  own  404  org  404  404"),
    "referrals:referral":                ("referral",  GET,  "own  own  404  org  404  404"),
    "referrals:referral_transition":     ("referral",  POST, "own  own  404  org  404  404"),
    "referrals:checklist_item":          ("checklist", POST, "own  own  own  org  404  404"),
    "referrals:checklist_defaults":      (None,        POST, "own  own  own  org  404  404"),
    "referrals:coordination":            (None,        GET,  "own  own  own  org  404  404"),
    "referrals:visitator_flats":         (None,        GET,  "404  404  404  404  200  404"),
    "referrals:visitator_flats_csv":     (None,        GET,  "404  404  404  404  200  404"),
    "referrals:visitator_flats_xlsx":    (None,        GET,  "404  404  404  404  200  404"),
    "referrals:visitator_flats_pdf":     (None,        GET,  "404  404  404  404  200  404"),
    "referrals:visitator_households":    (None,        GET,  "404  404  404  404  200  404"),
    # the visitator: the households whose consent covers her partner (A1's and A2's here)
    "referrals:visitator_household":     ("household", GET,  "404  404  404  404  org  404"),
    "referrals:visitator_referrals":     (None,        GET,  "404  404  404  404  200  404"),
    # the planted referrals are a draft to her partner and one sent to another partner
    "referrals:visitator_referral":      ("referral",  GET,  "404  404  404  404  404  404"),
    "referrals:visitator_referral_answer": ("referral",  POST, "404  404  404  404  404  404"),
    "privacy:access_log":              (None,        GET,  "403  403  403  200  403  403"),
    "referrals:follow_up_list":          (None,        GET,  "200  200  403  200  403  403"),
    "referrals:follow_up_list_csv":      (None,        GET,  "200  200  403  200  403  403"),
    "referrals:follow_up_list_xlsx":     (None,        GET,  "200  200  403  200  403  403"),
    "referrals:follow_up":               ("plan",      GET,  "own  own  404  org  404  404"),
    "referrals:follow_up_close":         ("plan",      POST, "own  own  404  org  404  404"),
    "referrals:follow_up_assign":        ("plan",      POST, "403  403  404  org  404  404"),
    "referrals:follow_up_contact":       ("visit",     FORM, "own  own  404  org  404  404"),
    "referrals:communities":             (None,        GET,  "200  200  403  200  403  403"),
    "referrals:community_create":        (None,        FORM, "403  403  403  200  403  403"),
    # communities for the rehoused belong to the organisation, not to an estate
    "referrals:community":               ("community", GET,  "org  org  404  org  404  404"),
    "referrals:community_search":        ("community", GET,  "org  org  404  org  404  404"),
    "referrals:community_member_add":    ("community", POST, "org  org  404  org  404  404"),
    "referrals:community_member_leave":  ("membership", POST, "org  org  404  org  404  404"),
    "referrals:community_meeting_create": ("community", POST, "org  org  404  org  404  404"),
    "referrals:community_meeting": ("community_meeting", GET,  "org  org  404  org  404  404"),
    "referrals:community_attendance": ("community_meeting", POST, "org  org  404  org  404  404"),
    # the team of an organisation and its people (an organisation's pk, and its people by
    # user_id: her own estate's caseworker): only its managers; a manager with one
    # organisation is sent on from the index to its team
    "team:index":                        (None,        GET,  "403  403  403  302  403  403"),
    "team:team":                         ("organisation", GET,  "404  404  404  org  404  404"),
    "team:invite":                       ("organisation", FORM, "404  404  404  org  404  404"),
    "team:member":                       ("organisation", FORM, "404  404  404  org  404  404"),
    # the planted caseworkers were not invited: an allowed POST finds no invitation (404)
    "team:invitation_resend":            ("organisation", POST, "404  404  404  org  404  404"),
    "team:deactivate":                   ("organisation", FORM, "404  404  404  org  404  404"),
}
# fmt: on
# What a URL answers when she may (200 unless said here).
SUCCESS = {
    "outreach:round_card": 302,  # the card is an htmx fragment; a plain GET goes to the round
    "privacy:resident_access": 302,  # ordered from the worker (see `world`), then its job page
}
# Pages that show nothing of a household, for everyone (tests/urlwalk.py), and the admin
# (which sends non-staff to its own login).
OPEN = OPEN_PAGES | {"admin:index"}
# What an anonymous user gets where it is not the login page.
ANONYMOUS = {
    "outreach:calendar_feed": 404,  # the phone's calendar fetches it without a session
}

# Each user of the cast: her role, and the estates that are her own, her organisation's other
# one, and the other organisation's (organisation B has one estate only).
USERS = {
    "caseworker_a1": ("caseworker", "a1", "a2", "b1"),
    "caseworker_a2": ("caseworker", "a2", "a1", "b1"),
    "bridge_builder_a": ("bridge_builder", "a1", "a2", "b1"),
    "rehousing_officer_a1": ("rehousing_officer", "a1", "a2", "b1"),
    "manager_a": ("manager", "a1", "a2", "b1"),
    "manager_b": ("manager", "b1", None, "a1"),
    "caseworker_b1": ("caseworker", "b1", None, "a1"),
    "visitator": ("visitator", "a1", "a2", "b1"),
    "caretaker_a1": ("caretaker", "a1", "a2", "b1"),
    "anonymous": (None, "a1", "a2", "b1"),
}
SCOPES = ("own", "sibling", "foreign")
PREFIX = {"a1": "Mka", "a2": "Mkc", "b1": "Mkb"}
CASE_OF = {"a1": "case_a1", "a2": "case_a2", "b1": "case_b1"}
# The scopes whose households a role may see anything of (the other organisation: never).
REACH = {
    "caseworker": {"own"},
    "bridge_builder": {"own"},
    "rehousing_officer": {"own"},
    "manager": {"own", "sibling"},
    "visitator": {"own", "sibling"},  # the consented households of her municipality
    "caretaker": {"own"},  # the addresses of the flats she may pass on tips about
    None: set(),
}
# Rows that change in a GET or a refused POST without changing anything: the access log and
# sessions. Every other row of the project's apps must be as it was.
# The access log and sessions change on every request; the art. 15 copy's GET orders a job,
# which the walk checks on its own (`test_each_role_gets_exactly_what_the_matrix_says`).
UNCOUNTED = {"households.accesslog", "sessions.session", "cases.reportjob"}


def expected(cell: str, scope: str | None, success: int = 200) -> int:
    """The status a cell gives on a scope (None: a URL without an object)."""
    if scope is None or cell == "x":
        return 403 if cell == "x" else int(cell)
    if cell == "404" or scope == "foreign":
        return 404
    if cell in ("own", "403"):
        return (success if cell == "own" else 403) if scope == "own" else 404
    return success if cell == "org" else 403  # org, 403+: the organisation's two estates


def markers(key: str) -> set[str]:
    """Every string planted in the estate `key`."""
    return all_markers(PREFIX[key]) | {MARKERS[CASE_OF[key]][2]}


def person_markers(key: str) -> set[str]:
    """The strings of the estate's household: not its flats' addresses (the organisation's pool
    of flats and the visitator's flat list show those) nor its community's meeting topic
    (communities belong to the organisation)."""
    prefix = PREFIX[key]
    organisation_wide = {MARKERS[CASE_OF[key]][2], f"{prefix}midlertidigvej"}
    return markers(key) - organisation_wide - {f"{prefix}-COMMUNITY-TOPIC"}


def hidden_from_role(role: str | None, key: str) -> set[str]:
    """What a role never sees, even of a household in her reach (DOMAIN.md): the rehousing
    officer no social notes, observations of the home, vulnerability or tips; the caretaker
    nothing of a household; the visitator no more than the consent shares (names here)."""
    prefix = PREFIX[key]
    if role == "rehousing_officer":
        social = ("SOCIAL-NOTE", "HOME-OBS", "VULN-NOTE", "TIP-TEXT")
        assessment = f"ASSESSMENT-{MARKERS[CASE_OF[key]][1]}"  # tests/conftest.py
        return {f"{prefix}-{what}" for what in social} | {assessment}
    if role == "caretaker":
        return person_markers(key)
    if role == "visitator":
        return person_markers(key) - set(category_markers(prefix)[DataCategory.IDENTITY])
    return set()


@dataclass
class World:
    cast: Cast
    scopes: dict[str, Planted]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every kind of object in A1, A2 and B1; the bridge-builder is assigned to A1's case and
    the caretaker passes on tips for A1. Consents cover the visitator in A1 and A2.

    Made once for the module, in a transaction that each test's own sits in (a savepoint,
    rolled back after the test) and that is rolled back at the end, as Django's TestCase does
    with setUpTestData.
    """
    location = tmp_path_factory.mktemp("evidence")
    # Marked as a test case's block, as Django marks its own: the access log writes through
    # its own connection only inside the application's transactions (households/audit.py).
    outer = transaction.atomic()
    outer._from_testcase = True
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as patch,
        override_settings(
            MEDIA_ROOT=str(location),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            # The walk's own access-log rows make the household's art. 15 copy grow with every
            # page: it is always ordered from the worker here (a redirect to the job page, and a
            # job row that the walk checks), so its answer does not depend on the walk's order
            # and no PDF of hundreds of log rows is rendered per role.
            RESIDENT_ACCESS_ASYNC_ROWS=0,
        ),
        outer,
    ):
        patch.setattr(
            Consent._meta.get_field("evidence"), "storage", FileSystemStorage(location=location)
        )
        yield World(cast=(cast := make_cast()), scopes=plant_scopes(cast))
        transaction.set_rollback(True)


def plant_scopes(cast: Cast) -> dict[str, Planted]:
    org_a = cast.case_a1.project.estate.organisation
    org_b = cast.case_b1.project.estate.organisation
    hvidovre = factories.make_partner(
        org_a,
        "Hvidovre Kommune, visitationen",
        kind=PartnerKind.MUNICIPAL_VISITATOR,
        municipality=cast.case_a1.project.estate.municipality,
    )
    assign_perm("referrals.act_for_partner", cast.visitator, hvidovre)
    koege = factories.make_partner(
        org_b,
        "Køge Kommune, visitationen",
        kind=PartnerKind.MUNICIPAL_VISITATOR,
        municipality=cast.case_b1.project.estate.municipality,
    )
    scopes = {}
    for key, staff, organisation, visitation in (
        ("a1", cast.caseworker_a1, org_a, hvidovre),
        ("a2", cast.caseworker_a2, org_a, hvidovre),
        ("b1", cast.caseworker_b1, org_b, koege),
    ):
        case = getattr(cast, CASE_OF[key])
        planted = Planted()
        other = factories.make_partner(organisation, f"Hjemmeplejen {key}")
        plant(
            planted,
            case,
            PREFIX[key],
            staff=staff,
            partners={"visitator": visitation, "other": other},
        )
        consent = consent_record(
            household=case.household,
            by=staff,
            given_by="Underskrevet",
            purpose=Purpose.REHOUSING,
            categories=[DataCategory.IDENTITY],
            method="written",
            given_on=timezone.localdate() - timedelta(days=5),
            partner=visitation,
            evidence=SimpleUploadedFile("samtykke.pdf", blank_pdf(), "application/pdf"),
        )
        planted.add("consent", consent.pk)
        planted.ids["user"] = [staff.pk]
        planted.ids["flat"] = [case.household.flat_id]  # not the temporary flat: nobody lives there
        scopes[key] = planted
    case_assign_staff(case=cast.case_a1, user=cast.bridge_builder_a, by=cast.manager_a)
    assign_perm("households.submit_tip", cast.caretaker_a1, cast.case_a1.project.estate)
    return scopes


def blank_pdf() -> bytes:
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def fingerprint() -> dict[str, int]:
    """A hash of every row of every model of the project (but the access log and sessions)."""
    found = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in UNCOUNTED or model._meta.app_label in ("admin", "contenttypes"):
            continue
        found[label] = hash(repr(list(model._default_manager.order_by("pk").values_list())))
    return found


def changed(before: dict[str, int]) -> set[str]:
    after = fingerprint()
    return {label for label in after if after[label] != before.get(label)}


def walk(user_key: str, planted: dict[str, Planted]):
    """(name, method, scope, url, expected status) of every URL for this user."""
    role, *estates = USERS[user_key]
    scope_of = {scope: key for scope, key in zip(SCOPES, estates, strict=True) if key}
    for name, pattern in url_patterns():
        if name in OPEN:
            continue
        pk_model, method, cells = MATRIX[name]
        cell = cells.split()[ROLES.index(role)] if role else "302"
        if role is None:  # the login page, whatever the object
            for url in urls_with_ids(name, pattern, planted[scope_of["own"]], pk_model):
                yield name, method, None, url, ANONYMOUS.get(name, 302)
            continue
        if not pattern.pattern.converters:
            yield name, method, None, reverse(name), expected(cell, None)
            continue
        for scope, key in scope_of.items():
            for url in urls_with_ids(name, pattern, planted[key], pk_model):
                yield name, method, scope, url, expected(cell, scope, SUCCESS.get(name, 200))


def test_every_url_of_the_project_is_in_the_matrix():
    names = {name for name, _pattern in url_patterns()}
    assert names - OPEN - set(MATRIX) == set(), f"add these URL names to MATRIX in {__name__}"
    assert set(MATRIX) - names == set(), "these MATRIX rows name no URL"
    assert names >= OPEN


def check(response, status: int, hidden: set[str], what: str) -> list[str]:
    """What is wrong with the answer: its status, where it sends her, the markers it shows."""
    problems = []
    if response.status_code != status:
        problems.append(f"{what}: {response.status_code}, not {status}")
    elif status == 302 and not what.endswith("round_card, own)"):
        location = response["Location"]
        if not location.startswith((reverse("login"), "/admin/login/", "/?", "/")):
            problems.append(f"{what}: sent to {location}")
    body = text_of(response)
    problems += [f"{what} shows {marker}" for marker in sorted(hidden) if marker in body]
    return problems


@pytest.mark.parametrize("user_key", list(USERS))
def test_each_role_gets_exactly_what_the_matrix_says(db, client, world, user_key):
    cast = world.cast
    anonymous = user_key == "anonymous"
    if not anonymous:
        client.force_login(getattr(cast, user_key))
    scope_of = dict(zip(SCOPES, USERS[user_key][1:], strict=True))
    never = markers(scope_of["foreign"])
    role = USERS[user_key][0]
    if scope_of["sibling"] and "sibling" not in REACH[role]:
        never |= person_markers(scope_of["sibling"])
    for scope in REACH[role]:
        if scope_of[scope]:
            never |= hidden_from_role(role, scope_of[scope])
    problems, allowed_posts = [], []
    before = fingerprint()
    jobs_before = set(ReportJob.objects.values_list("pk", flat=True))
    for name, method, scope, url, status in walk(user_key, world.scopes):
        allowed = status == SUCCESS.get(name, 200) and not anonymous
        hidden = never | (markers(scope_of[scope]) if scope and not allowed else set())
        what = f"{url} ({name}, {scope})"
        if method == POST and not anonymous:
            # The method is refused before anything looks at the object: once is enough.
            if scope in (None, "own"):
                problems += check(client.get(url), 405, hidden, f"GET {what}")
        else:
            problems += check(client.get(url), status, hidden, f"GET {what}")
        if method != GET and allowed:
            allowed_posts.append((name, url))
            continue
        if method == GET and scope not in (None, "own"):
            continue  # the method is refused before anything looks at the object: once is enough
        post_status = 405 if method == GET and (not anonymous or name in ANONYMOUS) else status
        problems += check(client.post(url, {}), post_status, hidden, f"POST {what}")
    assert problems == [], "\n".join(problems)
    assert changed(before) == set(), "a GET or a refused POST changed these"
    # The only jobs a walk orders: her own art. 15 copies, of residents in her reach.
    ordered = ReportJob.objects.exclude(pk__in=jobs_before)
    assert {job.kind for job in ordered} <= {ReportKind.RESIDENT_ACCESS}
    assert all(job.ordered_by_id == getattr(cast, user_key, None).pk for job in ordered)
    allowed_households = {
        id
        for key in map(scope_of.get, REACH[role])
        if key
        for id in world.scopes[key].ids["household"]
    }
    assert {id for job in ordered for id in job.household_ids} <= allowed_households
    # An empty form may name no object (404) or be invalid; it must not be refused or break.
    for name, url in allowed_posts:
        response = client.post(url, {})
        assert response.status_code not in (403, 405), (name, url, response.status_code)
        assert response.status_code < 500, (name, url, response.status_code)


def test_the_markers_are_there_to_be_found(db, client, world):
    """The walk looks for strings that the pages do show to those who may see them."""
    household = world.scopes["a1"].ids["household"][0]
    url = reverse("households:detail", args=[household])
    client.force_login(world.cast.caseworker_a1)
    body = client.get(url).content.decode()
    assert {"Mkafornavn", "Mka-SOCIAL-NOTE", "Markørvej"} <= {m for m in markers("a1") if m in body}
    client.force_login(world.cast.rehousing_officer_a1)
    body = client.get(url).content.decode()
    assert "Mkafornavn" in body
    assert (
        hidden_from_role("rehousing_officer", "a1") & {m for m in markers("a1") if m in body}
        == set()
    )


# --- forms that htmx posts: an invalid one comes back as something htmx swaps ---

HX_POST = re.compile(r'hx-post="([^"]*)"')
URL_TAG = re.compile(r"\{% url '([^']+)'")
# Its buttons always send an outcome: a 400 is a request no page makes, with nothing to show.
HX_400_ON_PURPOSE = {"outreach:round_knock"}
# Forms written by Python, not a template (outreach/templatetags/outreach_flags.py flag_item).
HX_POST_IN_PYTHON = {"outreach:flag_resolve"}


def htmx_form_names() -> set[str]:
    """The URL names the templates post to with htmx: hx-post="{% url '…' %}", or a variable
    that a template sets with {% url '…' as … %}."""
    templates = {path: path.read_text() for path in (ROOT / "templates").rglob("*.html")}
    names = set()
    for text in templates.values():
        for value in HX_POST.findall(text):
            if found := URL_TAG.search(value):
                names.add(found.group(1))
                continue
            variable = re.fullmatch(r"\{\{ (\w+) \}\}", value)
            assert variable, f"hx-post={value!r}: name its URL with {{% url %}}"
            setting = re.compile(r"\{% url '([^']+)'[^%]* as " + variable.group(1) + r" %\}")
            named = {m for other in templates.values() for m in setting.findall(other)}
            assert named, f"hx-post={value!r}: no {{% url … as {variable.group(1)} %}}"
            names |= named
    return names


def test_the_templates_htmx_forms_are_found():
    assert {"economy:case_expenses", "outreach:cafe_visit", "outreach:round_talk"} <= (
        htmx_form_names()
    )


@pytest.mark.parametrize(
    "user_key", ["caseworker_a1", "bridge_builder_a", "rehousing_officer_a1", "manager_a"]
)
def test_an_invalid_htmx_form_comes_back_with_its_errors_not_a_400(db, client, world, user_key):
    """htmx swaps no 4xx answer: a form it posts that is invalid must come back as a 200 with
    the form and its errors (the view's partial), or she gets "Ikke gemt" and no word of what
    to change (tests/browser/test_no_signal.py). Each form htmx posts, empty, by each role
    that may post it (a 404 is an empty form that names no object)."""
    names = (htmx_form_names() | HX_POST_IN_PYTHON) - HX_400_ON_PURPOSE
    client.force_login(getattr(world.cast, user_key))
    refused = []
    for name, method, _scope, url, status in walk(user_key, world.scopes):
        if name not in names or method == GET or status != SUCCESS.get(name, 200):
            continue
        response = client.post(url, {}, headers={"HX-Request": "true"})
        if response.status_code >= 400 and response.status_code != 404:
            refused.append(f"{name} {url}: {response.status_code}")
    assert refused == []
