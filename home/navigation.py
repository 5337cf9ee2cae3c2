"""The top bar's entries for a user: the one place that decides them (base.html shows them).

Each entry is guarded by the permission of the page it leads to. The few that the user's role
uses most (DOMAIN.md) are on the bar, the rest under "More", so that the bar fits a phone in two
rows. It reads only the permissions and grants (households.permissions.user_grants) that are
kept on the user for the request, which most pages have read already.
"""

import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases.permissions import can_see_any_project
from core.roles import Role
from households.permissions import can_view_social_data
from outreach.permissions import can_view_tips


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    url: str
    is_current: bool = False
    count_url: str = ""  # a count loaded into the entry after the page (htmx)

    @functools.cached_property
    def link(self) -> SafeString:
        """The entry's link as base.html shows it, written once for every page that shows the
        same bar (navigation_for keeps the entries), not by the template engine on each."""
        count = (
            format_html(
                '<span class="nav-count-slot" hx-get="{}" hx-trigger="intersect once"'
                ' hx-swap="outerHTML"></span>',
                self.count_url,
            )
            if self.count_url
            else ""
        )
        current = SafeString(' aria-current="page"') if self.is_current else ""
        return format_html('<a href="{}"{}>{}{}</a>', self.url, current, self.label, count)


@dataclass(frozen=True)
class Navigation:
    primary: list[Entry] = field(default_factory=list)  # always on the bar
    wide: list[Entry] = field(default_factory=list)  # on the bar if wide, else under "More"
    more: list[Entry] = field(default_factory=list)  # under "More"
    account: list[Entry] = field(default_factory=list)  # the menu under the user's name

    @property
    def wide_is_current(self) -> bool:
        return any(entry.is_current for entry in self.wide)

    @property
    def more_is_current(self) -> bool:
        return any(entry.is_current for entry in self.more)

    @property
    def account_is_current(self) -> bool:
        return any(entry.is_current for entry in self.account)


# Per role, what she uses most: always on the bar; and the next ones, on the bar too where the
# screen is wide (static/css/app.css), under "More" elsewhere. The rest are under "More".
ON_THE_BAR: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Role.CASEWORKER: (("cases", "rounds", "flags"), ("follow_up", "meetings", "tips", "letters")),
    # Two only: beside a third as long as "Fællesskaber", "More" would not fit on a phone's row.
    Role.BRIDGE_BUILDER: (("follow_up", "cases"), ("communities", "partners", "meetings", "cafe")),
    Role.REHOUSING_OFFICER: (
        ("cases", "projects", "pool"),
        ("rounds", "flags", "meetings", "letters"),
    ),
    Role.MANAGER: (
        ("cases", "projects", "reports"),
        ("flags", "follow_up", "meetings", "partners"),
    ),
    Role.VISITATOR: (("visitator_flats", "visitator_households", "visitator_referrals"), ()),
    Role.CARETAKER: (("tip_create",), ()),
}
ON_THE_BAR_WITHOUT_A_ROLE = (3, 4)  # the first entries, in the order below


def role_of(user) -> str | None:
    """The role, read from the permissions and grants the request loads anyway (the groups would
    cost a query): a social worker who works in no estate follows the cases she is assigned to,
    which is the bridge-builder's work (tests/conftest.py)."""
    if user.has_perm("cases.change_project"):
        return Role.MANAGER
    if user.has_perm("cases.view_case"):
        if not can_view_social_data(user):
            return Role.REHOUSING_OFFICER
        return Role.CASEWORKER if can_see_any_project(user) else Role.BRIDGE_BUILDER
    if user.has_perm("referrals.view_referral"):
        return Role.VISITATOR
    if user.has_perm("outreach.add_tip"):
        return Role.CARETAKER
    return None


@functools.lru_cache(maxsize=512)
def _url(url_name: str, _urlconf: str, _prefix: str, _language: str | None) -> str:
    return reverse(url_name)


def url_of(url_name: str) -> str:
    """reverse(url_name), worked out once: the bar's two dozen links are the same on every page
    (for the URL configuration, script prefix and language that reverse() reads)."""
    return _url(
        url_name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language()
    )


def navigation_for(user, request: HttpRequest) -> Navigation:
    if not (user.is_authenticated and user.is_verified()):
        return Navigation()  # no menu before the second factor
    match = request.resolver_match
    app, name = (match.app_name, match.url_name or "") if match else ("", "")
    # The permissions as one set, read once (user.has_perm asks every backend at each call):
    # guardian's backend adds none without an object, so the set says what has_perm says.
    return _navigation(
        frozenset(user.get_all_permissions()),
        role=role_of(user),
        sees_projects=can_see_any_project(user),
        reads_tips=can_view_tips(user),
        is_staff=user.is_staff,
        app=app,
        name=name,
        language=get_language(),
        urlconf=get_urlconf() or settings.ROOT_URLCONF,
        prefix=get_script_prefix(),
    )


