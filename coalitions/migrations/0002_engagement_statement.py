"""The engagement's oral statement and webcast fields, which were added by 0005 alongside models that
have since moved to `workplan`.

Migrations 0002-0007 of this app used to create the reminders, tasks, consultations and advocacy
meetings, and so depended on `submissions` while `submissions` depended on this app (a braid). Those
models now belong to `workplan`, whose migration 0001 creates them in a new database and takes their
tables over in an existing one. `replaces` lets a database that applied 0002-0007 count this one as
applied; what it held for this app is below.
"""
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [
        ('coalitions', '0002_reminders'),
        ('coalitions', '0003_digest'),
        ('coalitions', '0004_tasks'),
        ('coalitions', '0005_consultations_advocacy'),
        ('coalitions', '0006_reminder_sweep'),
        ('coalitions', '0007_task_all_day'),
    ]

    dependencies = [
        ('coalitions', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='engagement',
            name='oral_statement',
            field=models.CharField(choices=[('undecided', 'Not decided yet'), ('planned', 'We will sign up'), ('signed_up', 'Signed up: slot obtained'), ('no_slot', 'Signed up too late: no slot'), ('none', 'We will not speak')], default='undecided', max_length=12, verbose_name='oral statement at the adoption'),
        ),
        migrations.AddField(
            model_name='engagement',
            name='oral_statement_by',
            field=models.ForeignKey(blank=True, help_text='It needs ECOSOC consultative status, or to speak with one that has it.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='coalitions.memberorganisation', verbose_name='organisation signing up to speak'),
        ),
        migrations.AddField(
            model_name='engagement',
            name='oral_statement_slot',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(10)], verbose_name='slot obtained (1 to 10)'),
        ),
        migrations.AddField(
            model_name='engagement',
            name='webcast_url',
            field=models.URLField(blank=True, help_text="The review and the adoption are broadcast on UN Web TV (webtv.un.org): paste the link to the State's dialogue.", verbose_name='webcast of the review'),
        ),
    ]
