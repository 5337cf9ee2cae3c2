"""Page links that keep every filter: the one helper for every paged list (the template tag
`page_link`, `{% load paging %}`, used by templates/includes/pagination.html).

Django's own `{% querystring %}` already starts with "?"; written after a "?" it gave "??q=…",
and the first filter arrived as "?q" and was lost."""

from django import template
from django.http import QueryDict

register = template.Library()


def page_query(query: QueryDict, number: int) -> str:
    """'?status=open&page=2': the current query with only the page number changed."""
    params = query.copy()
    params["page"] = str(number)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def page_link(context: template.Context, number: int) -> str:
    return page_query(context["request"].GET, number)
