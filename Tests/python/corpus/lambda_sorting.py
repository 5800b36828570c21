students = [
    {'name': 'Ann', 'grade': 88, 'age': 20},
    {'name': 'Bob', 'grade': 95, 'age': 22},
    {'name': 'Cy', 'grade': 88, 'age': 19},
]
by_grade = sorted(students, key=lambda s: (-s['grade'], s['name']))
print([s['name'] for s in by_grade])
print(sorted(students, key=lambda s: s['age'])[0]['name'])
print(max(students, key=lambda s: s['grade'])['name'])
square = lambda x: x ** 2
compose = lambda f, g: lambda x: f(g(x))
print(square(5), compose(square, abs)(-3), list(map(lambda x: x * 10, [1, 2])))
print(sorted([3, -1, 2], key=abs), sorted('Banana', key=str.lower), sorted([(1, 'b'), (1, 'a'), (0, 'z')]))
print(list(filter(lambda s: s['grade'] > 90, students)))
ops = {'add': lambda a, b: a + b, 'mul': lambda a, b: a * b}
print({k: f(3, 4) for k, f in ops.items()})
print(sorted(range(10), key=lambda i: (i % 3, -i)))
