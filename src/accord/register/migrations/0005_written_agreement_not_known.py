"""A written collaboration agreement becomes yes, no or not known.

Existing "no" values become "not known". The field could not say "not known" before: an
unticked box on the form, a blank cell in an import and the demo's `written_agreement: null`
(the sources do not say) were all stored as False, so a False says only that nobody recorded
a yes. Reading it as "no" would flag "no written agreement" on records whose answer nobody
gave; reading it as "not known" flags "agreement not recorded" until someone answers. Yes
stays yes.
"""

from django.db import migrations, models


def false_is_not_known(apps, schema_editor):
    Collaboration = apps.get_model("register", "Collaboration")
    Collaboration.objects.filter(has_written_agreement=False).update(has_written_agreement=None)


def not_known_is_false(apps, schema_editor):
    Collaboration = apps.get_model("register", "Collaboration")
    Collaboration.objects.filter(has_written_agreement__isnull=True).update(
        has_written_agreement=False
    )


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0004_list_title_covering_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="collaboration",
            name="has_written_agreement",
            field=models.BooleanField(blank=True, default=None, null=True),
        ),
        migrations.RunPython(false_is_not_known, not_known_is_false),
    ]
