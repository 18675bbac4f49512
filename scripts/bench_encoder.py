"""Encoder benchmark: `exemplar embed` vs sentence-transformers (and ONNX Runtime when it can
be set up), in one run, on the same sentences (same list, same order), at the same thread
count(s). Measures throughput, parity of the vectors and cold start, prints a report and
appends it to BENCHMARKS.md (unless --no-write).

Run it through scripts/bench-encoder, which builds the binary, fetches the model and makes
the Python venv first. Only the standard library is imported at the top: the cold-start
children are spawned before numpy/torch are loaded, because on Linux a child's ru_maxrss
also counts the RSS of the parent it was spawned from (exec keeps the high-water mark of
the address space it replaces), so a big parent would inflate the children's peak RSS.
"""
import argparse
import atexit
import datetime
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from bench_common import append_report, git_commit, machine

os.environ["HF_HUB_OFFLINE"] = "1"          # everything comes from the local model folder
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = os.environ.get("EXEMPLAR_MODEL") or str(
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "exemplar" / "all-MiniLM-L6-v2")
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "original" / "SST-2" / "train.tsv"

# exemplar's OpenBLAS picks its kernels from OPENBLAS_CORETYPE when set (a machine may pin
# it), else from the CPU; torch (MKL) and ONNX Runtime (MLAS) never read it.
CORETYPE_ENV = "env"    # the environment as inherited
CORETYPE_AUTO = "auto"  # OPENBLAS_CORETYPE unset: OpenBLAS detects the CPU


def log(msg):
    print(f"bench-encoder: {msg}", file=sys.stderr, flush=True)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=DEFAULT_MODEL, help="model folder (default: %(default)s)")
    ap.add_argument("--exemplar", default=str(ROOT / ".build" / "release" / "exemplar"),
                    help="exemplar binary (default: %(default)s)")
    ap.add_argument("--data", default=str(DEFAULT_DATA),
                    help="TSV with a 'sentence' column (SST-2 layout), or a text file with one "
                         "sentence per line (default: %(default)s)")
    ap.add_argument("--sentences", type=int, default=2000, help="first N sentences (default 2000)")
    ap.add_argument("--join", type=int, default=1,
                    help="make each text of J consecutive sentences joined by spaces (the long set: --sentences 500 "
                         "--join 8); --sentences counts texts (default 1)")
    ap.add_argument("--threads", default="2", help="thread count or comma list, e.g. 1,2 (default 2)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per engine; best is kept (default 3)")
    ap.add_argument("--batch-size", type=int, default=32, help="sentences per batch, all engines (default 32)")
    ap.add_argument("--cold-repeats", type=int, default=3, help="cold-start runs; best is kept (default 3)")
    ap.add_argument("--onnx", default=None,
                    help="where the exported ONNX model is cached (default: .build/bench/MODEL-FOLDER-NAME.onnx)")
    ap.add_argument("--openblas-coretype", default=CORETYPE_ENV,
                    help="comma list of OPENBLAS_CORETYPE settings to time exemplar under: 'env' (as "
                         "inherited), 'auto' (unset: OpenBLAS detects the CPU) or a core name such as "
                         "SkylakeX (default: env)")
    ap.add_argument("--precision", default="fp32",
                    help="comma list of exemplar precisions to time: fp32 (always included), int8, int16, bf16 (with any of "
                         "them, ONNX Runtime's dynamically quantised int8 model is timed too) (default: fp32)")
    ap.add_argument("--no-onnx", action="store_true", help="skip ONNX Runtime")
    ap.add_argument("--no-write", action="store_true", help="do not append to BENCHMARKS.md")
    a = ap.parse_args()
    try:
        a.threads = [int(t) for t in a.threads.split(",") if t.strip()]
    except ValueError:
        ap.error(f"--threads must be an integer or a comma list of integers, got {a.threads!r}")
    a.coretypes = [c.strip() for c in a.openblas_coretype.split(",") if c.strip()] or [CORETYPE_ENV]
    a.precisions = ["fp32"] + [p.strip() for p in a.precision.split(",") if p.strip() and p.strip() != "fp32"]
    if any(p not in ("fp32", "int8", "int16", "bf16") for p in a.precisions):
        ap.error(f"--precision takes fp32, int8, int16 and bf16, got {a.precision!r}")
    if a.onnx is None:
        a.onnx = str(ROOT / ".build" / "bench" / (Path(a.model).resolve().name + ".onnx"))
    if not a.threads or min(a.threads) < 1 or a.sentences < 2 or a.repeats < 1 or a.cold_repeats < 1:
        ap.error("--threads, --repeats and --cold-repeats must be >= 1 and --sentences >= 2")
    return a


