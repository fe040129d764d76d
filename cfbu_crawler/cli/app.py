"""The click group, shared options and the one-line error handling every command gets.

Commands are loaded lazily (click's ``LazyGroup`` pattern): the group knows each command
by the module that defines it, and imports that module only when the command is run or
its help is shown. Command modules import only click at the top and the library (Scrapy,
SQLAlchemy, Alembic, rich) inside the command, so ``cfbu --help`` — which reads every
command's one-line help — stays quick.
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

import click

from cfbu_crawler import __version__

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from cfbu_crawler.archive.lookup import Reader

EPILOG = "Docs and schema: README.md and docs/schema.md in the project repository."

# command name -> "module:attribute" of its click command
COMMANDS: dict[str, str] = {
    "copy-archive": "cfbu_crawler.cli.copy:copy_archive",
    "crawl": "cfbu_crawler.cli.crawl:crawl",
    "demo": "cfbu_crawler.cli.demo:demo",
    "diff": "cfbu_crawler.cli.changes:diff",
    "export": "cfbu_crawler.cli.read:export",
    "history": "cfbu_crawler.cli.changes:history",
    "reparse": "cfbu_crawler.cli.changes:reparse",
    "runs": "cfbu_crawler.cli.read:runs",
    "search": "cfbu_crawler.cli.search:search",
    "serve": "cfbu_crawler.cli.serve:serve",
    "show": "cfbu_crawler.cli.changes:show",
}


class OneLineUsageError(click.UsageError):
    """A usage error shown as one line (the reason and where to get help), not click's
    usage block."""

    def show(self, file: IO[Any] | None = None) -> None:
        where = f" (see '{self.ctx.command_path} --help')" if self.ctx else ""
        message = self.format_message().rstrip(".")
        click.echo(f"Error: {message}{where}", file=file, err=file is None)


def one_line_usage(exc: click.UsageError) -> click.UsageError:
    """``exc`` as a :class:`OneLineUsageError` (help requested by giving no arguments
    stays as it is)."""
    if isinstance(exc, OneLineUsageError) or type(exc).__name__ == "NoArgsIsHelpError":
        return exc
    return OneLineUsageError(exc.format_message(), exc.ctx)


def _verbose(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool(root.obj and root.obj.get("verbose"))


def _is_archive_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a user-facing archive problem (imported here, late: the archive
    modules are loaded by the commands that use them)."""
    from cfbu_crawler.archive.db import ArchiveError
    from cfbu_crawler.archive.lock import LockHeld

    return isinstance(exc, (ArchiveError, LockHeld))


class CfbuGroup(click.Group):
    """A group whose commands load lazily (``lazy_commands``: name → "module:attribute")
    and that turns every failure into one line on stderr and a non-zero exit;
    ``--verbose`` adds the traceback."""

    def __init__(
        self, *args: Any, lazy_commands: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module_name, _, attribute = self.lazy_commands[cmd_name].partition(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy_commands[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise one_line_usage(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise one_line_usage(exc) from None
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            if _verbose(ctx):
                traceback.print_exc()
            if _is_archive_error(exc):
                raise click.ClickException(str(exc).splitlines()[0]) from None
            from cfbu_crawler.cli.errors import describe_error

            raise click.ClickException(describe_error(exc)) from None


@click.group(
    cls=CfbuGroup,
    lazy_commands=COMMANDS,
    epilog=EPILOG,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="cfbu")
@click.option("-v", "--verbose", is_flag=True, help="Show details (tracebacks) of failures.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Archive the news section of cfbu.dk: crawl it, keep every version of every
    article, and show what changed between crawls.

    \b
    Example:
      cfbu crawl                      # crawl https://cfbu.dk/nyheder/ into data/cfbu.sqlite3
      cfbu diff                       # what changed between the last two crawls
      cfbu demo                       # try it all offline
    """
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


db_option = click.option(
    "--db",
    envvar="CFBU_DB",
    metavar="PATH|URL",
    help="Archive: an SQLite file or an SQLAlchemy URL [default: $CFBU_DB or data/cfbu.sqlite3].",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")


def open_archive(db: str | None) -> Engine:
    """Open an existing archive for reading (never creates one)."""
    from cfbu_crawler.archive.db import open_engine

    return open_engine(db, create=False)


def require_runs(engine: Engine) -> None:
    """Refuse, with one clear line, to report on an archive that holds no runs yet."""
    from cfbu_crawler.archive.db import ArchiveError
    from cfbu_crawler.archive.queries import list_runs

    if not list_runs(engine, 1):
        raise ArchiveError("the archive holds no runs yet (run `cfbu crawl` first)")


@contextmanager
def article_reader(db: str | None) -> Iterator[Reader]:
    """A reader of one article's rows (``archive.lookup``) on an existing archive that
    holds runs: through ``sqlite3`` alone for an SQLite archive whose schema is current
    (SQLAlchemy takes longer to load than `cfbu show` may), else through the engine."""
    from cfbu_crawler.archive.lookup import EngineReader
    from cfbu_crawler.archive.sqlitefile import ArchiveError, PlainSqlite, open_current

    con = open_current(db)
    if con is None:
        engine = open_archive(db)
        require_runs(engine)
        yield EngineReader(engine)
        return
    try:
        if con.execute("SELECT id FROM runs LIMIT 1").fetchone() is None:
            raise ArchiveError("the archive holds no runs yet (run `cfbu crawl` first)")
        yield PlainSqlite(con)
    finally:
        con.close()


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
