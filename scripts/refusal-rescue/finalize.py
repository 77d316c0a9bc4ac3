"""Write $RESCUE_OUT/weights.json (recommended: n-gram-only model trained on all allowed files) and
check.jsonl (30 allowed rows with p_refusal computed from weights.json alone, as a reimplementation would).
Called at the end of run.py; can be run on its own after run.py has written weights.candidate.json."""
import json, math, os, sys, unicodedata
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as R, feats as F


def p_of(w, text):
    # Distinct buckets, as in training (`run.matrix`): colliding features count once.
    z = w["bias"] + sum(w["weights"].get(str(b), 0.0) for b in sorted({F.bucket(s) for s in F.text_features(text)}))
    return 1.0 / (1.0 + math.exp(-z))


def main():
    out = R.OUT
    w = json.load(open(os.path.join(out, "weights.candidate.json")))
    json.dump(w, open(os.path.join(out, "weights.json"), "w"))
    rows = []
    for f in R.allowed_files():
        rows += [json.loads(l) for l in open(f, encoding="utf-8") if l.strip()]
    pick = []

    def add(pred, k):
        n = 0
        for i, r in enumerate(rows):
            if n >= k:
                break
            if i not in pick and pred(r["response"]):
                pick.append(i)
                n += 1

    add(lambda t: "</think>" in t, 2)
    add(lambda t: any(F.is_cjk(c) for c in t), 3)
    add(lambda t: any(unicodedata.category(c) in ("Mn", "Mc") for c in t), 3)
    add(lambda t: "\u2019" in t, 2)
    add(lambda t: t.strip() == "", 1)
    add(lambda t: any(ord(c) > 127 and c.isupper() for c in t), 2)
    rng = np.random.RandomState(11)
    for i in rng.permutation(len(rows)):
        if len(pick) >= 30:
            break
        if int(i) not in pick:
            pick.append(int(i))
    with open(os.path.join(out, "check.jsonl"), "w", encoding="utf-8") as fh:
        for i in pick:
            t = rows[i]["response"]
            fh.write(json.dumps({"text": t, "p_refusal": round(p_of(w, t), 6)}, ensure_ascii=False) + "\n")
    print(len(pick), "check rows;", sum(p_of(w, rows[i]["response"]) > w["threshold"] for i in pick),
          "above threshold; nonzero weights:", len(w["weights"]), file=sys.stderr)


if __name__ == "__main__":
    main()
