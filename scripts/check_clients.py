#!/usr/bin/env python3
"""Runs real embedding clients and the exemplar_client adapters, unmodified, against a running
`exemplar serve`, and compares what they get with `exemplar embed` / `exemplar demos`.

Called by scripts/check-clients (which builds the index, starts the server and makes the
reference files); run it by hand as
  python scripts/check_clients.py --url URL --index sst-2 --reference DIR [--only NAME,...] [--markdown FILE]

Every check is one client, used as its documentation says, pointed at the server's bare URL
(TEI clients) or its /v1 URL (OpenAI clients). A check passes when the client returns a vector
per input with max abs difference <= 1e-5 from `exemplar embed`'s (prompt and dimensions
checks compare with `exemplar embed --prompt/--dimensions`), or, for the adapters, the same
demonstrations as `exemplar demos` with the same seed.
"""
import argparse
import asyncio
import json
import os
import sys
import time
import traceback

import numpy as np

TOLERANCE = 1e-5
CHECKS = []


def check(name, route, what):
    def register(fn):
        CHECKS.append((name, route, what, fn))
        return fn
    return register


class Context:
    def __init__(self, url, index, reference):
        self.url = url.rstrip("/")
        self.v1 = self.url + "/v1"
        self.index = index
        self.reference = reference
        with open(os.path.join(reference, "sentences.json")) as f:
            self.sentences = json.load(f)
        self.vectors = np.load(os.path.join(reference, "embed.npy"))
        self.prompted = np.load(os.path.join(reference, "embed-prompt.npy"))
        self.truncated = np.load(os.path.join(reference, "embed-dim.npy"))
        with open(os.path.join(reference, "settings.json")) as f:
            self.settings = json.load(f)
        with open(os.path.join(reference, "demos.jsonl")) as f:
            self.demos = [json.loads(line) for line in f]

    def compare(self, got, want=None):
        want = self.vectors if want is None else want
        got = np.asarray(got, dtype=np.float64)
        if got.shape != want.shape:
            raise AssertionError(f"shape {got.shape}, exemplar embed has {want.shape}")
        diff = float(np.max(np.abs(got - want)))
        if diff > TOLERANCE:
            raise AssertionError(f"max abs diff {diff:.3g} > {TOLERANCE}")
        return f"{len(got)} vectors, max abs diff {diff:.2g}"

    def demo_ids(self):
        """Per demos.jsonl query: the demonstration ids `exemplar demos` chose (sample 0)."""
        return [[d["id"] for d in row["demonstrations"]] for row in self.demos]


# -- OpenAI-compatible clients (/v1/embeddings) --------------------------------------------------
@check("openai", "/v1/embeddings", "models.list; embeddings.create float and base64 (default), 150 inputs in one call, one string; empty inputs refused")
def openai_sync(ctx):
    import openai
    client = openai.OpenAI(base_url=ctx.v1, api_key="unused")
    models = [m.id for m in client.models.list()]
    if len(models) != 1:
        raise AssertionError(f"models.list gives {models}, not the one served model")
    floats = client.embeddings.create(model="exemplar", input=ctx.sentences, encoding_format="float")
    default = client.embeddings.create(model="exemplar", input=ctx.sentences)
    one = client.embeddings.create(model="exemplar", input=ctx.sentences[0])
    ctx.compare([one.data[0].embedding], ctx.vectors[:1])
    ctx.compare([d.embedding for d in default.data])
    for bad in ("", [], [""]):
        try:
            client.embeddings.create(model="exemplar", input=bad)
        except openai.BadRequestError:
            continue
        raise AssertionError(f"input {bad!r} was not refused with 400 (OpenAI refuses it)")
    return ctx.compare([d.embedding for d in floats.data]) + f"; models.list {models}; empty inputs 400"


@check("openai async", "/v1/embeddings", "AsyncOpenAI, 150 inputs, 4 concurrent calls")
def openai_async(ctx):
    import openai

    async def run():
        client = openai.AsyncOpenAI(base_url=ctx.v1, api_key="unused")
        replies = await asyncio.gather(*[client.embeddings.create(model="exemplar", input=ctx.sentences) for _ in range(4)])
        return [[d.embedding for d in r.data] for r in replies]
    results = asyncio.run(run())
    for vectors in results[1:]:
        ctx.compare(vectors)
    return ctx.compare(results[0])


