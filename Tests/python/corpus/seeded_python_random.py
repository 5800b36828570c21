import random

random.seed(42)
print(random.random(), random.randint(1, 6), random.randint(1, 100))
print([random.randint(1, 6) for _ in range(10)])
deck = list(range(10))
random.shuffle(deck)
print(deck)
print(random.choice('abcdef'), random.choice([1, 2, 3]), random.randrange(0, 100, 5))
print(round(random.uniform(1.5, 2.5), 12), round(random.gauss(0, 1), 12))
print(random.sample(range(100), 5), random.sample(['x', 'y', 'z'], 2))
random.seed(2024)
rolls = [random.randint(1, 6) for _ in range(1000)]
print(sum(rolls), rolls.count(6), max(rolls), min(rolls))
hits = 0
for _ in range(10000):
    x, y = random.random(), random.random()
    if x * x + y * y <= 1:
        hits += 1
print(4 * hits / 10000)
