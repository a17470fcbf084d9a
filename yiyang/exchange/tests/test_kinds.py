"""The kinds of data are what the apps declare: a new kind is imported, refused and reported by
the engine without a migration or a line of the engine changed."""

from django.utils.translation import gettext_lazy as _

from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.models import ChangeLog
from yiyang.exchange import kinds
from yiyang.exchange.cells import parse_row
from yiyang.exchange.columns import DATE, Column
from yiyang.exchange.importers import BatchResult, Importer
from yiyang.exchange.models import ImportJob
from yiyang.exchange.services import import_create
from yiyang.exchange.tests.workbook import make_workbook

NOTES = (Column("note", "备注", required=True, help=_("A note.")), Column("day", "日期", DATE))


class NoteImporter(Importer):
    """A kind an app might add later: it only records each note in the history."""

    kind = "notes"
    columns = NOTES

    def process(self, rows, *, write):
        result = BatchResult()
        for number, raw in rows:
            values, errors = parse_row(self.columns, self.layout, raw)
            if not values["note"]:
                errors["note"] = "写一条备注"
            if errors:
                self.reject(result, number, raw, errors)
                continue
            result.created += 1
            if write:
                user = self.job.actor
                ChangeLog.objects.create(
                    actor=user,
                    actor_label=user.audit_label,
                    entity_type="accounts.user",
                    entity_id=user.pk,
                    action="update",
                    note=values["note"],
                    region_code=user.region_code,
                )
        return result


def test_the_kind_column_takes_any_declared_kind_without_a_migration():
    assert not ImportJob._meta.get_field("kind").choices


def test_a_kind_an_app_declares_is_imported_by_the_engine(city, monkeypatch):
    # given an app declaring a new kind of sheet, importable by officers
    kind = kinds.DataKind(
        key="notes",
        label="Notes",
        columns=NOTES,
        sheet_title="备注",
        file_stem="notes",
        importer=NoteImporter,
        import_capabilities=("imports.run",),
    )
    monkeypatch.setitem(kinds._kinds, "notes", kind)
    officer = UserFactory(region=city.panlong)
    assert "notes" in {k.key for k in kinds.importable(officer)}
    # when an officer uploads a sheet of it with one bad row
    content = make_workbook(
        "notes", [{"note": "第一条"}, {"note": "", "day": "2026-01-02"}, {"note": "第三条"}]
    )
    job = import_create(
        actor=officer, kind="notes", mode="valid", file_name="notes.xlsx", content=content
    )
    # then the good rows are written and the bad one reported, by the engine as for any kind
    assert (job.status, job.created_count, job.error_count) == ("done", 2, 1)
    assert set(ChangeLog.objects.values_list("note", flat=True)) >= {"第一条", "第三条"}
    assert job.kind_label == "Notes"
