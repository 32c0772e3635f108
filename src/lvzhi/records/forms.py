"""Entry forms generated from a record type's columns; values go through the same cell rules as imports."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from . import cells
from .registry import RecordType

_LONG_TEXT = 300  # text fields longer than this get a textarea


def _form_field(rt: RecordType, column, creating: bool) -> forms.Field | None:
    kind = cells.kind_of(rt, column)
    label = rt.header(column)
    required = rt.is_required(column)
    help_text = column.help
    if column.creatable_only and not creating:
        return None
    if kind == "choice":
        f = rt.model_field(column.field)
        choices = ([] if required else [("", "—")]) + [(str(label_), str(label_)) for _, label_ in f.flatchoices]
        return forms.ChoiceField(label=label, required=required, choices=choices, help_text=help_text)
    if kind == "bool":
        return forms.BooleanField(label=label, required=False, help_text=help_text)
    if kind in ("date", "datetime"):
        return forms.CharField(label=label, required=required, help_text=help_text,
                               widget=forms.DateInput(attrs={"type": "date"}))
    if kind in ("int", "decimal"):
        return forms.CharField(label=label, required=required, help_text=help_text,
                               widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    if kind == "file":
        return None
    if kind in ("people", "records"):
        return forms.CharField(label=label, required=required,
                               help_text=help_text or "多个用顿号“、”分隔；可写姓名、工号或“姓名（工号）”",
                               widget=forms.Textarea(attrs={"rows": 2, "data-lookup": kind}))
    if kind in ("unit", "person", "party_org", "record"):
        return forms.CharField(label=label, required=required,
                               help_text=help_text or "可写名称、编码或“名称（编码）”",
                               widget=forms.TextInput(attrs={"data-lookup": kind, "list": f"datalist-{kind}"}))
    max_length = getattr(rt.model_field(column.field), "max_length", None) if not rt.is_virtual(column) else None
    widget = forms.Textarea(attrs={"rows": 4}) if not max_length or max_length > _LONG_TEXT else forms.TextInput()
    return forms.CharField(label=label, required=required, help_text=help_text, widget=widget, strip=True)


def form_class(rt: RecordType, *, creating: bool) -> type[forms.Form]:
    """The type's entry form (a new record, or an edit: fields for creation only left out), built once and kept as
    ``rt.generated.form_create`` / ``rt.generated.form_edit``."""
    if creating:
        if rt.generated.form_create is None:
            rt.generated.form_create = _build_form(rt, creating=True)
        return rt.generated.form_create
    if rt.generated.form_edit is None:
        rt.generated.form_edit = _build_form(rt, creating=False)
    return rt.generated.form_edit


def _build_form(rt: RecordType, *, creating: bool) -> type[forms.Form]:
    fields = {}
    for column in rt.columns:
        f = _form_field(rt, column, creating)
        if f is not None:
            fields[column.field] = f
    # An edit must say which version it was made on: without it a save could silently overwrite a concurrent one.
    fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        """Parse every field with the import rules; the resolved values land in ``self.record_data``."""
        forms.Form.clean(self)
        if not creating and self.cleaned_data.get("version") is None:  # shown above the form (the field is hidden)
            self.add_error(None, "表单缺少版本号（可能是旧页面或被截断的提交）：请刷新页面后重新修改，以免覆盖他人的修改。")
        resolver = cells.Resolver(self.scope)
        data = {}
        for column in rt.columns:
            if column.field not in self.fields:
                continue
            raw = self.cleaned_data.get(column.field)
            if cells.kind_of(rt, column) == "bool":
                raw = "是" if raw else "否"
            try:
                data[column.field] = cells.resolve_value(resolver, cells.parse_cell(rt, column, raw))
            except cells.CellError as exc:
                self.add_error(column.field, str(exc))
        self.record_data = data
        return self.cleaned_data

    def __init__(self, *args, scope=None, **kwargs):
        forms.Form.__init__(self, *args, **kwargs)
        self.scope = scope

    name = f"{rt.model.__name__}{'Create' if creating else 'Edit'}Form"
    return type(name, (forms.Form,), {**fields, "clean": clean, "__init__": __init__})


def initial_for(rt: RecordType, obj) -> dict:
    initial = {"version": obj.version if hasattr(obj, "version") else None}
    for column in rt.columns:
        value = cells.format_cell(rt, column, obj)
        if cells.kind_of(rt, column) == "bool":
            value = bool(getattr(obj, column.field))
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        initial[column.field] = value
    return initial


def apply_model_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a model's validation errors on the form fields they belong to."""
    if hasattr(exc, "error_dict"):
        for field_name, errors in exc.message_dict.items():
            target = field_name if field_name in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
