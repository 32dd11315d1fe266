"""Where shipped resources live, both from a source checkout and inside a PyInstaller bundle."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import stat
import sys
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The shipped demo weights and their model card in `weights_dir()` (written by `palsy train demo`,
# loaded by default by the app, the CLI and the bundle's self-test).
DEMO_WEIGHTS = "demo_compact.pt"
DEMO_CARD = "demo_compact.md"
# The shipped weights' checksums, `{"files": {name: {"sha256": ...}}}`, in `weights_dir()`.
WEIGHTS_MANIFEST = "manifest.json"


def resources_dir() -> Path:
    """The `resources/` folder: under sys._MEIPASS when frozen, else beside the packages."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def weights_dir() -> Path:
    """Folder of shipped weights, their manifest.json and model cards."""
    return resources_dir() / "weights"


def default_weights_path() -> Path:
    """The shipped weights file (it may not exist yet in a source checkout)."""
    return weights_dir() / DEMO_WEIGHTS


def listed_sha256(weights: str | os.PathLike) -> str | None:
    """The sha256 the manifest.json beside `weights` lists for it, or None when the manifest is
    missing, unreadable or does not list it (read with json only: no torch; loading refuses an
    unreadable manifest, `models.checkpoint.read_manifest`, this only informs). Outside the
    install's weights folder such a manifest detects damage only: anyone can write one
    (`shipped_sha256` is the one that speaks for origin)."""
    file = Path(weights)
    try:
        files = json.loads((file.parent / WEIGHTS_MANIFEST).read_text(encoding="utf-8")).get("files", {})
        digest = files.get(file.name, {}).get("sha256")
    except (OSError, ValueError, AttributeError):
        return None
    return digest if isinstance(digest, str) and digest else None


def in_weights_dir(weights: str | os.PathLike) -> bool:
    """Whether `weights` is a file of the install's own weights folder (`weights_dir()`), links
    resolved: only there does the shipped manifest.json speak for a file. A link placed in that
    folder counts as its file wherever it points (as a bundle may link its data files), as does
    a file reached through a link to the folder."""
    try:
        folder, path = weights_dir().resolve(), Path(weights)
        return path.resolve().parent == folder or path.absolute().parent.resolve() == folder
    except (OSError, RuntimeError):
        return False


def shipped_sha256(weights: str | os.PathLike) -> str | None:
    """The sha256 the install's manifest.json (in `weights_dir()`) lists for `weights`, or None
    when the file is not in that folder or not listed. A manifest.json anywhere else was written
    by whoever wrote the file beside it: it can show damage (`listed_sha256`), never origin, so
    only this answer may make Settings say "matches the shipped manifest"."""
    if not in_weights_dir(weights):
        return None
    path = Path(weights)
    in_folder = path.absolute().parent.resolve() == weights_dir().resolve()  # the folder's own entry, a link or not
    return listed_sha256(weights_dir() / (path.name if in_folder else path.resolve().name))


def demo_weights_sha256() -> str | None:
    """The sha256 the shipped manifest.json lists for the demo weights (lower case), or None."""
    digest = listed_sha256(default_weights_path())
    return digest.lower() if digest else None


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in chunks (here, torch-free: models.checkpoint re-exports it)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# The recorded training command of the shipped demo weights and of every reproduction of them
# (`palsy train demo ...`, models/train/demo.py). `palsy train clinic` records "palsy train clinic".
DEMO_COMMAND = "palsy train demo"


@dataclass(frozen=True)
class CheckpointSummary:
    """What a weights file records about itself, read without torch (`read_checkpoint_summary`):
    the digest of its weights (`state_sha256`, None in files written before the field existed)
    and the training command (`training.command`, None when none is recorded)."""

    state_sha256: str | None
    command: str | None


