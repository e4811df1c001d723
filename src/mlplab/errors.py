"""Errors a user can act on: the CLI prints their message on one line and exits with status 2."""


class UserError(ValueError):
    """Bad input (option, file, data, checkpoint) described so that the user can fix it."""


class DivergenceError(RuntimeError):
    """Training produced a non-finite loss; carries where it happened."""

    def __init__(self, message: str, epoch: int, batch: int) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
