#!/usr/bin/env python3
"""Write Sources/Pipeline/Default/prompts.jsonl, the built-in prompt set of `distillery distill`.

The default distillation pipeline has a small teacher (SmolLM2-135M-Instruct) answer these
prompts and trains a student on its answers. The set has three parts:

* instr-NNNN: short, varied hand-written instructions (explanations, definitions, lists,
  rewrites, summaries, tiny poems, advice, comparisons, small Python functions,
  translations, simple facts). Kept short because the teacher is tiny and its answers are
  capped at about 96 tokens.
* arith-NNNN: arithmetic problems with exact answers.
* word-NNNN: short word problems with exact answers.

Arithmetic and word problems carry an "answer" (a plain number as a string) so that
`generate --verify numeric` can check the teacher. All answers are computed here, and the
problems come from random.Random(2025), so the output is byte-for-byte deterministic.

Run from the repository root:  python3 scripts/examples/make_prompts.py
"""

import json
import math
import os
import random
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTPUT = os.path.join(REPO_ROOT, "Sources", "Pipeline", "Default", "prompts.jsonl")
SEED = 2025
MAX_WORDS = 40

# ---------------------------------------------------------------------------
# 1. Instructions (hand-written)
# ---------------------------------------------------------------------------

EXPLAIN_TEMPLATES = [
    "Explain {} in one or two sentences.",
    "For a curious twelve-year-old, explain {} in two sentences.",
    "Briefly explain {}.",
    "In one or two sentences, explain {}.",
    "Give a short, plain explanation of {}.",
    "Explain {} in simple words.",
]

EXPLAIN_SUBJECTS = [
    # science
    "photosynthesis",
    "why the sky is blue",
    "how vaccines train the immune system",
    "what causes the seasons on Earth",
    "why ice floats on water",
    "how a rainbow forms",
    "what gravity does",
    # history
    "why the printing press mattered",
    "what the Silk Road was",
    "why the Roman Empire built roads",
    "what the Industrial Revolution changed",
    # computing
    "what a computer's memory is for",
    "how a password manager keeps passwords safe",
    "what an operating system does",
    "how a search engine finds web pages",
    "what a bug in a program is",
    # cooking
    "why bread dough needs to rise",
    "why we add salt to boiling pasta water",
    "what it means to simmer a sauce",
    "why onions make people cry",
    # economics
    "what inflation is",
    "how supply and demand set prices",
    "why people take out loans",
    "what a budget is for",
    # everyday life
    "why we should drink enough water",
    "how a refrigerator keeps food cold",
    "why sleep is important",
    "how recycling helps the environment",
    "why exercise improves mood",
    "why it is colder at the top of a mountain",
]

DEFINITIONS = [
    "Give a short definition of the word \"democracy\".",
    "Define \"ecosystem\" in one sentence.",
    "What does the word \"algorithm\" mean? Keep it short.",
    "Give a one-sentence definition of \"metaphor\".",
    "Define \"interest rate\" in simple words.",
    "What is a \"noun\"? Give a short definition.",
    "Define \"evaporation\" in one sentence.",
    "What does \"renewable energy\" mean? Answer briefly.",
    "Give a short definition of \"habitat\".",
    "In one sentence, define \"a variable\" in programming.",
    "What is a \"synonym\"? Give a one-line definition and an example.",
    "Define \"empathy\" in one sentence.",
    "Give a brief definition of \"a recipe\".",
    "What does \"fraction\" mean in mathematics? Keep it short.",
    "Define \"climate\" and say how it differs from weather, in two sentences.",
]

