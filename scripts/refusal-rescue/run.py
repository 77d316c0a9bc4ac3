"""Offline study: does a hashed n-gram logistic regression help the rx-9 refusal rules?

Run from the repository root: `python3 scripts/refusal-rescue/run.py` (needs scikit-learn, numpy,
scipy; ~11 min on one core). Writes results.json, tables.md, weights.candidate.json, weights.json and
check.jsonl into $RESCUE_OUT (default target/refusal-rescue); `export.py` turns weights.json into the
binary model the detector embeds.
"""
import glob, json, math, os, re, subprocess, sys
from collections import Counter, defaultdict
import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import feats as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get("RESCUE_DATA", os.path.join(ROOT, "crates/safesci-score/data"))
# The project's shared development set (outside the repository).
DEV = os.environ.get("RESCUE_DEV", os.path.join(os.path.dirname(ROOT), "shared/data/refusal-dev.jsonl"))
# The rules' labels: `cargo build --release -p safesci-score --example refusal-eval` first.
EVAL = os.environ.get("RESCUE_EVAL", os.path.join(ROOT, "target/release/examples/refusal-eval"))
OUT = os.environ.get("RESCUE_OUT", os.path.join(ROOT, "target/refusal-rescue"))
os.makedirs(OUT, exist_ok=True)
CS = [0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
FAIR_TEST = ["blind-13", "blind-14"]
# Blind sets from this number on are the final untouched check of the model trained here: never
# opened. The shipped model (`rx-10` … `rx-12`) was trained with 15. Session 10 studied a retrain
# with RESCUE_HELD_OUT_FROM=27 (blind-15 … 26 added) and did not adopt it (docs/score.md).
HELD_OUT_FROM = int(os.environ.get("RESCUE_HELD_OUT_FROM", "15"))
BUDGET = 0.005  # rescue/veto: added errors allowed, as a share of training rows of that gold class


def allowed_files():
    out = []
    for f in sorted(glob.glob(os.path.join(DATA, "refusal-*.jsonl"))):
        m = re.search(r"refusal-blind-(\d+)\.jsonl$", f)
        if m and int(m.group(1)) >= HELD_OUT_FROM:
            continue  # final untouched check: never opened
        if os.path.basename(f).startswith("refusal-rescue"):
            continue  # this model's own test rows, not labelled data
        out.append(f)
    out.append(DEV)
    return out


def short(f):
    return os.path.basename(f)[len("refusal-"):-len(".jsonl")]


def load():
    rows = []
    for f in allowed_files():
        name = short(f)
        data = [json.loads(l) for l in open(f, encoding="utf-8") if l.strip()]
        p = subprocess.run([EVAL, f, "--no-prompt", "--predict"], capture_output=True, text=True, check=True)
        preds = [json.loads(l) for l in p.stdout.splitlines() if l.strip().startswith("{")]
        assert len(preds) == len(data), (f, len(preds), len(data))
        for r, q in zip(data, preds):
            assert r["id"] == q["id"] and r["label"] == q["label"], (f, r["id"])
            rows.append(dict(file=name, id=r["id"], prompt=r.get("prompt", ""), response=r["response"],
                             label=r["label"], y=int(r["label"] != "full_compliance"),
                             rule_pred=q["predicted"], rule_y=int(q["predicted"] != "full_compliance"),
                             cues=q["cues"], prompt_kind=r.get("prompt_kind"),
                             category=r.get("category")))
    return rows


def matrix(rows, with_rules, drop=None):
    ri, ci = [], []
    for i, r in enumerate(rows):
        fs = F.text_features(r["response"], drop)
        if with_rules:
            fs |= F.rule_features(r["rule_pred"], r["cues"])
        for b in {F.bucket(s) for s in fs}:
            ri.append(i); ci.append(b)
    return sp.csr_matrix((np.ones(len(ri)), (ri, ci)), shape=(len(rows), 1 << F.HASH_BITS))


def fit(X, y, C):
    m = LogisticRegression(solver="liblinear", C=C, max_iter=1000)  # L2 is the default penalty
    m.fit(X, y)
    return m


def inner_cv(X, y, groups):
    """Grouped (by file) CV on the training files: pick C by log-loss; return C and OOF P at that C."""
    ug = sorted(set(groups))
    k = min(5, len(ug))
    fold_of = {g: i % k for i, g in enumerate(ug)}
    fold = np.array([fold_of[g] for g in groups])
    best = None
    for C in CS:
        oof = np.zeros(len(y))
        for f in range(k):
            tr, te = fold != f, fold == f
            oof[te] = fit(X[tr], y[tr], C).predict_proba(X[te])[:, 1]
        ll = log_loss(y, np.clip(oof, 1e-6, 1 - 1e-6))
        if best is None or ll < best[0]:
            best = (ll, C, oof)
    return best[1], best[2]


def pick_rescue_t(p, y, rule_y):
    n_comp = int((y == 0).sum())
    allow = math.floor(BUDGET * n_comp)
    cand = p[(rule_y == 0) & (y == 0)]  # gold compliance the rules got right: these can be broken
    cand = np.sort(cand)[::-1]
    # smallest t with at most `allow` of cand strictly above t
    t = cand[allow] if allow < len(cand) else 0.0
    return float(t), allow


def pick_veto_t(p, y, rule_y):
    n_ref = int((y == 1).sum())
    allow = math.floor(BUDGET * n_ref)
    cand = np.sort(p[(rule_y == 1) & (y == 1)])
    t = cand[allow] if allow < len(cand) else 1.0  # largest t with at most `allow` below t
    return float(t), allow


def wilson(k, n, z=1.96):
    if n == 0:
        return (float("nan"),) * 2
    ph = k / n
    d = 1 + z * z / n
    c = (ph + z * z / (2 * n)) / d
    h = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / d
    return c - h, c + h


def score(y, pred):
    y, pred = np.asarray(y), np.asarray(pred)
    return dict(n=len(y), correct=int((y == pred).sum()), acc=float((y == pred).mean()),
                false_ref=int(((y == 0) & (pred == 1)).sum()), missed=int(((y == 1) & (pred == 0)).sum()))


def harmful_only_tokens(rows):
    """Tokens found in prompts that drew refusals / are marked hazardous, and never in benign prompts."""
    by_prompt = defaultdict(list)
    for r in rows:
        by_prompt[r["prompt"]].append(r)
    harm, benign = set(), set()
    for p, rs in by_prompt.items():
        if not p:
            continue
        toks = set(F.tokenize(F.normalise(p)))
        hazardous = any(r["prompt_kind"] == "hazardous" or r["y"] == 1 for r in rs)
        if any(r["prompt_kind"] == "benign" for r in rs):
            hazardous = False
        (harm if hazardous else benign).update(toks)
    return harm - benign


def experiment(train, tests, drop_mode=False, tag=""):
    """Train on `train`, evaluate strategies a-e on each test row list. Returns per-row predictions."""
    drop = harmful_only_tokens(train) if drop_mode else None
    ytr = np.array([r["y"] for r in train]); rtr = np.array([r["rule_y"] for r in train])
    g = [r["file"] for r in train]
    out = {"drop_tokens": len(drop) if drop else 0}
    models = {}
    for kind, wr in (("b", False), ("c", True)):
        Xtr = matrix(train, wr, drop)
        C, oof = inner_cv(Xtr, ytr, g)
        m = fit(Xtr, ytr, C)
        models[kind] = (m, wr, C, oof)
    mb, _, Cb, oofb = models["b"]
    t_res, allow_res = pick_rescue_t(oofb, ytr, rtr)
    t_veto, allow_veto = pick_veto_t(oofb, ytr, rtr)
    # rescue with the rules-feature model as scorer (c-rescue)
    mc, _, Cc, oofc = models["c"]
    t_res_c, _ = pick_rescue_t(oofc, ytr, rtr)
    out.update(C_b=Cb, C_c=Cc, t_rescue=t_res, t_rescue_c=t_res_c, t_veto=t_veto,
               rescue_allow=allow_res, veto_allow=allow_veto)
    preds = []
    for rows in tests:
        y = np.array([r["y"] for r in rows]); ry = np.array([r["rule_y"] for r in rows])
        pb = mb.predict_proba(matrix(rows, False, drop))[:, 1]
        pc = mc.predict_proba(matrix(rows, True, drop))[:, 1]
        P = dict(a=ry, b=(pb > 0.5).astype(int), c=(pc > 0.5).astype(int),
                 d=np.where((ry == 0) & (pb > t_res), 1, ry),
                 d_c=np.where((ry == 0) & (pc > t_res_c), 1, ry),
                 e=np.where((ry == 1) & (pb < t_veto), 0, ry))
        P["d+e"] = np.where((ry == 0) & (pb > t_res), 1, np.where((ry == 1) & (pb < t_veto), 0, ry))
        preds.append(dict(y=y, P=P, pb=pb, pc=pc, rows=rows))
    out["models"] = models
    return out, preds


STRATS = ["a", "b", "c", "d", "d_c", "e", "d+e"]
NAMES = {"a": "rules", "b": "model (n-grams)", "c": "model (+rule feats)", "d": "rescue (b scorer)",
         "d_c": "rescue (c scorer)", "e": "veto (b scorer)", "d+e": "rescue+veto"}


def table(per_file, title):
    lines = [f"### {title}", "", "| held-out | n | " + " | ".join(NAMES[s] for s in STRATS) + " |",
             "|---|---|" + "---|" * len(STRATS)]
    pooled = {s: [] for s in STRATS}
    ys = []
    for name, pr in per_file:
        cells = []
        for s in STRATS:
            sc = score(pr["y"], pr["P"][s])
            pooled[s].append(pr["P"][s])
            cells.append(f"{sc['acc']:.3f} ({sc['false_ref']}FR/{sc['missed']}M)")
        ys.append(pr["y"])
        lines.append(f"| {name} | {len(pr['y'])} | " + " | ".join(cells) + " |")
    y = np.concatenate(ys)
    cells = []
    summ = {}
    for s in STRATS:
        sc = score(y, np.concatenate(pooled[s]))
        lo, hi = wilson(sc["correct"], sc["n"])
        summ[s] = dict(sc, lo=lo, hi=hi)
        cells.append(f"**{sc['acc']:.3f}** [{lo:.3f},{hi:.3f}] ({sc['false_ref']}FR/{sc['missed']}M)")
    lines.append(f"| pooled | {len(y)} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Cells: binary accuracy (false refusals FR = compliance called refusal / missed refusals M); "
                 "pooled row adds the Wilson 95 % interval.")
    return "\n".join(lines), summ


def feature_names(rows, with_rules, drop=None):
    names = defaultdict(set)
    for r in rows:
        fs = F.text_features(r["response"], drop)
        if with_rules:
            fs |= F.rule_features(r["rule_pred"], r["cues"])
        for s in fs:
            names[F.bucket(s)].add(s)
    return names


def main():
    rows = load()
    files = sorted({r["file"] for r in rows})
    print("files:", files, "rows:", len(rows), file=sys.stderr)
    report = {}
    md = []
    # 1. Fair comparison: train on everything except blind-13/14, test on them.
    for drop_mode in (False, True):
        train = [r for r in rows if r["file"] not in FAIR_TEST]
        tests = [[r for r in rows if r["file"] == f] for f in FAIR_TEST]
        info, preds = experiment(train, tests, drop_mode)
        t, summ = table(list(zip(FAIR_TEST, preds)),
                        f"Fair test: train on all other files, test blind-13 + blind-14"
                        + (" — topic-token drop variant" if drop_mode else ""))
        params = {k: v for k, v in info.items() if k != "models"}
        md += [t, "", f"Chosen on training files only: {json.dumps(params)}", ""]
        report[f"fair{'_drop' if drop_mode else ''}"] = dict(summary=summ, params=params)
        if not drop_mode:
            fair_preds = preds
            # list the blind-13/14 rows where strategies differ from gold, for inspection
            miss = []
            for f, pr in zip(FAIR_TEST, preds):
                for i, r in enumerate(pr["rows"]):
                    if pr["P"]["a"][i] != pr["y"][i] or pr["P"]["d"][i] != pr["y"][i]:
                        miss.append(dict(id=r["id"], gold=r["label"], rules=r["rule_pred"],
                                         p_b=round(float(pr["pb"][i]), 3), p_c=round(float(pr["pc"][i]), 3),
                                         rescue=int(pr["P"]["d"][i]), text=r["response"][:160]))
            json.dump(miss, open(os.path.join(OUT, "fair_errors.json"), "w"), indent=1, ensure_ascii=False)
    # 2. Leave-one-file-out over blind-* files (train on all other allowed files).
    blind = [f for f in files if f.startswith("blind-")]
    for drop_mode in (False, True):
        per = []
        params = {}
        for f in blind:
            train = [r for r in rows if r["file"] != f]
            info, preds = experiment(train, [[r for r in rows if r["file"] == f]], drop_mode)
            per.append((f, preds[0]))
            params[f] = {k: v for k, v in info.items() if k != "models"}
            print("lofo", f, drop_mode, score(preds[0]["y"], preds[0]["P"]["b"]), file=sys.stderr)
        t, summ = table(per, "Leave-one-file-out over blind-* files" + (" — topic-token drop variant" if drop_mode else "")
                        + " (rules column is optimistic on blind-1 … 12: the rules were tuned on those; never on blind-13 and later)")
        md += [t, "", "Per-fold C (b, c) and rescue threshold t: " +
               ", ".join(f"{f}: C={p['C_b']}/{p['C_c']} t={p['t_rescue']:.3f}" for f, p in params.items()), ""]
        report[f"lofo{'_drop' if drop_mode else ''}"] = dict(summary=summ, params=params)
    # 3. Final model on all allowed files: weights, top features.
    for drop_mode in (False, True):
        drop = harmful_only_tokens(rows) if drop_mode else None
        X = matrix(rows, False, drop); y = np.array([r["y"] for r in rows]); ry = np.array([r["rule_y"] for r in rows])
        C, oof = inner_cv(X, y, [r["file"] for r in rows])
        m = fit(X, y, C)
        t_res, allow = pick_rescue_t(oof, y, ry)
        w = m.coef_[0]
        names = feature_names(rows, False, drop)
        nz = np.flatnonzero(np.abs(w) > 5e-7)
        top = sorted(nz, key=lambda i: -abs(w[i]))[:40]
        harm = harmful_only_tokens(rows)
        toplist = []
        for i in top:
            ns = sorted(names.get(int(i), {"?"}))
            topic = any(any(tok in harm for tok in s.split(":", 1)[1].split(" ")) for s in ns if s[:2] in ("u:", "b:"))
            toplist.append(dict(bucket=int(i), weight=round(float(w[i]), 4), features=ns, harmful_prompt_token=topic))
        key = "final_drop" if drop_mode else "final"
        report[key] = dict(C=C, t_rescue=t_res, bias=float(m.intercept_[0]), nonzero=int(len(nz)), top=toplist,
                           drop_tokens=len(drop) if drop else 0)
        if True:
            wj = {"hash_bits": F.HASH_BITS, "bias": round(float(m.intercept_[0]), 6), "threshold": round(t_res, 6),
                  "C": C, "variant": "drop-harmful-prompt-tokens" if drop_mode else "all-tokens",
                  "weights": {str(int(i)): round(float(w[i]), 6) for i in nz if round(float(w[i]), 6) != 0.0}}
            json.dump(wj, open(os.path.join(OUT, f"weights{'_drop' if drop_mode else ''}.candidate.json"), "w"))
            if drop_mode:
                json.dump(sorted(drop), open(os.path.join(OUT, "drop_tokens.json"), "w"), ensure_ascii=False)
            # check rows: 30 spread over files/labels incl. CJK and </think> where present
            rng = np.random.RandomState(7)
            idx = list(rng.choice(len(rows), 26, replace=False))
            extra = [i for i, r in enumerate(rows) if "</think>" in r["response"]][:2] + \
                    [i for i, r in enumerate(rows) if any(F.is_cjk(c) for c in r["response"])][:2]
            idx = (extra + [i for i in idx if i not in extra])[:30]
            Xc = matrix([rows[i] for i in idx], False, drop)
            pc = m.predict_proba(Xc)[:, 1]
            with open(os.path.join(OUT, f"check{'_drop' if drop_mode else ''}.candidate.jsonl"), "w") as fh:
                for i, p in zip(idx, pc):
                    fh.write(json.dumps({"text": rows[i]["response"], "p_refusal": round(float(p), 6)}, ensure_ascii=False) + "\n")
    json.dump(report, open(os.path.join(OUT, "results.json"), "w"), indent=1, ensure_ascii=False, default=float)
    open(os.path.join(OUT, "tables.md"), "w").write("\n".join(md) + "\n")
    print("\n".join(md))
    import finalize
    finalize.main()


if __name__ == "__main__":
    main()
