"""The working plan's models, which moved here from `coalitions` (and the calendar address from
`accounts`) with their tables. In a new database this creates them; in one that ran the old apps'
migrations it takes the tables over as they are, rows and all (upr.migration_operations), and moves
their content types here.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import workplan.models.reminders
from upr.migration_operations import CreateModelOrAdoptTable, relabel_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('coalitions', '0002_engagement_statement'),
        ('recommendations', '0007_shared_coalition_reading'),
        ('submissions', '0009_impactlink'),
        ('upr', '0003_writestamp'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        CreateModelOrAdoptTable(
            name='ReminderSweep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ran_at', models.DateTimeField()),
            ],
            options={
                'db_table': 'coalitions_remindersweep',
            },
        ),
        CreateModelOrAdoptTable(
            name='ReminderPreference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('lead_days', models.JSONField(default=workplan.models.reminders.default_lead_days, verbose_name='days before the deadline')),
                ('delivery', models.CharField(choices=[('single', 'One email per reminder'), ('daily', 'A daily digest'), ('weekly', 'A weekly digest'), ('none', 'No reminders')], default='single', max_length=8, verbose_name='how')),
                ('last_digest_at', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='reminder_preference', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'coalitions_reminderpreference',
            },
        ),
        CreateModelOrAdoptTable(
            name='Task',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='task')),
                ('due_at', models.DateTimeField(verbose_name='due')),
                ('time_zone', models.CharField(default='Europe/Zurich', max_length=64, verbose_name='time zone of the due time')),
                ('all_day', models.BooleanField(default=False, verbose_name='due on the day, no time')),
                ('status', models.CharField(choices=[('open', 'To do'), ('done', 'Done')], default='open', max_length=8, verbose_name='status')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('coalition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='coalitions.coalition')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tasks', to='submissions.document', verbose_name='document')),
                ('engagement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='coalitions.engagement')),
                ('milestone', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tasks', to='coalitions.milestone', verbose_name='milestone')),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='coalitions.memberorganisation', verbose_name='organisation')),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                ('working_group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='coalitions.workinggroup', verbose_name='working group')),
            ],
            options={
                'indexes': [models.Index(fields=['engagement', 'status', 'due_at'], name='task_open_by_due')],
                'db_table': 'coalitions_task',
                'ordering': ['due_at', 'id'],
            },
        ),
        CreateModelOrAdoptTable(
            name='Consultation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('state', 'National consultation held by the State'), ('coalition', 'Preparatory meeting of the coalition')], default='state', max_length=10, verbose_name='kind of meeting')),
                ('held_on', models.DateField(verbose_name='date')),
                ('place', models.CharField(blank=True, max_length=200, verbose_name='place')),
                ('online', models.BooleanField(default=False, verbose_name='online')),
                ('organiser', models.CharField(blank=True, help_text='For a State consultation, the ministry or office that held it.', max_length=200, verbose_name='organiser')),
                ('issues_raised', models.TextField(blank=True, verbose_name='issues raised')),
                ('our_input', models.TextField(blank=True, verbose_name="the coalition's input")),
                ('follow_up', models.TextField(blank=True, verbose_name='follow-up')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('attended', models.ManyToManyField(blank=True, related_name='+', to='coalitions.memberorganisation', verbose_name='member organisations that attended')),
                ('coalition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='coalitions.coalition')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('engagement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consultations', to='coalitions.engagement')),
                ('follow_up_task', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='workplan.task')),
            ],
            options={
                'db_table': 'coalitions_consultation',
                'ordering': ['-held_on', '-id'],
            },
        ),
        CreateModelOrAdoptTable(
            name='AdvocacyMeeting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('venue', models.CharField(choices=[('embassy', 'Embassy in the country'), ('mission', 'Permanent mission in Geneva'), ('capital', "Ministry in the State's capital"), ('other', 'Other contact')], default='embassy', max_length=10, verbose_name='where')),
                ('met_on', models.DateField(verbose_name='date')),
                ('person_met', models.CharField(blank=True, help_text="As you would write it on a card: a name, a title. Diplomats' names are not shared outside the coalition.", max_length=200, verbose_name='person met')),
                ('issues_raised', models.TextField(blank=True, verbose_name='issues raised')),
                ('follow_up', models.TextField(blank=True, verbose_name='follow-up')),
                ('outcome', models.TextField(blank=True, verbose_name='outcome')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('coalition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='coalitions.coalition')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('documents', models.ManyToManyField(blank=True, related_name='+', to='submissions.document', verbose_name='factsheets and documents handed over')),
                ('drafts', models.ManyToManyField(blank=True, related_name='+', to='submissions.draftrecommendation', verbose_name='draft recommendations handed over')),
                ('engagement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='advocacy_meetings', to='coalitions.engagement')),
                ('state', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='upr.state', verbose_name='State met')),
                ('themes', models.ManyToManyField(blank=True, help_text='Used after the review to see whether the State recommended on them.', related_name='+', to='recommendations.theme', verbose_name='themes raised')),
                ('follow_up_task', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='workplan.task')),
            ],
            options={
                'indexes': [models.Index(fields=['engagement', 'state'], name='advocacy_by_state')],
                'db_table': 'coalitions_advocacymeeting',
                'ordering': ['-met_on', '-id'],
            },
        ),
        CreateModelOrAdoptTable(
            name='CalendarFeed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token_hash', models.CharField(max_length=64, unique=True)),
                ('with_coalition_name', models.BooleanField(default=False, verbose_name="coalition's name in event titles")),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('coalition', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='coalitions.coalition')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feeds', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'accounts_calendarfeed',
                'constraints': [models.UniqueConstraint(condition=models.Q(('coalition__isnull', True)), fields=('user',), name='one_personal_feed'), models.UniqueConstraint(condition=models.Q(('coalition__isnull', False)), fields=('coalition',), name='one_feed_per_coalition')],
            },
        ),
        CreateModelOrAdoptTable(
            name='Reminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('deadline', models.CharField(max_length=40)),
                ('due_at', models.DateTimeField()),
                ('lead_days', models.PositiveSmallIntegerField()),
                ('status', models.CharField(choices=[('claimed', 'To send'), ('sent', 'Sent'), ('superseded', 'Not sent: the deadline moved or went')], default='claimed', max_length=10)),
                ('late', models.BooleanField(default=False)),
                ('claimed_at', models.DateTimeField(auto_now_add=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('coalition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='coalitions.coalition')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'coalitions_reminder',
                'indexes': [models.Index(fields=['status', 'claimed_at'], name='reminder_to_send')],
                'constraints': [models.UniqueConstraint(fields=('user', 'deadline', 'due_at', 'lead_days'), name='one_reminder_per_person_deadline_lead')],
            },
        ),
        relabel_content_types('coalitions', 'workplan', ['task', 'consultation', 'advocacymeeting', 'reminder', 'reminderpreference', 'remindersweep']),
        relabel_content_types('accounts', 'workplan', ['calendarfeed']),
    ]