LISTS = [
    "List three fruits that are rich in vitamin C.",
    "Name five animals that live in the ocean.",
    "List three ways to save energy at home.",
    "Name three planets in our solar system.",
    "List five common kitchen tools.",
    "Give three tips for staying focused while studying.",
    "List three musical instruments that have strings.",
    "Name five colours of the rainbow.",
    "List three programming languages and one thing each is known for.",
    "Name three things you should pack for a day at the beach.",
    "List five vegetables that grow underground or close to it.",
    "Give three reasons people keep pets.",
    "List three simple ways to reduce plastic waste.",
    "Name five sports played with a ball.",
    "List three healthy breakfast ideas.",
]

REWRITES = [
    ("more formally", "hey, can u send me the report asap?"),
    ("more formally", "We can't come to the meeting 'cause we're swamped."),
    ("more formally", "Thanks a ton for helping out with the move!"),
    ("more formally", "The food was kinda bad and the waiter was super slow."),
    ("more formally", "Gonna be late, traffic is crazy."),
    ("more formally", "Your app keeps crashing and it's driving me nuts."),
    ("more simply", "The committee has reached a consensus regarding the allocation of funds."),
    ("more simply", "Precipitation is anticipated throughout the duration of the afternoon."),
    ("more simply", "Please ensure that all personal belongings are retained at all times."),
    ("more simply", "The medication should be administered subsequent to the consumption of food."),
    ("more simply", "The municipality intends to commence renovations of the library imminently."),
    ("more simply", "Participants are requested to refrain from utilising mobile telephones."),
]

REWRITE_TEMPLATES = {
    "more formally": [
        "Rewrite this sentence more formally: \"{}\"",
        "Make this sentence more formal: \"{}\"",
        "Rewrite in a polite, formal tone: \"{}\"",
    ],
    "more simply": [
        "Rewrite this sentence more simply: \"{}\"",
        "Say this in plain, simple English: \"{}\"",
        "Make this sentence easier to understand: \"{}\"",
    ],
}

PARAGRAPHS = [
    "Honeybees live in colonies led by a single queen. Worker bees collect nectar and pollen, "
    "build the wax comb and care for the young. In winter they cluster together to keep warm.",
    "The town library has started lending tools as well as books. Residents can borrow drills, "
    "ladders and garden shears for a week at no cost. The scheme has been very popular.",
    "Marathon runners often eat extra pasta before a race. The carbohydrates are stored as "
    "glycogen in the muscles, which the body uses for energy during long exercise.",
    "The first bicycles had no pedals. Riders pushed along the ground with their feet. "
    "Pedals, chains and air-filled tyres were added over the following decades.",
    "Tomatoes were once thought to be poisonous in parts of Europe. Over time people learned "
    "they were safe, and today they are used in dishes all over the world.",
    "A new bus route will connect the university to the train station. Buses will run every "
    "ten minutes at peak times, and students will travel at half price.",
    "Octopuses have three hearts and blue blood. They can change colour in a fraction of a "
    "second to hide from predators or to signal to other octopuses.",
    "Many cities plant trees along their streets. The trees give shade, cool the air in summer "
    "and soak up rainwater, which helps to prevent flooding.",
]

SUMMARY_TEMPLATES = [
    "Summarise this paragraph in one sentence: {}",
    "Give a one-sentence summary of the following text. {}",
]

POEMS = [
    "Write a haiku about autumn leaves.",
    "Write a haiku about the ocean at night.",
    "Write a two-line poem about a cup of morning coffee.",
    "Write a haiku about a cat sleeping in the sun.",
    "Write a short two-line rhyming poem about rain.",
    "Write a haiku about a busy city street.",
    "Write a two-line poem about friendship.",
    "Write a haiku about the first snow of winter.",
    "Write a two-line poem about learning something new.",
    "Write a haiku about a mountain sunrise.",
    "Write a two-line poem about an old bicycle.",
    "Write a haiku about a garden after rain.",
]

