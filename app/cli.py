"""The `palsy` command line (DESIGN §8, a contract).

Exit 0 on success; exit 2 with one clear line on stderr for a user's mistake, never a
traceback; exit 1 and nothing on stderr when the reader of stdout has gone (`| head -1`).
A command stopped by Ctrl-C exits 130, and one stopped by SIGTERM (`kill PID`, `timeout`, a
job scheduler) exits 143 (128 + the signal); both print `palsy: interrupted` after the same
clean-up, and what running it again does where that helps.
Output redirected to a file or a pipe is UTF-8, whatever the system's code page
(`tolerant_streams`).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from app import version_text
from app.commands import COMMAND_MODULES

log = logging.getLogger("palsy.cli")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (exit 2), like every other bad input;
    the subcommands' parsers are of this class too (`add_subparsers` takes the parent's)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (`{self.prog} --help` lists the options)\n")

    def _print_message(self, message: str, file=None) -> None:  # noqa: ANN001 - argparse's signature
        """argparse's, but a reader that went away is not ignored: argparse swallows the
        BrokenPipeError, so `palsy --help | true` exited 0 where output is unbuffered
        (PYTHONUNBUFFERED); `main` ends it as it ends any command's."""
        target = file or sys.stderr
        if not message or target is None:  # a windowed build has no stderr
            return
        try:
            target.write(message)
        except BrokenPipeError:
            raise
        except (AttributeError, OSError):  # as argparse: a stream that cannot take it is no reason to fail
            pass


