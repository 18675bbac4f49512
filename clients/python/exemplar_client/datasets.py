"""A Hugging Face `datasets` helper: demonstrations (and rendered contexts) for every row.

    from datasets import load_dataset
    from exemplar_client import ExemplarClient
    from exemplar_client.datasets import add_demonstrations

    ds = load_dataset("csv", data_files="test.csv")["train"]
    ds = add_demonstrations(ds, ExemplarClient(URL), "sst-2", text_column="sentence",
                            template="lmbff", num_sample=4, seed=13)
    ds[0]["contexts"]          # 4 LM-BFF prompts for row 0
    ds[0]["demonstrations"]    # per sample, the demonstrations [{id, label, similarity, text, text_b}]

Rows are sent in batches of `batch_size` through `Dataset.map(batched=True)`, so caching,
`num_proc` and streaming (`IterableDataset.map`) work as for any map. The draw for a row depends
only on the seed and the row's text (and `id_column`), not on its batch, so results do not change
with `batch_size`. `id_column` names the row's example id in the index: an example is never its
own demonstration (use it when the dataset is the index's own training split).
"""
from .client import ExemplarClient

__all__ = ["add_demonstrations", "demonstration_columns"]


def demonstration_columns(client, index, text_column="sentence", text_b_column=None, id_column=None,
                          policy="lmbff", seed=42, **options):
    """The batched map function `add_demonstrations` uses: batch dict -> new columns."""
    if not isinstance(client, ExemplarClient):
        raise TypeError("client must be an exemplar_client.ExemplarClient")

    def columns(batch):
        queries = []
        for row in range(len(batch[text_column])):
            query = {"text": batch[text_column][row]}
            if text_b_column is not None:
                query["text_b"] = batch[text_b_column][row]
            if id_column is not None:
                query["id"] = int(batch[id_column][row])
            queries.append(query)
        results = client.demonstrations(index, queries, policy=policy, seed=seed, **options)
        out = {"demonstrations": [[[{"id": d["id"], "label": d["label"], "similarity": d.get("similarity"),
                                      "text": d["text"], "text_b": d.get("text_b")}
                                     for d in sample["demonstrations"]] for sample in r["samples"]]
                                   for r in results]}
        if options.get("template") is not None:
            out["contexts"] = [[sample["context"] for sample in r["samples"]] for r in results]
        return out

    return columns


def add_demonstrations(dataset, client, index, text_column="sentence", text_b_column=None, id_column=None,
                       policy="lmbff", seed=42, batch_size=64, num_proc=None, **options):
    """`dataset` with `demonstrations` (and, with a template, `contexts`) added per row.
    Options are the demonstrations route's fields (template, label_words, num_sample, k, ...)."""
    columns = demonstration_columns(client, index, text_column, text_b_column, id_column, policy, seed, **options)
    kwargs = {"batched": True, "batch_size": batch_size}
    if num_proc is not None:
        kwargs["num_proc"] = num_proc
    return dataset.map(columns, **kwargs)
