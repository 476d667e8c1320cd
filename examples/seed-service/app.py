"""A small translation service built the way the seed's was, to diagnose with contend.

FastAPI and uvicorn; two "models" (en->hi and hi->en) loaded lazily behind an
asyncio.Lock in _ensure_models_loaded; inference in a ThreadPoolExecutor. The
models are random weight matrices and the "translation" is made up: what matters
is how requests share the lock and the CPU.

Modes (--mode):
  naive  the lock is held over the check, the load and the inference of every
         request: requests run one at a time (the seed's bug)
  fixed  double-checked: the lock is taken only while the models are not loaded;
         inference is numpy matrix products, which release the GIL, so requests
         run on every core
  gil    fixed, but inference is a pure-Python loop that holds the GIL: requests
         share one core whatever the thread pool's size (the seed's "phase 2")

Run it with Debian's python3 (python3-fastapi, python3-uvicorn, python3-numpy):

  /usr/bin/python3 examples/seed-service/app.py --mode naive --port 8000
"""

import argparse
import asyncio
import os
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor

# One BLAS thread per matrix product, so that concurrency is what spreads the
# work over the cores (as ONNX Runtime's intra_op_threads: 1 does for contend's
# built-in target). Set before numpy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import uvicorn  # noqa: E402
from fastapi import FastAPI, HTTPException  # noqa: E402
from pydantic import BaseModel  # noqa: E402

MODES = ("naive", "fixed", "gil")


class TranslateRequest(BaseModel):
    text: str
    source: str = "en"
    target: str = "hi"


class Model:
    """A stand-in for a seq2seq model: one square weight matrix."""

    def __init__(self, name, dim, seed):
        self.name = name
        rng = np.random.default_rng(seed)
        self.weights = rng.standard_normal((dim, dim)) / np.sqrt(dim)

    def infer_numpy(self, text, rounds):
        """Matrix products: numpy releases the GIL while they run."""
        state = np.full(self.weights.shape, (len(text) % 7 + 1) / 7.0)
        for _ in range(rounds):
            state = np.tanh(self.weights @ state)
        return self._words(text, float(state.sum()))

    def infer_python(self, text, loops):
        """The same kind of arithmetic in pure Python: it holds the GIL throughout."""
        acc = len(text)
        for i in range(loops):
            acc = (acc * 1103515245 + i) % 2147483647
        return self._words(text, float(acc))

    def _words(self, text, score):
        words = text.split()
        return " ".join(reversed(words)) + f" [{self.name} {score:.3f}]"


class TranslationService:
    def __init__(self, mode, dim, rounds, loops, load_delay, workers):
        self.mode = mode
        self.dim, self.rounds, self.loops = dim, rounds, loops
        self.load_delay = load_delay
        self._lock = asyncio.Lock()  # guards loading the two models
        self._en_indic = None
        self._indic_en = None
        self._en_indic_loaded = False
        self._indic_en_loaded = False
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="infer")

    def _loaded(self):
        return self._en_indic_loaded and self._indic_en_loaded

    def _load(self):
        # Reading weights from disk, in the real thing.
        time.sleep(self.load_delay)
        self._en_indic = Model("en-hi", self.dim, 1)
        self._en_indic_loaded = True
        self._indic_en = Model("hi-en", self.dim, 2)
        self._indic_en_loaded = True

    async def _ensure_models_loaded(self):
        if self.mode != "naive" and self._loaded():
            return  # the fast path: no lock once both models are in
        async with self._lock:
            if self._loaded():
                return
            await asyncio.get_running_loop().run_in_executor(self._pool, self._load)

    def _infer(self, req):
        model = self._en_indic if req.source == "en" else self._indic_en
        if self.mode == "gil":
            return model.name, model.infer_python(req.text, self.loops)
        return model.name, model.infer_numpy(req.text, self.rounds)

    async def translate(self, req):
        loop = asyncio.get_running_loop()
        if self.mode == "naive":
            # The seed's bug: one lock over the check, the load and the inference.
            async with self._lock:
                if not self._loaded():
                    await loop.run_in_executor(self._pool, self._load)
                return await loop.run_in_executor(self._pool, self._infer, req)
        await self._ensure_models_loaded()
        return await loop.run_in_executor(self._pool, self._infer, req)


def make_app(service):
    app = FastAPI(title="seed-service")

    @app.get("/healthz")
    async def healthz():
        return {"status": "ok", "mode": service.mode}

    @app.post("/translate")
    async def translate(req: TranslateRequest):
        if req.source not in ("en", "hi") or req.target not in ("en", "hi") or req.source == req.target:
            raise HTTPException(status_code=422, detail="source and target must be en and hi, one each")
        model, text = await service.translate(req)
        return {"translation": text, "source": req.source, "target": req.target, "model": model}

    return app


def main(argv):
    p = argparse.ArgumentParser(description="the seed's translation service, in three modes")
    p.add_argument("--mode", choices=MODES, default="naive")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--fd", type=int, default=None, help="serve on this inherited listening socket instead")
    p.add_argument("--dim", type=int, default=160, help="weight matrix size (naive, fixed)")
    p.add_argument("--rounds", type=int, default=60, help="matrix products per request (naive, fixed)")
    p.add_argument("--loops", type=int, default=600_000, help="Python loop iterations per request (gil)")
    p.add_argument("--load-delay", type=float, default=1.0, help="seconds each cold load takes")
    p.add_argument("--workers", type=int, default=8, help="inference threads")
    args = p.parse_args(argv)
    service = TranslationService(args.mode, args.dim, args.rounds, args.loops, args.load_delay, args.workers)
    app = make_app(service)
    if args.fd is not None:
        # socket(fileno=) finds the inherited socket's own family (uvicorn's fd=
        # assumes a Unix socket).
        sock = socket.socket(fileno=args.fd)
        uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])
    else:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1:])
