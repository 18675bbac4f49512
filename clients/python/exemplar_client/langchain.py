"""A LangChain example selector backed by an Exemplar index.

    from langchain_core.prompts import FewShotPromptTemplate, PromptTemplate
    from exemplar_client import ExemplarClient
    from exemplar_client.langchain import ExemplarExampleSelector

    selector = ExemplarExampleSelector(ExemplarClient(URL), "sst-2",
                                       label_words={"0": "terrible", "1": "great"})
    prompt = FewShotPromptTemplate(
        example_selector=selector,
        example_prompt=PromptTemplate.from_template("{input} It was {output}."),
        suffix="{input} It was", input_variables=["input"])
    prompt.format(input="a gripping thriller")

`select_examples` asks the index's demonstrations route for the input: by default LM-BFF's
policy (the most similar half of each class, then one demonstration per class, in label order);
`policy="knn"` or the other route policies select differently. Each selected example is a dict
with `input_key` (the demonstration's text), `output_key` (its label word, or its label when no
word is given), and `id`, `label`, `similarity`; pairs add `input_b_key`.
"""
from langchain_core.example_selectors.base import BaseExampleSelector

from .client import ExemplarClient

__all__ = ["ExemplarExampleSelector"]


class ExemplarExampleSelector(BaseExampleSelector):
    """Selects demonstrations for a prompt's input from an Exemplar index.

    client: an `ExemplarClient`; index: the served index name; label_words: label -> word (e.g.
    {"0": "terrible"}); policy and options (seed, filter_rate, k, split/support, ...) are the
    demonstrations route's fields. `seed` fixes the draw, so the same input gets the same
    examples; pass a new seed (or `seed=None` for a fresh one each call) to re-sample.
    """

    def __init__(self, client, index, label_words=None, input_key="input", output_key="output",
                 input_b_key=None, policy="lmbff", seed=42, **options):
        if not isinstance(client, ExemplarClient):
            raise TypeError("client must be an exemplar_client.ExemplarClient")
        self.client = client
        self.index = index
        self.label_words = dict(label_words or {})
        self.input_key = input_key
        self.output_key = output_key
        self.input_b_key = input_b_key
        self.policy = policy
        self.seed = seed
        self.options = options

    def _query(self, input_variables):
        if self.input_key not in input_variables:
            raise KeyError(f"input_variables has no {self.input_key!r} (set input_key)")
        query = {"text": input_variables[self.input_key]}
        if self.input_b_key is not None and self.input_b_key in input_variables:
            query["text_b"] = input_variables[self.input_b_key]
        return query

    def select_examples(self, input_variables):
        """The demonstrations for one input, as example dicts in the order the route gives."""
        seed = self.seed if self.seed is not None else int.from_bytes(__import__("os").urandom(4), "little")
        options = dict(self.options)
        options.setdefault("num_sample", 1)
        result = self.client.demonstrations(self.index, [self._query(input_variables)], policy=self.policy,
                                            seed=seed, **options)[0]
        return [self._example(d) for d in result["samples"][0]["demonstrations"]]

    def _example(self, demo):
        example = {self.input_key: demo["text"],
                   self.output_key: self.label_words.get(demo["label"], demo["label"]),
                   "id": demo["id"], "label": demo["label"]}
        if "similarity" in demo:
            example["similarity"] = demo["similarity"]
        if self.input_b_key is not None and "text_b" in demo:
            example[self.input_b_key] = demo["text_b"]
        return example

    def add_example(self, example):
        """Adds an example to the index online: `input_key` is its text, `label` (or the label
        whose word is `output_key`) its label. Returns its new id."""
        label = example.get("label")
        if label is None:
            words = {word: label for label, word in self.label_words.items()}
            output = example.get(self.output_key)
            label = words.get(output, output)
        if label is None:
            raise KeyError(f"example needs 'label' or {self.output_key!r}")
        record = {"text": example[self.input_key], "label": str(label)}
        if self.input_b_key is not None and self.input_b_key in example:
            record["text_b"] = example[self.input_b_key]
        if "split" in example:
            record["split"] = example["split"]
        return self.client.add_examples(self.index, [record])[0]
