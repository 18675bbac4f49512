"""A client for `exemplar serve`, standard library only (urllib): embeddings, search and
LM-BFF demonstrations for a training loop.

    from exemplar_client import ExemplarClient

    client = ExemplarClient("http://127.0.0.1:8080", token=None)
    batch = [{"text": "a gripping thriller", "id": 12}, {"text": "a dull mess"}]
    contexts = client.contexts_for_batch("sst-2", batch, template="lmbff", num_sample=4, seed=13)
    # contexts[i]: the num_sample rendered prompts for batch[i] (LM-BFF's demonstrations)

Errors from the server raise `ExemplarError` with its HTTP status, message and the JSON field
at fault. Connection failures and 503s are retried `retries` times with a short back-off.
"""
import base64
import json
import struct
import time
import urllib.error
import urllib.request

__all__ = ["ExemplarClient", "ExemplarError"]


class ExemplarError(Exception):
    """An error answer from the server (or no answer at all: status 0)."""

    def __init__(self, status, message, field=None):
        super().__init__(f"{status}: {message}" + (f" (field {field})" if field else ""))
        self.status = status
        self.message = message
        self.field = field


class ExemplarClient:
    """Talks JSON to one `exemplar serve`. Thread-safe: each call opens its own request."""

    def __init__(self, base_url="http://127.0.0.1:8080", token=None, timeout=60.0, retries=2, max_batch=64):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        # Inputs per request; keep it at or under the server's --max-batch.
        self.max_batch = max_batch

    # -- plumbing ---------------------------------------------------------------------------
    def request(self, method, path, body=None):
        """Sends one request; returns the decoded JSON (or text for /metrics)."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        last = None
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    raw = resp.read()
                    if resp.headers.get("Content-Type", "").startswith("application/json"):
                        return json.loads(raw)
                    return raw.decode("utf-8")
            except urllib.error.HTTPError as e:
                raw = e.read()
                try:
                    err = json.loads(raw)["error"]
                    last = ExemplarError(e.code, err.get("message", ""), err.get("field"))
                except (ValueError, KeyError, TypeError):
                    last = ExemplarError(e.code, raw.decode("utf-8", "replace"))
                if e.code != 503:
                    raise last from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                last = ExemplarError(0, f"cannot reach {self.base_url}: {e}")
            time.sleep(0.2 * (attempt + 1))
        raise last

    def _chunks(self, items):
        for start in range(0, len(items), self.max_batch):
            yield items[start:start + self.max_batch]

    # -- routes -----------------------------------------------------------------------------
    def health(self):
        return self.request("GET", "/health")

    def indexes(self):
        return self.request("GET", "/v1/indexes")["data"]

    def index(self, name):
        return self.request("GET", f"/v1/indexes/{name}")

    def embed(self, texts, prompt_name=None, prompt=None, dimensions=None):
        """Vectors (lists of floats) for a string or a list of strings, in order. `prompt_name`
        (one of the model's prompts) or `prompt` (a text) is prepended to each input;
        `dimensions` truncates (and renormalises) Matryoshka vectors."""
        single = isinstance(texts, str)
        options = {key: value for key, value in (("prompt_name", prompt_name), ("prompt", prompt),
                                                 ("dimensions", dimensions)) if value is not None}
        out = []
        for chunk in self._chunks([texts] if single else list(texts)):
            reply = self.request("POST", "/v1/embeddings", dict(options, input=chunk, encoding_format="base64"))
            for item in sorted(reply["data"], key=lambda d: d["index"]):
                raw = base64.b64decode(item["embedding"])
                out.append(list(struct.unpack(f"<{len(raw) // 4}f", raw)))
        return out[0] if single else out

    def search(self, index, text=None, texts=None, vector=None, k=5, per_class=False, label=None, split=None,
               exclude_ids=None):
        """Nearest examples: one result object for text/vector, a list for texts."""
        body = {"k": k, "per_class": per_class}
        for key, value in (("text", text), ("vector", vector), ("label", label), ("split", split),
                           ("exclude_ids", exclude_ids)):
            if value is not None:
                body[key] = value
        if texts is None:
            return self.request("POST", f"/v1/indexes/{index}/search", body)
        results = []
        for chunk in self._chunks(list(texts)):
            results += self.request("POST", f"/v1/indexes/{index}/search", dict(body, texts=chunk))["queries"]
        return results

    def demonstrations(self, index, queries, policy="lmbff", seed=42, template=None, label_words=None, **options):
        """Selected demonstrations for queries: each a text, or a dict with text, text_b and id
        (an example of the index, never its own demonstration). Options: filter_rate,
        num_sample, k, lambda, count, order, support, special_tokens, placement. Returns one
        result per query: {"query", "samples": [{"demonstrations", "context"}]}."""
        items = [{"text": q} if isinstance(q, str) else dict(q) for q in queries]
        body = dict(options, policy=policy, seed=seed)
        if template is not None:
            body["template"] = template
        if label_words is not None:
            body["label_words"] = label_words
        results = []
        for chunk in self._chunks(items):
            results += self.request("POST", f"/v1/indexes/{index}/demonstrations", dict(body, queries=chunk))["results"]
        return results

    def contexts_for_batch(self, index, batch, template="lmbff", **options):
        """For a training batch (texts or {text, text_b, id} dicts), the rendered contexts of
        each example: a list (one per sample) per example."""
        return [[s["context"] for s in r["samples"]]
                for r in self.demonstrations(index, batch, template=template, **options)]

    def add_examples(self, index, examples):
        """Adds {text, text_b?, label, split?} examples; returns their ids."""
        ids = []
        for chunk in self._chunks(list(examples)):
            ids += self.request("POST", f"/v1/indexes/{index}/examples", {"examples": chunk})["ids"]
        return ids

    def delete_example(self, index, example_id):
        return self.request("DELETE", f"/v1/indexes/{index}/examples/{int(example_id)}")

    def metrics(self):
        return self.request("GET", "/metrics")
