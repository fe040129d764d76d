"""A hand-written news site for change-tracking tests (``test_blind_changes.py``): content
in two versions, markups unlike the demo's, and a loopback server with switchable
behaviours (sitemaps, validators, gzip, conditional listings)."""