def load_sentences(path, n):
    """First n sentences: the 'sentence' column of a TSV with a header, else one per line."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t") if lines else []
    if "sentence" in header:
        col = header.index("sentence")
        sentences = [l.split("\t")[col] for l in lines[1:] if l.strip()]
    else:
        sentences = [l for l in lines if l.strip()]
    if len(sentences) < n:
        sys.exit(f"bench-encoder: {path} has only {len(sentences)} sentences, {n} asked for")
    return sentences[:n]


def coretype_env(coretype):
    """The environment exemplar runs in under one --openblas-coretype setting."""
    env = dict(os.environ)
    if coretype == CORETYPE_AUTO:
        env.pop("OPENBLAS_CORETYPE", None)
    elif coretype != CORETYPE_ENV:
        env["OPENBLAS_CORETYPE"] = coretype
    return env


def coretype_label(coretype):
    if coretype == CORETYPE_ENV:
        value = os.environ.get("OPENBLAS_CORETYPE")
        return f"OPENBLAS_CORETYPE={value} (inherited)" if value else "OPENBLAS_CORETYPE unset (inherited)"
    if coretype == CORETYPE_AUTO:
        return "OPENBLAS_CORETYPE unset (CPU detected)"
    return f"OPENBLAS_CORETYPE={coretype}"


def run_child(cmd, env=None):
    """Runs cmd to completion; returns (wall seconds, peak RSS MiB) of that child alone.

    os.wait4 on the Popen pid gives the child's own rusage (ru_maxrss is KiB on Linux).
    stderr goes to a temporary file so a chatty child can never block on a full pipe.
    """
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it has been reaped
        if p.returncode != 0:
            err.seek(0)
            sys.exit(f"bench-encoder: failed ({p.returncode}): {shlex.join(cmd)}\n"
                     + err.read().decode(errors="replace")[-4000:])
    return wall, usage.ru_maxrss / 1024


def own_peak_rss_mib():
    """This process's peak RSS so far (VmHWM), the floor under any child's ru_maxrss."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def exemplar_cmd(a, inp, out, threads, precision="fp32"):
    return [a.exemplar, "embed", "--model", a.model, "--input", str(inp), "--input-format", "text",
            "--output", str(out), "--threads", str(threads), "--batch-size", str(a.batch_size), "--precision", precision]


def cold_start(a, work, two, threads):
    """Fresh process embedding two sentences: best wall and best peak RSS of --cold-repeats runs."""
    two_txt = work / "two.txt"
    two_txt.write_text("\n".join(two) + "\n", encoding="utf-8")
    code = ("import torch; torch.set_num_threads({t}); "
            "from sentence_transformers import SentenceTransformer; "
            "m = SentenceTransformer({model!r}, device='cpu'); m.encode({two!r}, batch_size={bs})"
            ).format(t=threads, model=a.model, two=two, bs=a.batch_size)
    cmds = {f"exemplar embed, {coretype_label(c)}": (exemplar_cmd(a, two_txt, work / "two.npy", threads), coretype_env(c))
            for c in a.coretypes}
    cmds["python + sentence-transformers"] = ([sys.executable, "-c", code], dict(os.environ))
    results = {}
    for name, (cmd, env) in cmds.items():
        runs = [run_child(cmd, env=env) for _ in range(a.cold_repeats)]
        results[name] = (min(r[0] for r in runs), min(r[1] for r in runs))
        log(f"cold start {name}: {results[name][0]:.3f} s, {results[name][1]:.0f} MiB")
    return results


