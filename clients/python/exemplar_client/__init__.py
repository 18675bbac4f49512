"""Python client for `exemplar serve` (standard library only) and adapters for the frameworks
few-shot and in-context-learning work happens in:

- `exemplar_client.ExemplarClient`: embeddings, search, LM-BFF demonstrations, online edits.
- `exemplar_client.langchain.ExemplarExampleSelector`: a LangChain example selector (per-class
  demonstrations for few-shot prompt templates); needs `langchain-core`.
- `exemplar_client.dspy.ExemplarRetriever` and `ExemplarFewShot`: a DSPy retriever and a module
  that gives its predictor per-input demonstrations; needs `dspy`.
- `exemplar_client.datasets.add_demonstrations`: a Hugging Face `datasets.map` helper that adds
  demonstrations and rendered contexts to a dataset; needs `datasets`.

The adapters import their framework only when imported themselves.
"""
from .client import ExemplarClient, ExemplarError

__all__ = ["ExemplarClient", "ExemplarError"]
__version__ = "0.1.0"
