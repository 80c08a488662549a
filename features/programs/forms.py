from django import forms
from django.utils.translation import gettext_lazy

from features.programs.actions import REASON_MAX


class ExtensionRequestForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("New due date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("Enter the date you need."),
            "invalid": gettext_lazy("Enter a date."),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Tell your manager why you need more time."),
    )