def export_onnx(model_dir, path):
    """Exports the model's transformer (BertModel -> last_hidden_state) to ONNX once, with
    dynamic batch and sequence axes. Written to a temporary name and renamed when complete."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    class LastHidden(torch.nn.Module):  # a plain tensor output instead of a ModelOutput
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            extra = {} if token_type_ids is None else {"token_type_ids": token_type_ids}
            return self.m(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state

    tok = AutoTokenizer.from_pretrained(model_dir)
    hf = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()
    ex = tok(["a gripping thriller .", "warm and funny , with a little more"], padding=True, return_tensors="pt")
    # The inputs the tokenizer gives (MPNet and RoBERTa have no token_type_ids), in forward's order.
    names = [n for n in ["input_ids", "attention_mask", "token_type_ids"] if n in ex]
    axes = {n: {0: "batch", 1: "sequence"} for n in names + ["last_hidden_state"]}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    with torch.no_grad(), warnings.catch_warnings():
        # Tracer/deprecation warnings are expected here; parity against sentence-transformers
        # below is what checks the exported graph.
        warnings.simplefilter("ignore")
        # The TorchScript exporter (dynamo=False) handles dynamic_axes directly and writes one file.
        torch.onnx.export(LastHidden(hf), tuple(ex[n] for n in names), str(tmp), input_names=names,
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17,
                          dynamo=False)
    os.replace(tmp, path)


def quantize_onnx_int8(fp32_path, path):
    """ONNX Runtime's dynamic int8 model, made the way sentence-transformers'
    `export_dynamic_quantized_onnx_model(model, "avx512_vnni", ...)` makes it: optimum's
    `AutoQuantizationConfig.avx512_vnni(is_static=False)` handed to ONNX Runtime's ONNXQuantizer
    (IntegerOps mode, per-channel symmetric int8 weights, asymmetric uint8 activations, no reduced
    range, every operator of the dynamic registry). optimum itself is not imported: its ONNX
    exporter does not load with transformers 5; the quantisation step is ONNX Runtime's alone."""
    import onnx
    from onnxruntime.quantization import QuantType
    from onnxruntime.quantization.onnx_quantizer import ONNXQuantizer
    from onnxruntime.quantization.quant_utils import QuantizationMode
    from onnxruntime.quantization.registry import IntegerOpsRegistry
    model = onnx.load(str(fp32_path))
    quantizer = ONNXQuantizer(model, per_channel=True, reduce_range=False, mode=QuantizationMode.IntegerOps,
                              static=False, weight_qType=QuantType.QInt8, activation_qType=QuantType.QUInt8,
                              tensors_range=None, nodes_to_quantize=[], nodes_to_exclude=[],
                              op_types_to_quantize=list(IntegerOpsRegistry.keys()),
                              extra_options={"WeightSymmetric": True, "ActivationSymmetric": False,
                                             "EnableSubgraph": False, "ForceSymmetric": False})
    quantizer.quantize_model()
    tmp = path.with_name(path.name + ".partial")
    onnx.save_model(quantizer.model.model, str(tmp))
    os.replace(tmp, path)


def model_fingerprint(model_dir):
    """Identifies the model an ONNX export was made from: folder, weights size and mtime."""
    w = Path(model_dir, "model.safetensors")
    st = w.stat() if w.exists() else None
    return f"{Path(model_dir).resolve()} {st.st_size if st else '-'} {int(st.st_mtime) if st else '-'}\n"


