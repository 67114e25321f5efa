#!/usr/bin/env python3
"""Write Odoo 18's requirements.txt, adjusted so that it installs on Python 3.10-3.12.

Odoo's own file pins versions that have no wheel or need system headers on some of
these Pythons; only those lines are changed, every other pin is kept as Odoo has it:

- cbor2 5.4.2 does not build on Python 3.11: 5.4.6 has wheels and the same API;
- python-ldap needs the system's LDAP headers and serves only ``auth_ldap``.

psycopg2 stays as Odoo pins it (built from source: libpq's headers, ``pg_config``):
Odoo's ``setup.py`` requires the distribution ``psycopg2``, which pip checks whenever
it installs an ``odoo-addon-*`` wheel beside Odoo; with psycopg2-binary in its place
pip would build another psycopg2 on top of it.

Usage: odoo_requirements.py ODOO_SRC/requirements.txt > OUT
"""

import sys

REPLACE = {
    "cbor2==5.4.2": "cbor2==5.4.6",
}


def adjust(line):
    stripped = line.strip()
    if stripped.startswith("python-ldap"):
        return None
    for old, new in REPLACE.items():
        if stripped.startswith(old):
            return line.replace(old, new)
    return line


def main(path):
    with open(path, encoding="utf-8") as source:
        for line in source:
            new = adjust(line)
            if new is not None:
                sys.stdout.write(new)


if __name__ == "__main__":
    main(sys.argv[1])