def summary_of(meta: Mapping[str, Any] | None) -> CheckpointSummary:
    """The summary of a loaded checkpoint's dict (with or without its state_dict)."""
    if not isinstance(meta, Mapping):
        return CheckpointSummary(None, None)
    digest = meta.get("state_sha256")
    training = meta.get("training")
    command = training.get("command") if isinstance(training, Mapping) else None
    return CheckpointSummary(
        digest.lower() if isinstance(digest, str) and digest else None,
        command if isinstance(command, str) else None,
    )


class _Stub:
    """What a tensor or storage in a checkpoint's pickle becomes when only its metadata is read."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __setstate__(self, state: object) -> None:
        pass


def _stub(*args: object, **kwargs: object) -> _Stub:
    return _Stub()


class _Dict(dict):
    """What an OrderedDict in a checkpoint becomes: a dict that also takes the attributes
    (`_metadata`) torch's state dicts carry."""


_HASH_MODULUS = 2**61 - 1  # sys.hash_info.modulus on 64-bit builds: hash(i) == i below it


def _allowed_key(key: object) -> bool:
    """Whether a dict key read from a checkpoint is safe to hash: strings (their hashes are
    salted per process) and ints whose hash is themselves (distinct, so they cannot collide).
    A crafted file with many keys of one hash (big ints, floats, tuples) made building a
    130 KB pickle's dict take 12 s."""
    return isinstance(key, str) or (type(key) is int and abs(key) < _HASH_MODULUS)


def _checked_keys(keys: list) -> None:
    for key in keys:
        if not _allowed_key(key):
            raise pickle.UnpicklingError(f"a dict key of type {type(key).__name__} is not allowed in a checkpoint")


def _ordered_dict(items: object = (), /) -> _Dict:
    """`collections.OrderedDict(items)` as read from a checkpoint, its keys checked."""
    pairs = list(items.items()) if isinstance(items, Mapping) else [tuple(pair) for pair in items]  # type: ignore[attr-defined]
    _checked_keys([key for key, _value in pairs])
    return _Dict(pairs)


# A real checkpoint's pickle is ~11,000 opcodes (45 KB); this bounds the work a crafted one can
# cause (a deflated data.pkl of repeated memo references grew to 700 MB of lists).
_OPCODE_LIMIT = 200_000


def _counted(op: Any) -> Any:
    def run(self: _MetadataUnpickler) -> None:
        self.opcodes += 1
        if self.opcodes > _OPCODE_LIMIT:
            raise pickle.UnpicklingError(f"more than {_OPCODE_LIMIT} pickle opcodes: not a checkpoint")
        op(self)

    return run


def _refuse_sets(self: _MetadataUnpickler) -> None:
    raise pickle.UnpicklingError("sets are not allowed in a checkpoint")


def _load_setitem(self: _MetadataUnpickler) -> None:
    value = self.stack.pop()
    key = self.stack.pop()
    _checked_keys([key])
    self.stack[-1][key] = value


def _load_setitems(self: _MetadataUnpickler) -> None:
    items = self.pop_mark()
    _checked_keys(items[0::2])
    target = self.stack[-1]
    for i in range(0, len(items), 2):
        target[items[i]] = items[i + 1]


def _load_dict(self: _MetadataUnpickler) -> None:
    items = self.pop_mark()
    _checked_keys(items[0::2])
    self.append({items[i]: items[i + 1] for i in range(0, len(items), 2)})


class _MetadataUnpickler(pickle._Unpickler):  # noqa: SLF001 - the Python unpickler, so each opcode can be checked
    """Reads a torch checkpoint's dict without torch and without executing anything: tensors and
    storages become `_Stub`s, the only other global allowed is OrderedDict (read as a dict).
    Bounded for hostile files: at most `_OPCODE_LIMIT` opcodes, no sets, and dict keys only of
    kinds whose hashes cannot be made to collide (`_allowed_key`)."""

    dispatch = {code: _counted(op) for code, op in pickle._Unpickler.dispatch.items()}  # noqa: SLF001
    for _code in (pickle.EMPTY_SET, pickle.ADDITEMS, pickle.FROZENSET):
        dispatch[_code[0]] = _refuse_sets
    dispatch[pickle.SETITEM[0]] = _counted(_load_setitem)
    dispatch[pickle.SETITEMS[0]] = _counted(_load_setitems)
    dispatch[pickle.DICT[0]] = _counted(_load_dict)
    del _code

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file)
        self.opcodes = 0

    def find_class(self, module: str, name: str) -> Any:
        if module == "collections" and name == "OrderedDict":
            return _ordered_dict
        if module == "torch" or module.startswith("torch."):
            return _Stub if name.endswith("Storage") else _stub
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a checkpoint")

    def persistent_load(self, pid: object) -> Any:
        return None  # tensor data lives outside the pickle: never read here


