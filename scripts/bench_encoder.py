"""Encoder benchmark: exemplar vs sentence-transformers (and ONNX Runtime), one run, same
sentences, same threads. Run through scripts/bench-encoder."""
import argparse, datetime, os, platform, subprocess, sys, tempfile, time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
import numpy as np


def run_child(cmd, env=None):
    """Wall seconds and peak RSS (MiB) of one child process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--exemplar", required=True)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--sentences", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    T = a.threads
    lines = Path(a.data, "original/SST-2/train.tsv").read_text(encoding="utf-8").splitlines()[1:]
    sentences = [l.split("\t")[0] for l in lines[: a.sentences]]
    work = Path(tempfile.mkdtemp())
    (work / "s.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    (work / "two.txt").write_text("a gripping thriller .\nwarm and funny .\n", encoding="utf-8")

    cold_ex = min((run_child([a.exemplar, "embed", "--model", a.model, "--input", str(work / "two.txt"), "--output", str(work / "two.npy")])
                   for _ in range(3)), key=lambda r: r[0])
    cold_py = f"import sentence_transformers as s; m=s.SentenceTransformer({a.model!r}, device='cpu'); m.encode(['a gripping thriller .', 'warm and funny .'])"
    cold_st = min((run_child([sys.executable, "-c", cold_py], env=dict(os.environ)) for _ in range(3)), key=lambda r: r[0])

    import torch
    torch.set_num_threads(T)
    from sentence_transformers import SentenceTransformer
    import sentence_transformers
    st = SentenceTransformer(a.model, device="cpu")
    lengths = [len(st.tokenizer(s, truncation=True, max_length=256)["input_ids"]) for s in sentences]

    # exemplar: whole process (model load included), best of repeats after one warm-up.
    ex_cmd = [a.exemplar, "embed", "--model", a.model, "--input", str(work / "s.txt"), "--output", str(work / "ex.npy"),
              "--threads", str(T), "--batch-size", "32"]
    run_child(ex_cmd)
    ex_time = min(run_child(ex_cmd)[0] for _ in range(a.repeats))
    ex_vec = np.load(work / "ex.npy")

    st.encode(sentences[:64], batch_size=32)
    st_time = float("inf")
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        st_vec = st.encode(sentences, batch_size=32, convert_to_numpy=True)
        st_time = min(st_time, time.perf_counter() - t0)

    ort = None
    try:
        import onnxruntime as ortlib
        from transformers import AutoModel, AutoTokenizer
        onnx_path = Path(".build/bench/minilm.onnx")
        tok = AutoTokenizer.from_pretrained(a.model)
        if not onnx_path.exists():
            onnx_path.parent.mkdir(parents=True, exist_ok=True)
            hf = AutoModel.from_pretrained(a.model).eval()
            ex = tok(["hello world"], return_tensors="pt")
            torch.onnx.export(hf, (ex["input_ids"], ex["attention_mask"]), str(onnx_path), input_names=["input_ids", "attention_mask"],
                              output_names=["last_hidden_state"], dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"},
                              "last_hidden_state": {0: "b", 1: "s"}}, opset_version=17, dynamo=False)
        so = ortlib.SessionOptions()
        so.intra_op_num_threads, so.inter_op_num_threads = T, 1
        sess = ortlib.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
        order = np.argsort([-l for l in lengths], kind="stable")
        def ort_encode():
            out = np.zeros((len(sentences), 384), np.float32)
            for i in range(0, len(order), 32):
                idx = order[i:i + 32]
                enc = tok([sentences[j] for j in idx], padding=True, truncation=True, max_length=256, return_tensors="np")
                h = sess.run(None, {"input_ids": enc["input_ids"].astype(np.int64), "attention_mask": enc["attention_mask"].astype(np.int64)})[0]
                m = enc["attention_mask"][..., None].astype(np.float32)
                v = (h * m).sum(1) / m.sum(1)
                out[idx] = v / np.linalg.norm(v, axis=1, keepdims=True)
            return out
        ort_encode()
        ort_time = float("inf")
        for _ in range(a.repeats):
            t0 = time.perf_counter(); ort_vec = ort_encode(); ort_time = min(ort_time, time.perf_counter() - t0)
        ort = (ort_time, ort_vec, ortlib.__version__)
    except Exception as e:  # report and carry on
        print(f"ONNX Runtime: skipped ({type(e).__name__}: {e})", file=sys.stderr)

    def parity(x, y):
        cos = (x * y).sum(1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))
        return float(cos.min()), float(np.abs(x - y).max())

    n = len(sentences)
    rows = [("exemplar embed (whole process)", n / ex_time), ("sentence-transformers encode", n / st_time)]
    if ort:
        rows.append(("ONNX Runtime (same model, fp32)", n / ort[0]))
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    md = [f"## Encoder: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, exemplar {commit}", "",
          f"Command: `scripts/bench-encoder {' '.join(sys.argv[5:])}`".rstrip(), "",
          f"Machine: {cpu}, {os.cpu_count()} cores. sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}"
          + (f", onnxruntime {ort[2]}" if ort else "") + ".", "",
          f"{n} sentences from SST-2 train (first {n} rows; mean {np.mean(lengths):.1f} tokens with [CLS]/[SEP]), {T} threads, batch 32, best of {a.repeats}.", "",
          "| engine | sentences/s | exemplar ÷ engine |", "|---|---:|---:|"]
    for name, rate in rows:
        md.append(f"| {name} | {rate:.1f} | {rows[0][1] / rate:.2f}x |")
    c1, m1 = parity(ex_vec, st_vec)
    md += ["", f"Parity on these sentences, exemplar vs sentence-transformers: min cosine {c1:.7f}, max abs diff {m1:.2e}."]
    if ort:
        c2, m2 = parity(ort[1], st_vec)
        md.append(f"ONNX Runtime vs sentence-transformers: min cosine {c2:.7f}, max abs diff {m2:.2e}.")
    md += ["", "Cold start (fresh process, two sentences, best of 3; peak RSS of the child, measured before the benchmark process loads torch):", "", "| | wall s | peak MiB |", "|---|---:|---:|",
           f"| exemplar embed | {cold_ex[0]:.3f} | {cold_ex[1]:.0f} |", f"| python + sentence-transformers | {cold_st[0]:.2f} | {cold_st[1]:.0f} |", ""]
    text = "\n".join(md)
    print(text)
    if not a.no_write:
        path = Path("BENCHMARKS.md")
        head = "" if path.exists() else "# Benchmarks\n\nEach section is one run of a script in `scripts/`, appended by the script itself.\n\n"
        with path.open("a") as f:
            f.write(head + text + "\n")


if __name__ == "__main__":
    main()
