from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from features.feedback360.actions import FeedbackError, parse_emails
from features.job_assignments.models import team_of


def _people(exclude):
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(pk__in=exclude)
        .order_by("full_name", "username")
    )


class EmailsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_emails(value)
        except FeedbackError as error:
            raise forms.ValidationError(str(error)) from None


class RequestForm(forms.Form):
    learner = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        label=gettext_lazy("Feedback on"),
        empty_label=None,
    )
    name = forms.CharField(
        max_length=200,
        label=gettext_lazy("What is the feedback about?"),
        help_text=gettext_lazy("Responders see this name."),
    )
    users = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=gettext_lazy("People on the site to ask"),
        help_text=gettext_lazy("Hold Ctrl (or Cmd) to choose several."),
    )
    emails = EmailsField(
        required=False,
        label=gettext_lazy("Other people to ask, by email address"),
        help_text=gettext_lazy(
            "One address per line. They answer through a link, without an account."
        ),
    )
    message = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("A message to them (optional)"),
    )
    due_at = forms.DateTimeField(
        required=False,
        label=gettext_lazy("Answers due by (optional)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        subjects = {user.pk} | team_of(user.pk)
        self.fields["learner"].queryset = (
            get_user_model().objects.filter(pk__in=subjects, is_active=True).order_by("full_name")
        )
        self.fields["learner"].initial = user.pk
        self.fields["learner"].label_from_instance = lambda u: (
            "Myself" if u.pk == user.pk else u.display_name
        )
        self.fields["users"].queryset = _people(exclude=[user.pk])


class RespondersForm(forms.Form):
    users = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=gettext_lazy("Add people on the site"),
    )
    emails = EmailsField(required=False, label=gettext_lazy("Add email addresses (one per line)"))
    remove = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Remove these responders"),
    )

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, **kwargs)
        present = [r.user_id for r in request.responder_list if r.user_id]
        self.fields["users"].queryset = _people(
            exclude=[request.learner_id, request.requested_by_id, *present]
        )
        self.fields["remove"].choices = [
            (str(r.pk), r.name) for r in request.responder_list if not r.answered_at
        ]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        label=gettext_lazy("Your feedback"),
    )
