"""WARC: what a crawl fetched, byte for byte, in the web-archiving community's format.

Every crawl writes the requests it made and the responses it received to WARC files in
``warc/`` beside the archive (docs/warc.md): one file per run (rolled over at about
1 GB), one gzip member per record, a ``warcinfo`` record first, revisit records where the
payload was archived before or the server answered 304, and a CDXJ index per file for
replay tools. Each observation in the archive points to its record (file, offset,
length).

- ``records``: WARC records from the parts of an HTTP exchange (no Scrapy here);
- ``files``: the files of one archive's runs: names, writing, rollover, disk use;
- ``index``: CDXJ indexes and what earlier captures a run can refer to;
- ``repair``: finding and cutting a record left half-written by a killed crawl;
- ``export``: one run's captures as one WARC file, from the files or the stored pages;
- ``writing``: one run's writing: revisits decided, records written, files indexed;
- ``writerproc``: that writing in a process of its own, off the crawl's reactor;
- ``recorder``: the Scrapy components that write a crawl's WARC files.
"""
