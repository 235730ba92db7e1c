# Run from the repo root: python3 resources/make-icon.py (no dependencies; writes resources/icon.png).
# Draws Keel's icon: a rounded dark square, a teal hull (the keel) under a rising line.
import zlib, struct, math
N = 512
def inside_round_rect(x, y, r=96):
    cx = min(max(x, r), N - 1 - r); cy = min(max(y, r), N - 1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
def dist_seg(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))
line = [(96, 300), (190, 230), (260, 262), (416, 130)]
rows = []
for y in range(N):
    row = bytearray([0])
    for x in range(N):
        if not inside_round_rect(x, y):
            row += bytes([0, 0, 0, 0]); continue
        r, g, b = 15, 17, 21
        # hull: a trapezoid narrowing downwards with a fin (the keel)
        if 330 <= y <= 380 and 110 + (y - 330) * 0.9 <= x <= 402 - (y - 330) * 0.9:
            r, g, b = 38, 166, 154
        if 380 < y <= 430 and 240 <= x <= 272:
            r, g, b = 38, 166, 154
        d = min(dist_seg(x, y, *line[i], *line[i + 1]) for i in range(len(line) - 1))
        if d <= 12:
            r, g, b = 230, 237, 243
        row += bytes([r, g, b, 255])
    rows.append(bytes(row))
raw = b''.join(rows)
def chunk(t, d):
    c = struct.pack('>I', len(d)) + t + d
    return c + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', N, N, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
open('resources/icon.png', 'wb').write(png)