@functools.lru_cache(maxsize=512)
def _navigation(
    permissions: frozenset[str],
    *,
    role: str | None,
    sees_projects: bool,
    reads_tips: bool,
    is_staff: bool,
    app: str,
    name: str,
    language: str | None,
    urlconf: str,
    prefix: str,
) -> Navigation:
    """The bar from all that decides it: the same for every page of a kind that one user (and
    everyone with her permissions) opens, so worked out once a process, links and all (the
    language, URL configuration and prefix are in the key for the labels and url_of)."""

    def entry(
        key: str, label: str, url_name: str, current: str | tuple[str, ...], count_url: str = ""
    ) -> Entry:
        """`current`: how the names of the URLs (of its app) the entry stands for begin."""
        is_current = app == url_name.rpartition(":")[0] and name.startswith(current)
        return Entry(key, label, url_of(url_name), is_current, count_url)

    has = permissions.__contains__
    entries: list[Entry] = []
    if has("referrals.view_referral") and not has("cases.view_case"):  # the municipal visitator
        entries += [
            entry("visitator_flats", _("Affected flats"), "referrals:visitator_flats",
                  "visitator_flats"),
            entry("visitator_households", _("Households"), "referrals:visitator_households",
                  "visitator_household"),
            entry("visitator_referrals", _("Referrals"), "referrals:visitator_referrals",
                  "visitator_referral"),
        ]  # fmt: skip
    if has("cases.view_case"):
        entries.append(entry("cases", _("Cases"), "cases:caseload", ("caseload", "detail", "edit")))
    # Not the permission alone: a bridge-builder has it, and no project to see.
    if sees_projects:
        entries.append(entry("projects", _("Projects"), "cases:projects", "project"))
    if has("cases.change_project"):
        entries.append(entry("reports", _("Reports"), "reports:index", ""))
    if has("referrals.view_followupplan"):
        entries.append(entry("follow_up", _("Follow-up"), "referrals:follow_up_list", "follow_up"))
    if has("referrals.view_community"):
        entries.append(entry("communities", _("Communities"), "referrals:communities", "communit"))
    if has("cases.view_poolflat"):
        entries.append(entry("pool", _("Flats"), "logistics:pool", "pool"))
    if has("outreach.add_contact"):
        entries.append(entry("rounds", _("Rounds"), "outreach:round", "round"))
    if has("outreach.view_flag"):
        count_url = url_of("outreach:flag_count")
        entries.append(entry("flags", _("Flags"), "outreach:flags", "flag", count_url))
    if has("outreach.view_meeting"):
        entries.append(entry("meetings", _("Meetings"), "outreach:meetings", "meeting"))
    if has("outreach.view_dropinsession"):
        entries.append(entry("cafe", _("Café"), "outreach:cafe", "cafe"))
    # Who may read the tips finds them there; who may only pass one on (the caretaker) the form.
    if reads_tips:
        entries.append(entry("tips", _("Tips"), "outreach:tips", "tip"))
    elif has("outreach.add_tip"):
        entries.append(entry("tip_create", _("Pass on a tip"), "outreach:tip_create", "tip_create"))
    if has("outreach.view_awaitedreply"):
        entries.append(entry("letters", _("Letters"), "outreach:letters", "letter"))
    if has("referrals.view_partner"):
        entries.append(entry("partners", _("Partners"), "referrals:partners", "partner"))
    if has("cases.approve_expense"):
        entries.append(entry("approvals", _("Approvals"), "economy:approvals", "approvals"))

    account = [entry("password", _("Change password"), "password_change", "password_change")]
    if has("outreach.view_contact"):
        account.append(
            entry("calendar", _("Calendar subscription"), "outreach:calendar", "calendar")
        )
    if has("households.view_accesslog"):
        account.append(entry("access_log", _("Access log"), "privacy:access_log", "access_log"))
    if has("team.manage_team"):
        account.append(entry("team", _("Team"), "team:index", ""))
    if has("outreach.add_awaitedreply"):
        account.append(
            entry("letter_contact", _("My phone in letters"), "outreach:letter_contact",
                  "letter_contact")
        )  # fmt: skip
    if has("outreach.view_lettertemplate"):
        account.append(
            entry("letter_templates", _("Letter templates"), "outreach:templates", "template")
        )
    if has("households.add_tenantimport"):
        account.append(entry("import", _("Import the tenant list"), "households:import", "import"))
    if has("households.add_householdmerge"):
        account.append(
            entry("duplicates", _("Likely duplicates"), "households:duplicates", "duplicate")
        )
    if is_staff:
        account.append(entry("admin", _("Administration"), "admin:index", "index"))

    if role in ON_THE_BAR:
        by_key = {each.key: each for each in entries}
        primary_keys, wide_keys = ON_THE_BAR[role]
        primary = [by_key[key] for key in primary_keys if key in by_key]
        wide = [by_key[key] for key in wide_keys if key in by_key]
    else:
        always, also_wide = ON_THE_BAR_WITHOUT_A_ROLE
        primary, wide = entries[:always], entries[always : always + also_wide]
    more = [each for each in entries if each not in primary and each not in wide]
    return Navigation(primary=primary, wide=wide, more=more, account=account)


def navigation(request: HttpRequest) -> dict:
    """Context processor: worked out only when a template shows it (not for htmx partials)."""
    return {"navigation": SimpleLazyObject(lambda: navigation_for(request.user, request))}
