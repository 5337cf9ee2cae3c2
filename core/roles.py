"""The roles of DOMAIN.md as Django groups, and the model-level permissions each role has.

What a role may do is decided here; which objects it may do it to is decided by guardian
object permissions (estate, project, organisation or case), see the apps' permissions.py.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    BRIDGE_BUILDER = "bridge_builder", _("Bridge-builder")
    REHOUSING_OFFICER = "rehousing_officer", _("Rehousing officer")
    MANAGER = "manager", _("Manager")
    VISITATOR = "visitator", _("Municipal visitator")
    CARETAKER = "caretaker", _("Caretaker")


_OUTREACH = (
    "outreach.view_contact",
    "outreach.add_contact",
    "outreach.view_meeting",
    "outreach.add_meeting",
    "outreach.change_meeting",
    "outreach.view_awaitedreply",
    "outreach.add_awaitedreply",
    "outreach.change_awaitedreply",
    "outreach.view_flag",
    "outreach.change_flag",
    # Letters to a household from the organisation's templates (outreach/letters/).
    "outreach.view_letter",
    "outreach.add_letter",
    "outreach.change_letter",
)

# Practical help with the move is logistics as much as social work.
_CHECKLIST = ("referrals.view_checklistitem", "referrals.change_checklistitem")

_REFERRALS = (
    *_CHECKLIST,
    "referrals.view_partner",
    "referrals.view_consent",
    "referrals.add_consent",
    "referrals.add_consentwithdrawal",
    "referrals.view_referral",
    "referrals.add_referral",
    "referrals.change_referral",
    "referrals.view_followupplan",
    "referrals.change_followupplan",
    "referrals.view_community",
    "referrals.change_community",
)

# Rehousing logistics: the pool of flats, housing needs, offers and moves (cases/logistics/).
_LOGISTICS = (
    "cases.view_poolflat",
    "cases.add_poolflat",
    "cases.change_poolflat",
    "cases.view_housingneed",
    "cases.add_housingneed",
    "cases.change_housingneed",
    "cases.view_offer",
    "cases.add_offer",
    "cases.change_offer",
    "cases.view_move",
    "cases.add_move",
    "cases.change_move",
    # Letters to a stairwell or a whole project in one batch (outreach/letters/).
    "outreach.view_letterbatch",
    "outreach.add_letterbatch",
    "outreach.change_letterbatch",
)
# Social workers follow the offers and moves of their cases; the rehousing officer makes them.
_LOGISTICS_VIEW = ("cases.view_housingneed", "cases.view_offer", "cases.view_move")

# Rents are economy (cases/economy/rents.py): those who run the rehousing and its budget see
# and record them; social workers, the visitator and the caretaker do not.
_RENTS = ("households.view_rent", "households.change_rent")
# The rehousing economy (cases/economy/): expenses are entered by the rehousing officer and the
# caseworker of the case and approved by a manager; the budget is the manager's.
_EXPENSES = ("cases.view_expense", "cases.add_expense", "cases.change_expense")

_SOCIAL_WORK = (
    *_OUTREACH,
    *_REFERRALS,
    "outreach.view_tip",
    "outreach.add_tip",
    "outreach.change_tip",
    "outreach.view_dropinsession",
    "outreach.add_dropinsession",
    "outreach.change_dropinsession",
    "cases.view_case",
    "cases.change_case",
    "cases.view_project",
    "households.view_household",
    "households.change_household",
    "households.view_social_data",
    "households.view_flat",
    "households.add_resident",
    "households.change_resident",
    "households.view_vulnerabilityassessment",
    "households.add_vulnerabilityassessment",
)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.CASEWORKER: (
        *_SOCIAL_WORK,
        *_LOGISTICS_VIEW,
        *_EXPENSES,
        "households.add_householdmerge",
    ),
    Role.BRIDGE_BUILDER: (*_SOCIAL_WORK, *_LOGISTICS_VIEW),
    # Logistics only: no social notes, no vulnerability factors.
    Role.REHOUSING_OFFICER: (
        *_OUTREACH,
        *_CHECKLIST,
        *_LOGISTICS,
        *_RENTS,
        *_EXPENSES,
        "cases.view_budgetline",
        "cases.view_case",
        "cases.change_case",
        "cases.view_project",
        "households.view_household",
        "households.view_flat",
        "households.add_resident",
        "households.change_resident",
    ),
    Role.MANAGER: (
        *_SOCIAL_WORK,
        *_LOGISTICS,
        *_RENTS,
        *_EXPENSES,
        "cases.approve_expense",
        "cases.view_budgetline",
        "cases.change_budgetline",
        "cases.add_project",
        "cases.change_project",
        # Open a project's cases in one action (cases/planning/).
        "cases.add_case",
        "cases.add_caseassignment",
        "cases.delete_caseassignment",
        "outreach.view_scanrun",
        "outreach.add_scanrun",
        "outreach.change_flagthresholds",
        "referrals.add_partner",
        "referrals.change_partner",
        "referrals.add_community",
        "households.view_accesslog",
        # Erasure of a resident on request (privacy/): the manager decides, nobody else.
        "households.delete_resident",
        "households.add_householdmerge",
        "households.add_tenantimport",
        "households.view_tenantimport",
        # Invite, change and deactivate the staff of her organisation (team/).
        "team.manage_team",
        # The organisation's letter templates (outreach/letters/).
        "outreach.view_lettertemplate",
        "outreach.add_lettertemplate",
        "outreach.change_lettertemplate",
    ),
    # The visitator acts for her municipality's partner (guardian `act_for_partner`): the
    # affected flats, and what consents let her see; see referrals/permissions.py.
    Role.VISITATOR: ("referrals.view_referral",),
    # The caretaker passes on tips about the flats of her estate, and sees nothing else.
    Role.CARETAKER: ("outreach.add_tip",),
}
