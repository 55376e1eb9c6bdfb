"""NIST NBIS's WSQ codec, through PyPI's `wsq` package, for interoperability tests
and benchmarks of loket-fingerprint-formats.

Images travel as raw 8-bit grayscale files (row-major, no header).

  nbis.py encode IN.raw WIDTH HEIGHT OUT.wsq   NBIS encodes (bitrate 0.75)
  nbis.py decode IN.wsq OUT.raw                NBIS decodes; prints "WIDTH HEIGHT"
  nbis.py time IN.raw WIDTH HEIGHT REPEATS     median seconds of NBIS encode and
                                               decode, timed inside this process
                                               (interpreter start-up excluded);
                                               prints "ENCODE DECODE"
"""

import io
import statistics
import sys
import time

import wsq  # noqa: F401  (registers the WSQ plugin with Pillow)
from PIL import Image

try:
    import _wsq  # the NBIS C extension the plugin wraps
except ImportError:  # pragma: no cover
    _wsq = None


def encode(raw_path, width, height, out_path):
    with open(raw_path, "rb") as f:
        raw = f.read()
    image = Image.frombytes("L", (width, height), raw)
    buf = io.BytesIO()
    image.save(buf, "WSQ")
    with open(out_path, "wb") as f:
        f.write(buf.getvalue())


def decode(wsq_path, out_path):
    image = Image.open(wsq_path)
    image.load()
    if image.mode != "L":
        image = image.convert("L")
    with open(out_path, "wb") as f:
        f.write(image.tobytes())
    print(image.size[0], image.size[1])


def time_codec(raw_path, width, height, repeats):
    with open(raw_path, "rb") as f:
        raw = f.read()
    if _wsq is None:
        raise SystemExit("the wsq package has no _wsq extension")
    encode_times, decode_times = [], []
    encoded = None
    for _ in range(repeats):
        start = time.perf_counter()
        encoded = _wsq.compress(raw, height, width, 0.75)
        encode_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        _wsq.decompress(encoded)
        decode_times.append(time.perf_counter() - start)
    print(statistics.median(encode_times), statistics.median(decode_times))


def main(argv):
    if len(argv) >= 2 and argv[1] == "encode" and len(argv) == 6:
        encode(argv[2], int(argv[3]), int(argv[4]), argv[5])
    elif len(argv) >= 2 and argv[1] == "decode" and len(argv) == 4:
        decode(argv[2], argv[3])
    elif len(argv) >= 2 and argv[1] == "time" and len(argv) == 6:
        time_codec(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
