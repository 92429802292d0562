"""`python -m hoso` is the same as the `hoso` command."""

from hoso.cli import main

if __name__ == "__main__":
    main()
