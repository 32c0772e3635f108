"""Run in a fresh process with its own database (see test_backup.py): back up, then try to restore damaged and
tampered backups — each must be refused with the live database and media byte-identical — then restore a good
one (plain and encrypted) over changed data and compare. Prints one ``OK <case>`` line per case that held."""

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
import tempfile
import traceback
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lvzhi.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import CommandError, call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from lvzhi.audit.services import verify_trail  # noqa: E402
from lvzhi.backup.crypto import Secret  # noqa: E402
from lvzhi.backup.services import BackupError, backup, restore, table_checksums  # noqa: E402
from lvzhi.org.scoping import Scope  # noqa: E402
from lvzhi.records import registry  # noqa: E402
from lvzhi.records.models import Attachment  # noqa: E402
from lvzhi.records.services import attach_file, create_record  # noqa: E402

work = Path(sys.argv[1])
call_command("migrate", verbosity=0)
scope = Scope.everything()
unit = create_record(registry.get("unit"), {"code": "T1", "name": "测试公司", "kind": "company"}, actor="测试", scope=scope)
person = create_record(registry.get("person"), {"code": "T0001", "name": "张三", "gender": "male", "unit": unit},
                       actor="测试", scope=scope)
attach_file(registry.get("person"), person, SimpleUploadedFile("任职文件.pdf", b"%PDF-1.4 test"), actor="测试", scope=scope)
attach_file(registry.get("person"), person, SimpleUploadedFile("照片.png", b"\x89PNG fake"), actor="测试", scope=scope)
SQLITE = connection.vendor == "sqlite"
good = work / "good.tar.gz"
backup(good)
assert stat.S_IMODE(good.stat().st_mode) == 0o600, oct(good.stat().st_mode)
print("OK mode-0600", flush=True)


def live_state():
    """What "untouched" means: SQLite — the bytes of the database file (and its log); PostgreSQL — which database
    holds the name (its oid) and every table's checksum; both — every media file's bytes."""
    media = Path(settings.MEDIA_ROOT)
    files = {p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(media.rglob("*")) if p.is_file()}
    if SQLITE:
        name = settings.DATABASES["default"]["NAME"]
        db = {s: hashlib.sha256(Path(name + s).read_bytes()).hexdigest() for s in ("", "-wal")
              if Path(name + s).exists()}
    else:
        with connection.cursor() as cur:
            cur.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
            db = {"oid": cur.fetchone()[0], "tables": table_checksums()}
        connections.close_all()
    return {"db": db, "media": files}


def repack(source: Path, target: Path, change) -> None:
    """Unpack a backup, let ``change`` edit the folder, pack it again with a fresh (valid) gzip stream."""
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(source, "r:gz") as tar:
            tar.extractall(tmp, filter="data")
        change(Path(tmp))
        with tarfile.open(target, "w:gz") as tar:
            for p in sorted(Path(tmp).iterdir()):
                tar.add(p, arcname=p.name)


def set_manifest(folder: Path, **changes):
    m = json.loads((folder / "manifest.json").read_text())
    for k, v in changes.items():
        m[k] = v(m) if callable(v) else v
    (folder / "manifest.json").write_text(json.dumps(m))


def rehash_db(folder: Path):
    db = next(p for p in folder.iterdir() if p.name.startswith("database."))
    set_manifest(folder, database=lambda m: {**m["database"], "sha256": hashlib.sha256(db.read_bytes()).hexdigest()})


