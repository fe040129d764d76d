"""What only the tests use: the loopback fixture server with request statistics and
fault injection (:mod:`.server`), plain route-table sites (:mod:`.routes`) and the
records and diffs a crawl of the demo site must produce (:mod:`.oracle`)."""
