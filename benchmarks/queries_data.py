"""The held-out video and questions of ``benchmarks/queries.py``, written from what the video contains
before anything was measured (nothing here is tuned to results).

Footage comes from packaged clips no test uses (opencv-doc's Megamind/box/cup/tree, kivy's city) and
from vtest/bikes at offsets no test uses. Narrated slides give practical tips with numbers said in
words, warnings ("never", "don't", "avoid", "instead of") and reasons; their words overlap with the
footage on purpose (a cup, trees, boxes, a city, lamps, dinner, glasses, people walking, bikes), so a
query describing footage meets the same words spoken elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

INTRO = ("Everyday Tips", "Welcome to everyday tips.")
# (title, narration) of each narrated slide, keyed by a short name
NARRATED = {
    "coffee": ("Better Coffee",
               "Use fifteen grams of coffee for every two hundred and fifty millilitres of water. Never pour "
               "boiling water straight onto the grounds, because it burns them and the coffee turns bitter. "
               "Let the kettle rest for thirty seconds first, then serve it in a warm cup."),
    "trees": ("Street Trees",
              "Last year the city council planted three thousand trees. Avoid pruning young trees in summer; "
              "prune them in late winter instead. A fully grown tree can make the street below four degrees "
              "cooler."),
    "moving": ("Moving House",
               "Pack heavy books in small boxes, never in large ones. Write the room name on two sides of every "
               "box, so you can still read it when they are stacked. Our whole move took eleven hours."),
    "cycling": ("Cycling After Dark",
                "After sunset a bike needs a white light at the front and a red light at the back. Don't wear "
                "dark clothes on the road; choose bright colours instead. In winter, switch your lamps on by "
                "half past four."),
    "dinner": ("Hosting Dinner",
               "Invite no more than eight guests, so everyone can talk. Set the table an hour before people "
               "arrive. Instead of scented candles, use unscented ones, because strong smells spoil the food. "
               "Fill each glass only halfway."),
    "budget": ("Family Budget",
               "Our weekly food shopping costs about ninety-five dollars. Put aside ten percent of every pay "
               "cheque before you spend anything. Avoid buying furniture on credit, since the interest adds up "
               "quickly."),
    "sleep": ("Sleeping Well",
              "Most adults need seven to nine hours of sleep. Keep the bedroom at eighteen degrees Celsius. "
              "Avoid screens in the last hour before bed, because their light keeps the brain awake."),
    "train": ("Taking the Train",
              "The first train to the coast leaves at six forty-five in the morning, and the trip takes two and "
              "a half hours. Don't buy your ticket on board; tickets bought on the train cost twenty euros more. "
              "Book it online the day before."),
    "plants": ("Houseplants",
               "Water your houseplants once a week, not every day. Too much water makes the roots rot. Keep them "
               "near a bright window, but out of the hot afternoon sun."),
    "crossing": ("Crossing Safely",
                 "Children under ten should cross the road with an adult. Look left, then right, then left again "
                 "before you step out. Never cross between parked cars, because drivers cannot see you."),
}
# (footage name, seconds, start offset in the clip, look, sound) of each footage part, keyed by a short name
FOOTAGE = {
    "city": ("city", 12, 0.0, "", ""),  # night-time glass skyscrapers filmed looking up (kivy cityCC0.mpg)
    "cup": ("cup", 12, 0.0, "", ""),  # a hand holds and tilts a black cup against a white wall
    "megamind": ("megamind", 12, 0.0, "", "music"),  # animated: a couple at a candle-lit dinner; music bed
    "box": ("box", 12, 0.0, "", ""),  # a hand moves a yellow patterned box above a white tablecloth
    "tree": ("tree", 12, 0.0, "", ""),  # a leafy green tree seen through a window
    "square": ("vtest", 12, 40.0, "", ""),  # pedestrians crossing a paved square, high fixed camera
    "night": ("vtest", 12, 20.0, "night", ""),  # the same square darkened, with point lights
    "bikes": ("bikes", 10, 4.0, "", ""),  # cyclists and cars on a street
}
ORDER = ["intro", "coffee", "city", "trees", "cup", "moving", "megamind", "cycling", "box", "dinner", "tree",
         "budget", "square", "sleep", "night", "train", "bikes", "plants", "crossing", "outro"]

# footage-only queries: nothing said or written in the video names what they describe
FOOTAGE_QUERIES = [
    ("city", "night-time footage of skyscrapers lit from inside"),
    ("city", "shot looking up at tall glass towers at night"),
    ("city", "footage of a city skyline after dark"),
    ("cup", "close-up footage of a hand holding a black cup"),
    ("cup", "shot of someone tilting a dark mug against a white wall"),
    ("cup", "a black cup filmed against a plain wall"),
    ("megamind", "animated footage of two people having dinner"),
    ("megamind", "close-up shot of a cartoon woman holding a wine glass"),
    ("megamind", "an animated man with glasses"),
    ("megamind", "animated candle-lit scene"),
    ("megamind", "music playing"),
    ("box", "footage of a hand moving a yellow box above a table"),
    ("box", "close-up shot of a patterned box over a white tablecloth"),
    ("tree", "footage of a green tree seen through a window"),
    ("tree", "shot of leafy branches outside"),
    ("tree", "camera looking out of a window at a tree"),
    ("square", "pedestrians filmed from above"),
    ("square", "high-angle footage of people walking across a square"),
    ("night", "night-time footage of a street with bright lamps"),
    ("night", "a dark shot of a pedestrian street lit by lamps"),
    ("bikes", "footage of cyclists riding past cars"),
    ("bikes", "shot of people on bicycles in traffic"),
]
# narrated / paraphrased queries: answered by what is said
NARRATED_QUERIES = [
    ("coffee", "how much coffee to use for the water"),
    ("trees", "when to prune young trees"),
    ("moving", "how to pack heavy books"),
    ("cycling", "which lights a bike needs after sunset"),
    ("dinner", "how many guests to invite for dinner"),
    ("budget", "how much of each pay cheque to save"),
    ("sleep", "the best temperature for a bedroom"),
    ("train", "when does the first train leave"),
    ("plants", "how often to water houseplants"),
    ("crossing", "how should children cross the road"),
]


@dataclass(frozen=True)
class MC:
    """A multiple-choice question: its part, kind (numbers / warning / meaning), options, answer."""

    part: str
    kind: str
    question: str
    options: tuple[str, ...]
    answer: int


MULTIPLE_CHOICE = [
    # numbers said one way (espeak words; the transcript may write digits) and written another
    MC("coffee", "numbers", "How many grams of coffee are used for 250 ml of water?",
       ("250", "fifteen", "thirty", "50", "five"), 1),
    MC("coffee", "numbers", "How long should the kettle rest before pouring?",
       ("thirty minutes", "15 seconds", "30 seconds", "three seconds", "one minute"), 2),
    MC("trees", "numbers", "How many trees did the council plant last year?",
       ("three hundred", "3,000", "30,000", "eight", "eleven"), 1),
    MC("trees", "numbers", "By how much can a grown tree cool the street?",
       ("14 degrees", "forty degrees", "4 degrees", "two degrees", "eighteen degrees"), 2),
    MC("moving", "numbers", "How long did the whole move take?",
       ("eleven minutes", "7 hours", "11 hours", "two days", "four hours"), 2),
    MC("moving", "numbers", "On how many sides of each box should the room name be written?",
       ("2", "four", "one", "six", "10"), 0),
    MC("cycling", "numbers", "By what time should bike lamps be on in winter?",
       ("4:30", "half past five", "6:45", "eight o'clock", "4:15"), 0),
    MC("dinner", "numbers", "What is the largest number of guests to invite?",
       ("eighteen", "8", "ten", "eighty", "four"), 1),
    MC("budget", "numbers", "How much does the weekly food shopping cost?",
       ("$95", "fifty-nine dollars", "95 euros", "$9.50", "ten dollars"), 0),
    MC("budget", "numbers", "What share of each pay cheque should be put aside?",
       ("ten dollars", "10%", "one percent", "fifty percent", "95%"), 1),
    MC("sleep", "numbers", "What temperature should the bedroom be?",
       ("8 °C", "eighty degrees", "18 °C", "28 degrees", "thirteen degrees"), 2),
    MC("sleep", "numbers", "How much sleep do most adults need?",
       ("2 to 3 hours", "seven to nine hours", "eleven hours", "4 hours", "fifteen hours"), 1),
    MC("train", "numbers", "When does the first train to the coast leave?",
       ("quarter to six", "6:45 a.m.", "4:30 p.m.", "seven fifteen", "6:15"), 1),
    MC("train", "numbers", "How long is the train trip?",
       ("two hours", "2.5 hours", "five hours", "twenty-five minutes", "half an hour"), 1),
    MC("train", "numbers", "How much more does a ticket bought on the train cost?",
       ("twelve euros", "€2", "€20", "twenty dollars", "two hundred euros"), 2),
    MC("crossing", "numbers", "Below what age should children cross with an adult?",
       ("one hundred", "2", "7", "10", "eighteen"), 3),
    # options repeating what the video warns against
    MC("coffee", "warning", "What does the video recommend doing with just-boiled water?",
       ("pour it straight onto the grounds", "let the kettle rest first", "add ice to it",
        "pour it into a cold cup", "boil it twice"), 1),
    MC("trees", "warning", "When should young trees be pruned?",
       ("in summer", "in late winter", "every month", "right after planting", "in spring rain"), 1),
    MC("moving", "warning", "How should heavy books be packed?",
       ("in large boxes", "in small boxes", "in plastic bags", "loose in the car", "in suitcases"), 1),
    MC("cycling", "warning", "What should you wear when cycling after dark?",
       ("dark clothes", "bright colours", "a raincoat", "sandals", "a scarf"), 1),
    MC("dinner", "warning", "Which candles should be used at the dinner?",
       ("scented candles", "unscented candles", "red candles", "tall candles", "no light at all"), 1),
    MC("budget", "warning", "How does the video suggest paying for furniture?",
       ("buy furniture on credit", "save before spending", "borrow from friends", "use a loan",
        "pay in instalments"), 1),
    MC("sleep", "warning", "What is advised for the last hour before bed?",
       ("use screens in the last hour before bed", "stay away from screens", "drink coffee",
        "exercise hard", "eat a big meal"), 1),
    MC("train", "warning", "How should you buy your train ticket?",
       ("buy your ticket on board", "book it online the day before", "at the coast", "from the driver",
        "after the trip"), 1),
    MC("plants", "warning", "How often should houseplants be watered?",
       ("every day", "once a week", "twice a day", "once a year", "every hour"), 1),
    MC("crossing", "warning", "Where is it safe for a child to cross?",
       ("between parked cars", "with an adult, after looking left and right", "running across quickly",
        "behind a bus", "wherever it is shortest"), 1),
    # options needing the sentence's meaning, not shared words
    MC("coffee", "meaning", "Why should boiling water not touch the grounds?",
       ("it makes the drink taste harsh", "it cools the cup", "it saves electricity", "it makes more foam",
        "it is too slow"), 0),
    MC("trees", "meaning", "What does a mature tree do for the street under it?",
       ("lowers the temperature", "makes it noisier", "attracts more traffic", "blocks the drains",
        "raises the rent"), 0),
    MC("moving", "meaning", "Why label a box on two sides?",
       ("to identify it when boxes are piled up", "to make it stronger", "to keep it dry",
        "because of a law", "to make it lighter"), 0),
    MC("dinner", "meaning", "Why keep the guest list short?",
       ("so that conversation is possible for all", "to save money on wine", "because chairs are expensive",
        "to finish sooner", "to keep the kitchen clean"), 0),
    MC("budget", "meaning", "Why is credit a bad idea for furniture?",
       ("the extra charges grow fast", "shops refuse it", "furniture breaks", "it takes too long",
        "the bank closes"), 0),
    MC("sleep", "meaning", "Why avoid phones and tablets before bed?",
       ("their glow stops you from falling asleep", "they might break", "they use too much electricity",
        "they make the room cold", "they are too loud"), 0),
    MC("plants", "meaning", "What happens when houseplants get too much water?",
       ("the roots decay", "they grow faster", "they flower sooner", "their leaves turn blue",
        "they need more sun"), 0),
    MC("crossing", "meaning", "Why not cross between parked cars?",
       ("motorists are unable to spot you", "the cars may be locked", "it is a longer walk",
        "the road is wetter there", "parking costs money"), 0),
]

# questions about things that are not in the video at all
ABSENT = [
    "how do you change a car tyre?",
    "what is the recipe for pancakes?",
    "when does a dog bark?",
    "who won the football match?",
    "how much does a flight to Paris cost?",
    "when is it snowing?",
    "what is the population of Tokyo?",
    "how do you knit a scarf?",
    "when do we see the ocean?",
    "what did the doctor prescribe?",
    "how fast can a cheetah run?",
    "when is a cat shown?",
    "what year was the company founded?",
    "how do you tune a guitar?",
]
# questions whose premise is half in the video: one topic present, one absent
HALF_ABSENT = [
    "how many trees were planted and how many bridges were repaired?",
    "what temperature should the bedroom be and which mattress is recommended?",
    "when does the first train leave and which platform does it leave from?",
    "how long did the move take and how much did the removal van cost?",
    "how many grams of coffee are used and how much sugar is added?",
    "why should houseplants not be overwatered and how often should they be repotted?",
    "how many guests should be invited and what dessert should be served?",
]
