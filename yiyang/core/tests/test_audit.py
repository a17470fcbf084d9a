"""The audit trail is append-only: the models refuse to change a row, and on PostgreSQL a
trigger refuses even a raw UPDATE or DELETE."""

import pytest
from django.db import DatabaseError, connection, transaction

from yiyang.accounts.tests.factories import UserFactory
from yiyang.core import audit
from yiyang.core.models import AccessLog, AppendOnlyError, ChangeLog
from yiyang.people.tests.factories import ElderFactory


@pytest.fixture
def rows(city):
    officer = UserFactory(region=city.panlong)
    elder = ElderFactory(region=city.panlong_community)
    change = audit.record_change(actor=officer, entity=elder, action="create")
    read = audit.record_read(actor=officer, kind="id_number", entity=elder, reason="check")
    return change, read


def test_an_audit_row_cannot_be_saved_again(rows):
    for row in rows:
        row.entity_label = "rewritten"
        with pytest.raises(AppendOnlyError):
            row.save()


def test_an_audit_row_cannot_be_deleted(rows):
    for row in rows:
        with pytest.raises(AppendOnlyError):
            row.delete()
    assert ChangeLog.objects.count() == 1 and AccessLog.objects.count() == 1


def test_a_row_keeps_who_when_and_what(rows, city):
    change, read = rows
    assert change.actor_label and change.at and change.region_code == city.panlong_community.code
    assert read.reason == "check" and read.kind == "id_number"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_changelog SET note = 'rewritten'",
        "DELETE FROM core_changelog",
        "UPDATE core_accesslog SET reason = 'rewritten'",
        "DELETE FROM core_accesslog",
    ],
)
def test_the_database_refuses_a_raw_update_or_delete(rows, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert ChangeLog.objects.filter(note="rewritten").count() == 0
    assert ChangeLog.objects.count() == 1 and AccessLog.objects.count() == 1


def test_queryset_updates_and_deletes_are_refused_on_every_database(rows):
    with pytest.raises(AppendOnlyError):
        ChangeLog.objects.update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        ChangeLog.objects.filter(pk__gt=0).update(note="rewritten")
    assert ChangeLog.objects.filter(note="rewritten").count() == 0
    assert AccessLog.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_the_database_refuses_an_update_that_skips_the_orm_entirely(rows):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_changelog SET note = 'rewritten'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_accesslog")
