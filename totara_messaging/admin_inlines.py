"""Tabular inlines whose inputs are named for assistive technologies.

Django's tabular inline shows each field's label once, as a column header that is not tied to the
inputs in the rows, so a screen reader meets unnamed fields (axe: label, select-name). Each
input here gets an aria-label naming its column and its row.
"""

from django.contrib import admin
from django.utils.translation import gettext as _


def _label_fields(form, row: str) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault("aria-label", f"{field.label}: {row}")


class _LabelledRows:
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        row = (
            str(form.instance) if form.instance.pk else _("new row %(number)d") % {"number": i + 1}
        )
        _label_fields(form, row)
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        _label_fields(form, _("new row"))
        return form


class LabelledTabularInline(admin.TabularInline):
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (_LabelledRows, formset), {})