# A checkpoint's pickle without its tensor data is kilobytes (the demo's: 45 KB); only this much
# is ever read or decompressed, whatever the file or its zip header claims.
_SUMMARY_LIMIT = 8 * 2**20


def read_checkpoint_summary(path: str | os.PathLike) -> CheckpointSummary | None:
    """The digest of the weights and the training command a checkpoint file records, read
    without torch (its zip's data.pkl, or a legacy torch.save pickle stream) and without
    running any code it holds; None when the file is missing or not a readable checkpoint.
    At most `_SUMMARY_LIMIT` bytes are read (decompressed) and `_OPCODE_LIMIT` opcodes run, so
    a hostile file gives None quickly (Settings asks this on the GUI thread)."""
    file = Path(path)
    try:
        if zipfile.is_zipfile(file):
            with zipfile.ZipFile(file) as archive:
                names = [n for n in archive.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
                if len(names) != 1 or archive.getinfo(names[0]).file_size > _SUMMARY_LIMIT:
                    return None
                with archive.open(names[0]) as member:  # the header's size is not trusted
                    data = member.read(_SUMMARY_LIMIT + 1)
                if len(data) > _SUMMARY_LIMIT:
                    return None
                payload = _MetadataUnpickler(io.BytesIO(data)).load()
        else:
            with open(file, "rb") as handle:  # legacy format: magic, protocol, sys info, then the object
                # the tensor data follows the pickles: only their first bytes are read
                unpickler = _MetadataUnpickler(io.BytesIO(handle.read(_SUMMARY_LIMIT)))
                for _ in range(3):
                    unpickler.load()
                payload = unpickler.load()
    except Exception:  # noqa: BLE001 - a damaged or foreign file can raise almost anything; loading says why
        return None
    return summary_of(payload) if isinstance(payload, dict) else None


# (resolved path, inode, size, mtime, ctime) -> (sha256 of the file, its summary): the inode and
# the change time catch a file replaced by one of the same size and modification time (`cp -p`)
_SUMMARIES: dict[tuple[str, int, int, int, int], tuple[str, CheckpointSummary | None]] = {}
_VERDICTS: dict[str, bool] = {}  # file sha256 -> demo by its contents, for files read in this process
# (file sha256, the shipped demo's state_sha256) of files a full load found to hold the demo: a
# load computes the weights' digest (`models.checkpoint`), which a file without the field does
# not record for the torch-free summary to read
_LOADED_DEMO: set[tuple[str, str]] = set()
_SUMMARY_LOCK = threading.Lock()


def _file_summary(file: Path, sha256: str | None = None) -> tuple[str, CheckpointSummary | None] | None:
    """(sha256 of the file, its summary), cached by path, inode, size, modification and change
    time; read again when the caller's fresh `sha256` differs from the cached digest. None when
    the file cannot be read."""
    try:
        info = file.stat()
        key = (str(file.resolve()), info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    except OSError:
        return None
    with _SUMMARY_LOCK:
        cached = _SUMMARIES.get(key)
        if cached is not None and sha256 is not None and cached[0] != sha256.lower():
            del _SUMMARIES[key]  # the caller has just read other bytes: the cache is stale
            cached = None
    if cached is not None:
        return cached
    try:
        digest = sha256_of(file)
    except OSError:
        return None
    found = (digest, read_checkpoint_summary(file))
    with _SUMMARY_LOCK:
        _SUMMARIES[key] = found
    return found


def demo_state_sha256() -> str | None:
    """The digest of the shipped demo weights' state dict (the `state_sha256` recorded in the
    shipped file, or listed beside its sha256 in manifest.json), or None when neither says."""
    default = default_weights_path()
    try:
        listed = json.loads((default.parent / WEIGHTS_MANIFEST).read_text(encoding="utf-8"))["files"][default.name]
        digest = listed.get("state_sha256")
        if isinstance(digest, str) and digest:
            return digest.lower()
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    found = _file_summary(default) if default.is_file() else None
    return found[1].state_sha256 if found and found[1] else None


def is_demo_checkpoint(summary: CheckpointSummary | Mapping[str, Any] | None) -> bool:
    """Whether a checkpoint's contents make it the demonstration model, whatever its file is
    called or however it was saved again: its weights are the shipped demo's (the same
    `state_sha256`), or its recorded training command is `palsy train demo ...` (a reproduction
    of the demo, or the demo with its configuration edited). A `palsy train clinic` run starts
    from the demo weights but records its own command and changes the weights, so its output is
    the clinic's model; only while it still holds the demo's weights unchanged is it demo."""
    if not isinstance(summary, CheckpointSummary):
        summary = summary_of(summary)
    command = (summary.command or "").strip()
    if command == DEMO_COMMAND or command.startswith(DEMO_COMMAND + " "):
        return True
    if summary.state_sha256 is None:
        return False
    shipped = demo_state_sha256()
    return shipped is not None and summary.state_sha256 == shipped


# The checkpoint key (and model record key) of the sentences a user must see wherever the weights
# grade: what they were trained and tested on, and that they are not validated. `palsy train
# clinic` writes them (models/train/clinic.py); the card alone reached only those who opened it.
CAUTIONS = "cautions"


# Said for cautions recorded in a form this version cannot read.
UNREADABLE_CAUTIONS = "These weights record cautions this version cannot read: treat them as not validated."


def weights_cautions(meta: Mapping[str, Any] | None) -> list[str]:
    """The cautions a checkpoint's dict, or an assessment's model record, carries (`CAUTIONS`):
    the GUI's amber banner, `palsy assess`, the self-test and the report show them. [] for
    weights that record none (the demonstration weights, whose own red warning says it, and
    files written before the key existed). A value present but not a list of sentences (one
    string, a list of objects: an edited or foreign file) is still a caution, never dropped:
    dropping it made such weights look validated."""
    cautions = meta.get(CAUTIONS) if isinstance(meta, Mapping) else None
    if cautions is None or (isinstance(cautions, (list, tuple)) and not cautions):
        return []
    if isinstance(cautions, str):
        cautions = [cautions]
    texts = [text.strip() for text in cautions if isinstance(text, str) and text.strip()] \
        if isinstance(cautions, (list, tuple)) else []
    if isinstance(cautions, (list, tuple)) and len(texts) == len(cautions):
        return texts
    return texts + [UNREADABLE_CAUTIONS]


# The caution of weights that are not the demonstration ones and record no cautions of their own
# (a research run of `palsy train grading`, a file from elsewhere, one written before cautions
# existed): no Palsy Grader weights are validated for diagnosis, so the absence of a warning must
# never read as "validated" (such weights made a report that looked like a validated model's).
UNVALIDATED_CAUTION = ("These weights are neither the shipped demonstration weights nor clinic-trained weights that "
                       "record their cautions: they carry no record of a validation on patients and no cautions of "
                       "their own. Treat them as not validated; not for diagnosis.")


def shown_cautions(meta: Mapping[str, Any] | None, demo: bool) -> list[str]:
    """The cautions a user must see for weights with this checkpoint dict or model record:
    `weights_cautions`, or UNVALIDATED_CAUTION for weights other than the demonstration ones
    (whose red warning says it) that record none."""
    cautions = weights_cautions(meta)
    return cautions if cautions or demo else [UNVALIDATED_CAUTION]


def records_only_unvalidated(cautions: list[str]) -> bool:
    """Whether `cautions` are only the one `shown_cautions` adds (no clinic's own)."""
    return cautions == [UNVALIDATED_CAUTION]


# No Palsy Grader checkpoint comes near this size (the largest configuration shipped, `paper`,
# makes a 351 MiB checkpoint in fp32; the demo weights are 12 MB), so a larger file is not hashed
# to be judged or shown: not by Settings (`app.weights_info`), not by `is_demo_weights` (a 10 GiB
# file took 15-24 s to hash). Loading a file still checks it, whatever its size.
MAX_CHECKED_BYTES = 1 << 30


def _within_checked_size(file: Path) -> bool:
    """Whether `file` is a regular file of at most MAX_CHECKED_BYTES (one `stat`)."""
    try:
        info = file.stat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= MAX_CHECKED_BYTES


def is_demo_name(path: str | os.PathLike) -> bool:
    """Whether a weights file's name says demo (`demo_compact.pt`, `my_demo.pt`): the first of
    `is_demo_weights`' rules, the one that reads nothing."""
    file = Path(path)
    return file.name == DEMO_WEIGHTS or "demo" in file.stem.lower()


def file_sha256(path: str | os.PathLike) -> str | None:
    """The sha256 of a weights file, hashed once per version of the file in this process (the
    cache `is_demo_weights` reads too, so asking both hashes the file once); None when it
    cannot be read."""
    found = _file_summary(Path(path))
    return found[0] if found else None


def is_demo_weights(path: str | os.PathLike, sha256: str | None, meta: Mapping[str, Any] | None = None) -> bool:
    """Whether a weights file is the demonstration model (not for diagnosis). Any one says so:

    - its name says demo (`demo_compact.pt`, `my_demo.pt`);
    - its bytes are the shipped demo weights' (`sha256`, the file's digest, equals the one the
      shipped manifest lists), whatever the file is called;
    - its contents are the demo's (`is_demo_checkpoint`): the loaded checkpoint's dict `meta`
      when the caller has it (or had it, for a file of these bytes, earlier in this process),
      else what the file at `path` records, read when its bytes are still `sha256` (or `sha256`
      is not given), else what this process read earlier from a file with those bytes.

    A file larger than MAX_CHECKED_BYTES is not read: it is neither the demo's bytes nor any
    checkpoint of this program, so only its name (and an earlier verdict on `sha256`) counts,
    as in Settings. The GUI's red banner, Settings, the report's warning and the self-test all
    ask this."""
    file = Path(path)
    if is_demo_name(file):
        return True
    shipped = demo_weights_sha256()
    wanted = sha256.lower() if isinstance(sha256, str) and sha256 else None
    if wanted is not None and shipped is not None and wanted == shipped:
        return True
    if meta is not None:
        verdict = is_demo_checkpoint(meta)
        if verdict and wanted is not None:
            key = (wanted, demo_state_sha256() or "")  # outside the lock: it may read the shipped file
            with _SUMMARY_LOCK:
                _LOADED_DEMO.add(key)
        return verdict
    with _SUMMARY_LOCK:
        loaded = any(digest == wanted for digest, _ in _LOADED_DEMO)
    if loaded and (wanted, demo_state_sha256() or "") in _LOADED_DEMO:
        return True  # the banner asks after the load, without the loaded dict
    found = _file_summary(file, wanted) if str(path) and _within_checked_size(file) else None
    if found is not None and (wanted is None or found[0] == wanted):
        verdict = found[1] is not None and is_demo_checkpoint(found[1])
        with _SUMMARY_LOCK:
            _VERDICTS[found[0]] = verdict
        return verdict
    with _SUMMARY_LOCK:
        return bool(wanted and _VERDICTS.get(wanted))


def shared_data_dir() -> Path:
    """The development face-parsing data, `../shared/data` beside the checkout.

    Never bundled (its licences are research-only). PALSY_SHARED_DATA overrides it.
    """
    override = os.environ.get("PALSY_SHARED_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"
