"""Multi-topic test videos: unrelated spoken topics over slides and real footage.

Each topic is one or two ``Part``s (a title slide and/or footage) with its own narration, so the
true chapter boundaries are known. ``multi_topic_parts(order)`` lays topics out in any order and
returns each topic's time span; tests and ``benchmarks/chapters.py`` use them.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.media import Part


@dataclass
class Topic:
    name: str  # how a reader would name it; every summary must mention it
    keywords: tuple[str, ...]  # words that show the topic is named (any one)
    parts: tuple[Part, ...]


def _topic(name: str, keywords: str, slide: tuple[str, str, str, float] | None, footage: str | None,
           say: str) -> Topic:
    """A 22 s topic: footage or a slide with the narration ``say``; a ``slide`` (title, body, spoken
    intro, seconds) before footage opens it and the footage takes the rest of the 22 s."""
    if slide and footage:
        title, body, intro, seconds = slide
        parts = (Part(seconds, title=title, body=body, say=intro), Part(22 - seconds, footage, say=say, say_at=0.3))
    elif slide:
        parts = (Part(22, title=slide[0], body=slide[1], say=say),)
    else:
        parts = (Part(22, footage, say=say),)
    return Topic(name, tuple(keywords.split()), parts)


# name, keywords (any one shows the topic is named), opening slide, footage, narration
TOPICS: list[Topic] = [_topic(*row) for row in [
    ("pasta", "pasta spaghetti", ("Cooking Pasta", "", "Tonight we cook pasta.", 6), "bunny",
     "Boil a large pot of salted water. Add the spaghetti and stir it for eight minutes. "
     "Drain the pasta and mix it with the tomato sauce. "
     "Grate some parmesan cheese over the plate and serve the pasta while it is hot."),
    ("bicycle gears", "gear gears bicycle chain", None, "bikes",
     "Bicycle gears help you climb hills. A small front chain ring and a large rear cog make "
     "pedalling easy. Shift the gears before the climb gets steep, never while standing. "
     "Keep the chain clean and oiled so that every gear change stays smooth and quiet."),
    ("football", "football match goal goals league striker", None, "vtest",
     "In the football report, the home team won the match by two goals to one. "
     "The striker scored twice in the second half, and the league title race is open again. "
     "The goalkeeper saved a penalty in the last minute, and the fans sang until the final whistle."),
    ("butterflies", "butterfly butterflies caterpillar",
     ("Butterflies", "From caterpillar to wings", "Now, butterflies.", 7), "bunny",
     "A caterpillar spins a cocoon and sleeps for two weeks. Then the butterfly opens its "
     "colourful wings and drinks nectar from the flowers. Butterflies taste with their feet, "
     "and many of them fly thousands of kilometres south before the winter."),
    ("weather forecast", "weather forecast rain", ("Weather Forecast", "Rain, wind and sunshine", "", 22), None,
     "Here is the weather forecast. Heavy rain arrives from the west tonight with strong wind. "
     "Tomorrow afternoon the clouds clear and the temperature climbs to twenty degrees. "
     "The weekend forecast is dry and sunny, with a light breeze along the coast."),
    ("houseplants", "houseplant houseplants plants watering leaves soil fertilizer", None, "vtest",
     "Houseplants need less water in winter. Check the soil with your finger before watering, "
     "and keep the leaves away from cold windows and hot radiators. Most houseplants like bright "
     "light but no direct sun, and a little fertiliser in spring helps the plants grow new leaves."),
    ("saving money", "money savings budget bank",
     ("Saving Money", "A simple monthly budget", "Let us talk about saving money.", 8), "bikes",
     "Put a tenth of your salary into a savings account at the bank every month, "
     "and write down every expense in a simple budget. Cancel subscriptions you never use, "
     "and keep some money in the bank for emergencies."),
    ("volcanoes", "volcano volcanoes lava eruption", ("Volcanoes", "How an eruption starts", "", 22), None,
     "Volcanoes form where hot magma rises through cracks in the crust. Pressure builds up "
     "until an eruption throws ash into the sky and lava flows down the mountain. "
     "Scientists measure small earthquakes to predict when a volcano will erupt again."),
    ("chess", "chess pawn king opening", None, "bunny",
     "In chess, control the centre of the board in the opening. Move each knight and bishop "
     "once, castle early to protect your king, and do not push every pawn. "
     "In the endgame the king becomes a strong piece, so bring it to the middle of the board."),
    ("sleep", "sleep bedtime tired", None, "vtest",
     "Good sleep starts with a regular bedtime. Avoid coffee after lunch, keep the bedroom dark "
     "and cool, and put your phone away an hour before you go to sleep. "
     "Adults need seven to nine hours of sleep, and a short nap after lunch helps when you are tired."),
    ("honey bees", "bee bees honey hive", ("Honey Bees", "", "Honey bees.", 6), "bikes",
     "A hive holds thousands of bees. Worker bees collect pollen and nectar, and the queen lays "
     "the eggs. Beekeepers harvest the honey at the end of summer. "
     "Bees dance to tell each other where the best flowers are."),
    ("train travel", "train railway station ticket",
     ("Travelling by Train", "Tickets, seats and stations", "", 22), None,
     "Travelling by train is relaxing. Book your ticket early for a cheaper fare, reserve a "
     "seat by the window, and arrive at the station ten minutes before departure. "
     "On the railway you can read, work or sleep, and the train takes you to the city centre."),
]]

# one long topic: a lecture on cycling, mixed slides and footage, to check it is not shattered
LECTURE: list[Part] = [
    Part(14, title=title, body=body, say=say) if title else Part(24, "bikes", say=say) for title, body, say in [
        ("Cycling to Work", "A lecture in five parts",
         "This lecture is about cycling to work. Cycling to work keeps you fit and saves money every day."),
        ("", "", "Most commuters who cycle to work ride between five and ten kilometres. On a bicycle the trip "
         "to work takes about the same time as by car in city traffic, and the ride is more pleasant."),
        ("", "", "A good commuter bicycle has mudguards, lights and a rack for your bag. Cycling to work in "
         "the rain is fine with a jacket, and the bike needs little care besides air in the tyres."),
        ("Cycling Safely", "Lights, lanes and helmets",
         "Cycling safely to work means using bike lanes, wearing a helmet and switching on your lights."),
        ("", "", "When cycling in traffic, ride a metre from parked cars, look over your shoulder before you "
         "turn, and make eye contact with drivers at junctions. Cyclists who ride predictably are safer."),
        ("", "", "Employers can help people cycle to work with showers, safe bicycle parking and a bike "
         "scheme. Commuting by bicycle is cheap, healthy and good for the city."),
        ("", "", "Cycling to work in winter needs a little more planning. Use brighter lights because the "
         "mornings are dark, fit tyres with more grip, and leave a few minutes earlier than in summer."),
        ("", "", "Many cities now build protected bike lanes, and more people cycle to work once the lanes "
         "connect their homes with offices. Safe routes matter more than fast bicycles."),
        ("", "", "An electric bicycle makes longer commutes possible. The motor helps on hills, so riders arrive "
         "at work without sweating, and the battery charges overnight from a normal socket."),
        ("", "", "To sum up, cycling to work is healthy and cheap. Start with one day a week on a quiet route, "
         "and after a month cycling to work will feel like the normal way to travel."),
    ]
]


def fitted(parts: list[Part], gap: float = 1.5, shortest: float = 5.0) -> list[Part]:
    """The parts with each one's length fitted to its narration plus ``gap`` seconds of silence.

    Every pause is then the same length, so a pause alone never tells where a topic changes.
    """
    from tests.media import SR, speech

    out = []
    for p in parts:
        spoken = p.say_at + speech(p.say).size / SR if p.say else 0.0
        seconds = max(shortest, round(spoken + gap, 1))
        out.append(Part(seconds, p.footage, p.title, p.body, p.say, p.say_at))
    return out


def multi_topic_parts(order: list[int], gap: float = 1.5) -> tuple[list[Part], list[tuple[float, float]]]:
    """The fitted parts of ``TOPICS[i] for i in order`` back to back, and each topic's (start, end)."""
    parts, spans, t = [], [], 0.0
    for i in order:
        mine = fitted(list(TOPICS[i].parts), gap)
        length = sum(p.seconds for p in mine)
        parts += mine
        spans.append((t, t + length))
        t += length
    return parts, spans
