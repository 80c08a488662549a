from django import forms


class CourseRequestForm(forms.Form):
    full_name = forms.CharField(label="Course full name", max_length=255)
    short_name = forms.CharField(
        label="Short name", max_length=100, help_text="A short code, unique on the site."
    )
    summary = forms.CharField(
        label="Summary", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    reason = forms.CharField(
        label="Why do you need this course?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to the requester)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
