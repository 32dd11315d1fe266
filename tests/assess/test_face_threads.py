"""The face finder gives the same boxes when two threads use it at once (the capture page's
live check and its check of each saved photo): OpenCV's cascade is one shared object and is
not safe to run from two threads (33 of 160 parallel calls returned another box)."""

from __future__ import annotations

import threading

from app.camera.demo_source import DemoPatientSource
from models.labels import EXPRESSIONS
from models.pipeline.face import detect_faces


def test_two_threads_find_the_same_faces_as_one() -> None:
    frames = []
    for size in ((1280, 960), (640, 480)):
        source = DemoPatientSource(frame_size=size)
        source.open()
        for expression in EXPRESSIONS:
            source.set_expression(expression)
            frames.append(source.read())
    alone = [detect_faces(f) for f in frames]
    differ: list[int] = []

    def work(k: int) -> None:
        for i in range(60):
            j = (i * 5 + k) % len(frames)
            if detect_faces(frames[j]) != alone[j]:
                differ.append(j)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not differ, f"{len(differ)} of 120 parallel calls found other boxes"
