"""Test helper for tests/replay.rs: encode 8-bit gray pixels as cairo's write_to_png does for an RGB24 surface (libpng
defaults: adaptive filters by minimum sum of absolute residuals, zlib level 6 with
Z_FILTERED, IDAT chunks of 8192 bytes, a white bKGD chunk), the encoding of the
reference capture.png. Usage: reference_png.py WIDTH HEIGHT < gray > out.png"""
import struct, sys, zlib

def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)

def paeth(a, b, c):
    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)

def encode(width, height, gray):
    bpp = 3
    prev = bytes(width * 3)
    raw = bytearray()
    for y in range(height):
        row = bytes(v for v in gray[y * width:(y + 1) * width] for _ in range(3))
        best = None
        for f in range(5):
            out = bytearray(len(row))
            for x in range(len(row)):
                a = row[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                pred = (0, a, b, (a + b) >> 1, paeth(a, b, c))[f]
                out[x] = (row[x] - pred) & 0xff
            score = sum(v if v < 128 else 256 - v for v in out)
            if best is None or score < best[0]:
                best = (score, f, out)
        raw.append(best[1]); raw += best[2]
        prev = row
    comp = zlib.compressobj(6, zlib.DEFLATED, 15, 8, zlib.Z_FILTERED)
    data = comp.compress(bytes(raw)) + comp.flush()
    png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
    png += chunk(b'bKGD', struct.pack('>HHH', 255, 255, 255))
    for i in range(0, len(data), 8192):
        png += chunk(b'IDAT', data[i:i + 8192])
    return png + chunk(b'IEND', b'')

if __name__ == '__main__':
    width, height = int(sys.argv[1]), int(sys.argv[2])
    gray = sys.stdin.buffer.read()
    sys.stdout.buffer.write(encode(width, height, gray))
