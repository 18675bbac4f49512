"""DSPy adapters backed by an Exemplar index.

    import dspy
    from exemplar_client import ExemplarClient
    from exemplar_client.dspy import ExemplarRetriever, ExemplarFewShot

    search = ExemplarRetriever(ExemplarClient(URL), "sst-2", k=4)
    search("a gripping thriller").passages          # like dspy.retrievers.Embeddings

    classify = ExemplarFewShot("sentence -> sentiment", ExemplarClient(URL), "sst-2",
                               input_field="sentence", output_field="sentiment",
                               label_words={"0": "negative", "1": "positive"})
    classify(sentence="a gripping thriller")       # the predictor sees one demonstration per class

`ExemplarRetriever` returns `dspy.Prediction(passages, indices, labels, scores)`, nearest first
(per class with `per_class=True`). `ExemplarFewShot` wraps `dspy.Predict(signature)` and, on each
call, passes the index's demonstrations for that input as the predictor's `demos` (LM-BFF's policy
by default), so every input gets its own similar examples instead of one fixed few-shot set.
"""
import dspy

from .client import ExemplarClient

__all__ = ["ExemplarRetriever", "ExemplarFewShot"]


def _check_client(client):
    if not isinstance(client, ExemplarClient):
        raise TypeError("client must be an exemplar_client.ExemplarClient")
    return client


class ExemplarRetriever:
    """Nearest examples of an index for a query text, as a DSPy retriever."""

    def __init__(self, client, index, k=5, per_class=False, split=None, label=None):
        self.client = _check_client(client)
        self.index = index
        self.k = k
        self.per_class = per_class
        self.split = split
        self.label = label

    def __call__(self, query, k=None):
        return self.forward(query, k)

    def forward(self, query, k=None):
        result = self.client.search(self.index, text=query, k=k or self.k, per_class=self.per_class,
                                    split=self.split, label=self.label)
        hits = [h for group in result["results"] for h in group["hits"]]
        return dspy.Prediction(passages=[h["text"] for h in hits], indices=[h["id"] for h in hits],
                               labels=[h["label"] for h in hits], scores=[h["score"] for h in hits])


class ExemplarFewShot(dspy.Module):
    """`dspy.Predict(signature)` with per-input demonstrations from an Exemplar index.

    input_field / output_field: the signature's fields the demonstration's text and label
    (mapped through `label_words`) fill; input_b_field: a second input for sentence pairs.
    policy, seed and options are the demonstrations route's fields."""

    def __init__(self, signature, client, index, input_field, output_field, label_words=None,
                 input_b_field=None, policy="lmbff", seed=42, **options):
        super().__init__()
        self.predict = dspy.Predict(signature)
        self.client = _check_client(client)
        self.index = index
        self.input_field = input_field
        self.output_field = output_field
        self.input_b_field = input_b_field
        self.label_words = dict(label_words or {})
        self.policy = policy
        self.seed = seed
        self.options = dict(options)
        self.options.setdefault("num_sample", 1)

    def demonstrations(self, **inputs):
        """The `dspy.Example` demonstrations the predictor gets for these inputs."""
        query = {"text": inputs[self.input_field]}
        if self.input_b_field is not None:
            query["text_b"] = inputs[self.input_b_field]
        result = self.client.demonstrations(self.index, [query], policy=self.policy, seed=self.seed, **self.options)[0]
        demos = []
        for d in result["samples"][0]["demonstrations"]:
            fields = {self.input_field: d["text"], self.output_field: self.label_words.get(d["label"], d["label"])}
            inputs_of = [self.input_field]
            if self.input_b_field is not None:
                fields[self.input_b_field] = d.get("text_b", "")
                inputs_of.append(self.input_b_field)
            demos.append(dspy.Example(**fields).with_inputs(*inputs_of))
        return demos

    def forward(self, **inputs):
        return self.predict(demos=self.demonstrations(**inputs), **inputs)
