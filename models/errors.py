"""Errors a user can cause. The CLI prints their message on one line and exits 2."""


class PalsyError(Exception):
    """Base class for user-facing errors: the message says what is wrong and what to do."""


class CheckpointError(PalsyError):
    """A weights file is missing, damaged, tampered with, unsafe or does not fit the network."""


class InputError(PalsyError):
    """An input (image, folder, data set) cannot be used."""


class Terminated(KeyboardInterrupt):
    """SIGTERM during a command (`kill PID`, a job scheduler's stop, a container shutting down;
    every `palsy` command but `gui`, `app.cli`): handled as Ctrl-C is, so training saves the
    steps done and `--resume` goes on from them, and `palsy synth` stops its worker processes;
    the command then exits 143 (128 + SIGTERM), as a program stopped by SIGTERM conventionally does."""
