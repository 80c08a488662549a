from django import forms

from features.courses.models import Course
from features.plans.models import Competency, PlanItem

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class PlanForm(forms.Form):
    name = forms.CharField(max_length=200, label="Plan name")
    description = forms.CharField(required=False, widget=TEXTAREA, max_length=2000)
    comment = forms.CharField(
        required=False, max_length=2000, label="Note for the other party (optional)"
    )


class ItemForm(forms.Form):
    kind = forms.ChoiceField(choices=PlanItem.Kind.choices, label="What to add")
    course = forms.ModelChoiceField(
        queryset=Course.objects.order_by("full_name"), required=False, label="Course"
    )
    competency = forms.ModelChoiceField(
        queryset=Competency.objects.all(), required=False, label="Competency"
    )
    name = forms.CharField(required=False, max_length=200, label="Objective name")
    description = forms.CharField(
        required=False, widget=TEXTAREA, max_length=2000, label="Objective description"
    )
    comment = forms.CharField(
        required=False, max_length=2000, label="Comment on this item for your manager (optional)"
    )


class CommentForm(forms.Form):
    comment = forms.CharField(max_length=2000, widget=TEXTAREA, label="Your comment")


class ItemEditForm(forms.Form):
    due_at = forms.DateTimeField(
        required=False,
        label="Due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    name = forms.CharField(required=False, max_length=200)
    description = forms.CharField(required=False, max_length=2000)
    comment = forms.CharField(required=False, max_length=2000)