@check("openai dimensions", "/v1/embeddings", "dimensions=DIM")
def openai_dimensions(ctx):
    import openai
    client = openai.OpenAI(base_url=ctx.v1, api_key="unused")
    reply = client.embeddings.create(model="exemplar", input=ctx.sentences, dimensions=ctx.settings["dimensions"])
    return ctx.compare([d.embedding for d in reply.data], ctx.truncated)


@check("openai prompt", "/v1/embeddings", "extra_body={'prompt': PROMPT}")
def openai_prompt(ctx):
    import openai
    client = openai.OpenAI(base_url=ctx.v1, api_key="unused")
    reply = client.embeddings.create(model="exemplar", input=ctx.sentences, extra_body={"prompt": ctx.settings["prompt"]})
    return ctx.compare([d.embedding for d in reply.data], ctx.prompted)


@check("langchain-openai", "/v1/embeddings", "OpenAIEmbeddings(check_embedding_ctx_length=False).embed_documents (chunk 1000)")
def langchain_openai(ctx):
    from langchain_openai import OpenAIEmbeddings
    emb = OpenAIEmbeddings(base_url=ctx.v1, api_key="unused", model="exemplar", check_embedding_ctx_length=False)
    ctx.compare([emb.embed_query(s) for s in ctx.sentences[:3]], ctx.vectors[:3])
    return ctx.compare(emb.embed_documents(ctx.sentences))


@check("haystack OpenAI", "/v1/embeddings", "OpenAIDocumentEmbedder + OpenAITextEmbedder")
def haystack_openai(ctx):
    from haystack import Document
    from haystack.components.embedders import OpenAIDocumentEmbedder, OpenAITextEmbedder
    from haystack.utils import Secret
    docs = OpenAIDocumentEmbedder(api_key=Secret.from_token("unused"), api_base_url=ctx.v1, model="exemplar",
                                  progress_bar=False).run([Document(content=s) for s in ctx.sentences])["documents"]
    text = OpenAITextEmbedder(api_key=Secret.from_token("unused"), api_base_url=ctx.v1, model="exemplar").run(ctx.sentences[0])
    ctx.compare([text["embedding"]], ctx.vectors[:1])
    return ctx.compare([d.embedding for d in docs])


@check("litellm openai/", "/v1/embeddings", "litellm.embedding(model='openai/exemplar', api_base=URL/v1)")
def litellm_openai(ctx):
    import litellm
    reply = litellm.embedding(model="openai/exemplar", input=ctx.sentences, api_base=ctx.v1, api_key="unused")
    return ctx.compare([d["embedding"] for d in reply.data])


@check("llama-index OpenAI", "/v1/embeddings", "OpenAIEmbedding(api_base=URL/v1).get_text_embedding_batch")
def llama_openai(ctx):
    from llama_index.embeddings.openai import OpenAIEmbedding
    emb = OpenAIEmbedding(api_base=ctx.v1, api_key="unused", model_name="text-embedding-3-small", embed_batch_size=100)
    return ctx.compare(emb.get_text_embedding_batch(ctx.sentences))


# -- TEI clients (the bare URL: POST /, /embed) ----------------------------------------------------
@check("huggingface_hub", "/", "InferenceClient(base_url=URL).feature_extraction")
def hf_hub(ctx):
    from huggingface_hub import InferenceClient
    client = InferenceClient(base_url=ctx.url)
    got = [np.asarray(client.feature_extraction(s)).reshape(-1) for s in ctx.sentences[:20]]
    return ctx.compare(got, ctx.vectors[:20])


@check("huggingface_hub /embed", "/embed", "InferenceClient(model=URL/embed).feature_extraction")
def hf_hub_embed(ctx):
    from huggingface_hub import InferenceClient
    client = InferenceClient(model=ctx.url + "/embed")
    got = [np.asarray(client.feature_extraction(s)).reshape(-1) for s in ctx.sentences[:20]]
    return ctx.compare(got, ctx.vectors[:20])


@check("llama-index TEI", "/embed", "TextEmbeddingsInference(base_url=URL).get_text_embedding_batch")
def llama_tei(ctx):
    from llama_index.embeddings.text_embeddings_inference import TextEmbeddingsInference
    emb = TextEmbeddingsInference(base_url=ctx.url, model_name="exemplar", embed_batch_size=32)
    return ctx.compare(emb.get_text_embedding_batch(ctx.sentences))


