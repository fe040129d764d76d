"""``python -m cfbu_crawler`` runs the ``cfbu`` command line."""

from cfbu_crawler.cli.program import run

if __name__ == "__main__":
    run()
