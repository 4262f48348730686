from django.db import migrations


class Migration(migrations.Migration):
    """The stored answer of a report is its ``answer``: ``result`` now says whether the deployment succeeded."""

    dependencies = [
        ('openedx_cc', '0009_exact_ids_and_environments'),
    ]

    operations = [
        migrations.RenameField(model_name='deployment', old_name='result', new_name='answer'),
    ]
