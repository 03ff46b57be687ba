"""Topics of the long generated talks that ``benchmarks/reading.py`` measures (not used by any test).

Each topic is a few sections: a slide (title + bullet lines) or footage, each with its narration.
Most topics show two or three slides, some none; several slides carry names ("City Rovers").
``talk(seed)`` picks 14 of the 16 topics in a seeded order, a voice and a speaking rate, and
shuffles the sentences after each section's first, so no two videos share wording or timing.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    say: tuple[str, ...]
    slide: str = ""  # slide title; "" = footage
    body: str = ""  # slide bullet lines, "\n"-separated
    footage: str = "bikes"
    layout: str = ""  # slide layout (``tests.media.slide``)


@dataclass(frozen=True)
class Topic:
    name: str
    keywords: tuple[str, ...]  # any one of them in a text names the topic
    sections: tuple[Section, ...]


def _s(*say: str, slide: str = "", body: str = "", footage: str = "bikes", layout: str = "") -> Section:
    return Section(tuple(say), slide, body, footage, layout)


TOPICS: list[Topic] = [
    Topic("sourdough bread", ("sourdough", "bread", "loaf", "dough", "starter"), (
        _s("Today we bake sourdough bread at home.", "Sourdough needs only flour, water, salt and time.",
           slide="Sourdough Bread", body="Flour, water and salt\nA recipe by Elsa Berg"),
        _s("The starter is a living culture of wild yeast.", "Feed the starter with fresh flour and water every day.",
           "A healthy starter doubles in size within six hours.",
           slide="Feeding the Starter", body="Equal weights of flour and water\nKeep it warm"),
        _s("Mix the dough and let it rest for one hour.", "Fold the dough every thirty minutes to build strength.",
           "Shape the loaf gently and let it rise in a basket overnight in the fridge.",
           "Bake the bread in a very hot pot with the lid on for the first twenty minutes.",
           "Wait until the loaf is cool before you cut it, or the crumb turns gummy.", footage="megamind"),
        _s("A good sourdough loaf has a dark crust and an open, shiny crumb.",
           "The sour taste comes from the long, slow rise of the dough.",
           "Keep some starter in the fridge, and feed it once a week when you do not bake.",
           "Many bakers say that sourdough bread stays fresh longer than bread made with yeast from a shop.",
           footage="carphone"),
    )),
    Topic("roman aqueducts", ("aqueduct", "aqueducts", "roman", "romans", "rome"), (
        _s("The Romans carried fresh water to their cities through aqueducts.",
           "Rome alone was fed by eleven aqueducts.",
           slide="Roman Aqueducts", body="Eleven lines into Rome\nFresh water for a million people"),
        _s("An aqueduct falls very gently along its whole length.",
           "The engineers kept the channel at a slope of a few centimetres per kilometre.",
           "Most of the water ran in channels under the ground, not on the famous arches.",
           slide="Building the Channel", body="A gentle slope\nMostly underground"),
        _s("The Pont du Gard in France is the best known roman bridge of an aqueduct.",
           "Its three rows of stone arches carried the water across a deep valley.",
           "Workers cleaned the aqueducts every year because lime built up on the walls.",
           "The water flowed into public fountains, baths and the houses of the rich.", footage="tree"),
        _s("Some roman aqueducts still carry water today.",
           "The Aqua Virgo in Rome still feeds the Trevi Fountain.",
           "When the empire fell, many aqueducts were broken and cities shrank.",
           "The aqueducts show how well roman engineers understood water and stone.", footage="city"),
    )),
    Topic("learning guitar", ("guitar", "chord", "chords", "strings", "fingers"), (
        _s("Learning the guitar starts with three simple chords.",
           "Place your fingers just behind the metal frets and press the strings firmly.",
           "Strum slowly at first and listen to every string ring clearly.", footage="bunny"),
        _s("Practise changing between two chords for five minutes every day.",
           "Your fingertips will hurt during the first weeks, and then they grow harder.",
           "Tune the guitar before every practice, because the strings stretch.", footage="bunny"),
        _s("After a month you can play many songs with the same three chords.",
           "Keep a steady rhythm with your strumming hand, even when the chord change is late.",
           "Playing guitar with friends is the best way to keep going.", footage="vtest"),
        _s("Many players learn from short videos and simple song books.",
           "A teacher can spot mistakes in your hand position early.",
           "Do not buy an expensive guitar for the first year.",
           "A cheap guitar with low strings is easier to play than a beautiful guitar with high strings.",
           footage="vtest"),
    )),
    Topic("city rovers football club", ("rovers", "football", "club", "season", "match", "league"), (
        _s("This is the season review of the City Rovers football club.",
           "The Rovers finished third in the league after a slow start.",
           slide="City Rovers", body="Season review\nThird in the league"),
        _s("Their striker Jonas Weber scored twenty two goals this season.",
           "Weber scored in eight matches in a row during the winter.",
           slide="Jonas Weber", body="Twenty two goals\nPlayer of the season"),
        _s("The club plays its home matches at the old riverside stadium.",
           "Attendance grew by a fifth, and the fans sang at every home match.",
           "Next season the Rovers want to win the league and play in Europe.",
           "The coach has asked the club to sign a new goalkeeper before the summer.", footage="vtest"),
        _s("The youth team of the Rovers also won its league this season.",
           "Two young players from the academy joined the first team in the spring.",
           "Ticket prices stay the same for the next season, the club said.",
           "The fans hope that Jonas Weber signs a new contract with the club.", footage="bikes"),
    )),
    Topic("solar panels", ("solar", "panels", "panel", "electricity", "roof", "battery"), (
        _s("Solar panels turn sunlight into electricity on your own roof.",
           "A typical home system has ten to twenty panels.",
           slide="Solar Panels at Home", body="Sunlight into electricity\nTen to twenty panels"),
        _s("Panels facing south produce the most electricity.",
           "Shade from a single tree can cut the output of a whole row of panels.",
           "An inverter changes the direct current from the panels into household power.",
           slide="Where to Put Them", body="Face the roof south\nAvoid shade"),
        _s("A home battery stores the solar electricity for the evening.",
           "Most systems pay for themselves within eight to twelve years.",
           "Clean the panels once a year and check the inverter for warning lights.", footage="tree"),
        _s("Solar panels work on cloudy days too, but they produce less electricity.",
           "In summer a home can sell its extra solar power to the grid.",
           "Some towns pay part of the cost of new panels.",
           "Ask two or three installers for a price before you choose your solar system.", footage="bikes"),
    )),
    Topic("octopus intelligence", ("octopus", "octopuses", "tentacles", "arms", "ocean"), (
        _s("The octopus is one of the cleverest animals in the ocean.",
           "An octopus has about five hundred million nerve cells, most of them in its eight arms.",
           "Each arm can taste and feel what it touches.", footage="bunny"),
        _s("Octopuses open jars, escape from tanks and solve puzzles in the lab.",
           "They change the colour and texture of their skin in less than a second.",
           "An octopus lives alone and usually only for one or two years.", footage="bunny"),
        _s("Scientists still wonder how an animal with such a short life learns so much.",
           "Some octopuses carry coconut shells and hide inside them when danger comes.",
           "Divers say that an octopus watches them with real curiosity.", footage="megamind"),
        _s("An octopus has three hearts and blue blood.",
           "It can squeeze its soft body through a hole the size of a coin.",
           "A mother octopus guards her eggs for months and eats nothing.",
           "Many people stop eating octopus once they learn how clever it is.", footage="carphone"),
    )),
    Topic("marathon training", ("marathon", "running", "runners", "run", "race"), (
        _s("Training for a marathon takes about four months.",
           "Most of your running should feel easy and slow.",
           slide="Marathon Training", body="Sixteen weeks\nMostly easy running"),
        _s("Once a week you go on a long run that grows by two kilometres.",
           "The longest run before the race is about thirty two kilometres.",
           slide="The Long Run", body="Add two kilometres a week\nPeak at thirty two"),
        _s("On race day, start slower than you think you should.",
           "Drink water at every station and eat a gel every forty minutes.",
           "The last ten kilometres of the marathon decide how your race ends.",
           slide="Race Day", body="Start slowly\nDrink at every station"),
        _s("Sleep and food matter as much as the running itself.",
           "Eat more pasta and rice in the three days before the marathon.",
           "Reduce your training in the last two weeks so that your legs feel fresh.",
           "After the race, walk for a few minutes and rest for a week before you run again.", footage="bikes"),
    )),
    Topic("brewing coffee", ("coffee", "beans", "brew", "grind", "espresso"), (
        _s("Good coffee at home starts with fresh beans.",
           "Buy whole beans and grind them just before you brew.",
           slide="Brewing Coffee", body="Fresh whole beans\nGrind just before brewing"),
        _s("For a pour over, use fifteen grams of coffee for every two hundred and fifty grams of water.",
           "The water should be just below boiling.",
           "Pour slowly in circles and let the coffee bloom for thirty seconds.",
           slide="The Pour Over", body="Fifteen grams of coffee\nWater just below boiling"),
        _s("Espresso needs a finer grind and high pressure.",
           "If your coffee tastes sour, grind finer, and if it tastes bitter, grind coarser.",
           "Store the beans in a closed jar away from light and heat.", footage="box"),
        _s("A cheap hand grinder is better than expensive ground coffee.",
           "Weigh the beans and the water, because spoons are not precise.",
           "Clean your coffee maker every week, because old oils make the coffee bitter.",
           "Try beans from different countries to find the coffee that you like best.", footage="cup"),
    )),
    Topic("moons of jupiter", ("jupiter", "moons", "moon", "europa", "planet"), (
        _s("Jupiter is the largest planet of our solar system.",
           "It has more than ninety known moons.",
           slide="Jupiter and Its Moons", body="The largest planet\nMore than ninety moons"),
        _s("Galileo Galilei discovered the four biggest moons of Jupiter in sixteen ten.",
           "Io has hundreds of active volcanoes.",
           "Ganymede is the largest moon of the solar system, bigger than the planet Mercury.",
           slide="Galileo's Moons", body="Io, Europa, Ganymede, Callisto\nFound by Galileo Galilei"),
        _s("Europa hides a deep ocean of salt water under its ice.",
           "Scientists think that the ocean of Europa could hold life.",
           "A space probe will fly past Europa many times in the next decade.",
           slide="Europa", body="An ocean under the ice\nCould it hold life?"),
        _s("Callisto is covered in old craters and has hardly changed for billions of years.",
           "You can see the four big moons of Jupiter with simple binoculars.",
           "They look like small stars in a line next to the bright planet.",
           "Their positions change from night to night as they circle Jupiter.", footage="city"),
    )),
    Topic("first aid for burns", ("burn", "burns", "skin", "aid", "water"), (
        _s("Here is what to do when someone burns their skin.",
           "First aid for a burn starts with cool running water.",
           slide="First Aid for Burns", body="Cool running water\nTwenty minutes"),
        _s("Hold the burn under cool water for twenty minutes.",
           "Do not use ice, butter or creams on a fresh burn.",
           "Take off rings and watches before the skin starts to swell.",
           slide="What Not to Do", body="No ice\nNo butter or creams"),
        _s("Cover the burn loosely with cling film or a clean plastic bag.",
           "Call for help if the burn is larger than the hand of the person.",
           "Burns on the face, hands or joints always need a doctor.", footage="cup"),
        _s("Never pop the blisters of a burn, because they protect the skin.",
           "Give the person a drink of water and keep them warm.",
           "Small burns heal within two weeks, and the skin may stay red for a while.",
           "Keep a first aid kit in the kitchen, where most burns happen.", footage="box"),
    )),
    Topic("knitting a scarf", ("knitting", "knit", "scarf", "yarn", "needles", "stitch"), (
        _s("Knitting a scarf is a perfect first project.",
           "You need two needles and a ball of soft wool yarn.",
           "Cast on about thirty stitches onto one needle.", footage="cup"),
        _s("The basic knit stitch is all you need for a scarf.",
           "Push the right needle through the stitch, wrap the yarn and pull it through.",
           "Keep the yarn loose, because tight stitches are hard to move.", footage="box"),
        _s("A scarf grows about two centimetres every evening of knitting.",
           "When it is long enough, cast off and weave in the ends of the yarn.",
           "A hand knitted scarf makes a warm and personal gift.", footage="cup"),
        _s("Knitting is calm and good for the mind.",
           "Many people knit while they listen to music or talk with friends.",
           "Choose thick yarn and large needles, so the scarf grows quickly.",
           "Once you can knit a scarf, you can learn to knit a hat or gloves.", footage="box"),
    )),
    Topic("electric car batteries", ("electric", "battery", "batteries", "car", "cars", "charging"), (
        _s("Electric cars run on large lithium batteries.",
           "The battery is the most expensive part of an electric car.",
           slide="Electric Car Batteries", body="Lithium cells\nThe costliest part"),
        _s("Fast charging fills the battery to eighty percent in about half an hour.",
           "Charging at home overnight is cheaper and kinder to the battery.",
           "Cold weather reduces the range of an electric car by up to a third.",
           slide="Charging", body="Fast chargers on the motorway\nSlow charging at home"),
        _s("Most car batteries keep more than eighty percent of their capacity after ten years.",
           "Old batteries from electric cars can store solar power in buildings.",
           "Factories now recycle the metals from used batteries.", footage="vtest"),
        _s("An electric car is quiet and needs almost no service.",
           "There is no oil to change and the brakes wear slowly.",
           "Battery prices have fallen by almost ninety percent in ten years.",
           "Experts expect electric cars to cost the same as petrol cars very soon.", footage="bikes"),
    )),
    Topic("green tea", ("tea", "leaves", "kyoto", "matcha", "cup"), (
        _s("Green tea comes from the same plant as black tea.",
           "The leaves are steamed or roasted right after picking, so they stay green.",
           slide="Green Tea", body="Steamed leaves\nA guide from Kyoto"),
        _s("Brew green tea with water at about seventy degrees, never boiling.",
           "Let the leaves steep for two minutes, and you can brew them again three times.",
           slide="Brewing It Right", body="Seventy degrees\nTwo minutes"),
        _s("Matcha is green tea ground into a fine powder.",
           "In Kyoto, tea masters whisk matcha with hot water in a wide bowl.",
           "A cup of green tea has about half the caffeine of a cup of coffee.", footage="cup"),
        _s("Japan and China grow most of the green tea in the world.",
           "The first harvest of the spring gives the finest and sweetest tea.",
           "Keep green tea in a closed tin, because light and air make it stale.",
           "Many people drink green tea every afternoon instead of coffee.", footage="tree"),
    )),
    Topic("rock climbing", ("climbing", "climb", "climbers", "rope", "wall", "rock"), (
        _s("Rock climbing is a sport for the whole body and the mind.",
           "Beginners learn on an indoor climbing wall with a rope and a partner.",
           "Your partner holds the rope and catches you when you slip.", footage="bikes"),
        _s("Climb with your legs, not with your arms.",
           "Keep your hips close to the wall and look for the next foot hold first.",
           "Rest on straight arms so that your muscles do not tire too soon.", footage="tree"),
        _s("Outdoor rock climbing needs a helmet and more experience.",
           "Always check the knot and the harness of your partner before every climb.",
           "Climbers say the best part is reaching the top and looking down.", footage="bikes"),
        _s("Bouldering is climbing on short walls without a rope.",
           "Thick mats on the floor catch you when you fall.",
           "Climbing shoes are tight, so that your toes can stand on tiny holds.",
           "Most climbing gyms offer a first lesson for beginners at a low price.", footage="city"),
    )),
    Topic("photography composition", ("photography", "photo", "photos", "camera", "composition", "picture"), (
        _s("Good photography starts with composition.",
           "Composition means how you place things inside the frame.",
           slide="Photo Composition", body="Placing things in the frame\nNotes by Anna Novak"),
        _s("The rule of thirds divides the picture with two lines each way.",
           "Put the subject on one of the lines, not in the middle of the photo.",
           slide="The Rule of Thirds", body="Two lines each way\nSubject off centre"),
        _s("Leading lines such as roads and rivers guide the eye into the picture.",
           "Get close to your subject and fill the frame.",
           "Shoot in the soft light of the early morning or the evening.", footage="megamind"),
        _s("You do not need an expensive camera to take a good picture.",
           "A phone camera and a good eye are enough for most photos.",
           "Look at the edges of the frame before you press the button.",
           "Take many photos, keep the best ones and learn from the rest.", footage="tree"),
    )),
    Topic("recycling plastic", ("plastic", "plastics", "recycling", "recycle", "bottles"), (
        _s("Only a small part of all plastic is ever recycled.",
           "Recycling works best when the plastic is clean and sorted.",
           slide="Recycling Plastic", body="Clean and sorted\nCheck the number"),
        _s("The number inside the triangle tells you what kind of plastic it is.",
           "Bottles marked one or two are recycled almost everywhere.",
           "Soft plastic bags jam the sorting machines and belong in separate bins.",
           slide="Reading the Number", body="One and two: almost everywhere\nBags in separate bins"),
        _s("Rinse food containers before you put them in the bin.",
           "The best plastic is the plastic you never buy.",
           "Refill bottles and carry your own bag when you go shopping.", footage="box"),
        _s("Recycled plastic becomes new bottles, clothes and park benches.",
           "Some countries pay you money back for every empty bottle.",
           "Plastic that ends up in the sea breaks into tiny pieces that fish eat.",
           "Recycling plastic helps, but using less plastic helps more.", footage="cup"),
    )),
]

VOICES = ("en-gb", "en-us", "en-us+f3", "en-gb-x-rp", "en+m3", "en-gb-scotland", "en-us+f2")


def talk(seed: int, topics: int = 14) -> tuple[str, int, list[Topic]]:
    """The voice, speaking rate and topics of video ``seed``, each topic's sentences reshuffled."""
    rng = random.Random(seed)
    voice = VOICES[seed % len(VOICES)]
    speed = rng.choice((128, 132, 136))
    chosen = rng.sample(TOPICS, topics)
    out = []
    for t in chosen:
        sections = []
        for s in t.sections:
            rest = list(s.say[1:])
            rng.shuffle(rest)
            sections.append(Section((s.say[0], *rest), s.slide, s.body, s.footage))
        out.append(Topic(t.name, t.keywords, tuple(sections)))
    return voice, speed, out


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower().replace("'s", ""))
