"""The click group, shared options and the one-line error handling every command gets."""

from __future__ import annotations

import json
import sys
import traceback
from typing import IO, Any

import click
from sqlalchemy import Engine

from cfbu_crawler import __version__
from cfbu_crawler.archive.db import ArchiveError, open_engine
from cfbu_crawler.archive.lock import LockHeld

EPILOG = "Docs and schema: README.md and docs/schema.md in the project repository."


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


class CfbuGroup(click.Group):
    """A group that turns every failure into one line on stderr and a non-zero exit;
    ``--verbose`` adds the traceback."""

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
        except (ArchiveError, LockHeld) as exc:
            if _verbose(ctx):
                traceback.print_exc()
            raise click.ClickException(str(exc).splitlines()[0]) from None
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            if _verbose(ctx):
                traceback.print_exc()
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise click.ClickException(f"{type(exc).__name__}: {message}") from None


@click.group(cls=CfbuGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
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
    return open_engine(db, create=False)


def require_runs(engine: Engine) -> None:
    """Refuse, with one clear line, to report on an archive that holds no runs yet."""
    from cfbu_crawler.archive.queries import list_runs

    if not list_runs(engine, 1):
        raise ArchiveError("the archive holds no runs yet (run `cfbu crawl` first)")


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
