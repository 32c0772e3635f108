"""Static files: hashed names (``app.3f9c1e2a7b4d.css``) and gzip copies made by ``collectstatic``, so a browser or
the reverse proxy may keep each file for a year — a new release has new names. ``lvzhi init``, ``lvzhi demo``
and ``lvzhi serve`` run collectstatic.

Before any collectstatic (tests, ``manage.py runserver`` on a fresh checkout) there is no manifest: pages then
link the plain names, which WhiteNoise serves from the apps' folders. Once a manifest exists, a name missing
from it is an error, as in Django.
"""

from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def url(self, name, force=False):
        if not self.hashed_files:  # no manifest when this process started: the plain name
            return FileSystemStorage.url(self, name)
        return super().url(name, force)
