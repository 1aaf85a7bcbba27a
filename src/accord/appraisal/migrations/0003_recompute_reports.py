"""Reports kept with appraisals were computed by the old payback rule and lack disbenefits:
clear them, so each is computed afresh (by the current engine) the next time it is shown. The
report is a cache of the stored YAML, not a change of state, so no audit event is written."""

from django.db import migrations


def clear_reports(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("appraisal", "Appraisal").objects.update(report=None, report_version=None)


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0002_deflator_releases")]

    operations = [migrations.RunPython(clear_reports, migrations.RunPython.noop)]
