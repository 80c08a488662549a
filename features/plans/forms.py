from django import forms
from django.utils.translation import gettext_lazy

from features.courses.models import Course
from features.plans.models import Competency, PlanItem

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class PlanForm(forms.Form):
    name = forms.CharField(max_length=200, label=gettext_lazy("Plan name"))
    description = forms.CharField(required=False, widget=TEXTAREA, max_length=2000)
    comment = forms.CharField(
        required=False, max_length=2000, label=gettext_lazy("Note for the other party (optional)")
    )


class ItemForm(forms.Form):
    kind = forms.ChoiceField(choices=PlanItem.Kind.choices, label=gettext_lazy("What to add"))
    course = forms.ModelChoiceField(
        queryset=Course.objects.order_by("full_name"), required=False, label=gettext_lazy("Course")
    )
    competency = forms.ModelChoiceField(
        queryset=Competency.objects.all(), required=False, label=gettext_lazy("Competency")
    )
    name = forms.CharField(required=False, max_length=200, label=gettext_lazy("Objective name"))
    description = forms.CharField(
        required=False,
        widget=TEXTAREA,
        max_length=2000,
        label=gettext_lazy("Objective description"),
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        label=gettext_lazy("Comment on this item for your manager (optional)"),
    )


class CommentForm(forms.Form):
    comment = forms.CharField(max_length=2000, widget=TEXTAREA, label=gettext_lazy("Your comment"))


class ItemEditForm(forms.Form):
    due_at = forms.DateTimeField(
        required=False,
        label=gettext_lazy("Due"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    name = forms.CharField(required=False, max_length=200)
    description = forms.CharField(required=False, max_length=2000)
    comment = forms.CharField(required=False, max_length=2000)