def tamper_row(folder: Path, also_rehash: bool):
    """Change one person's name inside the backed-up database."""
    if SQLITE:
        con = sqlite3.connect(folder / "database.sqlite3")
        con.execute("UPDATE org_person SET name = '李四' WHERE code = 'T0001'")
        con.commit()
        con.close()
    else:  # a custom-format dump cannot be edited in place: load it, change the row, dump it again
        import psycopg

        db = settings.DATABASES["default"]
        base = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}"
        name = db["NAME"] + "_tamper"
        with psycopg.connect(base + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
        args = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
        subprocess.run(["pg_restore", *args, "--no-owner", "-d", name, str(folder / "database.pgdump")], check=True)
        with psycopg.connect(f"{base}/{name}", autocommit=True) as c:
            c.execute("UPDATE org_person SET name = '李四' WHERE code = 'T0001'")
        subprocess.run(["pg_dump", *args, "-Fc", "-f", str(folder / "database.pgdump"), name], check=True)
        with psycopg.connect(base + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    if also_rehash:
        rehash_db(folder)


def swap_attachment(folder: Path):
    f = next(p for p in (folder / "media").rglob("*.pdf"))
    f.write_bytes(b"%PDF-1.4 forged")


def add_attachment(folder: Path):
    (next((folder / "media").rglob("*.pdf")).parent / "extra.pdf").write_bytes(b"%PDF extra")


def flip(source: Path, target: Path, at: float = 0.5):
    data = bytearray(source.read_bytes())
    data[int(len(data) * at)] ^= 0x01
    target.write_bytes(bytes(data))


def truncate(source: Path, target: Path):
    data = source.read_bytes()
    target.write_bytes(data[: len(data) * 2 // 3])


key = Secret.new_key_file(work / "backup.key")
encrypted = work / "enc.tar.gz.lvzhi"
backup(encrypted, key)
assert stat.S_IMODE(encrypted.stat().st_mode) == 0o600
with_pass = work / "pass.tar.gz.lvzhi"
backup(with_pass, Secret(passphrase="正确的口令-2022"))

bad = {}
flip(good, work / "flipped.tar.gz")
bad["flipped-byte"] = (work / "flipped.tar.gz", None, "CRC")
truncate(good, work / "cut.tar.gz")
bad["truncated"] = (work / "cut.tar.gz", None, "不完整")
repack(good, work / "row.tar.gz", lambda d: tamper_row(d, also_rehash=False))
bad["tampered-row"] = (work / "row.tar.gz", None, "数据库文件与清单的校验和不符")
repack(good, work / "row2.tar.gz", lambda d: tamper_row(d, also_rehash=True))
bad["tampered-row-rehashed-file"] = (work / "row2.tar.gz", None, "org_person")
repack(good, work / "att.tar.gz", swap_attachment)
bad["swapped-attachment"] = (work / "att.tar.gz", None, "被替换或改动")
repack(good, work / "extra.tar.gz", add_attachment)
bad["added-attachment"] = (work / "extra.tar.gz", None, "不在清单中")
repack(good, work / "manifest.tar.gz", lambda d: set_manifest(d, vendor="oracle"))
bad["other-vendor"] = (work / "manifest.tar.gz", None, "oracle")
flip(encrypted, work / "enc-flipped", 0.6)
bad["encrypted-flipped-byte"] = (work / "enc-flipped", key, "被改动")
bad["encrypted-no-key"] = (encrypted, None, "已加密")
bad["wrong-passphrase"] = (with_pass, Secret(passphrase="错误的口令-2022"), "口令或密钥文件不对")
(work / "notes.txt").write_text("这不是备份")
bad["not-a-backup"] = (work / "notes.txt", None, "不是 lvzhi 的备份")

before = live_state()
for case, (path, secret, expected) in bad.items():
    try:
        restore(path, secret)
    except BackupError as exc:
        message = str(exc)
    except Exception:  # noqa: BLE001 — any other exception is a failure of this case
        print(f"FAIL {case}: {traceback.format_exc()}", flush=True)
        continue
    else:
        print(f"FAIL {case}: restored", flush=True)
        continue
    after = live_state()
    if after != before:
        print(f"FAIL {case}: live data changed: {message}", flush=True)
        break
    if expected not in message:
        print(f"FAIL {case}: message {message!r}", flush=True)
        continue
    print(f"OK {case} {message}", flush=True)

# the command line: a Chinese message, no traceback (CommandError), and still nothing touched
try:
    call_command("restore", str(work / "flipped.tar.gz"), yes=True)
except CommandError as exc:
    assert "CRC" in str(exc) and live_state() == before
    print("OK command-error", flush=True)

# good backups restore over changed data: a new record, a deleted attachment file
original = table_checksums()


def damage():
    create_record(registry.get("person"), {"code": "T0002", "name": "李四", "gender": "male", "unit": unit},
                  actor="测试", scope=scope)
    os.remove(Attachment.objects.order_by("pk").first().file.path)


for case, path, secret in (("plain", good, None), ("key-file", encrypted, key),
                           ("passphrase", with_pass, Secret(passphrase="正确的口令-2022"))):
    damage()
    assert table_checksums() != original
    done = restore(path, secret)
    after = table_checksums()
    differing = [t for t in original if original[t] != after.get(t) and t != "audit_auditentry"]
    assert not differing, differing
    assert verify_trail().ok, verify_trail().reason
    att = Attachment.objects.order_by("pk").first()
    assert open(att.file.path, "rb").read() == b"%PDF-1.4 test"
    assert Path(done.kept_media).exists()
    if SQLITE:
        assert Path(done.kept_database).exists()
    print(f"OK roundtrip-{case}", flush=True)
print("ALL-DONE", flush=True)
