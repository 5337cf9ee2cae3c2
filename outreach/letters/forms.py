"""Forms of the letter templates' pages."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.deadlines import LetterKind
from core.once import OnceKeyField
from households.models import Organisation
from outreach.letters.models import LetterTemplate, LetterTemplateVersion


class TemplateCreateForm(forms.Form):
    once_key = OnceKeyField()
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind of letter"), choices=LetterKind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example “Varsling, opgange med elevator”."),
    )
    from_standard = forms.BooleanField(
        label=_("Start from the standard text"),
        required=False,
        initial=True,
        help_text=_("A Danish text (and an English and Arabic one where there is one) to adjust."),
    )

    def __init__(self, *args, organisations: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if len(organisations) == 1:
            field.initial = organisations[0].pk
            field.widget = forms.HiddenInput()


class TemplateForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = LetterTemplate
        fields = ["name", "active"]


class VersionForm(forms.Form):
    """One language's text; `based_on` is the version the editor opened (empty for none)."""

    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)
    subject = forms.CharField(
        label=_("Subject"),
        max_length=LetterTemplateVersion._meta.get_field("subject").max_length,
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
        strip=False,
    )
    household = forms.IntegerField(required=False, widget=forms.HiddenInput)
