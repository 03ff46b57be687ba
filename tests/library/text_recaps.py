"""Cheap recaps without video: narrated topics as cells, embedded with the real text encoder, saved as recaps."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vidrecap.moments.loading import encoder_for_spec
from vidrecap.outputs.store import save_recap
from vidrecap.results import CELL_SECONDS, Caption, Cell, Recap, Transcript, VideoInfo

TOPICS = {
    "lighthouse": ["The keeper climbs the lighthouse tower at dusk.", "He lights the great lamp for passing ships.",
                   "The beam sweeps across the dark harbour.", "Fog horns warn sailors near the rocks."],
    "sourdough": ["Mix flour, water and the sourdough starter.", "Knead the dough for ten minutes.",
                  "Let the bread rise overnight in a warm place.", "Bake it in a hot oven until the crust is brown."],
    "volcano": ["Mount Etna erupts with fountains of lava.", "Hot lava flows down the slope into the sea.",
                "Ash clouds close the airport for a day.", "Scientists measure the gas from the crater."],
    "chess": ["The grandmaster opens with the queen's pawn.", "She sacrifices a knight in the middle game.",
              "Her queen attacks the exposed king.", "Checkmate ends the final game of the match."],
    "garden": ["Plant the tomato seedlings in spring.", "Water the tomato plants every evening in summer.",
               "Roses need pruning after the first frost.", "Compost keeps the soil rich and moist."],
    "budget": ["Revenue grew twelve percent this quarter.", "The slide shows costs by department.",
               "Marketing spending was cut in half.", "The forecast for next year is cautious."],
    "swimming": ["Freestyle swimmers breathe every third stroke.", "The butterfly kick starts from the hips.",
                 "Turns at the wall save precious seconds.", "The relay team won the gold medal."],
    "astronomy": ["Jupiter has dozens of moons.", "Saturn's rings are made of ice and rock.",
                  "The telescope points at a distant galaxy.", "A comet passes close to the sun every few years."],
    "coffee": ["Grind the coffee beans just before brewing.", "Pour hot water slowly over the grounds.",
               "Espresso needs fine grounds and high pressure.", "Milk foam makes a creamy cappuccino."],
    "trains": ["The steam locomotive pulls into the station.", "Passengers board the night train to Vienna.",
               "High speed rail links the two capitals.", "The conductor checks every ticket."],
    "birds": ["Swallows migrate south before winter.", "The owl hunts mice at night.",
              "A woodpecker drums on the old oak tree.", "Flamingos feed in shallow salty lakes."],
    "cycling": ["The peloton climbs the mountain pass.", "A puncture costs the leader a minute.",
                "Riders sprint for the finish line.", "Fix the chain and oil the gears after rain."],
}
QUERIES = {  # query -> the topic it is about
    "who lights the lamp in the lighthouse": "lighthouse", "ships warned near rocks in fog": "lighthouse",
    "how long to knead bread dough": "sourdough", "baking a crusty loaf": "sourdough",
    "lava flowing into the sea": "volcano", "an eruption closes the airport": "volcano",
    "the grandmaster wins at chess": "chess", "sacrificing a knight": "chess",
    "watering tomato plants": "garden", "pruning roses": "garden",
    "the slide about revenue": "budget", "cutting the marketing spend": "budget",
    "how swimmers breathe": "swimming", "relay gold medal": "swimming",
    "moons of Jupiter": "astronomy", "rings of Saturn": "astronomy",
    "brewing espresso": "coffee", "milk foam": "coffee",
    "night train to Vienna": "trains", "steam locomotive": "trains",
    "birds migrating in winter": "birds", "owl hunting at night": "birds",
    "climbing a mountain pass on a bike": "cycling", "oiling a bicycle chain": "cycling",
}


def build_text_recaps(root: Path, n: int = 12) -> list[Path]:
    """``n`` recap folders (``root/NAME.recap``), one topic each, every cell's speech embedded."""
    encoder = encoder_for_spec("embedded")
    out = []
    for i, (name, sentences) in enumerate(list(TOPICS.items())[:n]):
        lines = [s for s in sentences for _ in range(2)]  # each sentence spoken over two cells
        cells = [Cell(j, j * CELL_SECONDS, (j + 1) * CELL_SECONDS, speech=line) for j, line in enumerate(lines)]
        cells[0].on_screen = name.title()
        speech = np.asarray(encoder.embed_text(lines), np.float32)
        shown = np.zeros_like(speech)
        shown[0] = encoder.embed_text([cells[0].on_screen])[0]
        duration = len(cells) * CELL_SECONDS
        recap = Recap(VideoInfo(f"/videos/{name}.mp4", f"fp{i}", duration, 0, True, True), {"encoder": "embedded"},
                      [], [], Caption("summary", 0, 0.0, duration, "", name.title()), Transcript(), cells,
                      {"speech": speech, "on_screen": shown})
        directory = root / f"{name}.recap"
        save_recap(recap, directory)
        out.append(directory)
    return out
