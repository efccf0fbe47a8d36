"""Uploaded files: kept on disk, found again by file_id, served for download."""

from __future__ import annotations

import hashlib
import mimetypes
import secrets
import struct
from pathlib import Path, PurePosixPath

from sandbox._errors import BadRequest, EntityTooLarge
from sandbox._params import Upload
from sandbox._state import State
from sandbox.model import StoredFile

UPLOAD_LIMIT = 50 * 1024 * 1024  # bots may upload up to 50 MB
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # and download up to 20 MB with getFile

_IMAGE_TYPES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


class FileStore:
    def __init__(self, root: Path, state: State) -> None:
        self.root = root
        self.state = state
        root.mkdir(parents=True, exist_ok=True)

    def save(self, upload: Upload, kind: str) -> StoredFile:
        """Keep an upload (as a photo or a document) and describe it."""
        if len(upload.data) > UPLOAD_LIMIT:
            raise EntityTooLarge()
        if not upload.data:
            raise BadRequest("file must be non-empty")
        image_type = sniff_image(upload.data)
        if kind == "photo" and image_type is None:
            raise BadRequest("IMAGE_PROCESS_FAILED")
        unique = hashlib.sha256(upload.data).hexdigest()[:16]
        name = PurePosixPath(upload.filename or "file").name or "file"
        mime = image_type or _guess_type(name, upload.content_type)
        suffix = PurePosixPath(name).suffix or (mimetypes.guess_extension(mime) or "")
        folder = "photos" if kind == "photo" else "documents"
        path = f"{folder}/{unique}{suffix}"
        target = self.root / path
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(upload.data)
        width, height = image_size(upload.data) if image_type else (0, 0)
        stored = StoredFile(
            file_id=f"{kind[:3].upper()}{secrets.token_urlsafe(18)}",
            file_unique_id=unique,
            kind=kind,
            file_size=len(upload.data),
            mime_type=mime,
            file_name=name,
            path=path,
            width=width,
            height=height,
        )
        self.state.put_file(stored)
        return stored

    def resolve(self, file_id: str) -> StoredFile:
        stored = self.state.files.get(file_id)
        if stored is None:
            if file_id.startswith(("http://", "https://")):
                raise BadRequest("failed to get HTTP URL content (the sandbox is offline)")
            raise BadRequest("wrong file identifier/HTTP URL specified")
        return stored

    def by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.state.files.values() if f.path == path), None)

    def disk_path(self, stored: StoredFile) -> Path:
        return self.root / stored.path


def _guess_type(name: str, declared: str) -> str:
    if declared and declared != "application/octet-stream":
        return declared
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def sniff_image(data: bytes) -> str | None:
    for magic, mime in _IMAGE_TYPES.items():
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG (1x1 when the header is unusual)."""
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"GIF") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                break
            marker = data[index + 1]
            length = struct.unpack(">H", data[index + 2 : index + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return 1, 1
