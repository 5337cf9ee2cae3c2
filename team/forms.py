from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from cases.models import Project
from core.roles import Role
from households.models import Estate, Organisation
from households.templatetags.people import staff_name
from team.selectors import TEAM_ROLES


class ProjectChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.estate.name})"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return staff_name(obj)


class MemberForm(forms.Form):
    """Her role and her work in the organisation. The choices are the organisation's own: an
    id from elsewhere is not a valid choice (and the service refuses it too)."""

    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(role, Role(role).label) for role in TEAM_ROLES],
        widget=forms.RadioSelect,
    )
    estates = forms.ModelMultipleChoiceField(
        label=_("Estates"),
        queryset=Estate.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "She works with the cases of these estates (a caretaker passes on tips about their "
            "flats). A manager sees the whole organisation and needs none."
        ),
    )
    projects = ProjectChoiceField(
        label=_("Projects"),
        queryset=Project.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Or only the cases of these projects."),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        estates = self.fields["estates"]
        projects = self.fields["projects"]
        assert isinstance(estates, forms.ModelMultipleChoiceField)
        assert isinstance(projects, forms.ModelMultipleChoiceField)
        estates.queryset = Estate.objects.filter(organisation=organisation).order_by("name")
        projects.queryset = (
            Project.objects.filter(estate__organisation=organisation)
            .select_related("estate")
            .order_by("estate__name", "name")
        )


class InviteForm(MemberForm):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=150,
        help_text=_("The invitation goes here; it is also her username."),
    )
    field_order = ["first_name", "last_name", "email", "role", "estates", "projects"]


class HandoverForm(forms.Form):
    to_user = StaffChoiceField(
        label=_("Who takes over her work"),
        queryset=User.objects.none(),
        empty_label=_("Choose a colleague"),
    )

    def __init__(self, *args, recipients, required: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = recipients
        field.required = required
