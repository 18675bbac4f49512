"""Drift of `exemplar embed --precision P` from fp32 on real data: min and mean cosine of each
vector to its fp32 twin, and top-10 neighbour agreement (the share of each query's 10 nearest
support examples by cosine, fp32 support and queries, that the P-precision support and queries
also rank in their top 10), on SST-2 (train 6,920 support, dev 872 queries) and TREC (train
5,452, test 500). Both sides embedded by the same binary; no reference engine is involved.
Appends a report to BENCHMARKS.md unless --no-write.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench_common import append_report, git_commit, machine, utc_now

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "original"


def sst2(path):
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    col = lines[0].split("\t").index("sentence")
    return [l.split("\t")[col] for l in lines[1:] if l.strip()]


def trec(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [row[1] for row in csv.reader(f) if row]


def embed(exemplar, model, texts, precision, threads, work):
    inp, out = work / "in.txt", work / f"out-{precision}.npy"
    inp.write_text("\n".join(t.replace("\n", " ") for t in texts) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    subprocess.run([exemplar, "embed", "--model", model, "--input", str(inp), "--input-format", "text",
                    "--output", str(out), "--threads", str(threads), "--precision", precision], check=True)
    return np.load(out), time.perf_counter() - t0


def top10(support, queries):
    s = support / np.linalg.norm(support, axis=1, keepdims=True)
    q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    scores = q @ s.T
    return np.argsort(-scores, axis=1, kind="stable")[:, :10]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exemplar", default=str(ROOT / ".build" / "release" / "exemplar"))
    ap.add_argument("--model", default=os.environ.get("EXEMPLAR_MODEL"))
    ap.add_argument("--precision", default="int8")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--onnx", default=None,
                    help="also measure ONNX Runtime's int8 model against its fp32 one: the fp32 .onnx scripts/bench-encoder "
                         "exported (its -int8.onnx beside it; default: .build/bench/MODEL.onnx when both exist)")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    if not a.model:
        sys.exit("check-precision: give --model or set EXEMPLAR_MODEL")
    sets = [("SST-2", sst2(Path(a.data, "SST-2", "train.tsv")), sst2(Path(a.data, "SST-2", "dev.tsv"))),
            ("TREC", trec(Path(a.data, "trec", "train.csv")), trec(Path(a.data, "trec", "test.csv")))]
    onnx = Path(a.onnx) if a.onnx else ROOT / ".build" / "bench" / (Path(a.model).resolve().name + ".onnx")
    onnx_int8 = onnx.with_name(onnx.stem + "-int8.onnx")
    use_onnx = onnx.exists() and onnx_int8.exists()
    rows = []
    with tempfile.TemporaryDirectory(prefix="check-precision.") as tmp:
        work = Path(tmp)
        for name, support, queries in sets:
            texts = support + queries
            ref, t_ref = embed(a.exemplar, a.model, texts, "fp32", a.threads, work)
            low, t_low = embed(a.exemplar, a.model, texts, a.precision, a.threads, work)
            cos = (ref * low).sum(1) / (np.linalg.norm(ref, axis=1) * np.linalg.norm(low, axis=1))
            n = len(support)
            a_ids, b_ids = top10(ref[:n], ref[n:]), top10(low[:n], low[n:])
            shared = np.mean([len(set(x) & set(y)) / 10 for x, y in zip(a_ids, b_ids)])
            same_first = np.mean(a_ids[:, 0] == b_ids[:, 0])
            rows.append((f"{name}, exemplar", n, len(queries), float(cos.min()), float(cos.mean()), float(shared), float(same_first), t_ref, t_low))
            print(f"check-precision: {name}: min cosine {cos.min():.6f}, top-10 shared {shared:.4f}", file=sys.stderr)
            if use_onnx:  # the same measure for ONNX Runtime's dynamic int8 model against its fp32 model
                sys.path.insert(0, str(ROOT / "scripts"))
                from bench_encoder import OnnxEncoder
                vecs, secs = [], []
                for path in (onnx, onnx_int8):
                    enc = OnnxEncoder(path, a.model, a.threads, 256, ref.shape[1])
                    t0 = time.perf_counter()
                    vecs.append(enc.encode(texts, 32))
                    secs.append(time.perf_counter() - t0)
                oref, olow = vecs
                ocos = (oref * olow).sum(1) / (np.linalg.norm(oref, axis=1) * np.linalg.norm(olow, axis=1))
                oa, ob = top10(oref[:n], oref[n:]), top10(olow[:n], olow[n:])
                oshared = np.mean([len(set(x) & set(y)) / 10 for x, y in zip(oa, ob)])
                rows.append((f"{name}, ONNX Runtime int8 vs its fp32", n, len(queries), float(ocos.min()), float(ocos.mean()),
                             float(oshared), float(np.mean(oa[:, 0] == ob[:, 0])), secs[0], secs[1]))
                print(f"check-precision: {name} ONNX: min cosine {ocos.min():.6f}, top-10 shared {oshared:.4f}", file=sys.stderr)
    md = [f"## Precision drift: --precision {a.precision} against fp32, {utc_now()}", "",
          f"- Command: `scripts/check-precision{' --precision ' + a.precision if a.precision != 'int8' else ''}`",
          f"- Machine: {machine()}; exemplar {git_commit()}; model `{Path(a.model).name}`; load average at the end "
          f"{os.getloadavg()[0]:.1f}",
          "- Every text of both sets embedded twice by `exemplar embed` (fp32, then the precision); cosine per text; top-10 by "
          "cosine of each query against the support, fp32 ids against the precision's ids. ONNX Runtime rows: its dynamic int8 "
          "model (sentence-transformers' avx512_vnni settings, made by scripts/bench-encoder --precision fp32,int8) against its "
          "fp32 model, the same measures (max_seq_length 256).", "",
          "| set | support | queries | min cosine | mean cosine | top-10 ids shared | same top-1 | embed s fp32 | embed s " + a.precision + " |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        md.append(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.6f} | {r[4]:.6f} | {r[5]:.4f} | {r[6]:.4f} | {r[7]:.1f} | {r[8]:.1f} |")
    text = "\n".join(md) + "\n"
    print(text)
    if not a.no_write:
        append_report(text)


if __name__ == "__main__":
    main()
