"""The personal calendar feed: the page in the account menu that issues, renews and revokes the
secret URL, and the feed itself, which a phone fetches without a session."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.http import AuthedRequest
from outreach.calendar import calendar_events, calendar_ics
from outreach.models import CalendarFeed
from outreach.services import calendar_feed_issue, calendar_feed_revoke, calendar_token_hash

logger = logging.getLogger(__name__)


def can_subscribe(user) -> bool:
    """Staff who plan visits, meetings or follow-ups; not the visitator, not the caretaker."""
    return user.has_perm("outreach.view_contact")


@require_http_methods(["GET", "POST"])
def calendar_settings(request: AuthedRequest) -> HttpResponse:
    if not can_subscribe(request.user):
        raise PermissionDenied
    token = None
    action = request.POST.get("action")
    if action in ("issue", "renew"):
        token = calendar_feed_issue(user=request.user)
    elif action == "revoke":
        calendar_feed_revoke(user=request.user)
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = None
    if token:  # shown once: only its hash is kept
        url = request.build_absolute_uri(reverse("outreach:calendar_feed", args=[token]))
    # webcal: opens the phone's or computer's calendar app, which then subscribes to the feed.
    webcal_url = "webcal://" + url.split("://", 1)[1] if url else None
    context = {"feed": feed, "url": url, "webcal_url": webcal_url}
    return render(request, "outreach/calendar/settings.html", context)


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=calendar_token_hash(token), user__is_active=True)
        .first()
    )
    if feed is None or not can_subscribe(feed.user):
        raise Http404
    now = timezone.now()
    events = calendar_events(user=feed.user, today=timezone.localdate(now))
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    logger.info("calendar feed %s fetched: %s events", feed.pk, len(events))
    response = HttpResponse(
        calendar_ics(events, now=now, site_url=request.build_absolute_uri("/")),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="genhusning.ics"'
    return response
