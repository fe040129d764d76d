"""``python -m cfbu_crawler`` runs the ``cfbu`` command line."""

from cfbu_crawler.cli import main

if __name__ == "__main__":
    main()
