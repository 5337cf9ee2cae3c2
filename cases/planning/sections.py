"""Parts of the project form that an app above cases owns (outreach: the flag thresholds).

cases may not import them, so they are passed in from the owner's AppConfig.ready, like the
effects of a schedule change (services.schedule_effect_add). The project's new and edit pages
show each section the person may change as a fieldset of the one form: every part is
validated before anything is saved, and the section's save runs in the project's transaction
(project_create / project_update `then=`), so one press of "Save" saves all or nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.auth.models import User
from django.utils.functional import Promise

from cases.models import Project


@dataclass(frozen=True)
class ProjectFormSection:
    # The prefix of the section's fields (so its names never meet the project's).
    prefix: str
    # A heading for the fieldset (lazy, translated).
    legend: str | Promise
    # Whether the person may change this part; project is None on the new-project page.
    allowed: Callable[[User, Project | None], bool]
    # The section's form: data is None when unbound; project is None for a new project.
    form: Callable[..., forms.Form]
    # Saves the valid form's cleaned data for the project (inside its transaction); raises
    # ValidationError to refuse, which undoes the project's save too.
    save: Callable[[Project, dict], None]


PROJECT_FORM_SECTIONS: list[ProjectFormSection] = []


def project_form_section_add(section: ProjectFormSection) -> None:
    if all(known.prefix != section.prefix for known in PROJECT_FORM_SECTIONS):
        PROJECT_FORM_SECTIONS.append(section)


@dataclass
class BoundSection:
    section: ProjectFormSection
    form: forms.Form

    def saver(self) -> Callable[[Project], None]:
        cleaned = self.form.cleaned_data
        return lambda project: self.section.save(project, cleaned)


def project_form_sections(
    *, user: User, data=None, project: Project | None = None
) -> list[BoundSection]:
    """The sections this person sees on the project form, bound to the POST data if any."""
    return [
        BoundSection(
            section=section, form=section.form(data=data, project=project, prefix=section.prefix)
        )
        for section in PROJECT_FORM_SECTIONS
        if section.allowed(user, project)
    ]
