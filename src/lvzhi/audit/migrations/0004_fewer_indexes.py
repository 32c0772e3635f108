"""The audit table loses indexes no query reads (written on every entry; an import writes one per record): model
and object_id alone (audit_object_idx serves both), and the LIKE index PostgreSQL adds for a unique CharField
(hash: its uniqueness is kept as a constraint)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_keyed_chain'),
        ('org', '0005_end_date_is_last_day'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(max_length=64, verbose_name='哈希'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='model',
            field=models.CharField(max_length=100, verbose_name='对象类型'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='object_id',
            field=models.CharField(max_length=64, verbose_name='对象编号'),
        ),
        migrations.AddConstraint(
            model_name='auditentry',
            constraint=models.UniqueConstraint(fields=('hash',), name='audit_hash_unique'),
        ),
    ]
