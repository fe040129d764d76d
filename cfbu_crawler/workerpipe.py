"""Calls to a worker process from the crawl's reactor, over a pipe, answered as Deferreds.

The crawl's end of a ``procpool.worker_process`` pipe, adopted by the reactor as a
connection: a call is pickled and written in the frame ``multiprocessing`` reads
(``Connection.recv`` in the worker: a 4-byte big-endian length, then the pickle), and
its ``Deferred`` fires on the reactor's thread when the answer comes back. The worker
answers in the order of the calls, so the answers fire the calls' Deferreds in turn;
what the worker logged meanwhile is logged here, in the crawl's log, first. No thread
stands between the reactor and the worker, so a call costs the crawl's process little
more than its pickle.

When the worker is gone (it died, or the crawl hung up), every call still waiting, and
every later one, fails with ``BrokenPipeError``; a worker that ended without being hung
up on is also reported to ``died``, if given, once.
"""

from __future__ import annotations

import logging
import pickle
import socket
import struct
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.protocol import Factory, connectionDone
from twisted.protocols.basic import Int32StringReceiver
from twisted.python.failure import Failure

from cfbu_crawler.procpool import Answer

LONGEST = 0x7FFFFFFF  # the longest frame with a 4-byte length (multiprocessing's format)


def frame(data: bytes) -> list[bytes]:
    """``data`` framed as ``multiprocessing.connection.Connection.recv`` reads it."""
    if len(data) > LONGEST:
        return [struct.pack("!iQ", -1, len(data)), data]
    return [struct.pack("!i", len(data)), data]


class WorkerPipe(Int32StringReceiver):
    """The crawl's end of a worker's pipe: ``call`` sends, answers fire the Deferreds."""

    MAX_LENGTH = LONGEST  # of an answer

    def __init__(self, worker: str, died: Callable[[WorkerPipe], None] | None = None) -> None:
        self.worker = worker  # what the worker is, for the error once it is gone
        self.died = died
        self.waiting: deque[Deferred[Any]] = deque()
        self.gone = False
        self.hung_up = False

    def call(self, name: str, *args: Any) -> Deferred[Any]:
        """``calls[name](*args)`` in the worker (``procpool.answer_calls``), after every
        call sent before it; its value, or its exception, when it is answered."""
        answer: Deferred[Any] = Deferred()
        if self.gone or self.transport is None:
            answer.errback(BrokenPipeError(f"{self.worker} is gone"))
            return answer
        data = pickle.dumps((name, args), protocol=pickle.HIGHEST_PROTOCOL)
        transport: Any = self.transport  # declared on a zope interface
        transport.writeSequence(frame(data))
        self.waiting.append(answer)
        return answer

    def stringReceived(self, string: bytes) -> None:  # noqa: N802 (Twisted's name)
        answer: Answer = pickle.loads(string)
        for record in answer.logs:
            logging.getLogger(record.name).handle(record)
        waiting = self.waiting.popleft()
        if answer.error is not None:
            waiting.errback(answer.error)
        else:
            waiting.callback(answer.value)

    def connectionLost(self, reason: Failure = connectionDone) -> None:  # noqa: N802
        self.gone = True
        if self.died is not None and not self.hung_up:
            self.died(self)
        while self.waiting:
            self.waiting.popleft().errback(BrokenPipeError(f"{self.worker} ended"))

    def hang_up(self) -> None:
        """Close the pipe once what was sent is written: the worker then finishes the
        calls it has and exits."""
        transport: Any = self.transport  # declared on a zope interface
        self.hung_up = True
        if transport is not None and not self.gone:
            transport.loseConnection()


class _ThisPipe(Factory):
    def __init__(self, pipe: WorkerPipe) -> None:
        self.pipe = pipe

    def buildProtocol(self, addr: Any) -> WorkerPipe:  # noqa: N802 (Twisted's name)
        return self.pipe


def connect(
    connection: Connection, worker: str, died: Callable[[WorkerPipe], None] | None = None
) -> WorkerPipe:
    """Hand the crawl's end of a worker's pipe to the running reactor (``died``: told
    when the worker ends before the crawl hangs up)."""
    from twisted.internet import reactor

    pipe = WorkerPipe(worker, died)
    adopt: Any = reactor.adoptStreamConnection  # declared on a zope interface
    adopt(connection.fileno(), socket.AF_UNIX, _ThisPipe(pipe))
    connection.close()  # the reactor holds a duplicate of it
    return pipe


__all__ = ["WorkerPipe", "connect", "frame"]