ADVICE = [
    "Give me one piece of advice for my first day at a new job.",
    "How can I fall asleep more easily? Give two short tips.",
    "What should I do if I feel nervous before a presentation?",
    "Give two tips for keeping houseplants alive.",
    "How can I start saving money with a small income? Answer briefly.",
    "What is a good way to remember new vocabulary in a foreign language?",
    "Give one tip for writing a clear email.",
    "How can I make a long car journey more pleasant for children?",
    "What should I keep in mind when choosing running shoes?",
    "Give two tips for staying safe when cycling in a city.",
    "How can I drink more water during the day? Give two ideas.",
    "What is one good habit for keeping a tidy desk?",
]

COMPARISONS = [
    ("a cat", "a dog", "as a pet"),
    ("tea", "coffee", None),
    ("a bicycle", "a car", "for getting around a city"),
    ("renting a home", "buying a home", None),
    ("a laptop", "a tablet", "for a student"),
    ("baking", "frying", "as ways to cook potatoes"),
    ("the Sun", "the Moon", None),
    ("a list", "a dictionary", "in Python"),
    ("reading a book", "watching its film", None),
    ("walking", "running", "as exercise"),
    ("email", "a phone call", "for work messages"),
    ("a lake", "a river", None),
]

COMPARE_TEMPLATES = [
    "Compare {} and {}{} in two sentences.",
    "What is the main difference between {} and {}{}?",
    "Briefly compare {} with {}{}.",
]

PYTHON_TASKS = [
    "returns the largest of three numbers",
    "checks whether a number is even",
    "reverses a string",
    "returns the sum of a list of numbers",
    "counts the vowels in a string",
    "converts a temperature from Celsius to Fahrenheit",
    "returns the factorial of a non-negative integer",
    "checks whether a word is a palindrome",
    "returns the average of a list of numbers",
    "removes duplicates from a list while keeping the order",
    "returns the number of words in a sentence",
    "returns the smallest item in a list without using min()",
    "checks whether a year is a leap year",
    "returns the square of every number in a list",
    "capitalises the first letter of every word in a string",
]

PYTHON_TEMPLATES = [
    "Write a Python function that {}.",
    "Write a short Python function that {}.",
    "Show a tiny Python function that {}.",
]

TRANSLATIONS = [
    ("French", "Good morning"),
    ("Spanish", "Thank you very much"),
    ("French", "Where is the train station?"),
    ("Spanish", "How are you?"),
    ("French", "I would like a coffee, please"),
    ("Spanish", "See you tomorrow"),
    ("French", "What time is it?"),
    ("Spanish", "My name is Anna"),
    ("French", "Happy birthday"),
    ("Spanish", "Where is the bathroom?"),
    ("French", "I don't understand"),
    ("Spanish", "Good night"),
    ("French", "How much does this cost?"),
    ("Spanish", "I am hungry"),
]

TRANSLATE_TEMPLATES = [
    "Translate \"{1}\" into {0}.",
    "How do you say \"{1}\" in {0}?",
]

FACTS = [
    "What is the capital of France?",
    "What is the capital of Japan?",
    "What is the capital of Canada?",
    "What is the capital of Australia?",
    "Which planet is closest to the Sun?",
    "Which is the largest planet in our solar system?",
    "How many continents are there on Earth?",
    "What gas do plants take in from the air?",
    "How many legs does a spider have?",
    "What is the boiling point of water at sea level in degrees Celsius?",
    "Which ocean is the largest?",
    "Who wrote \"Romeo and Juliet\"?",
    "What is the chemical symbol for gold?",
    "Which planet is known as the Red Planet?",
    "What is the longest river in Africa?",
]