@check("haystack TEI", "/", "huggingface-api-haystack's HuggingFaceAPIDocumentEmbedder + TextEmbedder, api_type text_embeddings_inference")
def haystack_tei(ctx):
    from haystack import Document
    from haystack_integrations.components.embedders.huggingface_api import (HuggingFaceAPIDocumentEmbedder,
                                                                             HuggingFaceAPITextEmbedder)
    params = {"url": ctx.url}
    docs = HuggingFaceAPIDocumentEmbedder(api_type="text_embeddings_inference", api_params=params,
                                          progress_bar=False).run([Document(content=s) for s in ctx.sentences])["documents"]
    text = HuggingFaceAPITextEmbedder(api_type="text_embeddings_inference", api_params=params).run(ctx.sentences[0])
    ctx.compare([text["embedding"]], ctx.vectors[:1])
    return ctx.compare([d.embedding for d in docs])


@check("litellm huggingface/", "/", "litellm.embedding(model='huggingface/exemplar', api_base=URL, input_type='feature-extraction')")
def litellm_hf(ctx):
    import litellm
    # input_type names the task; without it litellm asks huggingface.co for the model's task.
    reply = litellm.embedding(model="huggingface/exemplar", input=ctx.sentences[:20], api_base=ctx.url, api_key="unused",
                              input_type="feature-extraction")
    return ctx.compare([d["embedding"] for d in reply.data], ctx.vectors[:20])


# -- exemplar_client and its adapters --------------------------------------------------------------
@check("exemplar_client", "/v1/embeddings", "ExemplarClient.embed, prompt and dimensions")
def exemplar_client_embed(ctx):
    from exemplar_client import ExemplarClient
    client = ExemplarClient(ctx.url)
    ctx.compare(client.embed(ctx.sentences, prompt=ctx.settings["prompt"]), ctx.prompted)
    ctx.compare(client.embed(ctx.sentences, dimensions=ctx.settings["dimensions"]), ctx.truncated)
    return ctx.compare(client.embed(ctx.sentences))


def demo_queries(ctx):
    return [row["query"]["text"] for row in ctx.demos]


@check("LangChain example selector", "/v1/indexes/{name}/demonstrations",
       "ExemplarExampleSelector in a FewShotPromptTemplate")
def langchain_selector(ctx):
    from langchain_core.prompts import FewShotPromptTemplate, PromptTemplate
    from exemplar_client import ExemplarClient
    from exemplar_client.langchain import ExemplarExampleSelector
    words = ctx.settings["label_words"]
    selector = ExemplarExampleSelector(ExemplarClient(ctx.url), ctx.index, label_words=words, seed=ctx.settings["seed"])
    prompt = FewShotPromptTemplate(example_selector=selector,
                                   example_prompt=PromptTemplate.from_template("{input} It was {output}."),
                                   suffix="{input} It was", input_variables=["input"])
    want = ctx.demo_ids()
    for query, ids in zip(demo_queries(ctx), want):
        examples = selector.select_examples({"input": query})
        if [e["id"] for e in examples] != ids:
            raise AssertionError(f"{query!r}: ids {[e['id'] for e in examples]}, exemplar demos chose {ids}")
        text = prompt.format(input=query)
        for e in examples:
            line = f"{e['input']} It was {words[e['label']]}."
            if line not in text:
                raise AssertionError(f"prompt lacks {line!r}")
    return f"{len(want)} queries, the same demonstrations as exemplar demos"


@check("DSPy retriever and few-shot", "/v1/indexes/{name}/search, /demonstrations",
       "ExemplarRetriever; ExemplarFewShot with dspy.utils.DummyLM")
