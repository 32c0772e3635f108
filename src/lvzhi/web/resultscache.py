"""The shared results cache on PostgreSQL (``settings.CACHES["results"]``): Django's database cache with one
statement per write. Django's ``set`` and ``add`` count the table's rows, read the key, then update or insert, in a
transaction — four to five round trips; a page refreshed after a write keeps a dozen entries (its result, its
pieces, their refresh locks), so a write cost each page ~50 round trips of bookkeeping. Here a write is one
``INSERT … ON CONFLICT``; ``add`` takes the key only if it is absent or expired, in the same statement, so two
requests cannot both take a refresh lock. The table is culled (expired rows, then the oldest beyond
``MAX_ENTRIES``) on about one write in ``CULL_EVERY`` instead of counted on each."""

from __future__ import annotations

import base64
import pickle
import random
from datetime import datetime, timezone

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router

CULL_EVERY = 50


class ResultsCache(DatabaseCache):
    def _expires(self, timeout) -> datetime:
        timeout = self.get_backend_timeout(timeout)
        return (datetime.max.replace(tzinfo=timezone.utc) if timeout is None
                else datetime.fromtimestamp(timeout, tz=timezone.utc)).replace(microsecond=0)

    def _encoded(self, value) -> str:
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if mode == "touch" or connection.vendor != "postgresql":
            return super()._base_set(mode, key, value, timeout)
        now = datetime.now(timezone.utc).replace(microsecond=0)
        expires, encoded = self._expires(timeout), self._encoded(value)
        table = connection.ops.quote_name(self._table)
        with connection.cursor() as cursor:
            if random.random() < 1 / CULL_EVERY:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                num = cursor.fetchone()[0]
                if num > self._max_entries:
                    self._cull(db, cursor, now, num)
            # "add": only over an absent or expired key — the row is returned only if this statement wrote it
            only_if = f" WHERE {table}.expires < %s" if mode == "add" else ""
            cursor.execute(f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "
                           f"ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires"
                           f"{only_if} RETURNING 1", [key, encoded, expires] + ([now] if mode == "add" else []))
            return cursor.fetchone() is not None
