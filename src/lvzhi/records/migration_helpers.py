"""Helpers for data migrations that give existing records their visible numbers (JC-2022-0012 …)."""

from __future__ import annotations

from collections import defaultdict

from django.db import migrations, models


def number_existing(model_name: str, prefix: str, date_field: str):
    """A RunPython function numbering existing rows per year in date order (ids break ties)."""

    def forward(apps, schema_editor):
        model = apps.get_model(model_name)
        seq: dict[int, int] = defaultdict(int)
        batch = []
        for pk, day in model.objects.order_by(date_field, "pk").values_list("pk", date_field).iterator(chunk_size=2000):
            year = day.year if day else 0
            seq[year] += 1
            batch.append(model(pk=pk, number=f"{prefix}-{year:04d}-{seq[year]:04d}"))
            if len(batch) >= 2000:
                model.objects.bulk_update(batch, ["number"])
                batch = []
        if batch:
            model.objects.bulk_update(batch, ["number"])

    return forward


def add_number(app_label: str, model: str, label: str, prefix: str, date_field: str) -> list:
    """Add the field without uniqueness, number the rows, then make it unique."""
    help_text = f"留空时由系统编号，如 {prefix}-2022-0012"
    return [
        migrations.AddField(model, "number", models.CharField(label, max_length=32, blank=True, default="",
                                                              help_text=help_text), preserve_default=False),
        migrations.RunPython(number_existing(f"{app_label}.{model}", prefix, date_field), migrations.RunPython.noop),
        migrations.AlterField(model, "number", models.CharField(label, max_length=32, unique=True, blank=True,
                                                                help_text=help_text)),
    ]
