"""Evidence of an assessment: photos, video (seed 004 records every on-site assessment) and
documents. Each file is recognised by its first bytes (not by its name), stored with its SHA-256,
and checked against it on every download; every download is logged as a sensitive read.

The name the file came with is only shown; the file is stored and served under a name whose
extension is that of its detected type, so that "photo.html" holding a JPEG is saved by the
browser as "photo.jpg" and never opened as a page."""

import datetime as dt
import hashlib
import re

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from yiyang.accounts.models import account_of
from yiyang.core import audit
from yiyang.core.exceptions import NotFound, ValidationFailed
from yiyang.core.scoping import require, scoped_get
from yiyang.core.validation import date_range_message, is_date_in_range

from .errors import EvidenceCorrupt, TransitionRefused
from .models import Evidence
from .services import visible_assessments
from .transitions import CASE

# (magic test, content type, kind)
_SIGNATURES = (
    (lambda b: b.startswith(b"\xff\xd8\xff"), "image/jpeg", Evidence.Kind.PHOTO),
    (lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"), "image/png", Evidence.Kind.PHOTO),
    (lambda b: b[4:8] == b"ftyp" and b[8:12] == b"qt  ", "video/quicktime", Evidence.Kind.VIDEO),
    (lambda b: b[4:8] == b"ftyp", "video/mp4", Evidence.Kind.VIDEO),
    (lambda b: b.startswith(b"\x1a\x45\xdf\xa3"), "video/webm", Evidence.Kind.VIDEO),
    (lambda b: b.startswith(b"%PDF-"), "application/pdf", Evidence.Kind.DOCUMENT),
)

# A queued photo's id from the phone (crypto.randomUUID there).
CLIENT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")

# The extension a file of each detected type is stored and served with.
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "video/quicktime": ".mov",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "application/pdf": ".pdf",
}


def served_name(original_name: str, content_type: str) -> str:
    """The name a download is offered under: the original's stem (without any extension and
    without characters a file system or a header would stumble on) and the detected type's
    extension. The original name itself is display text only."""
    base = (original_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.split(".", 1)[0] if not base.startswith(".") else ""
    stem = "".join(c for c in stem if c.isprintable() and c not in '<>:"|?*;').strip()[:100]
    return (stem or "evidence") + EXTENSIONS.get(content_type, ".bin")


def sniff(head: bytes) -> tuple[str, str] | None:
    for test, content_type, kind in _SIGNATURES:
        if test(head):
            return content_type, kind
    return None


def _check_client_id(client_id: str) -> str:
    client_id = (client_id or "").strip()
    if client_id and not CLIENT_ID.fullmatch(client_id):
        raise ValidationFailed(
            fields={"client_id": _("Up to 64 letters, digits and hyphens.")},
        )
    return client_id


def evidence_add(
    *,
    actor,
    assessment_id: int,
    upload,
    note: str = "",
    client_id: str = "",
    taken_at: dt.datetime | None = None,
) -> Evidence:
    """Attach an uploaded file (a Django UploadedFile or any file object with .name and .size).

    `client_id` is the phone's own id for a queued photo: the same id sent again for the same
    case returns the row it made the first time and stores nothing (the phone may not have heard
    the first answer). `taken_at` is the phone's clock when the photo was queued."""
    require(actor, "assessments.view")
    case = scoped_get(visible_assessments(actor), actor, pk=assessment_id)
    client_id = _check_client_id(client_id)
    if taken_at is not None and not is_date_in_range(taken_at):
        raise ValidationFailed(fields={"taken_at": date_range_message()})
    if client_id:
        sent = Evidence.objects.filter(assessment=case, client_id=client_id).first()
        if sent is not None:
            return sent
    try:
        CASE.check(actor, case, "add_evidence")
    except TransitionRefused as exc:
        raise TransitionRefused(
            _("Evidence can no longer be added: the case is %(status)s.")
            % {"status": case.get_status_display()},
            field="file",
        ) from exc
    if upload is None or not getattr(upload, "size", 0):
        raise ValidationFailed(fields={"file": _("Choose a file; it is empty or missing.")})
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationFailed(
            fields={
                "file": _("The file is %(size)s; at most %(limit)s is accepted.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    kind = sniff(head)
    if kind is None:
        raise ValidationFailed(
            fields={
                "file": _("Only JPEG or PNG photos, MP4, MOV or WebM video, and PDF are accepted.")
            }
        )
    content_type, evidence_kind = kind
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    name = (getattr(upload, "name", "") or "evidence").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        row = Evidence(
            assessment=case,
            round=case.round,
            kind=evidence_kind,
            original_name=name,
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            note=(note or "").strip()[:200],
            uploaded_by=account_of(actor),
            client_id=client_id,
            taken_at=taken_at,
        )
        # The stored name carries no personal data; the original name is kept in the row.
        row.file.save(f"{digest.hexdigest()[:32]}{EXTENSIONS[content_type]}", upload, save=False)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            # The same queued photo arrived twice at once: the other request stored it.
            row.file.delete(save=False)
            if client_id:
                sent = Evidence.objects.filter(assessment=case, client_id=client_id).first()
                if sent is not None:
                    return sent
            raise
        audit.record_change(
            actor=actor,
            entity=case,
            action="update",
            note="evidence added",
            changes={"evidence_file": [None, name]},
        )
    return row


def evidence_open(*, actor, evidence_id: int, ip: str | None = None, channel: str = "web"):
    """The evidence row and its open file, after checking its checksum; the read is logged."""
    require(actor, "assessments.view")
    try:
        row = Evidence.objects.get(pk=evidence_id)
    except (Evidence.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    case = scoped_get(visible_assessments(actor), actor, pk=row.assessment_id)
    audit.record_read(
        actor=actor,
        kind="evidence",
        entity=row,
        region_code=case.region_code,
        channel=channel,
        ip=ip,
        label=f"{case.number} {row.original_name}",
    )
    digest = hashlib.sha256()
    with row.file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != row.sha256:
        raise EvidenceCorrupt(
            _("The stored file no longer matches the checksum taken at upload; report it.")
        )
    return row, row.file.open("rb")


def evidence_store_bytes(*, actor, assessment_id: int, name: str, data: bytes, note: str = ""):
    """Attach bytes (used by the demo city and by importers)."""
    upload = ContentFile(data, name=name)
    return evidence_add(actor=actor, assessment_id=assessment_id, upload=upload, note=note)
