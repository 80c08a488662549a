from django import forms
from django.utils.translation import gettext_lazy


class CourseRequestForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Course full name"), max_length=255)
    short_name = forms.CharField(
        label=gettext_lazy("Short name"),
        max_length=100,
        help_text=gettext_lazy("A short code, unique on the site."),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("Why do you need this course?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (sent to the requester)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