class OnnxEncoder:
    """ONNX Runtime session plus what sentence-transformers does around its transformer:
    length-sorted batches, tokenizer from transformers, mean pooling with the attention mask,
    L2 normalisation (numpy)."""

    def __init__(self, onnx_path, model_dir, threads, max_length, dim):
        import onnxruntime as ort
        from transformers import AutoTokenizer
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.sess = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.sess.get_inputs()}
        self.tok = AutoTokenizer.from_pretrained(model_dir)
        self.max_length = max_length
        self.dim = dim

    def encode(self, sentences, batch_size):
        import numpy as np
        order = np.argsort([-len(s) for s in sentences])  # as SentenceTransformer.encode sorts
        out = np.empty((len(sentences), self.dim), np.float32)
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            enc = self.tok([sentences[j] for j in idx], padding=True, truncation=True,
                           max_length=self.max_length, return_tensors="np")
            feeds = {k: v.astype(np.int64) for k, v in enc.items() if k in self.inputs}
            h = self.sess.run(None, feeds)[0]
            m = enc["attention_mask"][..., None].astype(np.float32)
            v = (h * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
            out[idx] = v / np.clip(np.linalg.norm(v, axis=1, keepdims=True), 1e-12, None)
        return out


def best_time(fn, repeats):
    """Best wall seconds of `repeats` calls of fn(); returns (seconds, last result)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def parity(x, y):
    """(min cosine, max abs diff) between matching rows of x and y."""
    import numpy as np
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    cos = (x64 * y64).sum(1) / (np.linalg.norm(x64, axis=1) * np.linalg.norm(y64, axis=1))
    return float(cos.min()), float(np.abs(x64 - y64).max())


def main():
    a = parse_args()
    command = os.environ.get("BENCH_ENCODER_COMMAND") or shlex.join([sys.executable] + sys.argv)
    for p, what in ((a.exemplar, "exemplar binary"), (a.model, "model folder"), (a.data, "data")):
        if not Path(p).exists():
            sys.exit(f"bench-encoder: {what} not found: {p}")
    sentences = load_sentences(a.data, a.sentences * max(1, a.join))
    if a.join > 1:
        sentences = [" ".join(sentences[i:i + a.join]) for i in range(0, len(sentences), a.join)]
    n = len(sentences)
    work = Path(tempfile.mkdtemp(prefix="bench-encoder."))  # inputs and .npy outputs
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    text_file = work / "sentences.txt"
    text_file.write_text("\n".join(sentences) + "\n", encoding="utf-8")

    # 1. Cold start, while this process is still small (see the module docstring).
    cold_threads = max(a.threads)
    parent_rss = own_peak_rss_mib()
    log(f"cold start, {a.cold_repeats} runs each, --threads {cold_threads} ...")
    cold = cold_start(a, work, sentences[:2], cold_threads)

    # 2. Load the in-process engines.
    import numpy as np
    import torch
    import sentence_transformers
    from sentence_transformers import SentenceTransformer
    import transformers
    transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bars
    st = SentenceTransformer(a.model, device="cpu")
    dim = st.get_embedding_dimension() if hasattr(st, "get_embedding_dimension") else st.get_sentence_embedding_dimension()
    tokens = [len(ids) for ids in st.tokenizer(sentences, truncation=True, max_length=st.max_seq_length)["input_ids"]]

    onnx_path, onnx_skip = Path(a.onnx), None
    if a.no_onnx:
        onnx_skip = "--no-onnx"
    else:
        try:
            import onnxruntime
            # The export is cached; a stamp records which model folder it came from.
            stamp = onnx_path.with_name(onnx_path.name + ".source")
            source = model_fingerprint(a.model)
            if not (onnx_path.exists() and stamp.exists() and stamp.read_text() == source):
                log(f"exporting the transformer to {onnx_path} (once per model) ...")
                export_onnx(a.model, onnx_path)
                stamp.write_text(source)
        except Exception as e:  # report and carry on without it
            onnx_skip = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    if onnx_skip:
        log(f"ONNX Runtime: skipped ({onnx_skip})")

    # 3. Throughput and parity at each thread count.
    results = []  # dicts: threads, seconds per engine, parity
    for T in a.threads:
        r = {"threads": T, "secs": {}, "parity": {}}
        torch.set_num_threads(T)

        # (i) exemplar: the whole process, model load included; one warm-up run first; once
        # per --openblas-coretype setting.
        ex_vecs = {}
        for p in a.precisions:
            for c in a.coretypes:
                key = f"exemplar:{c}" if p == "fp32" else f"exemplar-{p}:{c}"
                cmd, env = exemplar_cmd(a, text_file, work / "ex.npy", T, p), coretype_env(c)
                log(f"threads {T}: exemplar embed --precision {p}, {coretype_label(c)} ...")
                run_child(cmd, env=env)
                r["secs"][key] = min(run_child(cmd, env=env)[0] for _ in range(a.repeats))
                ex_vecs[key] = np.load(work / "ex.npy")
                if ex_vecs[key].shape != (n, dim):
                    sys.exit(f"bench-encoder: exemplar wrote shape {ex_vecs[key].shape}, expected {(n, dim)}")

        # (ii) sentence-transformers in-process, model already loaded; warm-up on 2 batches.
        log(f"threads {T}: sentence-transformers ...")
        st.encode(sentences[:2 * a.batch_size], batch_size=a.batch_size)
        r["secs"]["st"], st_vec = best_time(
            lambda: st.encode(sentences, batch_size=a.batch_size, convert_to_numpy=True), a.repeats)
        for key, vec in ex_vecs.items():
            r["parity"][key] = parity(vec, st_vec)
            if not key.startswith("exemplar:"):  # a quantised run: its drift from exemplar's own fp32 vectors
                r["parity"][key + ":fp32"] = parity(vec, ex_vecs["exemplar:" + key.split(":", 1)[1]])

        # (iii) ONNX Runtime, session built per thread count; warm-up on 2 batches.
        if not onnx_skip:
            try:
                log(f"threads {T}: ONNX Runtime ...")
                enc = OnnxEncoder(onnx_path, a.model, T, st.max_seq_length, dim)
                enc.encode(sentences[:2 * a.batch_size], a.batch_size)
                r["secs"]["onnx"], ort_vec = best_time(lambda: enc.encode(sentences, a.batch_size), a.repeats)
                r["parity"]["onnx"] = parity(ort_vec, st_vec)
                if any(p != "fp32" for p in a.precisions):
                    q_path = onnx_path.with_name(onnx_path.stem + "-int8.onnx")
                    q_stamp = q_path.with_name(q_path.name + ".source")
                    if not (q_path.exists() and q_stamp.exists() and q_stamp.read_text() == source):
                        log(f"quantising {onnx_path.name} to int8 (ONNX Runtime dynamic quantisation) ...")
                        quantize_onnx_int8(onnx_path, q_path)
                        q_stamp.write_text(source)
                    log(f"threads {T}: ONNX Runtime int8 ...")
                    qenc = OnnxEncoder(q_path, a.model, T, st.max_seq_length, dim)
                    qenc.encode(sentences[:2 * a.batch_size], a.batch_size)
                    r["secs"]["onnx-int8"], q_vec = best_time(lambda: qenc.encode(sentences, a.batch_size), a.repeats)
                    r["parity"]["onnx-int8"] = parity(q_vec, st_vec)
                    r["parity"]["onnx-int8:fp32"] = parity(q_vec, ort_vec)
            except Exception as e:
                onnx_skip = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
                log(f"ONNX Runtime: skipped ({onnx_skip})")
        results.append(r)

    # 4. Report.
    versions = [f"sentence-transformers {sentence_transformers.__version__}", f"torch {torch.__version__}",
                f"transformers {transformers.__version__}"]
    if not onnx_skip:
        versions.append(f"onnxruntime {onnxruntime.__version__}")
    versions += [f"numpy {np.__version__}", f"exemplar {git_commit()}"]
    names = {}
    for p in a.precisions:
        for c in a.coretypes:
            key = f"exemplar:{c}" if p == "fp32" else f"exemplar-{p}:{c}"
            names[key] = f"exemplar embed --precision {p} (whole process, incl. model load), {coretype_label(c)}"
    names.update({"st": "sentence-transformers encode (in-process, load excluded)",
                  "onnx": "ONNX Runtime fp32 (in-process, load excluded)",
                  "onnx-int8": "ONNX Runtime dynamic int8, sentence-transformers' avx512_vnni settings (in-process, load excluded)"})
    first = f"exemplar:{a.coretypes[0]}"
    uptime = os.getloadavg()

    md = [f"## Encoder throughput: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC", "",
          f"- Command: `{command}`",
          f"- Machine: {machine()}; load average at the end {uptime[0]:.1f} / {uptime[1]:.1f} / {uptime[2]:.1f} (1 / 5 / 15 min)",
          f"- Model: `{Path(a.model).name}` ({dim} dimensions)",
          f"- Versions: {', '.join(versions)}",
          f"- Data: first {n} {'texts of ' + str(a.join) + ' joined sentences' if a.join > 1 else 'sentences'} of `{os.path.relpath(a.data, ROOT)}` (mean {np.mean(tokens):.1f} tokens, max {max(tokens)}, "
          f"counting the special tokens); same list and order for every engine",
          f"- Batch size {a.batch_size}; best of {a.repeats} timed runs after a warm-up. exemplar is timed as a "
          "whole `exemplar embed` process (start, model load, read, embed, write .npy); the Python engines "
          "are timed in-process around encode only (model load excluded).",
          "", "| threads | engine | best s | sentences/s | first exemplar ÷ engine |", "|---:|---|---:|---:|---:|"]
    for r in results:
        ex_rate = n / r["secs"][first]
        for key in names:
            if key in r["secs"]:
                rate = n / r["secs"][key]
                md.append(f"| {r['threads']} | {names[key]} | {r['secs'][key]:.3f} | {rate:.1f} | {ex_rate / rate:.2f}x |")
    if onnx_skip:
        md.append(f"\nONNX Runtime: skipped ({onnx_skip}).")

    md += ["", "Ratios (sentences/s of exemplar divided by the other engine's):", ""]
    for r in results:
        for key in [k for k in names if k.startswith("exemplar")]:
            p, c = ("fp32" if key.startswith("exemplar:") else key.split(":")[0].split("-", 1)[1]), key.split(":", 1)[1]
            ex_rate = n / r["secs"][key]
            parts = [f"exemplar / sentence-transformers = {ex_rate / (n / r['secs']['st']):.2f}"]
            if "onnx" in r["secs"]:
                parts.append(f"exemplar / ONNX Runtime fp32 = {ex_rate / (n / r['secs']['onnx']):.2f}")
            if "onnx-int8" in r["secs"]:
                parts.append(f"exemplar / ONNX Runtime int8 = {ex_rate / (n / r['secs']['onnx-int8']):.2f}")
            md.append(f"- {r['threads']} thread{'s' if r['threads'] > 1 else ''}, --precision {p}, {coretype_label(c)}: " + ", ".join(parts))

    md += ["", f"Parity on the same {n} sentences (vs sentence-transformers' vectors):", ""]
    for r in results:
        labels = [(k, names[k].replace(" (whole process, incl. model load)", "")) for k in names if k.startswith("exemplar")]
        labels += [(k + ":fp32", names[k].replace(" (whole process, incl. model load)", "") + " vs exemplar's own fp32 vectors")
                   for k in names if k.startswith("exemplar-")]
        labels += [("onnx", "ONNX Runtime fp32"), ("onnx-int8", "ONNX Runtime int8"),
                   ("onnx-int8:fp32", "ONNX Runtime int8 vs ONNX Runtime fp32")]
        for key, label in labels:
            if key in r["parity"]:
                c, d = r["parity"][key]
                md.append(f"- {r['threads']} thread{'s' if r['threads'] > 1 else ''}, {label}: "
                          f"min cosine {c:.7f}, max abs diff {d:.2e}")

    md += ["", f"Cold start: a fresh process embedding two sentences, --threads {cold_threads}; "
           f"min of {a.cold_repeats} runs for each column. Peak MiB is the child's ru_maxrss (os.wait4); "
           f"it includes the benchmark process's own {parent_rss:.0f} MiB at spawn time as a floor.", "",
           "| process | wall s | peak MiB |", "|---|---:|---:|"]
    for name, (wall, rss) in cold.items():
        md.append(f"| {name} | {wall:.3f} | {rss:.0f} |")
    ex_c, st_c = next(iter(cold.values())), cold["python + sentence-transformers"]
    md += ["", f"exemplar starts {st_c[0] / ex_c[0]:.1f}x faster and peaks at {ex_c[1] / st_c[1]:.2f}x "
           "the memory of python + sentence-transformers.", ""]

    text = "\n".join(md)
    print(text)
    if not a.no_write:
        log(f"appended to {append_report(text)}")


if __name__ == "__main__":
    main()
