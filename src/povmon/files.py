"""Files a command writes: never over what the user has, never half-written, owner-only when they hold IDs.

docs/CONTRACTS.md ("Files a command writes") in two calls that every writer shares:

- ``check_target(path, force=…, inputs=…)`` — what a command calls first, before any work (an import must not
  commit and then fail on its error file): an existing file is refused unless ``--force``; a file the command
  reads (the workbook being imported, the database) is refused even with ``--force``.
- ``atomic(path)`` — how every writer opens its file: the content goes to a temporary file in the target's own
  folder, which is flushed to disk and renamed over the target only when complete. A kill at any moment leaves the
  old file or the complete new one at the target path, never a part of one. A catchable kill (Ctrl-C, ``kill``,
  a closed terminal) removes the temporary file; one left by ``kill -9`` or a power cut is a hidden
  ``.NAME.<pid>-<random>.povmon-tmp`` that the next write to the same target removes.

Files holding personal data (the database, its backups, error workbooks, ledgers, reports) are created with mode
0600, readable by their owner only; ``private=False`` is for files without it (the blank template).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import stat
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from povmon.errors import PovmonError

TEMP_SUFFIX = ".povmon-tmp"
PRIVATE_MODE = 0o600
PUBLIC_MODE = 0o666  # less the umask, as any program creates a file
_CAUGHT = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def check_target(path: Path | str, *, force: bool = False, inputs: Iterable[Path | str | None] = (),
                 option: str = "") -> Path:
    """Refuse to write over an existing file (unless ``force``) or over one of the command's own inputs (ever).

    ``option`` names the command-line option the path came from (``--errors``, ``-o``), for the message.
    Returns the path; its folder must exist.
    """
    path = Path(path)
    named = f"{option} " if option else ""
    for source in inputs:
        if source is not None and _same_file(path, Path(source)):
            raise PovmonError(f"{named}{path} 正是本命令要读取的文件，不能写到它上面（加 --force 也不行）；"
                              "请换一个文件名。")
    if path.is_dir():
        raise PovmonError(f"{named}{path} 是一个文件夹；请给出要写出的文件名。")
    if not path.parent.is_dir():
        raise PovmonError(f"文件夹 {path.parent} 不存在；请先建立它，或换一个 {named or '输出'}路径。")
    if (path.exists() or path.is_symlink()) and not force:
        raise PovmonError(f"{path} 已经存在，没有覆盖它；要用新文件替换请加 --force，或换一个文件名。")
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


@contextlib.contextmanager
def atomic(path: Path | str, *, private: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; when the block ends without error, it becomes ``path``.

    The writer writes the whole file to the yielded path (openpyxl's ``save``, a zip archive, a database
    backup). On any error, or a caught kill, the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    remove_stale(target)
    temp = _temporary(target, private)
    try:
        with _removed_on_kill(temp):
            yield temp
            _flush(temp)
            if private:
                os.chmod(temp, PRIVATE_MODE)  # the writer may have replaced the file we created
            os.replace(temp, target)
        _flush_folder(target.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def create_private(path: Path | str) -> bool:
    """Create an empty file readable by its owner only, when it does not exist (a new SQLite database).

    Returns whether it was created. SQLite gives its -wal and -shm files the mode of the database file.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def is_private(path: Path | str) -> bool:
    """Whether only the owner may read the file (no group or other permission bits)."""
    return not stat.S_IMODE(os.stat(path).st_mode) & 0o077


def remove_stale(target: Path) -> list[Path]:
    """Remove temporary files of ``target`` left by a povmon run that no longer exists; returns them."""
    removed = []
    try:
        candidates = list(target.parent.glob(f".{_glob_escape(target.name)}.*{TEMP_SUFFIX}"))
    except OSError:
        return removed
    for candidate in candidates:
        middle = candidate.name[len(target.name) + 2:-len(TEMP_SUFFIX)]
        pid = middle.split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                candidate.unlink()
                removed.append(candidate)
    return removed


def _glob_escape(name: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process, or a platform that cannot tell: leave its file alone
    return True


def _temporary(target: Path, private: bool) -> Path:
    """Create the temporary file (hidden, in the target's folder, so that the rename stays on one disk)."""
    mode = PRIVATE_MODE if private else PUBLIC_MODE
    while True:
        temp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            continue
        except OSError as exc:
            raise PovmonError(f"无法在文件夹 {target.parent} 中写入文件（{exc.strerror or exc}）；"
                              "请检查该文件夹的权限，或换一个路径。") from exc
        os.close(fd)
        return temp


def _flush(path: Path) -> None:
    """Make the content durable before the rename publishes it (a power cut then leaves old or new)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _flush_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_live: set[Path] = set()  # temporary files being written now
_previous: dict[int, object] = {}


@contextlib.contextmanager
def _removed_on_kill(temp: Path) -> Iterator[None]:
    """While ``temp`` is being written, a SIGTERM or SIGHUP removes it before the process ends as killed."""
    _live.add(temp)
    if len(_live) == 1 and threading.current_thread() is threading.main_thread():
        for sig in _CAUGHT:
            if signal.getsignal(sig) is not signal.SIG_IGN:  # nohup's ignored SIGHUP stays ignored
                _previous[sig] = signal.signal(sig, _on_kill)
    try:
        yield
    finally:
        _live.discard(temp)
        if not _live and _previous:
            for sig, handler in _previous.items():
                signal.signal(sig, handler)
            _previous.clear()


def _on_kill(signum, frame) -> None:
    for temp in list(_live):
        with contextlib.suppress(OSError):
            temp.unlink()
    _live.clear()
    previous = _previous.pop(signum, signal.SIG_DFL)
    for sig, handler in _previous.items():
        signal.signal(sig, handler)
    _previous.clear()
    if callable(previous):
        previous(signum, frame)
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)  # end as the kill asked, with its status
