from django import forms

from features.programs.actions import REASON_MAX


class ExtensionRequestForm(forms.Form):
    date = forms.DateField(
        label="New due date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date you need.", "invalid": "Enter a date."},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Tell your manager why you need more time.",
    )
