from django import forms
from django.utils.translation import gettext_lazy


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your answer"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )


class GradeForm(forms.Form):
    grade = forms.CharField(
        label=gettext_lazy("Grade"),
        max_length=50,
        help_text=gettext_lazy("For example 8/10, or Pass."),
    )
    feedback = forms.CharField(
        label=gettext_lazy("Feedback for the learner"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
