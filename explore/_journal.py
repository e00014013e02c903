"""Optuna journal files that survive a writer killed in the middle of an append.

Optuna's `JournalFileBackend` keeps a study as JSON records, one per line, appended under
a lock file. A writer that dies or runs out of disk space inside an append leaves a last
record without its line end. Optuna's reader skips such a last line, but the next append,
by any worker, glues its records to it, and from then on nobody can read the file (Optuna
refuses a bad line that is not the last). `Journal` reads through Optuna's backend and
appends under the same lock, first cutting off a torn last record, with a warning: the
records before it are kept, and the file stays what `optuna.load_study` reads.
"""

import contextlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from typing import IO, Any

import optuna
from optuna.storages.journal import BaseJournalBackend, JournalFileBackend, JournalFileSymlinkLock

from ._config import ConfigError

log = logging.getLogger(__name__)
KEY = "`study.storage`"
_BLOCK = 1 << 16  # bytes read at a time, backwards, to find the last line end


class Journal(BaseJournalBackend):
    """An Optuna journal file at `path` (created when absent) whose appends first cut off a
    record that an earlier writer left unfinished. Same file format and lock file as
    `optuna.storages.journal.JournalFileBackend(path)`, so plain Optuna processes can share it.

    `buffered`: for a file this process alone writes (a run's own study). Appends are kept
    in memory, and read back from there, until `flush` writes them all at once."""

    def __init__(self, path: str, buffered: bool = False, label: str = KEY) -> None:
        self.path, self.label = path, label  # `label`: what the file is, in messages
        self._lock = JournalFileSymlinkLock(path)
        self._file = JournalFileBackend(path, lock_obj=self._lock)
        self._buffer: list[dict[str, Any]] | None = [] if buffered else None
        self._on_file = -1  # records in the file, once read (buffered: nobody else appends)

    def read_logs(self, log_number_from: int) -> Iterable[dict[str, Any]]:
        if self._buffer is None:
            return self._file.read_logs(log_number_from)
        if log_number_from >= self._on_file >= 0:
            return self._buffer[log_number_from - self._on_file :]
        logs = list(self._file.read_logs(log_number_from))
        self._on_file = log_number_from + len(logs)
        return logs + self._buffer

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        if self._buffer is not None:
            self._buffer += logs
        else:
            self._write(logs)

    def flush(self) -> None:
        """Write what a buffered journal holds in memory: one write and one `fsync`. On an
        `OSError` (a full disk) the file is cut back to what it held before, and the error
        raised: the file never ends inside a flush."""
        if self._buffer:
            self._write(self._buffer)
            self._on_file += len(self._buffer)
            self._buffer = []

    def _write(self, logs: list[dict[str, Any]]) -> None:
        data = "".join(json.dumps(record, separators=(",", ":")) + "\n" for record in logs).encode()
        with self._locked(), open(self.path, "rb+") as f:
            end = f.seek(_cut_torn_tail(f, self.path, self.label))
            try:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            except OSError:
                f.truncate(end)
                raise

    def cut_after_last(self, system_attr: str) -> int:
        """Cut the file after its last record that sets the study system attribute
        `system_attr` (everything, if none does): a writer that marks the end of each whole
        flush with it thus never resumes from part of one. Returns the bytes cut off. Only
        before the file is read."""
        key = json.dumps(system_attr).encode()
        with self._locked(), open(self.path, "rb+") as f:
            end = size = 0
            for line in f:
                size += len(line)
                if key in line and line.endswith(b"\n") and system_attr in json.loads(line).get("system_attr", ()):
                    end = size
            f.truncate(end)
        return size - end

    def check(self) -> None:
        """Raise `ConfigError` unless the file holds JSON records, one per line; cut off a
        torn last record (see the module docstring)."""
        with self._locked(), open(self.path, "rb+") as f:
            for i, line in enumerate(f):
                if not line.endswith(b"\n"):
                    break  # the last line, unfinished: `_cut_torn_tail` decides
                try:
                    json.loads(line)
                except ValueError:
                    raise ConfigError(
                        f"{self.label} {self.path!r} is not an Optuna journal (line {i + 1} is not a JSON record); "
                        "use another file"
                    ) from None
            _cut_torn_tail(f, self.path, self.label)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self._lock.acquire()  # waits; a lock left by a killed writer is broken after its grace period
        try:
            yield
        finally:
            self._lock.release()


def _cut_torn_tail(f: IO[bytes], path: str, label: str) -> int:
    """Truncate `f` (held under the journal's lock) after its last line end, if anything
    follows it; returns the file's length. Refuses to cut what is not the start of a record."""
    size = f.seek(0, os.SEEK_END)
    end = size
    while end > 0:
        start = max(0, end - _BLOCK)
        f.seek(start)
        block = f.read(end - start)
        newline = block.rfind(b"\n")
        if newline >= 0:
            end = start + newline + 1
            break
        end = start
    if end == size:
        return size
    f.seek(end)
    if not end or f.read(1) != b"{":  # never cut what may not be a journal
        raise ConfigError(
            f"{label} {path!r} is not an Optuna journal (it does not hold JSON records, one per line); use another file"
        )
    f.truncate(end)
    log.warning(
        "journal %s ended inside a record (%d bytes, from a write that did not finish): cut off; "
        "the trials before it are kept",
        path,
        size - end,
    )
    return end


def open_journal(path: str) -> optuna.storages.JournalStorage:
    """A journal-file storage at `path`, checked: a file (not a folder) in a writable folder,
    that holds Optuna journal records (`Journal.check`)."""
    if not path:
        raise ConfigError(f"{KEY} 'journal://' names no file; give a path, e.g. journal://runs/study.journal")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ConfigError(f"{KEY} names a journal file in {folder}, which does not exist; create the folder")
    if os.path.isdir(path):
        example = f"{path.rstrip('/')}/study.journal"
        raise ConfigError(f"{KEY} {path!r} is a folder; give a journal file in it, e.g. {example}")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise ConfigError(f"{KEY} {path!r} cannot be written here; choose a writable location")
    journal = Journal(path)
    journal.check()
    try:
        return optuna.storages.JournalStorage(journal)
    except Exception as e:  # noqa: BLE001 - Optuna's replay of a damaged journal
        raise ConfigError(f"{KEY} {path!r} cannot be read as an Optuna journal ({e}); use another file") from None