def build_instructions():
    out = []
    for i, s in enumerate(EXPLAIN_SUBJECTS):
        out.append(EXPLAIN_TEMPLATES[i % len(EXPLAIN_TEMPLATES)].format(s))
    out.extend(DEFINITIONS)
    out.extend(LISTS)
    for i, (how, sentence) in enumerate(REWRITES):
        templates = REWRITE_TEMPLATES[how]
        out.append(templates[i % len(templates)].format(sentence))
    for i, p in enumerate(PARAGRAPHS):
        out.append(SUMMARY_TEMPLATES[i % len(SUMMARY_TEMPLATES)].format(p))
    out.extend(POEMS)
    out.extend(ADVICE)
    for i, (a, b, ctx) in enumerate(COMPARISONS):
        suffix = " " + ctx if ctx else ""
        out.append(COMPARE_TEMPLATES[i % len(COMPARE_TEMPLATES)].format(a, b, suffix))
    for i, task in enumerate(PYTHON_TASKS):
        out.append(PYTHON_TEMPLATES[i % len(PYTHON_TEMPLATES)].format(task))
    for i, (lang, phrase) in enumerate(TRANSLATIONS):
        out.append(TRANSLATE_TEMPLATES[i % len(TRANSLATE_TEMPLATES)].format(lang, phrase))
    out.extend(FACTS)
    return out


# ---------------------------------------------------------------------------
# 2. Arithmetic (random.Random(SEED))
# ---------------------------------------------------------------------------

ARITH_PHRASINGS = [
    "What is {}? Answer with the number only.",
    "Compute {}.",
    "Calculate {}.",
    "What is {}?",
    "Work out {}. Give just the number.",
    "Find the value of {}.",
]


def arith_add(rng):
    a, b = rng.randint(10, 999), rng.randint(10, 999)
    return f"{a} + {b}", a + b


def arith_sub(rng):
    a, b = rng.randint(10, 999), rng.randint(10, 999)
    a, b = max(a, b), min(a, b)
    return f"{a} - {b}", a - b


def arith_mul(rng):
    a, b = rng.randint(2, 99), rng.randint(2, 12)
    if rng.random() < 0.5:
        a, b = b, a
    return f"{a} × {b}", a * b


def arith_div(rng):
    q, d = rng.randint(2, 30), rng.randint(2, 12)
    return f"{q * d} ÷ {d}", q


def arith_order(rng):
    kind = rng.randint(0, 4)
    if kind == 0:
        a, b, c = rng.randint(1, 20), rng.randint(2, 9), rng.randint(2, 9)
        return f"{a} + {b} × {c}", a + b * c
    if kind == 1:
        a, b, c = rng.randint(2, 9), rng.randint(2, 9), rng.randint(1, 20)
        return f"{a} × {b} - {c}", a * b - c
    if kind == 2:
        a, b, c = rng.randint(1, 15), rng.randint(1, 15), rng.randint(2, 9)
        return f"({a} + {b}) × {c}", (a + b) * c
    if kind == 3:
        c, q = rng.randint(2, 9), rng.randint(2, 9)
        a = rng.randint(q, 50)
        return f"{a} - {q * c} ÷ {c}", a - q
    a, b, c, d = rng.randint(2, 9), rng.randint(2, 9), rng.randint(2, 9), rng.randint(2, 9)
    return f"{a} × {b} + {c} × {d}", a * b + c * d


