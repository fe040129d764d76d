"""Shared plumbing of the pipelines: act on article pages only, read the one extraction
result the extract pipeline put on the item, and wait for work done in another process."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any, TypeVar

from itemadapter import ItemAdapter
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from cfbu_crawler.extract import Extraction
from cfbu_crawler.items import ArticlePage

T = TypeVar("T")


async def await_future(future: Future[T]) -> T:
    """Wait, inside a pipeline's coroutine, for a ``concurrent.futures`` future (work in
    a worker process): its result reaches the reactor's thread as a Deferred fired there,
    which Scrapy turns into what its reactor awaits."""
    from twisted.internet import reactor

    deferred: Deferred[T] = Deferred()

    def fire(done: Future[T]) -> None:
        try:
            result = done.result()
        except BaseException as exc:  # the work's own error, or its cancellation
            deferred.errback(exc)
        else:
            deferred.callback(result)

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))
    return await maybe_deferred_to_future(deferred)


class FieldPipeline:
    """Base for a pipeline that fills fields of an ``ArticlePage``; other items pass."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePage):
            return item
        self.fill(ItemAdapter(item))
        return item

    def fill(self, adapter: ItemAdapter) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def extraction(adapter: ItemAdapter) -> Extraction:
        """The result of ``extract_article`` for this page (set by ``ExtractPipeline``)."""
        result = adapter.get("extraction")
        if not isinstance(result, Extraction):
            raise TypeError(
                "no extraction on the item: ExtractPipeline must run before "
                f"{adapter.item.__class__.__name__} reaches this pipeline"
            )
        return result
