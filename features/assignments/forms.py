from django import forms


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label="Your answer", widget=forms.Textarea(attrs={"rows": 10}), required=False
    )


class GradeForm(forms.Form):
    grade = forms.CharField(label="Grade", max_length=50, help_text="For example 8/10, or Pass.")
    feedback = forms.CharField(
        label="Feedback for the learner", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