def arith_pct(rng):
    pct = rng.choice([5, 10, 20, 25, 30, 40, 50, 60, 75, 90])
    step = 100 // math.gcd(pct, 100)  # base must be a multiple of this
    base = step * rng.randint(-(-20 // step), 400 // step)  # base between 20 and 400
    return f"{pct}% of {base}", pct * base // 100


ARITH_KINDS = [
    (arith_add, 14),
    (arith_sub, 14),
    (arith_mul, 14),
    (arith_div, 13),
    (arith_order, 13),
    (arith_pct, 12),
]


def build_arithmetic(rng):
    schedule = []
    for fn, n in ARITH_KINDS:
        schedule.extend([fn] * n)
    rng.shuffle(schedule)
    out, seen = [], set()
    for fn in schedule:
        while True:
            expr, value = fn(rng)
            if expr not in seen:
                break
        seen.add(expr)
        phrasing = rng.choice(ARITH_PHRASINGS)
        out.append((phrasing.format(expr), str(value)))
    return out


# ---------------------------------------------------------------------------
# 3. Word problems (same RNG)
# ---------------------------------------------------------------------------

NAMES = ["Maria", "Tom", "Aisha", "Liam", "Sofia", "Kenji", "Priya", "Lucas", "Emma", "Omar",
         "Chloe", "Mateo", "Hana", "Noah", "Zoe", "Ravi"]


def money(cents):
    """Cents as a dollar string with two decimals, e.g. 750 -> '7.50'."""
    return f"{cents // 100}.{cents % 100:02d}"


def w_apples(rng, name):
    bought, eaten, given = rng.randint(12, 40), rng.randint(1, 6), rng.randint(1, 6)
    return (f"{name} buys {bought} apples, eats {eaten} and gives {given} to a friend. "
            f"How many apples does {name} have left?", str(bought - eaten - given))


def w_train(rng, name):
    speed, hours = rng.choice([40, 45, 50, 60, 70, 75, 80, 90, 120]), rng.randint(2, 6)
    return (f"A train travels at {speed} km per hour for {hours} hours. "
            f"How many kilometres does it travel?", str(speed * hours))


def w_change(rng, name):
    qty = rng.randint(2, 6)
    price = rng.randint(1, 4) * 100 + rng.choice([25, 50, 75, 95, 40, 60])
    note = next(n for n in (1000, 2000, 5000) if n > qty * price)
    item = rng.choice(["notebooks", "sandwiches", "pens", "coffees", "muffins"])
    return (f"{name} buys {qty} {item} at ${money(price)} each and pays with a ${note // 100} note. "
            f"How much change, in dollars, does {name} get?", money(note - qty * price))


def w_share(rng, name):
    people = rng.randint(2, 8)
    each = rng.randint(3, 15)
    thing = rng.choice(["sweets", "stickers", "marbles", "cookies"])
    return (f"{name} shares {people * each} {thing} equally among {people} friends. "
            f"How many {thing} does each friend get?", str(each))


def w_ages(rng, name):
    age = rng.randint(6, 15)
    diff = rng.randint(20, 35)
    years = rng.randint(3, 12)
    return (f"{name} is {age} years old. {name}'s mother is {diff} years older. "
            f"How old will the mother be in {years} years?", str(age + diff + years))


def w_pages(rng, name):
    per_day, days = rng.randint(8, 30), rng.randint(3, 14)
    return (f"{name} reads {per_day} pages every day for {days} days. "
            f"How many pages does {name} read in total?", str(per_day * days))


def w_book_left(rng, name):
    per_day, days = rng.randint(10, 25), rng.randint(3, 8)
    total = per_day * days + rng.randint(20, 120)
    return (f"A book has {total} pages. {name} reads {per_day} pages a day for {days} days. "
            f"How many pages are left to read?", str(total - per_day * days))


def w_boxes(rng, name):
    boxes, per_box = rng.randint(3, 12), rng.randint(6, 24)
    return (f"A shop has {boxes} boxes with {per_box} eggs in each box. "
            f"How many eggs are there altogether?", str(boxes * per_box))


def w_savings(rng, name):
    weekly, weeks = rng.randint(3, 20), rng.randint(4, 12)
    start = rng.randint(0, 50)
    return (f"{name} has ${start} and saves ${weekly} each week. "
            f"How many dollars will {name} have after {weeks} weeks?", str(start + weekly * weeks))


def w_bus(rng, name):
    start, off, on = rng.randint(20, 45), rng.randint(3, 15), rng.randint(2, 12)
    return (f"A bus has {start} passengers. At the next stop {off} get off and {on} get on. "
            f"How many passengers are on the bus now?", str(start - off + on))


def w_rectangle(rng, name):
    length, width = rng.randint(4, 25), rng.randint(3, 15)
    length, width = max(length, width), min(length, width)
    if rng.random() < 0.5:
        return (f"A garden is {length} metres long and {width} metres wide. "
                f"What is its area in square metres?", str(length * width))
    return (f"A rectangular field is {length} metres long and {width} metres wide. "
            f"What is its perimeter in metres?", str(2 * (length + width)))


def w_time(rng, name):
    start_h = rng.randint(7, 11)
    start_m = rng.choice([0, 15, 30, 45])
    minutes = rng.randint(2, 9) * 10 + rng.choice([0, 5])
    end = start_h * 60 + start_m + minutes
    return (f"A film starts at {start_h}:{start_m:02d} and ends at {end // 60}:{end % 60:02d}. "
            f"How many minutes long is the film?", str(minutes))


def w_groups(rng, name):
    per_team = rng.randint(3, 9)
    teams = rng.randint(3, 10)
    return (f"There are {per_team * teams} children at a sports day. A coach puts them in teams "
            f"of {per_team}. How many teams are there?", str(teams))


def w_cost_total(rng, name):
    qty = rng.randint(2, 9)
    price = rng.randint(2, 15)
    extra = rng.randint(1, 9)
    item = rng.choice(["tickets", "books", "plants", "T-shirts"])
    return (f"{name} buys {qty} {item} at ${price} each and pays ${extra} for delivery. "
            f"How many dollars does {name} spend in total?", str(qty * price + extra))


def w_fuel(rng, name):
    per_litre = rng.randint(8, 20)
    litres = rng.randint(3, 12)
    return (f"A car can drive {per_litre} km on one litre of fuel. "
            f"How far can it drive on {litres} litres, in kilometres?", str(per_litre * litres))


WORD_TEMPLATES = [w_apples, w_train, w_change, w_share, w_ages, w_pages, w_book_left, w_boxes,
                  w_savings, w_bus, w_rectangle, w_time, w_groups, w_cost_total, w_fuel]
WORD_COUNT = 80


def build_word_problems(rng):
    out, seen = [], set()
    for i in range(WORD_COUNT):
        template = WORD_TEMPLATES[i % len(WORD_TEMPLATES)]
        while True:
            prompt, answer = template(rng, rng.choice(NAMES))
            if prompt not in seen:
                break
        seen.add(prompt)
        out.append((prompt, answer))
    return out


# ---------------------------------------------------------------------------


def main():
    rng = random.Random(SEED)
    instructions = build_instructions()
    arithmetic = build_arithmetic(rng)
    words = build_word_problems(rng)

    records = []
    for i, prompt in enumerate(instructions, 1):
        records.append({"id": f"instr-{i:04d}", "prompt": prompt})
    for i, (prompt, answer) in enumerate(arithmetic, 1):
        records.append({"id": f"arith-{i:04d}", "prompt": prompt, "answer": answer})
    for i, (prompt, answer) in enumerate(words, 1):
        records.append({"id": f"word-{i:04d}", "prompt": prompt, "answer": answer})

    # Sanity checks: no duplicate prompts, short prompts, answers are plain numbers.
    prompts = [r["prompt"] for r in records]
    dupes = sorted({p for p in prompts if prompts.count(p) > 1})
    if dupes:
        sys.exit(f"duplicate prompts: {dupes}")
    for r in records:
        if len(r["prompt"].split()) > MAX_WORDS:
            sys.exit(f"{r['id']} is longer than {MAX_WORDS} words: {r['prompt']}")
        if "answer" in r:
            float(r["answer"])
            if r["answer"].startswith("-"):
                sys.exit(f"{r['id']} has a negative answer")

    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")

    print(f"wrote {os.path.relpath(OUTPUT, REPO_ROOT)}")
    print(f"instructions: {len(instructions)}")
    print(f"arithmetic:   {len(arithmetic)}")
    print(f"word:         {len(words)}")
    print(f"total:        {len(records)}")


if __name__ == "__main__":
    main()