def dspy_adapters(ctx):
    import dspy
    from dspy.utils import DummyLM
    from exemplar_client import ExemplarClient
    from exemplar_client.dspy import ExemplarFewShot, ExemplarRetriever
    client = ExemplarClient(ctx.url)
    search = ExemplarRetriever(client, ctx.index, k=3)
    queries = demo_queries(ctx)
    found = search(queries[0])
    direct = client.search(ctx.index, text=queries[0], k=3)["results"][0]["hits"]
    if found.indices != [h["id"] for h in direct] or len(found.passages) != 3:
        raise AssertionError(f"retriever ids {found.indices}, /search gives {[h['id'] for h in direct]}")
    words = ctx.settings["label_words"]
    lm = DummyLM([{"sentiment": "great"}] * len(queries))
    dspy.configure(lm=lm)
    classify = ExemplarFewShot("sentence -> sentiment", client, ctx.index, input_field="sentence",
                               output_field="sentiment", label_words=words, seed=ctx.settings["seed"])
    for query, ids in zip(queries, ctx.demo_ids()):
        demos = classify.demonstrations(sentence=query)
        if [d.sentence for d in demos] != [d["text"] for row in ctx.demos if row["query"]["text"] == query
                                             for d in row["demonstrations"]]:
            raise AssertionError(f"{query!r}: demonstrations differ from exemplar demos")
        answer = classify(sentence=query)
        if answer.sentiment != "great":
            raise AssertionError(f"prediction {answer.sentiment!r}")
        sent = json.dumps(lm.history[-1]["messages"])
        for d in demos:
            if json.dumps(d.sentence)[1:-1] not in sent:
                raise AssertionError(f"the LM was not shown the demonstration {d.sentence!r}")
    return f"retriever = /search; {len(queries)} predictions, each shown exemplar demos' demonstrations"


@check("datasets.map helper", "/v1/indexes/{name}/demonstrations", "add_demonstrations(Dataset, batch_size 3)")
def datasets_helper(ctx):
    import datasets
    from exemplar_client import ExemplarClient
    from exemplar_client.datasets import add_demonstrations
    datasets.disable_progress_bars()
    ds = datasets.Dataset.from_dict({"sentence": demo_queries(ctx)})
    out = add_demonstrations(ds, ExemplarClient(ctx.url), ctx.index, text_column="sentence", template="lmbff",
                             num_sample=1, seed=ctx.settings["seed"], batch_size=3)
    for row, want in zip(out, ctx.demos):
        if [d["id"] for d in row["demonstrations"][0]] != [d["id"] for d in want["demonstrations"]]:
            raise AssertionError(f"{row['sentence']!r}: ids differ from exemplar demos")
        if row["contexts"][0] != want["context"]:
            raise AssertionError(f"{row['sentence']!r}: context {row['contexts'][0]!r}, exemplar demos: {want['context']!r}")
    return f"{len(out)} rows, demonstrations and contexts equal exemplar demos'"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--reference", required=True, help="folder scripts/check-clients filled")
    ap.add_argument("--only", help="comma-separated check names")
    ap.add_argument("--markdown", help="write the results table here")
    args = ap.parse_args()
    ctx = Context(args.url, args.index, args.reference)
    only = set(args.only.split(",")) if args.only else None
    rows, failed = [], 0
    for name, route, what, fn in CHECKS:
        if only and name not in only:
            continue
        start = time.time()
        try:
            detail, ok = fn(ctx), True
        except Exception as e:  # a client failing is a result to report, not a crash
            detail, ok = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:300], False
            if os.environ.get("CHECK_CLIENTS_TRACE"):
                traceback.print_exc()
        failed += not ok
        rows.append((name, route, what, "pass" if ok else "FAIL", detail))
        print(f"{'pass' if ok else 'FAIL'}  {name:28} {detail}  ({time.time() - start:.1f} s)", flush=True)
    if args.markdown:
        import importlib.metadata as md
        def version(pkg):
            try:
                return md.version(pkg)
            except md.PackageNotFoundError:
                return "-"
        pkgs = ["openai", "langchain-openai", "langchain-core", "huggingface_hub", "haystack-ai",
                "huggingface-api-haystack", "litellm", "llama-index-embeddings-openai", "llama-index-embeddings-text-embeddings-inference", "dspy",
                "datasets"]
        with open(args.markdown, "w") as f:
            f.write("| client | route | how it is called | result | detail |\n|---|---|---|---|---|\n")
            for row in rows:
                f.write("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |\n")
            f.write("\nVersions: " + ", ".join(f"{p} {version(p)}" for p in pkgs) + ".\n")
    print(f"{len(rows) - failed} of {len(rows)} checks pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
