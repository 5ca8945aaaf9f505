"""ImpactLink moves here from `recommendations`, beside the draft recommendations it links, with its
table: created in a new database, taken over as it is in one that ran recommendations 0002-0003."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from upr.migration_operations import CreateModelOrAdoptTable, relabel_content_types


class Migration(migrations.Migration):

    dependencies = [
        ('coalitions', '0002_engagement_statement'),
        ('recommendations', '0007_shared_coalition_reading'),
        ('submissions', '0008_sanitised_html_fields'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        CreateModelOrAdoptTable(
            name='ImpactLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decision', models.CharField(choices=[('confirmed', 'Confirmed'), ('rejected', 'Rejected')], max_length=10, verbose_name='decision')),
                ('decided_at', models.DateTimeField(auto_now=True)),
                ('coalition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='coalitions.coalition')),
                ('decided_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('draft', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='impact_links', to='submissions.draftrecommendation')),
                ('recommendation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='recommendations.recommendation')),
            ],
            options={
                'db_table': 'recommendations_impactlink',
                'constraints': [models.UniqueConstraint(fields=('draft', 'recommendation'), name='one_impact_decision')],
            },
        ),
        relabel_content_types('recommendations', 'submissions', ['impactlink']),
    ]
