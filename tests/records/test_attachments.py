"""Attachments: allowed types upload and download; other types and oversized files are refused in Chinese;
whoever cannot read the record cannot fetch its attachments either (404, as if they did not exist)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lvzhi.audit.models import AuditEntry
from lvzhi.org.models import Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry, services
from lvzhi.records.models import Attachment

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% lvzhi test\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _create(key, values):
    return services.create_record(registry.get(key), values, actor="测试", scope=Scope.everything())


@pytest.fixture
def inspection():
    """An inspection of 合成氨厂 (JH01-P01): outside the branch secretary's workshop."""
    return _create("inspection", {"unit": Unit.objects.get(code="JH01-P01"), "kind": "bidding",
                                  "date": dt.date(2023, 5, 8), "title": "附件测试检查"})


def _upload(client, key, pk, name, content):
    return client.post(f"/records/{key}/{pk}/attachments/", {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_an_allowed_file_is_stored_audited_and_downloadable(inspection, client_as):
    c = client_as("jiwei")
    r = _upload(c, "inspection", inspection.pk, "检查记录.pdf", PDF)
    assert "已上传附件“检查记录.pdf”" in r.content.decode()
    att = Attachment.objects.get(object_id=inspection.pk, name="检查记录.pdf")
    assert att.size == len(PDF) and att.uploaded_by.username == "jiwei"
    assert AuditEntry.objects.filter(model="records.attachment", object_id=str(att.pk)).exists()
    r = c.get(f"/records/inspection/{inspection.pk}/attachments/{att.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert "检查记录.pdf" in c.get(f"/records/inspection/{inspection.pk}/").content.decode()


def test_a_disallowed_type_is_refused(inspection, client_as):
    r = _upload(client_as("jiwei"), "inspection", inspection.pk, "工具.exe", b"MZ\x90\x00")
    assert "不支持的附件类型“.exe”" in r.content.decode()
    assert not Attachment.objects.filter(object_id=inspection.pk).exists()


def test_an_oversized_file_is_refused(inspection, client_as, settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    r = _upload(client_as("jiwei"), "inspection", inspection.pk, "扫描件.pdf", PDF + b"0" * (1024 * 1024))
    assert "附件过大（1.0 MB），上限 1 MB。" in r.content.decode()
    assert not Attachment.objects.filter(object_id=inspection.pk).exists()


def test_who_cannot_read_the_record_gets_404_for_its_attachment(inspection, client_as, contact_plant):
    c = client_as("jiwei")
    _upload(c, "inspection", inspection.pk, "检查记录.pdf", PDF)
    att = Attachment.objects.get(object_id=inspection.pk)
    url = f"/records/inspection/{inspection.pk}/attachments/{att.pk}/"
    assert client_as("zhibu").get(url).status_code == 404  # another plant
    assert _upload(client_as("zhibu"), "inspection", inspection.pk, "x.pdf", PDF).status_code == 404

    # A confidential talk: its attachment is as hidden as the talk.
    person = Person.objects.filter(unit__path__startswith=contact_plant.path).first()
    talk = _create("integrity_talk", {"unit": contact_plant, "kind": "admonition", "date": dt.date(2023, 5, 9),
                                      "people": [person], "title": "诫勉谈话"})
    _upload(c, "integrity_talk", talk.pk, "谈话记录.docx", b"PK\x03\x04")
    secret = Attachment.objects.get(object_id=talk.pk, name="谈话记录.docx")
    secret_url = f"/records/integrity_talk/{talk.pk}/attachments/{secret.pk}/"
    assert c.get(secret_url).status_code == 200
    for username in ("dangban", "admin_demo", "chakan"):
        assert client_as(username).get(secret_url).status_code == 404, username
    # … and it cannot be fetched through a record the user may read either.
    assert client_as("dangban").get(f"/records/inspection/{inspection.pk}/attachments/{secret.pk}/").status_code == 404


def test_an_empty_file_is_refused(inspection, client_as):
    r = _upload(client_as("jiwei"), "inspection", inspection.pk, "空白.pdf", b"")
    assert "是空文件（0 字节），未上传" in r.content.decode()
    assert not Attachment.objects.filter(object_id=inspection.pk, name="空白.pdf").exists()
