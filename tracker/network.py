"""The addresses this machine answers on, for the development server (`make run`): a phone on the
same network opens the app at the machine's LAN address, which ALLOWED_HOSTS must then accept."""

import socket


def lan_addresses() -> list[str]:
    """The machine's IPv4 addresses other than loopback: the one its default route leaves from (found
    by a UDP "connect", which sends nothing) and those its host name resolves to."""
    found = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never reached, nothing is sent
            found.append(probe.getsockname()[0])
    except OSError:
        pass
    try:
        found += socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        pass
    seen = []
    for address in found:
        if not address.startswith("127.") and address != "0.0.0.0" and address not in seen:
            seen.append(address)
    return seen
