"""Write the learned refusal rescue model as the binary file the detector embeds.

`python3 scripts/refusal-rescue/export.py WEIGHTS.json crates/safesci-score/data/refusal-rescue.bin`

Layout (little-endian): magic `SSRR`, u32 format version 1, u32 hash bits, f64 bias, f64 threshold,
u32 count, then `count` pairs of (u32 bucket, f32 weight), buckets ascending.
"""
import json
import struct
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    w = json.load(open(src, encoding="utf-8"))
    pairs = sorted((int(k), float(v)) for k, v in w["weights"].items() if float(v) != 0.0)
    with open(dst, "wb") as fh:
        fh.write(b"SSRR")
        fh.write(struct.pack("<IIddI", 1, int(w["hash_bits"]), float(w["bias"]), float(w["threshold"]), len(pairs)))
        for k, v in pairs:
            fh.write(struct.pack("<If", k, v))
    print(f"{len(pairs)} weights, bias {w['bias']}, threshold {w['threshold']} -> {dst}", file=sys.stderr)


if __name__ == "__main__":
    main()