class VersionAction(argparse.Action):
    """`--version`: the version, the git commit it was built from (asked only when given) and the
    records database version it writes: two builds of one version once wrote different ones, and
    a folder one had upgraded was refused by the other with nothing to tell them apart."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:  # noqa: A002 - argparse's name
        super().__init__(option_strings, dest, nargs=0, default=default,
                         help=help or "show the version, the git commit it was built from and the records "
                                      "database version it writes, and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        from app.records.migrations import LATEST_VERSION

        # on stdout, as argparse's own version action
        print(f"palsy {version_text()}, records database version {LATEST_VERSION}", flush=True)
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="palsy",
        description="Palsy Grader: House-Brackmann facial palsy grading (decision support, not a diagnosis).",
    )
    parser.add_argument("--version", action=VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    parser.set_defaults(_subcommands=subparsers.choices)  # for the unrecognized-arguments line
    return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """parse_args, but arguments nobody knows are refused by the subcommand's parser, so the
    one line names the help that lists its options (`palsy records --help`, not `palsy --help`)."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        owner = getattr(args, "_subcommands", {}).get(getattr(args, "command", None) or "", parser)
        owner.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def tolerant_streams() -> None:
    """Make printing a patient ID or a path never raise UnicodeEncodeError.

    Windows gives redirected output (`palsy records patients > ids.txt`) the ANSI code page,
    cp1252 in Western Europe, which has no "Ł" for an ID such as MRN-Łódź-7. Redirected output
    becomes UTF-8 (what Python's UTF-8 mode, and Python 3.15 by default, give): lossless, so
    the IDs in the file can be fed back to `palsy records export`. A console keeps its encoding
    (Windows consoles are Unicode already). An encoding the user asked for (PYTHONIOENCODING)
    is kept. Whatever the encoding, a character it cannot hold is written as a backslash
    escape (`\\u0141`) instead of ending the command with a traceback, where the stream's
    error handler was "strict"; any other handler (Linux's surrogateescape) is kept.
    """
    keep_encoding = bool(os.environ.get("PYTHONIOENCODING"))
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:  # None (windowed build) or a stream that is not a TextIOWrapper
            continue
        # only "strict" is replaced: Linux's surrogateescape (a file name's bytes that are not
        # UTF-8 printed as they are) and a handler PYTHONIOENCODING names are kept
        errors = getattr(stream, "errors", None) or "strict"
        errors = "backslashreplace" if errors == "strict" else errors
        try:
            if keep_encoding or stream.isatty():
                reconfigure(errors=errors)
            else:
                reconfigure(encoding="utf-8", errors=errors)
        except (OSError, ValueError):  # a closed stream: the command's own output reports it
            pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `palsy` console script; returns the exit status."""
    tolerant_streams()
    parser = build_parser()
    try:
        args = parse(parser, argv)
    except BrokenPipeError:  # `palsy --help | head -1`: help written to a reader that left
        return _stdout_gone()
    except SystemExit as exc:
        if exc.code == 0:  # --help or --version printed: a closed pipe fails here, as for any command
            try:
                sys.stdout.flush()
            except BrokenPipeError:
                return _stdout_gone()
        raise
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    command = command_name(args)
    log.info("%s started", command)
    status = run_command(args, command)
    log.info("%s ended with exit status %d", command, status)
    return status


def command_name(args: argparse.Namespace) -> str:
    """`records backup`, `assess`: the command as IT scheduled it, without its arguments, which
    can hold patient IDs and paths."""
    return " ".join(name for name in (args.command, getattr(args, "records_action", None)) if name)


def run_command(args: argparse.Namespace, command: str) -> int:
    """Run the parsed command; every failure a user can meet becomes one line and exit 2."""
    from models.errors import PalsyError, Terminated

    try:
        with sigterm_as_interrupt(args.command):
            status = int(args.handler(args) or 0)
        sys.stdout.flush()  # output a closed pipe refuses fails here, not at exit
        return status
    except BrokenPipeError:  # `palsy records drafts | head -1`: the reader has all it wanted
        return _stdout_gone()
    except PalsyError as exc:
        return refuse(command, str(exc))
    except ImportError as exc:  # torch's libraries refused by a memory limit; anything else is a bug
        line = torch_load_failure_line(exc)
        if line is None:
            raise
        return refuse(command, line)
    except OSError as exc:  # a full disk, a read-only or missing folder met mid-command
        if (line := torch_load_failure_line(exc)) is not None:  # ctypes' CDLL raises OSError
            return refuse(command, line)
        return refuse(command, os_error_line(exc), exc)  # no command foresaw it: traceback in the log
    except MemoryError:
        return refuse(command, out_of_memory_line(args, "Python ran out of memory"))
    except RuntimeError as exc:  # torch's allocators raise RuntimeError; anything else is a bug: traceback
        if not is_out_of_memory(exc):
            raise
        return refuse(command, out_of_memory_line(args, str(exc)))
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM or Ctrl+Break: models.errors.Terminated (models.stop_signals)
        end_progress_line()
        print(f"palsy: interrupted{interrupted_hint(args)}", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130


def refuse(command: str, line: str, exc: BaseException | None = None) -> int:
    """Print the one error line and return exit status 2. Where the bundle keeps a log
    (app/frozen_main.py) the line goes there too, with `exc`'s traceback for a fault no command
    foresaw: a scheduled run (a nightly backup onto a full disk) has no console to read."""
    print(f"palsy: error: {line}", file=sys.stderr)
    if log.hasHandlers():  # else logging's last resort would print the line a second time
        log.error("%s failed: %s", command, line, exc_info=exc)
    return 2


@contextmanager
def sigterm_as_interrupt(command: str | None) -> Iterator[None]:
    """Inside the block SIGTERM (and SIGBREAK on Windows) stops the command as Ctrl-C does (it
    raises Terminated, `models.stop_signals`), so the command's own clean-up runs: SIGTERM's
    default action ended `palsy synth` at once and left its worker processes running, holding
    its output open. Not for `palsy gui`, which closes its window on SIGTERM itself."""
    if command == "gui":
        yield
        return
    from models.stop_signals import stop_signals_as_interrupt

    with stop_signals_as_interrupt():
        yield


def end_progress_line() -> None:
    """On a terminal, move to a new line: `palsy synth` and `palsy evaluate` keep a `\\r` progress
    count there that the next message would otherwise continue. A log file or a pipe gets no
    progress count, so nothing is added there."""
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            print(file=sys.stderr)
    except (OSError, ValueError):  # a closed stderr: no line to end
        pass


# What torch's CPU and CUDA allocators say when an allocation fails (torch.cuda.OutOfMemoryError
# is a RuntimeError too); only these become the one-line error below.
OUT_OF_MEMORY = ("can't allocate memory", "out of memory", "cannot allocate memory")


# What the dynamic loader says when a memory limit leaves no room to map a shared library;
# torch's libraries need about 5 GB of address space (assess and train ran at `ulimit -v
# 6000000`, failed at 4000000 and 3000000; /tmp/audit_env/mem.sh, 2026-12-06).
LIBRARY_MAP_FAILURE = ("failed to map segment", "cannot allocate memory")
SHARED_LIBRARY = re.compile(r"\.(so(\.\d+)*|dylib|dll)\b")  # a library file's name: libtorch_cpu.so, libc10.so.2
TORCH_MEMORY_LIMIT_LINE = (
    "PyTorch could not be loaded: the process memory limit (ulimit -v) is too low; allow at least 6 GB "
    "(`ulimit -v 6000000`, or `ulimit -v unlimited`) and start again"
)


def torch_load_failure_line(exc: BaseException) -> str | None:
    """The one line for a shared library (PyTorch's) that a process memory limit kept from loading,
    or None for any other error. The loader's own words ("libtorch_cuda.so: failed to map segment
    from shared object") name neither the limit nor what to do."""
    text = str(exc).lower()
    if not isinstance(exc, (ImportError, OSError)) or not any(words in text for words in LIBRARY_MAP_FAILURE):
        return None
    if isinstance(exc, OSError) and "shared object" not in text and not SHARED_LIBRARY.search(text):
        return None  # ENOMEM from anything else (a fork, a write, /home/u/.sonar/x.db) is not about loading a library
    return TORCH_MEMORY_LIMIT_LINE


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether `exc` is an allocation failure (MemoryError, or torch's RuntimeError saying so)."""
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and any(words in text for words in OUT_OF_MEMORY)


def out_of_memory_line(args: argparse.Namespace, detail: str) -> str:
    """One line for a command that ran out of memory: how much it asked for (when the allocator
    says), and what to do for that command."""
    asked = re.search(r"tried to allocate (\d+) bytes", detail) or re.search(r"tried to allocate ([\d.]+ ?[KMGT]iB)", detail)
    if asked is None:
        what = (detail.strip().splitlines() or ["no memory left"])[0][:160]
    elif asked[1].isdigit():
        what = f"an allocation of {byte_size(int(asked[1]))} failed"
    else:
        what = f"an allocation of {asked[1]} failed"
    command = getattr(args, "command", None) or "the command"
    if command == "train":
        todo = "train at a smaller --input-size or --batch-size, try --device cpu if a small GPU ran out, or close other programs"
    elif command in ("assess", "evaluate", "demo", "self-test"):  # the commands that run a network
        todo = "use weights with a smaller input size, try --device cpu if a small GPU ran out, or close other programs"
    else:
        todo = "close other programs and try again"
    return f"out of memory in `palsy {command}` ({what}); {todo}"


def byte_size(count: int) -> str:
    """`count` bytes in GiB, or in MiB/KiB/bytes where GiB would read "0.00 GiB"."""
    if count >= 0.01 * 2**30:
        return f"{count / 2**30:.2f} GiB"
    for unit, size in (("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count / size:.2f} {unit}"
    return f"{count} bytes"


def os_error_line(exc: OSError) -> str:
    """An OSError in words, with its file and what to do: "No space left on device (FILE);
    free space or choose another folder", not Python's "OSError: [Errno 28] ..."."""
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or exc}{where}; {os_error_hint(exc)}"


def os_error_hint(exc: OSError) -> str:
    """What to do about an OSError, by its errno: "free space" only where space ran out."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "free space or choose another folder"
    if exc.errno in (errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
        return "a file or folder is in the way: choose another path"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "check the permissions or choose another folder"
    if exc.errno == errno.ENOENT:
        return "check the path"
    return "check the path, the permissions and the free space, or choose another folder"


def _stdout_gone() -> int:
    """End quietly after stdout's reader went away, as the Python docs advise (signal module,
    "Note on SIGPIPE"): point stdout at devnull so the flush at exit cannot fail again, and
    exit 1, the status Python itself gives for EPIPE."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor (tests, pythonw)
        pass
    return 1


def interrupted_hint(args: argparse.Namespace) -> str:
    """What Ctrl-C leaves to do: the recipes resume when run again; a single training mode
    resumes only with --resume (run again without it, it would start over)."""
    if args.command != "train":
        return ""
    if args.mode in ("demo", "clinic"):
        return " (the steps done are kept: run the same command again to resume)"
    out = args.out or f"runs/{args.mode}.pt"
    return f" (the steps done are in {out}: add --resume {out} to the same command to go on from there)"


if __name__ == "__main__":
    sys.exit(main())
