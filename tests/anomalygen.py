#!/usr/bin/env python3
"""anomalygen - crafted captures, each with one kind of bad input below SIP.

    python3 tests/anomalygen.py --list         one line per case: NAME EXPECT...
    python3 tests/anomalygen.py NAME OUT       write that case's capture

Every capture starts with one well-formed REGISTER over UDP/IPv4 (frame 1),
then carries the bad packets at the frames its case states, with good
REGISTERs between them.  EXPECT is what the capture holds by construction:
event=count@first_frame for each anomaly it carries, worked out from the
bytes built here (not from regtrace's output).  Standard library + pcapgen.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen as pg  # noqa: E402

START = pg.DEFAULT_START * 10 ** 9
CLI, SRV = '192.0.2.10', '198.51.100.5'


def register(n):
    """A REGISTER whose Call-ID differs per n."""
    ua = pg.SipUA('alice%d' % n, 'example.com', CLI)
    return ua.register(3600)


def good(n):
    """Ethernet + IPv4 + UDP + REGISTER."""
    return bytes(pg.eth(pg.udp_ip(CLI, SRV, 5060, 5060, register(n))))


CASES = {}


def case(name, expect):
    def deco(fn):
        CASES[name] = (expect, fn)
        return fn
    return deco


# pcapng with if_tsresol = 10^0 (units of one second): frame 2's timestamp,
# 9907765552 s, is past what a 64-bit count of nanoseconds holds (about
# 9223372036 s), as in a byte-flipped file.  Frames 1 and 3 are ordinary.
TS_BIG = 9907765552


@case('timestamp-out-of-range', {'timestamp-out-of-range': (1, 2)})
def _ts():
    frames = [(START, good(1)), (TS_BIG * 10 ** 9, good(2)), (START + 10 ** 9, good(3))]
    return pg.pcapng_bytes(frames, pg.LINKTYPE_ETHERNET, tsresol=0)


def main():
    if sys.argv[1:] == ['--list']:
        for name, (expect, _) in CASES.items():
            print(name, ' '.join('%s=%d@%d' % (e, c, f) for e, (c, f) in sorted(expect.items())))
        return 0
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[2], 'wb') as f:
        f.write(CASES[sys.argv[1]][1]())
    return 0


if __name__ == '__main__':
    sys.exit(main())
