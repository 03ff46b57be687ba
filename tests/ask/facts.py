"""A generated eight-topic video with known spoken and on-screen facts, and questions about it."""

from __future__ import annotations

from dataclasses import dataclass

from tests.media import Part

# Slides alternate with footage: the visual pass keeps the last OCR text while the picture barely
# changes, and two slides of the same layout differ too little for it to read the second one.
PARTS = [
    Part(15, title="Cycling in the City", body="Bike lanes: 42 km downtown",
         say="Welcome. Today we look at cycling in the city. Many people ride a bicycle to work every morning."),
    Part(14, footage="bikes",
         say="Here a man wearing a helmet rides his bike past a long line of cars stuck in traffic."),
    Part(15, title="Cooking Pasta", body="Use 10 grams of salt per litre",
         say="Now dinner. Boil plenty of water and cook the spaghetti for eight minutes."),
    Part(14, footage="bunny", say_at=1.0,
         say="Then a big cartoon rabbit wakes up under the tall green trees."),
    Part(15, title="Mountain Weather", body="Summit temperature: minus 15 degrees",
         say="Storms arrive quickly in the mountains, so every hiker should carry a warm coat and a map."),
    Part(14, footage="vtest", say_at=1.0,
         say="Pedestrians walk across the square carrying shopping bags."),
    Part(15, title="Saving Money", body="Put 20 percent of income aside",
         say="A simple rule is to spend less than you earn and keep an emergency fund in the bank."),
    Part(14, footage="bikes",
         say="At home, plant the tomato seedlings in a sunny spot in the garden after the last frost."),
]


@dataclass(frozen=True)
class Question:
    text: str
    part: int  # index into PARTS where the answer is
    facts: tuple[str, ...]  # the answer must contain one of these (lower case)
    where: str = "speech"  # speech | slide


QUESTIONS = [
    Question("How many kilometres of bike lanes are there downtown?", 0, ("42",), "slide"),
    Question("How do many people travel to work?", 0, ("bicycle", "bike")),
    Question("What is the cyclist wearing on his head?", 1, ("helmet",)),
    Question("How long should the spaghetti cook?", 2, ("eight", "8")),
    Question("How much salt goes into each litre of water?", 2, ("10 gram", "10g", "10 g"), "slide"),
    Question("What animal wakes up under the trees?", 3, ("rabbit",)),
    Question("What should hikers take with them because of sudden storms?", 4, ("coat", "map")),
    Question("How cold is it at the summit?", 4, ("15",), "slide"),
    Question("What are the people crossing the square carrying?", 5, ("bag",)),
    Question("What money should you keep for emergencies?", 6, ("fund",)),
    Question("What share of income should be put aside?", 6, ("20",), "slide"),
    Question("When should tomato seedlings go into the garden?", 7, ("frost",)),
]

OUT_OF_VIDEO = [
    "What is the capital city of Australia?",
    "How do you repair a leaking kitchen faucet?",
    "Which team won the basketball championship final?",
]

# EgoSchema-style multiple choice: (question, options, index of the right option)
CHOICES = [
    ("How long does the spaghetti cook?", ["two minutes", "eight minutes", "one hour", "thirty seconds",
                                            "a whole day"], 1),
    ("What is the man riding past the cars wearing?", ["a swimsuit", "a clown costume", "a helmet",
                                                        "a wedding dress", "a crown"], 2),
    ("What should a hiker carry?", ["a surfboard", "a warm coat and a map", "a piano", "a birthday cake",
                                    "a fishing rod"], 1),
    ("Which animal wakes up under the trees?", ["a cartoon rabbit", "a goldfish", "an elephant", "a parrot",
                                                 "a crocodile"], 0),
    ("What should you keep in the bank?", ["your passport", "a pet", "old newspapers", "an emergency fund",
                                           "a bicycle"], 3),
    ("What are the pedestrians carrying?", ["surfboards", "umbrellas", "ladders", "guitars",
                                            "shopping bags"], 4),
    ("When should the tomato seedlings be planted?", ["at midnight", "during a snowstorm",
                                                       "after the last frost", "before breakfast",
                                                       "in a dark cellar"], 2),
    ("How do many people get to work in the city?", ["by helicopter", "by bicycle", "by boat",
                                                     "on horseback", "by submarine"], 1),
]
