import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.models import AccessLog
from yiyang.exchange.models import ImportJob
from yiyang.exchange.tests.workbook import elder_row, make_workbook
from yiyang.people.tests.factories import ElderFactory


@pytest.fixture
def officer(city):
    return UserFactory(region=city.panlong)


def _upload(client, rows, mode="valid", name="老人.xlsx", content=None):
    content = content if content is not None else make_workbook("elders", rows)
    return client.post(
        reverse("exchange:imports"),
        {"kind": "elders", "mode": mode, "file": SimpleUploadedFile(name, content)},
    )


def test_an_officer_uploads_a_file_and_sees_the_counts_and_the_error_report(client, city, officer):
    client.force_login(officer)
    rows = [elder_row(1, city.panlong_community), elder_row(2, city.panlong_community, address="")]

    response = _upload(client, rows)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page
    assert 'hx-trigger="every 1s"' not in page
    assert 'data-count="created">1<' in page
    assert reverse("exchange:errors", args=[job.pk]) in page

    report = client.get(reverse("exchange:errors", args=[job.pk]))
    assert report.status_code == 200
    load_workbook(io.BytesIO(report.content))
    assert AccessLog.objects.filter(kind="export", entity_type="exchange.importjob").count() == 1


def test_a_bad_file_is_refused_by_the_file_field_without_an_error_page(client, officer):
    client.force_login(officer)

    response = _upload(client, [], name="老人.xlsx", content=b"not a workbook")

    assert response.status_code == 200
    assert 'data-field="file"' in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_progress_fragment_polls_until_the_job_is_finished(client, city, officer):
    job = ImportJob.objects.create(
        kind="elders",
        mode="all",
        file_name="a.xlsx",
        upload=b"",
        actor=officer,
        region_code=officer.region_code,
        status=ImportJob.Status.RUNNING,
        total_rows=400,
        processed_rows=100,
    )
    client.force_login(officer)
    url = reverse("exchange:job_progress", args=[job.pk])

    running = client.get(url, headers={"HX-Request": "true"}).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status="done", processed_rows=400)
    finished = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert 'hx-trigger="every 1s"' in running and f'hx-get="{url}"' in running
    assert "width: 25%" in running
    assert 'hx-trigger="every 1s"' not in finished and "width: 100%" in finished


def test_an_officer_of_the_sibling_district_cannot_open_a_job(client, city, officer):
    client.force_login(officer)
    _upload(
        client,
        [elder_row(1, city.panlong_community), elder_row(2, city.panlong_community, name="")],
    )
    job = ImportJob.objects.get()
    outsider = UserFactory(region=city.wuhua)
    client.force_login(outsider)

    for name in ("exchange:job", "exchange:job_progress", "exchange:errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert job.file_name not in client.get(reverse("exchange:imports")).content.decode()


def test_the_import_page_lists_templates_and_exports_and_is_closed_to_caregivers(
    client, city, officer
):
    client.force_login(officer)
    page = client.get(reverse("exchange:imports")).content.decode()
    for kind in ("elders", "organisations"):
        assert reverse("exchange:template", args=[kind]) in page
        assert reverse("exchange:export", args=[kind]) in page
    # service items belong to the civil-affairs officer only among these roles
    health = UserFactory(region=city.panlong, role=Role.HEALTH)
    client.force_login(health)
    assert (
        reverse("exchange:template", args=["service_items"])
        not in client.get(reverse("exchange:imports")).content.decode()
    )

    client.force_login(UserFactory(region=city.panlong, role=Role.CAREGIVER))
    assert client.get(reverse("exchange:imports")).status_code == 403


def test_the_export_download_is_scoped(client, city):
    ElderFactory(region=city.panlong_community, name="盘龙人")
    ElderFactory(region=city.wuhua_community, name="五华人")
    client.force_login(UserFactory(region=city.wuhua))

    response = client.get(reverse("exchange:export", args=["elders"]) + "?q=")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].values
    )
    assert [r[0] for r in rows[2:]] == ["五华人"]
    assert client.get(reverse("exchange:export", args=["cats"])).status_code == 404


def test_the_completeness_page_shows_the_districts_and_refuses_outsiders(client, city):
    ElderFactory(region=city.panlong_community, phone="13800000000")
    client.force_login(UserFactory(region=city.city))

    page = client.get(reverse("exchange:completeness"))
    drill = client.get(reverse("exchange:completeness") + "?region=530103")

    assert page.status_code == 200 and drill.status_code == 200
    assert "?region=530103" in page.content.decode()
    assert 'data-code="530103001"' in drill.content.decode()
    client.force_login(UserFactory(region=city.wuhua))
    assert client.get(reverse("exchange:completeness") + "?region=530103").status_code == 404


def test_the_navigation_offers_the_new_pages_by_capability(client, city, officer):
    client.force_login(officer)
    page = client.get(reverse("exchange:completeness")).content.decode()
    for name in ("marketplace:list", "exchange:imports", "exchange:completeness"):
        assert f'href="{reverse(name)}"' in page


def test_the_export_reads_the_list_filters_and_refuses_caregivers(client, city):
    ElderFactory(region=city.panlong_community, name="盘龙人")
    ElderFactory(region=city.wuhua_community, name="五华人")
    client.force_login(UserFactory(region=city.city))

    response = client.get(reverse("exchange:export", args=["elders"]) + "?region=530103")

    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].values
    )
    assert [r[0] for r in rows[2:]] == ["盘龙人"]
    client.force_login(UserFactory(region=city.panlong, role=Role.CAREGIVER))
    assert client.get(reverse("exchange:export", args=["elders"])).status_code == 403
